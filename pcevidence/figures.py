"""Chart builders used by the chapters, each drawing a figure in house style. Two kinds of return:

* ``(fig, ax)`` where the chapter already holds the table it passed in, which is the chart's data
  (``bars``, ``columns_by_period``, ``timeline``, ``log_ranges``, ``lines_by_year``, ``paired_bars``,
  ``dated_points``, ``shares``, ``stance_map``);
* ``(fig, data)`` where the builder computes what it draws (counts, ranks, numbering, intervals), so the
  chapter can offer exactly that table (``stacked_bars``, ``events_by_year``, ``strip_rank``,
  ``evaluation_forest``, ``search_flow``).

Either way the chapter passes the drawn table to :meth:`pcevidence.book.Chapter.figure`, which offers it as CSV
beside the chart. ``ordinal`` is a small wording helper for alt texts."""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from .analysis import events_in_order
from .charts import CATEGORICAL, FOCUS, MIN_TEXT_PT, SEQUENTIAL, TEXT, TWO_SERIES, new_chart, settle_labels, text_size
from .prose import first_upper

CERTAINTY_ORDER = ["high", "moderate", "low", "very low"]
CERTAINTY_COLOURS = dict(zip(CERTAINTY_ORDER, ["#12436D", "#2073BC", "#6BACE6", "#BFBFBF"], strict=True))


def _wrap(label: str, width: int = 22) -> str:
    """``label`` on lines of about ``width`` characters; a word longer than that keeps its own line whole."""
    return "\n".join(textwrap.wrap(str(label), width, break_long_words=False)) or str(label)


def _label_above(ax, y: float, text: str, width: int = 34, colour: str = TEXT) -> None:
    """A bar's label (and value) on its own line above the bar, from the left edge of the plot: labels then
    never squeeze the bars on a narrow screen, and never run past the chart's edge."""
    ax.annotate(_wrap(text, width), (0, y - 0.34), xycoords=("axes fraction", "data"), ha="left", va="bottom",
                fontsize=MIN_TEXT_PT, color=colour)


def _stacked_positions(lines: list[int]) -> np.ndarray:
    """Where each bar goes when each carries its label on ``lines[i]`` lines above it: the room between two bars
    is for the lower bar's own label."""
    return np.cumsum([0] + [0.75 + 0.42 * n for n in lines[1:]], dtype=float)


def stacked_bars(table: pd.DataFrame, *, category: str, stack: str, order: list[str] | None = None,
                 stack_order: list[str] | None = None, colours: dict | None = None, xlabel: str = "",
                 title: str = ""):
    """Horizontal bars of counts, one bar per ``category``, stacked by ``stack``."""
    counts = table.groupby([category, stack]).size().unstack(fill_value=0)
    stack_order = [s for s in (stack_order or sorted(counts.columns)) if s in counts.columns]
    counts = counts[stack_order]
    order = [c for c in (order or counts.sum(axis=1).sort_values().index.tolist()) if c in counts.index]
    counts = counts.loc[order]
    fig, ax = new_chart(height=0.85 * len(order) + 1.6)
    left = np.zeros(len(order))
    positions = np.arange(len(order)) * 1.15
    for i, name in enumerate(stack_order):
        colour = (colours or {}).get(name, CATEGORICAL[i % len(CATEGORICAL)])
        ax.barh(positions, counts[name].values, left=left, color=colour, label=name, edgecolor="white", linewidth=0.8,
                height=0.5)
        left += counts[name].values
    for y, category, total in zip(positions, order, left, strict=True):
        _label_above(ax, y, f"{category}: {int(total)}")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylim(positions[-1] + 0.5, -0.9)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlim(0, max(left) * 1.02)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(4, integer=True))
    ax.legend(ncols=min(2, len(stack_order)), loc="lower left", bbox_to_anchor=(0, 1.0), handlelength=1.2)
    if title:
        ax.set_title(title)
    data = counts.reset_index()
    return fig, data


def bars(labels: list[str], values: list[float], *, value_labels: list[str] | None = None, highlight=None,
         xlabel: str = "", title: str = "", colour: str = "#12436D", colours: list[str] | None = None):
    """Horizontal bars, each with its label and value on a line above it; ``highlight`` names bars drawn in
    focus colour."""
    lines = [_wrap(f"{label}: {text}", 34).count("\n") + 1 for label, text in
             zip(labels, value_labels or [f"{v:,.0f}" for v in values], strict=True)]
    fig, ax = new_chart(height=0.42 * len(labels) + 0.3 * sum(lines) + 0.9)
    if colours is None:
        colours = [FOCUS[0] if lab in highlight else FOCUS[1] for lab in labels] \
            if highlight is not None else [colour] * len(labels)
    positions = _stacked_positions(lines)
    ax.barh(positions, values, color=colours, height=0.5)
    for y, label, text in zip(positions, labels, value_labels or [f"{v:,.0f}" for v in values], strict=True):
        _label_above(ax, y, f"{label}: {text}")
    ax.set_yticks([])
    ax.set_ylim(positions[-1] + 0.5, -0.45 - 0.42 * lines[0])
    ax.set_xlim(0, max(values) * 1.05)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(4))
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return fig, ax


def columns_by_period(periods: list[str], values: list[float], *, value_labels: list[str], ylabel: str = "",
                      title: str = "", colours: list[str] | None = None):
    """Vertical columns for a short series of periods, each labelled with its value."""
    fig, ax = new_chart()
    x = np.arange(len(periods))
    ax.bar(x, values, color=colours or SEQUENTIAL[0], width=0.62)
    for xi, v, text in zip(x, values, value_labels, strict=True):
        ax.text(xi, v * 1.01, text, ha="center", va="bottom", fontsize=MIN_TEXT_PT, color=TEXT)
    ax.set_xticks(x, [_wrap(p, 12) for p in periods])
    ax.set_ylim(0, max(values) * 1.18)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if title:
        ax.set_title(title)
    return fig, ax


# -- timelines ----------------------------------------------------------------------------------------
# A timeline runs down the page, so it reads on a phone however many events it holds: each event is named on the
# chart, in the words of the events table, wrapped to the chart's width. Charts are laid out in points (one
# unit of the axes is one point), so the layout is exact and the text is never scaled.
EVENTS_WIDTH_PT = 318  # with the saved padding, a chart this wide shows 12 pt text at 12 CSS px on a phone
YEAR_RIGHT, SPINE_X, LABEL_X = 46, 56, 66  # the date column's right edge, the line of dots, the events' names
ROW_GAP, YEAR_GAP = 6, 4


def _text_width(text: str) -> float:
    """How wide ``text`` is drawn at the chart text size, in points."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(text, FontProperties(size=MIN_TEXT_PT), ismath=False)[0]


def _fill(text: str, width: float) -> str:
    """``text`` broken into lines no wider than ``width`` points (by measure, not by counting letters); words are
    never split, and nothing is dropped."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and _text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def _short_date(day: pd.Timestamp, precision: str) -> str:
    """The day and month of ``day`` as precisely as its source gives it ('28 Apr', 'Apr', or nothing for a year);
    the year is the heading above it."""
    return {"day": f"{day.day} {day:%b}", "month": f"{day:%b}"}.get(precision, "")


def _events_chart(title: str = ""):
    """An empty chart laid out in points, EVENTS_WIDTH_PT wide; :func:`_events_end` sets its height."""
    fig, ax = new_chart(width=EVENTS_WIDTH_PT / 72)
    ax.set_position((0, 0, 1, 1))
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig, ax


def _events_end(fig, ax, height: float) -> None:
    fig.set_figheight(height / 72)
    ax.set_xlim(0, EVENTS_WIDTH_PT)
    ax.set_ylim(height, 0)


def _write(ax, x: float, y: float, text: str, **style):
    """A text whose top is at ``y`` points down the chart; data text is never read as mathematics."""
    return ax.text(x, y, text, va="top", fontsize=MIN_TEXT_PT, color=TEXT, parse_math=False, **style)


def _theme_styles(themes: list[str]) -> dict[str, tuple[str, bool]]:
    """Each theme's colour, and whether it is the filled (second) style: the palette has six colours, so a
    seventh theme takes the first colour again, drawn filled (a square dot, a filled ring) to stay distinct."""
    return {t: (CATEGORICAL[i % len(CATEGORICAL)], i >= len(CATEGORICAL)) for i, t in enumerate(themes)}


def _line_height(fig, ax) -> float:
    """The height of one line of chart text, in points."""
    probe = _write(ax, 0, 0, "Ag")
    height = text_size(fig, probe)[1]
    probe.remove()
    return height


def _theme_key(fig, ax, themes: list[str], theme_labels: dict[str, str], mark, y: float) -> float:
    """The themes' markers (``mark(theme, y)`` draws one), one theme to a line above the events; returns where
    the events start."""
    if len(themes) < 2:
        return y
    line = _line_height(fig, ax)
    for theme in themes:
        text = _write(ax, LABEL_X, y, _fill(theme_labels[theme], EVENTS_WIDTH_PT - LABEL_X))
        mark(theme, y + line / 2)
        y += text_size(fig, text)[1] + 3
    return y + 12


def timeline(events: pd.DataFrame, *, themes: list[str], theme_labels: dict[str, str], label: str = "event",
             precision: str = "date_precision", title: str = ""):
    """The events down the page in date order, each named on the chart: a bold year heading where the year
    changes, the day and month as precisely as the source dates it, a dot coloured by theme on one line, and the
    event in the words of its ``label`` column, wrapped to the chart's width. A key to the themes' colours
    heads the chart. Only events in ``themes`` are drawn."""
    rows = events_in_order(events[events["theme"].isin(themes)])
    if rows.empty:
        raise ValueError(f"timeline: no events in the themes {themes}")
    shown = [t for t in themes if t in set(rows["theme"])]
    styles = _theme_styles(themes)
    fig, ax = _events_chart(title)

    def mark(theme, ys):
        colour, second = styles[theme]
        ys = np.atleast_1d(ys)
        ax.scatter([SPINE_X] * len(ys), ys, s=55, marker="s" if second else "o", color=colour, edgecolor="white",
                   linewidth=0.8, zorder=3)

    y = _theme_key(fig, ax, shown, theme_labels, mark, 0.0)
    line = _line_height(fig, ax)
    year, dots = None, []
    for row in rows.to_dict("records"):
        if row["date"].year != year:
            year = row["date"].year
            _write(ax, YEAR_RIGHT, y, str(year), ha="right", fontweight="bold")
            y += line + YEAR_GAP
        when = _short_date(row["date"], row[precision] if precision in row else "day")
        if when:
            _write(ax, YEAR_RIGHT, y, when, ha="right")
        name = _write(ax, LABEL_X, y, _fill(row[label], EVENTS_WIDTH_PT - LABEL_X))
        dots.append((row["theme"], y + line / 2))
        y += text_size(fig, name)[1] + ROW_GAP
    ax.plot([SPINE_X, SPINE_X], [dots[0][1], dots[-1][1]], color=FOCUS[1], linewidth=1.5, zorder=1)
    for theme in shown:
        mark(theme, [at for t, at in dots if t == theme])
    _events_end(fig, ax, y)
    return fig, ax


def events_by_year(events: pd.DataFrame, *, themes: list[str], theme_labels: dict[str, str], title: str = ""):
    """Every event as a numbered ring in its year's row, in date order and coloured by theme, for a register too
    long to name each event on the chart: the rows' lengths show when events cluster, and each number is the
    event's row in the table numbered the same way (``pcevidence.tables.events_markdown(..., numbered=True)``;
    numbers count every event given, in :func:`pcevidence.analysis.events_in_order`). Only events in ``themes``
    are drawn. Returns ``(fig, data)``: the events drawn, in order, with their numbers first."""
    rows = events_in_order(events)
    rows = rows[rows["theme"].isin(themes)]
    if rows.empty:
        raise ValueError(f"events_by_year: no events in the themes {themes}")
    shown = [t for t in themes if t in set(rows["theme"])]
    styles = _theme_styles(themes)
    fig, ax = _events_chart(title)

    def ring(theme, x, y, size):
        colour, second = styles[theme]
        ax.scatter([x], [y], s=size ** 2, facecolor=colour if second else "white", edgecolor=colour, linewidth=2.2,
                   zorder=3)
        return "white" if second else TEXT

    y = _theme_key(fig, ax, shown, theme_labels, lambda theme, at: ring(theme, SPINE_X, at, 11), 0.0)
    size, pitch = 29, 32
    first = YEAR_RIGHT + 8 + size / 2
    per_line = int((EVENTS_WIDTH_PT - first + pitch / 2) // pitch)
    line = _line_height(fig, ax)
    y += 8  # room for the first row's rings, which stand taller than its year
    for year, part in rows.groupby(rows["date"].dt.year, sort=True):
        _write(ax, YEAR_RIGHT, y, str(year), ha="right", fontweight="bold")
        for i, row in enumerate(part.to_dict("records")):
            x, cy = first + pitch * (i % per_line), y + line / 2 + pitch * (i // per_line)
            ink = ring(row["theme"], x, cy, size)
            ax.text(x, cy, str(row["number"]), ha="center", va="center_baseline", fontsize=MIN_TEXT_PT, color=ink,
                    zorder=4)
        y += pitch * -(-len(part) // per_line) + YEAR_GAP
    _events_end(fig, ax, y)
    return fig, rows[["number", *[c for c in rows.columns if c != "number"]]].reset_index(drop=True)


def log_ranges(rows: pd.DataFrame, *, label: str, low: str, high: str, point: str, xlabel: str, title: str = ""):
    """Population ranges (lines) and typical sizes (dots) on one logarithmic axis, each row's label on its own
    line above it (as in :func:`bars`), so the scale keeps the chart's full width on a phone."""
    names = [_wrap(v, 34) for v in rows[label]]
    lines = [name.count("\n") + 1 for name in names]
    fig, ax = new_chart(height=0.42 * len(rows) + 0.3 * sum(lines) + 1.3)
    positions = _stacked_positions(lines)
    for y, name, row in zip(positions, names, rows.itertuples(index=False), strict=True):
        lo, hi, pt = getattr(row, low), getattr(row, high), getattr(row, point)
        if pd.notna(lo) and pd.notna(hi):
            ax.plot([lo, hi], [y, y], color=SEQUENTIAL[2], linewidth=6, solid_capstyle="butt", zorder=2)
        elif pd.notna(lo):  # "or more": a lower bound only, drawn as an arrow pointing up the scale
            ax.scatter([lo], [y], s=90, marker=">", color=SEQUENTIAL[1], zorder=3)
        if pd.notna(pt):
            ax.scatter([pt], [y], s=70, color=SEQUENTIAL[0], zorder=3)
        _label_above(ax, y, name)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylim(positions[-1] + 0.5, -0.45 - 0.42 * lines[0])
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True, which="major")
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return fig, ax


def strip_rank(values: pd.Series, *, highlight: str, reference: float, reference_label: str, xlabel: str,
               value_format=lambda v: f"{v:,.0f}", title: str = ""):
    """Every area as a dot on one axis, one area highlighted and labelled, a reference line (e.g.
    England) marked: readable at phone width where 42 labelled bars would not be."""
    fig, ax = new_chart(height=2.4)
    others = values.drop(index=highlight)
    rank = int((values > values[highlight]).sum()) + 1
    ax.scatter(others.values, [0] * len(others), s=90, color=FOCUS[1], edgecolor="white", linewidth=0.8, zorder=2,
               label="Other ICBs")
    ax.scatter([values[highlight]], [0], s=150, color=FOCUS[0], edgecolor="white", linewidth=1, zorder=3,
               label=highlight)
    ax.axvline(reference, color=TEXT, linestyle="--", linewidth=1.2, zorder=1)
    ax.annotate(f"{reference_label}\n{value_format(reference)}", (reference, 0.55), ha="center", va="bottom",
                fontsize=MIN_TEXT_PT, color=TEXT)
    ax.annotate(f"{highlight}\n{value_format(values[highlight])} ({ordinal(rank)} of {len(values)})",
                (values[highlight], -0.55), ha="center", va="top", fontsize=MIN_TEXT_PT, color=FOCUS[0], fontweight="bold")
    ax.set_ylim(-1.6, 1.5)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    data = pd.DataFrame({"area": values.index, "value": values.values}).sort_values("value", ascending=False)
    data["rank"] = range(1, len(data) + 1)
    return fig, data


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def lines_by_year(table: pd.DataFrame, *, x: str, y: str, series: str, ylabel: str, value_format=lambda v: f"{v:,.0f}",
                  title: str = ""):
    """A few series over a few years, each point labelled with its value."""
    fig, ax = new_chart()
    labels = []
    # Periods named in words ('2024/25 (to January)') are placed in order and their names wrapped.
    periods = list(dict.fromkeys(table[x])) if table[x].map(type).eq(str).all() else None
    for i, (name, part) in enumerate(table.groupby(series, sort=False)):
        colour = TWO_SERIES[i % 2] if table[series].nunique() <= 2 else CATEGORICAL[i]
        xs = part[x].map(periods.index) if periods else part[x]
        ax.plot(xs, part[y], marker="o", color=colour, label=name)
        for xv, yv in zip(xs, part[y], strict=True):
            labels.append(ax.annotate(value_format(yv), (xv, yv), textcoords="offset points", xytext=(0, 8),
                                      ha="center", fontsize=MIN_TEXT_PT, color=colour))
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    low, high = table[y].min(), table[y].max()
    ax.set_ylim(low - (high - low) * 0.6 - 1, high + (high - low) * 0.5 + 1)
    if periods:
        ax.set_xticks(range(len(periods)), [_wrap(p, 12) for p in periods])
    ax.set_xmargin(0.15)  # room beside the first and last points for their labels, clear of the axis
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1)
    if title:
        ax.set_title(title)
    settle_labels(fig, labels)
    return fig, ax


def paired_bars(categories: list[str], left: list[float], right: list[float], *, labels: tuple[str, str],
                value_format=lambda v: f"{v:,.0f}", ylabel: str = "", title: str = ""):
    """Two areas side by side for each measure (e.g. Kent and Medway against England)."""
    fig, ax = new_chart()
    x = np.arange(len(categories))
    width = 0.38
    texts = []
    for offset, values, colour, label in ((-width / 2, left, TWO_SERIES[0], labels[0]),
                                          (width / 2, right, TWO_SERIES[1], labels[1])):
        bars_ = ax.bar(x + offset, values, width, color=colour, label=label)
        for bar, v in zip(bars_, values, strict=True):
            texts.append(ax.annotate(value_format(v), (bar.get_x() + bar.get_width() / 2, v), textcoords="offset points",
                                     xytext=(0, 3), ha="center", va="bottom", fontsize=MIN_TEXT_PT, color=TEXT))
    ax.set_xticks(x, [_wrap(c, 12) for c in categories])
    ax.set_ylim(0, max(max(left), max(right)) * 1.18)
    ax.set_ylabel(ylabel)
    # Whole numbers print without decimals; a fractional tick (e.g. 2.5 of £ million) keeps its decimal.
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}" if v == int(v) else f"{v:,.1f}"))
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=1)
    if title:
        ax.set_title(title)
    # A value wider than its bar would run into its neighbour's: it moves outwards a little, or failing that
    # stands a line or two higher.
    for side, group in ((-1, texts[:len(categories)]), (1, texts[len(categories):])):
        settle_labels(fig, group, [((side * dx, 3), "center", "bottom") for dx in (0, 6, 12)]
                      + [((0, 3 + 15 * n), "center", "bottom") for n in (1, 2)])
    return fig, ax


def dated_points(table: pd.DataFrame, *, date: str, value: str, series: str, qualifier: str | None = None,
                 ylabel: str = "", title: str = ""):
    """Figures reported at different dates, one marker style per measure, each labelled with its value.
    Measures are not joined by lines: they are different counts, not one series."""
    fig, ax = new_chart()
    markers = ["o", "s", "D", "^", "v", "P"]
    labels = []
    for i, (name, part) in enumerate(table.groupby(series, sort=False)):
        colour = CATEGORICAL[i % len(CATEGORICAL)]
        ax.scatter(part[date], part[value], s=70, marker=markers[i % len(markers)], color=colour, label=name, zorder=3)
        for _, row in part.iterrows():
            prefix = {"about": "~", "more than": ">"}.get(row[qualifier], "") if qualifier and row[qualifier] else ""
            labels.append(ax.annotate(f"{prefix}{row[value]:,.0f}", (row[date], row[value]), textcoords="offset points",
                                      xytext=(0, 9), ha="center", fontsize=MIN_TEXT_PT, color=colour))
    ax.set_ylim(0, table[value].max() * 1.2)
    ax.set_xmargin(0.1)  # room beside the first and last points for their labels, clear of the axis
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=[1, 7]))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.22), ncols=1, fontsize=MIN_TEXT_PT)
    if title:
        ax.set_title(title)
    settle_labels(fig, labels)
    return fig, ax


def shares(labels: list[str], values: list[float], *, value_labels: list[str], groups: list[str] | None = None,
           xlabel: str = "Percent", title: str = ""):
    """Horizontal bars of percentages on a 0-100 axis, each with its label and value on a line above it;
    ``groups`` colours the bars by kind (e.g. votes for action and votes to reject a contract) with a legend."""
    kinds = list(dict.fromkeys(groups or [""]))
    dark = [CATEGORICAL[0], CATEGORICAL[2], CATEGORICAL[4]]
    colours = [dark[kinds.index(g) % len(dark)] for g in (groups or [""] * len(labels))]
    texts = [f"{label}: {text}" for label, text in zip(labels, value_labels, strict=True)]
    lines = [_wrap(t, 34).count("\n") + 1 for t in texts]
    fig, ax = new_chart(height=0.42 * len(labels) + 0.3 * sum(lines) + 1.4)
    positions = _stacked_positions(lines)
    ax.barh(positions, values, color=colours, height=0.5)
    for y, text in zip(positions, texts, strict=True):
        _label_above(ax, y, text)
    ax.set_yticks([])
    ax.set_ylim(positions[-1] + 0.5, -0.45 - 0.42 * lines[0])
    ax.set_xlim(0, 100)
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_locator(mticker.MultipleLocator(25))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(xlabel)
    if groups:
        from matplotlib.patches import Patch
        ax.legend(handles=[Patch(color=dark[i % len(dark)], label=k) for i, k in enumerate(kinds)], loc="lower left",
                  bbox_to_anchor=(0, 1.0), ncols=1, handlelength=1.2)
    if title:
        ax.set_title(title)
    return fig, ax


def stance_map(table: pd.DataFrame, *, actor: str, stance: str, scale: list[str], label: str, title: str = ""):
    """Who stands where: one row per actor, named on its own line above the row (so the scale keeps the chart's
    full width on a phone), each statement a dot placed on an ordered scale (from the first position in ``scale``
    on the left to the last on the right), coloured by position and labelled (for example with its date) where
    the label is clear of every other. The scale's ends are named on the axis and every position in the legend."""
    actors = list(dict.fromkeys(table[actor]))
    # A row with two statements in one place stands taller: the second sits just below the first.
    stacked = table.groupby([actor, stance]).size().groupby(level=0).max().reindex(actors)
    rows = np.cumsum([0] + [1 + 0.32 * (n - 1) for n in stacked.iloc[:-1]], dtype=float)
    fig, ax = new_chart(height=0.8 * rows[-1] + 3.7)
    colours = ["#801650", "#F46A25", "#3D3D3D", "#28A197", "#12436D"]
    placed: dict[tuple[int, int], int] = {}
    labels = []
    for _, row in table.iterrows():
        y, x = actors.index(row[actor]), scale.index(row[stance])
        n = placed.get((x, y), 0)
        placed[(x, y)] = n + 1
        yy = rows[y] + 0.32 * n
        ax.scatter([x], [yy], s=70, color=colours[x % len(colours)], edgecolor="white", zorder=3)
        labels.append((n, ax.annotate(row[label], (x, yy), textcoords="offset points", xytext=(0, 7), ha="center",
                                      va="bottom", fontsize=MIN_TEXT_PT, color=TEXT)))
    for y, name in zip(rows, actors, strict=True):
        ax.annotate(_wrap(name, 34), (0, y - 0.42), xycoords=("axes fraction", "data"), ha="left", va="bottom",
                    fontsize=MIN_TEXT_PT, color=TEXT, fontweight="bold")
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylim(rows[-1] + 0.32 * (stacked.iloc[-1] - 1) + 0.7, -0.85)
    ax.set_xticks([0, len(scale) - 1], [_wrap(first_upper(scale[0]), 16), _wrap(first_upper(scale[-1]), 16)],
                  fontsize=MIN_TEXT_PT)
    ax.set_xlim(-0.5, len(scale) - 0.5)
    ax.grid(axis="x", visible=True)
    ax.grid(axis="y", visible=False)
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], marker="o", linestyle="", color=colours[i % len(colours)], label=first_upper(s))
               for i, s in enumerate(scale)]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.12), ncols=1, fontsize=MIN_TEXT_PT, frameon=False)
    if title:
        ax.set_title(title)
    # Each label goes above its dot, or below, right or left of it, wherever it is clear of the others; a second
    # statement in the same place is labelled beside its dot first, so the label cannot be read as the first's.
    above, below = ((0, 7), "center", "bottom"), ((0, -7), "center", "top")
    right, left = ((8, 0), "left", "center"), ((-8, 0), "right", "center")
    settle_labels(fig, [a for n, a in labels if not n], [above, below, right, left])
    settle_labels(fig, [a for n, a in labels if n], [right, left, below, above])
    return fig, ax


def evaluation_forest(table: pd.DataFrame, *, label: str = "label", title: str = ""):
    """Outcome estimates from evaluations, forest-style, in two panels that are never mixed:

    * effects (``scale == 'difference from comparison'``): the signed difference from the comparison group
      (negative = less hospital use), with its interval, against a zero line;
    * growth in the places evaluated (``scale == 'growth in the places evaluated'``), with the comparison's
      growth as a hollow marker where the study gives it.

    Each result's label is written above its line across the full width, so labels stay readable on a
    phone. Dots are coloured by certainty. Rows without an estimate (a direction only) are not drawn; the
    chapter's table lists them. Returns ``(fig, data)``: the rows drawn, with their signed values."""
    rows = table[table["estimate"].notna()].copy()
    sign = np.where(rows["direction"] == "lower", -1.0, 1.0)
    rows["signed"] = rows["estimate"] * sign
    rows["signed_low"] = np.where(sign < 0, -rows["high"], rows["low"])
    rows["signed_high"] = np.where(sign < 0, -rows["low"], rows["high"])
    panels = [("difference from comparison", "Difference from the comparison (%); below 0 means less use"),
              ("growth in the places evaluated", "Growth over the period in the places evaluated (%)")]
    counts = [int((rows["scale"] == s).sum()) for s, _ in panels]
    panels = [(p, c) for p, c in zip(panels, counts, strict=True) if c]
    # Each result takes the room its wrapped label needs: the label's lines, then the line and dot.
    line_units, row_units = 0.45, 0.95
    layouts = []
    for (scale, _xlabel), _count in panels:
        part = rows[rows["scale"] == scale].reset_index(drop=True)
        labels = [_wrap(v, 34) for v in part[label]]
        ys, y = [], 0.0
        for text in labels:
            y += line_units * (text.count("\n") + 1)
            ys.append(y)
            y += row_units
        layouts.append((part, labels, ys, y))
    units = [lay[3] for lay in layouts]
    fig, axes = new_chart(height=0.42 * sum(units) + 1.4 * len(panels) + 1.0, nrows=len(panels),
                          gridspec_kw={"height_ratios": units})
    axes = np.atleast_1d(axes)
    for ax, ((scale, xlabel), _n), (part, labels, ys, total) in zip(axes, panels, layouts, strict=True):
        values = [part["signed"], part["signed_low"].dropna(), part["signed_high"].dropna(),
                  part["comparison_value"].dropna(), pd.Series([0.0])]
        low, high = min(v.min() for v in values if len(v)), max(v.max() for v in values if len(v))
        pad = (high - low) * 0.12 + 1
        ax.set_xlim(low - pad, high + pad * 2.2)
        for (_, row), text, y in zip(part.iterrows(), labels, ys, strict=True):
            colour = CERTAINTY_COLOURS[row["certainty"]]
            if pd.notna(row["signed_low"]):
                ax.plot([row["signed_low"], row["signed_high"]], [y, y], color=colour, linewidth=2.4, zorder=2)
            ax.scatter([row["signed"]], [y], s=80, color=colour, edgecolor="white", zorder=3)
            if scale == "growth in the places evaluated" and pd.notna(row["comparison_value"]):
                ax.scatter([row["comparison_value"]], [y], s=70, marker="D", facecolor="white", edgecolor=TEXT,
                           linewidth=1.3, zorder=3)
            ax.text(low - pad * 0.9, y - 0.3, text, ha="left", va="bottom", fontsize=12, color=TEXT)
            right = max(v for v in (row["signed"], row["signed_high"], row["comparison_value"]) if pd.notna(v))
            ax.annotate(f"{row['signed']:+g}%", (right, y), textcoords="offset points", xytext=(8, 0), ha="left",
                        va="center", fontsize=12, color=colour if row["certainty"] != "very low" else TEXT,
                        fontweight="bold")
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.set_ylim(total - 0.3, -0.15)
        ax.axvline(0, color=TEXT, linewidth=1, zorder=1)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel(xlabel)
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], marker="o", linestyle="", color=CERTAINTY_COLOURS[c], label=f"{first_upper(c)} certainty")
               for c in CERTAINTY_ORDER if c in set(rows["certainty"])]
    if rows["comparison_value"].notna().any():
        handles.append(Line2D([], [], marker="D", linestyle="", markerfacecolor="white", markeredgecolor=TEXT,
                              label="Comparison areas' growth"))
    axes[0].legend(handles=handles, loc="lower left", bbox_to_anchor=(0, 1.02), ncols=1, frameon=False)
    if title:
        axes[0].set_title(title)
    fig.subplots_adjust(hspace=0.45)
    data = rows[["evaluation_id", "study", "design", "places", "period", "outcome", "scale", "estimate", "low", "high",
                 "interval", "direction", "signed", "signed_low", "signed_high", "comparison_value", "certainty",
                 "claim_id"]]
    return fig, data


def search_flow(counts: dict[str, int], reasons: dict[str, int], *, carried_over: int, total: int):
    """A search-and-screening flow in the PRISMA 2020 style, in one column so it reads on a phone:
    identified, repeats removed, screened, excluded (with reasons), included; then the register as
    carried over and now. ``counts`` has the keys searches, found, repeats, screened, excluded, included
    and new (included sources that were not in the register before)."""
    from matplotlib.patches import FancyBboxPatch

    reason_lines = [f"{first_upper(r)}: {n}" for r, n in sorted(reasons.items(), key=lambda rn: (-rn[1], rn[0]))]
    boxes = [
        ("main", f"Records identified by\n{counts['searches']} searches: {counts['found']}", 2),
        ("side", f"Repeats of earlier\nresults removed: {counts['repeats']}", 2),
        ("main", f"Records screened: {counts['screened']}", 1),
        ("side", "\n".join([f"Excluded: {counts['excluded']}"] + reason_lines), 1 + len(reason_lines)),
        ("key", f"Included: {counts['included']}\n({counts['new']} new to the register)", 2),
        ("main", f"Register: {carried_over} carried over\nfrom the previous edition,\n{total - carried_over} added "
                 f"in this edition;\n{total} in all", 4),
    ]
    line_h, gap = 0.24, 0.32
    heights = [n * line_h + 0.3 for _, _, n in boxes]
    total_h = sum(heights) + gap * (len(boxes) - 1)
    fig, ax = new_chart(width=3.9, height=total_h + 0.2)
    ax.set_xlim(0, 3.9)
    ax.set_ylim(0, total_h + 0.2)
    ax.axis("off")
    # Main boxes run down the page; side boxes (what was taken out) sit indented to the right of a spine
    # that joins each main box to the next, with an arrow into each side box, as in PRISMA 2020.
    spine = 0.25
    y = total_h + 0.1
    placed = []
    for (kind, text, _), h in zip(boxes, heights, strict=True):
        x0, w = (0.05, 3.8) if kind != "side" else (0.6, 3.25)
        fill = "#E8F1F8" if kind == "key" else "#FFFFFF"
        edge = FOCUS[1] if kind == "side" else SEQUENTIAL[0]
        ax.add_patch(FancyBboxPatch((x0, y - h), w, h, boxstyle="round,pad=0.0,rounding_size=0.08", facecolor=fill,
                                    edgecolor=edge, linewidth=1.4, zorder=2))
        ax.text(x0 + w / 2, y - h / 2, text, ha="center", va="center", fontsize=12, color=TEXT,
                fontweight="bold" if kind == "key" else "normal", linespacing=1.3, zorder=3)
        placed.append((kind, y, y - h))
        y -= h + gap
    mains = [(top, bottom) for kind, top, bottom in placed if kind != "side"]
    for (_, bottom), (top, _) in zip(mains, mains[1:], strict=False):
        ax.annotate("", (spine, top), (spine, bottom), arrowprops={"arrowstyle": "-|>", "color": TEXT, "linewidth": 1.2},
                    zorder=1)
    for kind, top, bottom in placed:
        if kind == "side":
            middle = (top + bottom) / 2
            ax.annotate("", (0.6, middle), (spine, middle), arrowprops={"arrowstyle": "-|>", "color": TEXT,
                                                                         "linewidth": 1.2})
    data = pd.DataFrame([("searches", counts["searches"]), ("records found", counts["found"]),
                         ("repeats removed", counts["repeats"]), ("screened", counts["screened"]),
                         ("excluded", counts["excluded"])]
                        + [(f"excluded: {r}", n) for r, n in reasons.items()]
                        + [("included", counts["included"]), ("included, new to the register", counts["new"]),
                           ("carried over from previous edition", carried_over),
                           ("sources in the register", total)], columns=["stage", "count"])
    return fig, data
