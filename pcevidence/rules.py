"""The project's own rules, on top of the Table Schema: the things a schema cannot say.

Each rule raises :class:`~pcevidence.data.DataError` naming the file, row and column.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pandas as pd

from . import editions
from .errors import DataError

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


def check(name: str, frame: pd.DataFrame, root: Path, table, resource: dict) -> None:
    """Apply the project's rules for table ``name`` (each rule is one function, called from here only).
    ``table`` loads another table of the same book (see :func:`pcevidence.data.tables`); ``resource`` is the
    table's descriptor in data/datapackage.json."""
    if name == "claims":
        check_claims(frame)
    elif name == "sources":
        check_sources(frame)
    elif name == "events":
        _check_dates(name, frame, ["date"])
    elif name == "search_log":
        check_search_log(frame, table)
    elif name == "evaluations":
        check_evaluations(frame, table)
    elif name == "watchlist":
        check_watchlist(frame, table)
    elif name == "unknowns":
        check_unknowns(frame, table)
    elif name == "at_a_glance":
        check_at_a_glance(frame, table)
    elif name == "revisions":
        editions.check_revisions(frame, table)
    elif name in ("findings", "seed_assertions"):
        claims = set(table("claims")["claim_id"])
        path = frame.attrs.get("path", f"data/{name}.csv")
        for i, row in enumerate(frame.itertuples(index=False), start=2):
            _require_known(path, i, "claim_ids", (row.claim_ids or "").split(), claims,
                           "names a claim_id that is not in data/claims.csv", "finding evidence")
    fields = resource.get("claim_value_fields")
    if fields:
        check_claim_agreement(name, frame, fields, table("claims"))



# -- one owner per fact: statistics tables agree with the claims that hold their quotes ----------

_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_ORDINAL_WORDS = {w: i + 1 for i, w in enumerate(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_SCALES = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}
_QUOTED_NUMBER = re.compile(r"(?<![\w.])([-\u2212]?)(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(k|m|mn|bn|million|billion|thousand)?\b",
                            re.IGNORECASE)


def numbers_in(text: str) -> set[float]:
    """Every number a quote states, as a reader would read it: '£8.8m' is 8,800,000, '12,590' is
    12590, '98.3%' is 98.3, 'eighth' is 8, 'three' is 3, '3 million' is 3,000,000, '(95% CI: -0.3' is -0.3."""
    found: set[float] = set()
    for sign, whole, frac, scale in _QUOTED_NUMBER.findall(text or ""):
        value = float(whole.replace(",", "") + (frac or ""))
        found.add(value)
        if sign:  # a minus sign that is not a hyphen between two numbers ('CI: -0.3 to 7.2')
            found.add(-value)
        if scale:
            found.add(round(value * _SCALES[scale.lower()], 6))
    for word in re.findall(r"[a-z]+", (text or "").lower()):
        if word in _NUMBER_WORDS:
            found.add(float(_NUMBER_WORDS[word]))
        if word in _ORDINAL_WORDS:
            found.add(float(_ORDINAL_WORDS[word]))
    return found


def _same(a: float, b: float) -> bool:
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


def check_claim_agreement(name: str, frame: pd.DataFrame, fields: list[str], claims: pd.DataFrame) -> None:
    """A statistics table that repeats a claim's figure must agree with it: each figure in the
    table's ``claim_value_fields`` must be the value of, or a number stated in the verbatim quote of,
    the row's claim (``claim_id``) or one of its ``other_claim_ids``. The claims (value, quote,
    source) own the figures; the table is a view of them for charts."""
    path = frame.attrs.get("path", f"data/{name}.csv")
    by_id = claims.set_index("claim_id")
    for i, row in enumerate(frame.to_dict("records"), start=2):
        ids = [row.get("claim_id")] + (row.get("other_claim_ids") or "").split()
        for claim_id in ids[1:]:
            if claim_id not in by_id.index:
                raise DataError(path, "is not a claim_id in data/claims.csv", row=i, column="other_claim_ids",
                                value=claim_id, rule="one owner per fact")
        ids = [c for c in ids if c and c in by_id.index]  # a missing claim_id is the foreign key's to report
        if not ids:
            continue
        values = [by_id.loc[c, "value"] for c in ids if pd.notna(by_id.loc[c, "value"])]
        stated = set().union(*(numbers_in(by_id.loc[c, "quote"]) for c in ids))
        for field in fields:
            value = row.get(field)
            if value is None or pd.isna(value):
                continue
            if any(_same(value, v) for v in values) or any(_same(value, n) for n in stated):
                continue
            held = ", ".join(f"{c} has {'no value' if pd.isna(by_id.loc[c, 'value']) else format(by_id.loc[c, 'value'], 'g')}"
                             for c in ids)
            raise DataError(path, f"disagrees with its claim(s) in data/claims.csv ({held}; their quotes state "
                            f"{', '.join(format(n, 'g') for n in sorted(stated)) or 'no number'}); correct "
                            "whichever is wrong (the claim, with its quote, owns the figure)", row=i, column=field,
                            value=f"{value:g}", rule="one owner per fact")


# -- the search log: where the evidence was looked for, and what became of what was found ----------

EXCLUSION_REASONS = ["already registered", "off topic", "unreliable host", "primary source preferred",
                     "undated or unverifiable", "superseded"]


def parse_exclusions(text: str | None) -> dict[str, int]:
    """'off topic: 3; already registered: 2' -> {'off topic': 3, 'already registered': 2}."""
    out: dict[str, int] = {}
    for part in (text or "").split(";"):
        part = part.strip()
        if not part:
            continue
        reason, sep, number = part.rpartition(":")
        reason, number = reason.strip(), number.strip()
        if not sep or not number.isdigit():
            raise ValueError(f"{part!r} is not 'reason: count'")
        if reason not in EXCLUSION_REASONS:
            raise ValueError(f"{reason!r} is not one of the exclusion reasons: {', '.join(EXCLUSION_REASONS)}")
        out[reason] = out.get(reason, 0) + int(number)
    return out


def check_search_log(frame: pd.DataFrame, table) -> None:
    path = frame.attrs.get("path", "data/search_log.csv")
    sources = set(table("sources")["source_id"])
    _check_dates("search_log", frame, ["date"])
    for i, row in enumerate(frame.to_dict("records"), start=2):
        found, screened, included, excluded = (int(row[c]) for c in ("records_found", "screened", "included",
                                                                      "excluded"))
        if screened > found:
            raise DataError(path, f"screened ({screened}) is more than records found ({found})", row=i,
                            column="screened", value=str(screened), rule="search counts")
        if included > screened:
            raise DataError(path, f"included ({included}) is more than screened ({screened})", row=i,
                            column="included", value=str(included), rule="search counts")
        if included + excluded != screened:
            raise DataError(path, f"included ({included}) and excluded ({excluded}) do not add up to screened "
                            f"({screened})", row=i, column="excluded", value=str(excluded), rule="search counts")
        try:
            reasons = parse_exclusions(row["exclusion_reasons"])
        except ValueError as exc:
            raise DataError(path, str(exc), row=i, column="exclusion_reasons", value=row["exclusion_reasons"],
                            rule="exclusion reasons") from exc
        if sum(reasons.values()) != excluded:
            raise DataError(path, f"the reasons count {sum(reasons.values())} exclusions but excluded is "
                            f"{excluded}", row=i, column="exclusion_reasons", value=row["exclusion_reasons"] or "",
                            rule="exclusion reasons")
        ids = (row["source_ids"] or "").split()
        _require_known(path, i, "source_ids", ids, sources,
                       "is not a source_id in data/sources.csv; register the source first", "search sources")
        if len(ids) != included:
            raise DataError(path, f"lists {len(ids)} source(s) but included is {included}; name each included "
                            "source", row=i, column="source_ids", value=row["source_ids"] or "", rule="search sources")


# -- evaluations of earlier contracts: an estimate lies inside its own interval ---------------------

def check_evaluations(frame: pd.DataFrame, table) -> None:
    path = frame.attrs.get("path", "data/evaluations.csv")
    claims = table("claims").set_index("claim_id")
    for i, row in enumerate(frame.to_dict("records"), start=2):
        est, low, high, interval = row["estimate"], row["low"], row["high"], row["interval"]
        has_low, has_high = pd.notna(low), pd.notna(high)
        if interval == "none" and (has_low or has_high):
            raise DataError(path, "has bounds but its interval is 'none'; name the interval (95% confidence "
                            "interval or range)", row=i, column="interval", value=interval, rule="evaluation interval")
        if interval != "none" and not (has_low and has_high):
            raise DataError(path, f"is a {interval} but lacks a bound (low and high are both needed)", row=i,
                            column="low" if not has_low else "high", value=interval, rule="evaluation interval")
        if has_low and has_high and low > high:
            raise DataError(path, f"the low bound {low:g} is above the high bound {high:g}", row=i, column="low",
                            value=f"{low:g}", rule="evaluation interval")
        if pd.notna(est) and has_low and has_high and not (low <= est <= high):
            raise DataError(path, f"the estimate lies outside its own interval ({low:g} to {high:g})", row=i,
                            column="estimate", value=f"{est:g}", rule="evaluation interval")
        claim_source = claims.loc[row["claim_id"], "source_id"] if row["claim_id"] in claims.index else None
        if claim_source is not None and claim_source != row["source_id"]:
            raise DataError(path, f"names source {row['source_id']} but its claim {row['claim_id']} cites "
                            f"{claim_source}", row=i, column="source_id", value=row["source_id"],
                            rule="evaluation source")


# -- what is not known yet, and what to watch -------------------------------------------------------

def _require_known(path: str, row: int, column: str, ids: list[str], known: set[str], problem: str,
                   rule: str) -> None:
    """Every id a cell lists (space-separated) must exist in the table it points to."""
    for ident in ids:
        if ident not in known:
            raise DataError(path, problem, row=row, column=column, value=ident, rule=rule)


def check_watchlist(frame: pd.DataFrame, table) -> None:
    path = frame.attrs.get("path", "data/watchlist.csv")
    claims = set(table("claims")["claim_id"])
    _check_dates("watchlist", frame, ["due"], future_years=PLANNED_YEARS)
    for i, row in enumerate(frame.to_dict("records"), start=2):
        ids = (row["claim_ids"] or "").split()
        if row["status"] != "open" and not (row["outcome"] and ids):
            raise DataError(path, f"is '{row['status']}' but lacks the outcome and the claim_ids that show it",
                            row=i, column="outcome", value=row["outcome"] or "", rule="watch outcome")
        _require_known(path, i, "claim_ids", ids, claims, "names a claim_id that is not in data/claims.csv",
                       "watch outcome")


def check_unknowns(frame: pd.DataFrame, table) -> None:
    path = frame.attrs.get("path", "data/unknowns.csv")
    searches = set(table("search_log")["search_id"])
    for i, row in enumerate(frame.to_dict("records"), start=2):
        _require_known(path, i, "search_ids", (row["search_ids"] or "").split(), searches,
                       "is not a search_id in data/search_log.csv", "unknown checked")


def check_at_a_glance(frame: pd.DataFrame, table) -> None:
    path = frame.attrs.get("path", "data/at_a_glance.csv")
    claims = set(table("claims")["claim_id"])
    searches = set(table("search_log")["search_id"])
    for i, row in enumerate(frame.to_dict("records"), start=2):
        claim_ids, search_ids = (row["claim_ids"] or "").split(), (row["search_ids"] or "").split()
        if row["status"] != "not known" and not claim_ids:
            raise DataError(path, f"is '{row['status']}' but names no claim that shows it", row=i, column="claim_ids",
                            value="", rule="glance evidence")
        if row["status"] != "known" and not search_ids:
            raise DataError(path, f"is '{row['status']}' but names no search that looked for what is missing", row=i,
                            column="search_ids", value="", rule="glance evidence")
        _require_known(path, i, "claim_ids", claim_ids, claims, "is not in data/claims.csv", "glance evidence")
        _require_known(path, i, "search_ids", search_ids, searches, "is not in data/search_log.csv", "glance evidence")
