"""`make check` catches each kind of authoring mistake and names the file and the cell or line."""

import csv
import io

import nbformat

from conftest import copy_book, latest_access_date
from pcevidence.site import check


def edit_markdown(root, name, text):
    path = root / "chapters" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)
    return len(nb.cells)


def test_the_real_book_passes_every_check():
    from conftest import ROOT

    for label, run in check.CHECKS:
        assert run(ROOT) == [], label


def test_typed_figures_are_found_with_cell_and_line(tmp_path):
    root = copy_book(tmp_path / "book")
    cell = edit_markdown(root, "contracting", "Fine prose.\nThe deal was worth £10m and 98.3% voted; 12,590 were eligible.")
    problems = check.check_typed_figures(root)
    assert len(problems) == 1
    assert f"chapters/contracting.ipynb: cell {cell}, line 2" in problems[0]
    assert "£10m" in problems[0] and "98.3%" in problems[0] and "12,590" in problems[0]


def test_glued_figures_years_and_named_plans_are_not_flagged(tmp_path):
    root = copy_book(tmp_path / "book")
    edit_markdown(root, "contracting", "Since 2019 and in 2025/26 the 10 Year Health Plan said {glue:text}`gs_latest`.")
    assert check.check_typed_figures(root) == []


def test_acronym_before_expansion_is_found(tmp_path):
    root = copy_book(tmp_path / "book")
    cell = edit_markdown(root, "data-dictionary", "Each ICB decides.\n\nThe integrated care board ({term}`ICB`) again.")
    problems = [p for p in check.check_acronyms(root) if "'ICB'" in p]
    assert problems and "chapters/data-dictionary.ipynb" in problems[0] and f"cell {cell}, line 1" in problems[0]


def test_acronym_expanded_at_first_use_passes(tmp_path):
    root = copy_book(tmp_path / "book")
    edit_markdown(root, "data-dictionary", "Each integrated care board ({term}`ICB`) decides.")
    assert not [p for p in check.check_acronyms(root) if "'ICB'" in p and "data-dictionary" in p]


def test_notebook_with_outputs_is_found(tmp_path):
    root = copy_book(tmp_path / "book")
    path = root / "chapters" / "contracting.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.execution_count = 3
    nbformat.write(nb, path)
    assert any("chapters/contracting.ipynb: cell" in p for p in check.check_stripped(root))


def test_lint_error_in_a_notebook_is_found(tmp_path):
    root = copy_book(tmp_path / "book")
    path = root / "chapters" / "contracting.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os\nx = undefined_name"))
    nbformat.write(nb, path)
    problems = check.check_lint(root)
    assert any("contracting.ipynb" in p and "F821" in p for p in problems), problems


def test_bad_data_is_found(tmp_path):
    root = copy_book(tmp_path / "book")
    path = root / "data" / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace('"high"', '"certain"').replace(",high,", ",certain,", 1),
                    encoding="utf-8")
    problems = check.check_data(root)
    assert problems and "data/claims.csv, row" in problems[0] and "column 'certainty'" in problems[0]


def test_stale_statistics_source_warns_but_does_not_fail(tmp_path, monkeypatch):
    monkeypatch.setenv("PCEVIDENCE_TODAY", latest_access_date())
    root = copy_book(tmp_path / "book")
    path = root / "data" / "sources.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[1][rows[0].index("next_release")] = "2026-01-15"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    warnings = check.freshness_warnings(root)
    assert len(warnings) == 1 and "row 2" in warnings[0] and "2026-01-15" in warnings[0]
    assert check.check_data(root) == []


def test_glued_claim_without_its_citation_is_found(tmp_path):
    root = copy_book(tmp_path / "book")
    path = root / "chapters" / "contracting.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell('ch.glue_claim("pcn_count_again", "PCN-066")'))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = cell.source.replace("bjgp2020pcnvariability", "hsj2019pcns1259")
    nbformat.write(nb, path)
    problems = check.check_claims_cited(root)
    assert any("PCN-066" in p and "bjgp2020pcnvariability" in p for p in problems), problems
