"""What a chapter notebook calls: ``ch = Chapter("kent-medway")``, then ``ch.glue``, ``ch.figure``,
``ch.claim`` and ``ch.key_findings``. Keeps notebooks thin and every page alike."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from . import charts, paths, prose
from .markup import (  # noqa: F401 (chapters import these from here)
    CERTAINTY_LABEL,
    THEME_LABELS,
    cite,
    cite_sources,
    claim,
    escape_markdown,
    findings_markdown,
    sources_for,
)


@dataclass(frozen=True)
class TocEntry:
    docname: str
    number: str  # "2" for the second numbered chapter, "" for the landing page, "A3" for appendix 3
    title_kind: str  # "landing", "chapter" or "appendix"


@lru_cache(maxsize=4)
def _toc(root_str: str) -> list[TocEntry]:
    toc = yaml.safe_load((Path(root_str) / "_toc.yml").read_text(encoding="utf-8"))
    entries = [TocEntry(toc["root"], "", "landing")]
    chapter_no = 0
    appendix_no = 0
    for part in toc.get("parts", []):
        for item in part.get("chapters", []):
            if part.get("numbered"):
                chapter_no += 1
                entries.append(TocEntry(item["file"], str(chapter_no), "chapter"))
            else:
                appendix_no += 1
                entries.append(TocEntry(item["file"], f"A{appendix_no}", "appendix"))
    return entries


def toc_entries(root: Path | None = None) -> list[TocEntry]:
    return _toc(str(root or paths.project_root()))


def _strip_ext(name: str) -> str:
    return re.sub(r"\.(ipynb|md)$", "", name)


def toc_entry(slug: str, root: Path | None = None) -> TocEntry:
    for entry in toc_entries(root):
        if Path(_strip_ext(entry.docname)).name == slug:
            return entry
    raise KeyError(f"chapter {slug!r} is not in _toc.yml; add it there first")


class Chapter:
    """The context of one chapter notebook while it executes."""

    def __init__(self, slug: str):
        # The one place the plotting backend is chosen: in the notebook's kernel, when its chapter starts.
        # Charts are saved as SVG files; nothing is drawn on screen.
        import matplotlib

        matplotlib.use("svg")
        self.slug = slug
        self.root = paths.project_root()
        self.entry = toc_entry(slug, self.root)
        self._figure_no = 0
        self.figure_dir = paths.figures_dir() / slug
        self.figure_dir.mkdir(parents=True, exist_ok=True)
        # Start clean so a renamed chart does not leave a stale file on the site.
        for old in self.figure_dir.iterdir():
            if old.suffix in (".svg", ".csv"):
                old.unlink()
        depth = len(Path(_strip_ext(self.entry.docname)).parts) - 1
        self.to_root = "../" * depth

    # -- numbers into prose ------------------------------------------------------------------
    def glue(self, name: str, text: str) -> None:
        """Glue a pre-formatted string for ``{glue:text}`name``` in the prose."""
        from myst_nb import glue

        if not isinstance(text, str):
            raise TypeError(f"glue {name!r}: format the value first (pcevidence.prose), got {type(text).__name__}")
        glue(name, text, display=False)

    def glue_claim(self, name: str, claim_id: str) -> None:
        """Glue a claim's value, formatted by its unit."""
        c = claim(claim_id, self.root)
        self.glue(name, prose.format_value(c["value"], c["unit"]))

    def glue_when(self, name: str, claim_id: str) -> None:
        """Glue the date a claim refers to, at the precision the source gives ('1 July 2019', 'July 2019')."""
        c = claim(claim_id, self.root)
        if not c["as_of"]:
            raise ValueError(f"claim {claim_id} has no as_of date to glue")
        self.glue(name, prose.when(c["as_of"]))

    # -- charts ------------------------------------------------------------------------------
    def figure(self, fig, name: str, *, caption: str, alt: str, source: str, data: pd.DataFrame):
        """Save a chart and return the HTML that shows it with its number, caption, source and data link."""
        from IPython.display import HTML

        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            raise charts.ChartError(f"figure name {name!r}: use lower-case letters, digits and hyphens")
        if not (caption or "").strip():
            raise charts.ChartError("caption is missing: say what the chart shows in one sentence")
        svg_path, csv_path = charts.save_chart(fig, self.figure_dir / name, alt=alt, source=source, data=data)
        self._figure_no += 1
        label = f"{self.entry.number}.{self._figure_no}" if self.entry.number else str(self._figure_no)
        width, height = charts.svg_size(svg_path)
        href = f"{self.to_root}figures/{self.slug}/{svg_path.name}"
        csv_href = f"{self.to_root}figures/{self.slug}/{csv_path.name}"
        e = html.escape
        markup = (
            f'<figure class="pcr-figure" id="figure-{self.slug}-{name}">'
            f'<a href="{href}"><img src="{href}" alt="{e(alt)}" width="{width}" height="{height}"></a>'
            f'<figcaption><span class="pcr-fignum">Figure {label}.</span> {e(caption)} '
            f'<span class="pcr-source">Source: {e(source)}.</span> '
            f'<a class="pcr-download" href="{csv_href}" download>Download the data (CSV)</a>'
            f"</figcaption></figure>"
        )
        return HTML(markup)

    # -- evidence ----------------------------------------------------------------------------
    def claim(self, claim_id: str) -> dict:
        return claim(claim_id, self.root)

    def key_findings(self):
        """How current the chapter's evidence is, then its Key findings box (data/findings.csv), with
        certainty and citations."""
        from IPython.display import Markdown

        from .currency import currency_markdown

        return Markdown(currency_markdown(self.slug, self.root) + "\n" + findings_markdown(self.slug, self.root))

    def currency(self):
        """Only the 'Evidence up to ...' line (for pages without key findings)."""
        from IPython.display import Markdown

        from .currency import currency_markdown

        return Markdown(currency_markdown(None if self.entry.title_kind != "chapter" else self.slug, self.root))

    def unknowns(self):
        """'What we do not know yet' from data/unknowns.csv, each item with the date it was last checked."""
        from IPython.display import Markdown

        from .currency import unknowns_markdown

        return Markdown(unknowns_markdown(self.slug, self.root))

    def watchlist(self):
        """'What to watch' from data/watchlist.csv, each item with its due date; overdue items marked."""
        from IPython.display import Markdown

        from .currency import watchlist_markdown

        return Markdown(watchlist_markdown(self.slug, self.root))
