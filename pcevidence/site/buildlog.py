"""What the build prints: the project's progress and real problems, nothing a reader takes for an error.

* **The kernel.** Notebooks run in the build's own kernel, ``python3`` (the name every notebook already asks
  for), written into ``_build/jupyter`` and found first through ``JUPYTER_PATH``. It differs from the stock one
  in two settings: the kernel logs at ERROR, so its start-up notice that it talks to the build over local TCP
  without encryption (printed once per notebook, to the build's terminal) is not shown; and ``MPLBACKEND=svg``
  sets the plotting backend once, in the kernel. A cell that raises still stops the build with its traceback:
  that travels as the cell's output, not through the kernel's log.
* **The log.** :mod:`pcevidence.site.build` runs Sphinx quietly: Sphinx's status lines are dropped, its
  warnings and errors still print. This extension then prints one line per chapter executed, with its time
  (``Executed chapters/methods.ipynb in 4.7 s``), parsed back with :data:`EXECUTED`. With ``--verbose``
  Sphinx's own log is shown instead, and these lines are not repeated.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sphinx.application import Sphinx

KERNEL_NAME = "python3"
KERNEL_ENV = {"MPLBACKEND": "svg"}
MESSAGE = re.compile(r"^Executed notebook in ([\d.]+) seconds")  # myst-nb's message, one per executed notebook
LINE = "Executed {path} in {seconds:.1f} s"
EXECUTED = re.compile(r"^Executed (\S+\.ipynb) in ([\d.]+) s$", re.M)  # a line of this log, parsed back


def kernel_dir(root: Path) -> Path:
    """The Jupyter data folder holding the build's kernelspec."""
    return root / "_build" / "jupyter"


def write_kernel(root: Path) -> Path:
    """Write the build's kernelspec (``_build/jupyter/kernels/python3/kernel.json``); return its data folder."""
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}",
                 "--IPKernelApp.log_level=ERROR"],
        "display_name": "Python 3 (the book's build)",
        "language": "python",
        "env": KERNEL_ENV,
        "metadata": {"debugger": False},
    }
    folder = kernel_dir(root) / "kernels" / KERNEL_NAME
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(spec, indent=1) + "\n"
    target = folder / "kernel.json"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return kernel_dir(root)


def use_kernel(root: Path) -> None:
    """Make this process (and the kernels it starts) find the build's kernelspec before any other."""
    data = str(write_kernel(root))
    others = [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != data]
    os.environ["JUPYTER_PATH"] = os.pathsep.join([data, *others])


class _Progress(logging.Handler):
    """Turns myst-nb's "Executed notebook in N seconds" into one line of the project's log."""

    def __init__(self, app: Sphinx):
        super().__init__(logging.INFO)
        self.app = app

    def emit(self, record: logging.LogRecord) -> None:
        match = MESSAGE.match(str(record.msg))
        docname = getattr(record, "docname", None)
        if not match or not docname:
            return
        try:
            path = self.app.env.doc2path(docname, base=False)
        except Exception:  # an unknown document: name it as Sphinx does
            path = f"{docname}.ipynb"
        print(LINE.format(path=Path(path).as_posix(), seconds=float(match.group(1))), flush=True)


def _attach(app: Sphinx, config) -> None:
    # Only when Sphinx's own status lines are hidden (the project's build); a verbose log already has them.
    if getattr(app, "quiet", False):
        logging.getLogger("sphinx").addHandler(_Progress(app))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _attach)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
