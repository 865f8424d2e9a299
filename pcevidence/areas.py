"""Every integrated care board against England, and Kent and Medway practice by practice.

Built on the July 2026 practice mapping (``practice_map_2026_07``: 36 boards after the April 2026
mergers), which assigns every practice to its network and board. The other practice tables are
joined to it by practice code; a practice found in one table and not in another is counted (see
:func:`coverage`), never silently dropped, and a missing value stays missing (never zero).

Rules of the computations, stated once here and on the page:

* patients per FTE GP: registered patients over fully qualified full-time-equivalent GPs (excluding locums), April 2024 to January 2025
  workforce data, practices that reported GPs only;
* network staff per 10,000 patients: network staff full-time equivalents (June 2026) over registered
  patients (July 2026), by the board each network reports to;
* appointments and online consultation requests per 1,000: April 2025 to March 2026, over the average
  registered list (patient-months / 12);
* deprivation: the IMD 2025 score of each practice's population, averaged over the board weighted by
  list size;
* patient survey: practices' % good, weighted by each practice's implied weighted base
  (weighted 'good' answers / % good), which reproduces the published England figure.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .data import DataError, load

ENGLAND = "England"
KENT_AND_MEDWAY = "Kent and Medway"

# name of the measure column -> (short heading, full label, how to format, higher is ...)
MEASURES = {
    "practices": ("Practices", "GP practices (July 2026)", "count"),
    "networks": ("Networks", "Primary care networks (July 2026)", "count"),
    "registered_patients": ("Patients", "Registered patients (July 2026)", "count"),
    "mean_list_size": ("List size", "Average practice list size (July 2026)", "count"),
    "patients_per_gp_fte": ("Patients per GP", "Patients per full-time-equivalent GP (April 2024 to January 2025)", "count"),
    "network_staff_per_10000": ("Network staff", "Network staff (FTE) per 10,000 patients (June 2026)", "one"),
    "appointments_per_1000": ("Appointments", "Appointments per 1,000 patients (2025/26)", "count"),
    "online_per_1000": ("Online requests", "Online consultation requests per 1,000 patients (2025/26)", "count"),
    "imd_score": ("Deprivation", "Deprivation score, IMD 2025 (higher is more deprived)", "one"),
    "share_75_plus": ("Aged 75+", "Patients aged 75 and over (%, July 2026)", "pct"),
    "gpps_overall_good": ("Overall experience", "Overall experience of the practice good (%, GP Patient Survey 2026)", "pct"),
    "gpps_contact_good": ("Contacting", "Experience of contacting the practice good (%, GP Patient Survey 2026)", "pct"),
}

# The rule for choosing comparable boards: the nearest boards on these measures, each standardised
# (z-score across the 36 boards), by straight-line distance.
COMPARISON_MEASURES = ["imd_score", "share_75_plus", "patients_per_gp_fte"]


def slug(name: str) -> str:
    """'Kent and Medway' -> 'kent-and-medway' (the anchor of the board on the page)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not text:
        raise ValueError(f"board name {name!r} gives an empty anchor")
    return text


def boards(root=None) -> pd.DataFrame:
    table = load("icb_boards_2026", root=root)
    return table.assign(slug=table["board"].map(slug))


def board_code(name: str, root=None) -> str:
    """The code of the board called ``name`` (as in data/icb_boards_2026.csv); a name that matches no
    board stops with the names that do exist."""
    table = boards(root)
    wanted = name.strip().lower()
    hits = table[(table["board"].str.lower() == wanted) | (table["slug"] == slug(name)) | (table["icb_code"] == name)]
    if hits.empty:
        raise DataError("data/icb_boards_2026.csv", f"no board is called {name!r}; the boards are: "
                        + ", ".join(table["board"]), column="board", value=name, rule="board name")
    return str(hits.iloc[0]["icb_code"])


def _latest_workforce(root=None) -> pd.DataFrame:
    workforce = load("practice_workforce", root=root)
    year = int(workforce["fiscal_year"].max())
    latest = workforce[workforce["fiscal_year"] == year]
    latest.attrs["fiscal_year"] = year
    return latest


def practices(root=None) -> pd.DataFrame:
    """One row per practice in the July 2026 mapping, with every measure the book holds for it.
    A measure a practice lacks in its source table is missing (NaN), never zero."""
    mapping = load("practice_map_2026_07", root=root)
    board = boards(root).set_index("icb_code")
    age = load("practice_age_2026_07", root=root).set_index("practice_code")
    imd = load("practice_imd_2025", root=root).set_index("practice_code")
    survey = load("gpps_2026_practice", root=root).set_index("practice_code")
    access = load("practice_access_2025_26", root=root).set_index("practice_code")
    workforce = _latest_workforce(root).set_index("practice_code")
    codes = mapping["practice_code"]
    table = mapping.assign(board=mapping["icb_code"].map(board["board"]))
    table["registered_patients"] = codes.map(age["registered_patients"]).astype("float64")
    table["aged_75_plus"] = codes.map(age["aged_75_plus"]).astype("float64")
    table["aged_85_plus"] = codes.map(age["aged_85_plus"]).astype("float64")
    table["share_75_plus"] = table["aged_75_plus"] / table["registered_patients"] * 100
    table["share_85_plus"] = table["aged_85_plus"] / table["registered_patients"] * 100
    table["gp_fte"] = codes.map(workforce["gp_fte"])
    table["workforce_patients"] = codes.map(workforce["registered_patients"])
    table["patients_per_gp_fte"] = (table["workforce_patients"] / table["gp_fte"]).where(table["gp_fte"] > 0)
    table["average_list_2025_26"] = codes.map(access["patient_months"]).astype("float64") / 12
    table["appointments"] = codes.map(access["appointments"]).astype("float64")
    table["online_consultations"] = codes.map(access["online_consultations"]).astype("float64")
    table["appointments_per_1000"] = table["appointments"] / table["average_list_2025_26"] * 1000
    table["online_per_1000"] = table["online_consultations"] / table["average_list_2025_26"] * 1000
    table["imd_score"] = codes.map(imd["imd_score"])
    table["gpps_overall_good"] = codes.map(survey["overall_good_pct"])
    table["gpps_contact_good"] = codes.map(survey["contact_good_pct"])
    answers = codes.map(survey["weighted_good_answers"]).astype("float64")
    table["gpps_base"] = (answers / (table["gpps_overall_good"] / 100)).where(table["gpps_overall_good"] > 0)
    table.attrs["workforce_year"] = _latest_workforce(root).attrs["fiscal_year"]
    return table


COVERAGE_TABLES = {
    "practice_age_2026_07": "Registered patients by age, July 2026",
    "practice_workforce": "GP workforce, April 2024 to January 2025",
    "practice_access_2025_26": "Appointments and online requests, 2025/26",
    "practice_imd_2025": "Deprivation score, IMD 2025",
    "gpps_2026_practice": "GP Patient Survey 2026",
}


def coverage(icb_code: str | None = None, root=None) -> pd.DataFrame:
    """For each practice table: how many practices of the mapping it lacks (or, for the survey, has no
    score for), and how many practices it holds that the mapping does not (openings, closures and mergers
    between the dates). For one board, a practice absent from the mapping can be placed only through the
    older board named in the workforce data; for the other tables that count is missing (unknown)."""
    mapping = load("practice_map_2026_07", root=root)
    mapped = set(mapping["practice_code"])
    scope = set(mapping.loc[mapping["icb_code"] == icb_code, "practice_code"]) if icb_code else mapped
    rows = []
    for name, label in COVERAGE_TABLES.items():
        frame = _latest_workforce(root) if name == "practice_workforce" else load(name, root=root)
        has = set(frame["practice_code"])
        if name == "gpps_2026_practice":
            has = set(frame.loc[frame["overall_good_pct"].notna(), "practice_code"])
        extra = set(frame["practice_code"]) - mapped
        if icb_code and name == "practice_workforce":
            olds = old_boards(root)
            old_names = set(olds.loc[olds["icb_code"] == icb_code, "old_board"])  # older boards now (partly) here
            extra_count = len(extra & set(frame.loc[frame["icb_name"].isin(old_names), "practice_code"]))
        elif icb_code:
            extra_count = np.nan
        else:
            extra_count = len(extra)
        rows.append({"table": label, "resource": name, "practices_in_mapping": len(scope),
                     "mapping_practices_missing": len(scope - has), "table_practices_not_in_mapping": extra_count})
    return pd.DataFrame(rows)


CLOSED = "(not in the July 2026 mapping: closed or merged)"


def old_boards(root=None) -> pd.DataFrame:
    """How the 42 boards named in the older workforce data (April 2024 to January 2025) map onto the 36 boards of 2026: one row
    for each older board and the 2026 board now holding its practices, with how many practices moved there
    (practices since closed or merged are counted in a row of their own)."""
    workforce = _latest_workforce(root).reset_index(drop=True)
    mapping = load("practice_map_2026_07", root=root).set_index("practice_code")
    board = boards(root).set_index("icb_code")["board"]
    named = workforce.dropna(subset=["icb_name"])
    joined = named.assign(icb_code=named["practice_code"].map(mapping["icb_code"]))
    rows = []
    for old, part in joined.groupby("icb_name"):
        if part["icb_code"].isna().all():
            raise DataError("data/practice_workforce.csv", f"board {old!r} matches no 2026 board: none of its "
                            "practices is in data/practice_map_2026_07.csv", column="icb_name", value=old,
                            rule="board name")
        for code, count in part["icb_code"].fillna("").value_counts().items():
            rows.append({"old_board": old, "icb_code": code, "board": board[code] if code else CLOSED,
                         "practices": int(count)})
    out = pd.DataFrame(rows)
    out["_closed"] = out["icb_code"] == ""
    return out.sort_values(["old_board", "_closed", "practices"], ascending=[True, True, False]) \
        .drop(columns="_closed").reset_index(drop=True)


def _summarise(part: pd.DataFrame, staff_fte: float) -> dict:
    reported = part[part["gp_fte"] > 0]
    access = part.dropna(subset=["average_list_2025_26", "appointments"])
    imd = part.dropna(subset=["imd_score", "registered_patients"])
    survey = part.dropna(subset=["gpps_overall_good", "gpps_base"])
    contact = survey.dropna(subset=["gpps_contact_good"])
    patients = part["registered_patients"].sum()

    def ratio(num, den, scale=1.0):
        return num / den * scale if den else np.nan

    return {
        "practices": len(part),
        "networks": part["pcn_code"].dropna().nunique(),
        "registered_patients": patients,
        "mean_list_size": ratio(patients, part["registered_patients"].notna().sum()),
        "patients_per_gp_fte": ratio(reported["workforce_patients"].sum(), reported["gp_fte"].sum()),
        "network_staff_fte": staff_fte,
        "network_staff_per_10000": ratio(staff_fte, patients, 10000),
        "appointments_per_1000": ratio(access["appointments"].sum(), access["average_list_2025_26"].sum(), 1000),
        "online_per_1000": ratio(access["online_consultations"].sum(), access["average_list_2025_26"].sum(), 1000),
        "imd_score": ratio((imd["imd_score"] * imd["registered_patients"]).sum(), imd["registered_patients"].sum()),
        "share_75_plus": ratio(part["aged_75_plus"].sum(), patients, 100),
        "gpps_overall_good": ratio((survey["gpps_overall_good"] * survey["gpps_base"]).sum(), survey["gpps_base"].sum()),
        "gpps_contact_good": ratio((contact["gpps_contact_good"] * contact["gpps_base"]).sum(),
                                   contact["gpps_base"].sum()),
        "practices_with_gp_fte": len(reported),
        "practices_with_access": len(access),
        "practices_with_survey": len(survey),
    }


def board_table(root=None) -> pd.DataFrame:
    """One row per board (36) and one for England: every measure in :data:`MEASURES`, with ranks."""
    table = practices(root)
    staff = load("pcn_workforce_2026_06", root=root)
    staff_by_board = staff.groupby("icb_code")["fte"].sum()
    rows = []
    for code, row in boards(root).set_index("icb_code").iterrows():
        summary = _summarise(table[table["icb_code"] == code], float(staff_by_board.get(code, 0.0)))
        rows.append({"icb_code": code, "board": row["board"], "slug": row["slug"], "region": row["region"], **summary})
    rows.append({"icb_code": "", "board": ENGLAND, "slug": "england", "region": "",
                 **_summarise(table, float(staff["fte"].sum()))})
    return pd.DataFrame(rows)


def rank(table: pd.DataFrame, measure: str, board: str) -> tuple[int, int]:
    """Position of ``board`` when the boards (England excluded) are ordered from highest to lowest."""
    boards_only = table[table["board"] != ENGLAND].set_index("board")[measure]
    return int((boards_only > boards_only[board]).sum()) + 1, len(boards_only)


def nearest_boards(table: pd.DataFrame, board: str, n: int = 3, measures: list[str] | None = None) -> pd.DataFrame:
    """The ``n`` boards most like ``board`` by the stated rule: straight-line distance between boards on
    :data:`COMPARISON_MEASURES`, each standardised to a z-score across the boards."""
    measures = measures or COMPARISON_MEASURES
    values = table[table["board"] != ENGLAND].set_index("board")[measures]
    if board not in values.index:
        raise KeyError(f"board {board!r} is not in the table")
    z = (values - values.mean()) / values.std(ddof=0)
    distance = np.sqrt(((z - z.loc[board]) ** 2).sum(axis=1)).drop(index=board)
    nearest = distance.sort_values().head(n)
    return values.loc[nearest.index].assign(distance=nearest.round(2)).reset_index()


ROLE_GROUPS = {
    "Pharmacists": "Pharmacists", "Advanced Pharmacist Practitioners": "Pharmacists",
    "Pharmacy Technicians": "Pharmacy technicians", "Care Coordinators": "Care coordinators",
    "Social Prescribing Link Workers": "Social prescribing link workers",
    "Social Prescribing Link Workers (Mental Health Practitioners)": "Social prescribing link workers",
    "Health and Wellbeing Coaches": "Health and wellbeing coaches",
    "General Practice Assistants": "General practice assistants",
    "Paramedics": "Paramedics", "Advanced Paramedic Practitioners": "Paramedics",
    "Physiotherapists": "Physiotherapists", "Advanced Physiotherapist Practitioners": "Physiotherapists",
    "Physician Associates": "Physician associates", "Nursing Associates": "Nursing associates",
    "Trainee Nursing Associates": "Nursing associates",
}


def role_group(row) -> str:
    """The role as the page groups it: the main additional roles by name; GPs, nurses, directors and
    administrative staff by staff group; other direct patient care roles together."""
    if row["staff_role"] in ROLE_GROUPS:
        return ROLE_GROUPS[row["staff_role"]]
    if "Mental Health" in row["staff_role"]:
        return "Mental health practitioners"
    return {"Other GPs": "GPs employed by networks", "Other Nurses": "Nurses", "Directors": "Clinical and other directors",
            "Other Admin/Non-clinical staff": "Managers and administrative staff"}.get(
        row["staff_group"], "Other direct patient care roles")


def network_roles(icb_code: str, root=None) -> pd.DataFrame:
    """Network staff by role group: full-time equivalents and per 10,000 patients, in the board and England."""
    staff = load("pcn_workforce_2026_06", root=root)
    staff = staff.assign(role=staff.apply(role_group, axis=1))
    table = practices(root)
    patients_board = table.loc[table["icb_code"] == icb_code, "registered_patients"].sum()
    patients_england = table["registered_patients"].sum()
    board = staff[staff["icb_code"] == icb_code].groupby("role").agg(fte=("fte", "sum"), people=("people", "sum"))
    england = staff.groupby("role")["fte"].sum()
    out = board.reindex(england.index).fillna(0).assign(england_fte=england)
    out["per_10000"] = out["fte"] / patients_board * 10000
    out["england_per_10000"] = out["england_fte"] / patients_england * 10000
    return out.sort_values("fte", ascending=False).reset_index()


def networks(icb_code: str, root=None) -> pd.DataFrame:
    """One row per network of the board: practices, patients, GPs and the network's own staff by role group.
    Practices with no network ('Unallocated' in the mapping) are one row of their own."""
    table = practices(root)
    table = table[table["icb_code"] == icb_code].copy()
    table["pcn_code"] = table["pcn_code"].fillna("")
    table["pcn_name"] = table["pcn_name"].fillna("No network (unallocated)")
    staff = load("pcn_workforce_2026_06", root=root)
    staff = staff.assign(role=staff.apply(role_group, axis=1))
    by_role = staff.pivot_table(index="pcn_code", columns="role", values="fte", aggfunc="sum")
    rows = []
    for (code, name), part in table.groupby(["pcn_code", "pcn_name"], sort=True):
        reported = part[part["gp_fte"] > 0]
        total = float(staff.loc[staff["pcn_code"] == code, "fte"].sum()) if code else np.nan
        in_staff_data = bool(code) and code in set(staff["pcn_code"])
        row = {"pcn_code": code, "pcn_name": name, "practices": len(part),
               "registered_patients": part["registered_patients"].sum(),
               "gp_fte": reported["gp_fte"].sum() if len(reported) else np.nan,
               "patients_per_gp_fte": reported["workforce_patients"].sum() / reported["gp_fte"].sum()
               if len(reported) else np.nan,
               "network_staff_fte": total if in_staff_data else np.nan}
        row["network_staff_per_10000"] = row["network_staff_fte"] / row["registered_patients"] * 10000
        for role in by_role.columns:
            row[role] = by_role.loc[code, role] if in_staff_data else np.nan
        rows.append(row)
    return pd.DataFrame(rows).sort_values("pcn_name").reset_index(drop=True)
