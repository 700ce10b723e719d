"""Shared pieces of the paper reproductions: training curves with the estimator."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from _common import machine  # noqa: E402

from skvae import VAETransformer  # noqa: E402


def paper_vae(n_components, hidden, likelihood, **kw):
    """The paper's setup as estimator options: tanh MLPs, Adagrad, weight decay
    as a N(0, I) prior (alpha=1), minibatches of 100."""
    params = {
        "n_components": n_components,
        "hidden_layer_sizes": hidden,
        "activation": "tanh",
        "likelihood": likelihood,
        "solver": "adagrad",
        "learning_rate_init": 0.02,
        "alpha": 1.0,
        "batch_size": 100,
        "warm_start": True,
        "tol": 0.0,
        "n_iter_no_change": 10**9,
        "n_score_draws": 1,
        "device": "cpu",
        "random_state": 0,
    }
    params.update(kw)
    return VAETransformer(**params)


def checkpoints(n_train, max_samples, per_decade=4):
    """Epoch counts at which to evaluate, about log-spaced in samples seen."""
    max_epochs = max(1, int(max_samples // n_train))
    grid = np.unique(np.round(np.logspace(0, np.log10(max_epochs), 1 + per_decade * 8)))
    return [int(e) for e in grid if e <= max_epochs]


def train_curve(est, X_train, X_test, max_samples, score, label):
    """Train with warm starts; evaluate ``score(est, X)`` on train and test."""
    rows, done, tic = [], 0, time.perf_counter()
    for epochs in checkpoints(X_train.shape[0], max_samples):
        est.set_params(max_iter=epochs - done)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est.fit(X_train)
        done = epochs
        rows.append(
            {
                "samples": epochs * X_train.shape[0],
                "train": score(est, X_train),
                "test": score(est, X_test),
                "seconds": time.perf_counter() - tic,
            }
        )
        print(
            f"  {label}: {rows[-1]['samples']:.2e} samples, train "
            f"{rows[-1]['train']:.2f}, test {rows[-1]['test']:.2f} "
            f"({rows[-1]['seconds']:.0f} s)",
            flush=True,
        )
    return rows


def elbo_score(est, X, max_rows=10000):
    return est.set_params(score_method="elbo", n_score_draws=1).score(X[:max_rows])


def write(name, payload):
    path = HERE / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2))
    print(f"wrote {path}")


def figure(**kw):
    """A matplotlib figure and axes, drawn off-screen (Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.subplots(**kw)


def plot_curves(ax, curves, ylabel, title, label_train=False):
    """Test (solid) and train (dashed) scores against training samples evaluated."""
    for name, rows in curves.items():
        samples = [r["samples"] for r in rows]
        test_label = f"{name} test" if label_train else name
        line = ax.plot(samples, [r["test"] for r in rows], label=test_label)[0]
        ax.plot(
            samples,
            [r["train"] for r in rows],
            "--",
            color=line.get_color(),
            label=f"{name} train" if label_train else None,
        )
    ax.set_xscale("log")
    ax.set_xlabel("training samples evaluated")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)


def save_figure(fig, name):
    path = HERE / f"{name}.png"
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"wrote {path}")
