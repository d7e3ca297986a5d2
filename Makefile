# The two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install bench bench-enterprise vendor check-deploy clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Start the sandbox, the portal, a worker and beat; print the URL and the demo logins.
demo: install
	$(PY) scripts/demo.py

## The whole test suite (needs nothing running; uses PostgreSQL/Redis when they answer).
test: install
	$(VENV)/bin/pytest -n 2 --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: install
	$(PY) scripts/check_deploy.py

bench: install
	$(PY) bench/run_all.py

## The growth benchmark up to 10M attendee rows / 5,000 organizers (about 15 minutes more).
bench-enterprise: install
	$(PY) bench/run_all.py --enterprise

## Refresh the vendored front-end files from the npm registry.
vendor:
	scripts/vendor_frontend.sh

clean:
	rm -rf var/*.sqlite3 var/sandbox-*.json var/broker var/celerybeat-schedule*
