"""The one loader refuses bad input with a message naming the file, the row and the column.

Every test corrupts a *copy* of the data in a temporary folder; data/ is never written.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from conftest import latest_access_date
from pcevidence.data import DataError, load


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, table: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    path.write_text(out.getvalue(), encoding="utf-8")


def set_cell(root: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell; ``row`` counts like the error messages (header is row 1)."""
    path = root / "data" / table
    data = rows(path)
    data[row - 1][data[0].index(column)] = value
    write_rows(path, data)


def expect(root: Path, name: str, *, file: str, row: int | None, column: str | None, words: str) -> DataError:
    with pytest.raises(DataError) as info:
        load(name, root=root)
    err = info.value
    message = str(err)
    assert file in message and err.path == file
    if row is not None:
        assert err.row == row and f"row {row}" in message
    if column is not None:
        assert err.column == column and f"column '{column}'" in message
    assert words in message
    return err


DTYPE_OF = {"integer": lambda d: str(d) == "Int64", "number": lambda d: str(d) == "float64",
            "date": lambda d: str(d).startswith("datetime64["), "boolean": lambda d: str(d) == "boolean",
            "string": lambda d: str(d) == "object"}


def test_the_real_data_loads_whole_with_each_declared_type(data_copy):
    """Every table loads with every row of its CSV, a unique primary key and each column typed as
    datapackage.json declares it."""
    from pcevidence.data import package

    resources = package(data_copy)["resources"]
    assert len(resources) >= 20
    for res in resources:
        frame = load(res["name"], root=data_copy)
        records = rows(data_copy / "data" / res["path"])
        assert list(frame.columns) == records[0], res["name"]
        assert len(frame) == len(records) - 1, f"{res['name']}: {len(frame)} rows loaded of {len(records) - 1}"
        key = res["schema"].get("primaryKey")
        if key:
            assert not frame.duplicated(key if isinstance(key, list) else [key]).any(), res["name"]
        for field in res["schema"]["fields"]:
            dtype = frame[field["name"]].dtype
            assert DTYPE_OF[field.get("type", "string")](dtype), (res["name"], field["name"], str(dtype))
    claims = load("claims", root=data_copy).set_index("claim_id")
    assert claims.loc["PCN-001", "value"] == 102.28 and claims.loc["PCN-001", "as_of"] == "2023-04"


def test_wrong_type(bad_root):
    set_cell(bad_root, "practice_access_2025_26.csv", 3, "appointments", "lots")
    err = expect(bad_root, "practice_access_2025_26", file="data/practice_access_2025_26.csv", row=3,
                 column="appointments", words="not a whole number")
    assert err.value == "lots" and err.rule == "type integer"


def test_number_with_a_comma_is_a_wrong_type(bad_root):
    set_cell(bad_root, "contract_funding.csv", 2, "value", "1,234")
    expect(bad_root, "contract_funding", file="data/contract_funding.csv", row=2, column="value", words="not a number")


def test_missing_required_value(bad_root):
    set_cell(bad_root, "claims.csv", 2, "quote", "")
    err = expect(bad_root, "claims", file="data/claims.csv", row=2, column="quote", words="required")
    assert err.rule == "required"


def test_missing_column(bad_root):
    path = bad_root / "data" / "events.csv"
    data = rows(path)
    i = data[0].index("theme")
    write_rows(path, [r[:i] + r[i + 1:] for r in data])
    expect(bad_root, "events", file="data/events.csv", row=1, column="theme", words="lacks the column")


def test_unexpected_column(bad_root):
    path = bad_root / "data" / "sources.csv"
    data = rows(path)
    write_rows(path, [data[0] + ["notes"]] + [r + [""] for r in data[1:]])
    expect(bad_root, "sources", file="data/sources.csv", row=1, column="notes", words="does not describe")


def test_duplicate_primary_key(bad_root):
    path = bad_root / "data" / "claims.csv"
    data = rows(path)
    data.append(list(data[1]))
    write_rows(path, data)
    err = expect(bad_root, "claims", file="data/claims.csv", row=len(data), column="claim_id",
                 words="repeats the primary key")
    assert "row 2" in str(err)


def test_unknown_source_id(bad_root):
    set_cell(bad_root, "claims.csv", 2, "source_id", "nosuchsource2099")
    err = expect(bad_root, "claims", file="data/claims.csv", row=2, column="source_id", words="not a known source_id")
    assert err.rule == "foreign key" and err.value == "nosuchsource2099"


def test_malformed_date(bad_root):
    set_cell(bad_root, "sources.csv", 2, "date_accessed", "22/11/2026")
    expect(bad_root, "sources", file="data/sources.csv", row=2, column="date_accessed", words="YYYY-MM-DD")


def test_impossible_calendar_date(bad_root):
    set_cell(bad_root, "sources.csv", 2, "date_accessed", "2026-02-30")
    expect(bad_root, "sources", file="data/sources.csv", row=2, column="date_accessed", words="not a real calendar date")


def test_date_in_the_future(bad_root, monkeypatch):
    monkeypatch.setenv("PCEVIDENCE_TODAY", latest_access_date())
    set_cell(bad_root, "claims.csv", 2, "as_of", "2041-01")
    expect(bad_root, "claims", file="data/claims.csv", row=2, column="as_of", words="in the future")


def test_negative_count(bad_root):
    set_cell(bad_root, "practice_access_2025_26.csv", 4, "online_consultations", "-5")
    err = expect(bad_root, "practice_access_2025_26", file="data/practice_access_2025_26.csv", row=4,
                 column="online_consultations", words="below the minimum 0")
    assert err.rule == "minimum"


def test_negative_amount(bad_root):
    set_cell(bad_root, "contract_funding.csv", 2, "value", "-121.79")
    expect(bad_root, "contract_funding", file="data/contract_funding.csv", row=2, column="value", words="below the minimum")


def test_empty_file(bad_root):
    (bad_root / "data" / "events.csv").write_text("", encoding="utf-8")
    err = expect(bad_root, "events", file="data/events.csv", row=None, column=None, words="is empty")
    assert err.rule == "non-empty file"


def test_file_that_is_not_utf8(bad_root):
    path = bad_root / "data" / "sources.csv"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text[2] = text[2].replace(",", ",caf\u00e9 ", 1)
    path.write_bytes("".join(text).encode("cp1252"))
    err = expect(bad_root, "sources", file="data/sources.csv", row=3, column=None, words="not UTF-8")
    assert "0xe9" in str(err)


def test_quote_over_forty_words(bad_root):
    set_cell(bad_root, "claims.csv", 2, "quote", " ".join(["word"] * 41))
    err = expect(bad_root, "claims", file="data/claims.csv", row=2, column="quote", words="41 words")
    assert err.rule == "quote length"


def test_enum_value_outside_the_allowed_list(bad_root):
    set_cell(bad_root, "claims.csv", 2, "certainty", "certain")
    expect(bad_root, "claims", file="data/claims.csv", row=2, column="certainty", words="not one of the allowed values")


def test_row_with_a_stray_comma(bad_root):
    path = bad_root / "data" / "events.csv"
    data = rows(path)
    data.append(["E999", "2020-01-01", "day", "event", "pcn_arrs", "x", "extra"])
    write_rows(path, data)
    expect(bad_root, "events", file="data/events.csv", row=len(data), column=None, words="cells but the header has")


def test_conflict_links_must_point_both_ways(bad_root):
    claims = rows(bad_root / "data" / "claims.csv")
    other = claims[2][0]
    set_cell(bad_root, "claims.csv", 2, "conflicts_with", other)
    set_cell(bad_root, "claims.csv", 3, "conflicts_with", "")
    expect(bad_root, "claims", file="data/claims.csv", row=2, column="conflicts_with", words="does not link back")


def test_conflict_link_to_unknown_claim(bad_root):
    set_cell(bad_root, "claims.csv", 2, "conflicts_with", "XX-999")
    expect(bad_root, "claims", file="data/claims.csv", row=2, column="conflicts_with", words="not in data/claims.csv")


def test_unknown_table_name_lists_the_known_ones(data_copy):
    with pytest.raises(DataError, match="known resources: sources, claims"):
        load("claimz", root=data_copy)
