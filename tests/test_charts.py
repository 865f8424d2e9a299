"""The chart function: refuses charts readers cannot trust, and saves byte-identical SVGs."""

import re

import pandas as pd
import pytest

from pcevidence import charts
from pcevidence.charts import ChartError, new_chart, save_chart

DATA = pd.DataFrame({"year": ["2024/25", "2025/26"], "value": [112.5, 121.79]})
ALT = "The global sum per weighted patient rose between 2024/25 and 2025/26."


def _figure():
    fig, ax = new_chart()
    ax.bar(DATA["year"], DATA["value"])
    ax.set_title("Global sum")
    return fig


@pytest.mark.parametrize("alt", ["", "   ", None, "A bar chart", "Chart of the global sum", "Line graph of funding by year"])
def test_refuses_missing_or_generic_alt_text(tmp_path, alt):
    with pytest.raises(ChartError, match="alt text"):
        save_chart(_figure(), tmp_path / "x", alt=alt, source="NHS England", data=DATA)
    assert not (tmp_path / "x.svg").exists()


@pytest.mark.parametrize("source", ["", "  ", None])
def test_refuses_missing_source(tmp_path, source):
    with pytest.raises(ChartError, match="source line is missing"):
        save_chart(_figure(), tmp_path / "x", alt=ALT, source=source, data=DATA)
    assert not (tmp_path / "x.svg").exists()


def test_refuses_chart_without_its_data(tmp_path):
    with pytest.raises(ChartError, match="data is missing"):
        save_chart(_figure(), tmp_path / "x", alt=ALT, source="NHS England", data=pd.DataFrame())


def test_two_saves_of_the_same_chart_are_byte_identical(tmp_path):
    a, _ = save_chart(_figure(), tmp_path / "a", alt=ALT, source="NHS England", data=DATA)
    b, _ = save_chart(_figure(), tmp_path / "b", alt=ALT, source="NHS England", data=DATA)
    assert a.read_bytes() == b.read_bytes()
    assert b"<dc:date>" not in a.read_bytes()


def test_svg_keeps_text_as_text_on_an_opaque_white_background(tmp_path):
    svg, _ = save_chart(_figure(), tmp_path / "a", alt=ALT, source="NHS England", data=DATA)
    text = svg.read_text(encoding="utf-8")
    assert re.search(r"<text[^>]*>[^<]*Global sum", text), "title should be an SVG <text> element"
    assert "<dc:source>NHS England</dc:source>" in text, "the source travels with the SVG, in its metadata"
    assert "Source:" not in re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S), "the source line is printed once, in the caption"
    # The figure background is the first filled path: it must be opaque white.
    assert re.search(r"fill: ?#ffffff", text)


def test_csv_beside_the_chart_is_the_data_it_was_drawn_from(tmp_path):
    _, csv = save_chart(_figure(), tmp_path / "a", alt=ALT, source="NHS England", data=DATA)
    pd.testing.assert_frame_equal(pd.read_csv(csv), DATA)


def test_house_palette_is_the_analysis_function_palette():
    assert charts.CATEGORICAL == ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
    fig, ax = new_chart()
    line = ax.plot([0, 1], [0, 1])[0]
    assert line.get_color().lower() == "#12436d"


def _tick_labels(fig, ax):
    fig.canvas.draw()
    return [t.get_text() for t in ax.get_xticklabels() if t.get_text()]


def test_timeline_of_a_short_span_labels_half_years_not_a_single_year():
    from pcevidence import figures

    events = pd.DataFrame({"date": pd.to_datetime(["2025-01-30", "2025-09-09", "2026-06-04"]),
                           "theme": ["a", "a", "b"]})
    fig, ax = figures.timeline(events, themes=["a", "b"], theme_labels={"a": "A", "b": "B"})
    labels = _tick_labels(fig, ax)
    assert len(labels) >= 2 and any(label.startswith("Jul") for label in labels), labels


def test_timeline_of_a_long_span_labels_years():
    from pcevidence import figures

    events = pd.DataFrame({"date": pd.to_datetime(["2019-07-01", "2026-06-04"]), "theme": ["a", "a"]})
    fig, ax = figures.timeline(events, themes=["a"], theme_labels={"a": "A"})
    labels = _tick_labels(fig, ax)
    assert "2020" in labels and not any(label.startswith("Jul") for label in labels), labels


def test_chart_text_too_small_for_a_phone_is_refused(tmp_path):
    """A chart whose smallest text would show under 12 CSS px on a 390 px phone is not saved."""
    fig, ax = new_chart(width=9)
    ax.bar(DATA["year"], DATA["value"])
    ax.text(0, 50, "a label whose width fixes the chart", fontsize=7)
    ax.set_xlabel("x" * 10)
    with pytest.raises(ChartError, match="CSS px on a 390 px phone"):
        save_chart(fig, tmp_path / "tiny", alt=ALT, source="NHS England", data=DATA)
    assert not (tmp_path / "tiny.svg").exists()


def test_a_wide_chart_is_narrowed_until_its_text_is_legible_on_a_phone(tmp_path):
    fig, ax = new_chart(width=8)
    ax.bar(DATA["year"], DATA["value"])
    svg, _ = save_chart(fig, tmp_path / "wide", alt=ALT, source="NHS England", data=DATA)
    width_pt = float(re.search(r'width="([\d.]+)pt"', svg.read_text(encoding="utf-8")).group(1))
    smallest = min(float(s) for s in re.findall(r"font-size: ([\d.]+)px", svg.read_text(encoding="utf-8")))
    assert smallest * min(charts.PHONE_CHART_PX, width_pt * 4 / 3) / width_pt >= charts.MIN_TEXT_PX
