# The two commands that matter: `make serve` (build and serve the site) and `make test` (every test).
# Both set up what they need on a fresh machine: a Python venv (.venv) and the pinned npm packages.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_READY := $(VENV)/.ready
NODE_READY := node_modules/.package-lock.json
export NO_MKDOCS_2_WARNING := 1
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup build serve test bench facts clean

setup: $(PY_READY) $(NODE_READY)

$(PY_READY): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-build-isolation --no-deps --editable .
	touch $@

$(NODE_READY): package.json package-lock.json
	npm ci --no-audit --no-fund

# Built into a fresh folder beside site/ and swapped in only when the build succeeds: a failed
# build leaves the last good site in place (a server showing site/ keeps showing it).
build: setup
	@rm -rf site.next site.old
	@if $(BIN)/mkdocs build --strict --site-dir site.next; then \
		if [ -d site ]; then mv site site.old; fi && mv site.next site && rm -rf site.old; \
	else status=$$?; rm -rf site.next; echo "make build: the build failed; site/ still holds the last good build" >&2; exit $$status; fi

serve: setup
	$(BIN)/mkdocs serve --dev-addr $(HOST):$(PORT)

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m tests.bench

# Vendor facts due for review (hooks/data/facts.toml); `make facts TODAY=2027-01-01` to look ahead.
facts: setup
	$(BIN)/python -m hooks.facts due $(if $(TODAY),--today $(TODAY))

clean:
	rm -rf site site.next site.old .cache
