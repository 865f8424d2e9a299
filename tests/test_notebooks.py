"""Every chapter in _toc.yml executes from a clean kernel, and is committed without outputs."""

from __future__ import annotations

import json

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from conftest import ROOT


def toc_notebooks() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc.get("parts", []) for c in part.get("chapters", [])]
    return [f for f in files if (ROOT / f"{f}.ipynb").exists()]


NOTEBOOKS = toc_notebooks()


def test_toc_lists_notebooks():
    assert "chapters/index" in NOTEBOOKS and len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_executes(name, tmp_path, monkeypatch):
    monkeypatch.setenv("PCEVIDENCE_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("PCEVIDENCE_ROOT", str(ROOT))
    path = ROOT / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
    # A chapter that draws charts leaves them, with their data, in the figures folder.
    # A table offered for download (ch.download) leaves its CSV there too.
    drawn = list((tmp_path / "figures").rglob("*.svg"))
    code = ["".join(c.source) for c in nb.cells if c.cell_type == "code"]
    calls = sum(s.count("ch.figure(") for s in code)
    tables = sum(s.count("ch.download(") for s in code)
    assert len(drawn) == calls
    assert len(list((tmp_path / "figures").rglob("*.csv"))) == calls + tables


@pytest.mark.parametrize("path", sorted(ROOT.glob("chapters/*.ipynb")), ids=lambda p: p.name)
def test_committed_notebooks_carry_no_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name} cell {i} has outputs: strip them (pre-commit does)"
            assert cell.get("execution_count") is None, f"{path.name} cell {i} has an execution count"


def test_every_notebook_in_chapters_is_in_the_toc():
    listed = {f"{n}.ipynb" for n in NOTEBOOKS}
    present = {str(p.relative_to(ROOT)) for p in ROOT.glob("chapters/*.ipynb")}
    assert present <= listed, f"notebooks not in _toc.yml: {sorted(present - listed)}"


def test_notebook_cells_stay_thin():
    """Logic belongs in the package; a long code cell is a sign it does not."""
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / f"{name}.ipynb", as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                lines = [ln for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
                assert len(lines) <= 20, f"{name} cell {i} has {len(lines)} lines: move logic into pcevidence"


