"""Diagnosis: where the ML ratio is lost (issue #38).

The ML ratio trains a classifier on as many synthetic rows as the training
part has. When it falls short, either the model lacks the label's relation
to the other columns, or it holds it and each drawn row carries it with
more noise than a real row. This script fits the default
``VAETransformer`` on a table's training split (as ``synthetic.py`` does)
and reports the test accuracy of the same classifier, over the one trained
on the real training rows, when it is trained on

- ``drawn``: as many drawn rows as the training part has (the benchmark);
- ``drawn_x10``: ten times as many;
- ``reconstructed``: the training rows passed through the model, z ~ q(z |
  x) and then x ~ p(x | z) (the aggregate posterior's draws);

and the accuracy of the model's own conditional, the most probable label
given the test row's other columns (``sample(given=..., mean=True)``),
over the same real-trained classifier's (``conditional``).

Seed 0, the 19 design tables, about 10 minutes; it writes
``results/design_label_relations.json``::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/label_relations.py

and, for the two report tables that miss the ML-ratio bar (a diagnosis;
nothing is chosen on it), ``results/report_label_relations.json``::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/label_relations.py \
        --tables Carseats diamonds --seeds 0 1 2 --output report_label_relations
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
import synthetic as S
from _common import print_table, write_json

from skvae import VAETransformer
from skvae.core._inference import encode_rows, generate_rows

COLUMNS = ["drawn", "drawn_x10", "reconstructed", "conditional"]


def reconstructed(vae, train, seed):
    """The training rows through the model: z ~ q(z | x), then x ~ p(x | z)."""
    k = vae.module_.config.n_components
    posterior = encode_rows(vae.module_, vae._validate_rows(train), scale=True)
    loc, log_scale = posterior[:, :k], posterior[:, k:]
    noise = np.random.RandomState(seed).standard_normal(loc.shape)
    Z = (loc + np.exp(log_scale) * noise).astype(loc.dtype)
    return vae._space.output(generate_rows(vae.module_, Z, seed, mean=False))


def conditional_accuracy(vae, test, label, seed):
    """The model's most probable label given each test row's other columns."""
    given = test.copy()
    given[label] = np.nan
    predicted = vae.sample(len(test), random_state=seed, given=given, mean=True)
    y_true = S.plain(test)[label].fillna("nan").to_numpy()
    return float((S.plain(predicted)[label].fillna("nan").to_numpy() == y_true).mean())


def main():
    args = S.design_parser(__doc__, "design_label_relations").parse_args()
    warnings.filterwarnings("ignore")
    rows = []
    for seed, name, label, train, test in S.design_splits(args.tables, args.seeds):
        real = S.ml_efficacy(train, test, label)
        vae = VAETransformer(random_state=seed).fit(train)
        n = len(train)
        accuracy = {
            "drawn": S.ml_efficacy(vae.sample(n, random_state=seed), test, label),
            "drawn_x10": S.ml_efficacy(
                vae.sample(10 * n, random_state=seed), test, label
            ),
            "reconstructed": S.ml_efficacy(
                reconstructed(vae, train, seed), test, label
            ),
            "conditional": conditional_accuracy(vae, test, label, seed),
        }
        rows.append(
            {
                "table": name,
                "seed": seed,
                "real_accuracy": real,
                **{key: value / real for key, value in accuracy.items()},
            }
        )
        print_table(rows[-1:], ["table", "seed", "real_accuracy", *COLUMNS])
        write_json(args.output, {"rows": rows})
    frame = pd.DataFrame(rows)
    mean = frame[COLUMNS].mean().to_dict()
    per_table = frame.groupby("table", sort=False)[COLUMNS].mean().reset_index()
    print_table(per_table.to_dict("records"), ["table", *COLUMNS])
    print_table([{"table": "mean", **mean}], ["table", *COLUMNS])
    write_json(args.output, {"rows": rows, "mean": mean})


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
