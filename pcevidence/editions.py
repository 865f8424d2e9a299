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

import pandas as pd

from .errors import DataError

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


def current_items(table) -> pd.DataFrame:
    """Every claim, finding, event and source as the data stands now, in the snapshot's columns."""
    rows = []
    for kind, (name, key, text) in TABLES.items():
        for row in table(name).to_dict("records"):
            rows.append({"kind": kind, "item_id": row[key], "fingerprint": fingerprint(kind, row),
                         "certainty": row.get("certainty") if kind in CERTAIN_KINDS else None,
                         "text": _cell(row[text])})
    return pd.DataFrame(rows, columns=["kind", "item_id", "fingerprint", "certainty", "text"])


def snapshot_rows(version: str, released: str, table) -> pd.DataFrame:
    items = current_items(table)
    items.insert(0, "released", released)
    items.insert(0, "edition", version)
    return items


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def edition_dates(table) -> list[tuple[str, pd.Timestamp]]:
    """Released editions, oldest first."""
    editions = table("editions")
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


def history(table) -> list[Changes]:
    """Changes between consecutive editions (oldest first), then unreleased changes since the latest."""
    editions = table("editions")
    versions = [v for v, _ in edition_dates(table)]
    out = [compare(_snapshot(editions, a), _snapshot(editions, b), a, b) for a, b in zip(versions, versions[1:], strict=False)]
    if versions:
        unreleased = compare(_snapshot(editions, versions[-1]), current_items(table), versions[-1], "")
        if not unreleased.empty():
            out.append(unreleased)
    return out


def unreleased_changes(table) -> Changes | None:
    editions = table("editions")
    versions = [v for v, _ in edition_dates(table)]
    if not versions:
        return None
    return compare(_snapshot(editions, versions[-1]), current_items(table), versions[-1], "")


def check_revisions(revisions: pd.DataFrame, table) -> None:
    """Each claim corrected, finding changed and item retired since the latest edition has a reason
    in ``revisions`` (the table as loaded); no reason is recorded for a change that did not happen."""
    changes = unreleased_changes(table)
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
