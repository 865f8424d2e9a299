"""``make bench``: measure, do not guess. Prints a Markdown table and writes it to _build/bench.md.

Measures: a clean build with one process and with two (notebooks execute in parallel), a warm
rebuild, cached author rebuilds (nothing changed; a prose-only edit; a code edit), each notebook's
execution time, the total HTML bytes, and the heaviest page with its figures.
"""

from __future__ import annotations

import gzip
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from .. import paths
from .buildlog import EXECUTED

REPEATS = 3  # author rebuilds and the stock template are each timed this many times; the median is reported


def _build(root: Path, jobs: int, *extra: str) -> tuple[float, dict[str, float]]:
    took, per_notebook, _ = _build_with_log(root, jobs, *extra)
    return took, per_notebook


def _build_with_log(root: Path, jobs: int, *extra: str) -> tuple[float, dict[str, float], str]:
    env = dict(os.environ, PCEVIDENCE_ROOT=str(root), PYTHONPATH=str(root))
    env.pop("PCEVIDENCE_FIGURES", None)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pcevidence.site.build", "--jobs", str(jobs), *extra], cwd=root, env=env,
                            capture_output=True, text=True)
    took = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"bench: the build failed (jobs={jobs})")
    per_notebook = {m.group(1): float(m.group(2)) for m in EXECUTED.finditer(result.stdout)}
    return took, per_notebook, result.stdout


def page_weight(html_root: Path, page: Path) -> tuple[int, int]:
    """Bytes a first visit to ``page`` transfers: the HTML, the local CSS/JS/fonts it links and its images."""
    text = page.read_text(encoding="utf-8")
    total = page.stat().st_size
    figures = 0
    seen: set[Path] = set()
    for ref in re.findall(r'(?:src|href)="([^"#?]+)(?:[?#][^"]*)?"', text):
        if ref.startswith(("http:", "https:", "//", "mailto:")) or ref.endswith(".html") or ref.endswith(".csv"):
            continue
        target = (page.parent / ref).resolve()
        if target.is_file() and target not in seen:
            seen.add(target)
            total += target.stat().st_size
            if target.suffix == ".svg":
                figures += target.stat().st_size
            if target.suffix == ".css":  # fonts referenced from stylesheets
                for font in re.findall(r'url\("?([^")]+\.(?:woff2?|ttf))', target.read_text(encoding="utf-8")):
                    f = (target.parent / font).resolve()
                    if f.is_file() and f not in seen:
                        seen.add(f)
                        total += f.stat().st_size
    return total, figures


def stock_template(build: Path) -> tuple[float, str, int]:
    """Build Jupyter Book's own starter template with its defaults, for comparison: the median of REPEATS
    clean builds (the reference every author rebuild is divided by)."""
    import statistics

    target = build / "bench-stock"
    shutil.rmtree(target, ignore_errors=True)
    jb = [str(Path(sys.executable).with_name("jupyter-book"))]
    subprocess.run([*jb, "create", str(target)], check=True, capture_output=True)
    times = []
    for _ in range(REPEATS):
        shutil.rmtree(target / "_build", ignore_errors=True)
        start = time.perf_counter()
        subprocess.run([*jb, "build", str(target)], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    took = statistics.median(times)
    html = target / "_build" / "html"
    stock_pages = [p for p in html.glob("*.html") if p.name not in ("genindex.html", "search.html", "index.html")]
    weights = browser_weights(html, stock_pages) or {p: page_weight(html, p) for p in stock_pages}
    heaviest = max(weights, key=lambda p: weights[p][0])
    gz = f" ({weights[heaviest][2]:,} gzipped)" if len(weights[heaviest]) > 2 else ""
    return took, heaviest.name, f"{weights[heaviest][0]:,} bytes{gz}"


def browser_weights(html: Path, pages: list[Path]) -> dict[Path, tuple[int, int]] | None:
    """Bytes a first visit transfers, measured in Chromium: every response body the page loads
    (HTML, CSS, JavaScript, fonts, figures), with an empty cache. None if no Chromium is available."""
    try:
        from playwright.sync_api import sync_playwright

        from .pdf import chromium
    except ImportError:
        return None
    from .lighthouse import serve

    results = {}
    # Served as Lighthouse is served; Chromium hands back each body decoded, and its gzip size is measured here.
    with serve(html) as base:
        with sync_playwright() as p:
            path = chromium()
            args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            browser = p.chromium.launch(executable_path=path, args=args) if path else p.chromium.launch(args=args)
            for page_path in pages:
                context = browser.new_context()
                page = context.new_page()
                sizes = {"total": 0, "figures": 0, "gzip": 0}

                def on_response(response, sizes=sizes):
                    try:
                        content = response.body()
                    except Exception:  # a redirect or aborted request has no body
                        return
                    body = len(content)
                    sizes["total"] += body
                    sizes["gzip"] += len(gzip.compress(content, mtime=0))
                    if response.url.split("?")[0].endswith(".svg") and "/_images/" in response.url:
                        sizes["figures"] += body

                page.on("response", on_response)
                page.goto(f"{base}/{page_path.relative_to(html)}", wait_until="networkidle")
                page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # load lazy charts too
                page.wait_for_timeout(300)
                results[page_path] = (sizes["total"], sizes["figures"], sizes["gzip"])
                context.close()
            browser.close()
    return results


def cached_rebuilds(root: Path, jobs: int, stock: float) -> list[tuple[str, str]]:
    """Author rebuilds with the cache (`make preview`), in a temporary copy so chapters/ is never touched, each
    as a ratio to the stock template's build measured in the same run: nothing changed; a one-word prose edit
    (the word must reach the page and nothing re-execute); a data edit to one table (only the chapters that
    read it re-execute); an edit to site code (nothing re-executes); a code edit to one chapter. The first two,
    an author's most frequent, are timed REPEATS times (a different word each time) and the median reported."""
    import json
    import statistics
    import tempfile

    rows = []

    def ratio(took: float) -> str:
        return f"{took:.1f} s ({took / stock:.2f}x the stock template)"

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "book"
        shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__"))
        _build(copy, jobs, "--cache")  # fills the cache
        runs = [_build_with_log(copy, jobs, "--cache") for _ in range(REPEATS)]
        took = statistics.median(r[0] for r in runs)
        started = sum("Nothing changed" not in r[2] for r in runs)
        rows.append(("Cached rebuild, nothing changed (make preview)",
                     f"{ratio(took)}; {sum(len(r[1]) for r in runs)} re-executed; Sphinx started in {started} of {REPEATS} runs"))
        notebook = copy / "chapters" / "contracting.ipynb"
        times, shown, executed_any = [], True, 0
        for word in ("Benchmarkword", "Benchmarkwordtwo", "Benchmarkwordthree")[:REPEATS]:
            nb = json.loads(notebook.read_text(encoding="utf-8"))
            cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
            cell["source"] = ["".join(cell["source"]) + f" {word}."]
            notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")
            took, executed = _build(copy, jobs, "--cache")
            times.append(took)
            executed_any += len(executed)
            shown = shown and f"{word}." in (copy / "_build/html/chapters/contracting.html").read_text(encoding="utf-8")
        rows.append(("Cached rebuild after a one-word prose edit (make preview)",
                     f"{ratio(statistics.median(times))}; {executed_any} re-executed; "
                     f"the word {'is' if shown else 'is NOT'} on the page"))
        models = copy / "data" / "precedent_models.csv"
        models.write_text(models.read_text(encoding="utf-8").replace("November 2014 award", "November 2014 contract award"),
                          encoding="utf-8")
        took, executed = _build(copy, jobs, "--cache")
        rows.append(("Cached rebuild after a data edit to one table, precedent_models.csv (make preview)",
                     f"{ratio(took)}; re-executed: {', '.join(sorted(executed)) or 'none'}"))
        bench = copy / "pcevidence" / "site" / "bench.py"
        bench.write_text(bench.read_text(encoding="utf-8") + "\n# an edit to site code\n", encoding="utf-8")
        took, executed = _build(copy, jobs, "--cache")
        rows.append(("Cached rebuild after an edit to site code, pcevidence/site/bench.py (make preview)",
                     f"{ratio(took)}; re-executed: {', '.join(sorted(executed)) or 'none'}"))
        nb = json.loads(notebook.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        cell["source"] = ["".join(cell["source"]) + "\nbenchmark_marker = 1"]
        notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        took, executed = _build(copy, jobs, "--cache")
        rows.append(("Cached rebuild after a code edit to one chapter (make preview)",
                     f"{ratio(took)}; re-executed: {', '.join(sorted(executed)) or 'none'}"))
    return rows


def rebuilds_only(root: Path) -> int:
    """``python -m pcevidence.site.bench --rebuilds`` (``make bench-rebuilds``): only the author's rebuilds and
    the stock template they are divided by, in a few minutes, for work on the authoring loop."""
    stock_time, _, _ = stock_template(root / "_build")
    rows = cached_rebuilds(root, 2, stock_time)
    rows.append((f"Stock Jupyter Book template: clean build (median of {REPEATS})", f"{stock_time:.1f} s"))
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print("\n".join([f"Machine: {machine}", "", "| Measure | Result |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]))
    return 0


def main(argv: list[str] | None = None) -> int:
    root = paths.project_root()
    if "--rebuilds" in (sys.argv[1:] if argv is None else argv):
        return rebuilds_only(root)
    build = root / "_build"
    rows = []
    timings = {}
    for jobs in (1, 2):
        shutil.rmtree(build / "html", ignore_errors=True)
        shutil.rmtree(build / ".doctrees", ignore_errors=True)
        took, per_nb = _build(root, jobs)
        timings[jobs] = (took, per_nb)
        rows.append((f"Clean build, {jobs} process{'es' if jobs > 1 else ''}", f"{took:.1f} s"))
    best = min(timings, key=lambda j: timings[j][0])
    warm, _ = _build(root, best)
    rows.append((f"Warm rebuild ({best} process{'es' if best > 1 else ''})", f"{warm:.1f} s"))
    # The stock template is the reference every author rebuild is compared with, measured in this same run.
    stock_time, stock_page, stock_bytes = stock_template(build)
    rows += cached_rebuilds(root, best, stock_time)
    for nb, secs in sorted(timings[1][1].items()):
        rows.append((f"Execute {nb}", f"{secs:.2f} s"))
    html = build / "html"
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    total_bytes = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    rows.append(("Total site bytes (all files)", f"{total_bytes:,}"))
    measured = browser_weights(html, pages)
    weights = measured or {p: page_weight(html, p) for p in pages}
    how = "measured in Chromium" if measured else "estimated from files"
    for p in sorted(pages):
        gz = f", {weights[p][2]:,} gzipped" if len(weights[p]) > 2 else ""
        rows.append((f"First load {p.relative_to(html)} ({how})", f"{weights[p][0]:,} bytes{gz}; figures {weights[p][1]:,}"))
    heaviest = max(weights, key=lambda p: weights[p][0])
    gz = f" ({weights[heaviest][2]:,} gzipped)" if len(weights[heaviest]) > 2 else ""
    rows.append((f"Heaviest first load: {heaviest.relative_to(html)}", f"{weights[heaviest][0]:,} bytes{gz}"))
    svgs = sorted(html.rglob("_images/*.svg"), key=lambda p: p.stat().st_size)
    if svgs:
        rows.append((f"Largest figure: {svgs[-1].relative_to(html)}", f"{svgs[-1].stat().st_size:,} bytes"))
    rows.append((f"Stock Jupyter Book template: heaviest first load ({stock_page})", stock_bytes))
    rows.append((f"Stock Jupyter Book template: clean build (median of {REPEATS})", f"{stock_time:.1f} s"))
    from .lighthouse import bench_rows as lighthouse_rows  # Lighthouse scores per page, served compressed

    rows += lighthouse_rows(root)
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    lines = [f"Machine: {machine}", "", "| Measure | Result |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    lines += ["", f"Faster: {best} process{'es' if best > 1 else ''} (make book uses JOBS={best} by default)."]
    text = "\n".join(lines)
    print(text)
    (build / "bench.md").write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
