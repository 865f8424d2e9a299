"""Tables for the page, generated from data (never typed), with every cell escaped.

Text from CSV cells goes through :func:`pcevidence.book.escape_markdown`, so a cell holding
``<script>`` or a MyST role shows as text and never runs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .analysis import events_in_order
from .book import chapter_titles
from .data import load, package, tables
from .editions import TABLES, edition_dates, history
from .markup import CERTAINTY_LABEL, cite, cite_sources, escape_markdown
from .prose import first_upper, format_value, when


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
        parts.append(f"## `{res['path']}`: {escape_markdown(res['title'])}\n")
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




def evidence_table_markdown(root=None, *, exclude: tuple[str, ...] = ()) -> str:
    """Every finding in the review with its certainty and the sources behind it, chapter by chapter, less
    the chapters in ``exclude`` (the synthesis shows its own findings in its key findings box, so each finding
    appears once on its page)."""
    findings = load("findings", root=root)
    findings = findings[~findings["chapter"].isin(exclude)]
    titles = chapter_titles(root)
    order = {slug: i for i, slug in enumerate(titles)}
    findings = findings.assign(_o=findings["chapter"].map(order)).sort_values(["_o", "order"])
    table = pd.DataFrame({
        "Chapter": findings["chapter"].map(titles),
        "Finding": findings["finding"],
        "Certainty": findings["certainty"].map(CERTAINTY_LABEL),
        "Sources": [cite(ids.split(), root) for ids in findings["claim_ids"]],
    })
    return markdown_table(table, raw={"Sources"})


def events_markdown(events: pd.DataFrame, theme_labels: dict[str, str], *, numbered: bool = False) -> str:
    """The dated events as a table, with each date shown only as precisely as its source gives it. ``numbered``
    puts them in date order and numbers them as :func:`pcevidence.figures.events_by_year` does, so a reader can
    find a chart's event by its number."""

    if numbered:
        events = events_in_order(events)
    table = pd.DataFrame({
        "Date": [when(d.date(), p) for d, p in zip(events["date"], events["date_precision"], strict=True)],
        "Event": events["event"],
        "Theme": events["theme"].map(theme_labels),
        "Source": [cite_sources([s]) for s in events["source_id"]],
    })
    if numbered:
        table.insert(0, "No.", [str(n) for n in events["number"]])
    return markdown_table(table, raw={"Source"})


def seed_table_markdown(root=None) -> str:
    """What each founding document asserts, and what the evidence shows."""

    seeds = load("seed_assertions", root=root)
    table = pd.DataFrame({
        "Document": seeds["seed"],
        "What it says": seeds["assertion"],
        "Verdict": seeds["verdict"].str.capitalize(),
        "What the evidence shows": seeds["explanation"],
        "Sources": [cite(ids.split(), root) if ids else "" for ids in seeds["claim_ids"].fillna("")],
    })
    return markdown_table(table, raw={"Sources"})


def _claim_columns(claims: pd.DataFrame) -> dict[str, list]:
    """When, certainty and source columns for claims shown in a table (one row per claim)."""

    return {
        "When": [when(a) if isinstance(a, str) and a else "" for a in claims["as_of"]],
        "Certainty": list(claims["certainty"].map(CERTAINTY_LABEL)),
        "Source": [cite_sources([s]) for s in claims["source_id"]],
    }


def _claims_for(claim_ids: list[str], root=None) -> pd.DataFrame:

    claims = load("claims", root=root).set_index("claim_id")
    missing = [c for c in claim_ids if c not in claims.index]
    if missing:
        raise KeyError(f"claims {missing} are not in data/claims.csv")
    return claims.loc[claim_ids].reset_index()


def claims_markdown(claim_ids: list[str], *, figure: bool = True, root=None) -> str:
    """Chosen claims as a table: what the source says, the figure, when, certainty and source. Used
    where a chapter sets claims side by side (for example competing cost estimates)."""

    rows = _claims_for(claim_ids, root)
    table = pd.DataFrame({"What the source says": rows["statement"]})
    if figure:
        table["Figure"] = [format_value(v, u) if pd.notna(v) else "" for v, u in zip(rows["value"], rows["unit"], strict=True)]
    for name, column in _claim_columns(rows).items():
        table[name] = column
    return markdown_table(table, raw={"Source"})


def stance_scale(root=None) -> list[str]:
    """The positions on trusts, in order from opposing to supporting (the schema's enum for stances.stance)."""
    resource = next(r for r in package(root)["resources"] if r["name"] == "stances")
    return next(f for f in resource["schema"]["fields"] if f["name"] == "stance")["constraints"]["enum"]


def stances_frame(root=None) -> pd.DataFrame:
    """data/stances.csv joined to the claims that carry each position's statement, date, source and
    certainty; ``when`` is the date in words. Shared by the stance table and the stance chart."""

    stances = load("stances", root=root).reset_index(drop=True)
    claims = _claims_for(list(stances["claim_id"]), root)
    return stances.assign(statement=claims["statement"].values, as_of=claims["as_of"].values,
                          certainty=claims["certainty"].values, source_id=claims["source_id"].values,
                          when=[when(a) if isinstance(a, str) and a else "" for a in claims["as_of"]])


def stances_markdown(root=None) -> str:
    """Who has said what about trusts holding neighbourhood contracts."""

    frame = stances_frame(root)
    table = pd.DataFrame({"Who": frame["actor"], "Position": [first_upper(s) for s in frame["stance"]],
                          "What they said": frame["statement"]})
    for name, column in _claim_columns(frame).items():
        table[name] = column
    return markdown_table(table, raw={"Source"})


def _interval_text(row) -> str:
    if row["interval"] == "none" or pd.isna(row["low"]):
        return ""
    label = "95% CI" if row["interval"] == "95% confidence interval" else "range"
    return f" ({label} {row['low']:g} to {row['high']:g})"


def evaluation_result(row, claim_statement: str) -> str:
    """An evaluation's result in words: '29% lower than the comparison (95% CI 11 to 43)', or growth
    beside the comparison's, or (no estimate) the claim's own statement of the direction."""
    if pd.isna(row["estimate"]):
        return claim_statement
    unit = "%" if row["unit"] == "percent" else f" {row['unit']}"
    if row["scale"] == "difference from comparison":
        return f"{row['estimate']:g}{unit} {row['direction']} than the comparison{_interval_text(row)}"
    text = f"Grew {row['estimate']:g}{unit}{_interval_text(row)}"
    if pd.notna(row["comparison_value"]):
        text += f", against {row['comparison_value']:g}{unit} in the comparison"
    return text


def evaluations_markdown(root=None) -> str:
    """Every evaluation result: study, design, places, period, outcome, result with its interval,
    certainty and source."""

    evaluations = load("evaluations", root=root)
    claims = load("claims", root=root).set_index("claim_id")
    table = pd.DataFrame({
        "Study and design": evaluations["study"] + " (" + evaluations["design"] + ")",
        "Places and period": evaluations["places"] + ", " + evaluations["period"],
        "Outcome and result": [f"{r['outcome']}: {evaluation_result(r, claims.loc[r['claim_id'], 'statement'])}"
                               for r in evaluations.to_dict("records")],
        "Certainty": evaluations["certainty"].map(CERTAINTY_LABEL),
        "Source": [cite([c], root) for c in evaluations["claim_id"]],
    })
    return markdown_table(table, raw={"Source"})


GP_POSITION = {"in": "Kept", "out": "Outside", "suspended": "Suspended, with a right of return", "mixed": "Mixed",
               "not applicable": "Not involved", "not known": "Not known"}


def precedent_models_markdown(root=None) -> tuple[str, str]:
    """The earlier models in two tables (what they were; how GP contracts fared and what happened),
    so neither is too wide for a phone."""

    models = load("precedent_models", root=root)
    first = pd.DataFrame({"Model": models["model"], "Period": models["period"], "Footprint": models["footprint"],
                          "Money": models["money"]})
    second = pd.DataFrame({"Model": models["model"], "Contract": models["contract_form"],
                           "GP contracts": models["gp_position"].map(GP_POSITION),
                           "What happened": models["what_happened"],
                           "Sources": [cite(ids.split(), root) for ids in models["claim_ids"]]})
    return markdown_table(first), markdown_table(second, raw={"Sources"})


def at_a_glance_markdown(chapter: str, root=None) -> str:
    """A chapter's 'at a glance' box: each question answered from claims, or not known, with the date
    it refers to or the date it was last searched for, and the sources."""

    glance = load("at_a_glance", root=root)
    glance = glance[glance["chapter"] == chapter].sort_values("order")
    if glance.empty:
        raise ValueError(f"data/at_a_glance.csv has no rows for chapter {chapter!r}")
    claims = load("claims", root=root).set_index("claim_id")
    log = load("search_log", root=root).set_index("search_id")
    status_label = {"known": "Known", "partly known": "Partly known", "not known": "Not known"}
    rows = []
    for row in glance.to_dict("records"):
        claim_ids = (row["claim_ids"] or "").split()
        search_ids = (row["search_ids"] or "").split()
        dates = [claims.loc[c, "as_of"] for c in claim_ids if claims.loc[c, "as_of"]]
        as_at = []
        if dates:
            newest = max(dates, key=lambda d: (d[:4], d))
            as_at.append(f"As at {when(newest)}")
        if search_ids:
            as_at.append(f"last searched {when(max(log.loc[s, 'date'] for s in search_ids).date())}")

        rows.append((row["item"], f"**{status_label[row['status']]}.** {escape_markdown(row['answer'])}",
                     first_upper("; ".join(as_at)) if as_at else "",
                     cite(claim_ids, root) if claim_ids else "None found: see the {doc}`search log <methods>`"))
    return markdown_table(pd.DataFrame(rows, columns=["Question", "Answer", "When", "Sources"]),
                          raw={"Answer", "Sources"})


def _heading(changes, dates: dict) -> str:

    if changes.until:
        return (f"Edition {changes.until} (released {when(dates[changes.until].date())}), "
                f"since edition {changes.since}")
    return f"Changes since edition {changes.since}, not yet released"


def whats_new_markdown(root: Path | None = None) -> str:
    """The "What's new" page: for each edition (newest first), the findings added, changed (text or
    certainty, with the reason) and retired, and the claims added and corrected, generated from
    ``data/editions.csv``, ``data/revisions.csv`` and the data as it stands."""

    table = tables(root)
    dates = dict(edition_dates(table))
    revisions = load("revisions", root=root)
    claims = load("claims", root=root).set_index("claim_id")
    parts = []
    for changes in reversed(history(table)):
        reasons = {(r.kind, r.item_id): r.reason for r in revisions[revisions["since"] == changes.since]
                   .itertuples(index=False)}
        a, c, r = changes.added, changes.changed, changes.retired
        parts.append(f"## {_heading(changes, dates)}\n")
        summary = pd.DataFrame([
            ("Findings", len(a["finding"]), len(c["finding"]), len(r["finding"])),
            ("Claims", len(a["claim"]), len(c["claim"]), len(r["claim"])),
            ("Dated events", len(a["event"]), len(c["event"]), len(r["event"])),
            ("Sources", len(a["source"]), len(c["source"]), len(r["source"])),
        ], columns=["Item", "Added", "Changed or corrected", "Retired"])
        parts.append(markdown_table(summary) + "\n")
        after, before = changes.after, changes.before
        if a["finding"]:
            parts.append("### Findings added\n")
            parts.append("\n".join(
                f"- {escape_markdown(after.loc[('finding', f), 'text'])} "
                f"(certainty: {CERTAINTY_LABEL[after.loc[('finding', f), 'certainty']].lower()})"
                for f in a["finding"]) + "\n")
        if c["finding"]:
            parts.append("### Findings changed\n")
            rows = []
            for f in c["finding"]:
                old, new = before.loc[("finding", f)], after.loc[("finding", f)]
                certainty = CERTAINTY_LABEL[new["certainty"]]
                if old["certainty"] != new["certainty"]:
                    certainty = f"{CERTAINTY_LABEL[old['certainty']]} to {certainty}"
                rows.append((f, new["text"], certainty, reasons.get(("finding", f), "")))
            parts.append(markdown_table(pd.DataFrame(rows, columns=["Finding", "Now reads", "Certainty", "Why"])) + "\n")
        if c["claim"]:
            parts.append("### Claims corrected\n")
            rows = [(cid, after.loc[("claim", cid), "text"], reasons.get(("claim", cid), "")) for cid in c["claim"]]
            parts.append(markdown_table(pd.DataFrame(rows, columns=["Claim", "Now reads", "Why"])) + "\n")
        retired = [(kind, i) for kind in TABLES for i in r[kind]]
        if retired:
            parts.append("### Retired\n")
            rows = [(f"{kind} {i}", before.loc[(kind, i), "text"], reasons.get((kind, i), "")) for kind, i in retired]
            parts.append(markdown_table(pd.DataFrame(rows, columns=["Item", "Read", "Why"])) + "\n")
        if a["claim"]:
            parts.append("### Claims added, by chapter\n")
            added = claims.loc[[cid for cid in a["claim"] if cid in claims.index]]
            by_chapter = added.groupby("chapter").size()
            titles = chapter_titles(root)
            order = [s for s in titles if s in by_chapter.index]
            parts.append(markdown_table(pd.DataFrame({
                "Chapter": [titles[s] for s in order],
                "Claims added": [int(by_chapter[s]) for s in order]})) + "\n")
    if not parts:
        return "Nothing has changed since the first edition.\n"
    return "\n".join(parts)
