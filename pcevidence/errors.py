"""The error every data problem raises, naming the file, the row, the column, the value and the rule.

Kept in its own module so that the loader, the rules and the editions can all raise it without importing
each other."""

from __future__ import annotations


class DataError(ValueError):
    """A table in ``data/`` breaks its schema or a project rule."""

    def __init__(self, path, problem, *, row=None, column=None, value=None, rule=None):
        self.path = str(path)
        self.row = row
        self.column = column
        self.value = value
        self.rule = rule
        where = [self.path]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        text = ", ".join(where) + ": "
        if value is not None:
            text += f"value {value!r} "
        text += problem
        if rule:
            text += f" [rule: {rule}]"
        super().__init__(text)
