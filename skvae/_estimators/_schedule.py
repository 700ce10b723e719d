"""The steps of a fit that turn parameters into numbers: the variance floor,
the held-out split of early stopping and the training schedule.

Each is a function of the estimator's parameters and the data, called once
by ``_BaseVAE._fit`` (the "auto" rules themselves are in
:mod:`skvae._estimators._budget`).
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skvae._estimators._budget import (
    AUTO_TRAIN_DRAWS,
    auto_batch_size,
    auto_max_iter,
    auto_patience,
    n_validation,
)
from skvae.core import TrainConfig
from skvae.core._utils import column_stats, first_of, warn

# early_stopping="auto" validates when the held-out part has this many rows
MIN_AUTO_VALIDATION = 10


def variance_floor(var_smoothing, likelihood, X, moments):
    """The floor of the features' variances: ``var_smoothing`` times their mean.

    Over the features whose likelihood has a scale, each variance taken of
    the variable that scale models (``scale_input``, for example
    ``log(1 + x)`` for the log-normal); 0.0 without such features. Warns
    about the features that are constant, and about those that vary less
    than the floor (often features on a smaller scale than the rest).
    """
    scaled = np.array(likelihood.per_column("has_scale"), dtype=bool)
    if not scaled.any():
        return 0.0
    variance = np.array(moments["var"], dtype=np.float64)
    maps = likelihood.per_column("scale_input")
    for f in {m for m in maps if m is not None}:
        columns = [j for j, m in enumerate(maps) if m is f]
        variance[columns] = column_stats(f(X[:, columns]))["var"]
    variance = variance[scaled]
    mean_var = float(np.mean(variance))
    var_floor = var_smoothing * (mean_var if mean_var > 0 else 1.0)
    if X.shape[0] > 1:
        columns = np.flatnonzero(scaled)
        constant = columns[variance == 0]
        small = columns[(variance > 0) & (variance <= var_floor)]
        if constant.size:
            warn(
                f"{constant.size} feature(s) are constant (columns "
                f"{first_of(constant)}): each adds a fixed amount to every "
                "score. Drop them "
                "(sklearn.feature_selection.VarianceThreshold)."
            )
        if small.size:
            lowest = float(variance[variance > 0].min())
            warn(
                f"{small.size} feature(s) vary less than the likelihood's "
                f"variance floor {var_floor:.3g} (var_floor_: var_smoothing "
                f"times the mean feature variance) (columns {first_of(small)}), "
                "so the model does not resolve them. The variances go from "
                f"{lowest:.3g} to {float(variance.max()):.3g}: if the features "
                "are on different scales, standardise X first "
                "(sklearn.preprocessing.StandardScaler); else lower "
                "var_smoothing."
            )
    return var_floor


def holds_out(estimator, n_samples, streaming):
    """Whether a fit on ``n_samples`` rows holds out a validation set.

    ``early_stopping="auto"`` does when the held-out part has
    ``MIN_AUTO_VALIDATION`` rows and the data are in memory: a streamed
    memmap could only hold out its last rows, copied into memory.
    """
    if estimator.early_stopping != "auto":
        return estimator.early_stopping
    n_val = n_validation(estimator.validation_fraction, n_samples)
    return not streaming and n_val >= MIN_AUTO_VALIDATION


def split(X, validation_fraction, seed, streaming):
    """The training part of X and the part held out for early stopping."""
    n_samples = X.shape[0]
    n_val = n_validation(validation_fraction, n_samples)
    if n_samples - n_val < 1:
        raise ValueError(
            f"early_stopping holds out at least 2 samples for validation and "
            f"needs 1 more to train on, but got n_samples={n_samples}. Use "
            "more samples or early_stopping=False."
        )
    if streaming:
        # Slicing keeps a memmap on disk: hold out its last rows.
        return X[: n_samples - n_val], np.array(X[n_samples - n_val :])
    perm = np.random.RandomState(seed).permutation(n_samples)
    return X[np.sort(perm[n_val:])], X[np.sort(perm[:n_val])]


def train_config(estimator, n_train, *, incremental, validated, support_fraction):
    """The :class:`~skvae.core.TrainConfig` of one call, "auto" rules resolved."""
    batch_size = estimator.batch_size
    if batch_size == "auto":
        batch_size = auto_batch_size(n_train)
    elif batch_size > n_train:
        warn(
            f"batch_size={batch_size} is larger than the {n_train} "
            "training samples; using one batch of all of them."
        )
        batch_size = n_train
    if incremental:
        max_iter = 1
    elif estimator.max_iter == "auto":
        max_iter = auto_max_iter(n_train, batch_size, validated)
    else:
        max_iter = estimator.max_iter
    patience = estimator.n_iter_no_change
    if patience == "auto":
        patience = auto_patience(n_train, batch_size)
    n_train_draws = estimator.n_train_draws
    if n_train_draws == "auto":
        n_train_draws = AUTO_TRAIN_DRAWS[estimator.objective]
    return TrainConfig(
        max_iter=max_iter,
        batch_size=batch_size,
        beta=estimator.beta,
        objective=estimator.objective,
        n_train_draws=n_train_draws,
        shuffle=estimator.shuffle,
        tol=estimator.tol,
        n_iter_no_change=patience,
        check_improvement=not incremental,
        weight_decay=estimator.alpha / n_train,
        mixed_precision=estimator.mixed_precision,
        support_fraction=support_fraction,
    )


def stopping_message(outcome, config, validated):
    """What the verbose display says when training stopped early, else None."""
    if not outcome.stopped_early:
        return None
    what = "Validation score" if validated else "Training loss"
    return (
        f"{what} did not improve more than tol={config.tol} for "
        f"{config.n_iter_no_change} consecutive epochs. Stopping."
    )
