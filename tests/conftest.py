"""Shared fixtures. Nothing here writes into data/ or chapters/: corrupt copies live in tmp folders."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".ipynb_checkpoints", ".pytest_cache",
                              ".ruff_cache", "*.egg-info")


def copy_book(target: Path) -> Path:
    """Copy the repository as a reader would clone it (not .venv, _build or .git) into ``target``."""
    shutil.copytree(ROOT, target, ignore=SKIP, dirs_exist_ok=True)
    return target


def run_build(root: Path, *extra: str, timeout: int = 900, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Build the book at ``root`` in a fresh process, using that copy's own package and data (``env`` adds to
    or overrides the environment). Only a test marked ``build`` may call it (see :func:`pytest_runtest_setup`)."""
    if _running_test is not None and _running_test.get_closest_marker("build") is None:
        pytest.fail(f"{_running_test.nodeid} builds a copy of the book: mark it `build` "
                    "(`make test-fast` must not build)", pytrace=False)
    env = {**os.environ, "PCEVIDENCE_ROOT": str(root), "PYTHONPATH": str(root), **(env or {})}
    env.pop("PCEVIDENCE_FIGURES", None)
    return subprocess.run([sys.executable, "-m", "pcevidence.site.build", "--root", str(root), *extra],
                          cwd=root, env=env, capture_output=True, text=True, timeout=timeout)


def git_status(root: Path) -> str | None:
    if not (root / ".git").exists() or shutil.which("git") is None:
        return None
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root,
                          capture_output=True, text=True, check=True).stdout


# -- the fast lane -----------------------------------------------------------------------------------
# `make test-fast` runs `-m "not build and not browser"`. A test that needs the built book or Chromium
# but lacks the marker would slip into that lane and make it slow (or build into _build behind the
# author's back), so it fails here, before any fixture runs, naming the marker it needs.

NEEDS_MARKER = {"built_book": "build", "browser": "browser"}  # fixture -> marker a test using it must carry
_running_test: pytest.Item | None = None


def missing_markers(item: pytest.Item) -> list[str]:
    """The markers ``item`` lacks for the fixtures it uses (directly or through other fixtures)."""
    needed = {marker for fixture, marker in NEEDS_MARKER.items() if fixture in getattr(item, "fixturenames", ())}
    return sorted(marker for marker in needed if item.get_closest_marker(marker) is None)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    global _running_test
    _running_test = item
    missing = missing_markers(item)
    if missing:
        uses = ", ".join(f for f in NEEDS_MARKER if f in item.fixturenames)
        pytest.fail(f"{item.nodeid} uses {uses} but is not marked {' and '.join(missing)}: add "
                    + " ".join(f"@pytest.mark.{m}" for m in missing) + " (or the module's pytestmark)", pytrace=False)


def pytest_runtest_teardown(item):
    global _running_test
    _running_test = None


@pytest.fixture(scope="session")
def data_copy(tmp_path_factory) -> Path:
    """A pristine copy of the book's data and config to corrupt, one per test via ``bad_root``."""
    return copy_book(tmp_path_factory.mktemp("pristine"))


@pytest.fixture()
def bad_root(tmp_path, data_copy) -> Path:
    root = tmp_path / "book"
    shutil.copytree(data_copy, root)
    return root


@pytest.fixture(scope="session")
def built_book():
    """Build the real book once per test run (strict, as `make book` does) and report git status
    around it. A file lock makes test workers take turns, and a worker that finds the book already
    built in this run reuses it, so two builds never write into _build at the same time."""
    import fcntl

    (ROOT / "_build").mkdir(exist_ok=True)
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", "")
    marker = ROOT / "_build" / ".test-build-run"
    with open(ROOT / "_build" / ".test-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            record = json.loads(marker.read_text()) if run_id and marker.exists() else {}
        except ValueError:  # a marker from an older layout: build again
            record = {}
        if run_id and record.get("run") == run_id:  # built by another worker in this run: reuse its record
            result = subprocess.CompletedProcess(record["args"], 0, record["stdout"], record.get("stderr", ""))
            return {"html": ROOT / "_build" / "html", "before": record["before"], "after": record["after"],
                    "result": result}
        before = git_status(ROOT)
        result = run_build(ROOT)
        after = git_status(ROOT)
        if result.returncode == 0 and run_id:
            marker.write_text(json.dumps({"run": run_id, "args": result.args, "stdout": result.stdout,
                                          "stderr": result.stderr, "before": before, "after": after}))
    if result.returncode != 0:
        pytest.fail(f"the book failed to build:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    return {"html": ROOT / "_build" / "html", "before": before, "after": after, "result": result}


def record_revision(root: Path, kind: str, item_id: str, change: str, reason: str = "Changed by a test.") -> None:
    """Give the reason a test's edit needs: a claim corrected, a finding changed or an item retired since the
    last edition must have one in data/revisions.csv, or loading the data stops (as it should for an author)."""
    import csv

    with (root / "data" / "editions.csv").open(encoding="utf-8", newline="") as f:
        since = max((row["edition"] for row in csv.DictReader(f)), key=lambda v: tuple(int(p) for p in v.split(".")))
    path = root / "data" / "revisions.csv"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith(f"{since},{kind},{item_id},")]
    lines.append(f"{since},{kind},{item_id},{change},{reason}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def latest_access_date() -> str:
    """The newest date_accessed in the real source register: tests that pin "today" use it, so they stay
    valid as sources are added (a fixed date would make every newly read source look "in the future")."""
    import csv

    with (ROOT / "data" / "sources.csv").open(encoding="utf-8", newline="") as f:
        return max(row["date_accessed"] for row in csv.DictReader(f))
