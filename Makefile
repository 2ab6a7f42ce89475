# `make install` is idempotent: it rebuilds .venv/ only when pyproject.toml or the lock change.
VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install test lint demo bench lock clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

# The README's test command: lint, type-check, then the whole test suite.
test: install lint
	$(VENV)/bin/pytest -n auto --dist worksteal

lint: install
	$(VENV)/bin/ruff check tracker tests bench scripts dashboard
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The README's demo command: build the demo database, then open the dashboard on it.
DEMO_DB := $${TRACKER_DATABASE_URL:-sqlite:///$(CURDIR)/var/demo.db}
demo: install
	TRACKER_DATABASE_URL=$(DEMO_DB) $(VENV)/bin/tracker demo --reset
	TRACKER_DATABASE_URL=$(DEMO_DB) $(VENV)/bin/tracker dashboard --port 8501

bench: install
	$(PY) bench/deadlines.py
	$(PY) bench/digest.py
	$(PY) bench/dashboard.py
	$(PY) bench/charter.py

# Re-pin every dependency after changing pyproject.toml.
lock:
	$(PY) -m pip freeze --exclude-editable --disable-pip-version-check | grep -v '^-e' > requirements.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
