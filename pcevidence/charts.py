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

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

RC_FILE = Path(__file__).with_name("matplotlibrc")

CATEGORICAL = ["#12436D", "#28A197", "#801650", "#F46A25", "#3D3D3D", "#A285D1"]
TWO_SERIES = ["#12436D", "#F46A25"]
FOCUS = ["#12436D", "#BFBFBF"]
SEQUENTIAL = ["#12436D", "#2073BC", "#6BACE6"]
TEXT = "#3D3D3D"

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
    stem.parent.mkdir(parents=True, exist_ok=True)
    width_in, height_in = fig.get_size_inches()
    wrapped = textwrap.fill(f"Source: {source}", width=max(40, int(width_in * 12)))
    # Put the source line below everything already drawn (axis labels, legends), left-aligned.
    box = fig.get_tightbbox()
    fig.text(box.x0 / width_in, (box.y0 - 0.12) / height_in, wrapped, ha="left", va="top", fontsize=10,
             color=TEXT, transform=fig.transFigure)
    svg_path = stem.with_suffix(".svg")
    # No date and fixed ids (svg.hashsalt) make the bytes identical between builds.
    fig.savefig(svg_path, format="svg", metadata={"Date": None, "Title": alt[:200]})
    plt.close(fig)
    csv_path = stem.with_suffix(".csv")
    data.to_csv(csv_path, index=False, lineterminator="\n", encoding="utf-8")
    return svg_path, csv_path


def svg_size(svg_path: Path) -> tuple[int, int]:
    """Width and height in CSS pixels from the SVG header (used to reserve space on the page)."""
    head = svg_path.read_text(encoding="utf-8")[:2000]
    w = re.search(r'width="([\d.]+)pt"', head)
    h = re.search(r'height="([\d.]+)pt"', head)
    if not (w and h):
        return 0, 0
    return round(float(w.group(1)) * 4 / 3), round(float(h.group(1)) * 4 / 3)
