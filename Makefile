# The two commands a newcomer needs: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: demo test bench docs clean

demo: $(VENV)/.installed
	$(BIN)/detente forecast

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The documentation as a site in site/ (MkDocs + mkdocstrings; warnings are errors).
docs: $(VENV)/.installed-test
	$(BIN)/python -m mkdocs build --strict

bench: $(VENV)/.installed-test
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) build site *.egg-info src/*.egg-info .pytest_cache
