"""Build the book strictly: ``python -m pcevidence.site.build [--jobs N] [--builder html] [--verbose]``.

Strict means: every notebook executes (``execute_notebooks: force``), a cell that raises stops the
build (``nb_execution_raise_on_error``), every warning is an error (``-W``), references are checked
(``-n``), and all problems are reported before exit (``--keep-going``). ``jupyter-book build`` has no
``-j``, so this calls the same Sphinx entry point with a job count.

The log holds the project's progress (a line per chapter executed, with its time, and the total) and real
problems (warnings, errors, the failing cell's traceback); ``--verbose`` shows Sphinx's own log as well.
Notebooks run in the build's own kernel (see :mod:`pcevidence.site.buildlog`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import sys
import time
from pathlib import Path

from .. import paths
from . import buildlog


def _declare_multitoc_parallel_safe() -> None:
    """sphinx-multitoc-numbering does not declare itself parallel-safe, which forces a serial read
    (and a warning, which -W turns into a failure). It only replaces how section numbers are assigned,
    which Sphinx does once in the main process after the parallel read, so it is safe to declare."""
    import sphinx_multitoc_numbering as multitoc

    if getattr(multitoc.setup, "_pcevidence", False):
        return
    original = multitoc.setup

    def setup(app):
        metadata = original(app) or {}
        return {**metadata, "parallel_read_safe": True, "parallel_write_safe": True}

    setup._pcevidence = True
    multitoc.setup = setup


def chapter_code(root: Path) -> list[Path]:
    """What every chapter's results depend on besides its own cells and tables: the chapter-facing package
    (not pcevidence/site, which builds and checks the site) and the house chart style."""
    package = root / "pcevidence"
    return sorted([p for p in package.glob("*.py")] + [package / "matplotlibrc"])


def fingerprint(root: Path) -> str:
    """A hash of the chapter-facing package. Jupyter Book's cache keys on a notebook's own code only; a change
    here may change any chapter, so the cache is cleared. Data are tracked per chapter instead (each chapter
    records the tables it reads), and site code (build, bench, check...) changes no chapter's results."""
    digest = hashlib.sha256()
    for path in chapter_code(root):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _prepare_cache(root: Path) -> Path:
    """Empty the execution cache (and the kept Sphinx environment) when the chapter-facing package changed or
    the charts are gone, so a cached chapter can never show results computed by old code. Chapters whose
    tables changed are re-executed individually (see :mod:`pcevidence.site.sphinxext`)."""
    cache = root / "_build" / ".jupyter_cache"
    stamp = root / "_build" / ".cache-fingerprint"
    current = fingerprint(root)
    figures = paths.figures_dir()
    if not stamp.exists() or stamp.read_text() != current or not figures.exists():
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(root / "_build" / ".doctrees-preview", ignore_errors=True)
        shutil.rmtree(root / "_build" / ".dependencies", ignore_errors=True)
        print("Execution cache cleared: the chapter-facing package changed since the last cached build")
    # Create the cache database now, in this one process: with parallel reading, two Sphinx workers would
    # otherwise both try to create it on a fresh cache and one fails ("table nbcache already exists").
    from jupyter_cache import get_cache

    get_cache(str(cache)).list_cache_records()
    return cache


def build(root: Path, *, jobs: int = 1, builder: str = "html", verbose: bool = False, cache: bool = False) -> int:
    from jupyter_book.sphinx import build_sphinx
    from sphinx.util.console import color_terminal, nocolor

    if not color_terminal():
        nocolor()  # as sphinx-build does: no colour codes in a log written to a file or a pipe

    out = root / "_build" / builder
    _declare_multitoc_parallel_safe()
    overrides = {"latex_individualpages": False}
    doctrees = root / "_build" / ".doctrees"
    if cache:
        overrides.update(nb_execution_mode="cache", nb_execution_cache_path=str(_prepare_cache(root)))
        # An author's rebuild keeps Sphinx's environment between runs (its own folder, so a strict build never
        # reuses it): only changed pages, and chapters whose tables changed, are read again.
        doctrees = root / "_build" / ".doctrees-preview"
        from ..book import DEPENDENCIES_ENV

        os.environ[DEPENDENCIES_ENV] = str(root / "_build" / ".dependencies")
    os.environ.setdefault(paths.ROOT_ENV, str(root))
    buildlog.use_kernel(root)
    result = build_sphinx(
        str(root),
        str(out),
        path_config=str(root / "_config.yml"),
        noconfig=True,
        doctreedir=str(doctrees),
        builder=builder,
        freshenv=not cache,
        warningiserror=True,
        keep_going=True,
        jobs=jobs,
        quiet=not verbose,
        confoverrides=overrides,
    )
    if isinstance(result, Exception):
        report_failure(result, root)
        return 2
    if cache and not result:
        (root / "_build" / ".cache-fingerprint").write_text(fingerprint(root))
    return int(result or 0)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def report_failure(exc: BaseException, root: Path) -> None:
    """Sphinx prints only the outermost exception ("see the log"); print the failing cell instead.

    myst-nb raises ``ExecutionError(<notebook path>)`` from the ``CellExecutionError`` holding the
    cell's source and traceback. In a parallel build only the message crosses the process boundary,
    so when the cause is missing, the named notebook is executed once more here to show it.
    """
    chain = []
    while exc is not None and exc not in chain:
        chain.append(exc)
        exc = exc.__cause__ or exc.__context__
    match = re.search(r"ExecutionError: (\S+\.ipynb)", "\n".join(f"{type(e).__name__}: {e}" for e in chain))
    notebook = next((str(e) for e in chain if type(e).__name__ == "ExecutionError"), None)
    notebook = notebook or (match.group(1) if match else None)
    if not notebook:
        return
    path = Path(notebook).resolve()
    try:
        shown = path.relative_to(root)
    except ValueError:
        shown = path
    print(f"\n=== A cell failed in chapter {shown} ===", file=sys.stderr)
    cause = next((e for e in chain if type(e).__name__ == "CellExecutionError"), None)
    if cause is None:
        from nbclient.exceptions import CellExecutionError

        try:
            execute_notebook(path, root)
        except CellExecutionError as error:
            cause = error
    if cause is not None:
        text = f"{type(cause).__name__}: {cause}"
        if not sys.stderr.isatty():
            text = ANSI.sub("", text)  # the kernel colours tracebacks; a log file or a pipe gets plain text
        print(text, file=sys.stderr)


def execute_notebook(path: Path, root: Path, *, timeout: int = 120):
    """Execute one notebook the way the build does: in the build's kernel, from the chapter's folder. Returns
    the executed notebook; a cell that raises raises ``CellExecutionError`` with the cell and its traceback."""
    import nbformat
    from nbclient import NotebookClient

    buildlog.use_kernel(root)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name=buildlog.KERNEL_NAME,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", "-j", default=os.environ.get("BOOK_JOBS", "2"),
                        help="parallel Sphinx processes (notebooks execute in parallel); 'auto' or a number")
    parser.add_argument("--builder", default="html")
    parser.add_argument("--root", default=None, help="book folder (default: found from the working directory)")
    parser.add_argument("--verbose", action="store_true", help="show Sphinx's own log too")
    parser.add_argument("--cache", action="store_true",
                        help="re-execute only notebooks whose code changed, unless data, package or config changed "
                             "(for authors previewing edits; `make book` always executes everything)")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve() if args.root else paths.project_root()
    jobs = os.cpu_count() or 1 if args.jobs == "auto" else int(args.jobs)
    start = time.perf_counter()
    status = build(root, jobs=jobs, builder=args.builder, verbose=args.verbose, cache=args.cache)
    took = time.perf_counter() - start
    if status == 0:
        print(f"\nBook built in {took:.1f} s. Open: {root / '_build' / args.builder / 'index.html'}")
    else:
        print(f"\nBUILD FAILED after {took:.1f} s (exit {status}): see the errors above, which name the "
              "chapter, the cell and the traceback.", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
