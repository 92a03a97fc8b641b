# Set-up and everyday commands. Only Python 3.11+ and make are needed; everything else goes into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

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

test: $(BIN)/pytest  ## the whole test suite, offline
	$(BIN)/pytest

bench: $(BIN)/scrapy  ## crawl throughput: our spider and pipelines vs a bare parsel spider, 5,000 pages
	$(BIN)/scrapy benchmark --articles 5000

clean:
	rm -rf $(VENV) data/archive.db data/archive.db-wal data/archive.db-shm
