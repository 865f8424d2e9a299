"""Numbers for prose are formatted without losing digits."""

from datetime import date

import pytest

from pcevidence import prose


@pytest.mark.parametrize("value, expected", [
    (10_000_000, "£10 million"),
    (82_000_000, "£82 million"),
    (13_176_000_000, "£13.176 billion"),
    (1_020_000_000, "£1.02 billion"),
    (121.79, "£121.79"),
    (112.5, "£112.50"),
    (250_000, "£250,000"),
    (26.46, "£26.46"),
    (1_234_567, "£1,234,567"),
])
def test_money_never_rounds(value, expected):
    assert prose.money(value) == expected


def test_money_in_millions_when_asked():
    assert prose.money(13_176_000_000, scale="million") == "£13,176 million"


def test_count_uses_thousands_separators_and_refuses_fractions():
    assert prose.count(12590) == "12,590"
    assert prose.count(8518.0) == "8,518"
    with pytest.raises(ValueError, match="not a whole number"):
        prose.count(2805.4)


def test_percent_keeps_source_precision_unless_rounding_is_asked():
    assert prose.percent(98.3) == "98.3%"
    assert prose.percent(67.65, places=1) == "67.7%"  # a computed share, rounded on purpose
    assert prose.percent(99) == "99%"


def test_dates_follow_their_precision():
    assert prose.when(date(2026, 6, 4)) == "4 June 2026"
    assert prose.when("2026-06") == "June 2026"
    assert prose.when("2026-06-04", "month") == "June 2026"
    assert prose.when("2019") == "2019"


def test_fiscal_year():
    assert prose.fiscal_year(2025) == "2025/26"
    assert prose.fiscal_year(1999) == "1999/00"


def test_missing_values_are_refused_not_printed_as_nan():
    with pytest.raises(ValueError, match="missing"):
        prose.money(float("nan"))
    with pytest.raises(ValueError, match="missing"):
        prose.count(None)


def test_year_span_and_list_in_words():
    from pcevidence.prose import list_in_words, year_span

    assert year_span(["2024-03-27", "2026-01", "2025"]) == "2024 to 2026"
    assert year_span(["2025-02", "2025-12-31"]) == "2025"
    assert list_in_words(["Kent"]) == "Kent"
    assert list_in_words(["Kent", "Surrey", "Sussex"]) == "Kent, Surrey and Sussex"
    with pytest.raises(ValueError):
        year_span([])


def test_qualified_puts_the_datas_qualifier_before_the_figure():
    from pcevidence.prose import qualified

    assert qualified("37,000", "about") == "about 37,000"
    assert qualified("31,000", "more than") == "more than 31,000"
    assert qualified("11,818", float("nan")) == qualified("11,818", "") == "11,818"
    with pytest.raises(ValueError, match="unknown qualifier"):
        qualified("5", "roughly")
