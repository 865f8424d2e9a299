"""The project's own rules, on top of the Table Schema: the things a schema cannot say.

Each rule raises :class:`~pcevidence.data.DataError` naming the file, row and column.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pandas as pd

from .data import DataError

MAX_QUOTE_WORDS = 40
PLANNED_YEARS = 10  # a claim's as_of may be a planned date up to this many years ahead
EARLIEST = date(1948, 7, 5)  # the NHS began; nothing the review records can be older


def today() -> date:
    """Today, overridable (``PCEVIDENCE_TODAY=YYYY-MM-DD``) so tests are not tied to the calendar."""
    override = os.environ.get("PCEVIDENCE_TODAY")
    return date.fromisoformat(override) if override else date.today()


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text or ""))


def _partial_date_start(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    while len(parts) < 3:
        parts.append(1)
    return date(*parts)


def _check_dates(name: str, frame: pd.DataFrame, columns: list[str], *, future_years: int = 0) -> None:
    path = frame.attrs.get("path", name)
    for column in columns:
        if column not in frame:
            continue
        for i, value in enumerate(frame[column]):
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            try:
                when = _partial_date_start(value) if isinstance(value, str) else value.date()
            except ValueError as exc:
                raise DataError(path, f"is not a real date ({exc})", row=i + 2, column=column, value=value,
                                rule="date range") from exc
            latest = today().replace(year=today().year + future_years)
            if when > latest:
                limit = f"today ({today().isoformat()})" if not future_years else f"{latest.isoformat()}"
                raise DataError(path, f"is in the future: it must be no later than {limit}", row=i + 2,
                                column=column, value=str(value), rule="date range")
            if when < EARLIEST:
                raise DataError(path, f"is before {EARLIEST.isoformat()}", row=i + 2, column=column,
                                value=str(value), rule="date range")


def check_claims(frame: pd.DataFrame) -> None:
    path = frame.attrs.get("path", "data/claims.csv")
    ids = list(frame["claim_id"])
    known = set(ids)
    links = {}
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        words = word_count(row.quote)
        if words > MAX_QUOTE_WORDS:
            raise DataError(path, f"is {words} words long; quotes are at most {MAX_QUOTE_WORDS} words "
                            "(shorten it with an ellipsis, keeping the words verbatim)", row=i,
                            column="quote", value=row.quote[:60] + "…", rule="quote length")
        if (row.value is None or pd.isna(row.value)) != (row.unit is None):
            raise DataError(path, "a value needs a unit and a unit needs a value", row=i, column="unit",
                            value=row.unit, rule="value and unit together")
        targets = (row.conflicts_with or "").split()
        for target in targets:
            if target == row.claim_id:
                raise DataError(path, "a claim cannot conflict with itself", row=i, column="conflicts_with",
                                value=target, rule="conflict links")
            if target not in known:
                raise DataError(path, "names a claim_id that is not in data/claims.csv", row=i,
                                column="conflicts_with", value=target, rule="conflict links")
        links[row.claim_id] = (i, set(targets))
    for claim_id, (i, targets) in links.items():
        for target in targets:
            if claim_id not in links[target][1]:
                raise DataError(path, f"links to {target}, but {target} does not link back to {claim_id}; "
                                "conflicts are recorded on both claims", row=i, column="conflicts_with",
                                value=target, rule="conflict links")
    # A claim may describe a plan (e.g. ICB mergers from April 2027), so allow planned dates.
    _check_dates("claims", frame, ["as_of"], future_years=PLANNED_YEARS)


def check_sources(frame: pd.DataFrame) -> None:
    path = frame.attrs.get("path", "data/sources.csv")
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if not row.date_published:
            continue
        published = _partial_date_start(row.date_published)
        accessed = row.date_accessed.date()
        if accessed < published:
            raise DataError(path, f"is before the date published ({row.date_published})", row=i,
                            column="date_accessed", value=str(accessed), rule="date range")
    _check_dates("sources", frame, ["date_published", "date_accessed"])


def check(name: str, frame: pd.DataFrame, root: Path) -> None:
    if name == "claims":
        check_claims(frame)
    elif name == "sources":
        check_sources(frame)
    elif name == "events":
        _check_dates(name, frame, ["date"])
    elif name in ("findings", "seed_assertions"):
        claims = set(_load("claims", root)["claim_id"])
        path = frame.attrs.get("path", f"data/{name}.csv")
        for i, row in enumerate(frame.itertuples(index=False), start=2):
            for claim_id in (row.claim_ids or "").split():
                if claim_id not in claims:
                    raise DataError(path, "names a claim_id that is not in data/claims.csv", row=i,
                                    column="claim_ids", value=claim_id, rule="finding evidence")


def _load(name: str, root: Path) -> pd.DataFrame:
    from .data import load

    return load(name, root=root)
