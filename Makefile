# Each target installs what it needs into .venv by itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,dask]'
	$(BIN)/pip install -q -e examples/plugin
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/crmscript serve --handlers handlers --host 127.0.0.1 --port 8000

# The front end's fuzz test runs its full 10,000 examples in every test run
# (about a minute of one core); CRMSCRIPT_FUZZ_EXAMPLES=300 make test is a quick run.
CRMSCRIPT_FUZZ_EXAMPLES ?= 10000
export CRMSCRIPT_FUZZ_EXAMPLES

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
