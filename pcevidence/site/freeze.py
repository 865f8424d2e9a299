"""``make freeze``: regenerate the three pinned requirement files from their top-level packages.

* ``requirements.txt``: the book's set, what ``make book`` and every book-side command installs;
* ``requirements-test.txt``: ``-r requirements.txt`` plus the test and code-hygiene tools (``make test``);
* ``requirements-lab.txt``: ``-r requirements.txt`` plus JupyterLab (``make lab``).

The top-level packages of each set are listed here, once (``BOOK``, ``TEST``, ``LAB``). Each set is
resolved by installing its top-level packages into a fresh virtual environment and freezing it, so a
file holds exactly what its packages need. The book's set is resolved first; the test and lab sets are
resolved on top of it, constrained by its pins, so a package the book shares with a tool is pinned once,
at one version. The test set's pins constrain the lab set too, so all three install into one ``.venv``.

By default the current pins are kept (they constrain every resolution): ``make freeze`` after adding a
top-level package pins only what is new. ``make freeze UPGRADE=1`` resolves from the newest releases.
Nothing is written unless all three sets resolve. Standard library only: it runs before any install.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

# What `make book` needs: the book toolchain, the packages the chapters and the site tools import, and the
# notebook kernel. Their dependencies are resolved, not listed.
BOOK = ["jupyter-book", "myst-nb", "sphinxcontrib-bibtex", "sphinxext-opengraph", "frictionless", "pandas",
        "matplotlib", "nbconvert", "nbclient", "ipykernel", "pyyaml", "tinycss2"]
# What `make test` adds: the test runner and its parallel plugin, the browser driver and accessibility checks
# (also what `make pdf` prints with), the PDF reader the PDF test uses, and the code-hygiene tools.
TEST = ["pytest", "pytest-xdist", "playwright", "axe-playwright-python", "pypdf", "ruff", "pre-commit", "nbstripout"]
# What `make lab` adds: JupyterLab, for writing chapters.
LAB = ["jupyterlab"]

FILES = {"book": "requirements.txt", "test": "requirements-test.txt", "lab": "requirements-lab.txt"}
HEADERS = {
    "book": "The book's set: what `make book` and the other book commands install (README: Install).",
    "test": "The test set: `make test` installs it on top of the book's set (requirements.txt, same pins).",
    "lab": "The lab set: `make lab` installs it on top of the book's set (requirements.txt, same pins).",
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_pins(path: Path) -> dict[str, str]:
    """``{canonical name: version}`` of a requirements file's ``name==version`` lines (others are skipped)."""
    pins = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            match = PIN.match(line.strip())
            if match:
                pins[canonical(match.group(1))] = match.group(2)
    return pins


def resolve(packages: list[str], constraints: dict[str, str], work: Path, label: str) -> list[str]:
    """Install ``packages`` into a fresh environment under ``work``, honouring ``constraints``; its freeze."""
    env = work / label
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    python = env / "bin" / "python"
    constraint_file = work / f"{label}-constraints.txt"
    constraint_file.write_text("".join(f"{n}=={v}\n" for n, v in sorted(constraints.items())), encoding="utf-8")
    print(f"freeze: resolving the {label} set ({', '.join(packages)})", flush=True)
    result = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-c", str(constraint_file), *packages],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"freeze: the {label} set did not resolve; nothing was written")
    frozen = subprocess.run([str(python), "-m", "pip", "freeze", "--exclude-editable"],
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return sorted((line for line in frozen if PIN.match(line)), key=lambda line: canonical(PIN.match(line).group(1)))


def extras(frozen: list[str], base: list[str], label: str) -> list[str]:
    """The lines of ``frozen`` not in ``base``; stops if a package of ``base`` came out at another version."""
    pinned = {canonical(PIN.match(line).group(1)): PIN.match(line).group(2) for line in base}
    out = []
    for line in frozen:
        name, version = PIN.match(line).groups()
        if canonical(name) not in pinned:
            out.append(line)
        elif pinned[canonical(name)] != version:
            raise SystemExit(f"freeze: the {label} set needs {line}, the book's set pins {pinned[canonical(name)]}")
    return out


def render(label: str, lines: list[str]) -> str:
    head = [f"# {HEADERS[label]}",
            "# Generated by `make freeze` (pcevidence/site/freeze.py) from its top-level packages: edit those, "
            "not this file."]
    if label != "book":
        head.append("-r requirements.txt")
    return "\n".join(head + lines) + "\n"


def freeze(root: Path, *, upgrade: bool = False) -> dict[str, str]:
    """The text of the three files, resolved afresh (the current pins constrain it unless ``upgrade``)."""
    current: dict[str, str] = {}
    if not upgrade:
        for name in FILES.values():
            current.update(read_pins(root / name))
    with tempfile.TemporaryDirectory(prefix="pcevidence-freeze-") as tmp:
        work = Path(tmp)
        book = resolve(BOOK, current, work, "book")
        pinned = {**current, **{canonical(PIN.match(line).group(1)): PIN.match(line).group(2) for line in book}}
        test = extras(resolve(BOOK + TEST, pinned, work, "test"), book, "test")
        pinned.update({canonical(PIN.match(line).group(1)): PIN.match(line).group(2) for line in test})
        lab = extras(resolve(BOOK + LAB, pinned, work, "lab"), book, "lab")
    return {"book": render("book", book), "test": render("test", test), "lab": render("lab", lab)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upgrade", action="store_true", help="resolve from the newest releases, not the current pins")
    parser.add_argument("--root", default=".", help="the folder holding the requirement files")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    texts = freeze(root, upgrade=args.upgrade)
    for label, text in texts.items():
        (root / FILES[label]).write_text(text, encoding="utf-8")
        print(f"freeze: wrote {FILES[label]} ({sum(1 for ln in text.splitlines() if PIN.match(ln))} pins)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
