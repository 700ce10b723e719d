"""The IWAE training objective against the ELBO, on binarized MNIST (issue #15).

Both fits use the same network, seed and number of epochs (no early stopping,
so the budgets are equal in epochs); only ``objective`` and ``n_train_draws``
differ. Reported per objective: held-out log p(x) estimated by IWAE with many
importance samples (nats per image, higher is better; the spread is the gap
between two random halves of the test subset), the held-out ELBO, and the fit
time.

Run (a few minutes per 10 epochs on 2 CPU cores)::

    SKVAE_DATA=../shared/data python benchmarks/convergence/iwae_objective.py
    SKVAE_DATA=../shared/data python benchmarks/convergence/iwae_objective.py \\
        --epochs 3 --quick
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
from _common import Timer, print_table, write_json
from sklearn.exceptions import ConvergenceWarning

from skvae import VAETransformer
from skvae.datasets import load_binarized_mnist

OBJECTIVES = [("elbo", 1), ("iwae", 5)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--n-components", type=int, default=32)
    parser.add_argument("--test-rows", type=int, default=2000)
    parser.add_argument("--k-eval", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="10,000 train rows")
    args = parser.parse_args()
    train, _, test = load_binarized_mnist()
    train = train.astype(np.float32)
    if args.quick:
        train = train[:10000]
    # the test split is ordered by class: a random subset, and its two halves
    # (by the same draw) for the spread
    rows_used = np.random.RandomState(0).permutation(len(test))[: args.test_rows]
    test = test[rows_used].astype(np.float32)
    halves = np.array_split(np.arange(len(test)), 2)
    rows = []
    for objective, k in OBJECTIVES:
        vae = VAETransformer(
            args.n_components,
            likelihood="bernoulli",
            objective=objective,
            n_train_draws=k,
            max_iter=args.epochs,
            early_stopping=False,
            n_score_draws=args.k_eval,
            random_state=0,
        )
        with Timer() as t, warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            vae.fit(train)
        log_px = vae.set_params(score_method="iwae").score_samples(test)
        elbo = vae.set_params(score_method="elbo", n_score_draws=10).score_samples(test)
        rows.append(
            {
                "objective": objective,
                "K": k,
                "epochs": vae.n_iter_,
                "test log p(x)": float(log_px.mean()),
                "half spread": float(np.ptp([log_px[h].mean() for h in halves])),
                "test ELBO": float(elbo.mean()),
                "fit s": t.seconds,
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print()
    print(
        f"binarized MNIST, {len(train)} training images, {len(test)} test images, "
        f"n_components={args.n_components}, log p(x) by IWAE with "
        f"K={args.k_eval} (nats per image)"
    )
    print_table(rows, list(rows[0]))
    gain = rows[1]["test log p(x)"] - rows[0]["test log p(x)"]
    print(f"IWAE objective - ELBO objective, held-out log p(x): {gain:+.2f} nats")
    write_json("iwae_objective", {"args": vars(args), "rows": rows, "gain": gain})


if __name__ == "__main__":
    main()
