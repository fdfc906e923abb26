# make run: install the server into .venv, load the sample release into SQLite, serve on http://127.0.0.1:5232
# make test: add the test tools, then the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
# make bench: the benchmarks, results in bench/results/ (docs/benchmarks.md)

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

.PHONY: run test bench install lint clean browser bench-tools fonts pot messages

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
run: $(RUN_STAMP) fonts
	$(BIN)/settlecal --database $(DATABASE) migrate
	@if [ "$$($(BIN)/settlecal --database $(DATABASE) releases --json)" = "[]" ]; then \
		$(BIN)/settlecal --database $(DATABASE) import $(SAMPLE) --note "Sample release"; \
	else echo "The database already holds releases; serving them."; fi
	SETTLECAL_LOG_FORMAT=$${SETTLECAL_LOG_FORMAT:-text} $(BIN)/settlecal --database $(DATABASE) serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (tests/web); Playwright drives it, never downloads one.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# ical.js under node: the second iCalendar parser the timed-feed tests check our output with
# (tests/tools/icaljs/validate.mjs; the version is pinned in its package.json). Without node the
# tests that need it say so and skip.
ICALJS := tests/tools/icaljs/node_modules/ical.js/package.json
icaljs: $(ICALJS)
$(ICALJS): tests/tools/icaljs/package.json
	@command -v npm >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; }
	cd tests/tools/icaljs && npm install --no-audit --no-fund --no-save --silent
	@touch $@

# Debian's Noto fonts: PDFs in Arabic and Chinese (settlecal/formats/fonts.py finds them by path), and
# the page in Chromium. Without them PDFs in those languages come out in English, saying why.
FONTS := /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
fonts:
	@for font in $(FONTS); do test -f $$font || missing=yes; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core fonts-noto-cjk; fi

# Translations (docs/translations.md). `make messages`: extract every message of the code and the
# templates into the template, then merge it into each language's catalogue; new and changed messages
# come out empty or fuzzy, to translate. tests/unit/test_catalogues.py runs `make pot` to check that
# the catalogues hold exactly what the code uses.
LOCALES := settlecal/i18n/locale
POT ?= $(LOCALES)/settlecal.pot
VERSION := $(shell sed -n "s/^version = \"\(.*\)\"/\1/p" pyproject.toml)
pot:
	$(BIN)/pybabel -q extract -F pyproject.toml -k t -c Translators: --add-location=file --sort-output \
		--project=settlecal --version=$(VERSION) --copyright-holder="the settlecal authors" -o $(POT) .

messages: $(TEST_STAMP) pot
	$(BIN)/pybabel update -i $(POT) -d $(LOCALES) -D settlecal --ignore-obsolete --ignore-pot-creation-date

test: $(TEST_STAMP) browser fonts icaljs
	$(BIN)/python -m pytest -q

# Debian's wrk (the load generator) and nginx (the static baseline) for bench/bench_roundrobin.py.
bench-tools:
	@command -v wrk >/dev/null && { command -v nginx >/dev/null || test -x /usr/sbin/nginx; } || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; }

# One benchmark: make bench BENCH=bench_roundrobin (see docs/benchmarks.md for its settings).
bench: $(TEST_STAMP) bench-tools
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) var build *.egg-info
