"""Tables for the page, generated from data (never typed), with every cell escaped.

Text from CSV cells goes through :func:`pcevidence.book.escape_markdown`, so a cell holding
``<script>`` or a MyST role shows as text and never runs.
"""

from __future__ import annotations

import pandas as pd

from .book import escape_markdown
from .data import package


def markdown_table(frame: pd.DataFrame, *, links: dict[str, str] | None = None, raw: set[str] | None = None) -> str:
    """A Markdown (MyST) table. ``links`` maps a column to the column holding its URL; ``raw`` names
    columns that already hold safe MyST (for example generated citations)."""
    links = links or {}
    raw = raw or set()
    shown = [c for c in frame.columns if c not in links.values()]
    lines = ["| " + " | ".join(escape_markdown(c) for c in shown) + " |", "|" + "---|" * len(shown)]
    for row in frame.to_dict("records"):
        cells = []
        for column in shown:
            value = row[column]
            text = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
            if column in raw:
                cell = text
            else:
                cell = escape_markdown(text).replace("\n", " ")
                if column in links and row.get(links[column]):
                    url = str(row[links[column]]).replace(" ", "%20").replace(")", "%29").replace("<", "%3C")
                    cell = f"[{cell}](<{url}>)"
            cells.append(cell)
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _unit_of(field: dict) -> str:
    return field.get("unit", "")


def data_dictionary_markdown(root=None) -> str:
    """Every resource and field in data/datapackage.json: type, description (with unit), constraints,
    licence and sources."""
    pkg = package(root)
    parts = []
    for res in pkg["resources"]:
        licences = "; ".join(lic.get("title", lic.get("name", "")) for lic in res.get("licenses", pkg.get("licenses", [])))
        sources = "; ".join(
            f"[{escape_markdown(s['title'])}](<{s['path']}>)" if s.get("path", "").startswith("http")
            else escape_markdown(s["title"]) for s in res.get("sources", []))
        key = res["schema"].get("primaryKey", "")
        key = ", ".join(key) if isinstance(key, list) else key
        parts.append(f"### `{res['path']}`: {escape_markdown(res['title'])}\n")
        parts.append(f"{escape_markdown(res.get('description', ''))}\n")
        meta = [f"- **Licence:** {escape_markdown(licences)}", f"- **Sources:** {sources}",
                f"- **One row per:** {escape_markdown(key)}"]
        if res.get("upstream_sha256"):
            meta.append(f"- **Upstream file SHA-256:** `{res['upstream_sha256']}`; trimmed by "
                        f"`{res.get('trimmed_by', '')}`")
        if res.get("hash"):
            meta.append(f"- **This file's checksum:** `{res['hash']}`")
        parts.append("\n".join(meta) + "\n")
        rows = []
        for field in res["schema"]["fields"]:
            c = field.get("constraints", {})
            rules = []
            if c.get("required"):
                rules.append("required")
            if "enum" in c:
                rules.append("one of: " + ", ".join(map(str, c["enum"])))
            if "minimum" in c:
                rules.append(f"minimum {c['minimum']}")
            if "maximum" in c:
                rules.append(f"maximum {c['maximum']}")
            if "pattern" in c:
                rules.append(f"pattern {c['pattern']}")
            rows.append({"field": field["name"], "type": field.get("type", "string"),
                         "description": field.get("description", ""), "rules": "; ".join(rules)})
        parts.append(markdown_table(pd.DataFrame(rows)) + "\n")
    return "\n".join(parts)


CHAPTER_TITLES = {
    "index": "Introduction", "contracting": "Contracting and funding", "kent-medway": "Kent and Medway",
    "neighbourhood-contracts": "Neighbourhood contracts", "trusts": "Trusts", "collective-action": "Collective action",
    "synthesis": "Synthesis",
}


def evidence_table_markdown(root=None) -> str:
    """Every finding in the review with its certainty and the sources behind it, chapter by chapter."""
    from .book import CERTAINTY_LABEL, cite
    from .data import load

    findings = load("findings", root=root)
    order = {slug: i for i, slug in enumerate(CHAPTER_TITLES)}
    findings = findings.assign(_o=findings["chapter"].map(order)).sort_values(["_o", "order"])
    table = pd.DataFrame({
        "Chapter": findings["chapter"].map(CHAPTER_TITLES),
        "Finding": findings["finding"],
        "Certainty": findings["certainty"].map(CERTAINTY_LABEL),
        "Sources": [cite(ids.split(), root) for ids in findings["claim_ids"]],
    })
    return markdown_table(table, raw={"Sources"})


def events_markdown(events: pd.DataFrame, theme_labels: dict[str, str]) -> str:
    """The dated events as a table, with each date shown only as precisely as its source gives it."""
    from .book import cite_sources
    from .prose import when

    table = pd.DataFrame({
        "Date": [when(d.date(), p) for d, p in zip(events["date"], events["date_precision"], strict=True)],
        "Event": events["event"],
        "Theme": events["theme"].map(theme_labels),
        "Source": [cite_sources([s]) for s in events["source_id"]],
    })
    return markdown_table(table, raw={"Source"})


def seed_table_markdown(root=None) -> str:
    """What each founding document asserts, and what the evidence shows."""
    from .book import cite
    from .data import load

    seeds = load("seed_assertions", root=root)
    table = pd.DataFrame({
        "Document": seeds["seed"],
        "What it says": seeds["assertion"],
        "Verdict": seeds["verdict"].str.capitalize(),
        "What the evidence shows": seeds["explanation"],
        "Sources": [cite(ids.split(), root) if ids else "" for ids in seeds["claim_ids"].fillna("")],
    })
    return markdown_table(table, raw={"Sources"})


def _claim_when(row) -> str:
    from .prose import when

    return when(row["as_of"]) if isinstance(row["as_of"], str) and row["as_of"] else ""


def claims_markdown(claim_ids: list[str], *, figure: bool = True, root=None) -> str:
    """Chosen claims as a table: what the source says, the figure, when, certainty and source. Used
    where a chapter sets claims side by side (for example competing cost estimates)."""
    from .book import CERTAINTY_LABEL, cite_sources
    from .data import load
    from .prose import format_value

    claims = load("claims", root=root).set_index("claim_id")
    missing = [c for c in claim_ids if c not in claims.index]
    if missing:
        raise KeyError(f"claims {missing} are not in data/claims.csv")
    rows = claims.loc[claim_ids].reset_index()
    table = pd.DataFrame({"What the source says": rows["statement"]})
    if figure:
        table["Figure"] = [format_value(v, u) if pd.notna(v) else "" for v, u in zip(rows["value"], rows["unit"], strict=True)]
    table["When"] = [_claim_when(r) for _, r in rows.iterrows()]
    table["Certainty"] = rows["certainty"].map(CERTAINTY_LABEL)
    table["Source"] = [cite_sources([s]) for s in rows["source_id"]]
    return markdown_table(table, raw={"Source"})


def stances_markdown(root=None) -> str:
    """Who has said what about trusts holding neighbourhood contracts (data/stances.csv joined to the
    claims that carry each position's quote, date, source and certainty)."""
    from .book import CERTAINTY_LABEL, cite_sources
    from .data import load

    stances = load("stances", root=root)
    claims = load("claims", root=root).set_index("claim_id")
    rows = claims.loc[list(stances["claim_id"])].reset_index()
    table = pd.DataFrame({
        "Who": stances["actor"].values,
        "Position": [s[0].upper() + s[1:] for s in stances["stance"]],
        "What they said": rows["statement"].values,
        "When": [_claim_when(r) for _, r in rows.iterrows()],
        "Certainty": rows["certainty"].map(CERTAINTY_LABEL).values,
        "Source": [cite_sources([s]) for s in rows["source_id"]],
    })
    return markdown_table(table, raw={"Source"})
