"""The author's cached rebuild (`make preview`) cannot go stale: a data change re-executes the
notebooks, a prose-only edit re-executes nothing (its outputs come from the cache)."""

import filecmp
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import copy_book, record_revision, run_build
from pcevidence.site.buildlog import EXECUTED

pytestmark = pytest.mark.xdist_group("build")


def executed(result) -> set[str]:
    return {Path(path).stem for path, _ in EXECUTED.findall(result.stdout)}


def differing_files(one: Path, other: Path) -> list[str]:
    """Files that are not byte-identical (or exist on one side only) between two built sites. `.buildinfo`
    records the configuration's hash, which an author's rebuild changes by its execution settings."""
    names = {p.relative_to(one) for p in one.rglob("*") if p.is_file()} | {p.relative_to(other) for p in other.rglob("*") if p.is_file()}
    return sorted(str(n) for n in names if n.name != ".buildinfo"
                  and not ((one / n).is_file() and (other / n).is_file() and filecmp.cmp(one / n, other / n, shallow=False)))


@pytest.mark.build
def test_cached_rebuild_follows_data_and_prose_edits(tmp_path, built_book):
    root = copy_book(tmp_path / "book")
    first = run_build(root, "--cache")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "contracting" in executed(first)

    # 0. Nothing changed: the preview says so and does not start Sphinx.
    again = run_build(root, "--cache")
    assert again.returncode == 0 and "Nothing changed" in again.stdout, again.stdout[-2000:]
    # With its pages gone, a preview writes every page again from what it keeps between runs (the derived
    # configuration, Sphinx's environment, executed outputs, formatted bibliography entries, purged stylesheets,
    # the footer): byte for byte the pages of the strict build.
    shutil.rmtree(root / "_build" / "html")
    rewritten = run_build(root, "--cache")
    assert rewritten.returncode == 0, rewritten.stderr[-3000:]
    assert executed(rewritten) == set()
    assert differing_files(root / "_build" / "html", built_book["html"]) == []

    # 1. A prose-only edit re-executes only the edited notebook.
    path = root / "chapters" / "contracting.ipynb"
    nb = nbformat.read(path, as_version=4)
    md = next(c for c in nb.cells if c.cell_type == "markdown")
    md.source += "\n\nAn extra sentence of prose."
    nbformat.write(nb, path)
    second = run_build(root, "--cache")
    assert second.returncode == 0, second.stderr[-3000:]
    assert executed(second) == set(), "markdown-only edits need no execution (jupyter-cache keys on code)"
    assert "An extra sentence of prose." in (root / "_build/html/chapters/contracting.html").read_text(encoding="utf-8")

    # 1b. An edited bibliography entry is formatted again (formatted entries are kept between previews).
    bib = root / "references.bib"
    old_title = "NHSE new models of care vanguard announcement"
    bib.write_text(bib.read_text(encoding="utf-8").replace(old_title, "Vanguard announcement, edited title"),
                   encoding="utf-8")
    edited = run_build(root, "--cache")
    assert edited.returncode == 0, edited.stderr[-3000:]
    page = (root / "_build/html/chapters/bibliography.html").read_text(encoding="utf-8")
    assert "Vanguard announcement, edited title" in page and old_title not in page

    # 2. A changed data value re-executes, and the chart's data and the glued number change.
    funding = root / "data" / "contract_funding.csv"
    text = funding.read_text(encoding="utf-8")
    assert ",121.79," in text
    funding.write_text(text.replace(",121.79,", ",131.79,"), encoding="utf-8")
    claims = root / "data" / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace('"121.79"', '"131.79"').replace(",121.79,", ",131.79,"),
                      encoding="utf-8")
    record_revision(root, "claim", "PCN-006", "corrected")
    third = run_build(root, "--cache")
    assert third.returncode == 0, third.stderr[-3000:]
    assert "contracting" in executed(third)
    page = (root / "_build/html/chapters/contracting.html").read_text(encoding="utf-8")
    assert "£131.79" in page and "£121.79" not in page
    chart_csv = next((root / "_build/html/_downloads").rglob("global-sum.csv")).read_text(encoding="utf-8")
    assert "131.79" in chart_csv and "121.79" not in chart_csv


def test_fresh_cache_database_is_created_before_parallel_workers_start(tmp_path, monkeypatch):
    # Two Sphinx workers reading in parallel both tried to create the database of a fresh cache, and one
    # failed with "table nbcache already exists"; the build now creates it first, in one process.
    from pcevidence.site.build import _prepare_cache

    root = copy_book(tmp_path / "book")
    monkeypatch.setenv("PCEVIDENCE_ROOT", str(root))
    monkeypatch.setenv("PCEVIDENCE_FIGURES", str(root / "_build" / "figures"))
    cache = _prepare_cache(root)
    assert (cache / "global.db").is_file()
    assert _prepare_cache(root) == cache  # a second call keeps the same, usable cache
