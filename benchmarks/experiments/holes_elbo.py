"""Issue 15 probe: the held-out ELBO of complete rows after training with holes.

An encoder trained on rows with MCAR holes (filled with the column mean) never
meets a complete row; at scoring time a complete row reaches its first layer
larger than any training row did. ``VAE.encode`` scales the deviations of a
row's observed entries from the fill by d / n_observed (inverted dropout).
This script measures what that does on wide tables outside the imputation
benchmark's report half: for each table and seed, ``VAETransformer(d // 2)``
is fitted on the complete training rows and on the same rows with 20 % holes,
each with and without the scaling, and scored (``score``, the ELBO) on the
complete test rows: ``imputation.py``'s ELBO check on its preparation (at
most 2,000 rows, a 70/30 split, columns standardised with the observed
training entries). Run::

    SKVAE_DATA=../shared/data OMP_NUM_THREADS=1 python \\
        benchmarks/experiments/holes_elbo.py --output holes_elbo
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

from skvae._model import VAE
from skvae.datasets import load_adbench, load_odds

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import print_table, write_json
from imputation import _elbo_loss, prepare

SETS = {
    "waveform": lambda: load_adbench("waveform")[0],
    "fault": lambda: load_adbench("fault")[0],
    "satellite": lambda: load_odds("satellite")[0],
    "spambase": lambda: load_adbench("spambase")[0],
}
_encode = VAE._encode


def _unscaled(self, x_in, mask=None):
    return _encode(self, x_in, None)  # holes at the fill, nothing rescaled


def elbos(X, seed):
    """``imputation.py``'s ELBO check, without and with the scaling."""
    Z, Z_holes, _, _, tr, te = prepare(X, None, 0.2, seed, 2000)
    out = {}
    for scaled in (False, True):
        VAE._encode = _encode if scaled else _unscaled
        out[scaled] = _elbo_loss(Z, Z_holes, tr, te, seed)
    VAE._encode = _encode
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--output", default=None, help="results/NAME.json")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rows = []
    for name in args.sets:
        X = SETS[name]().astype(float)
        X = X[:, np.ptp(X, axis=0) > 0]  # constant columns carry nothing
        for seed in range(args.seeds):
            e = elbos(X, seed)
            rows.append(
                {
                    "set": name,
                    "d": X.shape[1],
                    "seed": seed,
                    "complete": e[True]["complete"],
                    "holes, unscaled": e[False]["holes"],
                    "holes, scaled": e[True]["holes"],
                    # the scaling does nothing to complete rows: same fit
                    "complete, unscaled": e[False]["complete"],
                }
            )
            print_table(rows[-1:], list(rows[-1]))
    print_table(rows, list(rows[0]))
    if args.output:
        write_json(args.output, {"rows": rows})


if __name__ == "__main__":
    main()
