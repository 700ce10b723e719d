"""Smoke tests: every gallery example and the quick start still run.

Each ``examples/plot_*.py`` runs in a subprocess with the Agg backend and a
training budget of a couple of epochs (``SKVAE_EXAMPLE_MAX_ITER``), so that an
example cannot silently rot between documentation builds. The figures it leaves
open are saved, and at least one is required.

Conventions for examples (see examples/README.txt):

- read the epoch budget from ``SKVAE_EXAMPLE_MAX_ITER`` when it is set;
- load real data only through ``skvae.datasets`` and, where a file is absent,
  catch :class:`skvae.datasets.DataNotFoundError`, print its message (it says
  "not found") and skip that part.

Examples whose data set is absent from the data home (``SKVAE_DATA``) still run,
to check that they skip cleanly, and are then reported as skipped.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from skvae import datasets

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
QUICK_START = ROOT / "docs" / "quick_start.rst"
TIMEOUT = 300  # seconds per script; each takes a few with the tiny budget

# What each loader reads, relative to the data home.
DATA_FILES = {
    "load_mnist": "mnist.npz",
    "load_binarized_mnist": "binarized_mnist.npz",
    "load_frey_faces": "frey_faces.npy",
    "load_odds": "odds",
}

# Runs a script like ``python script.py`` would, then saves its open figures.
DRIVER = """
import runpy, sys
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
script, out = Path(sys.argv[1]), Path(sys.argv[2])
runpy.run_path(str(script), run_name="__main__")
for number in plt.get_fignums():
    plt.figure(number).savefig(out / f"{script.stem}_{number}.png", dpi=50)
print(f"saved {len(plt.get_fignums())} figure(s)")
"""


def _environment(**overrides):
    env = dict(os.environ)
    # The smoke runs train tiny models: one thread is as fast as several, and
    # does not slow down by spinning when other processes hold the cores.
    env.setdefault("OMP_NUM_THREADS", "1")
    env.update(
        MPLBACKEND="Agg",
        SKVAE_EXAMPLE_MAX_ITER="2",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    env.update(overrides)
    return env


def _run(script, out_dir, env):
    # FutureWarning is how scikit-learn announces deprecations: fail on them
    # here, as the test suite does, before the examples break.
    cmd = [sys.executable, "-W", "error::FutureWarning", "-c", DRIVER]
    result = subprocess.run(
        [*cmd, str(script), str(out_dir)],
        cwd=out_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{script.name} failed:\n{output[-4000:]}"
    return output


def _missing_data(script):
    """The data files that ``script`` loads and the data home lacks."""
    source = script.read_text()
    home = datasets.get_data_home()
    return sorted(
        path
        for loader, path in DATA_FILES.items()
        if re.search(rf"\b{loader}\b", source) and not (home / path).exists()
    )


def _uses_data(script):
    source = script.read_text()
    return any(re.search(rf"\b{loader}\b", source) for loader in DATA_FILES)


def test_examples_are_found():
    assert len(EXAMPLES) >= 4, EXAMPLES


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    output = _run(script, tmp_path, _environment())
    missing = _missing_data(script)
    if missing:
        pytest.skip(
            f"{script.name} ran, but skipped the parts that need {missing} "
            f"(absent from the data home {datasets.get_data_home()})"
        )
    figures = sorted(tmp_path.glob("*.png"))
    assert figures, f"{script.name} drew no figure:\n{output[-2000:]}"


@pytest.mark.parametrize(
    "script", [s for s in EXAMPLES if _uses_data(s)], ids=lambda p: p.name
)
def test_example_skips_without_data(script, tmp_path):
    empty = tmp_path / "empty_data_home"
    empty.mkdir()
    env = _environment(SKVAE_DATA=str(empty), SKVAE_FASHION_MNIST=str(empty))
    output = _run(script, tmp_path, env)
    assert "not found" in output, (
        f"{script.name} should print the DataNotFoundError message when its "
        f"data are absent:\n{output[-2000:]}"
    )


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_conventions(script):
    source = script.read_text()
    # A title between two lines of "=" at least as long (else the -W docs
    # build fails with "Title overline too short").
    match = re.match(r'"""\n(=+)\n(.+)\n(=+)\n', source)
    assert match, f"{script.name}: no ===-framed title at the top of the docstring"
    over, title, under = match.groups()
    assert len(over) >= len(title) and len(under) >= len(title), (
        f"{script.name}: the lines of '=' around the title must be at least "
        f"{len(title)} characters long"
    )
    assert "SKVAE_EXAMPLE_MAX_ITER" in source, (
        f"{script.name} does not read the SKVAE_EXAMPLE_MAX_ITER budget"
    )


def _python_blocks(rst):
    """The bodies of the ``.. code-block:: python`` directives of an rst file."""
    blocks = []
    lines = rst.splitlines()
    for i, line in enumerate(lines):
        if line.strip() != ".. code-block:: python":
            continue
        body = []
        for text in lines[i + 1 :]:
            if text and not text.startswith("   "):
                break
            body.append(text[3:])
        blocks.append("\n".join(body).strip("\n"))
    return blocks


def test_quick_start_runs(tmp_path):
    blocks = _python_blocks(QUICK_START.read_text())
    assert len(blocks) >= 5
    script = tmp_path / "quick_start.py"
    script.write_text("\n\n".join(blocks) + "\n")
    _run(script, tmp_path, _environment())
