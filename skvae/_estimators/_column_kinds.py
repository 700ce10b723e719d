"""The kind of a DataFrame column, from which its automatic likelihood follows.

A bool, a category, ordered levels, a number with a point mass, a count or a
real: :func:`column_kind` reads it from the column's dtype and values, and
:class:`~skvae._estimators._table.TableSchema` gives each kind the registered
likelihood whose ``column_kind`` it is.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

# A numeric column with at most this many distinct values is a set of ordered
# levels (issue #38, design half of benchmarks/synthetic: 20 and 40 level,
# 80 worse; a continuous density cannot put mass on a few points).
DISCRETE_LEVELS = 20


# A numeric column with more levels has a point mass at its most frequent
# value when that value holds at least SPIKE_SHARE of the observed entries
# and SPIKE_RATIO times as many as the next most frequent value: far more
# than a density gives one point (issue #38, design half of
# benchmarks/synthetic).
SPIKE_SHARE = 0.05
SPIKE_RATIO = 5.0


def column_kind(series):
    """The kind of a column, for its automatic likelihood.

    "bool"; "ordered" for an ordered category, and for a numeric column with
    at most ``DISCRETE_LEVELS`` distinct values (a year, a rating, a price
    list: its observed values become ordered levels); "category" for a
    category, object or string column; "spiked" for a numeric column whose
    most frequent value holds at least ``SPIKE_SHARE`` of its entries and
    ``SPIKE_RATIO`` times as many as the next one (an income that is mostly
    0); "count" for integers >= 0 whose variance is at least their mean (a
    negative binomial's variance cannot be lower); "real" otherwise.
    """
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return "bool"
    if isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
        return "ordered"
    if (
        isinstance(dtype, pd.CategoricalDtype)
        or ptypes.is_object_dtype(dtype)
        or ptypes.is_string_dtype(dtype)
    ):
        return "category"
    values = numeric(series)
    values = values[~np.isnan(values)]
    distinct, counts = np.unique(values, return_counts=True)
    if distinct.size <= DISCRETE_LEVELS:
        return "ordered"
    second, top = np.sort(counts)[-2:]
    if top >= SPIKE_SHARE * values.size and top >= SPIKE_RATIO * second:
        return "spiked"
    return number_kind(values, dtype)


def number_kind(values, dtype):
    """The kind of numbers without a point mass: "count" for integers >= 0
    whose variance is at least their mean (a negative binomial's variance
    cannot be lower), else "real"."""
    if ptypes.is_integer_dtype(dtype) and values.min() >= 0:
        return "count" if values.var() >= values.mean() else "real"
    return "real"


def numeric(series):
    """A numeric or boolean column as float64 with NaN for missing entries
    (also an object column's ``pd.NA`` and ``None``: ``Int64`` conditions of
    ``sample(given=...)`` arrive as objects)."""
    if series.dtype == object:
        series = series.where(series.notna(), np.nan)
    try:
        values = series.astype("float64")
    except (TypeError, ValueError):
        bad = series[series.notna() & pd.to_numeric(series, errors="coerce").isna()]
        raise ValueError(
            f"Column {series.name!r} is a number column, but holds values that are "
            f"not numbers: {list(bad.unique()[:5])}. Pass numbers, with NaN for a "
            "missing entry."
        ) from None
    return values.to_numpy(dtype=np.float64, na_value=np.nan)
