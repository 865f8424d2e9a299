"""Tables generated from data: one row per record, in order, with cell text escaped, links kept and
every row cited. Each table is read back cell by cell, so a dropped row, a lost citation or text that
would run as HTML or MyST fails here."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pcevidence import tables
from pcevidence.book import chapter_titles
from pcevidence.data import load
from pcevidence.markup import CERTAINTY_LABEL, cite, escape_markdown
from pcevidence.prose import format_value, when
from test_data_loader import rows, set_cell

UNSAFE = '<script>alert("x")</script> a | b {cite:p}`notakey` *stars* [link](http://x)'


def split_row(line: str) -> list[str]:
    """The cells of one Markdown table row, splitting on `|` but not on an escaped `\\|`."""
    cells, cell, i = [], "", 0
    while i < len(line):
        char = line[i]
        if char == "\\" and i + 1 < len(line):
            cell += line[i:i + 2]
            i += 2
            continue
        if char == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += char
        i += 1
    cells.append(cell.strip())
    assert cells[0] == "" and cells[-1] == "", f"a row must start and end with '|': {line!r}"
    return cells[1:-1]


def parse_table(markdown: str) -> list[dict[str, str]]:
    """A generated Markdown table as a list of rows (column -> cell text), checking its shape on the way."""
    lines = markdown.strip().splitlines()
    header = split_row(lines[0])
    assert lines[1] == "|" + "---|" * len(header), lines[1]
    body = [split_row(line) for line in lines[2:]]
    for line, cells in zip(lines[2:], body, strict=True):
        assert len(cells) == len(header), f"{len(cells)} cells under {len(header)} columns: {line!r}"
    return [dict(zip(header, cells, strict=True)) for cells in body]


def assert_escaped(cell: str) -> None:
    """The UNSAFE text shows as text: no live tag, role, emphasis or link, and the cell did not split."""
    assert "<script>" not in cell and "&lt;script&gt;alert(" in cell
    assert r"a \| b" in cell
    assert r"\{cite:p\}\`notakey\`" in cell and r"\*stars\*" in cell and r"\[link\](http://x)" in cell


# -- markdown_table ----------------------------------------------------------------------------------

def test_markdown_table_has_one_row_per_record_and_leaves_missing_values_empty():
    frame = pd.DataFrame({"Name": ["a", "b", "c"], "Count": pd.Series([1, 2, None], dtype=object),
                          "Share": [0.5, float("nan"), 1.25]})
    table = parse_table(tables.markdown_table(frame))
    assert table == [{"Name": "a", "Count": "1", "Share": "0.5"}, {"Name": "b", "Count": "2", "Share": ""},
                     {"Name": "c", "Count": "", "Share": "1.25"}]  # never "nan" or "None"


def test_markdown_table_escapes_unsafe_cell_text_and_headers():
    frame = pd.DataFrame({"Who | what": [UNSAFE, "two\nlines"], "Plain": ["x", "y"]})
    markdown = tables.markdown_table(frame)
    table = parse_table(markdown)
    assert list(table[0]) == [r"Who \| what", "Plain"]
    assert_escaped(table[0][r"Who \| what"])
    assert table[1][r"Who \| what"] == "two lines"  # a line break would end the row
    assert len(markdown.strip().splitlines()) == 4


def test_markdown_table_links_a_column_to_its_url_and_hides_the_url_column():
    frame = pd.DataFrame({"Title": ["A report (draft)", "No link *here*"],
                          "url": ["https://example.org/a b(1).pdf", ""]})
    table = parse_table(tables.markdown_table(frame, links={"Title": "url"}))
    assert list(table[0]) == ["Title"]
    assert table[0]["Title"] == "[A report (draft)](<https://example.org/a%20b(1%29.pdf>)"
    assert table[1]["Title"] == r"No link \*here\*"  # no URL: plain, escaped text


def test_markdown_table_passes_raw_columns_through_unescaped():
    frame = pd.DataFrame({"Finding": ["*not emphasis*"], "Source": ["{cite:p}`nhse2026`"]})
    table = parse_table(tables.markdown_table(frame, raw={"Source"}))
    assert table == [{"Finding": r"\*not emphasis\*", "Source": "{cite:p}`nhse2026`"}]


# -- the tables the chapters show --------------------------------------------------------------------

def test_evidence_table_lists_every_finding_by_chapter_with_its_certainty_and_sources():
    findings = load("findings")
    table = parse_table(tables.evidence_table_markdown())
    assert len(table) == len(findings)
    titles = chapter_titles()
    chapters = list(titles.values())
    shown = [chapters.index(row["Chapter"]) for row in table]
    assert shown == sorted(shown), "findings are grouped chapter by chapter, in the book's order"
    expected = findings.assign(_o=findings["chapter"].map(list(titles).index)).sort_values(["_o", "order"])
    for row, finding in zip(table, expected.to_dict("records"), strict=True):
        assert row["Finding"] == escape_markdown(finding["finding"])
        assert row["Certainty"] == CERTAINTY_LABEL[finding["certainty"]]
        assert row["Sources"] == cite(finding["claim_ids"].split())


def test_evidence_table_escapes_a_finding_typed_with_markup(bad_root):
    set_cell(bad_root, "findings.csv", 2, "finding", UNSAFE)
    table = parse_table(tables.evidence_table_markdown(root=bad_root))
    assert_escaped(next(row["Finding"] for row in table if "notakey" in row["Finding"]))


def test_events_table_dates_each_event_as_precisely_as_its_source_and_cites_it():
    events = pd.DataFrame({"date": pd.to_datetime(["2026-06-04", "2026-05-01", "2019-01-01"]),
                           "date_precision": ["day", "month", "year"], "event": ["Announced", UNSAFE, "Agreed"],
                           "theme": ["kent_variation", "trusts", "kent_variation"],
                           "source_id": ["pulsepcn2026lva", "nhse2026", "bma2019"]})
    table = parse_table(tables.events_markdown(events, {"kent_variation": "Kent and Medway", "trusts": "Trusts"}))
    assert [row["Date"] for row in table] == ["4 June 2026", "May 2026", "2019"]
    assert [row["Theme"] for row in table] == ["Kent and Medway", "Trusts", "Kent and Medway"]
    assert [row["Source"] for row in table] == ["{cite:p}`pulsepcn2026lva`", "{cite:p}`nhse2026`", "{cite:p}`bma2019`"]
    assert table[0]["Event"] == "Announced"
    assert_escaped(table[1]["Event"])


def test_numbered_events_table_lists_events_by_date_then_id_with_their_numbers():
    events = pd.DataFrame({"event_id": ["E09", "E02", "E05"],
                           "date": pd.to_datetime(["2026-06-04", "2026-05-01", "2026-05-01"]),
                           "date_precision": ["day", "day", "day"], "event": ["Last", "First", "Second"],
                           "theme": ["trusts"] * 3, "source_id": ["a", "b", "c"]})
    table = parse_table(tables.events_markdown(events, {"trusts": "Trusts"}, numbered=True))
    assert [(row["No."], row["Event"]) for row in table] == [("1", "First"), ("2", "Second"), ("3", "Last")]
    assert "No." not in parse_table(tables.events_markdown(events, {"trusts": "Trusts"}))[0]  # unnumbered by default


def test_seed_table_gives_each_assertion_its_verdict_and_sources(bad_root):
    seeds = load("seed_assertions")
    table = parse_table(tables.seed_table_markdown())
    assert len(table) == len(seeds)
    for row, seed in zip(table, seeds.to_dict("records"), strict=True):
        assert row["Document"] == escape_markdown(seed["seed"])
        assert row["Verdict"] == seed["verdict"].capitalize()
        assert row["Sources"] == (cite(seed["claim_ids"].split()) if seed["claim_ids"] else "")
    # An assertion the evidence could not check shows no citation rather than a broken one.
    data = rows(bad_root / "data" / "seed_assertions.csv")
    set_cell(bad_root, "seed_assertions.csv", 2, "claim_ids", "")
    set_cell(bad_root, "seed_assertions.csv", 2, "assertion", UNSAFE)
    first = parse_table(tables.seed_table_markdown(root=bad_root))[0]
    assert first["Document"] == escape_markdown(data[1][data[0].index("seed")]) and first["Sources"] == ""
    assert_escaped(first["What it says"])


def test_claims_table_keeps_the_order_asked_for_and_formats_each_figure():
    claims = load("claims").set_index("claim_id")
    ids = ["KMX-003", "PCN-001"]
    table = parse_table(tables.claims_markdown(ids))
    assert [row["What the source says"] for row in table] == [escape_markdown(claims.loc[c, "statement"]) for c in ids]
    assert [row["Figure"] for row in table] == [format_value(claims.loc[c, "value"], claims.loc[c, "unit"]) for c in ids]
    assert [row["When"] for row in table] == [when(claims.loc[c, "as_of"]) for c in ids]
    assert [row["Source"] for row in table] == [f"{{cite:p}}`{claims.loc[c, 'source_id']}`" for c in ids]
    assert list(parse_table(tables.claims_markdown(ids, figure=False))[0]) == ["What the source says", "When",
                                                                                "Certainty", "Source"]
    with pytest.raises(KeyError, match="XX-999"):
        tables.claims_markdown(["PCN-001", "XX-999"])


def test_stances_table_shows_each_position_with_its_claims_words_and_source():
    stances = load("stances")
    claims = load("claims").set_index("claim_id")
    table = parse_table(tables.stances_markdown())
    assert len(table) == len(stances)
    for row, stance in zip(table, stances.to_dict("records"), strict=True):
        claim = claims.loc[stance["claim_id"]]
        assert row["Who"] == escape_markdown(stance["actor"])
        assert row["Position"] == escape_markdown(stance["stance"][0].upper() + stance["stance"][1:])
        assert row["What they said"] == escape_markdown(claim["statement"])
        assert row["Certainty"] == CERTAINTY_LABEL[claim["certainty"]]
        assert row["Source"] == f"{{cite:p}}`{claim['source_id']}`"


def test_evaluations_table_states_each_result_with_its_interval_or_the_claims_words():
    evaluations = load("evaluations")
    claims = load("claims").set_index("claim_id")
    table = parse_table(tables.evaluations_markdown())
    assert len(table) == len(evaluations)
    for row, ev in zip(table, evaluations.to_dict("records"), strict=True):
        assert row["Source"] == cite([ev["claim_id"]])
        assert row["Certainty"] == CERTAINTY_LABEL[ev["certainty"]]
        result = row["Outcome and result"]
        assert result.startswith(escape_markdown(ev["outcome"]) + ": ")
        if pd.isna(ev["estimate"]):
            assert result.endswith(escape_markdown(claims.loc[ev["claim_id"], "statement"]))
        else:
            assert f"{ev['estimate']:g}" in result
        if ev["interval"] == "95% confidence interval":
            assert f"(95% CI {ev['low']:g} to {ev['high']:g})" in result
    with_interval = evaluations[evaluations["interval"] == "95% confidence interval"]
    assert len(with_interval), "the committed data has a result with a confidence interval to show"


def test_precedent_tables_have_a_row_per_model_and_name_each_gp_position():
    models = load("precedent_models")
    first, second = (parse_table(t) for t in tables.precedent_models_markdown())
    assert [row["Model"] for row in first] == [escape_markdown(m) for m in models["model"]]
    assert [row["Model"] for row in second] == [escape_markdown(m) for m in models["model"]]
    assert [row["GP contracts"] for row in second] == [tables.GP_POSITION[p] for p in models["gp_position"]]
    assert [row["Sources"] for row in second] == [cite(ids.split()) for ids in models["claim_ids"]]
    assert list(first[0]) == ["Model", "Period", "Footprint", "Money"]  # split in two so neither is too wide


def test_at_a_glance_answers_each_question_with_its_status_date_and_sources(bad_root):
    glance = load("at_a_glance")
    glance = glance[glance["chapter"] == "kent-medway"].sort_values("order")
    table = parse_table(tables.at_a_glance_markdown("kent-medway"))
    assert [row["Question"] for row in table] == [escape_markdown(q) for q in glance["item"]]
    labels = {"known": "Known", "partly known": "Partly known", "not known": "Not known"}
    for row, item in zip(table, glance.to_dict("records"), strict=True):
        assert row["Answer"] == f"**{labels[item['status']]}.** {escape_markdown(item['answer'])}"
        if item["claim_ids"]:
            assert row["Sources"] == cite(item["claim_ids"].split())
            assert row["When"].startswith("As at ")
        else:
            assert row["Sources"] == "None found: see the {doc}`search log <methods>`"
        if item["search_ids"]:
            assert re.search(r"(^L|; l)ast searched \d{1,2} \w+ \d{4}$", row["When"]), row["When"]
    assert any(not item for item in glance["claim_ids"]), "the committed data has a question with no answer yet"
    with pytest.raises(ValueError, match="no rows for chapter 'no-such-chapter'"):
        tables.at_a_glance_markdown("no-such-chapter")
    row = next(i for i, r in enumerate(rows(bad_root / "data" / "at_a_glance.csv")[1:], start=2) if r[0] == "kent-medway")
    set_cell(bad_root, "at_a_glance.csv", row, "answer", UNSAFE)
    assert_escaped(parse_table(tables.at_a_glance_markdown("kent-medway", root=bad_root))[0]["Answer"])


def test_the_synthesis_table_leaves_out_the_findings_its_box_shows():
    findings = load("findings")
    table = parse_table(tables.evidence_table_markdown(exclude=("synthesis",)))
    assert len(table) == int((findings["chapter"] != "synthesis").sum())
    own = findings[findings["chapter"] == "synthesis"]["finding"].map(escape_markdown)
    assert not set(own) & {row["Finding"] for row in table}
