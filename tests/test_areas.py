"""The area comparisons: boards, practices, coverage and the checks that stop bad input."""

from __future__ import annotations

import csv
import importlib.util
import io
import zipfile

import numpy as np
import pytest

from conftest import ROOT
from pcevidence import areas
from pcevidence.data import DataError, load
from pcevidence.site.sphinxext import label_tables


def test_there_are_36_boards_and_every_practice_has_one():
    boards = areas.boards()
    assert len(boards) == 36 and boards["slug"].is_unique
    mapping = load("practice_map_2026_07")
    assert set(mapping["icb_code"]) <= set(boards["icb_code"])


def test_a_board_name_that_matches_no_board_stops_with_the_file():
    assert areas.board_code("Kent and Medway") == areas.board_code("kent-and-medway")
    with pytest.raises(DataError, match=r"icb_boards_2026.csv.*no board is called 'Kent & Medway'"):
        areas.board_code("Kent & Medway")


def test_board_table_has_every_board_and_england_with_consistent_totals():
    table = areas.board_table()
    boards = table[table["board"] != areas.ENGLAND]
    england = table[table["board"] == areas.ENGLAND].iloc[0]
    assert len(boards) == 36
    assert boards["practices"].sum() == england["practices"] == len(load("practice_map_2026_07"))
    assert boards["registered_patients"].sum() == pytest.approx(england["registered_patients"])
    # The England survey figure reproduces the published 2026 national figure (76.7% good), to within rounding.
    assert england["gpps_overall_good"] == pytest.approx(76.7, abs=0.2)


def test_missing_values_stay_missing_never_zero():
    practices = areas.practices()
    survey = load("gpps_2026_practice").set_index("practice_code")
    suppressed = survey[survey["overall_good_pct"].isna()].index.intersection(practices["practice_code"])
    assert len(suppressed) > 0
    rows = practices.set_index("practice_code").loc[suppressed]
    assert rows["gpps_overall_good"].isna().all()
    no_access = practices[~practices["practice_code"].isin(load("practice_access_2025_26")["practice_code"])]
    assert len(no_access) > 0 and no_access["appointments_per_1000"].isna().all()


def test_coverage_counts_practices_in_one_table_and_not_another():
    coverage = areas.coverage().set_index("resource")
    mapping = set(load("practice_map_2026_07")["practice_code"])
    access = set(load("practice_access_2025_26")["practice_code"])
    assert coverage.loc["practice_access_2025_26", "mapping_practices_missing"] == len(mapping - access)
    assert coverage.loc["practice_access_2025_26", "table_practices_not_in_mapping"] == len(access - mapping)
    km = areas.coverage(areas.board_code("Kent and Medway")).set_index("resource")
    assert np.isnan(km.loc["practice_imd_2025", "table_practices_not_in_mapping"])


def test_old_boards_map_onto_new_ones_and_every_practice_is_counted_once():
    old = areas.old_boards()
    assert old["old_board"].nunique() == 42
    workforce = load("practice_workforce")
    latest = workforce[workforce["fiscal_year"] == workforce["fiscal_year"].max()].dropna(subset=["icb_name"])
    assert old["practices"].sum() == len(latest)
    assert set(old.loc[old["old_board"] == "Mid and South Essex", "board"]) == {"Essex", areas.CLOSED}


def test_nearest_boards_follow_the_stated_rule():
    table = areas.board_table()
    nearest = areas.nearest_boards(table, "Kent and Medway")
    assert len(nearest) == 3 and "Kent and Medway" not in set(nearest["board"])
    assert list(nearest["distance"]) == sorted(nearest["distance"])


def _rewrite(path, change):
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    change(rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_malformed_practice_code_stops_with_file_and_row(bad_root):
    def change(rows):
        rows[5][0] = "A8100"
    _rewrite(bad_root / "data" / "practice_map_2026_07.csv", change)
    with pytest.raises(DataError, match=r"practice_map_2026_07.csv, row 6, column 'practice_code'.*pattern"):
        load("practice_map_2026_07", root=bad_root)


def test_a_malformed_network_code_stops_with_file_and_row(bad_root):
    def change(rows):
        rows[3][0] = "X12345"
    _rewrite(bad_root / "data" / "pcn_workforce_2026_06.csv", change)
    with pytest.raises(DataError, match=r"pcn_workforce_2026_06.csv, row 4, column 'pcn_code'"):
        load("pcn_workforce_2026_06", root=bad_root)


def test_a_board_code_that_matches_no_board_stops_with_file_and_row(bad_root):
    def change(rows):
        rows[7][rows[0].index("icb_code")] = "QXX"
    _rewrite(bad_root / "data" / "practice_map_2026_07.csv", change)
    with pytest.raises(DataError, match=r"practice_map_2026_07.csv, row 8, column 'icb_code'.*foreign key"):
        load("practice_map_2026_07", root=bad_root)


def _trim_module():
    spec = importlib.util.spec_from_file_location("trim", ROOT / "scripts" / "trim_practice_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_trim_script_stops_on_a_mapping_file_with_a_changed_layout(tmp_path):
    trim = _trim_module()
    zipped = tmp_path / "gp-reg-pat-prac-map.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("map.csv", "PRACTICE_CODE,PRACTICE_NAME,NETWORK\nA81001,X,U1\n")
    with pytest.raises(trim.LayoutError, match=r"gp-reg-pat-prac-map.zip, row 1: the header lacks column\(s\) "):
        trim.read_csv(zipped, ["PRACTICE_CODE", "PCN_CODE"])


def test_trim_script_stops_on_a_malformed_code_with_file_and_row(tmp_path):
    trim = _trim_module()
    with pytest.raises(trim.LayoutError, match=r"x.csv, row 4: practice code 'A8100' is malformed"):
        trim.check_code(tmp_path / "x.csv", 4, "A8100", trim.PRACTICE_CODE, "practice code")


def test_generated_tables_are_labelled_to_stack_on_a_phone():
    table = ('<table class="table">\n<thead>\n<tr><th class="head"><p>Who</p></th><th class="head"><p>What</p></th>'
             '<th class="head"><p>When</p></th></tr>\n</thead>\n<tbody>\n<tr><td><p>a</p></td><td><p>b</p></td>'
             '<td><p>c</p></td></tr>\n</tbody>\n</table>')
    out = label_tables(table)
    assert 'class="table pcr-stack"' in out
    assert '<td data-label="Who"><p>a</p></td><td data-label="What">' in out and '<td data-label="When">' in out
    two = table.replace('<th class="head"><p>When</p></th>', "").replace("<td><p>c</p></td>", "")
    assert label_tables(two) == two
