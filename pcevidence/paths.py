"""Where the book's files live (the ``bookdata`` half of the package).

The project root is found from the working directory rather than from this file, so that a copy
of the book (for example one made by a test, with a changed CSV) reads its *own* data even when the
package is installed from another checkout. ``PCEVIDENCE_ROOT`` overrides the search.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT_ENV = "PCEVIDENCE_ROOT"
# Set by an author's cached rebuild (pcevidence.site.build) to the folder where each chapter records the tables it
# reads. Here, not in the chapter helper, so the build can name it without importing pandas and matplotlib.
DEPENDENCIES_ENV = "PCEVIDENCE_DEPENDENCIES"


def _is_root(path: Path) -> bool:
    return (path / "_config.yml").is_file() and (path / "data" / "datapackage.json").is_file()


def project_root() -> Path:
    """The folder holding ``_config.yml`` and ``data/datapackage.json``."""
    override = os.environ.get(ROOT_ENV)
    if override:
        root = Path(override).resolve()
        if not _is_root(root):
            raise FileNotFoundError(
                f"{ROOT_ENV}={override} does not hold _config.yml and data/datapackage.json"
            )
        return root
    here = Path.cwd().resolve()
    for candidate in (here, *here.parents):
        if _is_root(candidate):
            return candidate
    fallback = Path(__file__).resolve().parents[1]
    if _is_root(fallback):
        return fallback
    raise FileNotFoundError(
        f"No book found: neither {here} nor its parents hold _config.yml and data/datapackage.json"
    )


def data_dir() -> Path:
    return project_root() / "data"


def build_dir() -> Path:
    return project_root() / "_build"


FIGURES_ENV = "PCEVIDENCE_FIGURES"


def figures_dir() -> Path:
    """Charts and their CSVs are written here during a build, then copied into the HTML output.

    ``PCEVIDENCE_FIGURES`` redirects them (tests that execute notebooks outside a build use it, so
    they never touch a build in progress)."""
    override = os.environ.get(FIGURES_ENV)
    return Path(override) if override else build_dir() / "figures"
