"""Keep formatted bibliography entries between an author's rebuilds.

Every build, the bibliography extension formats every entry of ``references.bib`` twice (the entry and its
tooltip) before any page is written, so that citation labels are known: about a second and a half for the
book's sources, spent again after a one-word edit. In an author's rebuild (``make preview``) each formatted
entry is kept in ``_build`` under a key made of everything formatting reads (the style, the label, the entry's
type, fields and names, and the formatter's version) and reused while that key is unchanged. The strict build
(``make book``) never uses it.
"""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path


def entry_key(style, label: str, entry) -> str:
    """Everything ``BaseStyle.format_entry`` reads from its arguments, as one hash."""
    import pybtex

    persons = sorted((role, [str(p) for p in people]) for role, people in entry.persons.items())
    parts = [pybtex.__version__, type(style).__module__, type(style).__qualname__, str(style.abbreviate_names),
             str(style.min_crossrefs), label, entry.key, entry.type,
             repr(sorted((name, str(value)) for name, value in entry.fields.items())), repr(persons)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class FormattedEntries:
    """Formatted entries kept in ``path``: :meth:`install` before the bibliography is formatted, :meth:`save`
    once the build has finished (only the entries this build formatted are kept)."""

    def __init__(self, path: Path):
        self.path = path
        self.kept: dict[str, object] = {}
        self.used: dict[str, object] = {}
        self.reused = 0
        if path.exists():
            try:
                self.kept = pickle.loads(path.read_bytes())
            except Exception:  # an unreadable or outdated cache is simply rebuilt
                self.kept = {}

    def install(self) -> None:
        from pybtex.style.formatting import BaseStyle

        original = getattr(BaseStyle.format_entry, "__wrapped__", BaseStyle.format_entry)
        cache = self

        def format_entry(style, label, entry, bib_data=None):
            if bib_data is not None:  # cross-references read other entries: not keyed, so not kept
                return original(style, label, entry, bib_data=bib_data)
            key = entry_key(style, label, entry)
            if key in cache.kept:
                cache.reused += 1
                result = cache.kept[key]
            else:
                result = original(style, label, entry)
            cache.used[key] = result
            return result

        format_entry.__wrapped__ = original
        BaseStyle.format_entry = format_entry

    @staticmethod
    def uninstall() -> None:
        from pybtex.style.formatting import BaseStyle

        BaseStyle.format_entry = getattr(BaseStyle.format_entry, "__wrapped__", BaseStyle.format_entry)

    def save(self) -> None:
        if self.used:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_bytes(pickle.dumps(self.used, protocol=pickle.HIGHEST_PROTOCOL))
