"""Design-half probe: each column's weight at the encoder's input (issue #38).

The encoder sees every input feature standardised on its own: a number
column is one feature of variance 1, but a category is one indicator per
level, each scaled to variance 1. A row's indicator of a level with share
p then enters at about 1 / sqrt(p): 7 for one of 50 states. On mlc_churn
(a report table, seed 0, a diagnosis) ``state``'s 51 indicators make most
of the input's size, and each default fit (3 seeds) leaves one of the four
(minutes, charge) pairs out of the code: correlation 1.00 in the rows,
about 0 in the draws. Without ``state`` the fits keep all four.

This probe fits the default ``VAETransformer`` as ``synthetic.py`` does
(same splits), with the encoder's input scale patched:

- ``base``: each feature by its own standard deviation (the defaults);
- ``column``: a category's indicators by the square root of their summed
  variances, so that every column enters with total variance 1.

Seed 0, the 19 design tables, about 8 minutes a variant::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/input_scale_probe.py \\
        base,column
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from contextlib import nullcontext
from unittest import mock

import numpy as np
import synthetic as S
import torch

import skvae.core._marginals as marginals
from skvae.core.likelihoods._discrete import Categorical


def input_columns(likelihood):
    """The column (0, 1, ...) of each of the encoder's input features."""
    blocks = getattr(likelihood, "blocks", [likelihood])
    widths = [b.n_levels if isinstance(b, Categorical) else 1
              for b in blocks for _ in range(b.n_features)]  # fmt: skip
    return torch.repeat_interleave(torch.arange(len(widths)), torch.tensor(widths))


@torch.no_grad()
def by_column(model, x, fit_marginals=marginals.fit_marginals):
    """``fit_marginals``, then each category's indicators scaled together."""
    fit_marginals(model, x)
    likelihood = model.likelihood
    if not likelihood.transforms_input:
        return
    variance = likelihood.features(x).var(0, unbiased=False)
    column = input_columns(likelihood).to(variance.device)
    total = variance.new_zeros(int(column.max()) + 1)
    scale = total.index_add_(0, column, variance)[column].sqrt()
    model.feature_scale.copy_(torch.where(scale > 1e-6, scale, 1.0))


def input_scale(how):
    """Fit with ``how``'s scale of the encoder's input features."""
    if how != "column":
        return nullcontext()
    return mock.patch.object(marginals, "fit_marginals", by_column)


def main():
    S.probe(__doc__, input_scale, "design_input_scale_probe")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
