"""Anomaly detection: VAEOutlierDetector against the usual baselines.

All methods run in this one process on the same splits:

* ``suite``: the 33 public tabular sets in the data home (``SKVAE_DATA``), the
  ten ODDS sets and the 23 ADBench sets, split into a fixed design half and a
  report half (``benchmarks/anomaly/_suite.py``): a 60/40 split stratified on the
  label, standardised with the training part's statistics, unsupervised
  training on the contaminated training part (subsampled to 20,000 rows where
  larger), AUROC and average precision on the test part, seeds 0, 1, 2.
* Fashion-MNIST one-class: train on the training images of one class, score
  all 10,000 test images (the other nine classes are the anomalies); AUROC per
  class and the mean. Needs ``apt-get install -y dataset-fashion-mnist``.
* scikit-learn's digits, the same protocol (train/test split 50/50).
* MNIST, the same protocol (optional section ``mnist``).

Methods (``benchmarks/anomaly/_detectors.py``): skvae's default detector, the plain-VAE
reference of issue #17 (plain torch), IsolationForest, LOF (novelty), kNN
distance, PCA reconstruction error and log-likelihood, and ECOD if PyOD (the
``bench`` extra) is installed.

Run ``OMP_NUM_THREADS=1 python benchmarks/anomaly/anomaly.py`` for the suite (about
25 minutes on 2 cores), ``--sections fashion,digits`` for the images, or
``--quick`` for a smoke run. Writes results/anomaly.json beside it.
``--half design`` runs one half, ``--sets cover,fault`` some sets;
``--combine A,B`` merges the suite results of earlier runs and reports them;
``--methods skvae`` runs only some methods; ``--params '{"n_components":
3}'`` passes keyword arguments to skvae's detector and ``--out NAME`` names
the JSON file, to compare a setting with the default without overwriting it.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
from _common import print_table, results_dir, write_json
from _detectors import methods
from _suite import HALVES, report, run_split, suite
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skvae.datasets import DataNotFoundError, load_fashion_mnist, load_mnist


def one_class(X_train, y_train, X_test, y_test, classes, label, params, only):
    rows = []
    for c in classes:
        res = run_split(
            X_train[y_train == c], X_test, (y_test != c).astype(int), 0, params, only
        )
        rows.append({"class": c, **{m: v[0] for m, v in res.items()}})
        rows[-1].update({m + " s": v[2] for m, v in res.items()})
        print(
            f"  {label} class {c}: "
            + ", ".join(f"{m} {v[0]:.3f}" for m, v in res.items())
        )
    mean = {"class": "mean"}
    mean.update(
        {k: float(np.mean([r[k] for r in rows])) for k in rows[0] if k != "class"}
    )
    rows.append(mean)
    print_table(rows, ["class", *[m for m in only if m in rows[0]]])
    return rows


def images(load, label, quick, params, only):
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
    return one_class(Xtr, ytr, Xte, yte, classes, label, params, only)


def combine(names):
    """The suite rows of several results files, set by set and method by method."""
    merged = {}
    for name in names:
        for row in json.loads((results_dir() / f"{name}.json").read_text())["suite"][
            "sets"
        ]:
            empty = {"auroc": {}, "ap": {}, "seconds": {}}
            into = merged.setdefault(row["data"], {**row, **empty})
            for key in ("auroc", "ap", "seconds"):
                into[key].update(row[key])
    order = [n for n in HALVES["all"] if n in merged]
    return [merged[n] for n in order]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--sections", default="suite", help="of suite,fashion,mnist,digits"
    )
    parser.add_argument("--half", default="all", choices=list(HALVES))
    parser.add_argument("--sets", default=None, help="comma-separated subset")
    parser.add_argument("--methods", default=None, help="comma-separated; default all")
    parser.add_argument(
        "--params", default="{}", help="JSON keyword arguments for skvae's detector"
    )
    parser.add_argument(
        "--combine",
        default=None,
        help="comma-separated results/NAME.json files of the suite to merge and "
        "report without running anything (later files override earlier ones)",
    )
    parser.add_argument("--out", default="anomaly", help="name of the JSON file")
    args = parser.parse_args()
    sections = args.sections.split(",")
    params = json.loads(args.params)
    only = args.methods.split(",") if args.methods else list(methods(2, 0))
    results = {"skvae_params": params}

    for key, load, label in [
        ("fashion_mnist", load_fashion_mnist, "fashion"),
        ("mnist", load_mnist, "mnist"),
    ]:
        if label in sections:
            rows = images(load, label, args.quick, params, only)
            if rows:
                results[key] = rows

    if "digits" in sections:
        X, y = load_digits(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X / 16.0, y, test_size=0.5, random_state=0
        )
        print("digits one-class (AUROC):")
        classes = range(3 if args.quick else 10)
        results["digits"] = one_class(
            X_tr, y_tr, X_te, y_te, classes, "digits", params, only
        )

    rows = None
    if args.combine:
        rows = combine(args.combine.split(","))
        results["combined_from"] = args.combine.split(",")
    elif "suite" in sections:
        names = HALVES[args.half][::6] if args.quick else HALVES[args.half]
        if args.sets:
            names = [n for n in names if n in args.sets.split(",")]
        seeds = [0] if args.quick else [0, 1, 2]
        print(f"tabular suite, {args.half} ({len(names)} sets x {len(seeds)} seeds):")
        rows = suite(names, seeds, params, only)
    if rows:
        n_seeds = len(next(iter(rows[0]["auroc"].values())))
        results["suite"] = {
            "sets": rows,
            "summary": report(rows),
            "seeds": list(range(n_seeds)),
        }

    write_json(args.out + ("_quick" if args.quick else ""), results)


if __name__ == "__main__":
    main()
