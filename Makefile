# Smart Factory Academy: `make lab` opens the course, `make test` proves it.
# Both set up everything they need first and are safe to run again.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PLANT  := datasets/plant/tables/MANIFEST.json
FIRST_NOTEBOOK := notebooks/00_getting_started.ipynb

# JupyterLab refuses to start as root (CI and containers run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Keep Jupyter and matplotlib state out of the trainee's home folder during tests.
TEST_ENV := MPLCONFIGDIR=$(CURDIR)/build/test-home/mpl \
            IPYTHONDIR=$(CURDIR)/build/test-home/ipython \
            JUPYTER_RUNTIME_DIR=$(CURDIR)/build/test-home/runtime \
            JUPYTER_DATA_DIR=$(CURDIR)/build/test-home/data \
            PYTHONHASHSEED=0

.PHONY: lab test test-browser setup data build clean-venv

# `make lab` serves the course folder and opens the first module. The browser test starts its
# server with this same recipe, adding LAB_FLAGS (port, token, no browser) and, for its scratch
# notebook, its own LAB_ROOT and FIRST_NOTEBOOK.
LAB_ROOT := $(CURDIR)
# The course runs offline: the server fetches no news feed and checks for no updates.
LAB_OFFLINE_FLAGS := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate

lab: setup data
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir=$(LAB_ROOT) $(LAB_OFFLINE_FLAGS) $(LAB_FLAGS) $(FIRST_NOTEBOOK)

test: setup data
	mkdir -p build/test-home
	$(TEST_ENV) $(BIN)/python -m pytest -n 2 --dist loadscope tests
	$(TEST_ENV) $(BIN)/python -m pytest -p no:cacheprovider --nbval --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 60 solutions tests/modules/solutions
	$(TEST_ENV) $(BIN)/python -m pytest -p no:cacheprovider --nbval-lax --nbval-cell-timeout 60 notebooks tests/modules/notebooks

test-browser: setup data
	mkdir -p build/test-home
	$(TEST_ENV) $(BIN)/python -m pytest -m browser -p no:xdist tests/browser

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --requirement requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $(STAMP)

data: setup
	$(BIN)/plantsim generate --if-stale
	$(BIN)/plantsim fleet --if-stale

build: setup
	$(BIN)/academy build

clean-venv:
	rm -rf $(VENV)
