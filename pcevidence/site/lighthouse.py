"""Lighthouse scores of every page of the built book, served compressed as a static host would serve it.

``python -m pcevidence.site.lighthouse`` (or ``make lighthouse``) measures the book already in ``_build/html``;
``make bench`` calls :func:`bench_rows` after its own measures. Each page is audited by the Lighthouse CLI
(pinned in ``tools/lighthouse/``, installed by ``npm ci`` into ``.venv/lighthouse``) with its mobile defaults:
a phone's screen, simulated slow 4G and a slowed processor. The site is served on 127.0.0.1 by
:func:`serve`, which gzips text (HTML, CSS, JavaScript, SVG) as a static host does. One Lighthouse run at a time:
parallel runs on a small machine would slow each other and lower the performance scores. The performance score
varies from run to run with the machine's load (Lighthouse times the page's own work and slows it four times):
``--runs 3`` (``make lighthouse RUNS=3``, ``make bench RUNS=3``) audits each page three times and keeps the run
with the median performance score, as Lighthouse's documentation recommends.

Every page is audited except the root ``index.html``, which is not content: it only redirects to
``chapters/index.html`` (audited). Reports are kept in ``_build/lighthouse/`` (JSON), a table in
``_build/lighthouse.md``. The run fails if any page requests anything from another origin; targets (SEO 1.0,
performance 0.95) are reported with the audits that cost points, not enforced, because the performance score
depends on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gzip
import html as html_lib
import http.server
import io
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .. import paths

CATEGORIES = ("performance", "seo", "accessibility", "best-practices")
TARGETS = {"seo": 1.0, "performance": 0.95}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking"
# Not content: Jupyter Book's root page only redirects to the first chapter, which is audited.
SKIPPED = {"index.html": "redirects to chapters/index.html"}
RUNS_ENV = "LIGHTHOUSE_RUNS"  # how many times `make bench` audits each page (the median run is kept)
# Sent gzipped when the browser accepts it (as GitHub Pages, Netlify or nginx with gzip on do).
COMPRESSIBLE = {".html", ".css", ".js", ".svg", ".json", ".txt", ".xml", ".csv", ".map"}


class LighthouseReportError(ValueError):
    """A Lighthouse report that does not hold what the bench reads from it."""


class LighthouseUnavailable(RuntimeError):
    """Lighthouse, Chromium or the built book is missing: nothing can be audited."""


# -- the compressed static server -----------------------------------------------------------------------------


class CompressingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files from ``directory``; text files go out gzipped (``Content-Encoding: gzip``, ``Vary:
    Accept-Encoding``) to a client that accepts gzip, as a static host serves them. Other files, and clients that
    do not accept gzip, get the plain bytes."""

    _cache: dict[tuple[str, int], bytes] = {}
    _lock = threading.Lock()

    def log_message(self, *args) -> None:  # quiet: the bench prints its own table
        pass

    def _accepts_gzip(self) -> bool:
        accepted = self.headers.get("Accept-Encoding", "")
        return any(part.split(";")[0].strip() in ("gzip", "*") and not part.replace(" ", "").endswith(";q=0")
                   for part in accepted.split(","))

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path) and urlsplit(self.path).path.endswith("/"):
            path = os.path.join(path, "index.html")
        if not (os.path.isfile(path) and Path(path).suffix.lower() in COMPRESSIBLE and self._accepts_gzip()):
            return super().send_head()
        stat = os.stat(path)
        key = (path, stat.st_mtime_ns)
        with self._lock:
            body = self._cache.get(key)
            if body is None:
                body = self._cache[key] = gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)
        ctype = self.guess_type(path)
        if ctype.startswith("text/") or ctype in ("application/javascript", "image/svg+xml", "application/json"):
            ctype += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Last-Modified", self.date_time_string(int(stat.st_mtime)))
        self.end_headers()
        return io.BytesIO(body)


@contextlib.contextmanager
def serve(directory: Path, port: int = 0) -> Iterator[str]:
    """Serve ``directory`` compressed on 127.0.0.1 (a free port unless ``port``) for the ``with`` block;
    yields the base URL, without a trailing slash."""
    handler = functools.partial(CompressingHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# -- reading a report -----------------------------------------------------------------------------------------


@dataclass
class PageScores:
    page: str
    scores: dict[str, float]
    # Audits that cost points in a targeted category: (category, audit id, score, what Lighthouse shows).
    losses: list[tuple[str, str, float, str]] = field(default_factory=list)
    other_origins: list[str] = field(default_factory=list)
    metrics: dict[str, str] = field(default_factory=dict)
    # What ran: Lighthouse's version, the browser, and its CPU benchmark index for this run.
    environment: dict[str, str | float] = field(default_factory=dict)


METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index")


def scores(report: dict, categories: tuple[str, ...] = CATEGORIES) -> dict[str, float]:
    """``{category: score from 0 to 1}`` from a Lighthouse JSON report. Raises LighthouseReportError, naming the
    page and the category, when a category is missing or has no score (Lighthouse could not measure it)."""
    where = report.get("finalDisplayedUrl") or report.get("requestedUrl") or "the report"
    found = report.get("categories")
    if not isinstance(found, dict):
        raise LighthouseReportError(f"{where}: not a Lighthouse report (no 'categories')")
    result = {}
    for name in categories:
        if name not in found:
            raise LighthouseReportError(f"{where}: the report has no '{name}' category (it has: "
                                        f"{', '.join(sorted(found)) or 'none'}); was Lighthouse run with it?")
        score = found[name].get("score")
        if not isinstance(score, (int, float)):
            problem = (report.get("runtimeError") or {}).get("message", "no score")
            raise LighthouseReportError(f"{where}: the '{name}' category has no score ({problem})")
        result[name] = float(score)
    return result


def losses(report: dict, categories=tuple(TARGETS)) -> list[tuple[str, str, float, str]]:
    """The weighted audits below a full score in ``categories``, as (category, audit, score, shown value)."""
    audits = report.get("audits", {})
    lost = []
    for name in categories:
        for ref in report.get("categories", {}).get(name, {}).get("auditRefs", []):
            audit = audits.get(ref["id"], {})
            score = audit.get("score")
            if ref.get("weight", 0) > 0 and isinstance(score, (int, float)) and score < 1:
                lost.append((name, ref["id"], float(score), audit.get("displayValue", "")))
    return lost


def other_origins(report: dict, base: str) -> list[str]:
    """Every URL the page requested from an origin other than ``base`` (the book must work offline)."""
    items = ((report.get("audits", {}).get("network-requests") or {}).get("details") or {}).get("items", [])
    origin = urlsplit(base)[:2]
    return sorted({item["url"] for item in items
                   if item.get("url", "").startswith(("http:", "https:")) and urlsplit(item["url"])[:2] != origin})


def read_report(report: dict, page: str, base: str) -> PageScores:
    audits = report.get("audits", {})
    metrics = {m: audits[m].get("displayValue", "") for m in METRICS if m in audits}
    env = report.get("environment", {})
    browser = re.search(r"(?:Headless)?Chrome/([\d.]+)", env.get("hostUserAgent", ""))
    environment = {"lighthouse": report.get("lighthouseVersion", "?"), "chromium": browser.group(1) if browser else "?",
                   "benchmark": env.get("benchmarkIndex", 0)}
    return PageScores(page, scores(report), losses(report), other_origins(report, base), metrics, environment)


def median_run(reports: list[dict]) -> dict:
    """The report with the median performance score (the lower middle one of an even number)."""
    ranked = sorted(reports, key=lambda r: scores(r, ("performance",))["performance"])
    return ranked[(len(ranked) - 1) // 2]


# -- running Lighthouse ---------------------------------------------------------------------------------------


def lighthouse_cli(root: Path) -> Path:
    cli = root / ".venv" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
    if not cli.is_file():
        raise LighthouseUnavailable(f"Lighthouse is not installed ({cli} is missing): run `make lighthouse` or "
                                    "`make bench`, which install it with npm ci from tools/lighthouse/package-lock.json")
    return cli


def pages_to_audit(html: Path) -> list[Path]:
    pages = sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts)
    return [p for p in pages if p.relative_to(html).as_posix() not in SKIPPED]


_ICON = re.compile(r'<link\s+rel="(?:shortcut )?icon"[^>]*\shref="([^"]+)"')


def favicon_missing(html: Path) -> list[str]:
    """Pages (every HTML page, the redirect too) whose favicon link is missing or points to no file."""
    missing = []
    for page in sorted(p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts):
        match = _ICON.search(page.read_text(encoding="utf-8"))
        if not match or not (page.parent / html_lib.unescape(match.group(1)).split("?")[0]).resolve().is_file():
            missing.append(page.relative_to(html).as_posix())
    return missing


def run_page(cli: Path, url: str, out: Path, chrome: str, attempts: int = 2) -> dict:
    """One Lighthouse run on ``url``, its JSON report written to ``out`` and returned. A run that fails (Chromium
    not starting, say) is tried once more before the page is reported as failed."""
    command = ["node", str(cli), url, "--output=json", f"--output-path={out}", f"--chrome-path={chrome}",
               f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}", "--quiet"]
    for _attempt in range(attempts):
        out.unlink(missing_ok=True)
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if result.returncode == 0 and out.is_file():
            return json.loads(out.read_text(encoding="utf-8"))
    raise SystemExit(f"Lighthouse failed on {url} ({attempts} attempts):\n{result.stderr[-3000:]}")


def measure(root: Path, html: Path | None = None, runs: int = 1, only: list[str] | None = None) -> list[PageScores]:
    """Audit every page of the built book, or the pages named in ``only`` (paths inside ``_build/html``), ``runs``
    times each, keeping the median run, served compressed."""
    from .pdf import chromium

    html = html or root / "_build" / "html"
    if not (html / "index.html").is_file():
        raise LighthouseUnavailable(f"No built book in {html}: run `make book` first")
    cli = lighthouse_cli(root)
    chrome = chromium()
    if chrome is None:
        raise LighthouseUnavailable("Lighthouse needs Chromium: install Debian's chromium or set CHROMIUM")
    reports = root / "_build" / "lighthouse"
    reports.mkdir(parents=True, exist_ok=True)
    results = []
    with serve(html) as base:
        pages = pages_to_audit(html)
        if only:
            known = {p.relative_to(html).as_posix(): p for p in pages}
            unknown = sorted(set(only) - set(known))
            if unknown:
                raise LighthouseUnavailable(f"not a page of the built book: {', '.join(unknown)} "
                                            f"(pages look like {next(iter(known))})")
            pages = [known[name] for name in only]
        for page in pages:
            name = page.relative_to(html).as_posix()
            out = reports / (name.replace("/", "--").removesuffix(".html") + ".json")
            done = [run_page(cli, f"{base}/{name}", out, chrome) for _ in range(runs)]
            report = median_run(done)
            out.write_text(json.dumps(report, indent=1), encoding="utf-8")  # the run reported
            results.append(read_report(report, name, base))
            print(f"Lighthouse {name}: " + ", ".join(f"{c} {s:.2f}" for c, s in results[-1].scores.items())
                  + (f" (median of {runs} runs)" if runs > 1 else ""), file=sys.stderr)
    return results


def table(results: list[PageScores], favicons: list[str], runs: int = 1) -> list[tuple[str, str]]:
    """(measure, result) rows for the bench's table: one per page and a summary."""
    rows = []
    how = "mobile, simulated throttling, gzip" + (f", median of {runs} runs" if runs > 1 else "")
    for r in results:
        s = r.scores
        rows.append((f"Lighthouse {r.page} ({how})",
                     f"performance {s['performance']:.2f}, SEO {s['seo']:.2f}, accessibility {s['accessibility']:.2f}, "
                     f"best practices {s['best-practices']:.2f}"
                     + (f"; CPU benchmark index {float(r.environment['benchmark']):,.0f}" if r.environment else "")))
    for category, label in (("seo", "SEO"), ("performance", "performance"), ("accessibility", "accessibility")):
        low = min(results, key=lambda r: r.scores[category])
        rows.append((f"Lighthouse: lowest {label} (target {TARGETS[category]:.2f})" if category in TARGETS
                     else f"Lighthouse: lowest {label}", f"{low.scores[category]:.2f} ({low.page})"))
    below = []
    for r in results:
        failed = {c for c, target in TARGETS.items() if r.scores[c] < target}
        if failed:  # the audits that cost points in the categories below target
            below.append(f"{r.page}: " + ", ".join(f"{a} {s:.2f}{f' ({v})' if v else ''}"
                                                    for c, a, s, v in r.losses if c in failed))
    rows.append(("Lighthouse: pages below target (SEO 1.0, performance 0.95)",
                 "; ".join(below) or f"none of {len(results)}"))
    skipped = ", ".join(f"{page} ({why})" for page, why in SKIPPED.items())
    rows.append(("Lighthouse: pages not audited", skipped))
    rows.append(("Requests to other origins (all audited pages)",
                 ", ".join(sorted({u for r in results for u in r.other_origins})) or "none"))
    rows.append(("Favicon linked and present", f"missing on {', '.join(favicons)}" if favicons else "every page"))
    env = [r.environment for r in results if r.environment]
    if env:
        indexes = sorted(float(e["benchmark"]) for e in env)
        rows.append(("Lighthouse version, Chromium, CPU benchmark index (median; higher is faster)",
                     f"{env[0]['lighthouse']}, {env[0]['chromium']}, {indexes[(len(indexes) - 1) // 2]:,.0f}"))
    return rows


def default_runs() -> int:
    return int(os.environ.get(RUNS_ENV) or 1)


def bench_rows(root: Path) -> list[tuple[str, str]]:
    """What ``make bench`` adds to its table (``LIGHTHOUSE_RUNS`` audits of each page)."""
    html = root / "_build" / "html"
    runs = default_runs()
    try:
        results = measure(root, html, runs)
    except LighthouseUnavailable as missing:
        return [("Lighthouse", f"not measured: {missing}")]
    return table(results, favicon_missing(html), runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="only these pages, as paths inside _build/html "
                        "(chapters/contracting.html); every page by default")
    parser.add_argument("--runs", type=int, default=default_runs(),
                        help="audit each page this many times and keep the median run (default: 1, or $LIGHTHOUSE_RUNS)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    root = paths.project_root()
    html = root / "_build" / "html"
    try:
        results = measure(root, html, args.runs, args.pages)
    except LighthouseUnavailable as missing:
        raise SystemExit(str(missing)) from None
    rows = table(results, favicon_missing(html), args.runs)
    lines = ["| Measure | Result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]
    text = "\n".join(lines)
    print(text)
    (root / "_build" / "lighthouse.md").write_text(text + "\n", encoding="utf-8")
    offsite = sorted({u for r in results for u in r.other_origins})
    if offsite:
        print(f"The book requested files from other origins: {', '.join(offsite)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
