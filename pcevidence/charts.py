"""Charts in house style (the ``booktools`` half of the package).

:func:`save_chart` is the only way a chart leaves a notebook: it refuses a chart without alt text
that states a finding or without a source line, writes a deterministic SVG (text kept as text, no
timestamp, fixed ids) and writes the exact data behind the chart as CSV beside it.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd

RC_FILE = Path(__file__).with_name("matplotlibrc")

CATEGORICAL = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
TWO_SERIES = ["#12436D", "#F46A25"]
FOCUS = ["#12436D", "#BFBFBF"]
SEQUENTIAL = ["#12436D", "#2073BC", "#6BACE6"]
TEXT = "#3D3D3D"

# Legible on a phone: at 390 px width a chart is drawn PHONE_CHART_PX CSS px wide (the 358 px text column less
# the figure card's padding), and no chart text may show smaller than MIN_TEXT_PX there. Text is drawn at
# MIN_TEXT_PT points or more, and charts are drawn narrow enough (see matplotlibrc) for that to hold.
PHONE_CHART_PX = 342
MIN_TEXT_PX = 12
MIN_TEXT_PT = 12

_GENERIC_ALT = re.compile(
    r"^\s*(an?\s+)?(bar|line|pie|scatter|column|area)?\s*(chart|graph|figure|plot|image|picture)\b",
    re.IGNORECASE,
)
MIN_ALT_WORDS = 6


class ChartError(ValueError):
    """A chart cannot be saved as it stands (missing alt text, source or data)."""


def use_house_style() -> None:
    matplotlib.rc_file(RC_FILE)


def new_chart(width: float | None = None, height: float | None = None, **kwargs):
    """A figure and axes in house style: ``fig, ax = new_chart()``."""
    use_house_style()
    size = list(matplotlib.rcParams["figure.figsize"])
    if width:
        size[0] = width
    if height:
        size[1] = height
    return plt.subplots(figsize=size, **kwargs)


def check_alt(alt: str) -> str:
    alt = (alt or "").strip()
    if not alt:
        raise ChartError("alt text is missing: describe what the chart shows (its finding), not that it is a chart")
    if _GENERIC_ALT.match(alt) or len(alt.split()) < MIN_ALT_WORDS:
        raise ChartError(
            f"alt text {alt!r} does not state a finding: write a sentence of at least {MIN_ALT_WORDS} words "
            "saying what the reader should see, e.g. 'Kent and Medway has more patients per GP than England'"
        )
    return alt


def check_source(source: str) -> str:
    source = (source or "").strip()
    if not source:
        raise ChartError("source line is missing: name the publisher(s) of the data the chart was drawn from")
    return source


def save_chart(fig, stem: Path, *, alt: str, source: str, data: pd.DataFrame) -> tuple[Path, Path]:
    """Save ``fig`` as ``stem.svg`` and ``data`` as ``stem.csv``; return both paths.

    Refuses (:class:`ChartError`) a chart without a finding-stating ``alt`` text, without a
    ``source`` line, or without the data it was drawn from.
    """
    alt = check_alt(alt)
    source = check_source(source)
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise ChartError("data is missing: pass the DataFrame the chart was drawn from, so readers can download it")
    stem = Path(stem)
    fit_to_phone(fig)
    smallest, text = phone_text_px(fig)
    if smallest < MIN_TEXT_PX - 0.05:
        plt.close(fig)
        raise ChartError(f"chart {stem.name}: the text {text!r} would show at {smallest:.1f} CSS px on a 390 px phone "
                         f"(at least {MIN_TEXT_PX} needed): draw the chart narrower or its text larger")
    stem.parent.mkdir(parents=True, exist_ok=True)
    svg_path = stem.with_suffix(".svg")
    # The source line is printed once, in the caption on the page; the SVG carries it in its metadata so a
    # chart saved on its own keeps it. No date and fixed ids (svg.hashsalt) make the bytes identical between builds.
    fig.savefig(svg_path, format="svg", metadata={"Date": None, "Title": alt[:200], "Source": source})
    plt.close(fig)
    csv_path = stem.with_suffix(".csv")
    data.to_csv(csv_path, index=False, lineterminator="\n", encoding="utf-8")
    return svg_path, csv_path


def fit_to_phone(fig, attempts: int = 12) -> None:
    """Narrow the figure until its saved width lets its smallest text show at MIN_TEXT_PX on a phone. Text keeps
    its size; the plotting area gives way. A chart whose labels alone are too wide still fails in save_chart."""
    for ax in fig.axes:  # long axis labels and legend entries wrap rather than set the chart's width
        for get, set_ in ((ax.get_xlabel, ax.set_xlabel), (ax.get_ylabel, ax.set_ylabel)):
            if len(get()) > 30 and "\n" not in get():
                set_(textwrap.fill(get(), 30))
        legend = ax.get_legend()
        for text in legend.get_texts() if legend else []:
            if len(text.get_text()) > 26 and "\n" not in text.get_text():
                text.set_text(textwrap.fill(text.get_text(), 26))
    for _ in range(attempts):
        smallest, _text = phone_text_px(fig)
        if smallest >= MIN_TEXT_PX:
            return
        pad = matplotlib.rcParams["savefig.pad_inches"]
        width_in = fig.get_tightbbox().width + 2 * pad
        target_in = width_in * smallest / MIN_TEXT_PX * 0.97
        new_width = fig.get_figwidth() - (width_in - target_in)
        if new_width < 1.5:
            return
        fig.set_figwidth(new_width)


def phone_text_px(fig) -> tuple[float, str]:
    """The size in CSS px, on a 390 px wide phone, of the smallest text in ``fig`` once saved (tight box),
    and that text. A chart narrower than the phone's column is not scaled down; a wider one is."""
    from matplotlib.text import Text

    pad = matplotlib.rcParams["savefig.pad_inches"]
    width_pt = (fig.get_tightbbox().width + 2 * pad) * 72
    shown_px = min(PHONE_CHART_PX, width_pt * 4 / 3)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and t.get_window_extent().width > 0]
    if not texts:
        return float("inf"), ""
    small = min(texts, key=lambda t: t.get_fontsize())
    return small.get_fontsize() * shown_px / width_pt, small.get_text()


# -- measuring charts -------------------------------------------------------------------------------

Box = tuple[float, float, float, float]  # (x0, y0, x1, y1) in points on the chart


def _renderer(fig):
    """A renderer at the figure's resolution, so positions and text sizes are measured in the same units. It lays
    the figure out as Agg would and measures text as Agg does, but paints nothing (painting is the slow part)."""
    from matplotlib.backends.backend_agg import RendererAgg

    renderer = RendererAgg(fig.bbox.width, fig.bbox.height, fig.dpi)
    for method in ("draw_path", "draw_markers", "draw_path_collection", "draw_quad_mesh", "draw_gouraud_triangles",
                   "draw_image", "draw_text", "draw_tex", "draw_mathtext"):
        setattr(renderer, method, lambda *args, **kwargs: None)
    return renderer


def _points(fig, box) -> Box:
    to_pt = 72 / fig.dpi
    return box.x0 * to_pt, box.y0 * to_pt, box.x1 * to_pt, box.y1 * to_pt


def text_size(fig, text) -> tuple[float, float]:
    """The width and height of a text artist in ``fig``, in points (for laying out charts by measure)."""
    box = _points(fig, text.get_window_extent(_renderer(fig)))
    return box[2] - box[0], box[3] - box[1]


def svg_size(svg_path: Path) -> tuple[int, int]:
    """Width and height in CSS pixels from the SVG header (used to reserve space on the page)."""
    head = svg_path.read_text(encoding="utf-8")[:2000]
    w = re.search(r'width="([\d.]+)pt"', head)
    h = re.search(r'height="([\d.]+)pt"', head)
    if not (w and h):
        return 0, 0
    return round(float(w.group(1)) * 4 / 3), round(float(h.group(1)) * 4 / 3)
