# Two commands: `make run` trains the default federation, `make test` runs the suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/pip install --quiet --constraint constraints.txt
ARGS   ?=

.PHONY: run test lint typecheck bench docs clean

$(BIN)/redfl: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) --upgrade pip
	$(PIP) -e .
	@touch $@

$(VENV)/.dev: $(BIN)/redfl
	$(PIP) -e '.[dev]'
	@touch $@

run: $(BIN)/redfl  ## create the environment and train the default federation
	$(BIN)/redfl run $(ARGS)

test: $(VENV)/.dev  ## install the dev tools and run the whole suite
	$(BIN)/ruff check redfl tests benchmarks scripts examples
	$(BIN)/ruff format --check redfl tests benchmarks scripts examples
	$(BIN)/mypy
	$(BIN)/pytest -q
	BIN=$(abspath $(BIN)) scripts/cluster_guide.sh

bench: $(BIN)/redfl  ## Red against a plain PyTorch loop on the reference workload
	$(BIN)/python benchmarks/p1_fedavg.py

clean:
	rm -rf $(VENV) runs *.egg-info
