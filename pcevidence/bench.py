"""``make bench``: measure, do not guess. Prints a Markdown table and writes it to _build/bench.md.

Measures: a clean build with one process and with two (notebooks execute in parallel), a warm
rebuild, each notebook's execution time, the total HTML bytes, and the heaviest page with its figures.
"""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import paths

EXECUTED = re.compile(r"(\S+\.ipynb): Executed notebook in ([\d.]+) seconds")


def _build(root: Path, jobs: int) -> tuple[float, dict[str, float]]:
    env = dict(os.environ, PCEVIDENCE_ROOT=str(root))
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pcevidence.build", "--jobs", str(jobs)], cwd=root, env=env,
                            capture_output=True, text=True)
    took = time.perf_counter() - start
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"bench: the build failed (jobs={jobs})")
    per_notebook = {str(Path(m.group(1)).relative_to(root)): float(m.group(2))
                    for m in EXECUTED.finditer(result.stdout + result.stderr)}
    return took, per_notebook


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


def main() -> int:
    root = paths.project_root()
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
    for nb, secs in sorted(timings[1][1].items()):
        rows.append((f"Execute {nb}", f"{secs:.2f} s"))
    html = build / "html"
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    total_bytes = sum(p.stat().st_size for p in html.rglob("*") if p.is_file())
    rows.append(("Total site bytes (all files)", f"{total_bytes:,}"))
    weights = {p: page_weight(html, p) for p in pages}
    heaviest = max(weights, key=lambda p: weights[p][0])
    rows.append((f"Heaviest first load: {heaviest.relative_to(html)}", f"{weights[heaviest][0]:,} bytes"))
    rows.append(("  of which figures (SVG)", f"{weights[heaviest][1]:,} bytes"))
    svgs = sorted(html.rglob("figures/**/*.svg"), key=lambda p: p.stat().st_size)
    if svgs:
        rows.append((f"Largest figure: {svgs[-1].relative_to(html)}", f"{svgs[-1].stat().st_size:,} bytes"))
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
