"""Two builds of one commit, on different days and in different folders, give byte-identical pages: nothing
on a page comes from the clock, the time zone, the machine or what the output folder held before (the
footer's date is the release's, from CITATION.cff)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest

from conftest import copy_book, latest_access_date, run_build

pytestmark = [pytest.mark.build, pytest.mark.xdist_group("build")]

# Loaded by every Python process of the second build (the build and each notebook's kernel): the clock reads
# later by PCEVIDENCE_TEST_CLOCK_SHIFT seconds. date.today() and datetime.today() follow time.time().
CLOCK = '''import os, time

_shift = float(os.environ.get("PCEVIDENCE_TEST_CLOCK_SHIFT", "0"))
if _shift:
    _time, _time_ns, _localtime, _gmtime, _strftime = time.time, time.time_ns, time.localtime, time.gmtime, time.strftime
    time.time = lambda: _time() + _shift
    time.time_ns = lambda: _time_ns() + int(_shift * 1e9)
    time.localtime = lambda secs=None: _localtime(time.time() if secs is None else secs)
    time.gmtime = lambda secs=None: _gmtime(time.time() if secs is None else secs)
    time.strftime = lambda fmt, t=None: _strftime(fmt, time.localtime() if t is None else t)
'''
DAYS_LATER = 400  # another year, another month, another weekday


def test_two_builds_on_different_days_give_identical_pages(built_book, tmp_path):
    root = copy_book(tmp_path / "book")
    clock = tmp_path / "clock"
    clock.mkdir()
    (clock / "sitecustomize.py").write_text(CLOCK, encoding="utf-8")
    shift = DAYS_LATER * 86400 + 5 * 3600
    env = {"PYTHONPATH": os.pathsep.join([str(clock), str(root)]), "PCEVIDENCE_TEST_CLOCK_SHIFT": str(shift),
           "SOURCE_DATE_EPOCH": str(int(time.time() + shift)), "TZ": "Pacific/Kiritimati",
           "PCEVIDENCE_TODAY": (date.fromisoformat(latest_access_date()) + timedelta(days=DAYS_LATER)).isoformat()}
    later = subprocess.run([sys.executable, "-c", "import datetime; print(datetime.date.today())"],
                           env=dict(os.environ, **env), capture_output=True, text=True, check=True).stdout.strip()
    assert date.fromisoformat(later) >= date.today() + timedelta(days=DAYS_LATER - 1), "the clock was not moved"

    # The later build finds an earlier build's output in its folder, with a word in the search index that no
    # page has: nothing of it may survive (Sphinx reads an existing search index back before adding to it).
    shutil.copytree(built_book["html"], root / "_build" / "html")
    index = root / "_build" / "html" / "searchindex.js"
    index.write_text(index.read_text(encoding="utf-8").replace('"terms": {', '"terms": {"stalewordfromanearlierbuild": [0], ', 1),
                     encoding="utf-8")
    assert "stalewordfromanearlierbuild" in index.read_text(encoding="utf-8")
    result = run_build(root, env=env)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]

    first, second = built_book["html"], root / "_build" / "html"
    files = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert any(f.suffix == ".html" for f in files)
    missing = [str(f) for f in files if not (first / f).is_file()]
    differ = [str(f) for f in files if (first / f).is_file() and (first / f).read_bytes() != (second / f).read_bytes()]
    assert not missing, f"only in the later build: {missing[:20]}"
    assert not differ, f"differ between the two builds: {differ[:20]}"
