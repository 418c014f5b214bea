# Clause Ten: `make run` to try it, `make test` to check it. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/clauseten
ADDR ?= 127.0.0.1:8000

.PHONY: install run test test-postgres bench bench-quick lint screenshots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

# A laptop demo on SQLite: migrate, load the demo organisation once, run the worker beside the web server.
run: install
	CLAUSETEN_DEBUG=true $(PY) -m clauseten.cli migrate --noinput
	CLAUSETEN_DEBUG=true $(PY) -m clauseten.cli demo --if-empty
	CLAUSETEN_DEBUG=true CLAUSETEN_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
		$(PY) -m clauseten.cli worker & WORKER=$$!; trap 'kill $$WORKER' EXIT INT TERM; \
		CLAUSETEN_DEBUG=true $(PY) -m clauseten.cli serve $(ADDR)

test: install
	$(PY) -m pytest -q

test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(PY) -m pytest -q

bench: install
	$(PY) -m bench

lint: install
	$(VENV)/bin/ruff check clauseten tests

clean:
	rm -rf $(VENV) var .pytest_cache
