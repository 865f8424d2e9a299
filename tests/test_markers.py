"""The fast lane cannot rot: a test that needs the built book or Chromium without its marker fails.

Each case runs pytest on a small test file beside a copy of the suite's conftest.py, with the book's
fixtures replaced by stand-ins, so nothing here builds the book or starts a browser.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT

STAND_INS = '''
import pytest

from conftest import run_build


@pytest.fixture
def built_book():
    return {"html": None}


@pytest.fixture
def browser():
    return object()


@pytest.fixture
def server(built_book):
    return "http://127.0.0.1:1"
'''


def run_suite(tmp_path, tests: str) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text((ROOT / "tests" / "conftest.py").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    (tmp_path / "test_case.py").write_text(STAND_INS + textwrap.dedent(tests), encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                           "-p", "no:randomly", "test_case.py"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("fixtures,markers,needed", [
    ("built_book", "", "build"),
    ("server", "", "build"),                                # the server fixture serves the built book
    ("browser", "", "browser"),
    ("server, browser", "@pytest.mark.build", "browser"),
    ("built_book, browser", "@pytest.mark.browser", "build"),
])
def test_a_test_using_the_book_or_the_browser_without_its_marker_fails(tmp_path, fixtures, markers, needed):
    result = run_suite(tmp_path, f"""
        {markers}
        def test_case({fixtures}):
            assert True
        """)
    assert result.returncode != 0
    assert f"is not marked {needed}" in result.stdout and f"@pytest.mark.{needed}" in result.stdout, result.stdout
    assert "1 error" in result.stdout, result.stdout  # stopped in setup, before the test body


@pytest.mark.parametrize("markers,fixtures", [
    ("pytestmark = [pytest.mark.build, pytest.mark.browser]", "built_book, server, browser"),
    ("pytestmark = pytest.mark.build", "server"),
])
def test_a_test_with_the_right_markers_runs(tmp_path, markers, fixtures):
    result = run_suite(tmp_path, f"""
        {markers}

        def test_case({fixtures}):
            assert True
        """)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout


def test_an_unmarked_test_that_builds_a_copy_fails_before_building(tmp_path):
    result = run_suite(tmp_path, """
        def test_case(tmp_path):
            run_build(tmp_path / "no-such-book")
        """)
    assert result.returncode != 0
    assert "builds a copy of the book: mark it `build`" in result.stdout, result.stdout
    assert "1 failed" in result.stdout
