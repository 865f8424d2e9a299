"""pcevidence: the code shared by the chapters of the primary care contracting evidence review.

- :mod:`pcevidence.paths`   where the book's files are
- :mod:`pcevidence.data`    the one validated loader for ``data/``
- :mod:`pcevidence.rules`   the project's own data rules (quotes, conflicts, dates)
- :mod:`pcevidence.prose`   numbers formatted for prose (then glued)
- :mod:`pcevidence.charts`  charts in house style, saved with alt text, source and data
- :mod:`pcevidence.book`    what a chapter notebook calls (``Chapter``)
"""

from .book import Chapter
from .data import DataError, load

__all__ = ["Chapter", "DataError", "load"]
__version__ = "2.0.0"
