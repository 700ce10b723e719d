"""Anomaly detection: VAEOutlierDetector against the usual baselines.

All methods run in this one process on the same splits:

* Fashion-MNIST one-class: train on the training images of one class, score
  all 10,000 test images (the other nine classes are the anomalies); AUROC per
  class and the mean. Needs ``apt-get install -y dataset-fashion-mnist``.
* scikit-learn's digits, the same protocol (train/test split 50/50).
* MNIST, the same protocol (optional section ``mnist``: from the data home,
  ``SKVAE_DATA``).
* The ten ODDS sets in the data home (``SKVAE_DATA``/odds): PyOD's protocol, a
  60/40 split, standardised with the training part's statistics, unsupervised
  training on the contaminated training part, AUROC and average precision,
  mean of 5 seeds.

Run ``python benchmarks/anomaly.py`` (about 15 minutes on 2 cores) or
``--quick`` for a smoke run. Writes benchmarks/results/anomaly.json.
``--sections`` picks the protocols (default ``fashion,digits,odds``);
``--params '{"n_components": 3}'`` passes keyword arguments to skvae's detector
and ``--out NAME`` writes benchmarks/results/NAME.json instead, to compare a
setting with the default without overwriting its results.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import math
import time
import warnings

import numpy as np
from _common import print_table, write_json
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import StandardScaler

from skvae import VAEOutlierDetector
from skvae.datasets import (
    ODDS_NAMES,
    DataNotFoundError,
    load_fashion_mnist,
    load_mnist,
    load_odds,
)


def _n_pca(d):
    return max(1, min(16, math.ceil(d / 2)))


class PCAReconstruction:
    """Anomaly score = squared reconstruction error of PCA (higher = anomalous)."""

    def __init__(self, n_components):
        self.pca = PCA(n_components)

    def fit(self, X):
        self.pca.fit(X)
        return self

    def anomaly(self, X):
        rec = self.pca.inverse_transform(self.pca.transform(X))
        return ((X - rec) ** 2).sum(axis=1)


def methods(d, seed, params=None):
    """name -> (make, anomaly score of a fitted model); higher = more anomalous.

    ``params`` are keyword arguments for skvae's detector (default: none).
    """
    params = params or {}
    out = {
        "skvae": (
            lambda: VAEOutlierDetector(**{"random_state": seed, **params}),
            lambda m, X: -m.score_samples(X),
        ),
        "IsolationForest": (
            lambda: IsolationForest(random_state=seed),
            lambda m, X: -m.score_samples(X),
        ),
        "PCA recon": (lambda: PCAReconstruction(_n_pca(d)), lambda m, X: m.anomaly(X)),
        "PCA score": (lambda: PCA(_n_pca(d)), lambda m, X: -m.score_samples(X)),
        "LOF": (
            lambda: LocalOutlierFactor(novelty=True),
            lambda m, X: -m.score_samples(X),
        ),
    }
    try:
        from pyod.models.vae import VAE as PyODVAE  # optional extra

        out["PyOD VAE"] = (
            lambda: PyODVAE(random_state=seed, verbose=0),
            lambda m, X: m.decision_function(X),
        )
    except ImportError:
        pass
    return out


def run_split(X_train, X_test, y_test, seed, times, params):
    """Fit every method on X_train and score X_test; y_test: 1 = anomaly."""
    row = {}
    for name, (make, anomaly) in methods(X_train.shape[1], seed, params).items():
        tic = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make().fit(X_train)
            scores = anomaly(model, X_test)
        times.setdefault(name, []).append(time.perf_counter() - tic)
        row[name] = (
            roc_auc_score(y_test, scores),
            average_precision_score(y_test, scores),
        )
    return row


def one_class(X_train, y_train, X_test, y_test, classes, label, times, params):
    rows = []
    for c in classes:
        res = run_split(
            X_train[y_train == c], X_test, (y_test != c).astype(int), 0, times, params
        )
        rows.append({"class": c, **{m: v[0] for m, v in res.items()}})
        print(
            f"  {label} class {c}: "
            + ", ".join(f"{m} {v[0]:.3f}" for m, v in res.items())
        )
    return rows


def odds(names, seeds, times, params):
    rows = []
    for name in names:
        try:
            X, y = load_odds(name)
        except DataNotFoundError as exc:
            print(f"  skip {name}: {exc}")
            continue
        per_seed = []
        for seed in range(seeds):
            X_tr, X_te, _, y_te = train_test_split(
                X, y, test_size=0.4, random_state=seed
            )
            scaler = StandardScaler().fit(X_tr)
            per_seed.append(
                run_split(
                    scaler.transform(X_tr),
                    scaler.transform(X_te),
                    y_te,
                    seed,
                    times,
                    params,
                )
            )
        row = {"data": name, "n": X.shape[0], "d": X.shape[1]}
        for m in per_seed[0]:
            row[m] = float(np.mean([r[m][0] for r in per_seed]))
            row[m + " AP"] = float(np.mean([r[m][1] for r in per_seed]))
        rows.append(row)
        print(f"  {name}: " + ", ".join(f"{m} {row[m]:.3f}" for m in per_seed[0]))
    return rows


def add_mean(rows, key, method_names):
    mean = {key: "mean"}
    for m in method_names:
        vals = [r[m] for r in rows if m in r]
        if vals:
            mean[m] = float(np.mean(vals))
    return [*rows, mean]


def images(load, label, quick, times, params):
    """One-class rows for an image set scaled to [0, 1], or None when absent."""
    try:
        Xtr, ytr, Xte, yte = load()
    except DataNotFoundError as exc:
        print(f"skip {label}: {exc}")
        return None
    Xtr, Xte = Xtr / 255.0, Xte / 255.0
    classes = [2, 6] if quick else range(10)
    if quick:
        Xte, yte = Xte[:2000], yte[:2000]
    print(f"{label} one-class (AUROC):")
    return one_class(Xtr, ytr, Xte, yte, classes, label, times, params)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--sections", default="fashion,digits,odds", help="of fashion,mnist,digits,odds"
    )
    parser.add_argument(
        "--params", default="{}", help="JSON keyword arguments for skvae's detector"
    )
    parser.add_argument("--out", default="anomaly", help="name of the JSON file")
    args = parser.parse_args()
    sections = args.sections.split(",")
    params = json.loads(args.params)
    times, results = {}, {}
    names = list(methods(2, 0))

    for key, load, label in [
        ("fashion_mnist", load_fashion_mnist, "fashion"),
        ("mnist", load_mnist, "mnist"),
    ]:
        if label in sections:
            rows = images(load, label, args.quick, times, params)
            if rows:
                results[key] = add_mean(rows, "class", names)

    if "digits" in sections:
        X, y = load_digits(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X / 16.0, y, test_size=0.5, random_state=0
        )
        print("digits one-class (AUROC):")
        rows = one_class(
            X_tr,
            y_tr,
            X_te,
            y_te,
            range(3 if args.quick else 10),
            "digits",
            times,
            params,
        )
        results["digits"] = add_mean(rows, "class", names)

    if "odds" in sections:
        print("ODDS (AUROC, mean of seeds):")
        rows = odds(
            ODDS_NAMES[:3] if args.quick else ODDS_NAMES,
            1 if args.quick else 5,
            times,
            params,
        )
        if rows:
            results["odds"] = add_mean(rows, "data", names + [n + " AP" for n in names])

    for key, rows in results.items():
        first = "class" if key != "odds" else "data"
        print(f"\n{key}: AUROC")
        print_table(rows, [first, *[m for m in names if m in rows[0]]])
        if key == "odds":
            print("\nodds: average precision")
            print_table(
                rows, [first, *[m + " AP" for m in names if m + " AP" in rows[0]]]
            )
    fit_times = {m: float(np.mean(t)) for m, t in times.items()}
    print("\nmean seconds per fit + score:")
    print_table([fit_times], list(fit_times))
    write_json(
        args.out + ("_quick" if args.quick else ""),
        {"results": results, "seconds_per_fit": fit_times, "skvae_params": params},
    )


if __name__ == "__main__":
    main()
