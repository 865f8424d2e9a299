# Two commands for a newcomer: `make book` and `make test`. Both create .venv if needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
JOBS   ?= 2
PORT   ?= 8000

.PHONY: book test test-fast serve bench validate bib check lab freeze clean help pdf preview new-chapter release

help:
	@echo "make book      build the HTML book into _build/html (creates .venv on first run)"
	@echo "make preview   faster rebuild for authors: re-runs only notebooks whose code, data or package changed"
	@echo "make test      run the whole test suite (builds the book; drives Chromium)"
	@echo "make test-fast run every test that needs neither a built book nor a browser (under two minutes)"
	@echo "make validate  validate the data package (frictionless + project rules)"
	@echo "make serve     serve _build/html on http://localhost:$(PORT)"
	@echo "make pdf       write one printable PDF of the whole book to _build/pdf/book.pdf"
	@echo "make bench     measure build times and page weights"
	@echo "make check     fast pre-flight: data, stripped notebooks, lint, typed figures, acronyms"
	@echo "make new-chapter NAME=\"Title\"  scaffold a chapter notebook and add it to _toc.yml"
	@echo "make bib       regenerate references.bib from data/sources.csv"
	@echo "make lab       open JupyterLab with the project's environment"

$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(READY)

book: $(READY)
	$(BIN)/python -m pcevidence.site.build --jobs $(JOBS)

preview: $(READY)
	$(BIN)/python -m pcevidence.site.build --jobs $(JOBS) --cache

test: $(READY)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Tests that read the built book are marked `build`, those that drive Chromium `browser` (tests/conftest.py
# fails a test that needs either without its marker), so this lane never builds and never opens a browser.
test-fast: $(READY)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not build and not browser"

validate: $(READY)
	$(BIN)/python -m pcevidence.site.validate

check: $(READY)
	$(BIN)/python -m pcevidence.site.check

new-chapter: $(READY)
	@test -n "$(NAME)" || { echo 'usage: make new-chapter NAME="Title of the chapter"'; exit 1; }
	$(BIN)/python -m pcevidence.site.scaffold "$(NAME)"

release: $(READY)
	@test -n "$(VERSION)" || { echo 'usage: make release VERSION=1.2.3'; exit 1; }
	$(BIN)/python -m pcevidence.site.release "$(VERSION)"

bib: $(READY)
	$(BIN)/python -m pcevidence.site.bib

serve:
	@test -f _build/html/index.html || { echo "No built book: run 'make book' first"; exit 1; }
	@echo "Serving http://localhost:$(PORT)/ (Ctrl-C to stop)"
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

pdf: book
	$(BIN)/python -m pcevidence.site.pdf

bench: $(READY)
	$(BIN)/python -m pcevidence.site.bench

lab: $(READY)
	$(BIN)/python -m ipykernel install --user --name pcevidence --display-name "Evidence review (pcevidence)" >/dev/null
	$(BIN)/jupyter lab chapters/

freeze: $(READY)
	{ echo "# Exact pins of the tested environment (pip freeze). Update with: make freeze"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^pcevidence'; } > requirements.txt

clean:
	rm -rf _build
