"""Design-half probe: an ordinal column at the encoder's input (issue #38).

The encoder sees an ordinal column (an ordered category, or a number with
at most 20 distinct values) as a categorical one: one indicator per level,
each standardised to variance 1. A 15-level rating then enters with 15
times the weight of a number column, and without its order. This probe
fits the default ``VAETransformer`` as ``synthetic.py`` does (same splits),
with the encoder's input patched:

- ``base``: one indicator per level (the defaults);
- ``code``: the level's code (0 .. K-1) as one number, standardised as a
  number column is. The decoder's cumulative logit is unchanged.

Seed 0, the 19 design tables, about 8 minutes a variant::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/ordinal_input_probe.py \\
        base,code
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from contextlib import ExitStack
from unittest import mock

import numpy as np
import synthetic as S

from skvae.core.likelihoods import Ordinal


def ordinal_input(how):
    """Fit with ``how``'s encoder input of an ordinal column."""
    stack = ExitStack()
    if how == "code":
        stack.enter_context(
            mock.patch.object(Ordinal, "n_inputs", property(lambda lik: lik.n_features))
        )
        stack.enter_context(mock.patch.object(Ordinal, "features", lambda lik, x: x))
    return stack


def main():
    S.probe(__doc__, ordinal_input, "design_ordinal_input_probe")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
