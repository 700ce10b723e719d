# skvae: every command sets itself up from a fresh clone.
#   make demo   fit a VAE on scikit-learn's digits, print held-out ELBO, write a PNG
#   make test   run the test suite (and ruff)
#   make docs   build the documentation (examples executed) in docs/_build/html
# GPU users: create .venv with your own CUDA build of torch first, or set
# TORCH_SPEC; the default is the CPU build, never a multi-GB CUDA download.

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
TORCH_SPEC ?= torch==2.13.0

.PHONY: demo test lint install clean docs docs-clean

$(VENV)/.skvae-installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e ".[tests,plots]"
	touch $@

install: $(VENV)/.skvae-installed

$(VENV)/.skvae-docs-installed: $(VENV)/.skvae-installed
	$(PY) -m pip install --quiet -e ".[docs]"
	touch $@

demo: install
	$(PY) examples/demo_digits.py --output skvae_digits_demo.png

lint: install
	$(VENV)/bin/ruff check .

# One worker per core (pytest-xdist), each torch on one thread: the tests train
# tiny networks, which one thread runs as fast as several.
test: lint
	OMP_NUM_THREADS=1 $(PY) -m pytest -n auto --dist worksteal

# -W: a warning fails the build; the gallery's examples run during it.
docs: $(VENV)/.skvae-docs-installed
	$(VENV)/bin/sphinx-build -W --keep-going -b html docs docs/_build/html
	@echo "Built docs/_build/html/index.html"

docs-clean:
	rm -rf docs/_build docs/auto_examples docs/generated

clean:
	rm -rf $(VENV) skvae_digits_demo.png
