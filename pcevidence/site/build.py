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
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

from .. import paths
from ..data import file_hash
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
    if not (cache / "global.db").exists():
        # Create the cache database now, in this one process: with parallel reading, two Sphinx workers would
        # otherwise both try to create it on a fresh cache and one fails ("table nbcache already exists").
        from jupyter_cache import get_cache

        get_cache(str(cache)).list_cache_records()
    return cache


# Folders that are not inputs of the book: outputs, caches, environments and version control.
NOT_INPUTS = {"_build", ".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules"}
INPUTS_STAMP = Path("_build") / ".preview-inputs"
CONFIG_CACHE = Path("_build") / ".sphinx-config.json"


def inputs_fingerprint(root: Path) -> str:
    """A hash of every file the book could be built from (chapters, data, configuration, templates, the whole
    package, the pinned requirements), by path and content. If it is unchanged since the last successful
    author's rebuild, and that rebuild's pages are still there, there is nothing to rebuild."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in NOT_INPUTS and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(folder, name)
            digest.update(f"{path.relative_to(root)}\0{file_hash(path)}\n".encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


def kept(path: Path, key: str, compute, *, keep: bool):
    """``compute()``, or, in an author's rebuild (``keep``), the JSON result an earlier rebuild kept in ``path``
    under the same ``key`` (a hash of everything the result depends on). A strict build always computes."""
    if keep and path.exists():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:  # an unreadable file is simply computed again
            saved = {}
        if saved.get("key") == key:
            return saved["value"]
    value = compute()
    if keep:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"key": key, "value": value}, sort_keys=True), encoding="utf-8")
    return value


def sphinx_config(root: Path, overrides: dict, *, reuse: bool) -> tuple[dict, dict]:
    """Sphinx's configuration as Jupyter Book derives it from ``_config.yml`` and ``_toc.yml`` (the same
    function ``jupyter-book build`` calls). Deriving it validates the file against Jupyter Book's schema, whose
    import compiles a grammar (about two seconds); an author's rebuild (``reuse``) keeps the result in
    ``_build`` and reuses it while both files, the overrides and Jupyter Book's version are unchanged. The
    strict build always derives it afresh."""
    import jupyter_book

    key = hashlib.sha256()
    for name in ("_config.yml", "_toc.yml"):
        key.update((root / name).read_bytes())
    key.update(json.dumps(overrides, sort_keys=True).encode())
    key.update(jupyter_book.__version__.encode())

    def derive():
        from jupyter_book.config import get_final_config

        return get_final_config(user_yaml=root / "_config.yml", cli_config=overrides, sourcedir=root,
                                use_external_toc=True)

    config, meta = kept(root / CONFIG_CACHE, key.hexdigest(), derive, keep=reuse)
    return config, meta


def run_sphinx(root: Path, out: Path, doctrees: Path, config: dict, meta: dict, *, builder: str, fresh: bool,
               jobs: int, quiet: bool) -> int | BaseException:
    """Run Sphinx as ``jupyter-book build`` does (its ``build_sphinx``), with the configuration given rather
    than derived here, and with a job count. Returns Sphinx's status, or the exception that stopped it."""
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    if (config.get("ogp_social_cards") or {}).get("enable") is False:
        _opengraph_without_social_cards()
    app = None
    try:
        with patch_docutils(None), docutils_namespace():
            app = Sphinx(srcdir=str(root), confdir=None, outdir=str(out), doctreedir=str(doctrees),
                         buildername=builder, confoverrides=config, status=None if quiet else sys.stdout,
                         warning=sys.stderr, freshenv=fresh, warningiserror=True, parallel=jobs, keep_going=True)
            if builder.startswith("latex"):
                from jupyter_book.pdf import update_latex_documents

                app.config.latex_documents = update_latex_documents(app.config.latex_documents,
                                                                    meta["latex_doc_overrides"])
            # As Jupyter Book does: chapters and figures are numbered across the book's parts when the table of
            # contents numbers any part (it does).
            if app.config["use_multitoc_numbering"]:
                import yaml

                if "numbered: true" in yaml.dump(app.config.external_site_map.as_json()):
                    app.setup_extension("sphinx_multitoc_numbering")
            app.build(False, [])
            return app.statuscode
    except (Exception, KeyboardInterrupt) as exc:
        from sphinx.cmd.build import handle_exception

        class Options:  # what handle_exception reads from sphinx-build's parsed arguments
            pdb = False
            verbosity = 0
            traceback = False

        handle_exception(app, Options, exc, sys.stderr)
        return exc


def _same_imports_with_or_without_lab() -> None:
    """``make lab`` adds rfc3987-syntax (JupyterLab's event schemas ask for it). jsonschema imports it, when
    present, only to offer an "iri" format check that nothing in the build asks for, and importing it compiles
    38 grammars (about 1.5 s of every build). The build runs the same whether or not it is installed."""
    sys.modules.setdefault("rfc3987_syntax", None)  # None: "import rfc3987_syntax" raises ImportError


def _opengraph_without_social_cards() -> None:
    """Social cards are off in ``_config.yml``, but sphinxext-opengraph imports matplotlib for them whenever it
    loads (half a second of every build). It is loaded here with its social-card module unavailable, as it
    would be without matplotlib, and Sphinx then finds it already imported. Its one line of output about the
    missing module is not shown: the cards are off on purpose."""
    import contextlib
    import io

    if "sphinxext.opengraph" in sys.modules:
        return
    sys.modules["sphinxext.opengraph._social_cards"] = None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import sphinxext.opengraph  # noqa: F401
    finally:
        del sys.modules["sphinxext.opengraph._social_cards"]


def build(root: Path, *, jobs: int = 1, builder: str = "html", verbose: bool = False, cache: bool = False) -> int:
    _same_imports_with_or_without_lab()
    from sphinx.util.console import color_terminal, nocolor

    if not color_terminal():
        nocolor()  # as sphinx-build does: no colour codes in a log written to a file or a pipe

    out = root / "_build" / builder
    stamp = root / INPUTS_STAMP
    inputs = inputs_fingerprint(root) if cache else None
    if cache and builder == "html" and stamp.exists() and stamp.read_text() == inputs and (out / "index.html").exists():
        print("Nothing changed since the last preview: the pages in _build/html are up to date.")
        return 0
    stamp.unlink(missing_ok=True)  # written again only by a successful author's rebuild
    if not cache:
        # A clean build writes into an empty folder: Sphinx reads an existing search index back before adding to
        # it, so words from pages as they were in an earlier build would otherwise survive in the new one.
        shutil.rmtree(out, ignore_errors=True)
    _declare_multitoc_parallel_safe()
    overrides = {"latex_individualpages": False}
    doctrees = root / "_build" / ".doctrees"
    if cache:
        overrides.update(nb_execution_mode="cache", nb_execution_cache_path=str(_prepare_cache(root)))
        # An author's rebuild keeps Sphinx's environment between runs (its own folder, so a strict build never
        # reuses it): only changed pages, and chapters whose tables changed, are read again.
        doctrees = root / "_build" / ".doctrees-preview"
        os.environ[paths.DEPENDENCIES_ENV] = str(root / "_build" / ".dependencies")
    os.environ.setdefault(paths.ROOT_ENV, str(root))
    buildlog.use_kernel(root)
    config, meta = sphinx_config(root, overrides, reuse=cache)
    result = run_sphinx(root, out, doctrees, config, meta, builder=builder, fresh=not cache, jobs=jobs,
                        quiet=not verbose)
    if isinstance(result, BaseException):
        report_failure(result, root)
        return 2
    if cache and not result:
        (root / "_build" / ".cache-fingerprint").write_text(fingerprint(root))
        if builder == "html":
            stamp.write_text(inputs)
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
