"""Fit time of VAETransformer on the mixed-type tables (categories, ordinals).

Fits the default VAETransformer (``likelihood="auto"``, one likelihood per
column) for a fixed 20 epochs without early stopping, best of two fits, on up
to 3,500 rows of each table in ``mixed/`` of the data home; prints a table and
writes ``results/mixed_fit_time.json``. Run it at two commits to compare how
the heterogeneous likelihood's blocks are evaluated (same seeds, same rows).

    export SKVAE_DATA=../shared/data OMP_NUM_THREADS=1
    python benchmarks/throughput/mixed_fit_time.py
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
from _common import Timer, print_table, write_json

from skvae import VAETransformer
from skvae.datasets import MIXED_NAMES, DataNotFoundError, load_mixed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=",".join(MIXED_NAMES))
    parser.add_argument("--max-rows", type=int, default=3500)
    parser.add_argument("--out", default="mixed_fit_time")
    args = parser.parse_args()
    rows = []
    for name in args.tables.split(","):
        try:
            frame, _ = load_mixed(name)
        except DataNotFoundError as exc:
            print(f"skip {name}: {exc}")
            continue
        frame = frame.sample(n=min(len(frame), args.max_rows), random_state=0)
        seconds = []
        for _ in range(2):
            vae = VAETransformer(max_iter=20, early_stopping=False, random_state=0)
            with Timer() as t, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                vae.fit(frame)
            seconds.append(t.seconds)
        rows.append(
            {
                "table": name,
                "rows": len(frame),
                "columns": frame.shape[1],
                "blocks": len(vae.module_.likelihood.blocks),
                "fit s": min(seconds),
                "score": float(vae.score(frame)),
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print_table(rows, list(rows[0]))
    write_json(args.out, {"options": vars(args), "rows": rows})


if __name__ == "__main__":
    main()
