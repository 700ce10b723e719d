"""Input and value checks of the estimators: one place for each rule."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, validate_data

from skvae.core._config import ACTIVATIONS
from skvae.core._train_state import SOLVERS
from skvae.core._utils import DTYPES, first_of, resolve_device
from skvae.core.likelihoods._registry import array_likelihoods, likelihood_class

# The estimators' ``_parameter_constraints``: each parameter's admissible values,
# checked by scikit-learn's ``_fit_context``; the rules that need the data are
# the functions below.
PARAMETER_CONSTRAINTS = {
    "n_components": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "hidden_layer_sizes": ["array-like"],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "likelihood": [str, dict],  # a registered name: see check_params
    "handle_unknown": [StrOptions({"error", "ignore"})],
    "decoder_variance": [StrOptions({"per_sample", "per_feature"})],
    "var_smoothing": [Interval(Real, 0, None, closed="neither")],
    "beta": [Interval(Real, 0, None, closed="left")],
    "objective": [StrOptions({"elbo", "iwae"})],
    "n_train_draws": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "solver": [StrOptions(set(SOLVERS))],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "max_iter": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "early_stopping": [StrOptions({"auto"}), "boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "warm_start": ["boolean"],
    "score_method": [StrOptions({"elbo", "iwae"})],
    "n_score_draws": [Interval(Integral, 1, None, closed="left")],
    "device": [str],
    "dtype": [StrOptions(set(DTYPES))],
    "mixed_precision": [StrOptions({"bf16", "fp16"}), None],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}


# Largest |x| whose square (in the Gaussian log-density) stays finite, with margin.
MAGNITUDE_LIMIT = {
    name: float(np.sqrt(np.finfo(name).max)) / 1e3 for name in ("float32", "float64")
}


def validate_X(estimator, X, *, reset, copy_readonly=True, allow_nan=True):
    """``validate_data`` as floats, plus a clear error for non-numeric columns.

    NaN is accepted (a missing entry) unless ``allow_nan=False``; infinities
    are not.

    ``copy_readonly=False`` keeps a read-only array (a memmap) as it is, so that
    it can be streamed instead of copied.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "items"):
        bad = [
            str(name)
            for name, dt in dtypes.items()
            if not (is_numeric_dtype(dt) or is_bool_dtype(dt))
        ]
        if bad:
            raise ValueError(
                f"X has non-numeric columns {bad[:10]}, which likelihood="
                f"{estimator.likelihood!r} cannot model. Use likelihood='auto' "
                "(or a dict of per-column likelihoods), which models category "
                "columns with a categorical likelihood, or drop them."
            )
    return validate_data(
        estimator,
        X,
        dtype=[np.float64, np.float32],
        reset=reset,
        force_writeable=copy_readonly,
        ensure_all_finite="allow-nan" if allow_nan else True,
    )


def check_rows(empty_rows):
    """Rows with no observed entry (all NaN) give a detector nothing to judge."""
    if empty_rows.size:
        raise ValueError(
            f"X has {empty_rows.size} row(s) with no observed value (all NaN; "
            f"rows {first_of(empty_rows)}"
            "): an outlier detector cannot judge a row with nothing observed "
            "(its log-likelihood, 0, would make it the most normal row). Drop "
            "those rows."
        )


def check_columns(count, columns=None):
    """Every modelled column (``columns``, all by default) has an observed entry."""
    empty = count == 0
    if columns is not None:
        empty &= columns
    empty = np.flatnonzero(empty)
    if empty.size:
        raise ValueError(
            f"X has {empty.size} column(s) with no observed value (all "
            f"NaN; columns {first_of(empty)}): the model cannot learn "
            "anything about them. Drop them, or use VAEImputer, whose "
            "keep_empty_features decides what they become."
        )


def validate_codes(X, n_components):
    """Latent codes for ``inverse_transform``: floats with ``n_components`` columns."""
    X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
    if X.shape[1] != n_components:
        raise ValueError(
            f"X has {X.shape[1]} features, but inverse_transform expects "
            f"n_components={n_components} (the latent size)."
        )
    return X


def check_n_samples(n_samples):
    """``n_samples`` of ``sample`` must be a positive int."""
    if not isinstance(n_samples, Integral) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")


def check_likelihood(likelihood):
    """A ``likelihood`` parameter names registered likelihoods."""
    if isinstance(likelihood, dict):
        for name in likelihood.values():
            likelihood_class(name)  # a ValueError naming the registered ones
    elif likelihood != "auto" and likelihood not in array_likelihoods():
        raise ValueError(
            f"likelihood={likelihood!r} is not a likelihood for an array; expected "
            f"'auto' or one of {array_likelihoods()} (a dict gives the columns of "
            "a DataFrame theirs; skvae.core.register_likelihood adds one)."
        )


def check_params(estimator, n_features, n_components):
    """Checks that need the data or go beyond ``_parameter_constraints``."""
    sizes = estimator.hidden_layer_sizes
    if not all(isinstance(h, Integral) and h >= 1 for h in sizes):
        raise ValueError(
            "hidden_layer_sizes must be a tuple of positive ints, got "
            f"{sizes!r}; for example hidden_layer_sizes=(256, 128)."
        )
    if n_components > n_features:
        raise ValueError(
            f"n_components={n_components} is larger than "
            f"n_features={n_features}: a latent code bigger than the data "
            "compresses nothing. Use n_components <= n_features."
        )
    if estimator.objective == "iwae" and estimator.beta != 1.0:
        raise ValueError(
            f"beta={estimator.beta} weights the KL term of the ELBO, and "
            "objective='iwae' has no separate KL term. Use beta=1.0 with "
            "objective='iwae', or objective='elbo' for a beta-VAE."
        )
    resolve_device(estimator.device)  # a clear error for unknown or absent devices


def check_values(low, high, likelihood, dtype, names=None):
    """Values the likelihood cannot model, or that overflow ``dtype``.

    ``low`` and ``high`` are each column's observed range in the model's
    space; ``names`` name the columns of a mixed table in the messages.
    """
    errors = likelihood.support_errors(low, high, names)
    if errors:
        raise ValueError("; ".join(errors[:5]))
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    seen = np.isfinite(low)
    biggest = max(
        np.abs(low[seen]).max(initial=0.0), np.abs(high[seen]).max(initial=0.0)
    )
    limit = MAGNITUDE_LIMIT[dtype]
    if biggest > limit:
        raise ValueError(
            f"X has values as large as {biggest:.3g}, beyond what "
            f"dtype={dtype!r} can square without overflow (about "
            f"{limit:.0e}). Standardise X (for example with StandardScaler)"
            + (" or use dtype='float64'." if dtype == "float32" else ".")
        )
