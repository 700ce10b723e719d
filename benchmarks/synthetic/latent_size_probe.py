"""Design-half probe: a latent code as wide as the table (issue #38).

``n_components="auto"`` gives the code half as many dimensions as the
modelled columns, and the fit keeps the active ones. On mpg, jtrain2 and
Salaries the default fit uses every one of them, so the ELBO may want more.
This probe fits the default ``VAETransformer`` as ``synthetic.py`` does
(same splits) with the "auto" size patched:

- ``base``: the defaults (half the columns, rounded up);
- ``full``: one dimension per modelled column (at most 32); the ELBO's KL
  term still leaves out the dimensions it does not need.

It reports the scores of ``synthetic.py`` and the active latent dimensions.
Seed 0, the 19 design tables, about 30 minutes::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/latent_size_probe.py \\
        base,full
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from contextlib import nullcontext
from unittest import mock

import numpy as np
import synthetic as S

import skvae._estimators._plan as plan


def latent_size(how):
    """Fit with "auto" giving ``how``'s latent size."""
    if how != "full":
        return nullcontext()
    full = lambda n_features, cap=None: min(n_features, cap)
    return mock.patch.object(plan, "half_the_features", full)


def main():
    S.probe(__doc__, latent_size, "design_latent_size_probe")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
