"""How current the evidence is: computed from the data, never typed.

* A chapter's *evidence date* is the newest publication date among the sources its claims cite,
  shown at the precision the source gives ("5 June 2026", or "June 2026").
* The *last search* is the latest date in ``data/search_log.csv``; it is the date every "not known"
  or "has not happened" statement was last checked, and the date against which a "what to watch" item
  is judged overdue. Using the search date rather than the clock keeps two builds of one commit
  identical, and says honestly when the evidence was last looked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from . import prose
from .citation import citation
from .data import load, tables
from .editions import edition_dates
from .markup import cite, escape_markdown
from .rules import _partial_date_start, parse_exclusions


@dataclass(frozen=True)
class Dated:
    start: date  # the earliest day the partial date could mean (for ordering)
    text: str  # the date as published: YYYY, YYYY-MM or YYYY-MM-DD

    @property
    def words(self) -> str:
        return prose.when(self.text)


def _latest(texts) -> Dated | None:
    dated = [Dated(_partial_date_start(t), t) for t in texts if isinstance(t, str) and t]
    if not dated:
        return None
    # Among equal starts prefer the more precise text ('2026-06-05' over '2026-06').
    return max(dated, key=lambda d: (d.start, len(d.text)))


def evidence_date(chapter: str | None = None, root: Path | None = None) -> Dated | None:
    """The newest publication date among the sources cited by the claims of ``chapter`` (all when None)."""
    claims = load("claims", root=root)
    if chapter:
        claims = claims[claims["chapter"] == chapter]
    sources = load("sources", root=root).set_index("source_id")
    cited = sources.loc[sorted(set(claims["source_id"]))] if len(claims) else sources.iloc[0:0]
    return _latest(cited["date_published"])


def last_search(chapter: str | None = None, root: Path | None = None) -> date | None:
    log = load("search_log", root=root)
    if chapter:
        log = log[log["chapter"] == chapter]
    return None if log.empty else log["date"].max().date()


def currency_markdown(chapter: str | None, root: Path | None = None) -> str:
    """The line each chapter opens with: 'Evidence up to 5 June 2026 ...'."""
    newest = evidence_date(chapter, root)
    if newest is None:
        return ""
    searched = last_search(None, root)
    text = f"**Evidence up to {newest.words}**: the newest source this {'chapter' if chapter else 'review'} cites."
    if searched:
        text += f" Sources were last searched on {prose.when(searched)}."
    return f"```{{container}} pcr-currency\n{text}\n```\n"


def unknowns_markdown(chapter: str, root: Path | None = None) -> str:
    """'What we do not know yet', each item with the date it was last checked."""
    unknowns = load("unknowns", root=root)
    unknowns = unknowns[unknowns["chapter"] == chapter]
    if unknowns.empty:
        raise ValueError(f"data/unknowns.csv has nothing for chapter {chapter!r}; a chapter lists what is not known")
    log = load("search_log", root=root).set_index("search_id")
    lines = []
    for row in unknowns.itertuples(index=False):
        checked = max(log.loc[s, "date"] for s in row.search_ids.split())
        lines.append(f"- {escape_markdown(row.statement)} *(Last checked {prose.when(checked.date())}.)*")
    return "\n".join(lines) + "\n"


def watch_status(row, as_at: date | None) -> str:
    """'open', 'overdue', 'happened' or 'did not happen' as at the last search."""
    if row["status"] != "open":
        return row["status"]
    due = _partial_date_start(row["due"])
    # A due date given as a month or a year is due by the end of it.
    if len(row["due"]) == 4:
        due = date(due.year, 12, 31)
    elif len(row["due"]) == 7:
        due = (pd.Timestamp(due) + pd.offsets.MonthEnd(0)).date()
    return "overdue" if as_at and as_at > due else "open"


def watchlist_frame(chapter: str | None, root: Path | None = None) -> pd.DataFrame:
    watch = load("watchlist", root=root)
    if chapter:
        watch = watch[watch["chapter"] == chapter]
    as_at = last_search(None, root)
    watch = watch.assign(state=[watch_status(r, as_at) for r in watch.to_dict("records")])
    watch.attrs["as_at"] = as_at
    return watch


def watchlist_markdown(chapter: str, root: Path | None = None) -> str:
    """'What to watch': each item with its due date; open items past due are marked overdue by the build."""

    watch = watchlist_frame(chapter, root)
    if watch.empty:
        raise ValueError(f"data/watchlist.csv has nothing for chapter {chapter!r}")
    as_at = watch.attrs["as_at"]
    lines = []
    for row in watch.to_dict("records"):
        due = prose.when(row["due"])
        basis = "planned" if row["due_basis"] == "published plan" else "expected"
        state = row["state"]
        if state == "overdue":
            label = (f"<span class=\"pcr-overdue\">Overdue</span>: {basis} by {due}; not reported by the last "
                     f"search on {prose.when(as_at)}.")
        elif state == "open":
            label = f"{prose.first_upper(basis)} by {due}."
        else:
            label = f"**{prose.first_upper(state)}**: {escape_markdown(row['outcome'])}"
        citation = f" {cite(row['claim_ids'].split(), root)}" if row["claim_ids"] else ""
        lines.append(f"- {escape_markdown(row['item'])} {label}{citation}")
    return "\n".join(lines) + "\n"



def search_summary(root: Path | None = None) -> dict:
    """What the search log adds up to, for the methods page and its flow figure: the counts at each stage,
    the exclusions by reason, and the register as carried over from the previous edition and now."""

    log = load("search_log", root=root)
    sources = load("sources", root=root)
    editions = load("editions", root=root)

    # The previous edition is the newest snapshot other than this version's own (which, once released,
    # holds this edition's sources).
    version = str(citation(root)["version"]) if root is None or (Path(root) / "CITATION.cff").exists() else ""
    older = [v for v, _ in edition_dates(tables(root)) if v != version]
    previous = older[-1] if older else None
    carried = set(editions.loc[editions["edition"].eq(previous) & editions["kind"].eq("source"), "item_id"]) \
        if previous else set()
    included = sorted({s for ids in log["source_ids"].fillna("") for s in ids.split()})
    reasons: dict[str, int] = {}
    for text in log["exclusion_reasons"].fillna(""):
        for reason, n in parse_exclusions(text).items():
            reasons[reason] = reasons.get(reason, 0) + n
    counts = {"searches": len(log), "found": int(log["records_found"].sum()), "screened": int(log["screened"].sum()),
              "excluded": int(log["excluded"].sum()), "included": int(log["included"].sum()),
              "new": len([s for s in included if s not in carried])}
    counts["repeats"] = counts["found"] - counts["screened"]
    return {"counts": counts, "reasons": reasons, "previous": previous, "carried": len(carried),
            "total": len(sources), "first": log["date"].min().date(), "last": log["date"].max().date()}
