# The two commands of the README. Each creates its own virtual environment (.venv) on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

.PHONY: run test demo browser lint bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[app,test]'
	touch $(STAMP)

# Debian packages the tests drive: Chromium for the browser tests (no browser download) and
# Virtuoso for the remote-store tests. Installed once, with root or sudo.
APT_PACKAGES := chromium virtuoso-opensource
browser:
	@test -x $(CHROMIUM) && command -v virtuoso-t >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(APT_PACKAGES) >/dev/null; }

## run: start the app on http://127.0.0.1:8050 with the shipped knowledge base
run: $(STAMP)
	$(BIN)/mlsd serve

## demo: a CLI walk-through of a real question, no server
demo: $(STAMP)
	$(BIN)/mlsd find-tools "train/serve skew"
	$(BIN)/mlsd where "data drift"

## test: every test (unit, data, CLI, browser, endpoint), plus validate and lint --strict
test: $(STAMP) browser
	$(BIN)/mlsd validate
	$(BIN)/mlsd lint --strict
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
