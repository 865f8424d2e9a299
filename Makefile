# Two commands for a newcomer: `make book` and `make test`. Both create .venv if needed.
# Three pinned sets (README: Install): requirements.txt is the book's, installed by every command that builds the
# book; requirements-test.txt adds the test and lint tools (`make test`, `make check`); requirements-lab.txt adds
# JupyterLab (`make lab`). Each set has its own stamp file in .venv, so `make test` after `make book` installs only
# what the test set adds.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY      := $(VENV)/.installed-book
TEST_READY := $(VENV)/.installed-test
LAB_READY  := $(VENV)/.installed-lab
BROWSER_READY := $(VENV)/.installed-browser
# Lighthouse (npm, exact pins in tools/lighthouse/package-lock.json) is installed by `npm ci` into .venv/lighthouse,
# only for `make bench` and `make lighthouse`.
LIGHTHOUSE     := $(VENV)/lighthouse
LIGHTHOUSE_READY := $(VENV)/.installed-lighthouse
JOBS   ?= 2
RUNS   ?= 1
PORT   ?= 8000

.PHONY: book test test-fast serve bench bench-rebuilds lighthouse validate bib check lab freeze clean help pdf preview new-chapter release

help:
	@echo "make book      build the HTML book into _build/html (creates .venv on first run)"
	@echo "make preview   author rebuild in seconds: re-runs only chapters whose code or tables changed"
	@echo "make test      run the whole test suite (builds the book; drives Chromium); installs the test tools"
	@echo "make test-fast run every test that needs neither a built book nor a browser (under two minutes)"
	@echo "make validate  validate the data package (frictionless + project rules)"
	@echo "make serve     serve _build/html on http://localhost:$(PORT)"
	@echo "make pdf       write one printable PDF of the whole book to _build/pdf/book.pdf"
	@echo "make bench     measure build times, page weights and Lighthouse scores (installs Lighthouse)"
	@echo "make bench-rebuilds  only the author's rebuilds against the stock template (a few minutes)"
	@echo "make lighthouse Lighthouse scores of every page of the built book, served compressed (RUNS=3: median)"
	@echo "make check     fast pre-flight: data, stripped notebooks, lint, typed figures, acronyms"
	@echo "make new-chapter NAME=\"Title\"  scaffold a chapter notebook and add it to _toc.yml"
	@echo "make bib       regenerate references.bib from data/sources.csv"
	@echo "make lab       open JupyterLab with the project's environment; installs JupyterLab"
	@echo "make freeze    re-pin requirements.txt, requirements-test.txt and requirements-lab.txt (UPGRADE=1: newest)"

$(READY): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

$(TEST_READY): requirements-test.txt $(READY)
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	@touch $@

$(LAB_READY): requirements-lab.txt $(READY)
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt
	@touch $@

# `make pdf` and `make bench` drive Chromium through playwright: only playwright (and what it needs) is added,
# at the test set's pins.
$(BROWSER_READY): requirements-test.txt $(READY)
	$(BIN)/python -m pip install --quiet -c requirements-test.txt playwright
	@touch $@

book: $(READY)
	$(BIN)/python -m pcevidence.site.build --jobs $(JOBS)

preview: $(READY)
	$(BIN)/python -m pcevidence.site.build --jobs $(JOBS) --cache

test: $(TEST_READY)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Tests that read the built book are marked `build`, those that drive Chromium `browser` (tests/conftest.py
# fails a test that needs either without its marker), so this lane never builds and never opens a browser.
test-fast: $(TEST_READY)
	$(BIN)/python -m pytest -n 2 --dist loadgroup -m "not build and not browser"

validate: $(READY)
	$(BIN)/python -m pcevidence.site.validate

check: $(TEST_READY)
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

pdf: book $(BROWSER_READY)
	$(BIN)/python -m pcevidence.site.pdf

$(LIGHTHOUSE_READY): tools/lighthouse/package.json tools/lighthouse/package-lock.json $(READY)
	@command -v npm >/dev/null || { echo "make bench needs Node.js 18.16 or newer and npm (Debian: apt-get install nodejs npm)"; exit 1; }
	@mkdir -p $(LIGHTHOUSE)
	cp tools/lighthouse/package.json tools/lighthouse/package-lock.json $(LIGHTHOUSE)/
	cd $(LIGHTHOUSE) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

bench: $(READY) $(BROWSER_READY) $(LIGHTHOUSE_READY)
	LIGHTHOUSE_RUNS=$(RUNS) $(BIN)/python -m pcevidence.site.bench

# Only the author's rebuilds (make preview) against the stock template, in a few minutes.
bench-rebuilds: $(READY)
	$(BIN)/python -m pcevidence.site.bench --rebuilds

# Lighthouse alone, against the book already in _build/html (make book first). RUNS=3: each page three times,
# the median run kept (the performance score varies with the machine's load).
lighthouse: $(READY) $(LIGHTHOUSE_READY)
	@test -f _build/html/index.html || { echo "No built book: run 'make book' first"; exit 1; }
	$(BIN)/python -m pcevidence.site.lighthouse --runs $(RUNS)

lab: $(LAB_READY)
	$(BIN)/python -m ipykernel install --user --name pcevidence --display-name "Evidence review (pcevidence)" >/dev/null
	$(BIN)/jupyter lab chapters/

# Re-resolve the three sets from their top-level packages (listed in pcevidence/site/freeze.py), each in a fresh
# environment; the current pins are kept unless UPGRADE=1. Needs only $(PYTHON) and the network.
freeze:
	$(PYTHON) -m pcevidence.site.freeze $(if $(UPGRADE),--upgrade)

clean:
	rm -rf _build
