"""Design-half probe: a learning rate that falls on a plateau (issue #38).

The default fit runs Adam at ``learning_rate_init`` until the held-out ELBO
has not improved for 300 steps, and keeps the best epoch. At a fixed rate
the minibatch noise bounds how finely the encoder and decoder settle; the
relations a synthetic row must carry (a label's thresholds on a real column)
are fine ones. This probe fits the default ``VAETransformer`` as
``synthetic.py`` does (same splits), with the estimator's training patched:

- ``base``: the defaults;
- ``decayK``: at each stop, the best weights restored, the rate divided by
  5 and training resumed with fresh patience, K times (Keras'
  ReduceLROnPlateau with early stopping); the best epoch is kept.

It reports the scores of ``synthetic.py`` and the active latent dimensions.
Seed 0, the 19 design tables, about 25 minutes::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/lr_decay_probe.py \\
        base,decay2
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import dataclasses
from unittest import mock

import numpy as np
import synthetic as S

import skvae._estimators._base as base

FACTOR = 0.2


def lr_decay(how):
    """Fit with ``how``'s number of rate decays on a plateau."""
    decays = int(how[5:]) if how.startswith("decay") else 0
    train = base.train

    def decaying(model, optimizer, X, state, config, **kwargs):
        epochs = 0
        for k in range(decays + 1):
            left = dataclasses.replace(config, max_iter=config.max_iter - epochs)
            outcome = train(model, optimizer, X, state, left, **kwargs)
            epochs += outcome.n_epochs
            if not outcome.stopped_early or k == decays or epochs >= config.max_iter:
                break
            for group in optimizer.param_groups:  # the best weights are restored
                group["lr"] *= FACTOR
            state.no_improvement_count = 0
        return dataclasses.replace(outcome, n_epochs=epochs)

    return mock.patch.object(base, "train", decaying)


def main():
    S.probe(__doc__, lr_decay, "design_lr_decay_probe")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
