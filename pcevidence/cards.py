"""Long tables that work on a phone: HTML tables that stack into cards at narrow widths, each row with
an anchor, each cell labelled with its column, optionally findable and sortable by a small script that
ships with the page (no other origin, no library), and the whole table offered as a CSV.

Every cell is escaped. A missing value shows as "missing", never as zero or a blank.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import pandas as pd

from . import prose

MISSING = '<span class="pcr-missing">missing</span>'


@dataclass(frozen=True)
class Column:
    """One column of a card table: the data column, its heading, and how to show a value."""

    name: str
    heading: str
    kind: str = "text"  # text | count | one (one decimal) | pct (one decimal and %) | two
    sortable: bool = True


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def show(value, kind: str) -> str:
    """A value as the reader sees it (already escaped)."""
    if _is_missing(value):
        return MISSING
    if kind == "count":
        return prose.count(round(float(value)))
    if kind == "one":
        return f"{float(value):,.1f}"
    if kind == "two":
        return f"{float(value):,.2f}"
    if kind == "pct":
        return f"{float(value):,.1f}%"
    return html.escape(str(value))


def _sort_key(value, kind: str) -> str:
    if _is_missing(value):
        return ""
    return repr(round(float(value), 6)) if kind != "text" else str(value).lower()


def card_table(frame: pd.DataFrame, columns: list[Column], *, table_id: str, caption: str,
               row_id: str | None = None, highlight: set[str] | None = None, find_label: str | None = None,
               sort: bool = True) -> str:
    """The HTML of a table that reads as a table on a wide screen and as a stack of cards on a phone.

    ``row_id`` names the column holding each row's anchor (``id``); ``highlight`` lists anchors drawn in
    the focus style; ``find_label`` adds a search box that hides rows not matching the typed text;
    ``sort`` adds a choice of column to sort by. The first column is each card's title."""
    if not re.fullmatch(r"[a-z][a-z0-9-]*", table_id):
        raise ValueError(f"table id {table_id!r}: use lower-case letters, digits and hyphens")
    missing = [c.name for c in columns if c.name not in frame.columns]
    if missing:
        raise KeyError(f"card table {table_id}: no column(s) {missing} in the data")
    e = html.escape
    highlight = highlight or set()
    tools = []
    if find_label:
        tools.append(f'<label>{e(find_label)} <input type="search" autocomplete="off" '
                     f'data-pcr-find="{table_id}"></label>')
    if sort:
        options = "".join(f'<option value="{i}">{e(c.heading)}</option>' for i, c in enumerate(columns) if c.sortable)
        tools.append(f'<label>Sort by <select data-pcr-sort="{table_id}">{options}</select></label>'
                     f'<button type="button" data-pcr-order="{table_id}" aria-pressed="false">Highest first</button>')
    head = "".join(f'<th scope="col">{e(c.heading)}</th>' for c in columns)
    body = []
    for record in frame.to_dict("records"):
        anchor = str(record[row_id]) if row_id else ""
        attrs = f' id="{e(anchor)}"' if anchor else ""
        if anchor in highlight:
            attrs += ' class="pcr-focus"'
        cells = []
        for i, c in enumerate(columns):
            value = record[c.name]
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            cells.append(f'<{tag}{scope} data-label="{e(c.heading)}" data-sort="{e(_sort_key(value, c.kind))}">'
                         f"{show(value, c.kind)}</{tag}>")
        body.append(f"<tr{attrs}>{''.join(cells)}</tr>")
    tool_html = f'<div class="pcr-table-tools">{"".join(tools)}</div>' if tools else ""
    status = f'<p class="pcr-find-status" aria-live="polite" data-pcr-status="{table_id}"></p>' if find_label else ""
    # The wrapper scrolls sideways on a narrow desktop window, so it is focusable and named for keyboard users.
    return (f'<div class="pcr-cards-wrap" tabindex="0" role="region" aria-label="{e(caption)}">{tool_html}{status}'
            f'<table class="pcr-cards" id="{table_id}"><caption>{e(caption)}</caption>'
            f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


# Find and sort, for every card table on the page. Plain script, no library, nothing fetched.
SCRIPT = """<script>
(function () {
  function rows(id) { return Array.prototype.slice.call(document.querySelectorAll('#' + id + ' tbody tr')); }
  document.querySelectorAll('[data-pcr-find]').forEach(function (box) {
    var id = box.getAttribute('data-pcr-find');
    var status = document.querySelector('[data-pcr-status="' + id + '"]');
    box.addEventListener('input', function () {
      var words = box.value.toLowerCase().trim();
      var shown = 0;
      rows(id).forEach(function (tr) {
        var match = !words || tr.cells[0].textContent.toLowerCase().indexOf(words) !== -1;
        tr.hidden = !match; shown += match ? 1 : 0;
      });
      if (status) { status.textContent = words ? shown + ' shown' : ''; }
    });
  });
  function resort(id) {
    var select = document.querySelector('[data-pcr-sort="' + id + '"]');
    var button = document.querySelector('[data-pcr-order="' + id + '"]');
    var col = parseInt(select.value, 10);
    var high = button.getAttribute('aria-pressed') === 'true';
    var list = rows(id);
    list.sort(function (a, b) {
      var x = a.cells[col].getAttribute('data-sort'), y = b.cells[col].getAttribute('data-sort');
      if (x === '' || y === '') { return x === y ? 0 : (x === '' ? 1 : -1); }
      var nx = parseFloat(x), ny = parseFloat(y), order;
      order = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
      return high ? -order : order;
    });
    var body = document.querySelector('#' + id + ' tbody');
    list.forEach(function (tr) { body.appendChild(tr); });
  }
  document.querySelectorAll('[data-pcr-sort]').forEach(function (select) {
    var id = select.getAttribute('data-pcr-sort');
    var button = document.querySelector('[data-pcr-order="' + id + '"]');
    select.addEventListener('change', function () { resort(id); });
    button.addEventListener('click', function () {
      var high = button.getAttribute('aria-pressed') !== 'true';
      button.setAttribute('aria-pressed', high ? 'true' : 'false');
      button.textContent = high ? 'Lowest first' : 'Highest first';
      resort(id);
    });
  });
})();
</script>"""
