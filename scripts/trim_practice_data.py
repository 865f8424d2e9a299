"""Re-create the practice-level tables in data/ from the raw files in ../shared/sources.

Run from the repository root: ``python scripts/trim_practice_data.py``. It needs ../shared (the
raw files are not part of the book); the book itself builds from the trimmed copies in data/.
Columns are kept unchanged in value; only the columns the book uses are kept, and columns are
renamed to plain names. Upstream SHA-256 checksums are printed for data/datapackage.json.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "sources"

WORKFORCE = SHARED / "heec-gp-workforce" / "workforce_year_2023-2025_icb_fte.csv"
ACCESS = SHARED / "pcadi-gp-access-2025-26" / "annual_practice_access_core.csv"
ICB_POP = SHARED / "icb-gp-registered-pop-16plus-2023" / "virtual_ward_statistics.csv"
# The July 2026 inputs for the area pages (trimmed by trim_area_inputs below).
PRACTICE_MAP = SHARED / "nhse-gp-prac-map-2026-07" / "gp-reg-pat-prac-map.zip"
AGE_PROFILE = SHARED / "nhse-gp-quin-age-2026-07" / "gp-reg-pat-prac-quin-age.zip"
DEPRIVATION = SHARED / "ohid-imd2025-practice" / "fingertips-imd-2025-gp-practice.csv"
PCN_WORKFORCE = SHARED / "nhse-pcn-workforce-2026-06" / "PCNWFIndividualCSV.062026.zip"
PCN_WORKFORCE_MEMBER = "1.Primary Care Networks - June 2026 Individual Level.csv"
PATIENT_SURVEY = SHARED / "gpps-2026-practice" / "gpps_slim.csv"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    print(f"wrote {path.relative_to(ROOT)}: {len(rows)} rows, sha256 {sha256(path)}")


def trim_number(text: str) -> str:
    """Drop a trailing '.0' written by upstream tools; never changes the value."""
    return text[:-2] if text.endswith(".0") else text


GROUPS = ("practice", "area")


def main(argv: list[str] | None = None) -> int:
    """Trim the named groups of raw files (default: all). 'practice' is the GP workforce, appointments and
    board population files; 'area' is the July 2026 mapping, age profile, deprivation, network workforce and
    patient survey. Refreshing one release needs only that group's raw files."""
    groups = (argv if argv is not None else sys.argv[1:]) or list(GROUPS)
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        print(f"unknown group(s) {unknown}: choose from {', '.join(GROUPS)}", file=sys.stderr)
        return 2
    upstream: dict[str, Path] = {}
    if "practice" in groups:
        status = trim_practice_inputs(upstream)
        if status:
            return status
    if "area" in groups:
        try:
            upstream.update(trim_area_inputs())
        except LayoutError as exc:
            print(f"STOPPED: {exc}", file=sys.stderr)
            return 1
    record_checksums(upstream)
    return 0


def trim_practice_inputs(upstream: dict[str, Path]) -> int:
    for source in (WORKFORCE, ACCESS, ICB_POP):
        if not source.exists():
            print(f"missing {source}: this script needs ../shared/sources beside the repository", file=sys.stderr)
            return 1
        print(f"upstream {source.relative_to(SHARED)} sha256 {sha256(source)}")

    with WORKFORCE.open(encoding="utf-8", newline="") as handle:
        rows = [
            [r["Practice.Code"], r["Year"], r["ICB_NAME"], r["TOTAL_PATIENTS"], r["TOTAL_GP_EXTGL_FTE"],
             r["TOTAL_GP_EXTGL_HC"]]
            for r in csv.DictReader(handle)
        ]
    rows.sort(key=lambda r: (r[0], r[1]))
    write(ROOT / "data" / "practice_workforce.csv",
          ["practice_code", "fiscal_year", "icb_name", "registered_patients", "gp_fte", "gp_headcount"], rows)

    with ACCESS.open(encoding="utf-8", newline="") as handle:
        rows = [
            [r["practice_code_standardised"], trim_number(r["mean_monthly_list_size"]),
             trim_number(r["annual_patient_month_exposure"]), trim_number(r["gpad_annual_total_appointments"]),
             trim_number(r["gpad_annual_face_to_face"]), trim_number(r["ocs_annual_total_submissions"])]
            for r in csv.DictReader(handle)
        ]
    rows.sort()
    write(ROOT / "data" / "practice_access_2025_26.csv",
          ["practice_code", "mean_monthly_list_size", "patient_months", "appointments",
           "face_to_face_appointments", "online_consultations"], rows)

    with ICB_POP.open(encoding="utf-8", newline="") as handle:
        seen: dict[str, list] = {}
        for r in csv.DictReader(handle):
            seen.setdefault(r["icb_code"], [r["icb_code"], r["region_code"], r["population"]])
    write(ROOT / "data" / "icb_population_16plus.csv", ["icb_code", "region_code", "population_16plus"],
          sorted(seen.values()))
    upstream.update({"practice_workforce": WORKFORCE, "practice_access_2025_26": ACCESS,
                     "icb_population_16plus": ICB_POP})
    return 0


class LayoutError(ValueError):
    """A raw file is not laid out as this script expects (renamed column, new code format, ...)."""

    def __init__(self, path: Path, problem: str, *, row: int | None = None):
        where = str(path.relative_to(SHARED)) if path.is_relative_to(SHARED) else str(path)
        super().__init__(f"{where}{f', row {row}' if row else ''}: {problem}")


PRACTICE_CODE = re.compile(r"[A-Z]\d{5}")
PCN_CODE = re.compile(r"U\d{5}")
BOARD_NAME = re.compile(r"NHS (.+) Integrated Care Board")
AGE_BANDS_75 = {"75_79", "80_84", "85_89", "90_94", "95+"}
AGE_BANDS_85 = {"85_89", "90_94", "95+"}
AGE_BANDS_65 = AGE_BANDS_75 | {"65_69", "70_74"}


def read_csv(path: Path, required: list[str], *, member: str | None = None, encoding: str = "utf-8-sig"):
    """Rows of a raw CSV (inside a zip if ``member`` is given or the zip holds one CSV), after checking
    that its header holds every column this script reads: a changed layout stops here, naming the file."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
            name = member or (names[0] if len(names) == 1 else None)
            if name not in archive.namelist():
                raise LayoutError(path, f"expected one CSV{f' named {member!r}' if member else ''} inside, found {names}")
            text = archive.read(name).decode(encoding)
    else:
        text = path.read_text(encoding=encoding)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise LayoutError(path, f"the header lacks column(s) {', '.join(missing)}; found {reader.fieldnames}", row=1)
    return list(reader)


def check_code(path: Path, row: int, value: str, pattern: re.Pattern, what: str) -> str:
    if not pattern.fullmatch(value):
        raise LayoutError(path, f"{what} {value!r} is malformed (expected {pattern.pattern})", row=row)
    return value


def trim_area_inputs() -> dict[str, Path]:
    """Trim the July 2026 practice mapping, age profile, IMD 2025 scores, June 2026 network workforce and
    GP Patient Survey 2026 into data/. Returns {resource name: upstream file} for the checksums."""
    for source in (PRACTICE_MAP, AGE_PROFILE, DEPRIVATION, PCN_WORKFORCE, PATIENT_SURVEY):
        if not source.exists():
            raise LayoutError(source, "is missing: this script needs ../shared/sources beside the repository")
        print(f"upstream {source.relative_to(SHARED)} sha256 {sha256(source)}")

    # 1. Practice -> network -> board mapping. The placeholder network 'U' ('Unallocated') is written as missing.
    rows, boards = [], {}
    for i, r in enumerate(read_csv(PRACTICE_MAP, ["EXTRACT_DATE", "PRACTICE_CODE", "PRACTICE_NAME", "PCN_CODE",
                                                  "PCN_NAME", "ONS_ICB_CODE", "ICB_CODE", "ICB_NAME",
                                                  "COMM_REGION_NAME"]), start=2):
        code = check_code(PRACTICE_MAP, i, r["PRACTICE_CODE"], PRACTICE_CODE, "practice code")
        unallocated = r["PCN_CODE"] == "U"
        pcn = "" if unallocated else check_code(PRACTICE_MAP, i, r["PCN_CODE"], PCN_CODE, "network (PCN) code")
        match = BOARD_NAME.fullmatch(r["ICB_NAME"])
        if not match:
            raise LayoutError(PRACTICE_MAP, f"board name {r['ICB_NAME']!r} is not 'NHS ... Integrated Care Board'", row=i)
        boards.setdefault(r["ICB_CODE"], [r["ICB_CODE"], r["ONS_ICB_CODE"], match.group(1), r["COMM_REGION_NAME"]])
        rows.append([code, r["PRACTICE_NAME"], pcn, "" if unallocated else r["PCN_NAME"], r["ICB_CODE"]])
    rows.sort()
    write(ROOT / "data" / "practice_map_2026_07.csv",
          ["practice_code", "practice_name", "pcn_code", "pcn_name", "icb_code"], rows)
    write(ROOT / "data" / "icb_boards_2026.csv", ["icb_code", "ons_icb_code", "board", "region"],
          sorted(boards.values(), key=lambda b: b[2]))

    # 2. Age profile: list size (ALL/ALL) and patients aged 65+, 75+ and 85+ (male plus female bands).
    ages: dict[str, dict[str, int]] = {}
    for i, r in enumerate(read_csv(AGE_PROFILE, ["ORG_TYPE", "ORG_CODE", "SEX", "AGE_GROUP_5",
                                                 "NUMBER_OF_PATIENTS"]), start=2):
        if r["ORG_TYPE"] != "GP":
            continue
        code = check_code(AGE_PROFILE, i, r["ORG_CODE"], PRACTICE_CODE, "practice code")
        entry = ages.setdefault(code, {"all": -1, "65": 0, "75": 0, "85": 0})
        n = int(r["NUMBER_OF_PATIENTS"])
        if r["SEX"] == "ALL" and r["AGE_GROUP_5"] == "ALL":
            entry["all"] = n
        elif r["SEX"] in ("MALE", "FEMALE"):
            band = r["AGE_GROUP_5"]
            entry["65"] += n if band in AGE_BANDS_65 else 0
            entry["75"] += n if band in AGE_BANDS_75 else 0
            entry["85"] += n if band in AGE_BANDS_85 else 0
    if not ages:
        raise LayoutError(AGE_PROFILE, "has no rows with ORG_TYPE 'GP'")
    rows = [[code, e["all"] if e["all"] >= 0 else "", e["65"], e["75"], e["85"]] for code, e in sorted(ages.items())]
    write(ROOT / "data" / "practice_age_2026_07.csv",
          ["practice_code", "registered_patients", "aged_65_plus", "aged_75_plus", "aged_85_plus"], rows)

    # 3. IMD 2025 deprivation score by practice.
    rows = []
    for i, r in enumerate(read_csv(DEPRIVATION, ["PRACTICE_CODE", "IMD_YEAR", "IMD_SCORE"]), start=2):
        if r["IMD_YEAR"] != "2025":
            raise LayoutError(DEPRIVATION, f"IMD_YEAR {r['IMD_YEAR']!r} is not 2025", row=i)
        rows.append([check_code(DEPRIVATION, i, r["PRACTICE_CODE"], PRACTICE_CODE, "practice code"), r["IMD_SCORE"]])
    rows.sort()
    write(ROOT / "data" / "practice_imd_2025.csv", ["practice_code", "imd_score"], rows)

    # 4. Network workforce: full-time equivalents and people summed by network, board and staff role.
    sums: dict[tuple, list] = {}
    for i, r in enumerate(read_csv(PCN_WORKFORCE, ["PCN_CODE", "ICB_CODE", "STAFF_GROUP", "STAFF_ROLE", "FTE",
                                                   "UNIQUE_IDENTIFIER"], member=PCN_WORKFORCE_MEMBER), start=2):
        pcn = check_code(PCN_WORKFORCE, i, r["PCN_CODE"], PCN_CODE, "network (PCN) code")
        key = (pcn, r["ICB_CODE"], r["STAFF_GROUP"], r["STAFF_ROLE"])
        entry = sums.setdefault(key, [0.0, set()])
        try:
            entry[0] += float(r["FTE"])
        except ValueError as exc:
            raise LayoutError(PCN_WORKFORCE, f"FTE {r['FTE']!r} is not a number", row=i) from exc
        entry[1].add(r["UNIQUE_IDENTIFIER"])
    rows = [[*key, f"{round(fte, 4):g}" if fte else "0", len(people)] for key, (fte, people) in sorted(sums.items())]
    write(ROOT / "data" / "pcn_workforce_2026_06.csv",
          ["pcn_code", "icb_code", "staff_group", "staff_role", "fte", "people"], rows)

    # 5. GP Patient Survey 2026: % good overall and for contacting the practice. -97 is the publisher's
    #    suppression code: written as missing, never as a number.
    rows = []
    for i, r in enumerate(read_csv(PATIENT_SURVEY, ["practice_code", "gpps_overall_pct", "gpps_contact_pct",
                                                    "gpps_responses"]), start=2):
        code = check_code(PATIENT_SURVEY, i, r["practice_code"], PRACTICE_CODE, "practice code")
        count = "" if r["gpps_responses"] in ("-97", "") else r["gpps_responses"]
        rows.append([code, r["gpps_overall_pct"], r["gpps_contact_pct"], count])
    rows.sort()
    write(ROOT / "data" / "gpps_2026_practice.csv",
          ["practice_code", "overall_good_pct", "contact_good_pct", "weighted_good_answers"], rows)
    return {"practice_map_2026_07": PRACTICE_MAP, "icb_boards_2026": PRACTICE_MAP, "practice_age_2026_07": AGE_PROFILE,
            "practice_imd_2025": DEPRIVATION, "pcn_workforce_2026_06": PCN_WORKFORCE,
            "gpps_2026_practice": PATIENT_SURVEY}


def record_checksums(upstream: dict[str, Path]) -> None:
    """Write each trimmed file's checksum (checked by frictionless) and its upstream file's checksum
    into data/datapackage.json, so provenance follows every refresh."""
    path = ROOT / "data" / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    for res in package["resources"]:
        if res["name"] in upstream:
            res["hash"] = "sha256:" + sha256(ROOT / "data" / res["path"])
            res["upstream_sha256"] = sha256(upstream[res["name"]])
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print("updated checksums in data/datapackage.json")


if __name__ == "__main__":
    sys.exit(main())
