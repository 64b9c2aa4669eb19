# Everything a fresh machine with Python 3.11+ needs: `make demo`, `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SCENARIO ?= scenarios/demo_coastal_typhoon.yaml
STAMP  := $(VENV)/.installed

.PHONY: demo test test-slow bench clean venv results validation docs

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sim study $(SCENARIO) --runs 200 --seed 7

test: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks
	$(BIN)/mypy sim
	$(BIN)/python -m pytest

# The slow suite: the tests marked slow, and every property test with 5 times the examples
# (hypothesis profile deep; .ci/run uses ci-deep, derandomized).
SLOW_PROFILE ?= deep
test-slow: $(STAMP)
	HYPOTHESIS_PROFILE=$(SLOW_PROFILE) $(BIN)/python -m pytest -m "slow or hypothesis"

# The reports of the five plan scenarios (and the demo) and results/README.md; see sim results.
results: $(STAMP)
	$(BIN)/sim results --out results --scenarios scenarios

# docs/validation.md and docs/validation/*.png: every back-test (validation/backtests) at its own
# runs and the closed-form checks; `make test` runs a reduced form (tests/test_validation.py).
validation: $(STAMP)
	$(BIN)/sim validation --backtests validation/backtests --out docs/validation.md

# The documentation (Sphinx, PyData theme, MyST; notebooks executed by myst-nb) in docs/_build/html,
# warnings as errors.
docs: $(STAMP)
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/engine.py scenarios/wenzhou_typhoon.yaml --runs 10
	$(BIN)/python benchmarks/towns.py
	$(BIN)/python benchmarks/exercise.py --futures 100 --workers 2
	$(BIN)/python benchmarks/run_benchmarks.py
	$(BIN)/python benchmarks/memory.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache
