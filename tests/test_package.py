"""The package is laid out by audience, imports cheaply and has no import cycles."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import ROOT

PACKAGE = ROOT / "pcevidence"


def module_name(path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every import between the package's modules, including those inside functions."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                names = [f"{target}.{a.name}" for a in node.names] if not node.module else [target]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pcevidence"):
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names if a.name.startswith("pcevidence")]
            else:
                continue
            graph[name] |= {n for n in names if n in modules and n != name}
    return graph


def test_modules_form_no_import_cycle():
    graph = import_graph()
    state: dict[str, str] = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                raise AssertionError("import cycle: " + " -> ".join(path + [nxt]))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_chapter_code_never_imports_the_site_tools():
    graph = import_graph()
    for module, targets in graph.items():
        if not module.startswith("pcevidence.site"):
            assert not [t for t in targets if t.startswith("pcevidence.site")], module


def test_the_site_tools_sit_in_their_own_folder():
    site = {module_name(p) for p in (PACKAGE / "site").glob("*.py")}
    for tool in ("build", "sphinxext", "buildlog", "reproducible", "csspurge", "pdf", "check", "scaffold", "release",
                 "bib", "bench", "lighthouse", "validate", "freeze"):
        assert f"pcevidence.site.{tool}" in site
        assert not (PACKAGE / f"{tool}.py").exists()


def test_importing_the_package_loads_neither_pandas_nor_matplotlib():
    code = ("import sys, pcevidence; heavy = [m for m in ('pandas', 'matplotlib', 'numpy') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""
    # ...and the names a chapter imports still resolve, loading what they need.
    code = "from pcevidence import Chapter, DataError, load; import sys; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "True"


def test_the_plotting_backend_is_chosen_by_the_chapter_not_on_import():
    code = ("import matplotlib; before = matplotlib.get_backend(); import pcevidence.charts, pcevidence.figures; "
            "print(before == matplotlib.get_backend())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                         env={"MPLBACKEND": "agg", "PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "True"
