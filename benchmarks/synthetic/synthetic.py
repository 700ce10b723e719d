"""Synthetic mixed-type tables: skvae against SDV's TVAE and Gaussian copula.

Protocol (issue #16), in one process, every method on the same splits:

- the five tables of ``$SKVAE_DATA/mixed`` read with typed columns
  (:func:`skvae.datasets.load_mixed`: categories, ordered categories,
  nullable integer counts, floats; adult's real holes kept);
- 30 % held out as the test set (stratified by the label); the training part
  is subsampled to ``--max-train`` rows (the script says so where it does);
- each method is fitted on the training part at its defaults and generates
  as many rows as the training part has;
- SDMetrics' QualityReport score (column shapes and pair trends, higher is
  better), against the training part;
- detection AUC: a logistic regression (one-hot categories, standardised
  numbers, 3-fold CV) telling real training rows from synthetic ones
  (0.5 = indistinguishable);
- ML efficacy: a HistGradientBoostingClassifier trained on the synthetic
  rows, its accuracy on the real test rows, beside the same model trained on
  the real training rows;
- privacy: the median distance of a synthetic row to its closest real
  training row (DCR, in the detection encoding), beside the real test rows'
  own median DCR, and the share of synthetic rows that equal a training row
  exactly, beside the share of real test rows that do (tables of a few
  discrete columns repeat rows: a copy there is not a leak by itself);
- memorisation: between equal-size draws of training and test rows, the
  share of synthetic rows closer to the training draw (0.5 = none; ties
  count half), and the shares equal to a row of each draw;
- fit time (generation excluded) on this machine.

Methods: skvae's VAETransformer at its defaults (``likelihood="auto"``,
``sample(mean=False)``); SDV's TVAESynthesizer, GaussianCopulaSynthesizer and
CTGANSynthesizer at their defaults (the ``bench`` extra). Labels for ML
efficacy: the last column of each table, and ``sex`` for adult (HI-VAE's copy
of adult has no income column).

Run (about 40 minutes a seed on 2 cores)::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/synthetic.py --seeds 0 1 2
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
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skvae import VAETransformer
from skvae.datasets import MIXED_NAMES, load_mixed

LABELS = {
    "adult": "sex",
    "breast_wisconsin": "cat9",
    "default_credit": "cat23",
    "letter": "cat0",
    "wine_quality": "cat12",
}


def plain(frame):
    """Categories as strings, numbers as floats: what the metrics read."""
    out = {}
    for name, col in frame.items():
        if isinstance(col.dtype, pd.CategoricalDtype):
            strings = col.astype(object).map(str).to_numpy(dtype=object)
            strings[col.isna().to_numpy()] = np.nan
            out[name] = strings
        else:
            out[name] = col.astype("float64")
    return pd.DataFrame(out, index=frame.index)


def sdmetrics_metadata(frame):
    columns = {
        name: {
            "sdtype": "categorical"
            if isinstance(col.dtype, pd.CategoricalDtype)
            else "numerical"
        }
        for name, col in frame.items()
    }
    return {"columns": columns}


def quality(real, synthetic, metadata):
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(plain(real), plain(synthetic), metadata, verbose=False)
    return float(report.get_score())


def encoder(frame):
    """One-hot categories, standardised numbers (holes: mode / mean)."""
    cats = [
        c
        for c, t in frame.dtypes.items()
        if isinstance(t, pd.CategoricalDtype) or t is np.dtype(object)
    ]
    nums = [c for c in frame.columns if c not in cats]
    return make_column_transformer(
        (
            make_pipeline(
                SimpleImputer(strategy="most_frequent"),
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
            ),
            cats,
        ),
        (make_pipeline(SimpleImputer(), StandardScaler()), nums),
    )


def detection_auc(real, synthetic, seed):
    n = min(len(real), len(synthetic))
    rng = np.random.RandomState(seed)
    both = pd.concat(
        [
            plain(real).iloc[rng.permutation(len(real))[:n]],
            plain(synthetic).iloc[rng.permutation(len(synthetic))[:n]],
        ],
        ignore_index=True,
    )
    y = np.r_[np.zeros(n), np.ones(n)]
    model = make_pipeline(encoder(both), LogisticRegression(max_iter=500))
    scores = cross_val_score(model, both, y, cv=3, scoring="roc_auc")
    return float(scores.mean())


def ml_efficacy(train, test, label):
    def codes(frame):
        out = plain(frame.drop(columns=label))
        for c in out:
            if out[c].dtype == object:
                out[c] = pd.Categorical(out[c])
        return out

    y_train = plain(train)[label].fillna("nan")
    y_test = plain(test)[label].fillna("nan")
    if y_train.nunique() < 2:
        return float("nan")
    x_train, x_test = codes(train), codes(test)
    for c in x_train:
        if isinstance(x_train[c].dtype, pd.CategoricalDtype):
            levels = sorted(set(x_train[c].dropna()) | set(x_test[c].dropna()))
            x_train[c] = pd.Categorical(x_train[c], categories=levels)
            x_test[c] = pd.Categorical(x_test[c], categories=levels)
    model = HistGradientBoostingClassifier(
        categorical_features="from_dtype", random_state=0
    )
    model.fit(x_train, y_train)
    return float((model.predict(x_test) == y_test.to_numpy()).mean())


def privacy(train, synthetic, test, seed):
    """Distances of synthetic rows to the real ones (the detection encoding).

    ``dcr_median`` / ``copy_share``: the median distance of a synthetic row to
    its closest training row, and the share at distance 0, beside the real
    test rows' own (``dcr_test_median``, ``test_copy_share``).

    The memorisation check (SDMetrics' DCROverfittingProtection idea) draws as
    many rows from the training part as from the test part, so that the two
    real sets are alike but for having been fitted: ``closer_to_train`` is the
    share of synthetic rows nearer to the training draw than to the test draw (ties
    count half; 0.5 = no memorisation), ``copy_train_subset`` and
    ``copy_test`` the shares equal to a row of each draw. A synthesizer that copies
    its training rows copies them more often than it meets unseen real rows.
    """
    train, synthetic, test = plain(train), plain(synthetic), plain(test)
    enc = encoder(train).fit(train)
    e_train, e_syn, e_test = (enc.transform(f) for f in (train, synthetic, test))

    def nearest(ref, query):
        return NearestNeighbors(n_neighbors=1).fit(ref).kneighbors(query)[0][:, 0]

    d_syn, d_test = nearest(e_train, e_syn), nearest(e_train, e_test)
    rng = np.random.RandomState(seed)
    n = min(len(e_train), len(e_test))
    pick = [e[rng.choice(len(e), n, replace=False)] for e in (e_train, e_test)]
    d_sub, d_hold = nearest(pick[0], e_syn), nearest(pick[1], e_syn)
    tie = np.isclose(d_sub, d_hold, rtol=0, atol=1e-9)
    return {
        "dcr_median": float(np.median(d_syn)),
        "dcr_test_median": float(np.median(d_test)),
        "copy_share": float(np.mean(d_syn < 1e-9)),
        "test_copy_share": float(np.mean(d_test < 1e-9)),
        "closer_to_train": float(np.mean(np.where(tie, 0.5, d_sub < d_hold))),
        "copy_train_subset": float(np.mean(d_sub < 1e-9)),
        "copy_test": float(np.mean(d_hold < 1e-9)),
    }


# ------------------------------------------------------------------- methods
def fit_skvae(train, seed, likelihood="auto"):
    vae = VAETransformer(likelihood=likelihood, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Timer() as t:
            vae.fit(train)
    return t.seconds, vae.sample(len(train), random_state=seed, mean=False)


def _sdv(cls, train, seed):
    from sdv.metadata import Metadata

    columns = sdmetrics_metadata(train)["columns"]
    metadata = Metadata.load_from_dict({"tables": {"table": {"columns": columns}}})
    import torch

    torch.manual_seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - SDV draws from numpy's global state
    synth = cls(metadata)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Timer() as t:
            synth.fit({"table": plain(train)})  # SDV 2: a dict of tables
        out = synth.sample(len(train))
        out = out["table"] if isinstance(out, dict) else out
    return t.seconds, back_to_types(out, train)


def back_to_types(frame, like):
    """SDV's plain output with the training table's dtypes."""
    out = {}
    for name, col in like.items():
        values = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            lookup = {str(v): v for v in col.cat.categories}
            out[name] = pd.Categorical(values.map(lookup), dtype=col.dtype)
        elif str(col.dtype) == "Int64":
            out[name] = pd.array(np.rint(values.astype(float)), dtype="Float64").astype(
                "Int64"
            )
        else:
            out[name] = values.astype(col.dtype)
    return pd.DataFrame(out)


def fit_tvae(train, seed):
    from sdv.single_table import TVAESynthesizer

    return _sdv(TVAESynthesizer, train, seed)


def fit_copula(train, seed):
    from sdv.single_table import GaussianCopulaSynthesizer

    return _sdv(GaussianCopulaSynthesizer, train, seed)


def fit_ctgan(train, seed):
    from sdv.single_table import CTGANSynthesizer

    return _sdv(CTGANSynthesizer, train, seed)


def _typed(kinds):
    """A design variant: some column types of the types file get another likelihood."""

    def fit(train, seed, types):
        chosen = {c: kinds[t] for c, t in types.items() if t in kinds}
        return fit_skvae(train, seed, likelihood=chosen)

    return fit


METHODS = {
    "skvae": fit_skvae,
    "tvae": fit_tvae,
    "gaussian_copula": fit_copula,
    "ctgan": fit_ctgan,
}
DESIGN_VARIANTS = {
    "skvae_pos_lognormal": _typed({"pos": "lognormal"}),
    "skvae_count_poisson": _typed({"count": "poisson"}),
    "skvae_count_gaussian": _typed({"count": "gaussian"}),
}
PRIVACY = (
    "copy_share",
    "test_copy_share",
    "closer_to_train",
    "copy_train_subset",
    "copy_test",
)
# Design decisions (variants above) are made on these two tables only; the
# other three are the report half.
DESIGN_TABLES = ("wine_quality", "letter")
REPORT_TABLES = ("adult", "breast_wisconsin", "default_credit")


def run_table(name, seed, max_train, methods):
    frame, types = load_mixed(name)
    label = LABELS[name]
    strat = frame[label].astype(str)
    train, test = train_test_split(
        frame, test_size=0.3, random_state=seed, stratify=strat
    )
    note = ""
    if len(train) > max_train:
        train = train.sample(max_train, random_state=seed)
        note = f"training part subsampled to {max_train} rows"
    train, test = train.reset_index(drop=True), test.reset_index(drop=True)
    metadata = sdmetrics_metadata(train)
    real_acc = ml_efficacy(train, test, label)
    rows = []
    for method in methods:
        if method in METHODS:
            seconds, synthetic = METHODS[method](train, seed)
        else:  # the design variants read the types file's column types
            seconds, synthetic = DESIGN_VARIANTS[method](train, seed, types)
        rows.append(
            {
                "table": name,
                "seed": seed,
                "method": method,
                "n_train": len(train),
                "quality": quality(train, synthetic, metadata),
                "detection_auc": detection_auc(train, synthetic, seed),
                "ml_accuracy": ml_efficacy(synthetic, test, label),
                "real_accuracy": real_acc,
                **privacy(train, synthetic, test, seed),
                "fit_s": seconds,
                "note": note,
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    return rows


def _privacy_mean(rows, key):
    """Mean of ``key`` over the rows that have it (earlier runs lack newer keys)."""
    values = [r[key] for r in rows if key in r]
    return float(np.mean(values)) if values else float("nan")


def per_table(rows, methods):
    """Mean and seed spread (sd) of each table and method."""
    out = []
    for name in dict.fromkeys(r["table"] for r in rows):
        for method in methods:
            mine = [r for r in rows if r["method"] == method and r["table"] == name]
            if not mine:
                continue
            row = {"table": name, "method": method, "seeds": len(mine)}
            for key in ("quality", "detection_auc", "ml_accuracy", "fit_s"):
                values = [r[key] for r in mine]
                row[key] = float(np.mean(values))
                row[f"{key}_sd"] = float(np.std(values))
            row.update({key: _privacy_mean(mine, key) for key in PRIVACY})
            out.append(row)
    return out


def summarise(rows, methods, tables=None):
    out = []
    if tables is not None:
        rows = [r for r in rows if r["table"] in tables]
    for method in methods:
        mine = [r for r in rows if r["method"] == method]
        if not mine:
            continue
        out.append(
            {
                "method": method,
                "quality": np.mean([r["quality"] for r in mine]),
                "detection_auc": np.mean([r["detection_auc"] for r in mine]),
                "ml_accuracy": np.mean([r["ml_accuracy"] for r in mine]),
                "real_accuracy": np.mean([r["real_accuracy"] for r in mine]),
                **{key: _privacy_mean(mine, key) for key in PRIVACY},
                "fit_s": np.mean([r["fit_s"] for r in mine]),
            }
        )
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(MIXED_NAMES))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--max-train", type=int, default=5000)
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--output", default="synthetic")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    rows = []
    path = results_dir() / f"{args.output}.json"
    if args.resume and path.exists():
        rows = json.loads(path.read_text())["rows"]
    done = {(r["table"], r["seed"], r["method"]) for r in rows}
    for seed in args.seeds:
        for name in args.tables:
            todo = [m for m in args.methods if (name, seed, m) not in done]
            if todo:
                rows += run_table(name, seed, args.max_train, todo)
                write_json(args.output, {"rows": rows})
    tables = per_table(rows, args.methods)
    print_table(tables, list(tables[0]))
    halves = {
        "all": summarise(rows, args.methods),
        "design": summarise(rows, args.methods, DESIGN_TABLES),
        "report": summarise(rows, args.methods, REPORT_TABLES),
    }
    for half, summary in halves.items():
        if summary:
            print(f"\n{half} tables")
            print_table(summary, list(summary[0]))
    write_json(args.output, {"rows": rows, "per_table": tables, "summary": halves})


if __name__ == "__main__":
    main()
