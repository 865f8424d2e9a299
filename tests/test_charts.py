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


def test_log_ranges_draw_a_range_a_lower_bound_or_a_typical_size():
    from pcevidence import figures

    rows = pd.DataFrame({"model": ["Network", "Neighbourhood", "Board"], "low": [30_000, 50_000, 500_000],
                         "high": [50_000, None, None], "typical": [40_000, None, 1_000_000]})
    fig, ax = figures.log_ranges(rows, label="model", low="low", high="high", point="typical", xlabel="People")
    assert ax.get_xscale() == "log"
    assert [list(line.get_xdata()) for line in ax.lines] == [[30_000, 50_000]]  # only the row with both bounds
    # A typical size is a dark dot; a lower bound without an upper one ("or more") a lighter arrow.
    drawn = [(float(c.get_offsets()[0][0]), _hex(c.get_facecolor()[0])) for c in ax.collections]
    assert drawn == [(40_000.0, "#12436d"), (50_000.0, "#2073bc"), (500_000.0, "#2073bc"), (1_000_000.0, "#12436d")]
    rows_y = [float(c.get_offsets()[0][1]) for c in ax.collections]
    assert rows_y[0] < rows_y[1] < rows_y[2] == rows_y[3]  # one row each, in order; a range and its dot share one
    assert _texts(ax) == ["Network", "Neighbourhood", "Board"]  # each row named on its own line above it
    assert not ax.get_yticklabels() and ax.get_xlabel() == "People"


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
    # Government is row 0; a second statement in the same place sits just below the first, so the BMA's row
    # stands that much lower.
    assert _points(ax) == [(4.0, 0.0), (0.0, 1.32), (4.0, 0.32), (1.0, 1.32)]
    assert _texts(ax) == ["May 2025", "June 2025", "July 2025", "May 2026", "Government", "BMA"]  # names above rows
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Opposes", "Supports"]  # the scale's two ends
    assert _legend(ax) == ["Opposes", "Sceptical", "Neutral", "Open", "Supports"]  # every position


# -- timelines: every event named on the chart --------------------------------------------------------

EVENTS = pd.DataFrame({
    "event_id": ["E03", "E01", "E02", "E04"],
    "date": pd.to_datetime(["2025-04-28", "2024-07-01", "2025-04-28", "2026-01-01"]),
    "date_precision": ["day", "month", "day", "year"],
    "event": ["Second on the day", "A month-dated event whose words run well past one line of the chart, so they are "
              "wrapped, never cut", "First on the day", "A year-dated event"],
    "theme": ["a", "b", "a", "b"],
})
THEMES = {"a": "Alpha", "b": "Beta"}


def _words(ax) -> list[str]:
    """Every text on the axes with its line breaks undone, in drawing order."""
    return [" ".join(t.get_text().split()) for t in ax.texts]


def test_timeline_names_every_event_in_date_order_dated_as_its_source_dates_it():
    from pcevidence import figures

    fig, ax = figures.timeline(EVENTS, themes=["a", "b"], theme_labels=THEMES)
    # The key to the themes, then each year's heading and its events: the day and month as precisely as the source
    # gives them (a month alone; nothing for a year), then the event in the table's own words, whole.
    assert _words(ax) == ["Alpha", "Beta",
                          "2024", "Jul", EVENTS["event"][1],
                          "2025", "28 Apr", "First on the day", "28 Apr", "Second on the day",
                          "2026", "A year-dated event"]
    assert "\n" in ax.texts[4].get_text()  # the long name is wrapped onto lines ...
    fig.canvas.draw()
    width = fig.get_figwidth() * fig.dpi
    assert all(t.get_window_extent().x1 <= width for t in ax.texts)  # ... that stay inside the chart


def test_timeline_dots_run_down_the_page_beside_their_events_coloured_by_theme():
    from pcevidence import figures

    fig, ax = figures.timeline(EVENTS, themes=["a", "b"], theme_labels=THEMES)
    key, events = ax.collections[:2], ax.collections[2:]
    assert [_hex(c.get_facecolor()[0]) for c in key] == ["#12436d", "#28a197"]
    dots = sorted((float(y), _hex(c.get_facecolor()[0])) for c in events for _, y in c.get_offsets())
    assert [colour for _, colour in dots] == ["#28a197", "#12436d", "#12436d", "#28a197"]  # b, a, a, b by date
    names = [t for t in ax.texts if " ".join(t.get_text().split()) in set(EVENTS["event"])]
    for (y, _), name in zip(dots, names, strict=True):  # each dot level with the first line of its event's name
        top = name.get_position()[1]
        assert top < y < top + 15


def test_timeline_leaves_out_events_of_themes_not_asked_for():
    from pcevidence import figures

    fig, ax = figures.timeline(EVENTS, themes=["a"], theme_labels=THEMES)
    assert _words(ax) == ["2025", "28 Apr", "First on the day", "28 Apr", "Second on the day"]  # one theme: no key
    with pytest.raises(ValueError, match="no events"):
        figures.timeline(EVENTS, themes=["c"], theme_labels={"c": "C"})


def test_a_timeline_of_the_real_events_saves_legibly_on_a_phone(tmp_path):
    from pcevidence import figures
    from pcevidence.data import load

    events = load("events")
    fig, _ = figures.timeline(events[events["theme"] == "precedents"], themes=["precedents"],
                              theme_labels={"precedents": "Earlier local contracts"})
    svg, _ = save_chart(fig, tmp_path / "timeline", alt=ALT, source="NHS England", data=DATA)
    text = svg.read_text(encoding="utf-8")
    width_pt = float(re.search(r'width="([\d.]+)pt"', text).group(1))
    smallest = min(float(s) for s in re.findall(r"font-size: ([\d.]+)px", text))
    assert smallest * min(charts.PHONE_CHART_PX, width_pt * 4 / 3) / width_pt >= charts.MIN_TEXT_PX
    assert text.count("<text") >= (events["theme"] == "precedents").sum()  # every event named, as text


def test_events_by_year_numbers_events_as_the_numbered_table_does():
    from test_tables import parse_table

    from pcevidence import figures, tables

    fig, data = figures.events_by_year(EVENTS.assign(source_id="s"), themes=["a", "b"], theme_labels=THEMES)
    ax = fig.axes[0]
    # The key, then per year its heading and its events' numbers: by date, and by id on one day.
    assert _words(ax) == ["Alpha", "Beta", "2024", "1", "2025", "2", "3", "2026", "4"]
    assert data["number"].tolist() == [1, 2, 3, 4] and data["event_id"].tolist() == ["E01", "E02", "E03", "E04"]
    table = parse_table(tables.events_markdown(EVENTS.assign(source_id="s"), THEMES, numbered=True))
    assert [(row["No."], row["Event"]) for row in table] == [(str(n), e) for n, e in zip(data["number"], data["event"],
                                                                                        strict=True)]
    rings = [_hex(c.get_edgecolor()[0]) for c in ax.collections[2:]]
    assert rings == ["#28a197", "#12436d", "#12436d", "#28a197"]


def test_events_by_year_keeps_a_seventh_theme_apart_from_the_first():
    from pcevidence import figures

    themes = [f"t{i}" for i in range(7)]
    events = pd.DataFrame({"event_id": [f"E{i}" for i in range(7)], "date": pd.to_datetime(["2025-01-01"] * 7),
                           "theme": themes})
    fig, _ = figures.events_by_year(events, themes=themes, theme_labels={t: t.upper() for t in themes})
    rings = fig.axes[0].collections[7:]
    first, seventh = rings[0], rings[6]
    assert _hex(first.get_edgecolor()[0]) == _hex(seventh.get_edgecolor()[0])  # six colours in the palette ...
    assert _hex(first.get_facecolor()[0]) == "#ffffff" != _hex(seventh.get_facecolor()[0])  # ... the seventh filled


# -- no label collides with another, runs into a bar, or runs off the chart -------------------------

def test_overlapping_labels_are_refused_naming_the_chart_and_both_texts(tmp_path):
    fig, ax = new_chart()
    ax.bar(DATA["year"], DATA["value"])
    ax.text(0, 130, "Kent and Medway", fontsize=12)
    ax.text(0.1, 131, "England", fontsize=12)
    with pytest.raises(ChartError, match=r"chart clash: the texts 'Kent and Medway' and 'England' overlap"):
        save_chart(fig, tmp_path / "clash", alt=ALT, source="NHS England", data=DATA)
    assert not (tmp_path / "clash.svg").exists()


def test_a_label_overlapping_a_tick_label_is_refused():
    fig, ax = new_chart()
    ax.plot([0, 1], [0, 1])
    ax.set_xticks([0, 0.5, 1])
    ax.annotate("a value under the axis", (0.5, 0), textcoords="offset points", xytext=(0, -10), ha="center",
                va="top", annotation_clip=False)
    assert any("'0.5'" in p and "a value under the axis" in p for p in charts.layout_problems(fig))


def test_a_label_running_into_a_bar_is_refused_but_a_label_inside_one_is_not():
    fig, ax = new_chart()
    ax.barh([0, 1], [10, 10], height=0.5)
    ax.set_xlim(0, 10)
    ax.text(5, 1, "inside", ha="center", va="center", color="white")  # a label on a bar is fine
    assert charts.layout_problems(fig) == []
    ax.text(5, 0.25, "across the edge", ha="center", va="center")
    assert charts.layout_problems(fig) == ["the text 'across the edge' runs into a bar"]


def test_text_running_off_the_saved_chart_is_refused(tmp_path):
    fig, ax = new_chart()
    ax.bar(DATA["year"], DATA["value"])
    fig.text(1.4, 0.5, "beyond the edge", in_layout=False)  # left out of the tight box, so it would be cut off
    with pytest.raises(ChartError, match="chart edge: the text 'beyond the edge' runs outside the chart"):
        save_chart(fig, tmp_path / "edge", alt=ALT, source="NHS England", data=DATA)


def test_only_texts_drawn_count():
    """Tick labels matplotlib keeps for ticks outside the axis limits are not on the chart, so they cannot collide."""
    fig, ax = new_chart()
    ax.plot([0, 1], [0, 1])
    ax.set_xticks([-5, -4.99, 0, 1], ["off the chart", "also off the chart", "0", "1"])
    ax.set_xlim(-0.1, 1.1)
    assert "off the chart" not in [text for text, _ in charts.drawn_texts(fig)]
    assert charts.layout_problems(fig) == []
    ax.set_xlim(-6, 1.1)  # now both are drawn, on top of each other
    assert any("off the chart" in p for p in charts.layout_problems(fig))


def test_settle_labels_moves_a_label_clear_of_another_and_of_the_markers():
    fig, ax = new_chart()
    ax.scatter([1, 1.02], [1, 1.02], s=60)
    labels = [ax.annotate(text, (x, x), textcoords="offset points", xytext=(0, 8), ha="center", va="bottom")
              for text, x in (("1,959", 1), ("2,068", 1.02))]
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    assert charts.layout_problems(fig)  # both above their points: they collide
    charts.settle_labels(fig, labels)
    assert charts.layout_problems(fig) == []
    assert labels[0].xyann == (0, 8) and labels[1].xyann != (0, 8)  # the first keeps its place; the second moves


def _evaluations() -> pd.DataFrame:
    from pcevidence.data import load

    ev = load("evaluations")
    return ev.assign(label=ev["places"] + ": " + ev["outcome"])


def _typical_charts():
    """Each chart builder with data like the book's, including its long labels."""
    from pcevidence import figures

    long = "A label long enough to need wrapping onto two lines"
    yield "stacked_bars", lambda: figures.stacked_bars(
        pd.DataFrame({"chapter": ["Trusts", "Trusts", long, long, long],
                      "certainty": ["high", "low", "high", "high", "low"]}), category="chapter", stack="certainty")[0]
    yield "bars", lambda: figures.bars(["2024/25, April uplift", "2025/26, estimate at announcement", "2026/27"],
                                       [107.57, 121.9, 130.07], value_labels=["£107.57", "£121.90", "£130.07"],
                                       highlight=["2026/27"], xlabel="£ per weighted patient")[0]
    yield "columns_by_period", lambda: figures.columns_by_period(
        ["2023/24", "2024/25", "2025/26"], [104.73, 112.5, 121.79], value_labels=["£104.73", "£112.50", "£121.79"],
        ylabel="£ per patient")[0]
    yield "timeline", lambda: figures.timeline(EVENTS, themes=["a", "b"], theme_labels=THEMES)[0]
    yield "events_by_year", lambda: figures.events_by_year(EVENTS, themes=["a", "b"], theme_labels=THEMES)[0]
    yield "log_ranges", lambda: figures.log_ranges(
        pd.DataFrame({"model": ["Primary care network (2020: smallest, largest, average)", "Board"],
                      "low": [15_000, 500_000], "high": [180_000, 3_000_000], "typical": [50_000, 1_000_000]}),
        label="model", low="low", high="high", point="typical", xlabel="Population (people), logarithmic scale")[0]
    yield "strip_rank", lambda: figures.strip_rank(
        pd.Series({"North": 2100.0, "Kent and Medway": 2805.0, "South": 1700.0, "East": 2300.0}),
        highlight="Kent and Medway", reference=2338, reference_label="England", xlabel="Patients per GP")[0]
    yield "lines_by_year", lambda: figures.lines_by_year(
        pd.DataFrame({"year": ["2022/23", "2023/24", "2024/25 (to January)"] * 2,
                      "value": [2334, 2355, 2338, 2765, 2775, 2805], "area": ["England"] * 3 + ["Kent and Medway"] * 3}),
        x="year", y="value", series="area", ylabel="Registered patients per FTE GP")[0]
    yield "paired_bars", lambda: figures.paired_bars(
        ["Buckinghamshire, Oxfordshire and Berkshire West", "Dorset"], [8.8, 11.5], [15.1, 10.7],
        labels=("2023/24 budget", "2024/25 budget"), value_format=lambda v: f"£{v:.1f}m", ylabel="£ million")[0]
    yield "dated_points", lambda: figures.dated_points(
        pd.DataFrame({"date": pd.to_datetime(["2025-03-31", "2025-05-31", "2025-06-30", "2025-12-31", "2025-02-01",
                                              "2025-03-01", "2025-04-01", "2025-08-01"]),
                      "value": [1503, 1959, 2068, 3073, 851, 1144, 867, 1098],
                      "measure": ["GPs claimed since October 2024 (headcount)"] * 4 + ["GPs funded in the month (FTE)"] * 4,
                      "qualifier": [""] * 8}), date="date", value="value", series="measure",
        qualifier="qualifier", ylabel="GPs")[0]
    yield "shares", lambda: figures.shares(["England, March 2024", "Wales, December 2024: turnout not published"],
                                           [99.0, 99.0], value_labels=["99%", "99%"], groups=["reject", "action"])[0]
    yield "stance_map", lambda: figures.stance_map(
        pd.DataFrame({"actor": ["Health secretary", "Health secretary", "BMA", "BMA", "BMA GP committee for England"],
                      "stance": ["supports", "open", "opposes", "opposes", "sceptical"],
                      "when": ["2025", "September 2025", "August 2025", "2026", "2026"]}),
        actor="actor", stance="stance", scale=["opposes", "sceptical", "neutral", "open", "supports"], label="when")[0]
    yield "evaluation_forest", lambda: figures.evaluation_forest(_evaluations())[0]
    yield "search_flow", lambda: figures.search_flow(
        {"searches": 82, "found": 656, "repeats": 96, "screened": 560, "excluded": 437, "included": 123, "new": 80},
        {"off topic": 300, "unreliable host": 137}, carried_over=155, total=320)[0]


@pytest.mark.parametrize("build", [b for _, b in _typical_charts()], ids=[n for n, _ in _typical_charts()])
def test_every_chart_builder_lays_its_labels_out_cleanly_at_phone_width(build):
    fig = build()
    charts.fit_to_phone(fig)
    assert charts.layout_problems(fig) == []
    assert charts.phone_text_px(fig)[0] >= charts.MIN_TEXT_PX - 0.05


def test_figures_docstring_names_each_builder_under_what_it_returns():
    # The module docstring is the builders' contract: each public builder is listed under the kind of value it
    # returns, so a builder added or changed without updating it fails here.
    import ast
    import inspect

    from pcevidence import figures

    tree = ast.parse(inspect.getsource(figures))
    doc = figures.__doc__
    axes_part, data_part = doc.split("``(fig, data)``", 1)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and node.name != "ordinal":
            returned = {ast.unparse(r.value) for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None
                        and isinstance(r.value, ast.Tuple) and ast.unparse(r.value.elts[0]) == "fig"}
            assert returned, f"{node.name} returns no (fig, ...) tuple"
            kind = data_part if any(not r.endswith("ax)") for r in returned) else axes_part
            assert f"``{node.name}``" in kind, f"{node.name} is not listed under what it returns"
