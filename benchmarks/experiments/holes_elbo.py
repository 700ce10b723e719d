"""Issue 15 probe: the held-out ELBO of complete rows after training with holes.

An encoder trained on rows with MCAR holes (filled with the column mean) never
meets a complete row; at scoring time a complete row reaches its first layer
larger than any training row did. ``VAE.encode`` scales the deviations of a
row's observed entries from the fill by d / n_observed (inverted dropout).
This script measures what that does on wide tables outside the imputation
benchmark's report half: for each table and seed, ``VAETransformer(d // 2)``
is fitted on the complete training rows and on the same rows with 20 % holes,
each with and without the scaling, and scored (``score``, the ELBO) on the
complete test rows. The protocol is ``imputation.py``'s ELBO check: at most
2,000 rows, a 70/30 split, columns standardised with the observed training
entries. Run::

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
from sklearn.model_selection import train_test_split

from skvae import VAETransformer
from skvae._model import VAE
from skvae.datasets import load_adbench, load_odds

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import print_table, write_json

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
    """Held-out ELBO of complete rows: trained complete, and with holes."""
    rng = np.random.RandomState(seed)
    if len(X) > 2000:
        X = X[np.sort(rng.choice(len(X), 2000, replace=False))]
    tr, te = train_test_split(np.arange(len(X)), test_size=0.3, random_state=seed)
    holes = rng.rand(*X.shape) < 0.2
    holes[holes.all(axis=1), 0] = False
    X_holes = np.where(holes, np.nan, X)
    mean = np.nanmean(X_holes[tr], axis=0)
    sd = np.nanstd(X_holes[tr], axis=0)
    sd[sd == 0] = 1.0
    Z, Z_holes = (X - mean) / sd, (X_holes - mean) / sd
    out = {}
    for scaled in (False, True):
        VAE._encode = _encode if scaled else _unscaled
        for kind, data in (("complete", Z[tr]), ("holes", Z_holes[tr])):
            vae = VAETransformer(max(1, Z.shape[1] // 2), random_state=seed)
            out[(kind, scaled)] = vae.fit(data).score(Z[te])
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
                    "complete": e[("complete", True)],
                    "holes, unscaled": e[("holes", False)],
                    "holes, scaled": e[("holes", True)],
                    # the scaling does nothing to complete rows: same fit
                    "complete, unscaled": e[("complete", False)],
                }
            )
            print_table(rows[-1:], list(rows[-1]))
    print_table(rows, list(rows[0]))
    if args.output:
        write_json(args.output, {"rows": rows})


if __name__ == "__main__":
    main()
