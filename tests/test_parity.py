"""The project's validator and Frictionless agree.

`make validate` runs both: Frictionless over data/datapackage.json (``frictionless_errors``) and the
project's loader over every resource (``pcevidence.data.load``, which applies the schema and then the
project's own rules). Here they must agree on the committed data (both find it valid) and on each kind
of bad input the other tests use: where Frictionless can see the fault, both reject it, at the same
file, row and column. The project's own rules (quote length, conflict links, agreement with claims,
search log counts, dates in the future, edition revisions) are beyond what a Table Schema can say, so
there the project's validator rejects and Frictionless is shown to accept the same file.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, latest_access_date
from pcevidence.data import DataError, load, resource_names
from pcevidence.site.validate import frictionless_errors
from test_data_loader import rows, set_cell, write_rows

FRICTIONLESS_MESSAGE = re.compile(r"^data/(?P<file>[^,:]+)(?:, row (?P<row>\d+))?(?:, column '(?P<column>[^']*)')?: "
                                  r"(?P<message>.*) \[frictionless: (?P<type>[\w-]+)\]$", re.S)


def project_errors(root: Path) -> list[DataError]:
    """What `make validate`'s second step finds: the first problem in each resource, loading all of them."""
    problems = []
    for name in resource_names(root):
        try:
            load(name, root=root)
        except DataError as exc:
            problems.append(exc)
    return problems


def frictionless_findings(root: Path, resource: str) -> list[dict]:
    """Frictionless's errors for ``resource`` (validated with the resources its foreign keys reach), parsed
    from the messages `make validate` prints.

    The package is cut down to those resources so each case takes a fraction of a second, and the edited
    file's recorded checksum is dropped: Frictionless would otherwise reject *any* edit of a checksummed
    file for its changed hash, and agree with the project for the wrong reason."""
    path = root / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in package["resources"]}
    keep, todo = [], [resource]
    while todo:
        name = todo.pop()
        if name not in keep:
            keep.append(name)
            todo += [fk["reference"]["resource"] for fk in by_name[name]["schema"].get("foreignKeys", [])
                     if fk["reference"].get("resource")]
    edited = {k: v for k, v in by_name[resource].items() if k not in ("hash", "bytes")}
    package["resources"] = [edited if n == resource else by_name[n] for n in keep]
    path.write_text(json.dumps(package, indent=2), encoding="utf-8")
    findings = []
    for message in frictionless_errors(root):
        match = FRICTIONLESS_MESSAGE.match(message)
        assert match, f"a Frictionless message `make validate` cannot place: {message}"
        found = match.groupdict()
        found["row"] = int(found["row"]) if found["row"] else None
        findings.append(found)
    return findings


# -- the committed data ------------------------------------------------------------------------------

def test_both_validators_find_the_committed_data_valid():
    """The project's loader accepts every table, and so does Frictionless, run as an outside user would run it
    on the published package (`frictionless validate`, checksums included): one full run, since every
    bad-input case below goes through `make validate`'s own ``frictionless_errors``."""
    assert project_errors(ROOT) == []
    result = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", "data/datapackage.json"],
                            cwd=ROOT, capture_output=True, text=True, env=dict(os.environ))
    assert result.returncode == 0, result.stdout[-3000:]
    report = json.loads(result.stdout)
    assert report["valid"] is True and report["errors"] == []
    assert sorted(task["name"] for task in report["tasks"]) == sorted(resource_names(ROOT))  # every table seen
    assert all(task["valid"] for task in report["tasks"])


# -- bad input both can see --------------------------------------------------------------------------

def _append_copy_of_first_row(table: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        data = rows(root / "data" / table)
        write_rows(root / "data" / table, data + [list(data[1])])
    return edit


def _drop_column(table: str, column: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        data = rows(root / "data" / table)
        i = data[0].index(column)
        write_rows(root / "data" / table, [r[:i] + r[i + 1:] for r in data])
    return edit


def _add_column(table: str, column: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        data = rows(root / "data" / table)
        write_rows(root / "data" / table, [data[0] + [column]] + [r + [""] for r in data[1:]])
    return edit


def _append_row_with_stray_comma(root: Path) -> None:
    data = rows(root / "data" / "events.csv")
    write_rows(root / "data" / "events.csv", data + [["E999", "2020-01-01", "day", "event", "pcn_arrs", "x", "extra"]])


def _set(table: str, row: int, column: str, value: str) -> Callable[[Path], None]:
    return lambda root: set_cell(root, table, row, column, value)


def _not_utf8(root: Path) -> None:
    path = root / "data" / "sources.csv"
    text = path.read_text(encoding="utf-8").splitlines(keepends=True)
    text[2] = text[2].replace(",", ",caf\u00e9 ", 1)
    path.write_bytes("".join(text).encode("cp1252"))


@dataclass
class Bad:
    resource: str
    edit: Callable[[Path], None]
    frictionless: tuple[str, ...]  # Frictionless error types it must report; the first places the fault
    row: int | None  # where both place it (header is row 1); None where the fault has no one row
    column: str | None  # the column the project names; Frictionless names it too, in its column or message
    frictionless_names_column: bool = True

    @property
    def file(self) -> str:
        return f"{self.resource}.csv"


CLAIM_ROWS = len(rows(ROOT / "data" / "claims.csv"))
EVENT_ROWS = len(rows(ROOT / "data" / "events.csv"))

SEEN_BY_BOTH = {
    "wrong type": Bad("practice_access_2025_26", _set("practice_access_2025_26.csv", 3, "appointments", "lots"),
                      ("type-error",), 3, "appointments"),
    "number with a comma": Bad("contract_funding", _set("contract_funding.csv", 2, "value", "1,234"),
                               ("type-error",), 2, "value"),
    "missing required value": Bad("claims", _set("claims.csv", 2, "quote", ""), ("constraint-error",), 2, "quote"),
    "enum outside the list": Bad("claims", _set("claims.csv", 2, "certainty", "certain"),
                                 ("constraint-error",), 2, "certainty"),
    # Frictionless names the repeated row (and the row it repeats), not the key's column.
    "duplicate primary key": Bad("claims", _append_copy_of_first_row("claims.csv"), ("primary-key",),
                                 CLAIM_ROWS + 1, "claim_id", frictionless_names_column=False),
    "unknown foreign key": Bad("claims", _set("claims.csv", 2, "source_id", "nosuchsource2099"), ("foreign-key",),
                               2, "source_id"),
    "unknown board code": Bad("practice_map_2026_07", _set("practice_map_2026_07.csv", 8, "icb_code", "QXX"),
                              ("foreign-key",), 8, "icb_code"),
    "malformed date": Bad("sources", _set("sources.csv", 2, "date_accessed", "22/11/2026"), ("type-error",),
                          2, "date_accessed"),
    "impossible calendar date": Bad("sources", _set("sources.csv", 2, "date_accessed", "2026-02-30"), ("type-error",),
                                    2, "date_accessed"),
    "negative count below minimum": Bad("practice_access_2025_26",
                                        _set("practice_access_2025_26.csv", 4, "online_consultations", "-5"),
                                        ("constraint-error",), 4, "online_consultations"),
    "negative amount below minimum": Bad("contract_funding", _set("contract_funding.csv", 2, "value", "-121.79"),
                                         ("constraint-error",), 2, "value"),
    "practice code pattern mismatch": Bad("practice_map_2026_07", _set("practice_map_2026_07.csv", 6, "practice_code",
                                                                       "A8100"), ("constraint-error",), 6, "practice_code"),
    "network code pattern mismatch": Bad("pcn_workforce_2026_06", _set("pcn_workforce_2026_06.csv", 4, "pcn_code",
                                                                       "X12345"), ("constraint-error",), 4, "pcn_code"),
    "extra column": Bad("sources", _add_column("sources.csv", "notes"), ("extra-label",), None, "notes"),
    # Frictionless matches the header by position: the label now under 'theme' is wrong, the last is missing.
    "missing column": Bad("events", _drop_column("events.csv", "theme"), ("incorrect-label", "missing-label"),
                          None, "theme"),
    "row with a stray comma": Bad("events", _append_row_with_stray_comma, ("extra-cell",), EVENT_ROWS + 1, None),
    "empty file": Bad("events", lambda root: (root / "data" / "events.csv").write_text("", encoding="utf-8"),
                      ("source-error",), None, None),
    "not UTF-8": Bad("sources", _not_utf8, ("encoding-error",), None, None),
}


@pytest.mark.parametrize("kind", list(SEEN_BY_BOTH))
def test_both_validators_reject_bad_input_at_the_same_place(bad_root, kind):
    bad = SEEN_BY_BOTH[kind]
    bad.edit(bad_root)

    ours = [e for e in project_errors(bad_root) if e.path == f"data/{bad.file}"]
    assert ours, f"{kind}: the project's validator accepted data/{bad.file}"
    first = ours[0]
    if bad.row is not None:
        assert first.row == bad.row, (kind, str(first))
    if bad.column is not None:
        assert first.column == bad.column, (kind, str(first))

    theirs = [f for f in frictionless_findings(bad_root, bad.resource) if f["file"] == bad.file]
    types = [f["type"] for f in theirs]
    assert set(bad.frictionless) <= set(types), (kind, theirs)
    placed = next(f for f in theirs if f["type"] == bad.frictionless[0])
    if bad.row is not None:
        assert placed["row"] == bad.row, (kind, placed)
    if bad.column is not None and bad.frictionless_names_column:
        assert placed["column"] == bad.column or f'"{bad.column}"' in placed["message"], (kind, placed)


# -- bad input only the project's rules can see ------------------------------------------------------

def _conflict_one_way(root: Path) -> None:
    other = rows(root / "data" / "claims.csv")[2][0]
    set_cell(root, "claims.csv", 2, "conflicts_with", other)
    set_cell(root, "claims.csv", 3, "conflicts_with", "")


def _row_of(root: Path, table: str, column: str, value: str) -> int:
    data = rows(root / "data" / table)
    return next(i for i, r in enumerate(data[1:], start=2) if r[data[0].index(column)] == value)


def _more_included_than_screened(root: Path) -> None:
    data = rows(root / "data" / "search_log.csv")
    set_cell(root, "search_log.csv", 2, "included", str(int(data[1][data[0].index("screened")]) + 1))


@dataclass
class ProjectOnly:
    resource: str
    edit: Callable[[Path], None]
    rule: str  # the project's rule, as DataError.rule or words of its message
    why: str  # why a Table Schema cannot express it


PROJECT_ONLY = {
    "quote over forty words": ProjectOnly(
        "claims", _set("claims.csv", 2, "quote", " ".join(["word"] * 41)), "quote length",
        "Table Schema's maxLength counts characters; the rule counts words (fair-dealing limit of 40)."),
    "conflict link one way": ProjectOnly(
        "claims", _conflict_one_way, "does not link back",
        "A foreign key can say a value exists, not that the row it names points back at this one."),
    "conflict link to an unknown claim": ProjectOnly(
        "claims", _set("claims.csv", 2, "conflicts_with", "XX-999"), "not in data/claims.csv",
        "conflicts_with is a space-separated list; a foreign key compares the whole cell, so the column "
        "is a plain string to Frictionless."),
    "statistics table disagrees with its claim": ProjectOnly(
        "nnhip", lambda root: set_cell(root, "nnhip.csv", _row_of(root, "nnhip.csv", "claim_id", "NBX-007"), "value", "44"),
        "one owner per fact",
        "A foreign key checks that claim NBX-007 exists, not that the value beside it equals the claim's value."),
    "more included than screened": ProjectOnly(
        "search_log", _more_included_than_screened, "search counts",
        "Constraints apply to one cell at a time; included <= screened compares two cells of a row."),
    "exclusion reasons that do not add up": ProjectOnly(
        "search_log", _set("search_log.csv", 2, "exclusion_reasons", "off topic: 999"), "the reasons count 999",
        "The reasons are a free-text list whose counts must sum to another column: no Table Schema constraint."),
    "date in the future": ProjectOnly(
        "claims", _set("claims.csv", 2, "as_of", "2041-01"), "in the future",
        "A schema is fixed; 'not after today' depends on the day it is checked (pinned here by PCEVIDENCE_TODAY)."),
}


@pytest.mark.parametrize("kind", list(PROJECT_ONLY))
def test_project_rules_reject_what_frictionless_cannot_see(bad_root, monkeypatch, kind):
    case = PROJECT_ONLY[kind]
    monkeypatch.setenv("PCEVIDENCE_TODAY", latest_access_date())
    case.edit(bad_root)
    ours = [e for e in project_errors(bad_root) if e.path == f"data/{case.resource}.csv"]
    assert ours, f"{kind}: the project's validator accepted data/{case.resource}.csv"
    assert case.rule == ours[0].rule or case.rule in str(ours[0]), (kind, str(ours[0]), ours[0].rule)
    # Frictionless validates the same file and finds nothing: the rule is the project's alone. (Why: case.why)
    assert frictionless_findings(bad_root, case.resource) == [], (kind, case.why)
