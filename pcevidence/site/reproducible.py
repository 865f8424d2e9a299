"""Sphinx extension: pages that do not depend on what the output folder held before the build.

Sphinx links a stylesheet with ``?v=<checksum>`` only if the file is already in the output folder when the page
is written. myst-nb copies its stylesheet there when the build finishes, so a build into a clean folder linked it
without the checksum and a rebuild with it: two builds of one commit differed on every page. The stylesheet is
put in place when the builder starts instead, so every build links it the same way.

The rest already holds and is tested (``tests/test_reproducible.py``): the footer's date is the release's
(:func:`pcevidence.site.sphinxext._edition_date`), charts are written without dates, and nothing on a page
depends on the clock, the time zone, ``SOURCE_DATE_EPOCH`` or the folder the book is built in.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def _place_notebook_stylesheet(app: Sphinx) -> None:
    if app.builder.format != "html":
        return
    from myst_nb.sphinx_ext import add_global_html_resources

    (Path(app.builder.outdir) / "_static").mkdir(parents=True, exist_ok=True)
    add_global_html_resources(app, None)  # what myst-nb does at build-finished, done before any page is written


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _place_notebook_stylesheet)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
