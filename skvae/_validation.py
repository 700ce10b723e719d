"""Input and value checks of the scikit-learn face: one place for each rule."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from sklearn.utils.validation import check_array, validate_data

from skvae._utils import resolve_device

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
    """Rows with no observed entry (all NaN) carry nothing to fit, encode or score."""
    if empty_rows.size:
        raise ValueError(
            f"X has {empty_rows.size} row(s) with no observed value (all NaN; "
            f"rows {empty_rows[:10].tolist()}{', ...' if empty_rows.size > 10 else ''}"
            "): a row needs at least one observed entry to be fitted, encoded, "
            "scored or imputed. Drop those rows."
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


def check_values(x_min, x_max, likelihood, dtype):
    """Values the likelihood cannot model, or that overflow ``dtype``."""
    message = likelihood.support_error(x_min, x_max)
    if message:
        raise ValueError(message)
    limit = MAGNITUDE_LIMIT[dtype]
    biggest = max(abs(x_min), abs(x_max))
    if biggest > limit:
        raise ValueError(
            f"X has values as large as {biggest:.3g}, beyond what "
            f"dtype={dtype!r} can square without overflow (about "
            f"{limit:.0e}). Standardise X (for example with StandardScaler)"
            + (" or use dtype='float64'." if dtype == "float32" else ".")
        )
