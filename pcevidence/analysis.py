"""Computations the chapters share, on the bundled practice-level NHS data.

Kept here, with tests, so every chapter computes Kent and Medway against England the same way.
"""

from __future__ import annotations

import pandas as pd

KENT_AND_MEDWAY = "Kent and Medway"


def row(frame: pd.DataFrame, **where) -> pd.Series:
    """The one row of ``frame`` whose named columns hold the given values: ``row(funding, financial_year="2024/25",
    stage="April uplift")``. A look-up by name, never by position, so a reordered or extended table cannot
    silently change which figure a chapter prints: no match, or more than one, raises and says which."""
    missing = [column for column in where if column not in frame.columns]
    if missing:
        raise KeyError(f"no column {', '.join(map(repr, missing))}; the columns are: {', '.join(map(str, frame.columns))}")
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    matches = frame[mask]
    wanted = ", ".join(f"{column} = {value!r}" for column, value in where.items())
    if len(matches) != 1:
        raise LookupError(f"{len(matches)} rows have {wanted}; exactly one was expected")
    return matches.iloc[0]

# The bundled workforce table averages the monthly counts of each NHS financial year; its last year
# stops at the January 2025 count (see the resource's description in data/datapackage.json), so it
# is named by the months it covers, never as a whole financial year.
PARTIAL_WORKFORCE_YEARS = {2025: "April 2024 to January 2025"}


def workforce_period(fiscal_year: int, *, short: bool = False) -> str:
    """What a workforce 'fiscal_year' covers: 2024 -> '2023/24'; 2025 -> 'April 2024 to January 2025'
    (or '2024/25 (April to January)' when ``short``, for chart labels)."""
    fiscal_year = int(fiscal_year)
    whole = f"{fiscal_year - 1}/{fiscal_year % 100:02d}"
    if fiscal_year in PARTIAL_WORKFORCE_YEARS:
        return f"{whole} (to January)" if short else PARTIAL_WORKFORCE_YEARS[fiscal_year]
    return whole


def workforce_by_icb(workforce: pd.DataFrame, fiscal_year: int) -> pd.DataFrame:
    """Registered patients per fully qualified FTE GP by ICB in one financial year.

    Practices that report no GP FTE (missing, not zero) are left out of both the patients and the
    GPs, so a gap in reporting does not inflate the ratio; their number is kept in the table.
    """
    year = workforce[workforce["fiscal_year"] == fiscal_year]
    if year.empty:
        raise ValueError(f"no workforce rows for fiscal_year {fiscal_year}")
    reported = year[year["gp_fte"].notna() & year["icb_name"].notna()]
    table = reported.groupby("icb_name").agg(practices=("practice_code", "nunique"),
                                              registered_patients=("registered_patients", "sum"),
                                              gp_fte=("gp_fte", "sum")).reset_index()
    missing = year[year["gp_fte"].isna()].groupby("icb_name")["practice_code"].nunique()
    table["practices_without_fte"] = table["icb_name"].map(missing).fillna(0).astype(int)
    table["patients_per_gp_fte"] = table["registered_patients"] / table["gp_fte"]
    return table.sort_values("patients_per_gp_fte", ascending=False).reset_index(drop=True)


def workforce_england(workforce: pd.DataFrame) -> pd.DataFrame:
    """England and Kent and Medway, each year: practices, patients, FTE GPs and patients per FTE GP."""
    rows = []
    for year in sorted(workforce["fiscal_year"].dropna().unique()):
        table = workforce_by_icb(workforce, int(year))
        for area, part in (("England", table), (KENT_AND_MEDWAY, table[table["icb_name"] == KENT_AND_MEDWAY])):
            patients, fte = part["registered_patients"].sum(), part["gp_fte"].sum()
            rows.append({"fiscal_year": int(year), "area": area, "practices": int(part["practices"].sum()),
                         "registered_patients": patients, "gp_fte": fte, "patients_per_gp_fte": patients / fte})
    return pd.DataFrame(rows)


def practice_icb(workforce: pd.DataFrame) -> pd.Series:
    """Each practice's ICB, from its latest workforce record."""
    latest = workforce.dropna(subset=["icb_name"]).sort_values("fiscal_year").groupby("practice_code").tail(1)
    return latest.set_index("practice_code")["icb_name"]


def access_by_icb(access: pd.DataFrame, workforce: pd.DataFrame) -> pd.DataFrame:
    """Appointments and online consultations per 1,000 registered patients, April 2025 to March 2026.

    The denominator is the average registered list over the year (patient-months divided by 12).
    Practices whose ICB is not known from the workforce data are counted in England only.
    """
    joined = access.assign(icb_name=access["practice_code"].map(practice_icb(workforce)),
                           average_list=access["patient_months"] / 12)
    table = joined.groupby("icb_name").agg(practices=("practice_code", "nunique"),
                                           average_list=("average_list", "sum"),
                                           appointments=("appointments", "sum"),
                                           online_consultations=("online_consultations", "sum")).reset_index()
    england = pd.DataFrame([{"icb_name": "England", "practices": joined["practice_code"].nunique(),
                             "average_list": joined["average_list"].sum(),
                             "appointments": joined["appointments"].sum(),
                             "online_consultations": joined["online_consultations"].sum()}])
    table = pd.concat([table, england], ignore_index=True)
    table["appointments_per_1000"] = table["appointments"] / table["average_list"] * 1000
    table["online_consultations_per_1000"] = table["online_consultations"] / table["average_list"] * 1000
    table.attrs["unmatched_practices"] = int(joined["icb_name"].isna().sum())
    return table


def partial_date(text: str) -> pd.Timestamp:
    """'2025-09' -> 1 September 2025; '2025' -> 1 January 2025 (the start of the period named)."""
    parts = str(text).split("-")
    while len(parts) < 3:
        parts.append("01")
    return pd.Timestamp("-".join(parts))


def financial_year(text: str) -> str:
    """'2024-04' (the first month of a financial year) -> '2024/25'."""
    year = int(str(text)[:4])
    return f"{year}/{(year + 1) % 100:02d}"


def per_patient(amount: float, patients: float) -> float:
    """Pounds per patient per year, unrounded (round only for display)."""
    if not patients or patients <= 0:
        raise ValueError(f"cannot spread {amount} over {patients} patients")
    return amount / patients


def events_in_order(events: pd.DataFrame) -> pd.DataFrame:
    """Dated events in the order the book shows them, by date and then by ``event_id`` (so events on one day
    always come in the same order), with ``number`` counting them from 1: a chart that numbers its events and
    the table that lists them (``pcevidence.tables.events_markdown(..., numbered=True)``) agree."""
    keys = ["date", "event_id"] if "event_id" in events.columns else ["date"]
    ordered = events.sort_values(keys, kind="stable").reset_index(drop=True)
    return ordered.assign(number=range(1, len(ordered) + 1))
