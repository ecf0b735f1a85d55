# Two commands do all set-up on a fresh machine:
#   make lab    create .venv, install the locked versions, get the data, train the first models, open JupyterLab
#   make test   create .venv, install the locked versions with the test tools, run every test in quick mode
# Installs use the lock files requirements/lab.txt and requirements/test.txt (exact versions of everything);
# `make lock` refreshes them from pyproject.toml's ranges; LOCK=0 installs from the ranges instead.
# Instructors: `make present` opens the live deck (slides/understanding_autoencoders.ipynb) in JupyterLab.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Idle PyTorch threads spin only briefly before they sleep (full speed alone, no crawl when processes share
# the cores), and MKL's products do not depend on the thread count, for everything started here (JupyterLab's
# kernels inherit it; `import ae_helpers` sets the same when torch is not loaded yet). See ae_helpers/threads.py.
export GOMP_SPINCOUNT ?= 10000
export MKL_CBWR ?= AUTO,STRICT

.PHONY: lab present test install data warm warm-first benchmark claims lint clean distclean slides explorer lock book

LOCK ?= 1
ifeq ($(LOCK),0)
INSTALL_LAB  = $(BIN)/python -m pip install -e .
INSTALL_TEST = $(BIN)/python -m pip install -e '.[test,dev]'
else
INSTALL_LAB  = $(BIN)/python -m pip install -r requirements/lab.txt && $(BIN)/python -m pip install --no-deps -e .
INSTALL_TEST = $(BIN)/python -m pip install -r requirements/test.txt && $(BIN)/python -m pip install --no-deps -e .
endif
PIP_COMPILE = $(BIN)/pip-compile --quiet --upgrade --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml requirements/lab.txt | $(BIN)/python
	$(INSTALL_LAB)
	touch $@

$(VENV)/.installed-test: pyproject.toml requirements/test.txt $(VENV)/.installed
	$(INSTALL_TEST)
	touch $@

# Refresh the lock files after changing a range in pyproject.toml (then run make test and commit them).
# requirements/constraints.txt caps what the locks may pick (the newest torch the course was checked with).
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet pip-tools
	$(PIP_COMPILE) --extra test --extra dev -c requirements/constraints.txt -o requirements/test.txt pyproject.toml
	$(PIP_COMPILE) -c requirements/test.txt -o requirements/lab.txt pyproject.toml

install: $(VENV)/.installed

data: install
	$(BIN)/python -m ae_helpers data

# The five MLP models of notebooks 01-07, three at a time in worker processes, then the VAE of 05 and 06;
# notebook 08's two convolutional models train there on first use. CACHE=DIR fills a class's shared folder with every model the course uses
# (course_models.COURSE_MODELS, `train --all`).
FIRST_MODELS := 2 8
LATER_MODELS := 4 16 32
warm: data
	$(BIN)/python -m ae_helpers train $(if $(CACHE),--all --cache $(CACHE),--latent-dim $(FIRST_MODELS) $(LATER_MODELS))
	$(if $(CACHE),,$(BIN)/python -m ae_helpers train --arch vae)

# make lab's first run: the two models notebook 01 uses first (both at once), then JupyterLab opens while the
# other three and the VAE train in the background at low priority into the same cache (benchmarks/bench_warm.py: JupyterLab
# serves in under 3 minutes on 2 cores). A notebook that asks for one of them before it is ready waits for it
# (one training per model: ae_helpers/cache.py) instead of training it twice. Log: .venv/warm-later.log.
warm-first: data
	$(BIN)/python -m ae_helpers train --latent-dim $(FIRST_MODELS)

# JupyterLab refuses to start as root (containers, cloud machines) unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# The course's JupyterLab settings live in jupyter-config/ (no "official Jupyter news" prompt, no update
# check), added by JUPYTER_CONFIG_PATH for the JupyterLab started here only; ~/.jupyter is left alone.
JUPYTER_LAB = JUPYTER_CONFIG_PATH="$(CURDIR)/jupyter-config$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))" \
	$(BIN)/jupyter lab $(ROOT_FLAG)

# Students: JupyterLab on notebooks/, nothing else in the file browser.
lab: warm-first
	nice -n 10 sh -c '$(BIN)/python -m ae_helpers train --latent-dim $(LATER_MODELS) && \
		$(BIN)/python -m ae_helpers train --arch vae' > $(VENV)/warm-later.log 2>&1 &
	$(JUPYTER_LAB) notebooks/ $(LAB_ARGS)

# Instructors: JupyterLab on the whole repository (slides/ and notebooks/ for the live demos), with the
# deck's notebook open; present it with jupyterlab-slideshow (slides/README.md, "Present live in JupyterLab").
present: warm
	$(JUPYTER_LAB) --ServerApp.root_dir="$(CURDIR)" slides/understanding_autoencoders.ipynb $(LAB_ARGS)

# Another computer's arithmetic on this one (ae_helpers/numerics.py, OTHER_CPU; a test checks the two agree):
# torch's generic kernels, MKL's compatible path, oneDNN without AVX, one thread. Its models go to their own cache.
OTHER_CPU := ATEN_CPU_CAPABILITY=default MKL_CBWR=COMPATIBLE DNNL_MAX_CPU_ISA=SSE41 AE_THREADS=1 \
	AE_CACHE_DIR=$(CURDIR)/checkpoints/other-cpu
NOTEBOOKS_CHECKED := $(sort $(wildcard notebooks/0[1-8]_*.ipynb))

# The unit, notebook and browser tests with the course's seed (0), then notebooks 01-08 again with AE_SEED=1,
# and with AE_SEED=2 computing like another CPU: every checked claim must hold for any seed's models on any
# computer (README, "Results differ slightly between computers"; benchmarks/claims.py measures the margins).
test: $(VENV)/.installed-test
	$(BIN)/python -m ae_helpers data
	AE_QUICK=1 $(BIN)/python -m pytest
	AE_QUICK=1 AE_SEED=1 $(BIN)/python -m pytest $(NOTEBOOKS_CHECKED)
	AE_QUICK=1 AE_SEED=2 $(OTHER_CPU) $(BIN)/python -m pytest $(NOTEBOOKS_CHECKED)

# The margin report (benchmarks/README.md): every checked claim of notebooks 01-08, seeds 0-2, on this CPU and
# computing like another one, how close each came to failing, and whether a repeat run prints the same. Full
# mode trains each seed's models once (about 10 minutes per seed here; as the other CPU, one thread, about 30):
# notebook 08's convolutional models as the other CPU would take an hour per seed more, so its full-mode runs
# cover 01-07. CLAIMS_ARGS=--quick for quick mode, every notebook on both (about 20 minutes).
CLAIMS_ARGS ?= --other-notebooks '0[1-7]_*'
claims: data
	$(BIN)/python benchmarks/claims.py --twice $(CLAIMS_ARGS)

benchmark: data explorer
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_explorer.py
	$(BIN)/python benchmarks/bench_web_explorer.py
	$(BIN)/python benchmarks/bench_exercises.py
	$(BIN)/python benchmarks/bench_concurrency.py
	$(BIN)/python benchmarks/bench_memory.py
	$(BIN)/python benchmarks/bench_conv.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check ae_helpers tests benchmarks notebooks classroom slides

# clean: what builds and tests leave (the slides, the website, screenshots); keeps the trained models and the data.
clean:
	rm -rf slides/build book/_build test-artifacts benchmarks/results .pytest_cache .ruff_cache

# distclean: back to a fresh clone: also the trained models (checkpoints/), the data (data/) and .venv.
distclean: clean
	rm -rf checkpoints data $(VENV) *.egg-info slides/node_modules

# The instructor deck: slides/build/index.html (reveal.js, works offline). Needs Node.js/npm once (npm ci).
# Full mode by default; AE_QUICK=1 make slides for a fast check.
slides: warm
	$(BIN)/python slides/build.py

# The latent explorer as one offline web page, for students before they install anything:
# slides/build/explorer.html (+ slides/build/explorer/). No npm needed. `make slides` builds it too.
explorer: data
	$(BIN)/python slides/build.py --explorer-only

# The course as a website: book/_build/html/index.html, every notebook executed (full mode, seed 0, the shared
# models) with its outputs; it works from file:// and offline. 05's page carries the kernel-free explorer; the
# deck is copied in when `make slides` has built it. AE_QUICK=1 make book for a fast check (what make test builds).
book: $(VENV)/.installed-test
	$(BIN)/python -m ae_helpers data
	$(BIN)/python book/build.py
