"""Design-half experiment: which numeric columns get a point mass (issue #38).

A numeric column with more than ``DISCRETE_LEVELS`` values whose most
frequent value holds at least ``SPIKE_SHARE`` (5 %) of its entries, and
``SPIKE_RATIO`` times as many as the next most frequent value, is modelled
by the hurdle likelihood (a probability at that value, a Gaussian
elsewhere). This script fits the default ``VAETransformer`` on each design
table as ``synthetic.py`` does (same splits and scores), under each rule:

- ``off``: no point mass (a Gaussian or a negative binomial, as before);
- ``R``: a point mass where the ratio is at least R, counts included;
- ``R-nocount``: the same, but a count whose point mass is 0 stays a
  negative binomial.

A table whose columns get the same likelihoods under two rules is fitted
once. Writes ``results/design_point_mass_rule.json``::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/point_mass_rule.py \\
        --rules off 5 2 5-nocount
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
import synthetic as S
from _common import print_table, results_dir, write_json
from _tables import HALVES, load

from skvae._estimators import _column_kinds, _table

SCORES = ["quality", "category_tv", "numeric_ks", "detection_auc", "ml_ratio"]


COLUMN_KIND = _table.column_kind


def _without_counts(series):
    """``column_kind``, except that a count whose point mass is 0 stays one."""
    kind = COLUMN_KIND(series)
    if kind != "spiked":
        return kind
    values = _column_kinds.numeric(series)
    values = values[~np.isnan(values)]
    distinct, counts = np.unique(values, return_counts=True)
    at_zero = distinct[counts.argmax()] == 0
    count = _column_kinds.number_kind(values, series.dtype) == "count"
    return "count" if count and at_zero else kind


def set_rule(rule):
    """Patch ``skvae._estimators`` for ``rule``."""
    ratio, _, nocount = rule.partition("-")
    _column_kinds.SPIKE_RATIO = np.inf if ratio == "off" else float(ratio)
    _table.column_kind = _without_counts if nocount else COLUMN_KIND


def kinds(frame):
    return tuple(_table.column_kind(frame[c]) for c in frame.columns)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--rules", nargs="+", default=["off", "0.1"])
    parser.add_argument("--tables", nargs="+", default=list(HALVES["design"]))
    args = parser.parse_args()
    path = results_dir() / "design_point_mass_rule.json"
    rows = json.loads(path.read_text())["rows"] if path.exists() else []
    fitted = {(r["table"], r["seed"], tuple(r["kinds"])): r for r in rows}
    done = {(r["table"], r["seed"], r["rule"]) for r in rows}
    for seed in args.seeds:
        for name in args.tables:
            frame, _ = load(name)
            for rule in args.rules:
                if (name, seed, rule) in done:
                    continue
                set_rule(rule)
                key = (name, seed, kinds(frame))
                if key not in fitted:
                    (row,) = S.run_table(name, seed, S.MAX_TRAIN, ["skvae"], {})
                    fitted[key] = {**row, "kinds": list(key[2])}
                rows.append({**fitted[key], "rule": rule})
                write_json("design_point_mass_rule", {"rows": rows})
    summary = []
    for rule in args.rules:
        mine = [r for r in rows if r["rule"] == rule]
        spiked = {r["table"] for r in mine if "spiked" in r["kinds"]}
        summary.append(
            {
                "rule": rule,
                "tables_with_point_mass": len(spiked),
                **{k: float(np.mean([r[k] for r in mine])) for k in SCORES},
            }
        )
    print_table(summary, list(summary[0]))
    write_json("design_point_mass_rule", {"rows": rows, "summary": summary})


if __name__ == "__main__":
    main()
