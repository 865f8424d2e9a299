"""The site on a 390 px phone and on every page: chart text size, table widths, footer, meta description,
the area page's anchors, find, sort and downloads, and its weight. Measured in Chromium."""

# ruff: noqa: F811  (the browser and server fixtures are shared with test_browser)
from __future__ import annotations

import re

import pandas as pd
import pytest
from test_browser import all_pages, browser, server, visit  # noqa: F401 (fixtures)

from conftest import ROOT

# Every test here reads the built book; those that measure a page in Chromium are also marked `browser`.
pytestmark = [pytest.mark.xdist_group("build"), pytest.mark.build]

CHART_TEXT_PX = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('figure.pcr-figure img')) {
    const svg = new DOMParser().parseFromString(await (await fetch(img.currentSrc || img.src)).text(), 'image/svg+xml').documentElement;
    const box = (svg.getAttribute('viewBox') || '').split(/\\s+/).map(Number);
    const units = box.length === 4 ? box[2] : parseFloat(svg.getAttribute('width'));
    const rendered = img.getBoundingClientRect().width;
    let min = Infinity, text = '';
    for (const t of svg.querySelectorAll('text')) {
      const m = /font-size:\\s*([\\d.]+)px/.exec(t.getAttribute('style') || '');
      if (m && t.textContent.trim() && parseFloat(m[1]) * rendered / units < min) {
        min = parseFloat(m[1]) * rendered / units; text = t.textContent.trim(); }
    }
    out.push({src: img.getAttribute('src'), min: min, text: text});
  }
  return out;
}"""


def charts_on_a_phone(built_book, server, browser, script: str):
    """(page, chart) for every chart of the book, each as ``script`` reports it in Chromium at 390 px width."""
    charts = []
    for rel in all_pages(built_book):
        context, page, _ = visit(browser, f"{server}/{rel}", width=390)
        charts += [(rel, chart) for chart in page.evaluate(script)]
        context.close()
    assert len(charts) >= 10
    return charts


@pytest.mark.browser
def test_chart_text_is_at_least_12_css_px_on_a_phone(built_book, server, browser):
    for rel, chart in charts_on_a_phone(built_book, server, browser, CHART_TEXT_PX):
        assert chart["min"] >= 12, f"{rel}: {chart['src']} shows {chart['text']!r} at {chart['min']:.1f} CSS px"


# Each chart's SVG drawn inline at the width its image has on the page, and the box of every line of text measured
# as Chromium lays it out: lines of two different texts (matplotlib writes each text as <g id="text_N">) must not
# overlap, and no line may run outside the chart. Chromium's box spans the font's whole line height, a few pixels
# taller than its letters, so two boxes count as overlapping only by more than 2 px both ways (the package's own
# check, pcevidence.charts.check_layout, judges each chart as matplotlib lays it out, when it is saved).
CHART_TEXT_CLASHES = """async () => {
  const out = [];
  for (const img of document.querySelectorAll('figure.pcr-figure img')) {
    const holder = document.createElement('div');
    holder.style.cssText = 'position: absolute; left: 0; top: 0';
    holder.innerHTML = await (await fetch(img.currentSrc || img.src)).text();
    document.body.appendChild(holder);
    const svg = holder.querySelector('svg');
    const box = svg.getAttribute('viewBox').split(/\\s+/).map(Number);
    const width = img.getBoundingClientRect().width;
    svg.setAttribute('width', width);
    svg.setAttribute('height', width * box[3] / box[2]);
    const frame = svg.getBoundingClientRect();
    const lines = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent.trim(), group: (t.closest('g[id^="text_"]') || t).id,
              x0: r.left - frame.left, y0: r.top - frame.top, x1: r.right - frame.left, y1: r.bottom - frame.top};
    });
    const clashes = [], outside = [];
    lines.forEach((a, i) => {
      if (a.x0 < -1 || a.y0 < -1 || a.x1 > frame.width + 1 || a.y1 > frame.height + 1) outside.push(a.text);
      for (const b of lines.slice(i + 1)) {
        const across = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0), down = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
        if (a.group !== b.group && across > 2 && down > 2) clashes.push([a.text, b.text]);
      }
    });
    out.push({src: img.getAttribute('src'), lines: lines.length, clashes: clashes, outside: outside});
    holder.remove();
  }
  return out;
}"""


@pytest.mark.browser
def test_chart_labels_never_overlap_or_leave_the_chart_on_a_phone(built_book, server, browser):
    for rel, chart in charts_on_a_phone(built_book, server, browser, CHART_TEXT_CLASHES):
        assert chart["lines"] > 0, f"{rel}: {chart['src']} has no text"
        assert not chart["clashes"], f"{rel}: {chart['src']}: these labels overlap at 390 px: {chart['clashes']}"
        assert not chart["outside"], f"{rel}: {chart['src']}: these labels run off the chart: {chart['outside']}"


@pytest.mark.browser
def test_no_table_is_wider_than_the_phone_screen(built_book, server, browser):
    for rel in all_pages(built_book):
        context, page, _ = visit(browser, f"{server}/{rel}", width=390)
        widths = page.evaluate("""[...document.querySelectorAll('article table')].map(t => {
            const r = t.getBoundingClientRect(); return [r.right, r.width, (t.id || t.className)];})""")
        for right, width, name in widths:
            assert right <= 390 and width <= 390, f"{rel}: table {name} is {width:.0f} px wide at 390 px"
        context.close()


def test_every_page_has_the_licence_footer_and_a_meta_description(built_book):
    for rel in all_pages(built_book):
        text = (built_book["html"] / rel).read_text(encoding="utf-8")
        footer = text[text.find('<footer class="bd-footer'):]
        assert "CC BY 4.0" in footer and "Open Government Licence" in footer, f"{rel}: no licence footer"
        if rel != "search.html":
            found = re.search(r'<meta name="description" content="([^"]*)"', text)
            assert found and len(found.group(1).split()) >= 8, f"{rel}: no meta description from its opening paragraph"
    root = (built_book["html"] / "index.html").read_text(encoding="utf-8")
    assert root.startswith("<!DOCTYPE html>") and "<title>" in root


@pytest.mark.browser
def test_each_board_has_an_anchor_and_kent_and_medway_is_stated(built_book, server, browser):
    context, page, _ = visit(browser, f"{server}/chapters/your-area.html#kent-and-medway", width=390)
    rows = page.evaluate("[...document.querySelectorAll('#boards tbody tr')].map(r => r.id)")
    assert len(rows) == 37 and "kent-and-medway" in rows and "england" in rows
    target = page.evaluate("document.querySelector(':target') && document.querySelector(':target').id")
    assert target == "kent-and-medway"
    assert "Kent and Medway" in page.inner_text("#kent-and-medway th")
    page.fill('input[data-pcr-find="boards"]', "kent")
    visible = page.evaluate("[...document.querySelectorAll('#boards tbody tr')].filter(r => !r.hidden).map(r => r.id)")
    assert visible == ["kent-and-medway"]
    page.fill('input[data-pcr-find="boards"]', "")
    page.select_option('select[data-pcr-sort="boards"]', label="Patients per FTE GP")
    page.click('button[data-pcr-order="boards"]')
    first = page.evaluate("document.querySelector('#boards tbody tr th').textContent")
    table = pd.read_csv(next((ROOT / "_build" / "html" / "_downloads").rglob("boards-against-england.csv")))
    assert first == table.sort_values("patients_per_gp_fte", ascending=False)["board"].iloc[0]
    context.close()


@pytest.mark.browser
def test_area_downloads_hold_the_whole_tables(built_book, server, browser):
    from pcevidence import areas
    from pcevidence.data import load

    context, page, _ = visit(browser, f"{server}/chapters/your-area.html")
    href = page.get_attribute("#boards ~ .pcr-download-table a, .pcr-download-table a", "href")
    served = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
    assert served.status == 200
    boards = pd.read_csv(pd.io.common.StringIO(served.text()))
    assert len(boards) == 37 and "Kent and Medway" in set(boards["board"])
    context.close()
    practices = pd.read_csv(next((built_book["html"] / "_downloads").rglob("kent-medway-practices.csv")))
    mapping = load("practice_map_2026_07")
    assert len(practices) == int((mapping["icb_code"] == areas.board_code("Kent and Medway")).sum())


@pytest.mark.browser
@pytest.mark.parametrize("rel", ["chapters/your-area.html", "chapters/kent-medway-baseline.html"])
def test_area_pages_weigh_under_600_kb_on_first_load(built_book, server, browser, rel):
    context, page, log = visit(browser, f"{server}/{rel}", width=390)
    total = 0
    for url in set(log["urls"]):
        response = page.request.get(url)
        total += len(response.body())
    context.close()
    assert total < 600 * 1024, f"{rel}: {total / 1024:.0f} KB on first load (uncompressed)"
