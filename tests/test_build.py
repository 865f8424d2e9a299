"""The book builds strictly, offline, without touching tracked files, and its HTML holds together."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pandas as pd
import pytest
import yaml
from nbclient import NotebookClient

from conftest import ROOT, copy_book, record_revision, run_build
from pcevidence.site.buildlog import EXECUTED

# Every test here reads the built book or builds a copy of it.
pytestmark = [pytest.mark.xdist_group("build"), pytest.mark.build]


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag.attr, url)
        self.images: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "name" in a:
            self.ids.add(a["name"])
        for attr in ("src", "href", "data", "srcset", "poster"):
            if attr in a and a[attr] is not None:
                self.links.append((f"{tag}.{attr}", a[attr]))
        if tag == "img":
            self.images.append(a)


def pages(html: Path) -> dict[Path, Page]:
    parsed = {}
    for path in html.rglob("*.html"):
        if "_static" in path.relative_to(html).parts:
            continue  # theme template fragments, not pages
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        parsed[path] = page
    return parsed


@pytest.fixture(scope="module")
def site(built_book):
    return pages(built_book["html"])


def test_build_succeeds_with_warnings_as_errors(built_book):
    assert "Book built" in built_book["result"].stdout


KERNEL_NOTICE = "Kernel is running over TCP without encryption"


def test_build_log_holds_progress_and_problems_only(built_book):
    """A clean build prints a line per chapter executed, with its time, and the total: no Sphinx chatter, and no
    kernel-transport notice (the build's kernel logs at ERROR). Problems go to stderr (tested with a failing cell
    below)."""
    result = built_book["result"]
    executed = {path for path, _ in EXECUTED.findall(result.stdout)}
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert executed == {f"{f}.ipynb" for f in files if (ROOT / f"{f}.ipynb").exists()}
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    others = [line for line in lines if not EXECUTED.match(line)]
    assert len(others) == 1 and re.match(r"Book built in [\d.]+ s\. Open: ", others[0]), others[:20]
    assert KERNEL_NOTICE not in result.stdout + result.stderr and "[IPKernelApp]" not in result.stderr


def test_build_leaves_tracked_files_unchanged(built_book):
    if built_book["before"] is None:
        pytest.skip("not a git checkout")  # pragma: no cover - CI always runs in a clone
    assert built_book["after"] == built_book["before"]


def test_every_image_has_alt_text(site):
    images = [(p, img) for p, page in site.items() for img in page.images]
    assert images, "the book should have images"
    for path, img in images:
        assert (img.get("alt") or "").strip(), f"{path.name}: <img src={img.get('src')}> has no alt text"


def test_every_chart_reserves_its_space_before_it_loads(site):
    # Width and height as attributes let the browser lay the page out before the SVG arrives (no text jumping
    # down as charts load); the proportions must be the chart's own, or it would be drawn squashed.
    import re

    charts = [(p, img) for p, page in site.items() for img in page.images if img.get("src", "").endswith(".svg")
              and "_images/" in img.get("src", "")]
    assert len(charts) >= 10
    for path, img in charts:
        assert img.get("width") and img.get("height") and not img.get("style"), f"{path.name}: {img}"
        svg = (path.parent / img["src"]).read_text(encoding="utf-8")[:2000]
        w, h = map(float, re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups())
        assert abs(int(img["height"]) / int(img["width"]) - h / w) < 0.01, f"{path.name}: {img['src']} is not in proportion"


def test_nothing_loads_from_another_origin(site):
    for path, page in site.items():
        for where, url in page.links:
            if where in ("a.href",):
                continue  # links a reader may follow are fine; loaded resources are not
            assert not re.match(r"^(https?:)?//", url), f"{path.name}: {where}={url} loads from another origin"


def test_internal_links_and_anchors_resolve(site, built_book):
    html = built_book["html"]
    ids = {path.resolve(): page.ids for path, page in site.items()}
    for path, page in site.items():
        for where, url in page.links:
            parts = urlsplit(url)
            if parts.scheme or url.startswith(("//", "mailto:", "javascript:", "data:")) or where == "img.srcset":
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path.resolve()
            if parts.path.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{path.relative_to(html)}: {where}={url} points at a missing file"
            if parts.fragment and target.suffix == ".html" and target in ids:
                assert parts.fragment in ids[target], f"{path.relative_to(html)}: anchor #{parts.fragment} missing in {target.name}"


def test_every_chart_has_caption_source_and_its_data(built_book):
    html = built_book["html"]
    figures = 0
    for path in html.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r'<figure class="pcr-figure[^"]*" id="figure-[^"]+".*?</figure>', text, flags=re.S):
            figures += 1
            # numbered by Sphinx (chapters 1.1, 2.3 ...; unnumbered pages 1, 2 ...), never by hand
            assert re.search(r'class="caption-number">Figure [0-9.]+ ', block), block[:300]
            assert 'class="pcr-source">Source: ' in block
            csv_href = re.search(r'class="reference download internal" download="" href="([^"]+\.csv)"', block).group(1)
            svg_href = re.search(r'<img alt="[^"]*" src="([^"]+\.svg)"', block).group(1)
            data = pd.read_csv(path.parent / csv_href)
            assert len(data) > 0
            svg = (path.parent / svg_href).read_text(encoding="utf-8")
            assert "<text" in svg and "<dc:source>" in svg
    assert figures >= 2


def test_glued_numbers_reach_the_page(built_book):
    index = (built_book["html"] / "chapters" / "index.html").read_text(encoding="utf-8")
    claims = pd.read_csv(ROOT / "data" / "claims.csv")
    assert re.search(rf'rests on <span class="pasted-text">{len(claims)}</span> claims', index)


def test_svg_bytes_are_identical_between_builds(built_book, tmp_path, monkeypatch):
    """Re-execute a chapter outside the build: its charts must match the built ones byte for byte."""
    monkeypatch.setenv("PCEVIDENCE_FIGURES", str(tmp_path))
    path = ROOT / "chapters" / "index.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    fresh = sorted(tmp_path.rglob("*.svg"))
    assert fresh
    for svg in fresh:
        built = ROOT / "_build" / "figures" / svg.relative_to(tmp_path)  # what Sphinx copied into the site
        assert built.read_bytes() == svg.read_bytes(), f"{svg.name} differs between two executions"
        assert (built_book["html"] / "_images" / svg.name).read_bytes() == svg.read_bytes()


def test_a_raising_cell_fails_the_build_and_names_the_chapter(tmp_path):
    root = copy_book(tmp_path / "book")
    target = root / "chapters" / "contracting.ipynb"
    nb = nbformat.read(target, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell('raise RuntimeError("injected failure for the test")'))
    nbformat.write(nb, target)
    result = run_build(root)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "chapters/contracting" in output
    assert "RuntimeError" in output and "injected failure for the test" in output
    assert "Traceback" in output or "----> " in output
    assert KERNEL_NOTICE not in output  # quiet kernels, and the real problem still reported in full


def test_text_from_csv_cells_is_shown_as_text_never_run(tmp_path):
    """A `<script>` or a MyST role typed into a CSV cell appears on the page as literal text."""
    root = copy_book(tmp_path / "book")
    payload = '<script>alert("x")</script> {cite:p}`notakey` *stars*'
    findings = root / "data" / "findings.csv"
    lines = findings.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    rows[1][header.index("finding")] = payload
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    findings.write_text(out.getvalue(), encoding="utf-8")
    record_revision(root, "finding", rows[1][0], "changed")
    sources = root / "data" / "sources.csv"
    rows = list(csv.reader(io.StringIO(sources.read_text(encoding="utf-8"))))
    rows[1][rows[0].index("title")] = payload
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    sources.write_text(out.getvalue(), encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pcevidence.site.bib"], cwd=root, check=True,
                   env=dict(os.environ, PCEVIDENCE_ROOT=str(root), PYTHONPATH=str(root)))
    result = run_build(root)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    html = root / "_build" / "html" / "chapters"
    for page in ("index.html", "source-register.html"):
        text = (html / page).read_text(encoding="utf-8")
        assert '<script>alert("x")' not in text, page
        assert "&lt;script&gt;alert(" in text, page
        assert "{cite:p}`notakey`" in text or "{cite:p}" in text, page


def test_pages_keep_to_html_rules_the_theme_breaks(built_book):
    """No paragraph inside a toggle's <summary> and no non-standard autocorrect attribute on any page."""
    for path in built_book["html"].rglob("*.html"):
        if "_static" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"<summary[^>]*>\s*<p\b", text), path.name
        assert "autocorrect=" not in text, path.name


def test_every_page_has_one_description_and_links_the_favicon(built_book):
    """Search engines show a page's meta description under its title (Lighthouse's SEO category asks for one on
    every page, the search page and the index too), and every page links the favicon, which is in the site."""
    from pcevidence.site.lighthouse import SKIPPED, favicon_missing

    html = built_book["html"]
    for path in html.rglob("*.html"):
        if "_static" in path.relative_to(html).parts:
            continue
        descriptions = re.findall(r'<meta name="description" content="([^"]*)"', path.read_text(encoding="utf-8"))
        assert len(descriptions) == 1 and descriptions[0].strip(), f"{path.relative_to(html)}: {descriptions}"
    assert [page for page in favicon_missing(html) if page not in SKIPPED] == []
