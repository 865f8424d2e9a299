"""The chart function: refuses charts readers cannot trust, and saves byte-identical SVGs."""

import re

import pandas as pd
import pytest

from pcevidence import charts
from pcevidence.charts import ChartError, new_chart, save_chart

DATA = pd.DataFrame({"year": ["2024/25", "2025/26"], "value": [112.5, 121.79]})
ALT = "The global sum per weighted patient rose between 2024/25 and 2025/26."


@pytest.fixture(autouse=True)
def close_figures():
    """Each test draws its own figures; close them so they do not pile up across the module."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


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


# -- what each chart builder draws -------------------------------------------------------------------
# Each test reads the drawn figure back (bars, points, labels, limits, legend), so a builder that drops,
# repeats or mislabels a value fails here, not on the page.

def _texts(ax) -> list[str]:
    """Every text and annotation written on the axes, in drawing order."""
    return [t.get_text() for t in ax.texts]


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _hex(colour) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour).lower()


def _points(ax) -> list[tuple[float, float]]:
    """The (x, y) of every scatter point, collection by collection."""
    return [tuple(map(float, xy)) for c in ax.collections for xy in c.get_offsets()]


def test_stacked_bars_stack_each_category_and_label_its_total():
    from pcevidence import figures

    table = pd.DataFrame({"chapter": ["a", "a", "a", "b", "b", "c"],
                          "certainty": ["high", "low", "low", "high", "high", "low"]})
    fig, data = figures.stacked_bars(table, category="chapter", stack="certainty", stack_order=["high", "low"],
                                     order=["a", "b", "c"], colours={"high": "#12436D", "low": "#BFBFBF"})
    ax = fig.axes[0]
    assert data.to_dict("records") == [{"chapter": "a", "high": 1, "low": 2}, {"chapter": "b", "high": 2, "low": 0},
                                       {"chapter": "c", "high": 0, "low": 1}]
    bars_ = ax.patches
    assert len(bars_) == 6  # one segment per category and stack, even an empty one
    assert [b.get_width() for b in bars_] == [1, 2, 0, 2, 0, 1]
    assert [b.get_x() for b in bars_[3:]] == [1, 2, 0]  # the second stack starts where the first ends
    assert {_hex(b.get_facecolor()) for b in bars_[:3]} == {"#12436d"}
    assert _texts(ax) == ["a: 3", "b: 2", "c: 1"]
    assert _legend(ax) == ["high", "low"]
    assert ax.get_xlim() == pytest.approx((0, 3 * 1.02))


def test_bars_draw_each_value_with_its_label_and_highlight():
    from pcevidence import figures

    fig, ax = figures.bars(["North", "South", "Kent"], [1200, 800, 1500], highlight=["Kent"], xlabel="Patients")
    assert [b.get_width() for b in ax.patches] == [1200, 800, 1500]
    assert [_hex(b.get_facecolor()) for b in ax.patches] == ["#bfbfbf", "#bfbfbf", "#12436d"]
    assert _texts(ax) == ["North: 1,200", "South: 800", "Kent: 1,500"]
    assert ax.get_xlim() == pytest.approx((0, 1500 * 1.05))
    assert ax.get_xlabel() == "Patients"
    fig, ax = figures.bars(["A"], [3.5], value_labels=["£3.50"])
    assert _texts(ax) == ["A: £3.50"]


def test_columns_by_period_draw_one_column_per_period_with_its_value_printed():
    from pcevidence import figures

    fig, ax = figures.columns_by_period(["2023/24", "2024/25", "2025/26"], [104.73, 112.5, 121.79],
                                        value_labels=["£104.73", "£112.50", "£121.79"], ylabel="£ per patient")
    assert [b.get_height() for b in ax.patches] == [104.73, 112.5, 121.79]
    assert _texts(ax) == ["£104.73", "£112.50", "£121.79"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023/24", "2024/25", "2025/26"]
    assert ax.get_ylim() == pytest.approx((0, 121.79 * 1.18))
    with pytest.raises(ValueError):  # a value without its label is refused, not drawn unlabelled
        figures.columns_by_period(["a", "b"], [1, 2], value_labels=["1"])


def test_timeline_puts_each_event_on_its_theme_row():
    from matplotlib.dates import date2num

    from pcevidence import figures

    events = pd.DataFrame({"date": pd.to_datetime(["2020-01-01", "2021-06-01", "2022-03-01"]),
                           "theme": ["b", "a", "b"]})
    fig, ax = figures.timeline(events, themes=["a", "b"], theme_labels={"a": "Alpha", "b": "Beta"})
    assert [len(c.get_offsets()) for c in ax.collections] == [1, 2]
    assert sorted(_points(ax)) == sorted([(date2num(pd.Timestamp("2021-06-01")), 0.0),
                                          (date2num(pd.Timestamp("2020-01-01")), 1.0),
                                          (date2num(pd.Timestamp("2022-03-01")), 1.0)])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Alpha", "Beta"]


def test_log_ranges_draw_a_range_a_lower_bound_or_a_typical_size():
    from pcevidence import figures

    rows = pd.DataFrame({"model": ["Network", "Neighbourhood", "Board"], "low": [30_000, 50_000, 500_000],
                         "high": [50_000, None, None], "typical": [40_000, None, 1_000_000]})
    fig, ax = figures.log_ranges(rows, label="model", low="low", high="high", point="typical", xlabel="People")
    assert ax.get_xscale() == "log"
    assert [list(line.get_xdata()) for line in ax.lines] == [[30_000, 50_000]]  # only the row with both bounds
    # A typical size is a dark dot; a lower bound without an upper one ("or more") a lighter arrow.
    drawn = [(tuple(map(float, c.get_offsets()[0])), _hex(c.get_facecolor()[0])) for c in ax.collections]
    assert drawn == [((40_000.0, 0.0), "#12436d"), ((50_000.0, 1.0), "#2073bc"), ((500_000.0, 2.0), "#2073bc"),
                     ((1_000_000.0, 2.0), "#12436d")]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Network", "Neighbourhood", "Board"]
    assert ax.get_xlabel() == "People"


def test_strip_rank_places_every_area_and_names_the_highlighted_ones_rank():
    from pcevidence import figures

    values = pd.Series({"North": 2100.0, "Kent and Medway": 1900.0, "South": 1700.0, "East": 2300.0})
    fig, data = figures.strip_rank(values, highlight="Kent and Medway", reference=2000, reference_label="England",
                                   xlabel="Patients per GP")
    ax = fig.axes[0]
    assert data["area"].tolist() == ["East", "North", "Kent and Medway", "South"] and data["rank"].tolist() == [1, 2, 3, 4]
    assert sorted(x for x, _ in _points(ax)) == [1700, 1900, 2100, 2300]
    assert [len(c.get_offsets()) for c in ax.collections] == [3, 1]  # the others, then the highlighted area
    assert _texts(ax) == ["England\n2,000", "Kent and Medway\n1,900 (3rd of 4)"]
    assert [line.get_xdata()[0] for line in ax.lines] == [2000]  # the reference line
    assert _hex(ax.collections[1].get_facecolor()[0]) == "#12436d" != _hex(ax.collections[0].get_facecolor()[0])


@pytest.mark.parametrize("n,expected", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                                        (13, "13th"), (21, "21st"), (22, "22nd"), (42, "42nd"), (111, "111th")])
def test_ordinal_numbers(n, expected):
    from pcevidence import figures

    assert figures.ordinal(n) == expected


def test_lines_by_year_draw_a_line_per_series_with_every_point_labelled():
    from pcevidence import figures

    table = pd.DataFrame({"year": [2023, 2024, 2025] * 2, "value": [1800, 1850, 1900, 2100, 2050, 2000],
                          "area": ["England"] * 3 + ["Kent and Medway"] * 3})
    fig, ax = figures.lines_by_year(table, x="year", y="value", series="area", ylabel="Patients")
    assert [list(line.get_ydata()) for line in ax.lines] == [[1800, 1850, 1900], [2100, 2050, 2000]]
    assert [_hex(line.get_color()) for line in ax.lines] == ["#12436d", "#f46a25"]
    assert _texts(ax) == ["1,800", "1,850", "1,900", "2,100", "2,050", "2,000"]
    assert _legend(ax) == ["England", "Kent and Medway"]
    low, high = ax.get_ylim()
    assert low < 1800 and high > 2100


def test_paired_bars_draw_two_bars_per_measure_with_values_and_a_legend():
    from pcevidence import figures

    fig, ax = figures.paired_bars(["GPs", "Nurses"], [50.5, 20.0], [48.0, 22.25], labels=("Kent", "England"),
                                  value_format=lambda v: f"{v:g}")
    assert [b.get_height() for b in ax.patches] == [50.5, 20.0, 48.0, 22.25]
    assert [_hex(b.get_facecolor()) for b in ax.patches] == ["#12436d"] * 2 + ["#f46a25"] * 2
    assert _texts(ax) == ["50.5", "20", "48", "22.25"]
    assert _legend(ax) == ["Kent", "England"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["GPs", "Nurses"]
    assert ax.get_ylim() == pytest.approx((0, 50.5 * 1.18))


def test_dated_points_mark_each_measure_and_print_its_qualifier():
    from pcevidence import figures

    table = pd.DataFrame({"date": pd.to_datetime(["2025-01-01", "2025-07-01", "2025-03-01"]),
                          "value": [1000, 1500, 300], "measure": ["practices", "practices", "networks"],
                          "qualifier": ["about", "more than", ""]})
    fig, ax = figures.dated_points(table, date="date", value="value", series="measure", qualifier="qualifier")
    assert [len(c.get_offsets()) for c in ax.collections] == [2, 1]
    assert not ax.lines  # different counts are never joined into one series
    assert _texts(ax) == ["~1,000", ">1,500", "300"]
    assert _legend(ax) == ["practices", "networks"]
    assert ax.get_ylim() == pytest.approx((0, 1500 * 1.2))


def test_shares_draw_percentages_on_a_0_to_100_axis_coloured_by_group():
    from pcevidence import figures

    fig, ax = figures.shares(["2024 ballot", "2025 referendum", "2026 vote"], [98.3, 99.0, 67.7],
                             value_labels=["98.3%", "99%", "67.7%"], groups=["action", "reject", "action"])
    assert [b.get_width() for b in ax.patches] == [98.3, 99.0, 67.7]
    colours = [_hex(b.get_facecolor()) for b in ax.patches]
    assert colours[0] == colours[2] != colours[1]
    assert _texts(ax) == ["2024 ballot: 98.3%", "2025 referendum: 99%", "2026 vote: 67.7%"]
    assert ax.get_xlim() == (0, 100)
    assert _legend(ax) == ["action", "reject"]
    fig, ax = figures.shares(["a"], [10], value_labels=["10%"])
    assert ax.get_legend() is None  # no groups, no legend


def test_stance_map_places_each_statement_by_actor_and_position():
    from pcevidence import figures

    scale = ["opposes", "sceptical", "neutral", "open", "supports"]
    table = pd.DataFrame({"actor": ["Government", "BMA", "Government", "BMA"],
                          "stance": ["supports", "opposes", "supports", "sceptical"],
                          "when": ["May 2025", "June 2025", "July 2025", "May 2026"]})
    fig, ax = figures.stance_map(table, actor="actor", stance="stance", scale=scale, label="when")
    # Government is row 0, the BMA row 1; a second statement in the same place sits just below the first.
    assert _points(ax) == [(4.0, 0.0), (0.0, 1.0), (4.0, 0.32), (1.0, 1.0)]
    assert _texts(ax) == ["May 2025", "June 2025", "July 2025", "May 2026"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Government", "BMA"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Opposes", "Supports"]  # the scale's two ends
    assert _legend(ax) == ["Opposes", "Sceptical", "Neutral", "Open", "Supports"]  # every position
