"""The "How to cite" appendix, generated from CITATION.cff."""

from __future__ import annotations

from datetime import date

import yaml

from . import paths
from .markup import escape_markdown


def citation(root=None) -> dict:
    root = root or paths.project_root()
    return yaml.safe_load((root / "CITATION.cff").read_text(encoding="utf-8"))


def citation_markdown(root=None) -> str:
    cff = citation(root)
    authors = "; ".join(a.get("name") or f"{a.get('family-names', '')}, {a.get('given-names', '')}" for a in cff["authors"])
    released = cff["date-released"]
    released = released if isinstance(released, date) else date.fromisoformat(str(released))
    year = released.year
    text = (f"{escape_markdown(authors)} ({year}). *{escape_markdown(cff['title'])}*. "
            f"Version {escape_markdown(str(cff['version']))}, released {released.isoformat()}. "
            f"Licence: {escape_markdown(cff['license'])}.")
    bibtex = (f"@misc{{pcevidence{year},\n  author = {{{{{authors}}}}},\n  title = {{{{{cff['title']}}}}},\n"
              f"  year = {{{year}}},\n  version = {{{cff['version']}}},\n  note = {{Licence {cff['license']}}}\n}}")
    return f"{text}\n\nIn BibTeX:\n\n```bibtex\n{bibtex}\n```\n"
