"""``make pdf``: one printable PDF of the whole book, from the built HTML, with Chromium.

The chapters' article bodies are joined, in table-of-contents order, into a single print document
(with a contents list), which Chromium prints with page numbers and a PDF outline. Output:
``_build/pdf/book.pdf``. Needs a built book (``make book``) and Chromium (Debian's ``chromium``, or
the one named by ``$CHROMIUM``).
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
from pathlib import Path

from .. import paths
from ..book import toc_entries

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
body { font-family: 'DejaVu Sans', Arial, sans-serif; font-size: 10.5pt; line-height: 1.45; color: #1f1f1f; }
.pcr-chapter { break-before: page; }
.pcr-cover h1 { font-size: 24pt; margin-top: 40mm; }
details, .headerlink, .cell_input, .toggle-details, button, a.download { display: none !important; }
.pcr-figure { break-inside: avoid; background: #fff; padding: 0; }
.pcr-figure img { max-width: 100%; height: auto; }
table { border-collapse: collapse; font-size: 8.5pt; }
td, th { border: 1px solid #ccc; padding: 2px 4px; vertical-align: top; overflow-wrap: anywhere; }
a { color: #1d5ea8; text-decoration: none; }
.admonition { border-left: 4px solid #12436D; padding: 4px 10px; background: #f3f6fa; }
.pcr-certainty { border: 1px solid currentColor; border-radius: 3px; padding: 0 3px; font-size: 8pt; font-weight: bold; }
"""


def _article(page: Path) -> tuple[str, str]:
    text = page.read_text(encoding="utf-8")
    match = re.search(r'<article class="bd-article">(.*?)</article>', text, flags=re.S)
    if not match:
        raise RuntimeError(f"{page}: no <article class=\"bd-article\"> found; is this a Jupyter Book page?")
    body = match.group(1)
    title = re.search(r"<h1[^>]*>(.*?)</h1>", body, flags=re.S)
    title_text = re.sub(r"<[^>]+>", "", title.group(1)).replace("#", "").strip() if title else page.stem
    return html.unescape(title_text), body


def print_document(root: Path) -> tuple[str, list[str]]:
    site = root / "_build" / "html"
    sections, titles = [], []
    for entry in toc_entries(root):
        page = site / f"{re.sub(r'[.](ipynb|md)$', '', entry.docname)}.html"
        if not page.exists():
            raise RuntimeError(f"{page} is missing: run `make book` first")
        title, body = _article(page)
        anchor = f"chapter-{len(titles)}"
        titles.append(title)
        sections.append(f'<section class="pcr-chapter" id="{anchor}">{body}</section>')
    contents = "".join(f'<li><a href="#chapter-{i}">{html.escape(t)}</a></li>' for i, t in enumerate(titles))
    base = (site / "chapters").as_uri() + "/"
    document = (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><base href="{base}">'
        f"<title>{html.escape(titles[0])}</title>"
        f'<link rel="stylesheet" href="../_static/pcevidence.css"><style>{PRINT_CSS}</style></head><body>'
        f'<section class="pcr-cover"><h1>{html.escape(titles[0])}</h1><p>Printable edition, generated from the '
        f"built book.</p><h2>Contents</h2><ol>{contents}</ol></section>{''.join(sections)}</body></html>"
    )
    return document, titles


def chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def main() -> int:
    from playwright.sync_api import sync_playwright

    root = paths.project_root()
    document, titles = print_document(root)
    out = root / "_build" / "pdf"
    out.mkdir(parents=True, exist_ok=True)
    source = out / "book.html"
    source.write_text(document, encoding="utf-8")
    target = out / "book.pdf"
    footer = ('<div style="font-size:8pt;width:100%;text-align:center;color:#555;">'
              'Page <span class="pageNumber"></span> of <span class="totalPages"></span></div>')
    with sync_playwright() as p:
        path = chromium()
        args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--allow-file-access-from-files"]
        browser = p.chromium.launch(executable_path=path, args=args) if path else p.chromium.launch(args=args)
        page = browser.new_page()
        page.goto(source.as_uri(), wait_until="networkidle")
        page.emulate_media(media="print")
        page.pdf(path=str(target), format="A4", print_background=True, display_header_footer=True,
                 header_template="<span></span>", footer_template=footer, outline=True, tagged=True,
                 margin={"top": "18mm", "bottom": "20mm", "left": "16mm", "right": "16mm"})
        browser.close()
    print(f"Wrote {target} ({target.stat().st_size:,} bytes, {len(titles)} chapters and appendices)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
