"""Diagnosis: which column pairs separate skvae from the Gaussian copula on a table.

SDMetrics' quality score is the mean of its column-shape score and its
column-pair score, and (sdmetrics 0.32) the pair score averages only the
pairs whose real association meets its threshold: 8 of 190 on mlc_churn.
This script fits both at their defaults on a table's splits (as
``synthetic.py`` does), and reports each scored pair's score for both,
with the synthetic rows' correlation where the pair is numeric.
``--drop`` fits both without some columns (a diagnosis of what a column
does to the fit, not a method). It writes ``results/pair_scores.json``::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/pair_scores.py \\
        mlc_churn --seeds 0 1 2
    SKVAE_DATA=../shared/data python benchmarks/synthetic/pair_scores.py \\
        mlc_churn --seeds 0 1 2 --drop state
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
import synthetic as S
from _common import print_table, results_dir, write_json
from _tables import load

METHODS = {"skvae": S.fit_skvae, "copula": S.fit_copula}


def pair_details(train, synthetic, metadata):
    """SDMetrics' quality and its scored pairs: ``{(col1, col2): (score, corr)}``."""
    from sdmetrics.reports.single_table import QualityReport

    report = QualityReport()
    report.generate(S.plain(train), S.plain(synthetic), metadata, verbose=False)
    pairs = report.get_details("Column Pair Trends").dropna(subset=["Score"])
    return report.get_score(), {
        (p["Column 1"], p["Column 2"]): (p["Score"], p.get("Synthetic Correlation"))
        for _, p in pairs.iterrows()
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table")
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--drop", nargs="*", default=[])
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    frame, label = load(args.table)
    rows = []
    for seed in args.seeds:
        train, _ = S.split(frame, label, seed)
        train = train.drop(columns=args.drop)
        metadata = S.sdmetrics_metadata(train)
        found = {}
        for method, fit in METHODS.items():
            synthetic = fit(train, seed)[2]
            found[method] = pair_details(train, synthetic, metadata)
        for (a, b), (score, corr) in found["skvae"][1].items():
            rows.append(
                {
                    "seed": seed,
                    "pair": f"{a} x {b}",
                    "skvae": float(score),
                    "copula": float(found["copula"][1][a, b][0]),
                    "skvae synthetic correlation": float(corr),
                }
            )
        quality = {m: float(found[m][0]) for m in METHODS}
        rows.append({"seed": seed, "pair": "(quality)", **quality})
    print_table(rows, ["seed", "pair", *METHODS, "skvae synthetic correlation"])
    path = results_dir() / "pair_scores.json"
    runs = json.loads(path.read_text())["runs"] if path.exists() else {}
    runs[" ".join([args.table, *(f"without {c}" for c in args.drop)])] = rows
    write_json("pair_scores", {"runs": runs})


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
