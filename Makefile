# parindex: `make run` serves the demo, `make test` runs every test. Both are idempotent.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := PARINDEX_ENV=$${PARINDEX_ENV:-development} $(VENV)/bin/flask --app wsgi
STAMP  := $(VENV)/.installed

.PHONY: install run test translations migrate demo serve clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(VENV)/bin/python setup.cfg setup.py
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,postgres]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -d survey_app/translations -D messages

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo --if-empty

run: demo
	@echo "parindex is at http://127.0.0.1:5000  (Ctrl-C to stop; reports and exports run in a background worker)"
	@trap 'kill 0' INT TERM EXIT; \
	PARINDEX_ENV=$${PARINDEX_ENV:-development} $(VENV)/bin/huey_consumer survey_app.tasks.huey --workers 1 --logfile instance/worker.log >/dev/null 2>&1 & \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
