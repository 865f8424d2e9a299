"""pcevidence: the code the chapters of the primary care contracting evidence review import.

What a chapter imports lives here; what builds and checks the site lives in :mod:`pcevidence.site`.

- :mod:`pcevidence.paths`     where the book's files are
- :mod:`pcevidence.data`      the one validated loader for ``data/`` (:mod:`pcevidence.errors` holds its error)
- :mod:`pcevidence.rules`     the project's own data rules (quotes, conflicts, dates, agreement, search log)
- :mod:`pcevidence.editions`  what the evidence was at each release, and what changed since
- :mod:`pcevidence.analysis`  computations on the practice-level data; :mod:`pcevidence.areas` boards and practices
- :mod:`pcevidence.prose`     numbers formatted for prose (then glued)
- :mod:`pcevidence.charts`    house style and saving; :mod:`pcevidence.figures` the chart builders
- :mod:`pcevidence.tables`    tables generated from data; :mod:`pcevidence.cards` tables that stack on a phone
- :mod:`pcevidence.markup`    citations, the findings box and safe text; :mod:`pcevidence.currency` how current
- :mod:`pcevidence.book`      what a chapter notebook calls (``Chapter``)

Importing the package is cheap: the names below load their modules (and pandas, matplotlib) only when used.
"""

__all__ = ["Chapter", "DataError", "load"]
__version__ = "2.0.0"

_LAZY = {"Chapter": ("book", "Chapter"), "DataError": ("errors", "DataError"), "load": ("data", "load")}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        module, attr = _LAZY[name]
        value = getattr(import_module(f"{__name__}.{module}"), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
