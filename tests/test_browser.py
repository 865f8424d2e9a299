"""The built site in a real browser (Chromium driven by Playwright), page by page.

Chromium: $CHROMIUM, else /usr/bin/chromium (Debian's package, installed by .ci/run), else
Playwright's own download if present. Screenshots go to _build/screenshots/ for review.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest

from conftest import ROOT

# Every test here serves the built book to Chromium.
pytestmark = [pytest.mark.xdist_group("build"), pytest.mark.build, pytest.mark.browser]

playwright_api = pytest.importorskip("playwright.sync_api")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(built_book):
    handler = functools.partial(QuietHandler, directory=str(built_book["html"]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    path = chromium_path()
    with playwright_api.sync_playwright() as p:
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]
        try:
            b = p.chromium.launch(executable_path=path, args=args) if path else p.chromium.launch(args=args)
        except Exception as exc:  # pragma: no cover - only when no browser is installed at all
            pytest.fail(f"no Chromium to run the browser tests: install Debian's chromium or set CHROMIUM ({exc})")
        yield b
        b.close()


def site_pages(html: Path) -> list[str]:
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if "_static" not in p.parts and p.name not in ("genindex.html",) and p.relative_to(html) != Path("index.html"))




def all_pages(built_book) -> list[str]:
    return site_pages(built_book["html"])


def visit(browser, url: str, *, width=1280, dark=False):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  color_scheme="dark" if dark else "light")
    page = context.new_page()
    log = {"console": [], "pageerror": [], "failed": [], "foreign": [], "urls": []}
    origin = urlsplit(url).netloc
    page.on("console", lambda m: log["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["pageerror"].append(str(e)))
    page.on("response", lambda r: log["failed"].append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: log["failed"].append(f"failed {r.url}"))
    page.on("request", lambda r: log["urls"].append(r.url))
    page.on("request", lambda r: log["foreign"].append(r.url)
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != origin else None)
    page.goto(url, wait_until="networkidle")
    return context, page, log


def test_every_page_loads_cleanly_and_stays_local(built_book, server, browser):
    pages = all_pages(built_book)
    assert len(pages) >= 4
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    for rel in pages:
        for width in (1280, 390):
            context, page, log = visit(browser, f"{server}/{rel}", width=width)
            assert not log["console"], f"{rel}: console errors {log['console']}"
            assert not log["pageerror"], f"{rel}: page errors {log['pageerror']}"
            assert not log["failed"], f"{rel}: failed requests {log['failed']}"
            assert not log["foreign"], f"{rel}: requests to other origins {log['foreign']}"
            heavy = [u for u in log["urls"] if "fontawesome" in u or u.split("?")[0].endswith("searchindex.js")
                     and not rel.endswith("search.html")]
            assert not heavy, f"{rel}: loads assets the book replaced or does not need: {heavy}"
            name = rel.replace("/", "_").removesuffix(".html")
            page.screenshot(path=str(shots / f"{name}-{'desktop' if width > 400 else 'phone'}.png"), full_page=True)
            context.close()


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_no_serious_accessibility_violations(built_book, server, browser, dark):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for rel in all_pages(built_book):
        context, page, _ = visit(browser, f"{server}/{rel}", dark=dark)
        theme = page.evaluate("document.documentElement.dataset.theme")
        assert theme == ("dark" if dark else "light"), f"{rel}: theme is {theme}"
        # Judge the settled page: finish any colour transition still running after the theme was applied
        # (a contrast check mid-transition once caught the search box half-way between light and dark).
        page.evaluate("async () => { await document.fonts.ready; document.getAnimations().forEach(a => a.finish()); }")
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
        for v in results.response["violations"]:
            if v["impact"] in ("serious", "critical"):
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{rel} ({'dark' if dark else 'light'}): {v['id']} [{v['impact']}] {v['help']} at {targets}")
        context.close()
    assert not problems, "\n".join(problems)


def test_phone_width_has_no_horizontal_scroll_and_charts_fit(built_book, server, browser):
    for rel in all_pages(built_book):
        context, page, _ = visit(browser, f"{server}/{rel}", width=390)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{rel}: scrolls sideways by {overflow}px at 390px"
        for box in page.evaluate("""[...document.querySelectorAll('figure.pcr-figure img')].map(img => {
                const col = img.closest('article') || document.body;
                return [img.getBoundingClientRect().right, col.getBoundingClientRect().right, img.naturalWidth];})"""):
            right, column_right, natural = box
            assert natural > 0, f"{rel}: a chart did not load"
            assert right <= column_right + 1, f"{rel}: a chart overflows its column"
        context.close()


def test_figures_have_alt_caption_source_and_downloadable_data(built_book, server, browser):
    html = built_book["html"]
    seen = 0
    for rel in all_pages(built_book):
        context, page, _ = visit(browser, f"{server}/{rel}")
        for fig in page.query_selector_all("figure.pcr-figure"):
            seen += 1
            alt = fig.query_selector("img").get_attribute("alt")
            assert alt and len(alt.split()) >= 6, f"{rel}: figure without a finding in its alt text"
            caption = fig.query_selector("figcaption").inner_text()
            assert caption.startswith("Figure ") and "Source:" in caption, f"{rel}: caption {caption!r}"
            href = fig.query_selector("a.download").get_attribute("href")
            response = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href)
            assert response.status == 200 and response.headers["content-type"].startswith("text/csv")
            served = response.text()
            written = (Path(page.url.replace(server, str(html))).parent / href).resolve().read_text(encoding="utf-8")
            assert served == written
            assert len(served.strip().splitlines()) >= 2, f"{rel}: {href} has no data rows"
        context.close()
    assert seen >= 2


def test_chart_csv_matches_the_data_it_was_drawn_from(built_book, server, browser):
    """The global sum chart's download holds exactly the global sum rows of data/contract_funding.csv."""
    context, page, _ = visit(browser, f"{server}/chapters/contracting.html")
    href = page.query_selector("#figure-contracting-global-sum a.download").get_attribute("href")
    served = page.request.get(page.url.rsplit("/", 1)[0] + "/" + href).text()
    context.close()
    import io

    chart = pd.read_csv(io.StringIO(served))
    data = pd.read_csv(ROOT / "data" / "contract_funding.csv")
    data = data[data["measure"] == "global sum per weighted patient"]
    assert sorted(chart["value"]) == sorted(data["value"])


def test_search_finds_a_chapter_by_a_word_from_its_text(built_book, server, browser):
    context, page, _ = visit(browser, f"{server}/search.html?q=weighted")
    page.wait_for_selector("#search-results ul.search li", timeout=15000)
    links = [a.get_attribute("href") for a in page.query_selector_all("#search-results ul.search li a")]
    context.close()
    assert any("contracting" in (h or "") for h in links), links
