"""Drop the theme's style rules that no page of the built book can match.

The theme ships the whole of Bootstrap's stylesheet (forms, modals, carousels, hundreds of spacing
utilities) although the book uses a small part of it; every reader downloads all of it on a first visit.
After the HTML is written, each stylesheet under ``_static`` is reduced to the rules whose selectors can
match: a selector is dropped only when it names a class that appears in no built page and no script
(scripts are read too, so classes the theme adds at run time are kept). The rule is deliberately
cautious: selectors it cannot judge (escaped names, ``:is()``, ``:where()``, ``:has()``) are kept, and
at-rules such as ``@font-face`` and ``@keyframes`` are kept whole. Stylesheets are parsed with tinycss2.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import tinycss2

_CLASS = re.compile(r"\.(-?[_a-zA-Z][\w-]*)")
_NOT = re.compile(r":not\([^()]*\)")
_ATTRIBUTE = re.compile(r"\[[^\]]*\]")
_TOKEN = re.compile(r"[A-Za-z_][\w-]*")
_UNJUDGED = ("\\", ":is(", ":where(", ":has(")
_GROUPING = {"media", "supports", "layer", "container", "document"}


def used_tokens(site: Path) -> set[str]:
    """Every word that could be a class name in the site's pages and scripts (not source maps)."""
    tokens: set[str] = set()
    for path in site.rglob("*"):
        if path.suffix in {".html", ".js"} and path.is_file():
            tokens.update(_TOKEN.findall(path.read_text(encoding="utf-8", errors="replace")))
    return tokens


def selector_may_match(selector: str, tokens: set[str]) -> bool:
    """False only when the selector requires a class that nothing in the site uses."""
    if any(mark in selector for mark in _UNJUDGED):
        return True
    # A class inside :not() need not be present for the selector to match; attribute values are not classes.
    stripped = _ATTRIBUTE.sub("", _NOT.sub("", selector))
    return all(name in tokens for name in _CLASS.findall(stripped))


def _split_selectors(prelude: str) -> list[str]:
    """Split a selector list on its top-level commas (commas inside brackets belong to one selector)."""
    parts, depth, current = [], 0, []
    for char in prelude:
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _purge_rules(rules, tokens: set[str], where: str) -> str:
    out = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = _split_selectors(tinycss2.serialize(rule.prelude))
            kept = [s for s in selectors if selector_may_match(s, tokens)]
            if kept:
                out.append(",".join(kept) + "{" + tinycss2.serialize(rule.content) + "}")
        elif rule.type == "at-rule":
            if rule.lower_at_keyword in _GROUPING and rule.content is not None:
                inner = _purge_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True),
                                     tokens, where)
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
            else:
                out.append(rule.serialize())
        elif rule.type == "error":
            raise ValueError(f"{where}: cannot parse the stylesheet ({rule.message}); refusing to rewrite it")
        elif rule.type not in {"comment", "whitespace"}:
            out.append(rule.serialize())
    return "".join(out)


def purge_stylesheet(text: str, tokens: set[str], where: str = "stylesheet") -> str:
    rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    return _purge_rules(rules, tokens, where)


def _cache_key(text: str, tokens: set[str]) -> str:
    """What the purge of one stylesheet depends on: its text, and which of the class names it mentions occur
    in the site (selector_may_match reads nothing else). Any other word on a page cannot change the result."""
    named = sorted(set(_CLASS.findall(text)) & tokens)
    digest = hashlib.sha256(text.encode())
    digest.update("\n".join(named).encode())
    return digest.hexdigest()


def purge_site(site: Path, cache: Path | None = None) -> dict[str, tuple[int, int]]:
    """Rewrite every stylesheet under ``site/_static``; returns {path: (bytes before, bytes after)}.

    With ``cache`` (an author's rebuild), a stylesheet whose text and relevant class names are unchanged since
    an earlier purge takes that purge's result instead of being parsed again."""
    tokens = used_tokens(site)
    sizes = {}
    used = set()
    for css in sorted((site / "_static").rglob("*.css")):
        before = css.read_text(encoding="utf-8")
        kept = cache / f"{_cache_key(before, tokens)}.css" if cache else None
        if kept is not None:
            used.add(kept.name)
        if kept is not None and kept.exists():
            after = kept.read_text(encoding="utf-8")
        else:
            after = purge_stylesheet(before, tokens, str(css.relative_to(site)))
            if kept is not None:
                kept.parent.mkdir(parents=True, exist_ok=True)
                kept.write_text(after, encoding="utf-8")
        if after != before:
            css.write_text(after, encoding="utf-8")
        sizes[str(css.relative_to(site))] = (len(before.encode()), len(after.encode()))
    if cache is not None and cache.exists():
        for old in cache.glob("*.css"):  # results no stylesheet of this build asked for
            if old.name not in used:
                old.unlink()
    return sizes
