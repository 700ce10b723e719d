"""Issue 14 probe: reduce the learning rate on a plateau instead of stopping.

When early stopping fires, the best epoch is restored (as ``train`` does),
the learning rate is multiplied by ``--factor`` and training goes on with a
fresh patience, up to ``--decays`` times; then it stops as usual. The
question is whether the converged reference's lead (the best of three
learning rates, ``convergence.py``) can be had by one schedule.

For each set, on ``convergence.py``'s folds and preparation (3 folds, at most
1,500 rows), in one process, the held-out ELBO and IWAE of
``VAETransformer(k)`` at its defaults (``--decays 0``) or with the schedule,
beside the stored default and reference of ``results/convergence.json``.
Run::

    SKVAE_DATA=../shared/data OMP_NUM_THREADS=1 python \\
        benchmarks/experiments/lr_schedule.py --decays 2 --factor 0.3 \\
        --sets diabetes breast_cancer wine_quality cardio_inliers mnist_3000
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import dataclasses
import functools
import json
import sys
import warnings
from pathlib import Path

import skvae._base
import skvae._training

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import convergence
from _common import RESULTS, write_json

_train = skvae._training.train


def scheduled_train(decays, factor):
    def train(model, optimizer, X, state, config, **kwargs):
        epochs, outcome = 0, None
        for round_ in range(decays + 1):
            part = dataclasses.replace(config, max_iter=config.max_iter - epochs)
            outcome = _train(model, optimizer, X, state, part, **kwargs)
            epochs += outcome.n_epochs
            last = round_ == decays or kwargs.get("X_val") is None
            if last or not outcome.stopped_early:
                break
            for group in optimizer.param_groups:
                group["lr"] *= factor
            state.no_improvement_count = 0
        outcome.n_epochs, outcome.max_iter = epochs, config.max_iter
        return outcome

    return train


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decays", type=int, default=2)
    parser.add_argument("--factor", type=float, default=0.3)
    parser.add_argument("--sets", nargs="*", default=list(convergence.DESIGN))
    parser.add_argument("--output", default=None, help="results/NAME.json")
    args = parser.parse_args()
    if args.decays:
        skvae._base.train = scheduled_train(args.decays, args.factor)
    warnings.simplefilter("ignore")
    stored = {
        r["set"]: r
        for r in json.loads((RESULTS / "convergence.json").read_text())["rows"]
    }
    rows = []
    for name in args.sets:
        _, folds, k, bernoulli = convergence.load_set(name, 3, 1500)
        base = {"likelihood": "bernoulli"} if bernoulli else {}
        make = functools.partial(convergence._vae, k, **base)
        result = convergence._evaluate(make, folds, 100)
        ref = stored[name]["reference"]["elbo"]
        rows.append({"set": name, **result, "stored_reference": ref})
        print(
            f"{name:16s} ELBO {result['elbo']:8.2f} ({result['elbo_std']:.2f}) "
            f"IWAE {result['iwae']:8.2f} fit {result['fit_seconds']:5.1f} s | "
            f"stored reference {ref:8.2f}",
            flush=True,
        )
    if args.output:
        write_json(args.output, {"args": vars(args), "rows": rows})


if __name__ == "__main__":
    main()
