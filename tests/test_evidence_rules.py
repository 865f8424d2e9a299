"""The second edition's evidence rules: one owner per fact, the search log, evaluations, what is not
known, what to watch, and why items changed between editions. Each test corrupts a copy of the data.
"""

from __future__ import annotations

import pytest

from conftest import latest_access_date
from pcevidence.data import DataError, load
from pcevidence.rules import numbers_in
from test_data_loader import expect, rows, set_cell, write_rows


def row_of(root, table: str, column: str, value: str) -> int:
    """The row number (header is row 1) of the first row whose ``column`` is ``value``."""
    data = rows(root / "data" / table)
    index = data[0].index(column)
    return next(i for i, r in enumerate(data[1:], start=2) if r[index] == value)


# -- one owner per fact ----------------------------------------------------------------------------

def test_numbers_are_read_from_quotes_as_a_reader_would():
    found = numbers_in("budget jumped by 71% from £8.8m in 2023/24 to £15.1m; the eighth of 44, three sites, "
                       "about 3 million people (95% CI:-0.3–7.2%)")
    for value in (71, 8.8, 8_800_000, 15_100_000, 8, 44, 3, 3_000_000, -0.3, 7.2):
        assert value in found, value
    assert 9 not in found  # nothing invented


def test_statistics_table_that_disagrees_with_its_claim_stops_validation(bad_root):
    row = row_of(bad_root, "nnhip.csv", "claim_id", "NBX-007")
    set_cell(bad_root, "nnhip.csv", row, "value", "44")
    err = expect(bad_root, "nnhip", file="data/nnhip.csv", row=row, column="value", words="NBX-007 has 43")
    assert err.rule == "one owner per fact" and err.value == "44"


def test_a_figure_stated_only_by_another_claim_needs_that_claim_named(bad_root):
    # The 2024 ballot row's 98.3% yes share is stated by CAX-003, not by its main claim CAX-001.
    row = row_of(bad_root, "ballots.csv", "claim_id", "CAX-001")
    assert load("ballots", root=bad_root) is not None  # agrees as committed
    set_cell(bad_root, "ballots.csv", row, "other_claim_ids", "")
    err = expect(bad_root, "ballots", file="data/ballots.csv", row=row, column="yes_share_pct", words="CAX-001 has 67.7")
    assert "98.3" in str(err)


def test_a_changed_claim_value_is_caught_in_every_table_that_repeats_it(bad_root):
    # Change the owner (the claim) and the view (the statistics table) no longer agrees.
    claims = rows(bad_root / "data" / "claims.csv")
    header = claims[0]
    row = next(i for i, r in enumerate(claims[1:], start=2) if r[0] == "PCN-131")
    set_cell(bad_root, "claims.csv", row, "value", "131.07")
    set_cell(bad_root, "claims.csv", row, "quote", "the global sum rose from £123.34 to £131.07 from 1 April")
    assert "quote" in header
    expect(bad_root, "contract_funding", file="data/contract_funding.csv",
           row=row_of(bad_root, "contract_funding.csv", "claim_id", "PCN-131"), column="value", words="PCN-131 has 131.07")


# -- the search log ----------------------------------------------------------------------------------

def test_search_log_rejects_an_unknown_source(bad_root):
    data = rows(bad_root / "data" / "search_log.csv")
    column = data[0].index("source_ids")
    row = next(i for i, r in enumerate(data[1:], start=2) if r[column])
    ids = data[row - 1][column].split()
    set_cell(bad_root, "search_log.csv", row, "source_ids", " ".join(["nosuchsource2099"] + ids[1:]))
    err = expect(bad_root, "search_log", file="data/search_log.csv", row=row, column="source_ids", words="not a source_id")
    assert err.value == "nosuchsource2099"


def test_search_log_rejects_a_date_in_the_future(bad_root, monkeypatch):
    monkeypatch.setenv("PCEVIDENCE_TODAY", latest_access_date())
    set_cell(bad_root, "search_log.csv", 3, "date", "2031-01-01")
    expect(bad_root, "search_log", file="data/search_log.csv", row=3, column="date", words="in the future")


def test_search_log_rejects_more_included_than_screened(bad_root):
    data = rows(bad_root / "data" / "search_log.csv")
    screened = int(data[1][data[0].index("screened")])
    set_cell(bad_root, "search_log.csv", 2, "included", str(screened + 1))
    err = expect(bad_root, "search_log", file="data/search_log.csv", row=2, column="included",
                 words=f"included ({screened + 1}) is more than screened ({screened})")
    assert err.rule == "search counts"


def test_search_log_rejects_exclusions_that_do_not_add_up(bad_root):
    set_cell(bad_root, "search_log.csv", 2, "exclusion_reasons", "off topic: 999")
    expect(bad_root, "search_log", file="data/search_log.csv", row=2, column="exclusion_reasons",
           words="the reasons count 999")


def test_search_log_rejects_an_unknown_exclusion_reason(bad_root):
    set_cell(bad_root, "search_log.csv", 2, "exclusion_reasons", "boring: 1")
    expect(bad_root, "search_log", file="data/search_log.csv", row=2, column="exclusion_reasons",
           words="not one of the exclusion reasons")


# -- evaluations -------------------------------------------------------------------------------------

def _interval_row(root) -> int:
    return row_of(root, "evaluations.csv", "interval", "95% confidence interval")


def test_evaluation_estimate_outside_its_own_interval_stops_validation(bad_root):
    row = _interval_row(bad_root)
    data = rows(bad_root / "data" / "evaluations.csv")
    high = data[row - 1][data[0].index("high")]
    set_cell(bad_root, "evaluations.csv", row, "estimate", str(float(high) + 10))
    err = expect(bad_root, "evaluations", file="data/evaluations.csv", row=row, column="estimate",
                 words="outside its own interval")
    assert err.rule == "evaluation interval"


def test_evaluation_with_an_unknown_design_label_stops_validation(bad_root):
    set_cell(bad_root, "evaluations.csv", 2, "design", "randomised vibes")
    expect(bad_root, "evaluations", file="data/evaluations.csv", row=2, column="design",
           words="not one of the allowed values")


def test_evaluation_with_a_source_not_in_the_register_stops_validation(bad_root):
    set_cell(bad_root, "evaluations.csv", 2, "source_id", "nosuchsource2099")
    expect(bad_root, "evaluations", file="data/evaluations.csv", row=2, column="source_id", words="not a known source_id")


def test_evaluation_interval_without_bounds_stops_validation(bad_root):
    row = _interval_row(bad_root)
    set_cell(bad_root, "evaluations.csv", row, "low", "")
    expect(bad_root, "evaluations", file="data/evaluations.csv", row=row, column="low", words="lacks a bound")


# -- what is not known, what to watch, at a glance ---------------------------------------------------

def test_an_unknown_must_name_a_real_search(bad_root):
    set_cell(bad_root, "unknowns.csv", 2, "search_ids", "SL-999")
    expect(bad_root, "unknowns", file="data/unknowns.csv", row=2, column="search_ids", words="not a search_id")


def test_a_resolved_watch_item_needs_its_outcome_and_evidence(bad_root):
    set_cell(bad_root, "watchlist.csv", 2, "status", "happened")
    set_cell(bad_root, "watchlist.csv", 2, "outcome", "")
    expect(bad_root, "watchlist", file="data/watchlist.csv", row=2, column="outcome", words="lacks the outcome")


def test_at_a_glance_item_that_is_not_known_needs_a_search(bad_root):
    row = row_of(bad_root, "at_a_glance.csv", "status", "not known")
    set_cell(bad_root, "at_a_glance.csv", row, "search_ids", "")
    expect(bad_root, "at_a_glance", file="data/at_a_glance.csv", row=row, column="search_ids",
           words="names no search")


# -- editions and revisions --------------------------------------------------------------------------

def test_a_corrected_claim_without_a_reason_stops_validation(bad_root):
    # A claim that existed in the previous edition is changed, with no reason recorded.
    snapshot = load("editions", root=bad_root)
    first = snapshot[snapshot["kind"] == "claim"]["item_id"].iloc[0]
    row = row_of(bad_root, "claims.csv", "claim_id", first)
    set_cell(bad_root, "claims.csv", row, "certainty", "very low")
    expect(bad_root, "revisions", file="data/revisions.csv", row=None, column=None,
           words=f"no reason for claim {first}, corrected")


def test_a_retired_finding_without_a_reason_stops_validation(bad_root):
    path = bad_root / "data" / "findings.csv"
    data = rows(path)
    retired = data[1][0]
    write_rows(path, [data[0]] + data[2:])
    expect(bad_root, "revisions", file="data/revisions.csv", row=None, column=None,
           words=f"no reason for finding {retired}, retired")


def test_a_reason_for_a_change_that_did_not_happen_is_refused(bad_root):
    from pcevidence.data import tables
    from pcevidence.editions import edition_dates

    latest = edition_dates(tables(bad_root))[-1][0]
    path = bad_root / "data" / "revisions.csv"
    path.write_text(path.read_text(encoding="utf-8") + f"{latest},claim,PCN-001,corrected,No such correction.\n",
                    encoding="utf-8")
    expect(bad_root, "revisions", file="data/revisions.csv", row=None, column="item_id", words="but it is not corrected")


def test_every_change_between_editions_has_its_reason():
    """Each claim corrected and finding changed between consecutive released editions has a reason in
    data/revisions.csv, and the second edition adds claims and findings to the first."""
    from pcevidence.data import tables
    from pcevidence.editions import history

    revisions = load("revisions")
    steps = history(tables())
    assert steps, "at least two editions are recorded"
    for changes in steps:
        explained = set(zip(revisions.loc[revisions["since"] == changes.since, "kind"],
                            revisions.loc[revisions["since"] == changes.since, "item_id"], strict=True))
        for kind in ("claim", "finding"):
            for item in changes.changed[kind]:
                assert (kind, item) in explained, (changes.since, kind, item)
    second = next(c for c in steps if c.since == "1.0.0")
    assert second.added["claim"] and second.added["finding"]


def test_claims_register_has_no_duplicate_quote_for_different_sources():
    claims = load("claims")
    dupes = claims[claims.duplicated(["quote"], keep=False)]
    # the same quote may back several claims, but only from the same source
    assert (dupes.groupby("quote")["source_id"].nunique() <= 1).all()


def test_recutting_an_edition_replaces_its_snapshot_and_checks_reasons_against_the_previous_one(bad_root):
    from datetime import date

    from pcevidence.data import tables
    from pcevidence.editions import edition_dates, unreleased_changes
    from pcevidence.site.release import snapshot_edition

    latest = edition_dates(tables(bad_root))[-1][0]
    before = len(load("editions", root=bad_root))
    row = row_of(bad_root, "claims.csv", "claim_id", "PCN-001")
    set_cell(bad_root, "claims.csv", row, "statement", "A corrected statement.")
    # no reason yet: the re-cut refuses and leaves the snapshots as they were
    with pytest.raises(DataError):
        snapshot_edition(latest, date(2026, 11, 30), bad_root)
    assert len(load("editions", root=bad_root)) == before
    previous = edition_dates(tables(bad_root))[-2][0]
    path = bad_root / "data" / "revisions.csv"
    path.write_text(path.read_text(encoding="utf-8") + f"{previous},claim,PCN-001,corrected,A test correction.\n",
                    encoding="utf-8")
    snapshot_edition(latest, date(2026, 11, 30), bad_root)
    assert len(load("editions", root=bad_root)) == before  # replaced, not appended twice
    assert unreleased_changes(tables(bad_root)).empty()
