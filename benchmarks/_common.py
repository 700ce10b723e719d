"""Helpers shared by the benchmark scripts: data, timing, JSON output."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch


def results_dir():
    """The ``results`` folder beside the script that runs (its topic's)."""
    return Path(sys.argv[0]).resolve().parent / "results"


def machine():
    """A short description of where the benchmark ran."""
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "processor": platform.processor() or platform.machine(),
        "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None,
    }


def write_json(name, payload):
    """Write ``payload`` (plus the machine) to ``results/NAME.json`` beside the
    script that runs."""
    results = results_dir()
    results.mkdir(exist_ok=True)
    path = results / f"{name}.json"
    payload = {"machine": machine(), "argv": sys.argv, **payload}
    path.write_text(json.dumps(payload, indent=2, default=float))
    print(f"wrote {path}")
    return path


def print_table(rows, columns):
    """Print a list of dicts as a fixed-width table (nothing for no rows)."""
    if not rows:
        return
    widths = {c: max(len(c), *(len(_fmt(r.get(c))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    print("  ".join("-" * widths[c] for c in columns))
    for r in rows:
        print("  ".join(_fmt(r.get(c)).ljust(widths[c]) for c in columns))


def _fmt(v):
    if isinstance(v, float):
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    return "" if v is None else str(v)


class Timer:
    """``with Timer() as t: ...`` then ``t.seconds``."""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def fashion_mnist_or_synthetic(n_train=60000, n_test=10000, seed=0):
    """Fashion-MNIST scaled to [0, 1] as float32, or a synthetic fallback.

    Returns (X_train, X_test, description).
    """
    from skvae.datasets import DataNotFoundError, load_fashion_mnist

    try:
        X_train, _, X_test, _ = load_fashion_mnist()
        X_train = (X_train[:n_train] / 255.0).astype(np.float32)
        X_test = (X_test[:n_test] / 255.0).astype(np.float32)
        return X_train, X_test, "Fashion-MNIST"
    except DataNotFoundError as exc:
        print(f"{exc}\nFalling back to synthetic data (784 features in [0, 1]).")
    rng = np.random.RandomState(seed)
    n = min(n_train, 20000) + n_test
    W = rng.randn(16, 784).astype(np.float32)
    X = 1 / (1 + np.exp(-(rng.randn(n, 16).astype(np.float32) @ W)))
    return X[:-n_test], X[-n_test:], "synthetic"


def mixed_table(name, types=("real", "pos", "count")):
    """The columns of ``$SKVAE_DATA/mixed/NAME.csv`` whose type is in ``types``.

    Returns the float array and the full DataFrame (for a label column).
    """
    import pandas as pd

    from skvae.datasets import DataNotFoundError, get_data_home

    folder = get_data_home() / "mixed"
    path = folder / f"{name}.csv"
    if not path.exists():
        raise DataNotFoundError(f"{path} not found")
    kinds = pd.read_csv(folder / f"{name}.types.csv")
    frame = pd.read_csv(path)
    columns = kinds.loc[kinds["type"].isin(types), "column"]
    return frame[list(columns)].to_numpy(dtype=np.float64), frame
