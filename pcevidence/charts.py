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
    ``source`` line, without the data it was drawn from, whose text would be too small on a phone, or
    whose text labels overlap or run off the saved canvas (:func:`check_layout`).
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
    try:
        check_layout(fig, stem.name)
    except ChartError:
        plt.close(fig)
        raise
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


# -- labels that never collide ---------------------------------------------------------------------
# A chart is judged as it will be saved: every text a reader sees (titles, axis and tick labels, annotations,
# legend entries) must sit clear of every other text and of the bars, and inside the saved canvas.

# Two boxes that overlap by no more than this (in points, both ways) touch rather than collide: a text's box is
# its font's full height, a little taller than most of its letters, so boxes can meet with no ink touching.
OVERLAP_TOLERANCE_PT = 1.0


def _draw(fig):
    """Draw ``fig`` once; return the renderer and every text actually drawn with its box, in drawing order.
    Only texts drawn count: a tick label kept for a tick outside the axis limits is not on the chart."""
    from matplotlib.text import Text

    renderer = _renderer(fig)
    drawn: dict[int, Text] = {}  # in drawing order
    draw = Text.draw

    def recording_draw(text, renderer_):
        if text.get_visible() and text.get_text().strip():
            drawn.setdefault(id(text), text)
        return draw(text, renderer_)

    Text.draw = recording_draw
    try:
        fig.draw(renderer)
    finally:
        Text.draw = draw
    boxes = [(text, _points(fig, text.get_window_extent(renderer))) for text in drawn.values()]
    return renderer, [(text, box) for text, box in boxes if box[2] > box[0] and box[3] > box[1]]


def _bars(fig, renderer) -> list[Box]:
    """The boxes of the bars (filled rectangles drawn on the axes) in ``fig``."""
    from matplotlib.patches import Rectangle

    boxes = []
    for ax in fig.axes:
        for patch in ax.patches:
            if isinstance(patch, Rectangle) and patch.get_visible() and patch.get_fill() and patch.get_facecolor()[3] > 0:
                box = _points(fig, patch.get_window_extent(renderer))
                if box[2] > box[0] and box[3] > box[1]:
                    boxes.append(box)
    return boxes


def _overlap(a: Box, b: Box) -> tuple[float, float]:
    return min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])


def _collides(a: Box, b: Box, tolerance: float = OVERLAP_TOLERANCE_PT) -> bool:
    across, down = _overlap(a, b)
    return across > tolerance and down > tolerance


def _inside(inner: Box, outer: Box, tolerance: float = OVERLAP_TOLERANCE_PT) -> bool:
    return (inner[0] >= outer[0] - tolerance and inner[1] >= outer[1] - tolerance
            and inner[2] <= outer[2] + tolerance and inner[3] <= outer[3] + tolerance)


def _marks(fig, renderer) -> list[Box]:
    """The boxes of the markers (scatter points, and the markers on lines) in ``fig``: places a label must not
    cover."""
    import numpy as np
    from matplotlib.collections import PathCollection

    boxes = []
    for ax in fig.axes:
        points = []
        for collection in ax.collections:
            if isinstance(collection, PathCollection) and collection.get_visible() and len(collection.get_offsets()):
                sizes = np.broadcast_to(np.sqrt(collection.get_sizes()), len(collection.get_offsets()))
                xy = collection.get_offset_transform().transform(collection.get_offsets())
                points += [(x, y, size) for (x, y), size in zip(xy, sizes, strict=True)]
        for line in ax.lines:
            if line.get_visible() and line.get_marker() not in (None, "", "None", " "):
                xy = line.get_transform().transform(line.get_xydata())
                points += [(x, y, line.get_markersize()) for x, y in xy]
        to_pt = 72 / fig.dpi
        boxes += [(x * to_pt - size / 2, y * to_pt - size / 2, x * to_pt + size / 2, y * to_pt + size / 2)
                  for x, y, size in points]
    return boxes


def drawn_texts(fig) -> list[tuple[str, Box]]:
    """Every text a reader sees in ``fig``, with its box on the saved chart in points, in drawing order."""
    return [(text.get_text(), box) for text, box in _draw(fig)[1]]


def saved_canvas(fig) -> Box:
    """The part of ``fig`` that :func:`save_chart` writes, in points: the tight box around what is drawn plus
    the padding (savefig.bbox: tight), or the whole figure."""
    if matplotlib.rcParams["savefig.bbox"] != "tight":
        return 0.0, 0.0, fig.get_figwidth() * 72, fig.get_figheight() * 72
    box = fig.get_tightbbox(_renderer(fig))  # in inches
    pad = matplotlib.rcParams["savefig.pad_inches"]
    return (box.x0 - pad) * 72, (box.y0 - pad) * 72, (box.x1 + pad) * 72, (box.y1 + pad) * 72


def layout_problems(fig) -> list[str]:
    """What a reader would see go wrong with the labels of ``fig``: two texts overlapping, a text half over a
    bar (a text wholly inside a bar is a label on it), or a text running outside the saved canvas. Empty when
    the layout is clean."""
    renderer, texts = _draw(fig)
    bars = _bars(fig, renderer)
    canvas = saved_canvas(fig)
    problems = []
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            if _collides(box_a, box_b):
                across, down = _overlap(box_a, box_b)
                problems.append(f"the texts {_quote(a.get_text())} and {_quote(b.get_text())} overlap "
                                f"({across:.1f} pt across, {down:.1f} pt down)")
        for bar in bars:
            if _collides(box_a, bar) and not _inside(box_a, bar):
                problems.append(f"the text {_quote(a.get_text())} runs into a bar")
        if not _inside(box_a, canvas):
            problems.append(f"the text {_quote(a.get_text())} runs outside the chart")
    return problems


def _quote(text: str) -> str:
    return repr(" ".join(text.split()))


def check_layout(fig, name: str = "chart") -> None:
    """Refuse (:class:`ChartError`) a chart whose labels collide or run off it, naming the chart and the texts.
    :func:`save_chart` calls it once the chart has its phone width, so labels are judged where they are read."""
    problems = layout_problems(fig)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ChartError(f"chart {name}: {problems[0]}{more}: move a label, shorten it, or give the chart more room")


# Where a value label may go around its point, in order of preference: (dx, dy) in points, then its alignment.
AROUND_POINT = [((0, 8), "center", "bottom"), ((0, -8), "center", "top"), ((8, 0), "left", "center"),
                ((-8, 0), "right", "center")]


def settle_labels(fig, labels, places=AROUND_POINT) -> None:
    """Give each annotation in ``labels`` (drawn with ``textcoords="offset points"``) the first of ``places``
    where it stays inside the rest of the chart (so the chart keeps its size) and clear of every other text, bar
    and marker. The chart is first fitted to a phone, where the labels will be read. A label with nowhere to go
    keeps its first place, and :func:`check_layout` then refuses the chart by name."""
    fit_to_phone(fig)
    renderer, texts = _draw(fig)
    moving = {id(label) for label in labels}
    fixed = [box for text, box in texts if id(text) not in moving]
    taken = fixed + _bars(fig, renderer) + _marks(fig, renderer)
    # The chart as drawn without these labels: the axes and every other text. A label kept inside it cannot
    # widen the chart, which would shrink its text on a phone and undo the fit.
    edges = fixed + [_points(fig, ax.bbox) for ax in fig.axes]
    frame = (min(b[0] for b in edges), min(b[1] for b in edges), max(b[2] for b in edges), max(b[3] for b in edges))
    for label in labels:
        for offset, ha, va in [*places, places[0]]:
            label.xyann = offset
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = _points(fig, label.get_window_extent(renderer))
            if _inside(box, frame) and not any(_collides(box, other) for other in taken):
                break
        taken.append(box)


def svg_size(svg_path: Path) -> tuple[int, int]:
    """Width and height in CSS pixels from the SVG header (used to reserve space on the page)."""
    head = svg_path.read_text(encoding="utf-8")[:2000]
    w = re.search(r'width="([\d.]+)pt"', head)
    h = re.search(r'height="([\d.]+)pt"', head)
    if not (w and h):
        return 0, 0
    return round(float(w.group(1)) * 4 / 3), round(float(h.group(1)) * 4 / 3)
