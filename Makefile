# Every target creates/uses .venv itself: on a fresh machine only Python 3.11+ is needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SPARK_STAMP := $(VENV)/.installed-spark

.PHONY: demo test bench lint format dev clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	touch $(STAMP)

# The tests also build the warehouse on Spark (tests/e2e/test_demo_spark.py); the demo does not need it.
$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(SPARK_STAMP)

demo: $(STAMP)
	$(BIN)/chargelake demo

test: $(SPARK_STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

dev: $(STAMP)
	$(BIN)/chargelake dev

clean:
	rm -rf data dbt_project/target dbt_project/logs
