"""Diagnosis: does a flag's tie to a point-mass column survive in the draws?

Some tables tie a category to whether a numeric column sits at its point
mass: mlc_churn's ``voice_mail_plan`` and ``number_vmail_messages`` (no
plan, no messages), CreditCard's ``card`` and ``expenditure``. This script
fits the default ``VAETransformer`` on a table's training split (as
``synthetic.py`` does, seed 0) with the numeric column under each given
likelihood, and reports

- the share of rows in each cell of (category, column at its point mass),
  for the training rows and for as many synthetic rows;
- how well a logistic regression on the posterior means recovers the
  category (its base rate when the code leaves it out);
- the latent dimensions in use (variance of the posterior mean above 0.01).

It writes ``results/pair_tie.json``::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/pair_tie.py \\
        mlc_churn voice_mail_plan number_vmail_messages hurdle negbin
    SKVAE_DATA=../shared/data python benchmarks/synthetic/pair_tie.py \\
        CreditCard card expenditure hurdle gaussian
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
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
import synthetic as S
from _common import print_table, results_dir, write_json
from _tables import load

from skvae import VAETransformer
from skvae.core._inference import encode_rows


def cells(frame, category, column, point):
    at_point = frame[column].astype(float) == point
    table = pd.crosstab(frame[category].astype(str), at_point, normalize=True)
    return {f"{level}, {'at' if at else 'off'} point": float(table.loc[level, at])
            for level in table.index for at in table.columns}  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table")
    parser.add_argument("category")
    parser.add_argument("column")
    parser.add_argument("likelihoods", nargs="+")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    frame, label = load(args.table)
    train, _ = S.split(frame, label, 0)
    point = float(train[args.column].astype(float).mode()[0])
    target = train[args.category].astype(str).to_numpy()
    rows = [{"rows": "training", **cells(train, args.category, args.column, point)}]
    for likelihood in args.likelihoods:
        vae = VAETransformer(random_state=0, likelihood={args.column: likelihood})
        vae.fit(train)
        synthetic = vae.sample(len(train), random_state=0)
        k = vae.module_.config.n_components
        loc = encode_rows(vae.module_, vae._validate_rows(train))[:, :k]
        recovered = LogisticRegression(max_iter=1000).fit(loc, target)
        rows.append(
            {
                "rows": f"synthetic, {likelihood}",
                **cells(synthetic, args.category, args.column, point),
                "category from code": recovered.score(loc, target),
                "active dimensions": S.active_dimensions(vae, train),
            }
        )
    print_table(rows, list(dict.fromkeys(k for r in rows for k in r)))
    path = results_dir() / "pair_tie.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else {}
    runs[f"{args.table}: {args.category} x {args.column}"] = rows
    write_json("pair_tie", {"runs": runs})


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
