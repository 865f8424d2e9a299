"""What makes an author's rebuild (`make preview`) fast must not make it wrong: each saving is checked
against the result it replaces. None of these tests builds the book (see test_cache.py for that)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from pcevidence.site import bibcache, build, csspurge


@pytest.fixture(autouse=True)
def own_environment(monkeypatch, tmp_path):
    # build.build sets these for the Sphinx it starts; here they must not outlive the test.
    from pcevidence import paths

    monkeypatch.setenv(paths.ROOT_ENV, str(ROOT))
    monkeypatch.setenv(paths.DEPENDENCIES_ENV, str(tmp_path / "unused"))
    monkeypatch.delenv(paths.DEPENDENCIES_ENV)


def small_book(root: Path) -> Path:
    (root / "chapters").mkdir(parents=True)
    (root / "chapters" / "one.md").write_text("# One\n\nSome prose.\n", encoding="utf-8")
    (root / "_config.yml").write_text("title: A book\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: chapters/one\n", encoding="utf-8")
    return root


# -- nothing changed: no Sphinx at all ---------------------------------------------------------------

def test_inputs_fingerprint_follows_sources_and_ignores_outputs(tmp_path):
    root = small_book(tmp_path)
    before = build.inputs_fingerprint(root)
    (root / "_build" / "html").mkdir(parents=True)
    (root / "_build" / "html" / "index.html").write_text("<p>output</p>", encoding="utf-8")
    (root / "chapters" / "__pycache__").mkdir()
    (root / "chapters" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert build.inputs_fingerprint(root) == before, "outputs and caches are not inputs"
    (root / "chapters" / "one.md").write_text("# One\n\nSome edited prose.\n", encoding="utf-8")
    assert build.inputs_fingerprint(root) != before
    edited = build.inputs_fingerprint(root)
    (root / "chapters" / "one.md").rename(root / "chapters" / "two.md")
    assert build.inputs_fingerprint(root) != edited, "a renamed file is a change"


def _no_sphinx(*args, **kwargs):
    raise AssertionError("Sphinx was started")


def test_preview_with_nothing_changed_does_not_start_sphinx(tmp_path, monkeypatch, capsys):
    root = small_book(tmp_path)
    (root / "_build" / "html").mkdir(parents=True)
    (root / "_build" / "html" / "index.html").write_text("<p>built</p>", encoding="utf-8")
    (root / build.INPUTS_STAMP).write_text(build.inputs_fingerprint(root), encoding="utf-8")
    monkeypatch.setattr(build, "run_sphinx", _no_sphinx)
    monkeypatch.setattr(build, "sphinx_config", _no_sphinx)
    assert build.build(root, cache=True) == 0
    assert "Nothing changed" in capsys.readouterr().out


def test_preview_rebuilds_after_an_edit_and_a_strict_build_forgets_the_stamp(tmp_path, monkeypatch):
    root = small_book(tmp_path)
    (root / "_build" / "html").mkdir(parents=True)
    (root / "_build" / "html" / "index.html").write_text("<p>built</p>", encoding="utf-8")
    (root / build.INPUTS_STAMP).write_text(build.inputs_fingerprint(root), encoding="utf-8")
    (root / "chapters" / "one.md").write_text("# One\n\nNew words.\n", encoding="utf-8")
    started = []
    monkeypatch.setattr(build, "_prepare_cache", lambda r: r / "_build" / ".jupyter_cache")
    monkeypatch.setattr(build, "sphinx_config", lambda *a, **k: ({}, {}))
    monkeypatch.setattr(build, "run_sphinx", lambda *a, **k: started.append(k) or 0)
    monkeypatch.setattr(build.buildlog, "use_kernel", lambda r: None)
    assert build.build(root, cache=True) == 0
    assert len(started) == 1 and started[0]["fresh"] is False
    assert (root / build.INPUTS_STAMP).read_text(encoding="utf-8") == build.inputs_fingerprint(root)
    # A strict build starts Sphinx whatever the stamp says, and removes it: the pages it writes are its own.
    assert build.build(root, cache=False) == 0
    assert len(started) == 2 and started[1]["fresh"] is True
    assert not (root / build.INPUTS_STAMP).exists()
    assert not (root / "_build" / "html").exists(), "a strict build starts from an empty output folder"


def test_a_failed_preview_leaves_no_stamp(tmp_path, monkeypatch):
    root = small_book(tmp_path)
    (root / "_build" / "html").mkdir(parents=True)
    (root / "_build" / "html" / "index.html").write_text("<p>built</p>", encoding="utf-8")
    monkeypatch.setattr(build, "_prepare_cache", lambda r: r / "_build" / ".jupyter_cache")
    monkeypatch.setattr(build, "sphinx_config", lambda *a, **k: ({}, {}))
    monkeypatch.setattr(build, "run_sphinx", lambda *a, **k: 1)
    monkeypatch.setattr(build.buildlog, "use_kernel", lambda r: None)
    assert build.build(root, cache=True) == 1
    assert not (root / build.INPUTS_STAMP).exists(), "a failed build must not be taken for an up-to-date one"


# -- Sphinx's configuration, derived once --------------------------------------------------------------

def test_sphinx_config_is_reused_only_while_config_and_toc_are_unchanged(tmp_path, monkeypatch):
    import jupyter_book.config

    root = tmp_path
    (root / "_config.yml").write_text("title: First\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\n", encoding="utf-8")
    calls = []

    def derive(*, user_yaml, cli_config, sourcedir, use_external_toc):
        calls.append(user_yaml.read_text(encoding="utf-8"))
        return {"html_title": user_yaml.read_text(encoding="utf-8").split(": ")[1].strip(), **cli_config}, {"m": 1}

    monkeypatch.setattr(jupyter_book.config, "get_final_config", derive)
    first = build.sphinx_config(root, {"nb_execution_mode": "cache"}, reuse=True)
    assert first == ({"html_title": "First", "nb_execution_mode": "cache"}, {"m": 1})
    assert build.sphinx_config(root, {"nb_execution_mode": "cache"}, reuse=True) == first
    assert len(calls) == 1, "unchanged files: the kept configuration is used"
    (root / "_toc.yml").write_text("format: jb-book\nroot: other\n", encoding="utf-8")
    build.sphinx_config(root, {"nb_execution_mode": "cache"}, reuse=True)
    assert len(calls) == 2, "a changed table of contents derives the configuration again"
    (root / "_config.yml").write_text("title: Second\n", encoding="utf-8")
    assert build.sphinx_config(root, {"nb_execution_mode": "cache"}, reuse=True)[0]["html_title"] == "Second"
    build.sphinx_config(root, {"nb_execution_mode": "force"}, reuse=True)
    assert len(calls) == 4, "changed overrides derive it again"
    build.sphinx_config(root, {"nb_execution_mode": "force"}, reuse=False)
    assert len(calls) == 5, "the strict build always derives it"


def test_the_books_sphinx_config_survives_being_kept_as_json():
    fresh = build.sphinx_config(ROOT, {"latex_individualpages": False}, reuse=False)
    assert json.loads(json.dumps(fresh)) == list(fresh), "no tuple, set or path would come back changed"


# -- the stylesheet purge, kept -------------------------------------------------------------------------

CSS = ".used{color:red}.unused{color:blue}.also{margin:0}"


def _site(root: Path, page: str) -> Path:
    (root / "_static").mkdir(parents=True, exist_ok=True)
    (root / "_static" / "theme.css").write_text(CSS, encoding="utf-8")
    (root / "index.html").write_text(page, encoding="utf-8")
    return root


def test_kept_purge_gives_the_same_stylesheet_as_a_fresh_one(tmp_path):
    page = '<p class="used">Hello</p>'
    fresh = _site(tmp_path / "fresh", page)
    csspurge.purge_site(fresh)
    kept = tmp_path / "kept-results"
    for run in range(2):
        site = _site(tmp_path / f"run{run}", page)
        csspurge.purge_site(site, kept)
        assert (site / "_static/theme.css").read_text() == (fresh / "_static/theme.css").read_text() == ".used{color:red}"
    assert len(list(kept.glob("*.css"))) == 1


def test_kept_purge_ignores_new_prose_but_not_a_new_class(tmp_path, monkeypatch):
    kept = tmp_path / "kept-results"
    csspurge.purge_site(_site(tmp_path / "a", '<p class="used">Hello</p>'), kept)
    parsed = []
    original = csspurge.purge_stylesheet
    monkeypatch.setattr(csspurge, "purge_stylesheet", lambda *a, **k: parsed.append(1) or original(*a, **k))
    csspurge.purge_site(_site(tmp_path / "b", '<p class="used">Hello, a new word</p>'), kept)
    assert parsed == [], "words that no stylesheet names cannot change the purge"
    site = _site(tmp_path / "c", '<p class="used also">Hello</p>')
    csspurge.purge_site(site, kept)
    assert parsed == [1]
    assert (site / "_static/theme.css").read_text() == ".used{color:red}.also{margin:0}"
    assert len(list(kept.glob("*.css"))) == 1, "results no stylesheet asked for are dropped"


# -- bibliography entries, kept -------------------------------------------------------------------------

BIB = """@misc{a2026,
  author = {Agency, Example},
  title = {A report on practices},
  year = {2026},
  howpublished = {\\url{https://example.org/a}}
}
"""


def _format(text: str):
    from pybtex.database import parse_string
    from pybtex.plugin import find_plugin

    data = parse_string(text, "bibtex")
    style = find_plugin("pybtex.style.formatting", "plain")()
    return [e.text.render_as("text") for e in style.format_entries(data.entries.values())]


def test_kept_bibliography_entries_render_as_fresh_ones_and_follow_edits(tmp_path):
    fresh = _format(BIB)
    path = tmp_path / "entries.pickle"
    first = bibcache.FormattedEntries(path)
    first.install()
    try:
        assert _format(BIB) == fresh
    finally:
        first.uninstall()
    first.save()
    second = bibcache.FormattedEntries(path)
    second.install()
    try:
        assert _format(BIB) == fresh
        assert second.reused == 1
        edited = _format(BIB.replace("A report on practices", "A report on networks"))
        assert "A report on networks" in edited[0] and second.reused == 1, "an edited entry is formatted again"
    finally:
        second.uninstall()
    from pybtex.style.formatting import BaseStyle

    assert not hasattr(BaseStyle.format_entry, "__wrapped__"), "uninstall restores the formatter"


# -- start-up work the book does not need -------------------------------------------------------------

def test_opengraph_loads_without_matplotlib_when_social_cards_are_off():
    code = ("import sys; from pcevidence.site import build; build._opengraph_without_social_cards(); "
            "import sphinxext.opengraph as og; print(og.create_social_card is None, 'matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "True False", result.stdout


def test_bibliography_plugins_are_looked_up_once():
    code = ("from pcevidence.site import sphinxext; sphinxext._find_bibliography_plugins_once(); "
            "import pybtex.plugin as p; s = [p.find_plugin('pybtex.style.formatting', 'plain') for _ in range(5)]; "
            "print(s[0].__name__, p.entry_points.cache_info().misses)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["Style", "1"], result.stdout


def test_build_never_imports_the_iri_grammar():
    code = ("import sys; from pcevidence.site import build; build._same_imports_with_or_without_lab(); "
            "import jsonschema; print('rfc3987_syntax' in sys.modules and sys.modules['rfc3987_syntax'] is not None)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("module", ["pcevidence.data", "pcevidence.site.build", "pcevidence.site.sphinxext"])
def test_site_build_modules_do_not_load_pandas(module):
    code = f"import sys, {module}; print('pandas' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"


def test_charts_get_width_and_height_attributes_in_their_own_proportions(tmp_path):
    from pcevidence.site.sphinxext import size_charts

    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "a.svg").write_text('<svg width="300pt" height="450pt" viewBox="0 0 300 450"></svg>')
    (tmp_path / "chapters").mkdir()
    page = tmp_path / "chapters" / "one.html"
    html = '<img alt="A finding." src="../_images/a.svg" style="width: 340px;" />'
    assert size_charts(html, page) == '<img alt="A finding." src="../_images/a.svg" width="340" height="510" />'
    with pytest.raises(Exception, match="no SVG viewBox"):
        size_charts(html.replace("a.svg", "missing.svg"), page)
