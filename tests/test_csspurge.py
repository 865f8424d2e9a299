"""Dropping unused style rules: only rules no page or script can match go; everything uncertain stays."""

import pytest

from pcevidence.site.csspurge import purge_site, purge_stylesheet, selector_may_match

TOKENS = {"used", "nav", "dark", "shown"}


@pytest.mark.parametrize("selector,expected", [
    (".used", True),
    (".unused", False),
    ("div.used > .nav", True),
    (".used .unused", False),
    (".used:not(.unused)", True),  # the :not() class need not exist for the selector to match
    ("html[data-theme=dark] .used", True),
    ("a[href$='.unused']", True),  # an attribute value is not a class
    (":is(.unused, .used)", True),  # not judged: kept
    (".sm\\:unused", True),  # escaped name: not judged, kept
    ("p", True),
    ("::selection", True),
])
def test_selector_judgement(selector, expected):
    assert selector_may_match(selector, TOKENS) is expected


def test_purge_keeps_matching_selectors_and_rules_it_cannot_judge():
    css = ("@charset \"utf-8\";.used,.unused{color:red}.unused{color:blue}"
           "@media (min-width: 10px){.unused{margin:0}.nav{margin:1px}}"
           "@media print{.unused{display:none}}"
           "@font-face{font-family:X;src:url(x.woff2)}@keyframes spin{from{opacity:0}to{opacity:1}}")
    out = purge_stylesheet(css, TOKENS)
    assert out.startswith('@charset "utf-8";')
    assert ".used{color:red}" in out
    assert "color:blue" not in out
    assert "@media (min-width: 10px){.nav{margin:1px}}" in out
    assert "@media print" not in out  # a grouping rule left empty is dropped whole
    assert "@font-face{font-family:X;src:url(x.woff2)}" in out
    assert "@keyframes spin" in out


def test_purge_refuses_a_stylesheet_it_cannot_parse():
    with pytest.raises(ValueError, match="theme.css: cannot parse"):
        purge_stylesheet(".used{color:red}}", TOKENS, "theme.css")


def test_purge_site_keeps_classes_used_only_by_scripts(tmp_path):
    (tmp_path / "_static").mkdir()
    (tmp_path / "index.html").write_text('<div class="used"></div>', encoding="utf-8")
    (tmp_path / "_static" / "app.js").write_text('el.classList.add("shown")', encoding="utf-8")
    (tmp_path / "_static" / "app.js.map").write_text('"neverused"', encoding="utf-8")
    css = tmp_path / "_static" / "site.css"
    css.write_text(".used{a:1}.shown{b:2}.neverused{c:3}", encoding="utf-8")
    sizes = purge_site(tmp_path)
    assert css.read_text(encoding="utf-8") == ".used{a:1}.shown{b:2}"
    before, after = sizes["_static/site.css"]
    assert after < before
