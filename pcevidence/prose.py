"""Numbers for prose: formatted in code, glued into the page, never typed by hand.

The formatters never round a figure taken from a source: they only choose a unit word (million,
billion) when that loses nothing. Figures computed in a chapter are rounded there, explicitly.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"]


def _plain(value: float | int | Decimal) -> str:
    """A number with thousands separators and no trailing zeros, never in exponent form."""
    d = Decimal(str(value)).normalize()
    sign, digits, exponent = d.as_tuple()
    text = format(d, "f")
    whole, _, frac = text.partition(".")
    whole_num = int(whole.replace("-", "") or 0)
    out = f"{whole_num:,}"
    if frac:
        out += "." + frac
    return ("-" if d < 0 else "") + out


def number(value) -> str:
    """1234567 -> '1,234,567'; 98.30 -> '98.3'."""
    _require(value)
    return _plain(value)


def count(value) -> str:
    """A whole count: 12590 -> '12,590'. Refuses fractions so a rate is not shown as a count."""
    _require(value)
    if float(value) != int(float(value)):
        raise ValueError(f"count() got {value!r}, which is not a whole number; round it explicitly first")
    return f"{int(float(value)):,}"


def percent(value, *, places: int | None = None) -> str:
    """98.3 -> '98.3%'. ``places`` rounds (only for figures the chapter computed)."""
    _require(value)
    if places is not None:
        return f"{float(value):,.{places}f}%"
    return _plain(value) + "%"


def money(value, *, scale: str = "auto") -> str:
    """Pounds sterling without losing digits.

    ``auto`` uses 'billion' or 'million' only when the figure is exact in that unit to at most
    three decimals (10000000 -> '£10 million'; 13176000000 -> '£13.176 billion'); otherwise it
    prints the whole figure (121.79 -> '£121.79'; 250000 -> '£250,000').
    ``scale='million'`` forces millions (13176000000 -> '£13,176 million').
    """
    _require(value)
    v = Decimal(str(value))
    sign = "-" if v < 0 else ""
    v = abs(v)
    if scale == "million" or (scale == "auto" and v >= 10**6 and v < 10**9):
        scaled = v / Decimal(10**6)
        if scale == "million" or scaled == scaled.quantize(Decimal("0.001")):
            return f"{sign}£{_plain(scaled)} million"
    if scale in ("auto", "billion") and v >= 10**9:
        scaled = v / Decimal(10**9)
        if scale == "billion" or scaled == scaled.quantize(Decimal("0.001")):
            return f"{sign}£{_plain(scaled)} billion"
    if v != v.to_integral_value():
        return f"{sign}£{v.quantize(Decimal('0.01')):,}" if v.as_tuple().exponent >= -2 else f"{sign}£{_plain(v)}"
    return f"{sign}£{_plain(v)}"


def when(value, precision: str = "day") -> str:
    """A date in words at the precision the source supports: '4 June 2026', 'June 2026', '2026'."""
    _require(value)
    if isinstance(value, str):
        parts = value.split("-")
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2]) if len(parts) > 2 else None
        if precision == "day" and day is None:
            precision = "month" if month else "year"
        if precision == "month" and month is None:
            precision = "year"
    else:
        if isinstance(value, pd.Timestamp):
            value = value.date()
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            raise TypeError(f"when() needs a date or 'YYYY[-MM[-DD]]' text, got {value!r}")
        year, month, day = value.year, value.month, value.day
    if precision == "year":
        return str(year)
    if precision == "month":
        return f"{_MONTHS[month - 1]} {year}"
    if precision == "day":
        return f"{day} {_MONTHS[month - 1]} {year}"
    raise ValueError(f"precision must be day, month or year, not {precision!r}")


QUALIFIERS = ("about", "more than")  # the words data/ puts in a qualifier column, read before the figure


def qualified(text: str, qualifier) -> str:
    """A figure in words with its qualifier from the data: 'about 37,000'; no qualifier (empty or missing) leaves
    it as it is. An unknown qualifier raises rather than being dropped."""
    if qualifier is None or qualifier != qualifier or qualifier == "":
        return text
    if qualifier not in QUALIFIERS:
        raise ValueError(f"unknown qualifier {qualifier!r}; known: {', '.join(QUALIFIERS)}")
    return f"{qualifier} {text}"


def year_span(values) -> str:
    """The years a set of dates covers, in words: '2024 to 2026', or '2025' when all fall in one year. Dates
    as in the data: 'YYYY[-MM[-DD]]' text, dates or timestamps."""
    years = sorted({int(when(v, "year")) for v in values})
    if not years:
        raise ValueError("year_span() needs at least one date")
    return str(years[0]) if years[0] == years[-1] else f"{years[0]} to {years[-1]}"


def list_in_words(items) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if not items:
        raise ValueError("list_in_words() needs at least one item")
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def first_upper(text: str) -> str:
    """Capitalise only the first letter ('wait until GP contracts...' keeps 'GP'; str.capitalize would not)."""
    return text[:1].upper() + text[1:]


def fiscal_year(start_year: int) -> str:
    """2025 -> '2025/26' (the NHS financial year starting in April of ``start_year``)."""
    return f"{start_year}/{(start_year + 1) % 100:02d}"


def _require(value) -> None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        raise ValueError("cannot format a missing value for prose; the data has no figure here")


def format_value(value, unit: str | None) -> str:
    """Format a claim's value by its unit (the units used in data/claims.csv)."""
    if unit in ("GBP",):
        return money(value)
    if unit in ("GBP per patient", "GBP per weighted patient", "GBP per hour"):
        return money(value)
    if unit == "percent":
        return percent(value)
    if unit in ("count", "patients", "practices", "people", "sites", "applications", "votes", "headcount",
                "pages", "years"):
        return count(value) if float(value) == int(float(value)) else number(value)
    return number(value)


def money_about(value) -> str:
    """A computed amount at the precision its inputs carry ('nearly £10m' over 'around 92,000' is
    'about £110', not '£108.70'): two significant figures from £10 up, one below."""
    _require(value)
    v = float(value)
    figures = 2 if abs(v) >= 10 else 1
    rounded = float(f"{v:.{figures}g}")
    return money(int(rounded) if rounded == int(rounded) else rounded)
