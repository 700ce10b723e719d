"""The latent size in one fit: ``n_components="auto"`` against GridSearchCV.

For each set, on the same 5 shuffled folds (``KFold(5, shuffle=True,
random_state=0)``), in one process:

* ``auto``: ``VAETransformer(random_state=0)`` at its defaults
  (``n_components="auto"``: it fits half the features, at most 32, and keeps
  the active dimensions), one fit per fold; its ``n_components_``, held-out ELBO and
  IWAE (100 draws) on the fold's test rows, and its fit time;
* ``grid``: ``GridSearchCV`` over ``n_components`` in (1, 2, 4, 8, 16, 32)
  (at most the number of features) with the same folds as its ``cv``,
  scored by the held-out ELBO and IWAE; the grid's best is the size with the
  best mean held-out ELBO, and its wall time is the whole search (refit
  included). The grid picks its best on the very folds it is scored on,
  which flatters it.

The sets are those of ``benchmarks/convergence`` (arrays, standardised inside
each fold) and two mixed tables of ``benchmarks/synthetic`` with categories
and holes, passed as DataFrames. At most ``--max-rows`` rows a set (1,500).
Results go to ``results/latent_size.json``, after each set (``--resume``;
``--resume --redo-auto SET`` reruns a set's one fits and keeps its search)::

    SKVAE_DATA=../shared/data python benchmarks/latent_size/latent_size.py

The report half's targets (issue #39): the auto fit's held-out IWAE within
the fold-to-fold spread of the grid's best on every set, and the one fit at
least 10 times faster than the search on the mean.
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
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "convergence"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "synthetic"))
import _tables
import convergence
from _common import Timer, print_table, results_dir, write_json
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skvae import VAETransformer
from skvae.datasets import DataNotFoundError

GRID = (1, 2, 4, 8, 16, 32)
N_FOLDS = 5
IWAE_DRAWS = 100
TABLES = {"design": ("CreditCard",), "report": ("TitanicSurvival",)}
DESIGN = (*convergence.DESIGN, *TABLES["design"])
REPORT = (*convergence.REPORT, *TABLES["report"])


def _iwae(estimator, X, y=None):
    """Held-out IWAE of a fitted estimator (its score_method left as it was)."""
    vae = estimator[-1] if hasattr(estimator, "steps") else estimator
    method, draws = vae.score_method, vae.n_score_draws
    vae.set_params(score_method="iwae", n_score_draws=IWAE_DRAWS)
    try:
        return estimator.score(X)
    finally:
        vae.set_params(score_method=method, n_score_draws=draws)


def _elbo(estimator, X, y=None):
    return estimator.score(X)


def load(name, max_rows):
    """Rows of a set (array or DataFrame), whether it is Bernoulli, and a
    function that makes a VAETransformer pipeline for it."""
    if name in convergence.SETS:
        X, _, _, bernoulli = convergence.load_set(name, N_FOLDS, max_rows)
        scale = StandardScaler()
        if bernoulli:
            scale = FunctionTransformer(lambda A: A / 255.0)
        params = {"likelihood": "bernoulli"} if bernoulli else {}
        return X, lambda k="auto": make_pipeline(
            scale, VAETransformer(k, random_state=0, **params)
        )
    frame, _ = _tables.load(name)
    if max_rows and len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=0).reset_index(drop=True)
    return frame, lambda k="auto": make_pipeline(VAETransformer(k, random_state=0))


def run_set(name, max_rows, grid=None):
    """One set's row; ``grid``: a stored search to keep (only the one fit reruns)."""
    X, make = load(name, max_rows)
    d = X.shape[1]
    folds = list(KFold(N_FOLDS, shuffle=True, random_state=0).split(X))

    def rows(index):
        return X.iloc[index] if isinstance(X, pd.DataFrame) else X[index]

    auto = {"n_components": [], "elbo": [], "iwae": [], "seconds": [], "fitted": []}
    for train, test in folds:
        model = make()
        with Timer() as t:
            model.fit(rows(train))
        vae = model[-1]
        auto["n_components"].append(int(vae.n_components_))
        auto["fitted"].append(int(vae.module_.config.n_components))
        auto["seconds"].append(t.seconds)
        auto["elbo"].append(float(_elbo(model, rows(test))))
        auto["iwae"].append(float(_iwae(model, rows(test))))
        auto.setdefault("activity", []).append(
            np.sort(vae.latent_activity_)[::-1].round(4).tolist()
        )
    row = {
        "set": name,
        "half": "design" if name in DESIGN else "report",
        "n": int(X.shape[0]),
        "d": int(d),
        "auto": auto,
        "grid": grid or run_grid(X, make, folds),
    }
    row["summary"] = summarise(row)
    return row


def run_grid(X, make, folds):
    """GridSearchCV over the sizes, on the folds; its best by mean held-out ELBO."""
    grid = [k for k in GRID if k <= X.shape[1]]
    search = GridSearchCV(
        make(1),
        {"vaetransformer__n_components": grid},
        cv=folds,
        scoring={"elbo": _elbo, "iwae": _iwae},
        refit="elbo",
    )
    with Timer() as t:
        search.fit(X)
    results = search.cv_results_
    best = int(np.argmax(results["mean_test_elbo"]))

    def per_fold(key):
        return [float(results[f"split{i}_test_{key}"][best]) for i in range(N_FOLDS)]

    return {
        "sizes": grid,
        "pick": grid[best],
        "mean_elbo": [float(v) for v in results["mean_test_elbo"]],
        "mean_iwae": [float(v) for v in results["mean_test_iwae"]],
        "elbo": per_fold("elbo"),
        "iwae": per_fold("iwae"),
        "seconds": t.seconds,
    }


def summarise(row):
    auto, grid = row["auto"], row["grid"]
    spread = float(np.std(grid["iwae"]))
    gap = float(np.mean(grid["iwae"]) - np.mean(auto["iwae"]))
    one_fit = float(np.mean(auto["seconds"]))
    return {
        "set": row["set"],
        "half": row["half"],
        "n x d": f"{row['n']} x {row['d']}",
        "auto k": "/".join(str(k) for k in auto["n_components"]),
        "fitted k": auto["fitted"][0],
        "grid k": grid["pick"],
        "auto ELBO": float(np.mean(auto["elbo"])),
        "grid ELBO": float(np.mean(grid["elbo"])),
        "auto IWAE": float(np.mean(auto["iwae"])),
        "grid IWAE": float(np.mean(grid["iwae"])),
        "IWAE sd": spread,
        "within spread": gap <= spread,
        "fit s": one_fit,
        "search s": grid["seconds"],
        "speed-up": grid["seconds"] / one_fit,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=[*DESIGN, *REPORT])
    parser.add_argument("--max-rows", type=int, default=1500, help="0: all rows")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument(
        "--redo-auto",
        nargs="+",
        default=[],
        metavar="SET",
        help="with --resume: rerun these sets' one fits, keep their stored search",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    path = results_dir() / "latent_size.json"
    rows = []
    if args.resume and path.exists():
        previous = json.loads(path.read_text())["rows"]
        rows = [r for r in previous if r["set"] in args.sets]
    stored = {r["set"]: r["grid"] for r in rows if r["set"] in args.redo_auto}
    rows = [r for r in rows if r["set"] not in stored]
    done = {r["set"] for r in rows}
    for name in [s for s in args.sets if s not in done]:
        try:
            rows.append(run_set(name, args.max_rows, stored.get(name)))
        except DataNotFoundError as exc:
            print(f"{name} skipped: {exc}")
            continue
        print_table([rows[-1]["summary"]], list(rows[-1]["summary"]))
        write_json("latent_size", {"grid": GRID, "folds": N_FOLDS, "rows": rows})
    rows.sort(key=lambda r: args.sets.index(r["set"]))
    summaries = [r["summary"] for r in rows]
    print_table(summaries, list(summaries[0]) if summaries else [])
    for half in ("design", "report"):
        part = [s for s in summaries if s["half"] == half]
        if part:
            within = sum(s["within spread"] for s in part)
            speed = np.mean([s["speed-up"] for s in part])
            print(
                f"{half} half: auto's IWAE within the grid's spread on {within}/"
                f"{len(part)} sets; one fit {speed:.1f} times faster on the mean"
            )
    write_json("latent_size", {"grid": GRID, "folds": N_FOLDS, "rows": rows})


if __name__ == "__main__":
    main()
