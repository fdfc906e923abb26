# make run: install into .venv, load the sample release into SQLite, serve on http://127.0.0.1:5232
# make test: the whole test suite (PostgreSQL too when TEST_DATABASE_URL is set)
# make bench: the benchmarks, results in bench/results/ (docs/benchmarks.md)

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 5232

.PHONY: run test bench install lint clean browser bench-tools

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The sample goes into an empty database only: a later `make run` must not undo releases imported since.
run: $(STAMP)
	@if [ "$$($(BIN)/settlecal releases --json)" = "[]" ]; then \
		$(BIN)/settlecal import importer/samples/sample-release.csv --note "Sample release"; \
	else echo "The database already holds releases; serving them."; fi
	$(BIN)/settlecal serve --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (tests/web); Playwright drives it, never downloads one.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

# Debian's wrk (the load generator) and nginx (the static baseline) for bench/bench_roundrobin.py.
bench-tools:
	@command -v wrk >/dev/null && { command -v nginx >/dev/null || test -x /usr/sbin/nginx; } || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null; }

# One benchmark: make bench BENCH=bench_roundrobin (see docs/benchmarks.md for its settings).
bench: $(STAMP) bench-tools
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) var build *.egg-info
