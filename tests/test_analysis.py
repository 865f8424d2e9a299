"""The shared computations on practice-level data, on small tables worked out by hand."""

import pandas as pd
import pytest

from pcevidence.analysis import access_by_icb, row, workforce_by_icb, workforce_england

WORKFORCE = pd.DataFrame({
    "practice_code": ["A1", "A2", "B1", "B2", "A1"],
    "fiscal_year": [2025, 2025, 2025, 2025, 2024],
    "icb_name": ["Kent and Medway", "Kent and Medway", "Other", "Other", "Kent and Medway"],
    "registered_patients": [3000.0, 3000.0, 2000.0, 9999.0, 2800.0],
    "gp_fte": [1.0, 1.0, 1.0, None, 1.0],
    "gp_headcount": [1, 1, 1, None, 1],
})


def test_patients_per_fte_leaves_out_practices_without_fte():
    table = workforce_by_icb(WORKFORCE, 2025).set_index("icb_name")
    assert table.loc["Kent and Medway", "patients_per_gp_fte"] == 3000
    assert table.loc["Other", "patients_per_gp_fte"] == 2000  # B2 (no FTE reported) is excluded
    assert table.loc["Other", "practices_without_fte"] == 1


def test_england_and_kent_by_year():
    table = workforce_england(WORKFORCE).set_index(["fiscal_year", "area"])
    assert table.loc[(2025, "England"), "patients_per_gp_fte"] == pytest.approx(8000 / 3)
    assert table.loc[(2024, "Kent and Medway"), "patients_per_gp_fte"] == 2800


def test_unknown_year_is_refused():
    with pytest.raises(ValueError, match="2030"):
        workforce_by_icb(WORKFORCE, 2030)


def test_access_rates_per_1000_registered_patients():
    access = pd.DataFrame({"practice_code": ["A1", "B1", "Z9"], "patient_months": [12000.0, 24000.0, 12000.0],
                           "appointments": [5000, 8000, 1000], "online_consultations": [1000, 500, 0]})
    table = access_by_icb(access, WORKFORCE).set_index("icb_name")
    assert table.loc["Kent and Medway", "appointments_per_1000"] == 5000  # 5,000 per 1,000 patients a year
    assert table.loc["Other", "online_consultations_per_1000"] == 250
    assert table.loc["England", "appointments_per_1000"] == pytest.approx(14000 / 4000 * 1000)
    assert table.attrs["unmatched_practices"] == 1


def test_per_patient_refuses_an_empty_denominator():
    from pcevidence.analysis import per_patient

    assert per_patient(10_000_000, 92_000) == pytest.approx(108.6956, rel=1e-4)
    with pytest.raises(ValueError):
        per_patient(1, 0)


def test_row_finds_one_row_by_name_and_refuses_none_or_several():
    frame = pd.DataFrame({"year": ["2023/24", "2024/25", "2024/25"], "stage": ["April", "April", "after award"],
                          "value": [1.0, 2.0, 3.0]})
    assert row(frame, year="2024/25", stage="after award")["value"] == 3.0
    assert row(frame.iloc[::-1], year="2024/25", stage="after award")["value"] == 3.0, "order does not matter"
    with pytest.raises(LookupError, match="2 rows have year = '2024/25'"):
        row(frame, year="2024/25")
    with pytest.raises(LookupError, match="0 rows"):
        row(frame, year="2025/26")
    with pytest.raises(KeyError, match="no column 'yaer'"):
        row(frame, yaer="2024/25")
