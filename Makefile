# make run: install the server into .venv, load the sample release into SQLite, serve on http://127.0.0.1:5232
# make test: add the test tools, then the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
# make bench: the benchmarks, results in bench/results/

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 5232
# make run keeps its database in the checkout; an installed settlecal defaults to the user's data directory.
DATABASE ?= sqlite:///$(CURDIR)/var/settlecal.sqlite3
SAMPLE := importer/samples/sample-release.csv

.PHONY: run test bench install lint clean browser

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# What the server needs, nothing more (an editable install of this checkout).
$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $(RUN_STAMP)

# The test tools (mypy, pytest, Playwright, Hypothesis, gunicorn, …) on top.
$(TEST_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP) $(RUN_STAMP)

install: $(TEST_STAMP)

# The sample goes into an empty database only: a later `make run` must not undo releases imported since.
run: $(RUN_STAMP)
	$(BIN)/settlecal --database $(DATABASE) migrate
	@if [ "$$($(BIN)/settlecal --database $(DATABASE) releases --json)" = "[]" ]; then \
		$(BIN)/settlecal --database $(DATABASE) import $(SAMPLE) --note "Sample release"; \
	else echo "The database already holds releases; serving them."; fi
	SETTLECAL_LOG_FORMAT=$${SETTLECAL_LOG_FORMAT:-text} $(BIN)/settlecal --database $(DATABASE) serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (tests/web); Playwright drives it, never downloads one.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(TEST_STAMP) browser
	$(BIN)/python -m pytest -q

bench: $(TEST_STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var build *.egg-info
