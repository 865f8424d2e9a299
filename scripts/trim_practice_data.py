"""Re-create the practice-level tables in data/ from the raw files in ../shared/sources.

Run from the repository root: ``python scripts/trim_practice_data.py``. It needs ../shared (the
raw files are not part of the book); the book itself builds from the trimmed copies in data/.
Columns are kept unchanged in value; only the columns the book uses are kept, and columns are
renamed to plain names. Upstream SHA-256 checksums are printed for data/datapackage.json.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "sources"

WORKFORCE = SHARED / "heec-gp-workforce" / "workforce_year_2023-2025_icb_fte.csv"
ACCESS = SHARED / "pcadi-gp-access-2025-26" / "annual_practice_access_core.csv"
ICB_POP = SHARED / "icb-gp-registered-pop-16plus-2023" / "virtual_ward_statistics.csv"


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


def main() -> int:
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
    record_checksums({"practice_workforce": WORKFORCE, "practice_access_2025_26": ACCESS,
                      "icb_population_16plus": ICB_POP})
    return 0


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
