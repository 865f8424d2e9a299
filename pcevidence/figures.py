"""Chart builders used by the chapters. Each returns ``(fig, data)``: the figure in house style and
the exact table it was drawn from (which :meth:`pcevidence.book.Chapter.figure` offers as CSV)."""

from __future__ import annotations

import textwrap

import matplotlib.dates as mdates
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from .charts import CATEGORICAL, FOCUS, SEQUENTIAL, TEXT, new_chart

CERTAINTY_ORDER = ["high", "moderate", "low", "very low"]
CERTAINTY_COLOURS = dict(zip(CERTAINTY_ORDER, ["#12436D", "#2073BC", "#6BACE6", "#BFBFBF"], strict=True))


def _wrap(label: str, width: int = 22) -> str:
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def stacked_bars(table: pd.DataFrame, *, category: str, stack: str, order: list[str] | None = None,
                 stack_order: list[str] | None = None, colours: dict | None = None, xlabel: str = "",
                 title: str = ""):
    """Horizontal bars of counts, one bar per ``category``, stacked by ``stack``."""
    counts = table.groupby([category, stack]).size().unstack(fill_value=0)
    stack_order = [s for s in (stack_order or sorted(counts.columns)) if s in counts.columns]
    counts = counts[stack_order]
    order = [c for c in (order or counts.sum(axis=1).sort_values().index.tolist()) if c in counts.index]
    counts = counts.loc[order]
    fig, ax = new_chart(height=0.55 * len(order) + 1.6)
    left = np.zeros(len(order))
    for i, name in enumerate(stack_order):
        colour = (colours or {}).get(name, CATEGORICAL[i % len(CATEGORICAL)])
        ax.barh([_wrap(o) for o in order], counts[name].values, left=left, color=colour, label=name,
                edgecolor="white", linewidth=0.8)
        left += counts[name].values
    for y, total in enumerate(left):
        ax.text(total + max(left) * 0.01, y, f"{int(total)}", va="center", fontsize=11, color=TEXT)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlim(0, max(left) * 1.12)
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    ax.legend(ncols=min(4, len(stack_order)), loc="lower left", bbox_to_anchor=(0, 1.0), handlelength=1.2)
    if title:
        ax.set_title(title)
    data = counts.reset_index().rename(columns={category: category})
    return fig, data


def bars(labels: list[str], values: list[float], *, value_labels: list[str] | None = None, highlight=None,
         xlabel: str = "", title: str = "", colour: str = "#12436D"):
    """Horizontal bars with their values printed; ``highlight`` names bars drawn in focus colour."""
    fig, ax = new_chart(height=0.5 * len(labels) + 1.4)
    colours = [FOCUS[0] if (highlight is None or lab in highlight) else FOCUS[1] for lab in labels] \
        if highlight is not None else [colour] * len(labels)
    ax.barh([_wrap(label, 28) for label in labels], values, color=colours)
    top = max(values)
    for y, (v, text) in enumerate(zip(values, value_labels or [f"{v:,.0f}" for v in values], strict=True)):
        ax.text(v + top * 0.01, y, text, va="center", fontsize=11, color=TEXT)
    ax.set_xlim(0, top * 1.2)
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
        ax.text(xi, v * 1.01, text, ha="center", va="bottom", fontsize=11, color=TEXT)
    ax.set_xticks(x, [_wrap(p, 12) for p in periods])
    ax.set_ylim(0, max(values) * 1.18)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    if title:
        ax.set_title(title)
    return fig, ax


def timeline(events: pd.DataFrame, *, themes: list[str], theme_labels: dict[str, str], title: str = ""):
    """One row per theme, a dot per event; the reader reads the events in the table below it."""
    fig, ax = new_chart(height=0.6 * len(themes) + 1.8)
    for i, theme in enumerate(themes):
        sub = events[events["theme"] == theme]
        ax.scatter(sub["date"], [i] * len(sub), s=60, color=CATEGORICAL[i % len(CATEGORICAL)], zorder=3,
                   edgecolor="white", linewidth=0.8)
    ax.set_yticks(range(len(themes)), [_wrap(theme_labels[t], 20) for t in themes])
    ax.set_ylim(-0.7, len(themes) - 0.3)
    ax.invert_yaxis()
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    if title:
        ax.set_title(title)
    return fig, ax


def log_ranges(rows: pd.DataFrame, *, label: str, low: str, high: str, point: str, xlabel: str, title: str = ""):
    """Population ranges (lines) and typical sizes (dots) on one logarithmic axis."""
    fig, ax = new_chart(height=0.55 * len(rows) + 1.6)
    for y, row in enumerate(rows.itertuples(index=False)):
        lo, hi, pt = getattr(row, low), getattr(row, high), getattr(row, point)
        if pd.notna(lo) and pd.notna(hi):
            ax.plot([lo, hi], [y, y], color=SEQUENTIAL[2], linewidth=6, solid_capstyle="butt", zorder=2)
        if pd.notna(pt):
            ax.scatter([pt], [y], s=70, color=SEQUENTIAL[0], zorder=3)
    ax.set_yticks(range(len(rows)), [_wrap(v, 26) for v in rows[label]])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True, which="major")
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    return fig, ax
