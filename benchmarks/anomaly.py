"""Anomaly detection: VAEOutlierDetector against the usual baselines.

All methods run in this one process on the same splits:

* Fashion-MNIST one-class: train on the training images of one class, score
  all 10,000 test images (the other nine classes are the anomalies); AUROC per
  class and the mean. Needs ``apt-get install -y dataset-fashion-mnist``.
* scikit-learn's digits, the same protocol (train/test split 50/50).
* The ten ODDS sets in the data home (``SKVAE_DATA``/odds): PyOD's protocol, a
  60/40 split, standardised with the training part's statistics, unsupervised
  training on the contaminated training part, AUROC and average precision,
  mean of 5 seeds.

Run ``python benchmarks/anomaly.py`` (about 20 minutes on 2 cores) or
``--quick`` for a smoke run. Writes benchmarks/results/anomaly.json.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
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


def methods(d, seed):
    """name -> (make, anomaly score of a fitted model); higher = more anomalous."""
    out = {
        "skvae": (
            lambda: VAEOutlierDetector(random_state=seed),
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


def run_split(X_train, X_test, y_test, seed, times):
    """Fit every method on X_train and score X_test; y_test: 1 = anomaly."""
    row = {}
    for name, (make, anomaly) in methods(X_train.shape[1], seed).items():
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


def one_class(X_train, y_train, X_test, y_test, classes, label, times):
    rows = []
    for c in classes:
        res = run_split(
            X_train[y_train == c], X_test, (y_test != c).astype(int), 0, times
        )
        rows.append({"class": c, **{m: v[0] for m, v in res.items()}})
        print(
            f"  {label} class {c}: "
            + ", ".join(f"{m} {v[0]:.3f}" for m, v in res.items())
        )
    return rows


def odds(names, seeds, times):
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
                    scaler.transform(X_tr), scaler.transform(X_te), y_te, seed, times
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sections", default="fashion,digits,odds")
    args = parser.parse_args()
    sections = args.sections.split(",")
    times, results = {}, {}
    names = list(methods(2, 0))

    if "fashion" in sections:
        try:
            Xtr, ytr, Xte, yte = load_fashion_mnist()
            Xtr, Xte = Xtr / 255.0, Xte / 255.0
            classes = [2, 6] if args.quick else range(10)
            if args.quick:
                Xte, yte = Xte[:2000], yte[:2000]
            print("Fashion-MNIST one-class (AUROC):")
            rows = one_class(Xtr, ytr, Xte, yte, classes, "fashion", times)
            results["fashion_mnist"] = add_mean(rows, "class", names)
        except DataNotFoundError as exc:
            print(f"skip Fashion-MNIST: {exc}")

    if "digits" in sections:
        X, y = load_digits(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X / 16.0, y, test_size=0.5, random_state=0
        )
        print("digits one-class (AUROC):")
        rows = one_class(
            X_tr, y_tr, X_te, y_te, range(3 if args.quick else 10), "digits", times
        )
        results["digits"] = add_mean(rows, "class", names)

    if "odds" in sections:
        print("ODDS (AUROC, mean of seeds):")
        rows = odds(
            ODDS_NAMES[:3] if args.quick else ODDS_NAMES, 1 if args.quick else 5, times
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
        "anomaly" + ("_quick" if args.quick else ""),
        {"results": results, "seconds_per_fit": fit_times},
    )


if __name__ == "__main__":
    main()
