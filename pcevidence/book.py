"""What a chapter notebook calls: ``ch = Chapter("kent-medway")``, then ``ch.glue``, ``ch.figure``,
``ch.claim`` and ``ch.key_findings``. Keeps notebooks thin and every page alike."""

from __future__ import annotations

import os
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

DEPENDENCIES_ENV = paths.DEPENDENCIES_ENV


@dataclass(frozen=True)
class TocEntry:
    """A page of the book and whether it is a numbered chapter (Sphinx numbers chapters and figures)."""

    docname: str
    title_kind: str  # "landing", "chapter" or "appendix"


@lru_cache(maxsize=4)
def _toc(root_str: str) -> list[TocEntry]:
    toc = yaml.safe_load((Path(root_str) / "_toc.yml").read_text(encoding="utf-8"))
    entries = [TocEntry(toc["root"], "landing")]
    for part in toc.get("parts", []):
        kind = "chapter" if part.get("numbered") else "appendix"
        entries.extend(TocEntry(item["file"], kind) for item in part.get("chapters", []))
    return entries


def chapter_titles(root: Path | None = None) -> dict[str, str]:
    """Each page's title, from its own first heading (the one source of chapter titles), keyed by its file
    name, in the order of _toc.yml: ``{"kent-medway": "Kent and Medway's local variation ..."}``."""
    import json

    root = root or paths.project_root()
    titles = {}
    for entry in toc_entries(root):
        base = root / entry.docname
        notebook, markdown = base.with_suffix(".ipynb"), base.with_suffix(".md")
        if notebook.exists():
            cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
            text = "".join(next(c for c in cells if c["cell_type"] == "markdown")["source"])
        else:
            text = markdown.read_text(encoding="utf-8")
        heading = re.search(r"^# (.+)$", text, flags=re.M)
        titles[Path(entry.docname).name] = heading.group(1).strip() if heading else Path(entry.docname).name
    return titles


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
        deps = os.environ.get(DEPENDENCIES_ENV)
        if deps:  # an author's cached rebuild: note which tables this chapter reads
            from .data import record_dependencies

            record_dependencies(Path(deps) / f"{slug}.tsv")
        self.root = paths.project_root()
        self.entry = toc_entry(slug, self.root)
        self.figure_dir = paths.figures_dir() / slug
        self.figure_dir.mkdir(parents=True, exist_ok=True)
        # Start clean so a renamed chart does not leave a stale file on the site.
        for old in self.figure_dir.iterdir():
            if old.suffix in (".svg", ".csv"):
                old.unlink()

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
        """Save a chart (SVG, and the CSV it was drawn from) and return it as a MyST figure: Sphinx numbers it,
        prose refers to it with ``{numref}`figure-<chapter>-<name>```, and its caption carries the source line
        and a link to download the data."""
        from IPython.display import Markdown

        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            raise charts.ChartError(f"figure name {name!r}: use lower-case letters, digits and hyphens")
        if not (caption or "").strip():
            raise charts.ChartError("caption is missing: say what the chart shows in one sentence")
        svg_path, csv_path = charts.save_chart(fig, self.figure_dir / name, alt=alt, source=source, data=data)
        width, height = charts.svg_size(svg_path)
        return Markdown(figure_markdown(
            label=figure_label(self.slug, name), image=self._site_path(svg_path), data=self._site_path(csv_path),
            caption=caption, alt=charts.check_alt(alt), source=charts.check_source(source), width=width,
            height=height))

    def download(self, frame: pd.DataFrame, name: str, text: str):
        """Offer ``frame`` for download as ``<name>.csv`` (written beside the chapter's charts; Sphinx copies it
        into the site) and return the link as Markdown."""
        from IPython.display import Markdown

        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
            raise ValueError(f"download name {name!r}: use lower-case letters, digits and hyphens")
        path = self.figure_dir / f"{name}.csv"
        frame.to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        return Markdown(f"```{{container}} pcr-download-table\n{{download}}`{escape_markdown(text)} "
                        f"<{self._site_path(path)}>`\n```\n")

    def _site_path(self, path: Path) -> str:
        """A file written during the build, as Sphinx resolves it: from the book's root (a leading '/')."""
        try:
            return "/" + path.resolve().relative_to(self.root).as_posix()
        except ValueError:  # written outside the book (a test redirects charts): an absolute path
            return path.resolve().as_posix()

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


def figure_label(chapter: str, name: str) -> str:
    """The label a chart is referred to by: ``{numref}`figure-kent-medway-money-per-patient```."""
    return f"figure-{chapter}-{name}"


def figure_markdown(*, label: str, image: str, data: str, caption: str, alt: str, source: str, width: int = 0,
                    height: int = 0) -> str:
    """A MyST figure: numbered by Sphinx, with alt text stating the finding, the caption, one source line and a
    link to the CSV. Text from the chapter is escaped so it shows as written."""
    one_line = " ".join(str(alt).split())
    size = f":width: {width}px\n" if width else ""
    return (f":::{{figure}} {image}\n:name: {label}\n:alt: {one_line}\n:figclass: pcr-figure\n{size}\n"
            f"{escape_markdown(caption)} <span class=\"pcr-source\">Source: {escape_markdown(source)}.</span> "
            f"{{download}}`Download the data (CSV) <{data}>`\n:::\n")
