"""Each CONTRIBUTING.md recipe, performed step by step on a copy of the repository."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from datetime import date

import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient

from conftest import ROOT, copy_book, run_build
from pcevidence.data import DataError, load
from pcevidence.site import bib
from pcevidence.site.check import check_findings
from pcevidence.site.release import release, versions
from pcevidence.site.scaffold import scaffold


def append_row(path, row: dict) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    out = io.StringIO()
    csv.DictWriter(out, fieldnames=header, lineterminator="\n").writerow({k: row.get(k, "") for k in header})
    with path.open("a", encoding="utf-8", newline="") as handle:
        handle.write(out.getvalue())


def run(root, *args):
    env = dict(os.environ, PCEVIDENCE_ROOT=str(root), PYTHONPATH=str(root))
    return subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True)


NEW_SOURCE = {"source_id": "example2026recipe", "title": "An example report", "author": "",
              "publisher": "NHS England", "date_published": "2026-05", "url": "https://www.england.nhs.uk/example",
              "date_accessed": "2026-11-22", "source_type": "official policy or guidance",
              "reliability_note": "Primary document from the commissioner.", "next_release": ""}


def test_recipe_1_add_a_source(tmp_path):
    root = copy_book(tmp_path / "book")
    append_row(root / "data" / "sources.csv", NEW_SOURCE)
    assert run(root, "-m", "pcevidence.site.validate").returncode == 1  # references.bib is now stale
    assert run(root, "-m", "pcevidence.site.bib").returncode == 0
    result = run(root, "-m", "pcevidence.site.validate")
    assert result.returncode == 0, result.stderr
    assert "@misc{example2026recipe," in (root / "references.bib").read_text(encoding="utf-8")
    assert bib.render(root) == (root / "references.bib").read_text(encoding="utf-8")


def test_recipe_2_add_a_claim(tmp_path):
    root = copy_book(tmp_path / "book")
    append_row(root / "data" / "sources.csv", NEW_SOURCE)
    claim = {"claim_id": "KM-999", "chapter": "kent-medway", "theme": "kent_variation",
             "statement": "An example claim in our own words.", "value": "92000", "unit": "patients",
             "as_of": "2026-06", "source_id": "example2026recipe", "quote": "around 92,000 patients",
             "evidence_type": "primary document", "certainty": "high", "certainty_reason": "Primary document."}
    append_row(root / "data" / "claims.csv", claim)
    claims = load("claims", root=root)
    assert claims.set_index("claim_id").loc["KM-999", "value"] == 92000
    append_row(root / "data" / "claims.csv", {**claim, "claim_id": "KM-998", "source_id": "nosuchsource"})
    with pytest.raises(DataError, match="row .*column 'source_id'"):
        load("claims", root=root)


def test_recipe_3_add_a_statistics_table(tmp_path):
    root = copy_book(tmp_path / "book")
    source_id = load("sources", root=root)["source_id"].iloc[0]
    (root / "data" / "example_stats.csv").write_text(
        f"financial_year,value,source_id\n2024/25,10.5,{source_id}\n2025/26,11.25,{source_id}\n", encoding="utf-8")
    package_path = root / "data" / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    template = next(r for r in package["resources"] if r["name"] == "contract_funding")
    package["resources"].append({
        **{k: v for k, v in template.items() if k not in ("schema", "hash")},
        "name": "example_stats", "path": "example_stats.csv", "title": "Example", "description": "Example table.",
        "schema": {"fields": [
            {"name": "financial_year", "type": "string", "description": "Year", "constraints": {"required": True}},
            {"name": "value", "type": "number", "description": "Value (GBP)", "constraints": {"required": True, "minimum": 0}},
            {"name": "source_id", "type": "string", "description": "Source", "constraints": {"required": True}}],
            "primaryKey": "financial_year", "missingValues": [""],
            "foreignKeys": [{"fields": "source_id", "reference": {"resource": "sources", "fields": "source_id"}}]}})
    package_path.write_text(json.dumps(package, indent=2), encoding="utf-8")
    assert list(load("example_stats", root=root)["value"]) == [10.5, 11.25]
    result = run(root, "-m", "pcevidence.site.validate")
    assert result.returncode == 0, result.stderr


def test_recipe_4_add_a_chart_to_a_chapter(tmp_path, monkeypatch):
    root = copy_book(tmp_path / "book")
    path = root / "chapters" / "contracting.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        'fig, ax = figures.columns_by_period(["a", "b"], [1, 2], value_labels=["1", "2"])\n'
        'ch.figure(fig, "recipe-chart", caption="An example chart.",\n'
        '          alt="The second example value is twice the first one.", source="Example publisher",\n'
        '          data=load("contract_funding"))'))
    nbformat.write(nb, path)
    monkeypatch.setenv("PCEVIDENCE_ROOT", str(root))
    monkeypatch.setenv("PCEVIDENCE_FIGURES", str(tmp_path / "figures"))
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    # The chart is saved with the recipe's values drawn as text, its source, and the data it was given.
    svg = (tmp_path / "figures" / "contracting" / "recipe-chart.svg").read_text(encoding="utf-8")
    assert "<dc:source>Example publisher</dc:source>" in svg
    centred = re.findall(r'<text style="[^"]*text-anchor: middle[^"]*"[^>]*>([^<]*)</text>', svg)
    assert sorted(centred) == ["1", "2", "a", "b"], centred  # the two periods, and each value above its column
    written = pd.read_csv(tmp_path / "figures" / "contracting" / "recipe-chart.csv")
    expected = load("contract_funding", root=root)
    assert len(written) == len(expected) and list(written.columns) == list(expected.columns)
    assert written["value"].tolist() == expected["value"].tolist()


@pytest.mark.build
def test_recipe_5_add_a_chapter_and_it_builds(tmp_path):
    root = copy_book(tmp_path / "book")
    target = scaffold("Workforce outlook", root=root)
    assert target.name == "workforce-outlook.ipynb"
    assert "chapters/workforce-outlook" in (root / "_toc.yml").read_text(encoding="utf-8")
    assert any("workforce-outlook" in p for p in check_findings(root))  # make check asks for findings
    result = run_build(root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    page = (root / "_build" / "html" / "chapters" / "workforce-outlook.html").read_text(encoding="utf-8")
    assert "What we do not know yet" in page and "What to watch" in page and 'class="pcr-figure' in page


def test_recipe_6_refresh_practice_data_from_a_new_release(tmp_path):
    root = copy_book(tmp_path / "book")
    raw = tmp_path / "shared" / "sources"
    (raw / "heec-gp-workforce").mkdir(parents=True)
    (raw / "pcadi-gp-access-2025-26").mkdir(parents=True)
    (raw / "icb-gp-registered-pop-16plus-2023").mkdir(parents=True)
    (raw / "heec-gp-workforce" / "workforce_year_2023-2025_icb_fte.csv").write_text(
        '"Practice.Code","Year","ICB_NAME","TOTAL_PATIENTS","TOTAL_GP_EXTGL_FTE","TOTAL_GP_EXTGL_HC"\n'
        '"A00001","2025","Kent and Medway",5000.5,3.2,4\n', encoding="utf-8")
    (raw / "pcadi-gp-access-2025-26" / "annual_practice_access_core.csv").write_text(
        "practice_code_standardised,mean_monthly_list_size,annual_patient_month_exposure,gpad_annual_total_appointments,"
        "gpad_annual_face_to_face,ocs_annual_total_submissions\nA00001,5000.0,60000.0,20000.0,12000.0,3000.0\n",
        encoding="utf-8")
    (raw / "icb-gp-registered-pop-16plus-2023" / "virtual_ward_statistics.csv").write_text(
        "date,region_code,icb_code,capacity,capacity_per_population,population\n2023-07-01,Y59,QKS,1,1,1600000\n",
        encoding="utf-8")
    result = run(root, "scripts/trim_practice_data.py", "practice")  # only this release's raw files are at hand
    assert result.returncode == 0, result.stderr
    assert load("practice_workforce", root=root)["registered_patients"].tolist() == [5000.5]
    assert load("practice_access_2025_26", root=root)["appointments"].tolist() == [20000]
    result = run(root, "-m", "pcevidence.site.validate")  # frictionless re-checks the recorded checksums
    assert result.returncode == 0, result.stderr


def test_recipe_7_cut_a_release(tmp_path):
    root = copy_book(tmp_path / "book")
    for name in ("CITATION.cff", "pyproject.toml"):
        (root / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    release("9.8.7", root=root, today=date(2026, 12, 1))
    assert set(versions(root).values()) == {"9.8.7"}
    assert "date-released: 2026-12-01" in (root / "CITATION.cff").read_text(encoding="utf-8")
    changelog = (root / "chapters" / "changelog.md").read_text(encoding="utf-8")
    assert "## Version 9.8.7 (2026-12-01)" in changelog
    # Entries written under "Unreleased" become the new version's entry, above the previous version.
    assert "## Unreleased" not in changelog
    assert changelog.index("## Version 9.8.7") < changelog.index("## Version 0.1.0")
    # The evidence as released is kept, so the next edition's What's new page compares against it.
    from pcevidence.data import tables
    from pcevidence.editions import edition_dates, unreleased_changes

    assert edition_dates(tables(root))[-1][0] == "9.8.7"
    assert unreleased_changes(tables(root)).empty()
    assert result_of_validate(root) == 0


def result_of_validate(root) -> int:
    return run(root, "-m", "pcevidence.site.validate").returncode


def test_release_without_unreleased_entries_adds_a_version_heading(tmp_path):
    root = copy_book(tmp_path / "book")
    changelog = root / "chapters" / "changelog.md"
    changelog.write_text("# Changelog\n\nIntro.\n\n## Version 0.1.0 (2026-11-22)\n\n- First.\n", encoding="utf-8")
    release("0.2.0", root=root, today=date(2026, 12, 1))
    text = changelog.read_text(encoding="utf-8")
    assert text.index("## Version 0.2.0 (2026-12-01)") < text.index("## Version 0.1.0")


def test_the_repository_records_one_version():
    assert len(set(versions(ROOT).values())) == 1, versions(ROOT)
