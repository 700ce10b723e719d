"""Imputing MCAR holes in six real tables: VAEImputer against scikit-learn.

Protocol (issue #15), in one process, every method on the same splits and masks:

- a table's numeric columns (at most ``--max-rows`` rows, subsampled with the
  seed), split 70/30 into training and test rows (stratified by the label
  where the table has one);
- MCAR holes in every numeric entry with probability 20 % or 50 % (a row left
  with no observed entry gets one entry back);
- standardised with the mean and standard deviation of the observed training
  entries;
- each imputer is fitted on the training rows with their holes and fills the
  test rows' holes (inductive imputation: the test rows take no part in the
  fit); RMSE over the test holes, in standard deviations (lower is better);
- also the RMSE over the training rows' own holes ("rmse fit rows", the
  transductive figure of the MIWAE and missForest papers);
- downstream, where a label exists: a logistic regression trained on the
  imputed training rows, its accuracy on the imputed test rows;
- the held-out ELBO of the complete test rows for a VAETransformer trained
  on the training rows with 20 % holes against one trained on them complete
  (``--elbo-seeds`` seeds).

MIWAE's published figure on breast cancer, standardised, 50 % MCAR, is an
imputation MSE of 0.2867 (RMSE 0.535; pamattei/miwae, MIWAE_UCI notebook),
transductive and after 500,000 steps.

Methods: SimpleImputer(mean), KNNImputer(5), IterativeImputer with
BayesianRidge (MICE), missForest as IterativeImputer(RandomForestRegressor(100))
(R randomForest's regression defaults, ``--forest-iter`` rounds)
and skvae's VAEImputer at its defaults; ``--miwae`` adds the MIWAE settings
(Mattei & Frellsen 2019: 3 x 128 tanh layers, latent d - 1, the IWAE objective
with K = 20, batch 64) with skvae's step budget in place of the paper's 500,000
steps.

The defaults were chosen on the design half (DESIGN below); the report half's
figures are the ones that count. Run::

    export SKVAE_DATA=../shared/data
    python benchmarks/imputation/imputation.py
    python benchmarks/imputation/imputation.py --quick  # 2 seeds
    # re-run one method on the same splits and masks, the others' rows kept
    python benchmarks/imputation/imputation.py --only skvae --merge
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
from _common import Timer, mixed_table, print_table, results_dir, write_json
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.ensemble import RandomForestRegressor
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from skvae import VAEImputer, VAETransformer
from skvae.datasets import DataNotFoundError

DESIGN = ("diabetes", "wine_quality", "letter")
REPORT = ("breast_cancer", "wine", "default_credit")
RATES = (0.2, 0.5)


LABELS = {"wine_quality": "cat12", "letter": "cat0", "default_credit": "cat23"}


def _mixed(name):
    """The non-categorical columns of a ``mixed/`` table, and its label column."""
    X, frame = mixed_table(name, types=("real", "pos", "count", "ordinal"))
    return X, frame[LABELS[name]].to_numpy()


def _sklearn(loader, labelled=True):
    data = loader()
    return data.data.astype(np.float64), data.target if labelled else None


SETS = {
    "diabetes": lambda: _sklearn(load_diabetes, labelled=False),
    "wine_quality": lambda: _mixed("wine_quality"),
    "letter": lambda: _mixed("letter"),
    "breast_cancer": lambda: _sklearn(load_breast_cancer),
    "wine": lambda: _sklearn(load_wine),
    "default_credit": lambda: _mixed("default_credit"),
}


def methods(args):
    out = {
        "mean": lambda seed: SimpleImputer(),
        "knn": lambda seed: KNNImputer(n_neighbors=5),
        "mice": lambda seed: IterativeImputer(max_iter=10, random_state=seed),
        "missforest": lambda seed: IterativeImputer(
            # R randomForest's regression defaults, as missForest uses them:
            # a third of the features per split, leaves of 5 rows
            RandomForestRegressor(
                n_estimators=100,
                max_features=1 / 3,
                min_samples_leaf=5,
                n_jobs=2,
                random_state=seed,
            ),
            max_iter=args.forest_iter,
            random_state=seed,
        ),
        "skvae": lambda seed: VAEImputer(random_state=seed),
    }
    if args.miwae:
        out["miwae_ref"] = lambda seed: VAEImputer(
            n_components=args.d - 1,
            hidden_layer_sizes=(128, 128, 128),
            activation="tanh",
            objective="iwae",
            n_train_draws=20,
            batch_size=64,
            random_state=seed,
        )
    for spec in args.variant or ():  # design experiments: name:param=value,...
        name, _, params = spec.partition(":")
        kw = dict(p.split("=") for p in params.split(",") if p)
        kw = {k: _parse(v) for k, v in kw.items()}
        out[name] = lambda seed, kw=kw: VAEImputer(random_state=seed, **kw)
    return out


def _parse(value):
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    if value.startswith("("):
        return tuple(int(v) for v in value.strip("()").split("-") if v)
    return {"True": True, "False": False, "None": None}.get(value, value)


def _mask(shape, rate, rng):
    holes = rng.rand(*shape) < rate
    empty = np.flatnonzero(holes.all(axis=1))
    holes[empty, rng.randint(shape[1], size=empty.size)] = False
    return holes


def prepare(X, y, rate, seed, max_rows):
    """One seed's split and MCAR holes, standardised with the observed training entries.

    At most ``max_rows`` rows; a 70/30 split (stratified by ``y`` if given).
    Returns ``Z``, ``Z_holes`` (NaN at the holes), ``holes``, ``y``, ``tr``, ``te``.
    """
    rng = np.random.RandomState(seed)
    if len(X) > max_rows:
        keep = np.sort(rng.choice(len(X), max_rows, replace=False))
        X, y = X[keep], None if y is None else y[keep]
    idx = np.arange(len(X))
    tr, te = train_test_split(idx, test_size=0.3, random_state=seed, stratify=y)
    holes = _mask(X.shape, rate, rng)
    X_holes = np.where(holes, np.nan, X)
    mean = np.nanmean(X_holes[tr], axis=0)
    sd = np.nanstd(X_holes[tr], axis=0)
    sd[sd == 0] = 1.0
    return (X - mean) / sd, (X_holes - mean) / sd, holes, y, tr, te


def run_one(X, y, rate, seed, args):
    Z, Z_holes, holes, y, tr, te = prepare(X, y, rate, seed, args.max_rows)
    args.d = X.shape[1]
    rows = []
    for name, make in methods(args).items():
        imputer = make(seed)
        with Timer() as t, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            imputer.fit(Z_holes[tr])
            filled_te = imputer.transform(Z_holes[te])
            filled_tr = imputer.transform(Z_holes[tr])
        err = (filled_te - Z[te])[holes[te]]
        err_fit = (filled_tr - Z[tr])[holes[tr]]
        row = {
            "method": name,
            "rmse": float(np.sqrt(np.mean(err**2))),
            "rmse_fit": float(np.sqrt(np.mean(err_fit**2))),
            "s": t.seconds,
        }
        if y is not None:
            clf = LogisticRegression(max_iter=2000).fit(filled_tr, y[tr])
            row["accuracy"] = float(clf.score(filled_te, y[te]))
        rows.append(row)
    if rate == RATES[0] and seed < args.elbo_seeds:
        rows.append(_elbo_loss(Z, Z_holes, tr, te, seed))
    return rows


def _merged(old_runs, new_runs):
    """``old_runs`` with each method of ``new_runs`` in place of its old row."""
    out = []
    for old, new in zip(old_runs, new_runs, strict=True):
        fresh = {row["method"]: row for row in new}
        rows = [fresh.pop(row["method"], row) for row in old]
        out.append(rows + list(fresh.values()))
    return out


def _elbo_loss(Z, Z_holes, tr, te, seed):
    """Held-out ELBO of complete test rows: trained with holes vs complete."""
    scores = {}
    for name, data in (("complete", Z[tr]), ("holes", Z_holes[tr])):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            vae = VAETransformer(max(1, Z.shape[1] // 2), random_state=seed)
            scores[name] = vae.fit(data).score(Z[te])
    loss = (scores["complete"] - scores["holes"]) / abs(scores["complete"])
    return {"method": "elbo_check", **scores, "relative_loss": float(loss)}


def summarise(results, names):
    table = []
    for (name, rate), runs in results.items():
        if name not in names:
            continue
        by_method = {}
        for run in runs:
            for row in run:
                if row["method"] != "elbo_check":
                    by_method.setdefault(row["method"], []).append(row)
        if not by_method:  # a cell run for the ELBO check only (--only none)
            continue
        best = min(np.mean([r["rmse"] for r in v]) for v in by_method.values())
        for method, rs in by_method.items():
            rmse = [r["rmse"] for r in rs]
            acc = [r["accuracy"] for r in rs if "accuracy" in r]
            table.append(
                {
                    "set": name,
                    "rate": rate,
                    "method": method,
                    "rmse": float(np.mean(rmse)),
                    "rmse sd": float(np.std(rmse)),
                    "rmse fit rows": float(np.mean([r["rmse_fit"] for r in rs])),
                    "best": "*" if np.mean(rmse) == best else "",
                    "accuracy": float(np.mean(acc)) if acc else None,
                    "fit+transform s": float(np.mean([r["s"] for r in rs])),
                }
            )
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--forest-iter", type=int, default=3)
    parser.add_argument("--sets", nargs="*", default=[*DESIGN, *REPORT])
    parser.add_argument("--miwae", action="store_true")
    parser.add_argument("--only", nargs="*", help="methods to run (default all)")
    parser.add_argument("--variant", action="append", help="name:param=value,...")
    parser.add_argument("--quick", action="store_true", help="2 seeds")
    parser.add_argument(
        "--elbo-seeds", type=int, default=2, help="seeds of the ELBO-with-holes check"
    )
    parser.add_argument("--output", default="imputation")
    parser.add_argument("--resume", action="store_true", help="skip cells in JSON")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --only: re-run those methods and replace their rows in the "
        "--output JSON, keeping the other methods' rows (same splits and masks)",
    )
    args = parser.parse_args()
    if args.merge:
        if not args.only:
            parser.error("--merge needs --only METHOD ...")
        args.elbo_seeds = 0  # the ELBO checks are kept from the JSON
    if args.quick:
        args.seeds = 2
    if args.only:
        every = methods
        globals()["methods"] = lambda a: {
            k: v for k, v in every(a).items() if k in args.only
        }
    results, kept = {}, {}
    path = results_dir() / f"{args.output}.json"
    if (args.resume or args.merge) and path.exists():
        for key, runs in json.loads(path.read_text())["runs"].items():
            name, rate = key.split("@")
            # --resume: skip the cells already run; --merge: keep their rows
            (kept if args.merge else results)[(name, float(rate))] = runs
    for name in args.sets:
        try:
            X, y = SETS[name]()
        except DataNotFoundError as exc:
            print(f"skipping {name}: {exc}")
            continue
        for rate in RATES:
            if (name, rate) in results:
                continue
            runs = [run_one(X, y, rate, seed, args) for seed in range(args.seeds)]
            if (name, rate) in kept:
                runs = _merged(kept[(name, rate)], runs)
            results[(name, rate)] = runs
            print_table(summarise({(name, rate): runs}, [name]), COLUMNS)
            write_json(args.output, _payload(results, args))
    for half, names in (("design", DESIGN), ("report", REPORT)):
        table = summarise(results, names)
        if not table:
            continue
        print(f"\n{half} half: {', '.join(names)}")
        print_table(table, COLUMNS)
        _wins(table)
    checks = elbo_checks(results)
    if checks:
        print(
            f"\nheld-out ELBO of complete test rows, VAETransformer trained with "
            f"{RATES[0]:.0%} holes vs complete (nats per row)"
        )
        print_table(
            [{"set": k, **v} for k, v in checks.items()],
            ["set", "complete", "holes", "relative_loss", "seeds"],
        )
    write_json(args.output, _payload(results, args))


COLUMNS = ["set", "rate", "method", "rmse", "rmse sd", "best", "rmse fit rows"]
COLUMNS += ["accuracy"]
COLUMNS += ["fit+transform s"]


def ranks(table):
    """Mean rank of each method's RMSE over the (set, rate) cells, 1 = best."""
    cells = {}
    for r in table:
        cells.setdefault((r["set"], r["rate"]), []).append(r)
    out = {}
    for rows in cells.values():
        order = sorted(rows, key=lambda r: r["rmse"])
        for i, r in enumerate(order, 1):
            out.setdefault(r["method"], []).append(i)
    return {m: float(np.mean(v)) for m, v in out.items()}, len(cells)


def _wins(table):
    mean_rank, n_cells = ranks(table)
    for method, rank in sorted(mean_rank.items(), key=lambda kv: kv[1]):
        won = sum(1 for r in table if r["method"] == method and r["best"])
        mean = np.mean([r["rmse"] for r in table if r["method"] == method])
        print(
            f"{method}: mean rank {rank:.2f}, mean RMSE {mean:.4f}, lowest RMSE "
            f"in {won} of {n_cells} (set, rate) cells"
        )


def elbo_checks(results):
    """The held-out ELBO lost by training with 20 % holes, per set."""
    out = {}
    for (name, _), runs in results.items():
        for run in runs:
            for row in run:
                if row["method"] == "elbo_check":
                    out.setdefault(name, []).append(row)
    return {
        name: {
            "complete": float(np.mean([r["complete"] for r in rows])),
            "holes": float(np.mean([r["holes"] for r in rows])),
            "relative_loss": float(np.mean([r["relative_loss"] for r in rows])),
            "seeds": len(rows),
        }
        for name, rows in out.items()
    }


def _payload(results, args):
    return {
        "args": {k: v for k, v in vars(args).items() if k != "d"},
        "design": list(DESIGN),
        "report": list(REPORT),
        "runs": {f"{name}@{rate}": runs for (name, rate), runs in results.items()},
        "summary": summarise(results, [*DESIGN, *REPORT]),
        "elbo_with_holes": elbo_checks(results),
    }


if __name__ == "__main__":
    main()
