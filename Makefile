# Set-up and everyday commands. Only Python 3.11+ and make are needed; everything else goes into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pywb, the web archive replay tool, in a venv of its own (it pins versions of its own); the tests
# replay the crawl's WARC files with it.
PYWB := .venv-pywb

.PHONY: demo serve test fuzz bench bench-ledger bench-search bench-extract clean

$(BIN)/scrapy: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(BIN)/pytest: $(BIN)/scrapy
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

demo: $(BIN)/scrapy  ## serve the sample mirror on 127.0.0.1, crawl it into data/archive.db, report
	$(BIN)/scrapy demo

$(BIN)/datasette: $(BIN)/scrapy
	$(BIN)/pip install --quiet -e '.[reader]'
	@touch $@

ARCHIVE ?= data/archive.db
PORT ?= 8001
serve: $(BIN)/datasette  ## Datasette over the archive on 127.0.0.1 (make serve ARCHIVE=… PORT=…): search with excerpts, facets, runs
	@test -f $(ARCHIVE) || { echo "No archive at $(ARCHIVE): run make demo first, or give ARCHIVE=path/to/archive.db"; exit 2; }
	$(BIN)/python -c "import sys; from scraper.archive.store import Archive; Archive(sys.argv[1]).close()" $(ARCHIVE)
	$(BIN)/datasette serve $(ARCHIVE) --metadata data/metadata.json -h 127.0.0.1 -p $(PORT)

$(PYWB)/bin/wayback:
	$(PYTHON) -m venv $(PYWB)
	$(PYWB)/bin/pip install --quiet --upgrade pip
	$(PYWB)/bin/pip install --quiet 'pywb>=2.8'
	@touch $@

test: $(BIN)/pytest $(PYWB)/bin/wayback  ## the layer rules, lint, and the whole test suite, offline
	$(BIN)/lint-imports
	$(BIN)/ruff check scraper pipelines bench tests
	VNARCHIVE_PYWB=$(CURDIR)/$(PYWB)/bin $(BIN)/pytest

fuzz: $(BIN)/pytest  ## hypothesis fuzzing of the page classes, the normalizer and the search parser, 500 examples each
	FUZZ_EXAMPLES=500 $(BIN)/pytest tests/test_fuzz.py --hypothesis-show-statistics -q

bench: $(BIN)/scrapy  ## crawl throughput: our spider and pipelines vs a bare parsel spider, 5,000 pages
	$(BIN)/python -m bench crawl --articles 5000

bench-ledger: $(BIN)/scrapy  ## where the default crawl's CPU goes, part by part (six variants interleaved, 5,000 pages)
	$(BIN)/python -m bench ledger --articles 5000

bench-search: $(BIN)/scrapy  ## search at scale (make bench-search ARTICLES=N, default 1,000,000): the project vs stock sqlite-utils, command CPU, archive size
	$(BIN)/python -m bench search --articles $(or $(ARTICLES),1000000)

bench-extract: $(BIN)/scrapy  ## article bodies on Zyte's extraction benchmark (make bench-extract ZYTE=DIR), and Vietnamese pages
	$(BIN)/python -m bench extract --zyte $(ZYTE) --worst 15 --vietnamese

clean:
	rm -rf $(VENV) $(PYWB) data/archive.db data/archive.db-wal data/archive.db-shm data/warc
