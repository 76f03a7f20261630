# pakn-bot: two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: run run-prod test typecheck setup rasa bench fuzz clean browser-deps

$(STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $(STAMP)

setup: $(STAMP)
	@mkdir -p var
	$(PY) -m bot setup

run: setup
	$(PY) -m bot serve --host 127.0.0.1 --port 5000

# The production topology on the local PostgreSQL: 2 web processes, 2 workers, the scheduler
# (README "Production topology"; WEB, WORKERS, THREADS, PORT, PAKN_DATABASE_URL to change it).
run-prod: $(STAMP)
	./scripts/run-prod.sh

test: setup typecheck browser-deps rasa
	$(PY) -m pytest

# mypy over the application packages (strict on routing/, channels/, outbox/; see pyproject.toml).
typecheck: $(STAMP)
	$(PY) -m mypy

# Browser tests drive Debian's chromium through Playwright (no browser download).
browser-deps:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

rasa:
	./scripts/setup-rasa.sh

bench: setup
	$(PY) -m bench

clean:
	rm -rf $(VENV) var

# Property tests with new random examples, 20 times as many (CI draws the same ones every run).
fuzz: setup
	HYPOTHESIS_PROFILE=explore PAKN_FUZZ_SCALE=20 $(PY) -m pytest -q -p no:cacheprovider \
		$(shell grep -rl '@given' tests)
