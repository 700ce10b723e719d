"""Imputing MCAR holes in mixed-type tables: VAEImputer against simple baselines.

Protocol (issue #16), in one process, every method on the same splits and masks:

- the five tables of ``$SKVAE_DATA/mixed`` with typed columns
  (:func:`skvae.datasets.load_mixed`), split 70/30 into training and test
  rows; the training part subsampled to ``--max-train`` rows;
- MCAR holes in every entry of both parts with probability ``--rate`` (20 %;
  a row left with no observed entry gets one back); entries missing in the
  data themselves (adult) stay missing and are not scored;
- each imputer is fitted on the training rows with their holes and fills the
  test rows' holes; scored on the test holes: the error rate over the
  category columns' holes, and the NRMSE over the numeric columns' holes
  (RMSE divided by the column's standard deviation in the training rows,
  averaged over columns);
- fit + impute time.

Methods: ``SimpleImputer`` (most frequent level for categories, mean for
numbers); ``KNNImputer(5)`` on the encoded columns (one-hot categories,
standardised numbers; a category's imputed level is the largest of its
imputed one-hot block); skvae's ``VAEImputer`` at its defaults on the
DataFrame itself (``likelihood="auto"``).

Run::

    SKVAE_DATA=../shared/data python benchmarks/imputation/mixed_imputation.py \\
        --seeds 0 1 2

``--tables ... --merge`` re-runs some tables and keeps the others' rows.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
from _common import Timer, print_table, results_dir, write_json
from sklearn.impute import KNNImputer
from sklearn.model_selection import train_test_split

from skvae import VAEImputer
from skvae.datasets import MIXED_NAMES, load_mixed


def is_category(col):
    return isinstance(col.dtype, pd.CategoricalDtype)


def punch(frame, rate, rng):
    """``frame`` with MCAR holes; the mask of the new holes."""
    new = rng.rand(*frame.shape) < rate
    observed = frame.notna().to_numpy()
    new &= observed
    empty = np.flatnonzero(~(observed & ~new).any(axis=1))
    for i in empty:  # give back one observed entry
        j = rng.choice(np.flatnonzero(observed[i]))
        new[i, j] = False
    holed = frame.copy()
    for j, name in enumerate(frame.columns):
        holed.loc[new[:, j], name] = np.nan
    return holed, new


def score(truth, filled, mask, train):
    errors, nrmse = [], []
    for j, name in enumerate(truth.columns):
        rows = mask[:, j]
        if not rows.any():
            continue
        if is_category(truth[name]):
            wrong = (
                filled[name][rows].astype(str).to_numpy()
                != truth[name][rows].astype(str).to_numpy()
            )
            errors.append(wrong)
        else:
            true = truth[name][rows].astype(float).to_numpy()
            guess = filled[name][rows].astype(float).to_numpy()
            sd = float(train[name].astype(float).std()) or 1.0
            nrmse.append(np.sqrt(np.mean((true - guess) ** 2)) / sd)
    error_rate = float(np.mean(np.concatenate(errors))) if errors else float("nan")
    return error_rate, float(np.mean(nrmse)) if nrmse else float("nan")


# ------------------------------------------------------------------- methods
def simple(train, test):
    filled = test.copy()
    for name in test:
        if is_category(train[name]):
            filled[name] = filled[name].fillna(train[name].mode().iloc[0])
        else:
            mean = train[name].astype(float).mean()
            filled[name] = filled[name].astype(float).fillna(mean)
    return filled


def knn(train, test):
    cats = [c for c in train if is_category(train[c])]
    nums = [c for c in train if c not in cats]
    loc = train[nums].astype(float).mean()
    sd = train[nums].astype(float).std().replace(0, 1)

    def encode(frame):
        parts = [((frame[nums].astype(float) - loc) / sd).to_numpy()]
        for c in cats:
            onehot = np.array(pd.get_dummies(frame[c], dtype=float), dtype=float)
            onehot[frame[c].isna().to_numpy()] = np.nan
            parts.append(onehot)
        return np.hstack(parts)

    imputer = KNNImputer().fit(encode(train))
    out = imputer.transform(encode(test))
    filled = test.copy()
    start = len(nums)
    numbers = out[:, :start] * sd.to_numpy() + loc.to_numpy()
    for k, c in enumerate(nums):
        filled[c] = (
            test[c].astype(float).fillna(pd.Series(numbers[:, k], index=test.index))
        )
        filled[c] = filled[c].astype(float)
    for c in cats:
        levels = train[c].cat.categories
        block = out[:, start : start + len(levels)]
        start += len(levels)
        guess = pd.Series(levels[block.argmax(1)], index=test.index)
        filled[c] = test[c].astype(object).where(test[c].notna(), guess)
    return filled


def vae(train, test, seed):
    imputer = VAEImputer(random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        imputer.fit(train)
    return imputer.transform(test)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(MIXED_NAMES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--max-train", type=int, default=5000)
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other tables' rows of results/mixed_imputation.json",
    )
    args = parser.parse_args()
    rows = []
    path = results_dir() / "mixed_imputation.json"
    if args.merge and path.exists():
        rows = [
            r
            for r in json.loads(path.read_text())["rows"]
            if r["table"] not in args.tables
        ]
    for seed in args.seeds:
        for name in args.tables:
            frame, _ = load_mixed(name)
            train, test = train_test_split(frame, test_size=0.3, random_state=seed)
            if len(train) > args.max_train:
                train = train.sample(args.max_train, random_state=seed)
            test = test.iloc[:3000]
            train, test = train.reset_index(drop=True), test.reset_index(drop=True)
            rng = np.random.RandomState(seed)
            train_holes, _ = punch(train, args.rate, rng)
            test_holes, mask = punch(test, args.rate, rng)
            for method in ("simple", "knn", "skvae"):
                with Timer() as t:
                    if method == "simple":
                        filled = simple(train_holes, test_holes)
                    elif method == "knn":
                        filled = knn(train_holes, test_holes)
                    else:
                        filled = vae(train_holes, test_holes, seed)
                error_rate, nrmse = score(test, filled, mask, train)
                rows.append(
                    {
                        "table": name,
                        "seed": seed,
                        "method": method,
                        "category_error": error_rate,
                        "numeric_nrmse": nrmse,
                        "seconds": t.seconds,
                    }
                )
                print_table(rows[-1:], list(rows[-1]))
            write_json("mixed_imputation", {"rows": rows})
    summary = []
    for name in dict.fromkeys(r["table"] for r in rows):
        for method in ("simple", "knn", "skvae"):
            mine = [r for r in rows if r["table"] == name and r["method"] == method]
            summary.append(
                {
                    "table": name,
                    "method": method,
                    "category_error": np.mean([r["category_error"] for r in mine]),
                    "category_error_sd": np.std([r["category_error"] for r in mine]),
                    "numeric_nrmse": np.mean([r["numeric_nrmse"] for r in mine]),
                    "numeric_nrmse_sd": np.std([r["numeric_nrmse"] for r in mine]),
                    "seconds": np.mean([r["seconds"] for r in mine]),
                }
            )
    print_table(summary, list(summary[0]))
    write_json("mixed_imputation", {"rows": rows, "summary": summary})


if __name__ == "__main__":
    main()
