"""Design-half probe: where ``sample`` draws z from (issue #38, not adopted).

Fits the default ``VAETransformer`` on each design table as ``synthetic.py``
does (same splits, seed 0) and draws the synthetic rows with z from

- ``prior``: N(0, I), what ``sample`` does;
- ``1.0``: the aggregate posterior, a training row's q(z | x) drawn at random;
- ``gmmK``: a K-component Gaussian mixture fitted to draws of those codes.

It reports the same scores as ``synthetic.py`` and writes
``results/design_prior_probe.json``::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/prior_probe.py \\
        prior,1.0,gmm1,gmm10
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.mixture import GaussianMixture

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
import synthetic as S
from _common import print_table, write_json
from _tables import HALVES, load

from skvae import VAETransformer
from skvae.core._inference import encode_rows, generate_rows

SCORES = [
    "quality",
    "category_tv",
    "numeric_ks",
    "detection_auc",
    "ml_ratio",
    "closer_to_train",
]


def _decode(vae, z, seed):
    """Rows drawn from p(x | z) for the codes ``z``, as the user's data."""
    z = torch.as_tensor(z, dtype=torch.float32)
    return vae._space.output(generate_rows(vae.module_, z, seed, mean=False))


def _posteriors(vae, train):
    codes = encode_rows(vae.module_, vae._validate_rows(train), scale=True)
    k = vae.module_.config.n_components
    return codes[:, :k].astype(np.float64), codes[:, k:].astype(np.float64)


def draw(vae, train, n, seed, how):
    if how == "prior":
        return vae.sample(n, random_state=seed)
    loc, log_scale = _posteriors(vae, train)
    rng = np.random.RandomState(seed)
    if how.startswith("gmm"):
        z = loc + np.exp(log_scale) * rng.randn(*loc.shape)
        mixture = GaussianMixture(int(how[3:]), random_state=seed).fit(z)
        return _decode(vae, mixture.sample(n)[0][rng.permutation(n)], seed)
    rows = rng.randint(0, len(loc), n)
    noise = float(how) * np.exp(log_scale[rows]) * rng.randn(n, loc.shape[1])
    return _decode(vae, loc[rows] + noise, seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", help="comma-separated: prior, 1.0, gmm10, ...")
    parser.add_argument("--tables", nargs="+", default=list(HALVES["design"]))
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    rows, seed = [], 0
    for name in args.tables:
        frame, label = load(name)
        train, test = S.split(frame, label, seed)
        metadata = S.sdmetrics_metadata(train)
        real = S.ml_efficacy(train, test, label)
        vae = VAETransformer(random_state=seed).fit(train)
        for how in args.variants.split(","):
            synthetic = draw(vae, train, len(train), seed, how)
            rows.append(
                {
                    "table": name,
                    "how": how,
                    **S.scores(train, test, synthetic, label, seed, metadata, real),
                }
            )
            print_table(rows[-1:], ["table", "how", *SCORES])
    mean = pd.DataFrame(rows).groupby("how", sort=False)[SCORES].mean().reset_index()
    print_table(mean.to_dict("records"), ["how", *SCORES])
    write_json("design_prior_probe", {"rows": rows, "mean": mean.to_dict("records")})


if __name__ == "__main__":
    main()
