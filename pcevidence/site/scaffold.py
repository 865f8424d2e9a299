"""``make new-chapter NAME="Title"``: a new chapter notebook that already meets the chapter standard.

Creates ``chapters/<slug>.ipynb`` (key findings from data, a glued number, a chart through the
house chart function, "What we do not know yet" and "What to watch"), adds it to ``_toc.yml`` before
the synthesis (or at the end of the numbered chapters), and allows the slug as a ``chapter`` value
in ``data/datapackage.json``. The book still builds; ``make check`` then reminds the author to
record the chapter's key findings.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

from .. import paths

CELLS = [
    ("markdown", "# {title}"),
    ("code", 'from pcevidence import Chapter, figures, load, prose\n\nch = Chapter("{slug}")\nch.key_findings()'),
    ("markdown", "## What the evidence shows\n\n"
                 "Write the chapter here in plain English. Expand each acronym at first use and link it to the "
                 "glossary, for example: integrated care board ({{term}}`ICB`). Put every number in with glue: "
                 "the register currently holds {{glue:text}}`{slug_}_claims` claims."),
    ("code", 'claims = load("claims")\nch.glue("{slug_}_claims", prose.count(len(claims)))'),
    ("code", "# Replace with this chapter's own chart: draw it with pcevidence.figures, then save it with\n"
             "# ch.figure(...), which refuses a chart without alt text stating the finding and a source line.\n"
             "fig, data = figures.stacked_bars(claims, category=\"theme\", stack=\"certainty\",\n"
             "    stack_order=figures.CERTAINTY_ORDER, colours=figures.CERTAINTY_COLOURS, xlabel=\"Number of claims\")\n"
             "ch.figure(fig, \"claims-by-theme\", caption=\"Claims in the evidence register by theme and certainty.\",\n"
             "    alt=f\"The evidence register holds {{len(claims)}} claims, counted here by theme and certainty.\",\n"
             "    source=\"Evidence review claims register (data/claims.csv)\", data=data)"),
    ("markdown", "## What we do not know yet\n\n- Name the questions the evidence cannot yet answer."),
    ("markdown", "## What to watch\n\n- Name the publications, decisions and dates that will settle them."),
]


def slugify(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    if not slug:
        raise ValueError(f"cannot make a file name from {title!r}")
    return slug


def scaffold(title: str, root: Path | None = None) -> Path:
    root = root or paths.project_root()
    slug = slugify(title)
    target = root / "chapters" / f"{slug}.ipynb"
    if target.exists():
        raise FileExistsError(f"{target.relative_to(root)} already exists")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                   "language_info": {"name": "python"}}
    fields = {"title": title, "slug": slug, "slug_": slug.replace("-", "_")}
    for i, (kind, text) in enumerate(CELLS):
        source = text.format(**fields)
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell["id"] = f"c{i:02d}"
        if kind == "code":
            cell.metadata = {"tags": ["hide-input"] if "ch.figure" in source else ["remove-input"]}
        nb.cells.append(cell)
    nbformat.write(nb, target)

    toc_path = root / "_toc.yml"
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    numbered = next(part for part in toc["parts"] if part.get("numbered"))
    files = [c["file"] for c in numbered["chapters"]]
    position = files.index("chapters/synthesis") if "chapters/synthesis" in files else len(files)
    numbered["chapters"].insert(position, {"file": f"chapters/{slug}"})
    header = "".join(line for line in toc_path.read_text(encoding="utf-8").splitlines(keepends=True)
                     if line.startswith("#"))
    toc_path.write_text(header + yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")

    package_path = root / "data" / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    for res in package["resources"]:
        for field in res["schema"]["fields"]:
            if field["name"] == "chapter" and "enum" in field.get("constraints", {}):
                if slug not in field["constraints"]["enum"]:
                    field["constraints"]["enum"].append(slug)
    package_path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print('usage: python -m pcevidence.site.scaffold "Title of the chapter"', file=sys.stderr)
        return 2
    target = scaffold(args[0])
    print(f"Created {target.relative_to(paths.project_root())} and added it to _toc.yml.\n"
          "Next: write it, record its key findings in data/findings.csv, then `make check` and `make book`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
