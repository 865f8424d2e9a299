"""``make check``: a fast pre-flight for authors (seconds, no build).

Checks, each message naming the file and the line or cell:
1. the data package validates (the loader's schema and project rules; references.bib in step);
2. notebooks are committed stripped (no outputs, no execution counts);
3. the package, tests and notebooks pass ruff;
4. no money, percentage or count is typed into prose instead of glued;
5. no acronym is used on a page before it is expanded;
6. every numbered chapter has key findings in data/findings.csv.
Warns (does not fail) when a statistics source is past its next expected release.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

from .. import paths, rules
from ..book import toc_entries
from ..data import DataError, load, resource_names
from . import bib

# Named things that contain digits and are not figures from the evidence.
ALLOWED_PHRASES = [
    r"10 Year Health Plan", r"per 1,000", r"per 10,000", r"(?:aged |Aged )?(?:65|75|85)(?:\+| and over)", r"Health and Care Act 2022", r"WCAG 2\.2", r"NHS Long Term Plan",
    r"Open Government Licence v3\.0", r"CC BY 4\.0", r"ISO 8601", r"Python 3\.\d+", r"UTF-8",
    r"\d{4}/\d{2}(?!\d)", r"(?<![\d,.£])(19|20)\d{2}(?!\d|,\d)", r"section \d+(\.\d+)*",
    r"sections \d+, \d+ and \d+\.\d+ to \d+\.\d+", r"B\.\d+(\.\d+)?", r"\d+(\.\d+)+\)?(?= of the)",
]
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
TYPED_FIGURE = re.compile(rf"\b\d{{1,2}} (?:{MONTHS})(?: \d{{4}})?\b|£\s?\d[\d,.]*\s?(?:m|bn|k|million|billion)?|\b\d[\d,.]*\s?(?:%|per cent)|\b\d{{1,3}}(?:,\d{{3}})+\b|\b\d{{2,}}\b")
GLUE = re.compile(r"\{glue(?::\w+)?\}`[^`]*`")
ROLE = re.compile(r"\{(?:cite|cite:p|cite:t|ref|numref|doc|download)\}`[^`]*`")
CODE = re.compile(r"`[^`]*`")


def _notebooks(root: Path) -> list[Path]:
    return sorted(p for p in (root / "chapters").glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def check_data(root: Path) -> list[str]:
    problems = []
    for name in resource_names(root):
        try:
            load(name, root=root)
        except DataError as exc:
            problems.append(str(exc))
    if not problems:
        bib_path = root / "references.bib"
        if not bib_path.exists() or bib_path.read_text(encoding="utf-8") != bib.render(root):
            problems.append("references.bib: out of date with data/sources.csv; run `make bib`")
    return problems


def check_stripped(root: Path) -> list[str]:
    problems = []
    for path in _notebooks(root):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"], start=1):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                problems.append(f"{path.relative_to(root)}: cell {i} has outputs or an execution count; "
                                "strip it (`nbstripout chapters/*.ipynb`, or the pre-commit hook does it)")
    return problems


def check_lint(root: Path) -> list[str]:
    targets = [str(p) for p in (root / "pcevidence", root / "tests", root / "scripts") if p.exists()]
    targets += [str(p) for p in _notebooks(root)]
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "--output-format", "concise", *targets],
                            cwd=root, capture_output=True, text=True)
    if result.returncode == 0:
        return []
    return [line for line in result.stdout.splitlines() if line.strip() and not line.startswith("Found")] or [result.stderr]


def _markdown_cells(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"], start=1):
        if cell["cell_type"] == "markdown":
            yield i, "".join(cell["source"])


def _clean(text: str) -> str:
    text = GLUE.sub(" ", text)
    text = ROLE.sub(" ", text)
    text = CODE.sub(" ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"^#+ ", "", text, flags=re.M)
    for phrase in ALLOWED_PHRASES:
        text = re.sub(phrase, " ", text)
    return text


TYPED_FIGURE_NUMBER = re.compile(r"\b(?:Figure|Fig\.|Table)\s+[A-Z]?\d+(?:\.\d+)?\b")


def check_typed_figures(root: Path) -> list[str]:
    problems = []
    for path in _notebooks(root):
        for i, text in _markdown_cells(path):
            for line_no, line in enumerate(text.splitlines(), start=1):
                for match in TYPED_FIGURE_NUMBER.finditer(re.sub(ROLE, " ", line)):
                    problems.append(f"{path.relative_to(root)}: cell {i}, line {line_no}: figure number typed into "
                                    f"prose: '{match.group(0)}'; refer to the figure with {{numref}}`figure-<chapter>-"
                                    "<name>` so Sphinx numbers it")
                found = [m.group(0).strip() for m in TYPED_FIGURE.finditer(_clean(line))]
                if found:
                    problems.append(f"{path.relative_to(root)}: cell {i}, line {line_no}: figure(s) typed into prose "
                                    f"instead of glued: {', '.join(found[:5])}")
    return problems


FIGURE_CALL = re.compile(r"ch\.figure\(\s*\w+\s*,\s*\"([a-z0-9-]+)\"")
NUMREF = re.compile(r"\{numref\}`(?:[^`<]*<)?(figure-[a-z0-9-]+)>?`")


def check_figure_references(root: Path) -> list[str]:
    """Every {numref} to a figure names a chart some chapter draws (``ch.figure(fig, "name", ...)`` in chapter
    ``slug`` is ``figure-slug-name``); Sphinx would also stop on it, but only after executing every notebook."""
    from ..book import figure_label

    defined, used = set(), []
    for path in _notebooks(root):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "code":
                defined |= {figure_label(path.stem, name) for name in FIGURE_CALL.findall(text)}
            else:
                used += [(path, label) for label in NUMREF.findall(text)]
    return [f"{path.relative_to(root)}: {{numref}} to '{label}', which no chapter draws (ch.figure(fig, "
            f"\"{label.split('-', 2)[-1] if label.count('-') > 1 else label}\", ...) in that chapter)"
            for path, label in used if label not in defined]


def glossary_acronyms(root: Path) -> dict[str, str]:
    """Acronym -> its expansion, from chapters/glossary.md (the text before the first colon)."""
    text = (root / "chapters" / "glossary.md").read_text(encoding="utf-8")
    found = {}
    for term, definition in re.findall(r"^([A-Z][A-Za-z ]*?)\n  ([^\n]+)", text, flags=re.M):
        term = term.strip()
        if re.fullmatch(r"[A-Z]{2,}(?: [A-Z][a-z]+)?", term) and ":" in definition:
            found[term] = definition.split(":", 1)[0].strip()
    return found


def check_acronyms(root: Path) -> list[str]:
    acronyms = glossary_acronyms(root)
    problems = []
    for path in _notebooks(root):
        seen: set[str] = set()
        before = ""
        for i, raw in _markdown_cells(path):
            text = re.sub(r"\{glue(?::\w+)?\}`[^`]*`|\{cite(?::\w)?\}`[^`]*`|\]\([^)]*\)", " ", raw)
            for line_no, line in enumerate(text.splitlines(), start=1):
                for acronym, expansion in acronyms.items():
                    if acronym in seen:
                        continue
                    match = re.search(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", line)
                    if not match:
                        continue
                    seen.add(acronym)
                    context = (before + "\n" + line[: match.start()])[-200:].lower()
                    words = [w for w in re.findall(r"[a-z]+", expansion.lower()) if len(w) > 3]
                    if not words or not all(w in context for w in words[:3]):
                        problems.append(f"{path.relative_to(root)}: cell {i}, line {line_no}: '{acronym}' is used "
                                        f"before it is expanded; write '{expansion} ({{term}}`{acronym}`)' at first use")
                before = (before + "\n" + line)[-400:]
    return problems


def check_claims_cited(root: Path) -> list[str]:
    """A number glued from a claim must have the claim's source cited somewhere on the same page."""
    claims = load("claims", root=root).set_index("claim_id")
    problems = []
    for path in _notebooks(root):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        cited = {key for group in re.findall(r"\{cite(?::\w)?\}`([^`]*)`", text) for key in group.split(",")}
        for claim_id in re.findall(r"glue_(?:claim|when)\(\s*\"[^\"]+\",\s*\"([A-Z]+-\d{3})\"", code):
            if claim_id not in claims.index:
                problems.append(f"{path.relative_to(root)}: glues claim {claim_id}, which is not in data/claims.csv")
                continue
            source = claims.loc[claim_id, "source_id"]
            if source not in cited:
                problems.append(f"{path.relative_to(root)}: glues claim {claim_id} but never cites its source "
                                f"{{cite:p}}`{source}`")
    return problems


def check_findings(root: Path) -> list[str]:
    findings = load("findings", root=root)
    problems = []
    for entry in toc_entries(root):
        slug = Path(entry.docname).name
        if entry.title_kind == "chapter" and slug not in set(findings["chapter"]):
            problems.append(f"data/findings.csv: chapter '{slug}' has no key findings yet")
    return problems


def freshness_warnings(root: Path) -> list[str]:
    sources = load("sources", root=root)
    today = rules.today()
    warnings = []
    for i, row in enumerate(sources.itertuples(index=False), start=2):
        due = row.next_release
        if not pd.isna(due) and due.date() < today:
            warnings.append(f"data/sources.csv, row {i}: '{row.source_id}' expected a new release on "
                            f"{due.date().isoformat()}; check for newer figures and update the data")
    return warnings


CHECKS = [("data package", check_data), ("notebooks stripped", check_stripped), ("lint (ruff)", check_lint),
          ("figures glued, not typed", check_typed_figures), ("figure references resolve", check_figure_references),
          ("acronyms expanded first", check_acronyms),
          ("glued claims are cited", check_claims_cited), ("chapters have findings", check_findings)]


def main() -> int:
    root = paths.project_root()
    start = time.perf_counter()
    failed = 0
    for label, check in CHECKS:
        problems = check(root)
        status = "ok" if not problems else f"{len(problems)} problem(s)"
        print(f"[{'PASS' if not problems else 'FAIL'}] {label}: {status}")
        for message in problems:
            print(f"    {message}")
        failed += bool(problems)
    try:
        warnings = freshness_warnings(root)
    except DataError:
        warnings = []
    for message in warnings:
        print(f"[WARN] {message}")
    print(f"make check finished in {time.perf_counter() - start:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
