"""One loader for every table in ``data/``: read, check against the Table Schema, then return.

Every problem raises :class:`DataError`, whose message names the file, the row (row 1 is the
header, so the first record is row 2, as in ``frictionless validate``), the column, the bad value and
the rule it broke. A chapter that loads bad data therefore stops the build with a message an
author can act on, instead of drawing a quietly wrong chart.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths
from .errors import DataError

if TYPE_CHECKING:
    import pandas as pd

# pandas and the project's rules are imported where a table is read, not here: the site build asks this module
# only for the package descriptor and file hashes, and should not pay for pandas on every author's rebuild.

_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^\d{4}$")


def _display_path(path: Path) -> str:
    try:
        return str(path.relative_to(paths.project_root()))
    except ValueError:
        return str(path)


@lru_cache(maxsize=8)
def _read_package(path_str: str, mtime: float) -> dict:
    path = Path(path_str)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(_display_path(path), f"is not valid JSON: {exc}") from exc


def package(root: Path | None = None) -> dict:
    """The data package descriptor (``data/datapackage.json``)."""
    root = root or paths.project_root()
    path = root / "data" / "datapackage.json"
    return _read_package(str(path), path.stat().st_mtime)


def resource_names(root: Path | None = None) -> list[str]:
    return [r["name"] for r in package(root)["resources"]]


def resource(name: str, root: Path | None = None) -> dict:
    for res in package(root)["resources"]:
        if res["name"] == name:
            return res
    raise DataError(
        "data/datapackage.json",
        f"has no resource named {name!r}; known resources: {', '.join(resource_names(root))}",
    )


def _convert(cell: str, field: dict):
    """Convert one cell to its schema type; return (value, problem)."""
    ftype = field.get("type", "string")
    if ftype == "string":
        return cell, None
    if ftype == "integer":
        if not _INTEGER.match(cell):
            return None, "is not a whole number (type integer)"
        return int(cell), None
    if ftype == "number":
        if not _NUMBER.match(cell):
            return None, "is not a number (type number; write 1234.5, no commas, £ or %)"
        value = float(cell)
        if math.isinf(value) or math.isnan(value):
            return None, "is not a finite number"
        return value, None
    if ftype == "date":
        if not _DATE.match(cell):
            return None, "is not a date in ISO 8601 form YYYY-MM-DD (type date)"
        try:
            return date.fromisoformat(cell), None
        except ValueError:
            return None, "is not a real calendar date (type date)"
    if ftype == "year":
        if not _YEAR.match(cell):
            return None, "is not a four-digit year (type year)"
        return int(cell), None
    if ftype == "boolean":
        if cell not in ("true", "false"):
            return None, "is not true or false (type boolean)"
        return cell == "true", None
    raise DataError("data/datapackage.json", f"field {field['name']!r} has unsupported type {ftype!r}")


def _check_constraints(value, cell: str, field: dict):
    c = field.get("constraints", {})
    if "enum" in c and cell not in c["enum"]:
        return f"is not one of the allowed values: {', '.join(map(str, c['enum']))}", "enum"
    if "minimum" in c and value < c["minimum"]:
        return f"is below the minimum {c['minimum']}", "minimum"
    if "maximum" in c and value > c["maximum"]:
        return f"is above the maximum {c['maximum']}", "maximum"
    if "pattern" in c and not re.fullmatch(c["pattern"], cell):
        return f"does not match the pattern {c['pattern']}", "pattern"
    if "maxLength" in c and len(cell) > c["maxLength"]:
        return f"is longer than {c['maxLength']} characters", "maxLength"
    return None, None


def _read_rows(path: Path, shown: str) -> list[list[str]]:
    raw = path.read_bytes()
    if not raw.strip():
        raise DataError(shown, "is empty: it needs at least a header row naming the columns", rule="non-empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            shown,
            f"is not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {line} cannot be decoded; "
            "save the file as UTF-8",
            row=line,
            rule="encoding utf-8",
        ) from exc
    try:
        return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise DataError(shown, f"is not well-formed CSV: {exc}", rule="CSV syntax") from exc


def _validate(res: dict, root: Path) -> pd.DataFrame:
    path = root / "data" / res["path"]
    shown = f"data/{res['path']}"
    if not path.is_file():
        raise DataError(shown, "is listed in data/datapackage.json but does not exist")
    rows = _read_rows(path, shown)
    fields = res["schema"]["fields"]
    names = [f["name"] for f in fields]
    header = rows[0]
    missing = [n for n in names if n not in header]
    if missing:
        raise DataError(shown, f"the header lacks the column(s) {', '.join(missing)} required by the schema",
                        row=1, column=missing[0], rule="schema fields")
    extra = [h for h in header if h not in names]
    if extra:
        raise DataError(shown, f"the header has column(s) {', '.join(map(repr, extra))} that the schema does not "
                        "describe; add them to data/datapackage.json or remove them", row=1, column=extra[0],
                        rule="schema fields")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise DataError(shown, "the header repeats a column", row=1, column=dupes[0], rule="unique header")
    index = {h: i for i, h in enumerate(header)}
    missing_values = set(res["schema"].get("missingValues", [""]))
    columns: dict[str, list] = {n: [] for n in names}
    for number, record in enumerate(rows[1:], start=2):
        if not record:
            raise DataError(shown, "is a blank line inside the table", row=number, rule="no blank rows")
        if len(record) != len(header):
            raise DataError(shown, f"has {len(record)} cells but the header has {len(header)} "
                            "(a stray comma or an unquoted comma inside a value?)", row=number, rule="row length")
        for field in fields:
            name = field["name"]
            cell = record[index[name]]
            if cell in missing_values:
                if field.get("constraints", {}).get("required"):
                    raise DataError(shown, "is missing but the column is required", row=number, column=name,
                                    value=cell, rule="required")
                columns[name].append(None)
                continue
            value, problem = _convert(cell, field)
            if problem:
                raise DataError(shown, problem, row=number, column=name, value=cell, rule=f"type {field.get('type')}")
            problem, rule = _check_constraints(value, cell, field)
            if problem:
                raise DataError(shown, problem, row=number, column=name, value=cell, rule=rule)
            columns[name].append(value)
    n_rows = len(rows) - 1
    key = res["schema"].get("primaryKey")
    if key:
        key = [key] if isinstance(key, str) else key
        seen: dict[tuple, int] = {}
        for i in range(n_rows):
            k = tuple(columns[c][i] for c in key)
            if k in seen:
                raise DataError(shown, f"repeats the primary key {', '.join(key)} already used in row {seen[k]}",
                                row=i + 2, column=key[0], value=k[0] if len(k) == 1 else k, rule="primary key")
            seen[k] = i + 2
    for fk in res["schema"].get("foreignKeys", []):
        fields_ = [fk["fields"]] if isinstance(fk["fields"], str) else fk["fields"]
        ref = fk["reference"]
        ref_fields = [ref["fields"]] if isinstance(ref["fields"], str) else ref["fields"]
        target = res if ref.get("resource", "") in ("", res["name"]) else resource(ref["resource"], root)
        target_df = load(target["name"], root=root) if target is not res else None
        if target_df is None:
            known = {tuple(columns[f][i] for f in ref_fields) for i in range(n_rows)}
        else:
            known = set(map(tuple, target_df[ref_fields].astype(object).itertuples(index=False, name=None)))
        for i in range(n_rows):
            k = tuple(columns[f][i] for f in fields_)
            if any(v is None for v in k):
                continue
            if k not in known:
                raise DataError(shown, f"is not a known {', '.join(ref_fields)} in data/{target['path']}; "
                                f"register the source there first", row=i + 2, column=fields_[0],
                                value=k[0] if len(k) == 1 else k, rule="foreign key")
    import pandas as pd

    frame = pd.DataFrame(columns, columns=names)
    for field in fields:
        name, ftype = field["name"], field.get("type", "string")
        if ftype in ("integer", "year"):
            frame[name] = pd.array(columns[name], dtype="Int64")
        elif ftype == "number":
            frame[name] = pd.array([float("nan") if v is None else v for v in columns[name]], dtype="float64")
        elif ftype == "date":
            frame[name] = pd.to_datetime(pd.Series(columns[name], dtype=object))
        elif ftype == "boolean":
            frame[name] = pd.array(columns[name], dtype="boolean")
        else:
            frame[name] = pd.Series(columns[name], dtype=object)
    frame.attrs["path"] = shown
    frame.attrs["resource"] = res["name"]
    return frame


_CACHE: dict[tuple, pd.DataFrame] = {}

# While a chapter executes in an author's cached rebuild, every table it loads is recorded with the hash of
# its file, so the next rebuild re-executes exactly the chapters whose tables changed (see
# pcevidence.site.sphinxext). Set by :func:`record_dependencies`; None outside such a build.
_DEPENDENCIES: Path | None = None
_RECORDED: set[str] = set()


def record_dependencies(path: Path | None) -> None:
    """Start recording the tables loaded from now on into ``path`` (one 'table<TAB>sha256' line each)."""
    global _DEPENDENCIES
    _DEPENDENCIES = path
    _RECORDED.clear()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("", encoding="utf-8")


def file_hash(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"


def _record(name: str, path: Path) -> None:
    if _DEPENDENCIES is None:
        return
    line = f"{name}\t{file_hash(path)}\n"
    if line not in _RECORDED:
        _RECORDED.add(line)
        with _DEPENDENCIES.open("a", encoding="utf-8") as handle:
            handle.write(line)


def load(name: str, *, root: Path | None = None, rules: bool = True) -> pd.DataFrame:
    """Load the table ``name`` from the data package, validated; raise :class:`DataError` if it is bad.

    ``rules`` also applies the project's own rules (quote length, conflict links, date ranges) from
    :mod:`pcevidence.rules`.
    """
    root = (root or paths.project_root()).resolve()
    res = resource(name, root)
    path = root / "data" / res["path"]
    _record(name, path)
    _record("datapackage.json", root / "data" / "datapackage.json")
    stamp = (str(root), name, path.stat().st_mtime_ns if path.exists() else None,
             (root / "data" / "datapackage.json").stat().st_mtime_ns, rules)
    if stamp in _CACHE:
        return _CACHE[stamp].copy()
    frame = _validate(res, root)
    if rules:
        from . import rules as project_rules

        project_rules.check(name, frame, root, tables(root), res)
    _CACHE[stamp] = frame
    return frame.copy()


def load_all(root: Path | None = None) -> dict[str, pd.DataFrame]:
    """Load and validate every table in the package (what ``make validate`` runs first)."""
    return {name: load(name, root=root) for name in resource_names(root)}


def tables(root: Path | None = None):
    """A loader bound to one book: ``table("claims")`` loads and validates that book's claims. The rules and
    the editions take one, so they never import this module (and the modules form no import cycle)."""
    bound = (root or paths.project_root()).resolve()

    def table(name: str) -> pd.DataFrame:
        return load(name, root=bound)

    table.root = bound
    return table
