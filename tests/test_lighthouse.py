"""The Lighthouse part of `make bench`, without Lighthouse or a browser: the compressed static server, and
reading a report (a small hand-made one with the shape of Lighthouse's JSON output)."""

from __future__ import annotations

import copy
import gzip
import urllib.error
import urllib.request

import pytest

from pcevidence.site import lighthouse
from pcevidence.site.lighthouse import LighthouseReportError

PAGE = "<!DOCTYPE html><html lang=\"en\"><head><title>T</title></head><body>" + "<p>Evidence.</p>" * 200 + "</body></html>"


def fetch(url: str, accept: str | None = "gzip, deflate, br") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept} if accept else {})
    with urllib.request.urlopen(request, timeout=10) as response:  # urllib never decompresses by itself
        return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()


@pytest.fixture()
def site(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "index.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "style.css").write_text("p{color:#12436D}\n" * 50, encoding="utf-8")
    (tmp_path / "_static" / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    return tmp_path


def test_the_server_sends_html_gzipped_and_it_decompresses_to_the_file(site):
    with lighthouse.serve(site) as base:
        status, headers, body = fetch(f"{base}/chapters/page.html")
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    assert headers["content-type"].startswith("text/html")
    assert int(headers["content-length"]) == len(body) < len(PAGE)
    assert gzip.decompress(body) == (site / "chapters" / "page.html").read_bytes()


def test_the_server_gzips_stylesheets_and_a_folder_index(site):
    with lighthouse.serve(site) as base:
        _, css_headers, css = fetch(f"{base}/_static/style.css")
        _, index_headers, index = fetch(f"{base}/")
    assert css_headers["content-encoding"] == "gzip"
    assert gzip.decompress(css) == (site / "_static" / "style.css").read_bytes()
    assert index_headers["content-encoding"] == "gzip"
    assert gzip.decompress(index) == (site / "index.html").read_bytes()


def test_the_server_sends_plain_bytes_to_a_client_without_gzip_and_for_images(site):
    with lighthouse.serve(site) as base:
        _, plain_headers, plain = fetch(f"{base}/chapters/page.html", accept=None)
        _, refused_headers, refused = fetch(f"{base}/chapters/page.html", accept="gzip;q=0, identity")
        _, png_headers, png = fetch(f"{base}/_static/icon.png")
        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(f"{base}/chapters/absent.html")
    assert "content-encoding" not in plain_headers and plain == PAGE.encode()
    assert "content-encoding" not in refused_headers and refused == PAGE.encode()
    assert "content-encoding" not in png_headers and png == (site / "_static" / "icon.png").read_bytes()
    assert missing.value.code == 404


def test_the_server_stops_when_the_block_ends(site):
    with lighthouse.serve(site) as base:
        pass
    with pytest.raises(urllib.error.URLError):
        fetch(f"{base}/index.html")


BASE = "http://127.0.0.1:8123"
REPORT = {
    "lighthouseVersion": "12.8.2",
    "requestedUrl": f"{BASE}/chapters/page.html",
    "finalDisplayedUrl": f"{BASE}/chapters/page.html",
    "configSettings": {"formFactor": "mobile", "throttlingMethod": "simulate"},
    "environment": {"hostUserAgent": "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/156.0.0.0 Safari/537.36",
                    "benchmarkIndex": 2270.5},
    "categories": {
        "performance": {"id": "performance", "title": "Performance", "score": 0.93, "auditRefs": [
            {"id": "first-contentful-paint", "weight": 10, "group": "metrics", "acronym": "FCP"},
            {"id": "total-blocking-time", "weight": 30, "group": "metrics", "acronym": "TBT"},
            {"id": "network-requests", "weight": 0, "group": "hidden"},
        ]},
        "seo": {"id": "seo", "title": "SEO", "score": 0.9, "auditRefs": [
            {"id": "meta-description", "weight": 1, "group": "seo-content"},
            {"id": "document-title", "weight": 1, "group": "seo-content"},
            {"id": "structured-data", "weight": 0, "group": "seo-manual"},
        ]},
        "accessibility": {"id": "accessibility", "title": "Accessibility", "score": 1, "auditRefs": []},
        "best-practices": {"id": "best-practices", "title": "Best Practices", "score": 0.96, "auditRefs": []},
    },
    "audits": {
        "first-contentful-paint": {"id": "first-contentful-paint", "score": 0.84, "scoreDisplayMode": "numeric",
                                   "numericValue": 2012.5, "displayValue": "2.0\u00a0s"},
        "total-blocking-time": {"id": "total-blocking-time", "score": 1, "scoreDisplayMode": "numeric",
                                "numericValue": 10, "displayValue": "10\u00a0ms"},
        "meta-description": {"id": "meta-description", "score": 0, "scoreDisplayMode": "binary"},
        "document-title": {"id": "document-title", "score": 1, "scoreDisplayMode": "binary"},
        "structured-data": {"id": "structured-data", "score": None, "scoreDisplayMode": "manual"},
        "network-requests": {"id": "network-requests", "score": None, "scoreDisplayMode": "informative", "details": {
            "type": "table", "items": [
                {"url": f"{BASE}/chapters/page.html", "transferSize": 20427, "resourceSize": 107617},
                {"url": f"{BASE}/_static/basic.css", "transferSize": 1983, "resourceSize": 6643},
                {"url": "data:image/svg+xml,%3Csvg%3E", "transferSize": 0},
                {"url": "https://cdn.example.org/mathjax.js", "transferSize": 900},
            ]}},
    },
}


def test_scores_are_read_from_the_categories():
    assert lighthouse.scores(REPORT) == {"performance": 0.93, "seo": 0.9, "accessibility": 1.0, "best-practices": 0.96}
    assert lighthouse.scores(REPORT, ("seo",)) == {"seo": 0.9}


def test_a_missing_category_is_a_clear_error():
    report = copy.deepcopy(REPORT)
    del report["categories"]["seo"]
    with pytest.raises(LighthouseReportError, match=r"chapters/page\.html: the report has no 'seo' category"):
        lighthouse.scores(report)
    with pytest.raises(LighthouseReportError, match="no 'categories'"):
        lighthouse.scores({"requestedUrl": "x"})


def test_a_category_without_a_score_names_lighthouse_s_error():
    report = copy.deepcopy(REPORT)
    report["categories"]["performance"]["score"] = None
    report["runtimeError"] = {"code": "NO_FCP", "message": "The page did not paint any content."}
    with pytest.raises(LighthouseReportError, match="'performance' category has no score .The page did not paint"):
        lighthouse.scores(report)


def test_losses_name_the_weighted_audits_below_full_marks():
    assert lighthouse.losses(REPORT) == [("seo", "meta-description", 0.0, ""),
                                         ("performance", "first-contentful-paint", 0.84, "2.0\u00a0s")]


def test_requests_to_other_origins_are_found():
    assert lighthouse.other_origins(REPORT, BASE) == ["https://cdn.example.org/mathjax.js"]
    report = copy.deepcopy(REPORT)
    report["audits"]["network-requests"]["details"]["items"].pop()
    assert lighthouse.other_origins(report, BASE) == []


def test_the_table_names_the_lowest_page_and_the_audits_that_cost_points():
    low = lighthouse.read_report(REPORT, "chapters/page.html", BASE)
    good = copy.deepcopy(REPORT)
    for name in good["categories"]:
        good["categories"][name]["score"] = 1
    good["audits"]["network-requests"]["details"]["items"].pop()
    high = lighthouse.read_report(good, "chapters/other.html", BASE)
    rows = dict(lighthouse.table([high, low], favicons=["index.html"]))
    assert rows["Lighthouse: lowest SEO (target 1.00)"] == "0.90 (chapters/page.html)"
    assert rows["Lighthouse: lowest performance (target 0.95)"] == "0.93 (chapters/page.html)"
    below = rows["Lighthouse: pages below target (SEO 1.0, performance 0.95)"]
    assert below.startswith("chapters/page.html: ") and "meta-description 0.00" in below and "other.html" not in below
    assert rows["Requests to other origins (all audited pages)"] == "https://cdn.example.org/mathjax.js"
    assert rows["Favicon linked and present"] == "missing on index.html"
    assert rows["Lighthouse version, Chromium, CPU benchmark index (median; higher is faster)"] == "12.8.2, 156.0.0.0, 2,270"
    assert low.metrics["first-contentful-paint"] == "2.0\u00a0s"


def test_the_median_run_is_kept_and_what_ran_is_read():
    runs = []
    for score in (0.99, 0.91, 0.96):
        report = copy.deepcopy(REPORT)
        report["categories"]["performance"]["score"] = score
        runs.append(report)
    assert lighthouse.median_run(runs)["categories"]["performance"]["score"] == 0.96
    assert lighthouse.median_run(runs[:2])["categories"]["performance"]["score"] == 0.91  # the lower of two
    read = lighthouse.read_report(REPORT, "chapters/page.html", BASE)
    assert read.environment == {"lighthouse": "12.8.2", "chromium": "156.0.0.0", "benchmark": 2270.5}


def test_every_page_is_audited_but_the_root_redirect(site):
    (site / "_static" / "inner.html").write_text(PAGE, encoding="utf-8")
    assert [p.relative_to(site).as_posix() for p in lighthouse.pages_to_audit(site)] == ["chapters/page.html"]


def test_a_page_without_a_favicon_or_with_a_broken_one_is_named(site):
    (site / "_static" / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    linked = PAGE.replace("<title>", '<link rel="icon" href="../_static/favicon.svg"/><title>')
    (site / "chapters" / "page.html").write_text(linked, encoding="utf-8")
    (site / "chapters" / "broken.html").write_text(linked.replace("favicon.svg", "gone.svg"), encoding="utf-8")
    assert lighthouse.favicon_missing(site) == ["chapters/broken.html", "index.html"]
