"""``make release VERSION=x.y.z``: set the version everywhere it is recorded, open a changelog entry,
and keep a snapshot of the evidence as released.

Updates CITATION.cff (version and date-released), pyproject.toml and pcevidence/__init__.py, adds
a heading for the version to chapters/changelog.md if it is not there, and appends a snapshot of every
claim, finding, event and source to data/editions.csv (the baseline the next edition's "What's new"
page compares against). The author then writes the entry, runs ``make test`` and tags the commit
``vX.Y.Z``.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

from .. import paths

VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def versions(root: Path) -> dict[str, str]:
    """The version as recorded in each place (a test checks they agree)."""
    cff = re.search(r"^version: (\S+)", (root / "CITATION.cff").read_text(encoding="utf-8"), re.MULTILINE)
    pyproject = re.search(r'^version = "([^"]+)"', (root / "pyproject.toml").read_text(encoding="utf-8"), re.MULTILINE)
    init = re.search(r'^__version__ = "([^"]+)"', (root / "pcevidence" / "__init__.py").read_text(encoding="utf-8"),
                     re.MULTILINE)
    changelog = re.search(r"^## Version (\S+)", (root / "chapters" / "changelog.md").read_text(encoding="utf-8"),
                          re.MULTILINE)
    return {"CITATION.cff": cff and cff.group(1), "pyproject.toml": pyproject and pyproject.group(1),
            "pcevidence/__init__.py": init and init.group(1), "chapters/changelog.md": changelog and changelog.group(1)}


def release(version: str, root: Path | None = None, today: date | None = None) -> None:
    if not VERSION.match(version):
        raise ValueError(f"version {version!r} must look like 1.2.3")
    root = root or paths.project_root()
    today = today or date.today()

    def sub(path: Path, pattern: str, replacement: str) -> None:
        text = path.read_text(encoding="utf-8")
        new, count = re.subn(pattern, replacement, text, count=1, flags=re.MULTILINE)
        if count != 1:
            raise RuntimeError(f"{path.relative_to(root)}: could not find {pattern!r}")
        path.write_text(new, encoding="utf-8")

    sub(root / "CITATION.cff", r"^version: .*$", f"version: {version}")
    sub(root / "CITATION.cff", r"^date-released: .*$", f"date-released: {today.isoformat()}")
    sub(root / "pyproject.toml", r'^version = ".*"$', f'version = "{version}"')
    sub(root / "pcevidence" / "__init__.py", r'^__version__ = ".*"$', f'__version__ = "{version}"')
    snapshot_edition(version, today, root)
    changelog = root / "chapters" / "changelog.md"
    text = changelog.read_text(encoding="utf-8")
    if f"## Version {version}" not in text and "\n## Unreleased\n" in text:
        # The entries gathered under "Unreleased" become this version's entry.
        changelog.write_text(text.replace("\n## Unreleased\n", f"\n## Version {version} ({today.isoformat()})\n", 1),
                             encoding="utf-8")
    elif f"## Version {version}" not in text:
        head, _, rest = text.partition("\n## ")
        entry = f"\n## Version {version} ({today.isoformat()})\n\n- Describe what changed in the evidence and the book.\n"
        changelog.write_text(head.rstrip("\n") + "\n" + entry + ("\n## " + rest if rest else ""), encoding="utf-8")


def snapshot_edition(version: str, today: date, root: Path) -> None:
    """Append this version's snapshot to data/editions.csv, replacing any earlier snapshot of the same version
    (an edition re-cut before it is published). Refuses to snapshot data that fails validation, so a release
    never records evidence the book would not build from; the reasons for changes are checked against the
    previous edition."""
    import csv
    import io

    from ..data import load_all, tables
    from ..editions import snapshot_rows

    path = root / "data" / "editions.csv"
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    kept = [row for row in reader if row["edition"] != version]

    def write(rows: list[dict]) -> None:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue(), encoding="utf-8")

    original = path.read_text(encoding="utf-8")
    write(kept)
    try:
        load_all(root)  # every table valid, including the reasons for every change since the previous edition
    except Exception:
        path.write_text(original, encoding="utf-8")  # leave the snapshots as they were
        raise
    rows = snapshot_rows(version, today.isoformat(), tables(root)).fillna("").astype(str).to_dict("records")
    write(kept + rows)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m pcevidence.site.release X.Y.Z", file=sys.stderr)
        return 2
    release(args[0])
    print(f"Version set to {args[0]}. Write the changelog entry in chapters/changelog.md, run `make test`, "
          f"commit, then `git tag v{args[0]}`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
