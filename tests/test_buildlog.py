"""Notebooks run in the build's kernel: no kernel-transport notice on the terminal, the plotting backend set
once in the kernel, and every real problem (a raising cell, a warning) still reported."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import ROOT, copy_book
from pcevidence.site import buildlog
from pcevidence.site.build import execute_notebook

NOTICE = "Kernel is running over TCP without encryption"


def notebook(folder, *cells: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    path = folder / "probe.ipynb"
    nbformat.write(nb, path)
    return path


def text_outputs(nb) -> str:
    return "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))


@pytest.fixture()
def clean_jupyter_path(monkeypatch):
    monkeypatch.delenv("JUPYTER_PATH", raising=False)  # restored after the test (the build's kernel adds itself)


def test_the_build_kernel_is_quiet_and_sets_the_backend(tmp_path, capfd, clean_jupyter_path):
    path = notebook(tmp_path, "import os, matplotlib\nprint(os.environ['MPLBACKEND'], matplotlib.get_backend())")
    # The stock kernel prints the notice (so this test can see it if it comes back)...
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    if NOTICE not in "".join(capfd.readouterr()):
        pytest.skip("this ipykernel prints no transport notice")
    # ...the build's kernel does not, and draws with the SVG backend.
    nb = execute_notebook(path, tmp_path)
    out, err = capfd.readouterr()
    assert NOTICE not in out + err and "[IPKernelApp]" not in err
    assert text_outputs(nb).split() == ["svg", "svg"]
    spec = json.loads((tmp_path / "_build/jupyter/kernels/python3/kernel.json").read_text(encoding="utf-8"))
    assert spec["env"] == {"MPLBACKEND": "svg"} and "--IPKernelApp.log_level=ERROR" in spec["argv"]


def test_a_broken_cell_in_a_copy_still_reports_its_traceback(tmp_path, capfd, clean_jupyter_path):
    root = copy_book(tmp_path / "book")
    path = root / "chapters" / "how-to-cite.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell('def broken():\n    raise RuntimeError("a deliberately broken cell")\n'
                                                 'broken()'))
    nbformat.write(nb, path)
    with pytest.raises(CellExecutionError) as failure:
        execute_notebook(path, root)
    message = str(failure.value)
    assert "RuntimeError" in message and "a deliberately broken cell" in message and "broken()" in message
    out, err = capfd.readouterr()
    assert NOTICE not in out + err


def test_a_warning_in_a_cell_still_reaches_the_page_and_fails_the_build(tmp_path, clean_jupyter_path):
    """The kernel's log level hides the kernel's own notices, not what a cell prints: a warning arrives as the
    cell's stderr output, which the book refuses (``stderr_output: error`` in _config.yml)."""
    path = notebook(tmp_path, "import warnings\nwarnings.warn('a real problem')")
    nb = execute_notebook(path, tmp_path)
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert streams and "a real problem" in streams[0]["text"]
    assert "stderr_output: error" in (ROOT / "_config.yml").read_text(encoding="utf-8")


def test_the_log_line_is_parsed_back():
    line = buildlog.LINE.format(path="chapters/methods.ipynb", seconds=4.66)
    assert line == "Executed chapters/methods.ipynb in 4.7 s"
    assert buildlog.EXECUTED.findall(f"noise\n{line}\nBook built in 9.0 s.") == [("chapters/methods.ipynb", "4.7")]
