"""``references.bib`` is generated from ``data/sources.csv`` so the two cannot drift.

``python -m pcevidence.site.bib`` rewrites references.bib (an authoring step, run by ``make bib``);
``python -m pcevidence.site.bib --check`` exits non-zero when the committed file is out of date, and a
test does the same.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .. import paths
from ..data import load

_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _braced(text: str) -> str:
    # Escape the characters BibTeX treats specially; keep the text otherwise as published.
    text = str(text).replace("\\", "").replace("{", "(").replace("}", ")")
    for char in ("&", "%", "#", "_", "$"):
        text = text.replace(char, "\\" + char)
    return text


_ORGANISATION = re.compile(
    r"\b(NHS|BMA|RCGP|DHSC|LMCs?|ICB|Trust|Fund|Department|[Mm]inister|Confederation|Fact|Intelligence|Council|"
    r"Committee|College|Association|England|Parliament|Team|Society|Centre|Digital|Government|Office|Board)\b")


def author_field(author: str, publisher: str) -> str:
    """Organisations are braced so BibTeX keeps them whole ('{NHS England}', not 'England, NHS');
    people's names are joined with 'and' as BibTeX expects."""
    if not author:
        return "{" + _braced(publisher) + "}"
    if _ORGANISATION.search(author) or author.startswith("The ") or author.isupper():
        return "{" + _braced(author) + "}"
    names = author.replace(" et al.", " and others")
    return _braced(re.sub(r",\s*", " and ", names))


def label_author(author: str, publisher: str) -> str:
    """The name an author-year citation shows: the organisation, or the people's surnames
    ('Parr', 'Parr and Gault', 'Parr et al.'), as the bibliography style prints them."""
    field = author_field(author, publisher)
    if field.startswith("{"):
        return field
    people = [name.strip().split()[-1] for name in field.split(" and ") if name.strip()]
    if "others" in people or len(people) > 2:
        return f"{people[0]} et al."
    return " and ".join(people)


def year_labels(sources) -> dict[str, str]:
    """The year each source shows in citations: '2026', or '2026a', '2026b', ... when two sources would
    otherwise show the same author and year (in order of publication date, then key), so that no two
    different sources share an in-text label and the reference list matches."""
    groups: dict[tuple[str, str], list] = {}
    for row in sources.to_dict("records"):
        published = row["date_published"]
        year = str(published).split("-")[0] if isinstance(published, str) and published else "n.d."
        key = (label_author(row.get("author") or "", row["publisher"]), year)
        groups.setdefault(key, []).append(row)
    labels = {}
    for (_, year), rows in groups.items():
        if len(rows) == 1:
            labels[rows[0]["source_id"]] = year
            continue
        rows.sort(key=lambda r: (str(r["date_published"] or ""), r["source_id"]))
        for i, row in enumerate(rows):
            labels[row["source_id"]] = year + _suffix(i)
    return labels


def _suffix(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def entry(row: dict, year: str | None = None) -> str:
    parts = str(row["date_published"] or "").split("-") if row["date_published"] else ["n.d."]
    fields = []
    fields.append(("author", author_field(row.get("author") or "", row["publisher"])))
    fields.append(("title", "{" + _braced(row["title"]) + "}"))
    fields.append(("publisher", _braced(row["publisher"])))
    fields.append(("year", year or parts[0]))
    if len(parts) > 1:
        fields.append(("month", _MONTHS[int(parts[1]) - 1]))
    fields.append(("url", row["url"]))
    fields.append(("urldate", row["date_accessed"].strftime("%Y-%m-%d")))
    fields.append(("note", f"{row['source_type'].capitalize()}. Accessed {row['date_accessed'].strftime('%d %B %Y').lstrip('0')}"))
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}" for name, value in fields
    )
    return f"@misc{{{row['source_id']},\n{body}\n}}\n"


def render(root: Path | None = None) -> str:
    sources = load("sources", root=root).sort_values("source_id")
    years = year_labels(sources)
    header = "% Generated from data/sources.csv by `make bib` (python -m pcevidence.site.bib). Do not edit by hand.\n\n"
    return header + "\n".join(entry(row, years[row["source_id"]]) for row in sources.to_dict("records"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that references.bib is up to date")
    args = parser.parse_args(argv)
    root = paths.project_root()
    target = root / "references.bib"
    text = render(root)
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print("references.bib is out of date with data/sources.csv: run `make bib`", file=sys.stderr)
            return 1
        print("references.bib matches data/sources.csv")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target.relative_to(root)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
