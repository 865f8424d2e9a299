"""Editions: what the evidence was at each release, and what changed since.

``make release`` appends a snapshot of every claim, finding, event and source to ``data/editions.csv``
(a fingerprint of the fields that carry evidence, the certainty and the text). Comparing the data with
the latest snapshot gives the items added, corrected or changed and retired since that edition; the
"What's new" page is drawn from that comparison, and ``make validate`` refuses a corrected, changed or
retired item that has no reason in ``data/revisions.csv``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .data import DataError, load

# The fields whose change is a change of evidence (wording of a certainty reason is not).
FINGERPRINT_FIELDS = {
    "claim": ["statement", "value", "unit", "as_of", "source_id", "quote", "certainty"],
    "finding": ["finding", "certainty", "claim_ids"],
    "event": ["date", "event", "source_id"],
    "source": ["title", "url", "date_published", "publisher", "author"],
}
TABLES = {"claim": ("claims", "claim_id", "statement"), "finding": ("findings", "finding_id", "finding"),
          "event": ("events", "event_id", "event"), "source": ("sources", "source_id", "title")}
CERTAIN_KINDS = ("claim", "finding")


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def fingerprint(kind: str, row: dict) -> str:
    text = "\x1f".join(_cell(row.get(name)) for name in FINGERPRINT_FIELDS[kind])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def current_items(root: Path | None = None) -> pd.DataFrame:
    """Every claim, finding, event and source as the data stands now, in the snapshot's columns."""
    rows = []
    for kind, (table, key, text) in TABLES.items():
        for row in load(table, root=root).to_dict("records"):
            rows.append({"kind": kind, "item_id": row[key], "fingerprint": fingerprint(kind, row),
                         "certainty": row.get("certainty") if kind in CERTAIN_KINDS else None,
                         "text": _cell(row[text])})
    return pd.DataFrame(rows, columns=["kind", "item_id", "fingerprint", "certainty", "text"])


def snapshot_rows(version: str, released: str, root: Path | None = None) -> pd.DataFrame:
    items = current_items(root)
    items.insert(0, "released", released)
    items.insert(0, "edition", version)
    return items


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def edition_dates(root: Path | None = None) -> list[tuple[str, pd.Timestamp]]:
    """Released editions, oldest first."""
    editions = load("editions", root=root)
    if editions.empty:
        return []
    dates = editions.groupby("edition")["released"].first()
    return sorted(((v, d) for v, d in dates.items()), key=lambda vd: _version_key(vd[0]))


@dataclass
class Changes:
    since: str  # the earlier edition
    until: str  # the later edition, or "" for the data as it stands
    added: dict[str, list[str]] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)
    retired: dict[str, list[str]] = field(default_factory=dict)
    before: pd.DataFrame = field(default_factory=pd.DataFrame)
    after: pd.DataFrame = field(default_factory=pd.DataFrame)

    def empty(self) -> bool:
        return not any(any(v.values()) for v in (self.added, self.changed, self.retired))


def _snapshot(editions: pd.DataFrame, version: str) -> pd.DataFrame:
    return editions[editions["edition"] == version].drop(columns=["edition", "released"])


def compare(before: pd.DataFrame, after: pd.DataFrame, since: str, until: str) -> Changes:
    changes = Changes(since, until, before=before.set_index(["kind", "item_id"]),
                      after=after.set_index(["kind", "item_id"]))
    for kind in TABLES:
        b = before[before["kind"] == kind].set_index("item_id")["fingerprint"]
        a = after[after["kind"] == kind].set_index("item_id")["fingerprint"]
        changes.added[kind] = [i for i in a.index if i not in b.index]
        changes.retired[kind] = [i for i in b.index if i not in a.index]
        changes.changed[kind] = [i for i in a.index if i in b.index and a[i] != b[i]]
    return changes


def history(root: Path | None = None) -> list[Changes]:
    """Changes between consecutive editions (oldest first), then unreleased changes since the latest."""
    editions = load("editions", root=root)
    versions = [v for v, _ in edition_dates(root)]
    out = [compare(_snapshot(editions, a), _snapshot(editions, b), a, b) for a, b in zip(versions, versions[1:], strict=False)]
    if versions:
        unreleased = compare(_snapshot(editions, versions[-1]), current_items(root), versions[-1], "")
        if not unreleased.empty():
            out.append(unreleased)
    return out


def unreleased_changes(root: Path | None = None) -> Changes | None:
    editions = load("editions", root=root)
    versions = [v for v, _ in edition_dates(root)]
    if not versions:
        return None
    return compare(_snapshot(editions, versions[-1]), current_items(root), versions[-1], "")


def check_revisions(revisions: pd.DataFrame, root: Path | None = None) -> None:
    """Each claim corrected, finding changed and item retired since the latest edition has a reason
    in ``revisions`` (the table as loaded); no reason is recorded for a change that did not happen."""
    changes = unreleased_changes(root)
    if changes is None:
        return
    path = revisions.attrs.get("path", "data/revisions.csv")
    latest = revisions[revisions["since"] == changes.since]
    reasons = {(r.kind, r.item_id): (i, r.change) for i, r in zip(latest.index, latest.itertuples(index=False), strict=True)}
    needed = {}
    for kind in ("claim", "finding"):
        for item in changes.changed[kind]:
            needed[(kind, item)] = "corrected" if kind == "claim" else "changed"
    for kind in TABLES:
        for item in changes.retired[kind]:
            needed[(kind, item)] = "retired"
    for (kind, item), change in needed.items():
        if (kind, item) not in reasons:
            raise DataError(path, f"has no reason for {kind} {item}, {change} since edition {changes.since}; add a "
                            f"row (since={changes.since}, kind={kind}, item_id={item}, change={change}, reason)",
                            rule="revision reasons")
    for (kind, item), (index, change) in reasons.items():
        if (kind, item) not in needed and not (kind in ("event", "source") and item in changes.changed[kind]):
            raise DataError(path, f"gives a reason for {kind} {item}, but it is not {change} since edition "
                            f"{changes.since}", row=int(index) + 2, column="item_id", value=item,
                            rule="revision reasons")


def _heading(changes: Changes, dates: dict[str, pd.Timestamp]) -> str:
    from .prose import when

    if changes.until:
        return (f"Edition {changes.until} (released {when(dates[changes.until].date())}), "
                f"since edition {changes.since}")
    return f"Changes since edition {changes.since}, not yet released"


def whats_new_markdown(root: Path | None = None) -> str:
    """The "What's new" page: for each edition (newest first), the findings added, changed (text or
    certainty, with the reason) and retired, and the claims added and corrected, generated from
    ``data/editions.csv``, ``data/revisions.csv`` and the data as it stands."""
    from .book import CERTAINTY_LABEL, escape_markdown
    from .tables import CHAPTER_TITLES, markdown_table

    dates = dict(edition_dates(root))
    revisions = load("revisions", root=root)
    claims = load("claims", root=root).set_index("claim_id")
    parts = []
    for changes in reversed(history(root)):
        reasons = {(r.kind, r.item_id): r.reason for r in revisions[revisions["since"] == changes.since]
                   .itertuples(index=False)}
        a, c, r = changes.added, changes.changed, changes.retired
        parts.append(f"## {_heading(changes, dates)}\n")
        summary = pd.DataFrame([
            ("Findings", len(a["finding"]), len(c["finding"]), len(r["finding"])),
            ("Claims", len(a["claim"]), len(c["claim"]), len(r["claim"])),
            ("Dated events", len(a["event"]), len(c["event"]), len(r["event"])),
            ("Sources", len(a["source"]), len(c["source"]), len(r["source"])),
        ], columns=["Item", "Added", "Changed or corrected", "Retired"])
        parts.append(markdown_table(summary) + "\n")
        after, before = changes.after, changes.before
        if a["finding"]:
            parts.append("### Findings added\n")
            parts.append("\n".join(
                f"- {escape_markdown(after.loc[('finding', f), 'text'])} "
                f"(certainty: {CERTAINTY_LABEL[after.loc[('finding', f), 'certainty']].lower()})"
                for f in a["finding"]) + "\n")
        if c["finding"]:
            parts.append("### Findings changed\n")
            rows = []
            for f in c["finding"]:
                old, new = before.loc[("finding", f)], after.loc[("finding", f)]
                certainty = CERTAINTY_LABEL[new["certainty"]]
                if old["certainty"] != new["certainty"]:
                    certainty = f"{CERTAINTY_LABEL[old['certainty']]} to {certainty}"
                rows.append((f, new["text"], certainty, reasons.get(("finding", f), "")))
            parts.append(markdown_table(pd.DataFrame(rows, columns=["Finding", "Now reads", "Certainty", "Why"])) + "\n")
        if c["claim"]:
            parts.append("### Claims corrected\n")
            rows = [(cid, after.loc[("claim", cid), "text"], reasons.get(("claim", cid), "")) for cid in c["claim"]]
            parts.append(markdown_table(pd.DataFrame(rows, columns=["Claim", "Now reads", "Why"])) + "\n")
        retired = [(kind, i) for kind in TABLES for i in r[kind]]
        if retired:
            parts.append("### Retired\n")
            rows = [(f"{kind} {i}", before.loc[(kind, i), "text"], reasons.get((kind, i), "")) for kind, i in retired]
            parts.append(markdown_table(pd.DataFrame(rows, columns=["Item", "Read", "Why"])) + "\n")
        if a["claim"]:
            parts.append("### Claims added, by chapter\n")
            added = claims.loc[[cid for cid in a["claim"] if cid in claims.index]]
            by_chapter = added.groupby("chapter").size()
            order = [s for s in CHAPTER_TITLES if s in by_chapter.index]
            parts.append(markdown_table(pd.DataFrame({
                "Chapter": [CHAPTER_TITLES[s] for s in order],
                "Claims added": [int(by_chapter[s]) for s in order]})) + "\n")
    if not parts:
        return "Nothing has changed since the first edition.\n"
    return "\n".join(parts)
