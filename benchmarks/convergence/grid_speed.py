"""Issue 14 probe: the GridSearchCV time on breast cancer under parameter variants.

The search of ``convergence.py``'s ``grid_speed`` (``breast_cancer_search``) over
``Pipeline(StandardScaler(), VAETransformer(random_state=0, **params))`` with
n_components in (1, 2, 4, 8), 5 shuffled folds, all 569 rows; for each
variant the seconds (refit included), the best mean held-out ELBO and the
mean held-out ELBO of each size. With ``--one-fit``, instead, one fit per
variant (n_components=8, the first 455 standardised rows): its epochs, the
milliseconds an epoch (steps and validation pass) and its best validation
ELBO, to separate the cost of a step from the number of steps. Run::

    OMP_NUM_THREADS=1 python benchmarks/convergence/grid_speed.py \\
        --variant default '{}' --variant lr3e-3 '{"learning_rate_init": 3e-3}'
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import sys
import warnings
from pathlib import Path

from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler

from skvae import VAETransformer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import Timer, print_table, write_json
from convergence import SPEED_GRID, breast_cancer_search


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--variant",
        nargs=2,
        action="append",
        metavar=("NAME", "JSON"),
        help="a name and the VAETransformer keyword arguments as JSON",
    )
    parser.add_argument("--one-fit", action="store_true", help="one fit a variant")
    parser.add_argument("--output", default=None, help="results/NAME.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    X = load_breast_cancer().data
    variants = args.variant or [("default", "{}")]
    rows = (one_fit if args.one_fit else searches)(X, variants)
    print_table(rows, list(rows[0]))
    if args.output:
        write_json(args.output, {"rows": rows})


def searches(X, variants):
    """The breast-cancer search of each variant: seconds, pick, scores."""
    rows = []
    for name, params in variants:
        vae = VAETransformer(random_state=0, **json.loads(params))
        search, seconds = breast_cancer_search(vae, X)
        scores = search.cv_results_["mean_test_score"]
        rows.append(
            {
                "variant": name,
                "params": params,
                "seconds": seconds,
                "pick": search.best_params_["vaetransformer__n_components"],
                "best score": float(search.best_score_),
                **{f"k={k}": float(s) for k, s in zip(SPEED_GRID, scores, strict=True)},
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    return rows


def one_fit(X, variants):
    """One fit of each variant on the first 455 standardised rows, k = 8."""
    X = StandardScaler().fit_transform(X)[:455]
    VAETransformer(max_iter=5).fit(X)  # warm up torch before timing
    rows = []
    for name, params in variants:
        vae = VAETransformer(n_components=8, random_state=0, **json.loads(params))
        with Timer() as t:
            vae.fit(X)
        rows.append(
            {
                "variant": name,
                "params": params,
                "epochs": vae.n_iter_,
                "ms/epoch": 1000 * t.seconds / vae.n_iter_,
                "best validation ELBO": max(vae.validation_scores_),
            }
        )
    return rows


if __name__ == "__main__":
    main()
