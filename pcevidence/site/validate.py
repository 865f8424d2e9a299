"""``make validate``: the whole data package, in seconds.

1. Frictionless validates ``data/datapackage.json`` (schemas, types, constraints, keys, checksums).
2. The project's loader re-checks every table and applies the project's own rules (quote length,
   conflict links, date ranges, findings that cite real claims).
3. ``references.bib`` must match ``data/sources.csv``.
Exits non-zero on the first problem of each kind, with a message naming file, row and column.
"""

from __future__ import annotations

import sys
import time

from .. import paths
from ..data import DataError, load, resource_names
from . import bib


def frictionless_errors(root) -> list[str]:
    from frictionless import Package, system

    messages: list[str] = []
    with system.use_context(trusted=True):
        report = Package(str(root / "data" / "datapackage.json")).validate()
    seen_types: set[tuple[str, str]] = set()
    for task in report.tasks:
        for error in task.errors:
            key = (task.name, error.type)
            if key in seen_types:
                continue
            seen_types.add(key)
            row = getattr(error, "row_number", None)
            field = getattr(error, "field_name", None)
            where = f"data/{task.place}" + (f", row {row}" if row else "") + (f", column '{field}'" if field else "")
            messages.append(f"{where}: {error.message} [frictionless: {error.type}]")
    for error in report.errors:
        messages.append(f"data/datapackage.json: {error.message} [frictionless: {error.type}]")
    return messages


def main() -> int:
    root = paths.project_root()
    start = time.perf_counter()
    problems = frictionless_errors(root)
    for name in resource_names(root):
        try:
            load(name, root=root)
        except DataError as exc:
            problems.append(str(exc))
    expected = bib.render(root) if not problems else None
    bib_path = root / "references.bib"
    if expected is not None and (not bib_path.exists() or bib_path.read_text(encoding="utf-8") != expected):
        problems.append("references.bib: out of date with data/sources.csv; run `make bib`")
    took = time.perf_counter() - start
    if problems:
        print(f"Data package INVALID ({len(problems)} problem(s), {took:.1f} s):", file=sys.stderr)
        for message in problems:
            print(f"  - {message}", file=sys.stderr)
        return 1
    print(f"Data package valid: {len(resource_names(root))} tables checked in {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
