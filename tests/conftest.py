# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import subprocess
import sys

import numpy as np
import pytest
import torch


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device; torch sees none")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def digits01():
    """scikit-learn's digits scaled to [0, 1] (bundled, no download)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    return data.data / 16.0, data.target


@pytest.fixture(scope="session")
def linear_gaussian():
    """Data from a probabilistic-PCA model: x = W z + mu + noise, z ~ N(0, I_2)."""
    rng = np.random.RandomState(0)
    n, d, k = 3000, 10, 2
    W = rng.randn(k, d)
    X = rng.randn(n, k) @ W + 0.5 * rng.randn(n, d) + 3.0
    return X[:2000], X[2000:]


@pytest.fixture
def run_python():
    """Run Python code in a fresh interpreter; return its stdout (it must succeed)."""

    def run(code):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        return out.stdout

    return run
