# Two commands do all set-up on a fresh machine:
#   make lab    create .venv, install, get the data, warm the model cache, open JupyterLab
#   make test   create .venv, install with test extras, run every test in quick mode
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Idle PyTorch threads sleep instead of spinning, so trainings and kernels started from here
# (JupyterLab's kernels inherit it) share the cores fairly; see ae_helpers/threads.py.
export OMP_WAIT_POLICY ?= PASSIVE

.PHONY: lab test install data warm benchmark lint clean slides

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed

data: install
	$(BIN)/python -m ae_helpers data

# Every model the notebooks and slides use (ae_helpers.cache.COURSE_MODELS); CACHE=DIR fills another
# folder, e.g. a class's shared one (README, "Teaching a class").
warm: data
	$(BIN)/python -m ae_helpers train --all $(if $(CACHE),--cache $(CACHE),)

# JupyterLab refuses to start as root (containers, cloud machines) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: warm
	$(BIN)/jupyter lab notebooks/ $(ROOT_FLAG) $(LAB_ARGS)

test: $(VENV)/.installed-test
	$(BIN)/python -m ae_helpers data
	AE_QUICK=1 $(BIN)/python -m pytest

benchmark: data
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_explorer.py
	$(BIN)/python benchmarks/bench_concurrency.py
	$(BIN)/python benchmarks/bench_memory.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check ae_helpers tests benchmarks notebooks classroom

clean:
	rm -rf checkpoints slides/build test-artifacts

# The instructor deck: slides/build/index.html (reveal.js, works offline). Needs Node.js/npm once (npm ci).
# Full mode by default; AE_QUICK=1 make slides for a fast check.
slides: warm
	$(BIN)/python slides/build.py
