"""`make pdf` writes one PDF of the whole book: it opens, has pages for every chapter and names each."""

import os
import subprocess
import sys

import pytest
from pypdf import PdfReader

from conftest import ROOT
from pcevidence.book import toc_entries
from pcevidence.site.pdf import _article

# Chromium prints the built book.
pytestmark = [pytest.mark.xdist_group("build"), pytest.mark.build, pytest.mark.browser]


def test_pdf_has_every_chapter_with_page_numbers(built_book):
    result = subprocess.run([sys.executable, "-m", "pcevidence.site.pdf"], cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, PCEVIDENCE_ROOT=str(ROOT)))
    assert result.returncode == 0, result.stderr[-3000:]
    reader = PdfReader(ROOT / "_build" / "pdf" / "book.pdf")
    entries = toc_entries(ROOT)
    assert len(reader.pages) >= len(entries) + 1  # a cover with contents, then each chapter on a new page
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    for entry in entries:
        title, _ = _article(built_book["html"] / f"{entry.docname}.html")
        assert " ".join(title.split()) in text, f"{title!r} missing from the PDF"
    assert f"Page 2 of {len(reader.pages)}" in " ".join(reader.pages[1].extract_text().split())
    assert "Figure 1.1 " in text and "Source:" in text  # charts print with their Sphinx-numbered captions
    assert reader.outline, "the PDF should carry an outline (bookmarks) of its headings"
