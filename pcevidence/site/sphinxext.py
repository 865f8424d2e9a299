"""Sphinx extension: the book's own adjustments to the build.

* Charts and their CSVs are written by the notebooks into ``_build/figures`` while they execute (never into
  ``chapters/``); each chart is a MyST figure, so Sphinx numbers it and copies its image and data into the site.
  A forced build starts that folder from nothing.
* The footer names the edition's release date and the evidence date, not the build day.
* Script and style files that would load from another origin are refused at build time.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from .. import paths
from . import csspurge

_SEARCH_SCRIPTS = re.compile(r'\s*<script src="[./]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>')
_ICON_RULES = re.compile(r'(?:\.fa-[a-z0-9-]+(?::{1,2}before)?,?)+\{content:"[^"]*"\}')


_SUMMARY_PARAGRAPH = re.compile(r'(<summary[^>]*>\s*)((?:<p class="[^"]*admonition-title">[^<]*</p>\s*)+)(</summary>)')


def _valid_html(text: str) -> str:
    """The theme's markup breaks two HTML rules a validator reports on every page: paragraphs inside a
    toggle's <summary> (only phrasing content is allowed there) and the non-standard `autocorrect` attribute
    on the search box. Both are rewritten, keeping their classes, so styles and scripts still apply."""
    def spans(match):
        inner = re.sub(r'<p (class="[^"]*")>([^<]*)</p>', r"<span \1>\2</span>", match.group(2))
        return match.group(1) + inner + match.group(3)

    text = _SUMMARY_PARAGRAPH.sub(spans, text)
    return re.sub(r'\s+autocorrect="[^"]*"', "", text)


def _postprocess_html(app: Sphinx, exception) -> None:
    """Small fixes to the theme's output, for readers:

    * Docutils marks bibliography entries role="doc-biblioentry" inside a role="list" container; that
      role is deprecated and is not a list item, so screen readers (and axe) find a broken list.
    * The theme loads the whole search index on every page for an inline search the book does not
      enable; only the search page needs it.
    * The theme's stylesheet carries ~2,000 icon-font rules; the book draws its few icons itself
      (_static/pcevidence-icons.css), so those rules are dropped (86 KB less on every first visit).
    * The theme bundles all of Bootstrap's styles; rules no page can match are dropped (about 265 KB
      less on every first visit; see :mod:`pcevidence.site.csspurge`).
    """
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    for page in out.rglob("*.html"):
        if "_static" in page.relative_to(out).parts:
            continue
        text = original = page.read_text(encoding="utf-8")
        text = text.replace('role="doc-biblioentry"', 'role="listitem"')
        text = _valid_html(text)
        if page.name != "search.html":
            text = _SEARCH_SCRIPTS.sub("", text)
        text = label_tables(text)
        text = size_charts(text, page)
        if text != original:
            page.write_text(text, encoding="utf-8")
    css = out / "_static" / "styles" / "pydata-sphinx-theme.css"
    if css.exists():
        css.write_text(_ICON_RULES.sub("", css.read_text(encoding="utf-8")), encoding="utf-8")
    _complete_redirect(out)
    # Last, once every page is final: drop style rules no page or script can match (see csspurge).
    # An author's rebuild keeps earlier results, since the stylesheets rarely change between two previews.
    kept = Path(app.srcdir) / "_build" / ".csspurge" if app.config.nb_execution_mode == "cache" else None
    csspurge.purge_site(out, kept)


_CHART = re.compile(r'<img ([^>]*?)src="([^"]*_images/[^"]+\.svg)" style="width: (\d+)px;" />')
_VIEWBOX = re.compile(r'viewBox="0 0 ([\d.]+) ([\d.]+)"')


def size_charts(text: str, page: Path) -> str:
    """Give each chart's <img> its width and height as attributes (the height from the SVG's own proportions)
    instead of a width in a style: the browser then reserves the chart's space before the SVG arrives, and the
    text below does not jump when it loads. The stylesheet's ``max-width: 100%; height: auto`` keeps it fitting
    narrower screens at the same proportions."""
    def one(match: re.Match) -> str:
        attributes, src, width = match.group(1), match.group(2), int(match.group(3))
        svg = (page.parent / src).resolve()
        box = _VIEWBOX.search(svg.read_text(encoding="utf-8")[:2000]) if svg.is_file() else None
        if box is None:
            raise ExtensionError(f"{page.name}: chart {src} has no SVG viewBox to size it by")
        height = round(width * float(box.group(2)) / float(box.group(1)))
        return f'<img {attributes}src="{src}" width="{width}" height="{height}" />'

    return _CHART.sub(one, text)


_TABLE = re.compile(r'<table class="table">(.*?)</table>', re.S)
_HEAD_CELL = re.compile(r'<th class="head"[^>]*>(.*?)</th>', re.S)
_TAG = re.compile(r"<[^>]+>")
STACK_MIN_COLUMNS = 3  # tables with at least this many columns become labelled cards on a phone


def label_tables(text: str) -> str:
    """Give every cell of a generated (Markdown) table the heading of its column (``data-label``), and mark
    tables of STACK_MIN_COLUMNS columns or more ``pcr-stack``: on a phone the stylesheet shows each row as a
    card, each cell under its heading, so no table is wider than the screen."""
    def one(match: re.Match) -> str:
        inner = match.group(1)
        head, sep, body = inner.partition("</thead>")
        if not sep:
            return match.group(0)
        labels = [html.escape(html.unescape(_TAG.sub("", h)).strip()) for h in _HEAD_CELL.findall(head)]
        if len(labels) < STACK_MIN_COLUMNS:
            return match.group(0)

        def row(row_match: re.Match) -> str:
            cells = iter(labels)
            return re.sub(r"<td(?=[ >])", lambda _m: f'<td data-label="{next(cells, "")}"', row_match.group(0))

        body = re.sub(r"<tr[ >].*?</tr>", row, body, flags=re.S)
        return f'<table class="table pcr-stack">{head}{sep}{body}</table>'

    return _TABLE.sub(one, text)


REDIRECT = re.compile(r'^<meta http-equiv="Refresh" content="0; url=([^"]+)" />\s*$')


def _complete_redirect(out: Path) -> None:
    """Jupyter Book's root page is a bare meta refresh; make it a valid HTML page with a title and a link."""
    page = out / "index.html"
    if not page.exists():
        return
    match = REDIRECT.match(page.read_text(encoding="utf-8"))
    if not match:
        return
    url = html.escape(match.group(1))
    page.write_text(f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                    f'<meta http-equiv="Refresh" content="0; url={url}">\n<title>Redirecting to the book</title>\n'
                    f'<link rel="icon" href="_static/favicon.svg">\n'
                    f'<meta name="description" content="Localised primary care contracting in England: an evidence review.">\n'
                    f'</head>\n<body><p><a href="{url}">Open the book</a></p></body>\n</html>\n', encoding="utf-8")


def _clear_figures(app: Sphinx) -> None:
    # A forced build regenerates every chart: start from nothing so no stale chart survives.
    # A cached build keeps the charts of notebooks it does not re-execute (see build._prepare_cache).
    if app.config.nb_execution_mode != "force":
        paths.figures_dir().mkdir(parents=True, exist_ok=True)
        return
    folder = paths.figures_dir()
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def _refuse_remote_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    for asset in list(context.get("script_files", [])) + list(context.get("css_files", [])):
        url = getattr(asset, "filename", str(asset))
        if isinstance(url, str) and url.startswith(("http://", "https://", "//")):
            raise ExtensionError(f"{pagename}: page would load {url} from another origin; the book must work offline")


def _edition_date(app: Sphinx, config) -> None:
    """The footer's 'Last updated' names the edition's release date and the evidence date, never the
    build day: two builds of one commit on different days give the same pages. An author's rebuild keeps the
    text in ``_build`` while CITATION.cff and the data are unchanged (working it out loads the data package)."""
    import hashlib

    from ..data import file_hash
    from .build import kept

    root = paths.project_root()
    key = hashlib.sha256(file_hash(root / "CITATION.cff").encode())
    for table in sorted((root / "data").rglob("*")):
        if table.is_file():
            key.update(f"{table.relative_to(root)}\0{file_hash(table)}\n".encode())
    text = kept(root / "_build" / ".footer-date.json", key.hexdigest(), lambda: footer_date(root),
                keep=config.nb_execution_mode == "cache")
    config.html_last_updated_fmt = text.replace("%", "%%")


def footer_date(root: Path) -> str:
    """'<release date> (edition <version>; evidence up to <date>)' from CITATION.cff and the sources cited."""
    from .. import prose
    from ..citation import citation
    from ..currency import evidence_date

    cff = citation(root)
    released = prose.when(str(cff["date-released"]))
    newest = evidence_date(None, root)
    text = f"{released} (edition {cff['version']}"
    return text + (f"; evidence up to {newest.words})" if newest else ")")


def _chapters_whose_tables_changed(app: Sphinx, env, added, changed, removed) -> list[str]:
    """In an author's cached rebuild, a chapter whose tables changed since it last executed is read again and
    its cached outputs dropped, so it re-executes; other chapters keep their cached outputs. Each chapter
    records the tables it reads, with their hashes, while it executes (pcevidence.data.record_dependencies)."""
    if app.config.nb_execution_mode != "cache":
        return []
    from ..data import file_hash

    root = Path(app.srcdir)
    folder = root / "_build" / ".dependencies"
    stale = []
    for docname in sorted(env.found_docs):
        record = folder / f"{Path(docname).name}.tsv"
        if not record.exists():
            continue  # never executed with recording on: it executes anyway (its cache is empty)
        for line in record.read_text(encoding="utf-8").splitlines():
            table, recorded = line.split("\t")
            path = root / "data" / (table if table.endswith(".json") else _table_path(root, table))
            if file_hash(path) != recorded:
                stale.append(docname)
                break
    if stale:
        from jupyter_cache import get_cache

        cache = get_cache(app.config.nb_execution_cache_path)
        notebooks = {str((root / f"{d}.ipynb").resolve()) for d in stale}
        for record in cache.list_cache_records():
            if str(Path(record.uri).resolve()) in notebooks:
                cache.remove_cache(record.pk)
        print(f"Tables changed: re-executing {', '.join(stale)}")
    return [d for d in stale if d not in changed and d not in added]


def _table_path(root: Path, name: str) -> str:
    from ..data import package

    return next((r["path"] for r in package(root)["resources"] if r["name"] == name), f"{name}.csv")


def _keep_formatted_entries(app: Sphinx, config) -> None:
    # An author's rebuild reuses the bibliography entries formatted by the previous one (see bibcache).
    if config.nb_execution_mode != "cache":
        return
    from .bibcache import FormattedEntries

    entries = FormattedEntries(Path(app.srcdir) / "_build" / ".bibtex-entries.pickle")
    entries.install()

    def save(app: Sphinx, exception) -> None:
        entries.uninstall()
        if exception is None:
            entries.save()

    app.connect("build-finished", save)


def _find_bibliography_plugins_once() -> None:
    """pybtex looks up its plugins (styles, backends) in the installed packages' entry points on every
    citation it formats or resolves: about ninety scans of every installed package's metadata per build. The
    installed packages do not change during a build, so each lookup is made once."""
    import functools

    import pybtex.plugin

    if not hasattr(pybtex.plugin.entry_points, "cache_info"):
        pybtex.plugin.entry_points = functools.lru_cache(maxsize=None)(pybtex.plugin.entry_points)


def setup(app: Sphinx) -> dict:
    _find_bibliography_plugins_once()
    app.connect("config-inited", _keep_formatted_entries)
    app.connect("env-get-outdated", _chapters_whose_tables_changed)
    app.connect("config-inited", _edition_date)
    app.connect("builder-inited", _clear_figures)
    app.connect("html-page-context", _refuse_remote_assets)
    app.connect("build-finished", _postprocess_html)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
