"""The estimators' "auto" rules: the training budget, counted in optimiser steps,
and the latent size.

Pure rules of the data's size: the batch size, the epoch budget, the patience
of early stopping, the size of the held-out set and the draws of its ELBO.
Counted in steps, a 400-row table (2 steps an epoch) and a 60,000-row image
set (300) train alike.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

AUTO_BATCH_SIZE = 200  # batch_size="auto": this many rows, or all if fewer
AUTO_EPOCHS = 200  # the budget's floor, and the whole budget without validation
STEP_BUDGET = 20_000  # with a validation set to stop on: at least this many steps
PATIENCE_STEPS = 300  # "auto" patience: at least this many steps without progress
MIN_PATIENCE = 10  # ... and at least this many epochs (scikit-learn's default)
VALIDATION_NUMBERS = 2**14  # rows x draws of one validation pass, at most
# n_components="auto": at most this many latent dimensions a fit starts from
# (the largest size a grid search usually tries), and the detector's own cap
AUTO_LATENT_CAP = 32
DETECTOR_LATENT_CAP = 8
# n_train_draws="auto": draws of z per row and step, for each objective
AUTO_TRAIN_DRAWS = {"elbo": 1, "iwae": 5}


def steps_per_epoch(n_train, batch_size):
    """Optimiser steps in one pass over ``n_train`` rows."""
    return math.ceil(n_train / batch_size)


def auto_max_iter(n_train, batch_size, validated):
    """Epochs of ``max_iter="auto"``: 200, or ``STEP_BUDGET`` steps if more.

    The longer budget applies only with a validation set, whose best epoch is
    restored: small data sets overfit long before ``STEP_BUDGET`` steps, and
    early stopping ends the fit there.
    """
    if not validated:
        return AUTO_EPOCHS
    steps = steps_per_epoch(n_train, batch_size)
    return max(AUTO_EPOCHS, math.ceil(STEP_BUDGET / steps))


def auto_patience(n_train, batch_size):
    """Epochs of ``n_iter_no_change="auto"``: ``PATIENCE_STEPS`` steps, 10 at least.

    Counted in steps, a small data set's patience spans the plateau a VAE
    crosses early in training (an epoch of 400 rows is only 2 steps).
    """
    steps = steps_per_epoch(n_train, batch_size)
    return max(MIN_PATIENCE, math.ceil(PATIENCE_STEPS / steps))


def validation_draws(n_val, n_draws):
    """Draws of z per validation row: ``n_draws``, fewer on large validation sets.

    A small validation set's ELBO gets the same ``n_draws`` as the scores, so its
    Monte Carlo noise does not trigger or hide a stop; a large one needs fewer
    (one pass is at most ``VALIDATION_NUMBERS`` rows x draws, 1 draw at least).
    """
    return max(1, min(n_draws, VALIDATION_NUMBERS // max(n_val, 1)))


def auto_batch_size(n_train):
    """Rows of a minibatch under ``batch_size="auto"``."""
    return min(AUTO_BATCH_SIZE, n_train)


def n_validation(validation_fraction, n_samples):
    """Rows held out for early stopping: the fraction, rounded up, 2 at least."""
    return max(2, math.ceil(validation_fraction * n_samples))


def half_the_features(n_features, cap=None):
    """``ceil(n_features / 2)``, at least 1 and at most ``cap``: a latent size."""
    size = max(1, math.ceil(n_features / 2))
    return size if cap is None else min(cap, size)
