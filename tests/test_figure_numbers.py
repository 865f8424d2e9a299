"""Figures are numbered by Sphinx and referred to by label: a typed number or a reference to a chart no
chapter draws is caught by `make check` with the file and the name."""

import nbformat

from conftest import ROOT, copy_book
from pcevidence.book import chapter_titles, figure_label, figure_markdown
from pcevidence.site import check


def add_markdown(root, name, text):
    path = root / "chapters" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


def test_a_reference_to_a_missing_figure_is_refused(tmp_path):
    root = copy_book(tmp_path / "book")
    assert check.check_figure_references(root) == []
    add_markdown(root, "contracting", "As {numref}`figure-contracting-no-such-chart` shows.")
    problems = check.check_figure_references(root)
    assert len(problems) == 1
    assert "chapters/contracting.ipynb" in problems[0] and "figure-contracting-no-such-chart" in problems[0]


def test_a_typed_figure_number_is_refused(tmp_path):
    root = copy_book(tmp_path / "book")
    add_markdown(root, "kent-medway", "Figure 3.1 shows the money.")
    problems = check.check_typed_figures(root)
    assert any("Figure 3.1" in p and "numref" in p for p in problems)


def test_every_reference_in_the_book_names_a_drawn_chart():
    text = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "chapters").glob("*.ipynb"))
    assert "{numref}`figure-" in text  # the chapters do refer to their charts by label
    assert check.check_figure_references(ROOT) == []


def test_figure_markup_is_a_labelled_sphinx_figure_with_caption_source_and_data():
    text = figure_markdown(label=figure_label("kent-medway", "money"), image="/_build/figures/kent-medway/money.svg",
                           data="/_build/figures/kent-medway/money.csv", caption="Money <b>per</b> patient.",
                           alt="The variation is\nworth about £110 per cohort patient.", source="NHS Kent and Medway",
                           width=324)
    lines = text.splitlines()
    assert lines[0] == ":::{figure} /_build/figures/kent-medway/money.svg"
    assert ":name: figure-kent-medway-money" in lines
    assert ":alt: The variation is worth about £110 per cohort patient." in lines  # one line, whole finding
    assert ":width: 324px" in lines
    assert "&lt;b&gt;per&lt;/b&gt;" in text  # caption text is shown, never run
    assert "Source: NHS Kent and Medway." in text
    assert "{download}`Download the data (CSV) </_build/figures/kent-medway/money.csv>`" in text


def test_chapter_titles_come_from_each_page_heading(tmp_path):
    root = copy_book(tmp_path / "book")
    titles = chapter_titles(root)
    assert titles["kent-medway"] == "Kent and Medway's local variation to the network contract"
    path = root / "chapters" / "trusts.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("# NHS trusts in neighbourhood services", "# Trusts, renamed")
    nbformat.write(nb, path)
    assert chapter_titles(root)["trusts"] == "Trusts, renamed"
    assert list(titles)[:3] == ["index", "contracting", "precedents"]  # in the order of _toc.yml
