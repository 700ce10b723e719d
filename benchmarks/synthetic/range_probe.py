"""Design-half probe: draws kept within each numeric column's range (issue #38).

A likelihood's support can be wider than a column's values: a negative
binomial draws ages below a table's youngest (13.5 % of jtrain2's synthetic
ages), a Gaussian negative earnings or shares. SDV's synthesizers clip
their draws to the training range by default (``enforce_min_max_values``).
This probe fits the default ``VAETransformer`` as ``synthetic.py`` does
(same splits) and draws the rows itself:

- ``base``: the defaults (z ~ N(0, I), then x ~ p(x | z));
- ``redraw``: an entry of a numeric column outside the column's training
  range is drawn again from the same p(x_j | z), up to 50 times, and then
  clipped: draws from p(x_j | z) restricted to the range (the columns are
  independent given z, so each entry can be redrawn alone);
- ``clip``: such an entry is set to the nearer end of the range (SDV).

The bounds are the schema's ``ranges`` (recorded since 83cc519, which
adopted ``clip``; since then ``base`` clips too). Seed 0, the 19 design
tables, about 12 minutes::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/range_probe.py \\
        redraw,clip
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from contextlib import nullcontext
from unittest import mock

import numpy as np
import pandas as pd
import synthetic as S
import torch

from skvae import VAETransformer
from skvae.core._inference import generate_rows
from skvae.core._utils import standard_normal

TRIES = 50


def bounds(vae):
    """Each modelled column's training range (the schema's ``ranges``) in the
    model's space; unbounded for columns of levels."""
    table, columns = vae._space.table, vae._space.columns
    low, high = [], []
    for j, bounds in enumerate(table.ranges):
        if columns is not None and not columns[j]:  # left out: constant or empty
            continue
        lo, hi = (-np.inf, np.inf) if bounds is None else bounds
        low.append((lo - table.loc[j]) / table.scale[j])
        high.append((hi - table.loc[j]) / table.scale[j])
    return np.array(low), np.array(high)


def within_range(vae, n, seed, how):
    model = vae.module_
    p = next(model.parameters())
    z = standard_normal((n, model.config.n_components), seed, p.device, p.dtype)
    X = generate_rows(model, z, seed, mean=False)
    low, high = bounds(vae)
    for k in range(1, TRIES + 1 if how == "redraw" else 1):
        out = (X < low) | (X > high)
        rows = np.flatnonzero(out.any(axis=1))
        if not rows.size:
            break
        again = generate_rows(model, z[torch.as_tensor(rows)], seed + k, mean=False)
        X[rows] = np.where(out[rows], again, X[rows])
    X = np.clip(X, low, high)
    return vae._space.output(X)


def drawing(how):
    """``VAETransformer.sample`` drawing by ``how``."""

    def sample_within(self, n_samples=1, *, random_state=None, **kwargs):
        seed = int(np.random.RandomState(random_state).randint(2**31 - 1))
        return within_range(self, n_samples, seed, how)

    if how == "base":
        return nullcontext()
    return mock.patch.object(VAETransformer, "sample", sample_within)


def main():
    S.probe(__doc__, drawing, "design_range_probe")


if __name__ == "__main__":
    np.seterr(all="ignore")
    pd.set_option("mode.chained_assignment", None)
    main()
