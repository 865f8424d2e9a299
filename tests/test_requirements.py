"""Three pinned sets that never disagree: the book's (requirements.txt), the test tools' and the lab's, each
installed by the make targets that need it and no other."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from conftest import ROOT
from pcevidence.site import freeze

FILES = {label: ROOT / name for label, name in freeze.FILES.items()}
TOOLS = {"pytest", "pytest-xdist", "playwright", "axe-playwright-python", "ruff", "pre-commit", "nbstripout", "jupyterlab"}


def lines(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def pins(label: str) -> dict[str, str]:
    return freeze.read_pins(FILES[label])


def test_the_book_set_holds_no_test_or_lab_tool():
    book = set(pins("book"))
    assert book, "requirements.txt pins nothing"
    tools = TOOLS | {freeze.canonical(n) for n in freeze.TEST + freeze.LAB}
    assert not book & tools, f"test or lab tools in requirements.txt: {sorted(book & tools)}"


@pytest.mark.parametrize("label", freeze.FILES)
def test_every_line_is_an_exact_pin(label):
    body = lines(FILES[label])
    if label != "book":
        assert body[0] == "-r requirements.txt", f"{FILES[label].name} must start from the book's set"
        body = body[1:]
    unpinned = [ln for ln in body if not freeze.PIN.match(ln)]
    assert not unpinned, f"{FILES[label].name}: not pinned with ==: {unpinned}"
    names = [freeze.canonical(freeze.PIN.match(ln).group(1)) for ln in body]
    assert len(names) == len(set(names)), f"{FILES[label].name} pins a package twice"


@pytest.mark.parametrize("label", ["test", "lab"])
def test_the_tool_sets_never_pin_another_version_than_the_book(label):
    book, tools = pins("book"), pins(label)
    differ = {n: (book[n], v) for n, v in tools.items() if n in book and book[n] != v}
    assert not differ, f"{FILES[label].name} pins another version than requirements.txt: {differ}"
    # ...and the test and lab sets agree with each other, so both install into one .venv.
    test, lab = pins("test"), pins("lab")
    assert not {n for n in test.keys() & lab.keys() if test[n] != lab[n]}


@pytest.mark.parametrize("label", freeze.FILES)
def test_each_set_pins_its_top_level_packages(label):
    wanted = {"book": freeze.BOOK, "test": freeze.TEST, "lab": freeze.LAB}[label]
    missing = [p for p in wanted if freeze.canonical(p) not in pins(label)]
    assert not missing, f"{FILES[label].name} lacks {missing}: run `make freeze`"


OWN = {"pcevidence", *(p.stem for p in (ROOT / "tests").glob("*.py"))}


def third_party_imports(sources: list[tuple[str, str]]) -> dict[str, str]:
    """``{top-level module: where}`` for every import that is neither the standard library nor the project."""
    found = {}
    for where, code in sources:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in OWN:
                    found.setdefault(top, where)
    return found


def uncovered(imports: dict[str, str], allowed: set[str]) -> list[str]:
    dists = packages_distributions()
    return [f"{module} ({where})" for module, where in sorted(imports.items())
            if not {freeze.canonical(d) for d in dists.get(module, [])} & allowed]


def test_the_book_set_covers_what_the_book_and_its_tools_import():
    """What `make book` installs is enough for the package and every chapter. Only playwright (the browser driver
    of `make pdf` and `make bench`, which add it) comes from the test set."""
    sources = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in sorted((ROOT / "pcevidence").rglob("*.py"))]
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        sources += [(nb.name, "".join(c["source"])) for c in cells if c["cell_type"] == "code"]
    imports = {m: w for m, w in third_party_imports(sources).items() if m != "playwright"}
    assert "pandas" in imports and "sphinx" in imports  # the scan sees the imports
    assert not uncovered(imports, set(pins("book"))), "imported but not in requirements.txt"


def test_the_test_set_covers_what_the_tests_import():
    sources = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests").glob("*.py"))]
    imports = third_party_imports(sources)
    assert "pytest" in imports
    assert not uncovered(imports, set(pins("book")) | set(pins("test"))), "imported by tests, in no pinned set"


# --- the Makefile installs each set for the targets that need it, once -----------------------------------------

def make_dry_run(folder: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "MFLAGS"))}
    result = subprocess.run(["make", "-n", *args], cwd=folder, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture()
def make_folder(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    for name in ("Makefile", "pyproject.toml", *freeze.FILES.values()):
        shutil.copy2(ROOT / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\n")
    python.chmod(0o755)
    return tmp_path


def installs(output: str) -> set[str]:
    """The requirement files a dry run would install (by -r, or as constraints)."""
    return {name for name in freeze.FILES.values() if f"-r {name}" in output or f"-c {name}" in output}


def stamp(folder: Path, name: str) -> None:
    path = folder / ".venv" / name
    path.touch()
    later = max((folder / n).stat().st_mtime for n in ("pyproject.toml", *freeze.FILES.values())) + 60
    os.utime(path, (later, later))


@pytest.mark.parametrize("target", ["book", "preview", "validate", "bib", "new-chapter NAME=x", "release VERSION=9.9.9"])
def test_book_commands_install_only_the_book_set(make_folder, target):
    assert installs(make_dry_run(make_folder, *target.split())) == {"requirements.txt"}


def test_test_after_book_installs_only_the_test_set(make_folder):
    assert installs(make_dry_run(make_folder, "test")) == {"requirements.txt", "requirements-test.txt"}
    stamp(make_folder, ".installed-book")
    assert installs(make_dry_run(make_folder, "test")) == {"requirements-test.txt"}
    stamp(make_folder, ".installed-test")
    assert installs(make_dry_run(make_folder, "test")) == set()
    assert installs(make_dry_run(make_folder, "book")) == set()


def test_lab_installs_the_lab_set_not_the_test_set(make_folder):
    stamp(make_folder, ".installed-book")
    assert installs(make_dry_run(make_folder, "lab")) == {"requirements-lab.txt"}


def test_pdf_adds_only_the_browser_driver(make_folder):
    stamp(make_folder, ".installed-book")
    output = make_dry_run(make_folder, "pdf")
    assert "-c requirements-test.txt playwright" in output
    assert "-r requirements-test.txt" not in output and "pytest" not in output


def test_only_bench_and_lighthouse_install_lighthouse_from_its_lock(make_folder):
    shutil.copytree(ROOT / "tools" / "lighthouse", make_folder / "tools" / "lighthouse")
    stamp(make_folder, ".installed-book")
    for target in ("book", "test", "test-fast", "check", "preview", "pdf"):
        assert "npm" not in make_dry_run(make_folder, target), target
    for target in ("bench", "lighthouse"):
        output = make_dry_run(make_folder, target)
        assert "npm ci" in output and "npm install" not in output, target
        assert "tools/lighthouse/package-lock.json" in output
    ready = make_folder / ".venv" / ".installed-lighthouse"
    ready.touch()
    later = max(p.stat().st_mtime for p in (make_folder / "tools" / "lighthouse").iterdir()) + 60
    os.utime(ready, (later, later))
    assert "npm" not in make_dry_run(make_folder, "bench")  # installed once, until the lock changes


def test_lighthouse_is_pinned_exactly_and_the_lock_matches():
    folder = ROOT / "tools" / "lighthouse"
    package = json.loads((folder / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((folder / "package-lock.json").read_text(encoding="utf-8"))
    wanted = {**package["dependencies"], **package.get("overrides", {})}
    assert wanted, "tools/lighthouse/package.json names no dependency"
    for name, version in wanted.items():
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} is pinned to a range ({version}), not one version"
        assert lock["packages"][f"node_modules/{name}"]["version"] == version, f"{name}: the lock holds another version"
    assert lock["packages"][""]["dependencies"] == package["dependencies"], "package-lock.json is out of date: npm install"
