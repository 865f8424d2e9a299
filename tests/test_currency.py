"""How current the evidence is, what changed between editions, and the charts and labels that show it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from pcevidence import figures, prose
from pcevidence.currency import evidence_date, last_search, watch_status, watchlist_frame
from pcevidence.data import load
from pcevidence.editions import compare, fingerprint
from pcevidence.site.bib import label_author, year_labels
from test_data_loader import rows, set_cell


def test_evidence_date_is_the_newest_source_a_chapter_cites(bad_root):
    before = evidence_date("kent-medway", root=bad_root)
    claims = load("claims", root=bad_root)
    source = claims[claims["chapter"] == "kent-medway"]["source_id"].iloc[0]
    data = rows(bad_root / "data" / "sources.csv")
    row = next(i for i, r in enumerate(data[1:], start=2) if r[0] == source)
    set_cell(bad_root, "sources.csv", row, "date_published", "2026-11-20")
    after = evidence_date("kent-medway", root=bad_root)
    assert before.start < date(2026, 11, 20)
    assert after.text == "2026-11-20" and after.words == "20 November 2026"
    # another chapter that does not cite the source is unaffected
    other = claims[~claims["source_id"].eq(source)]
    chapter = next(c for c in other["chapter"].unique() if source not in set(claims[claims["chapter"] == c]["source_id"]))
    assert evidence_date(chapter, root=bad_root) == evidence_date(chapter)


LATER = "2027-01-31"  # "today" for tests that date evidence after everything committed


def _source_row(root, source_id: str) -> int:
    return next(i for i, r in enumerate(rows(root / "data" / "sources.csv")[1:], start=2) if r[0] == source_id)


def test_evidence_date_prefers_the_more_precise_of_equal_dates(bad_root, monkeypatch):
    """Two sources published in January 2027, one dated to the day (1 January) and one to the month, start
    on the same day: the chapter's evidence date is the precise one, whichever source carries it."""
    monkeypatch.setenv("PCEVIDENCE_TODAY", LATER)
    claims = load("claims", root=bad_root)
    first, second = sorted(set(claims.loc[claims["chapter"] == "kent-medway", "source_id"]))[:2]
    for by_month, by_day in ((first, second), (second, first)):
        for source, published in ((by_month, "2027-01"), (by_day, "2027-01-01")):
            set_cell(bad_root, "sources.csv", _source_row(bad_root, source), "date_published", published)
            set_cell(bad_root, "sources.csv", _source_row(bad_root, source), "date_accessed", LATER)
        newest = evidence_date("kent-medway", root=bad_root)
        assert newest.text == "2027-01-01" and newest.words == "1 January 2027", (by_month, by_day)
        assert newest.start == date(2027, 1, 1)


def test_last_search_is_the_latest_logged_search(bad_root, monkeypatch):
    monkeypatch.setenv("PCEVIDENCE_TODAY", LATER)
    log = load("search_log", root=bad_root)
    assert last_search(root=bad_root) == log["date"].max().date()
    chapter = log["chapter"].iloc[1]
    other = next(c for c in log["chapter"].unique() if c != chapter)
    before = last_search(other, root=bad_root)
    set_cell(bad_root, "search_log.csv", 3, "date", "2027-01-15")  # row 3 is the log's second search
    assert last_search(root=bad_root) == date(2027, 1, 15)
    assert last_search(chapter, root=bad_root) == date(2027, 1, 15)
    assert last_search(other, root=bad_root) == before  # a chapter only sees its own searches
    assert last_search("no-such-chapter", root=bad_root) is None


@pytest.mark.parametrize("due,as_at,expected", [
    ("2026-06", date(2026, 6, 30), "open"),      # a month is due by its last day
    ("2026-06", date(2026, 7, 1), "overdue"),
    ("2027", date(2027, 12, 31), "open"),        # a year by 31 December
    ("2026-06-15", date(2026, 6, 16), "overdue"),
])
def test_an_open_watch_item_is_overdue_only_after_its_due_date(due, as_at, expected):
    assert watch_status({"status": "open", "due": due}, as_at) == expected


def test_a_resolved_watch_item_is_never_overdue():
    assert watch_status({"status": "happened", "due": "2020"}, date(2026, 1, 1)) == "happened"


def test_overdue_is_judged_at_the_last_search_not_the_clock(bad_root):
    watch = watchlist_frame(None, root=bad_root).set_index("watch_id")
    assert watch.loc["W-07", "state"] == "overdue"  # promised for spring 2026, not reported by the last search
    assert watch.loc["W-08", "state"] == "open"     # due in 2027
    set_cell(bad_root, "search_log.csv", 2, "date", "2026-05-01")
    for i in range(3, len(rows(bad_root / "data" / "search_log.csv")) + 1):
        set_cell(bad_root, "search_log.csv", i, "date", "2026-05-01")
    assert watchlist_frame(None, root=bad_root).set_index("watch_id").loc["W-07", "state"] == "open"


def test_compare_finds_added_changed_and_retired_items():
    before = pd.DataFrame([("claim", "A", "1", "high", "a"), ("claim", "B", "2", "low", "b"), ("finding", "F", "3", "low", "f")],
                          columns=["kind", "item_id", "fingerprint", "certainty", "text"])
    after = pd.DataFrame([("claim", "A", "1", "high", "a"), ("claim", "B", "9", "low", "b2"), ("claim", "C", "4", "low", "c")],
                         columns=["kind", "item_id", "fingerprint", "certainty", "text"])
    changes = compare(before, after, "1.0.0", "")
    assert changes.added["claim"] == ["C"] and changes.changed["claim"] == ["B"]
    assert changes.retired["finding"] == ["F"] and not changes.empty()


def test_fingerprint_ignores_wording_of_the_reason_but_not_the_evidence():
    row = {"statement": "s", "value": 1.0, "unit": "count", "as_of": "2026", "source_id": "x", "quote": "q",
           "certainty": "high", "certainty_reason": "one"}
    assert fingerprint("claim", row) == fingerprint("claim", {**row, "certainty_reason": "two"})
    assert fingerprint("claim", row) != fingerprint("claim", {**row, "certainty": "low"})
    assert fingerprint("claim", row) != fingerprint("claim", {**row, "value": 2.0})


def test_same_author_and_year_get_letters_in_date_order():
    sources = pd.DataFrame([
        {"source_id": "b", "author": "", "publisher": "Pulse", "date_published": "2026-03"},
        {"source_id": "a", "author": "", "publisher": "Pulse", "date_published": "2026-01-05"},
        {"source_id": "c", "author": "Eliza Parr", "publisher": "Pulse", "date_published": "2026-02"},
        {"source_id": "d", "author": "", "publisher": "BMA", "date_published": "2026"},
        {"source_id": "e", "author": "", "publisher": "Pulse", "date_published": None},
    ])
    labels = year_labels(sources)
    assert labels == {"a": "2026a", "b": "2026b", "c": "2026", "d": "2026", "e": "n.d."}


def test_label_author_matches_how_citations_show_people_and_bodies():
    assert label_author("", "NHS England") == "{NHS England}"
    assert label_author("Eliza Parr and Beth Gault", "Pulse") == "Parr and Gault"
    assert label_author("A One, B Two, C Three", "X") == "One et al."


def test_no_two_sources_share_an_in_text_label():
    sources = load("sources")
    labels = year_labels(sources)
    keys = [(label_author(r.get("author") or "", r["publisher"]), labels[r["source_id"]]) for r in sources.to_dict("records")]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("value,expected", [(108.695, "£110"), (5.18, "£5"), (1234.5, "£1,200"), (96.0, "£96")])
def test_money_about_keeps_only_the_precision_the_inputs_carry(value, expected):
    assert prose.money_about(value) == expected


def test_evaluation_forest_draws_effects_and_growth_apart_with_signs():
    ev = load("evaluations")
    ev["label"] = ev["evaluation_id"]
    fig, data = figures.evaluation_forest(ev)
    drawn = ev[ev["estimate"].notna()]
    assert len(data) == len(drawn) and len(fig.axes) == 2
    lower = data[data["direction"] == "lower"].iloc[0]
    assert lower["signed"] == -lower["estimate"] and lower["signed_low"] == -lower["high"]
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    labels = [t for t in texts if not t.endswith("%")]
    values = [t for t in texts if t.endswith("%")]
    assert set(labels) == set(drawn["evaluation_id"])  # every result with a figure is labelled, and only those
    assert sorted(values) == sorted(f"{v:+g}%" for v in data["signed"])  # each printed with its sign


def test_search_flow_reports_the_counts_it_is_given():
    counts = {"searches": 3, "found": 24, "repeats": 4, "screened": 20, "excluded": 15, "included": 5, "new": 2}
    fig, data = figures.search_flow(counts, {"off topic": 10, "unreliable host": 5}, carried_over=7, total=11)
    table = data.set_index("stage")["count"]
    assert table["records found"] == 24 and table["excluded: off topic"] == 10 and table["sources in the register"] == 11
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "Records screened: 20" in texts and "Excluded: 15" in texts and "4 added in this edition" in texts
