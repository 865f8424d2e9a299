"""MyST markup shared by the chapter pages: safe text from CSV cells, citations of claims, the findings box,
and the labels for themes and certainty. Imports only the loader, so any page-making module can use it."""

from __future__ import annotations

import html
import re
from pathlib import Path

from .data import load


def escape_markdown(text: str) -> str:
    """Make text from a CSV cell safe to place in MyST Markdown: it shows as text, never runs as
    HTML, a role or a directive."""
    text = html.escape(str(text), quote=False)
    return re.sub(r"([\\`*_{}\[\]#|~$])", r"\\\1", text)


def claim(claim_id: str, root: Path | None = None) -> dict:
    claims = load("claims", root=root)
    match = claims[claims["claim_id"] == claim_id]
    if match.empty:
        raise KeyError(f"claim {claim_id!r} is not in data/claims.csv")
    return match.iloc[0].to_dict()


def sources_for(claim_ids: list[str], root: Path | None = None) -> list[str]:
    claims = load("claims", root=root).set_index("claim_id")
    seen: list[str] = []
    for cid in claim_ids:
        if cid not in claims.index:
            raise KeyError(f"claim {cid!r} is not in data/claims.csv")
        sid = claims.loc[cid, "source_id"]
        if sid not in seen:
            seen.append(sid)
    return seen


def cite(claim_ids: list[str], root: Path | None = None) -> str:
    """A MyST citation of the sources behind some claims."""
    return cite_sources(sources_for(claim_ids, root))


def cite_sources(source_ids: list[str]) -> str:
    return "{cite:p}`" + ",".join(source_ids) + "`"


# Plain-English names of the review's themes (the theme column of claims and events).
THEME_LABELS = {"kent_variation": "Kent and Medway variation", "pcn_arrs": "PCNs and ARRS",
                "workforce_funding": "Workforce and funding", "neighbourhood_contracts": "Neighbourhood contracts",
                "trusts": "Trusts", "collective_action": "Collective action", "precedents": "Earlier local contracts"}

CERTAINTY_LABEL = {"high": "High", "moderate": "Moderate", "low": "Low", "very low": "Very low"}


def findings_markdown(chapter: str | None, root: Path | None = None, *, headline_only: bool = False) -> str:
    findings = load("findings", root=root)
    if chapter:
        findings = findings[findings["chapter"] == chapter]
    if headline_only:
        findings = findings[findings["headline"] == True]  # noqa: E712 (nullable boolean)
    if findings.empty and chapter and not headline_only:
        # A new chapter builds before its findings exist; `make check` fails until they are recorded.
        return (":::{admonition} Key findings\n:class: pcr-key-findings warning\n\n"
                "No key findings are recorded for this chapter yet (add them to `data/findings.csv`).\n:::\n")
    if findings.empty:
        raise ValueError(f"data/findings.csv has no findings for chapter {chapter!r}")
    findings = findings.sort_values(["chapter", "order"]) if not chapter else findings.sort_values("order")
    lines = []
    for row in findings.itertuples(index=False):
        label = CERTAINTY_LABEL[row.certainty]
        lines.append(
            f"- {escape_markdown(row.finding)} "
            f"<span class=\"pcr-certainty pcr-certainty-{row.certainty.replace(' ', '-')}\">"
            f"Certainty: {label}</span> {cite(row.claim_ids.split(), root)}"
        )
    body = "\n".join(lines)
    if headline_only:
        return body
    return f":::{{admonition}} Key findings\n:class: pcr-key-findings\n\n{body}\n:::\n"
