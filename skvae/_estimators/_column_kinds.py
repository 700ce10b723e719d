"""The kind of a DataFrame column, from which its automatic likelihood follows.

A bool, a category, ordered levels, a number with a point mass, a count or a
real: :func:`column_kind` reads it from the column's dtype and values, and
:func:`choose` gives the column the registered likelihood whose
``column_kind`` it is (or the one asked for), its levels and, for a column
of one value, that constant; :class:`~skvae._estimators._table.TableSchema`
calls it for each column.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from skvae.core._persistence import to_plain
from skvae.core._utils import warn
from skvae.core.likelihoods._registry import (
    MAX_LEVELS,
    automatic_column,
    likelihood_class,
)

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


def check_dtype(name, dtype):
    """Refuse a dtype skvae does not model, saying how to convert it."""
    if ptypes.is_datetime64_any_dtype(dtype) or ptypes.is_timedelta64_dtype(dtype):
        column = f"df[{name!r}]"
        example = (
            f"{column}.dt.total_seconds()"
            if ptypes.is_timedelta64_dtype(dtype)
            else f"{column}.dt.year or ({column} - {column}.min()).dt.days"
        )
        raise ValueError(
            f"Column {name!r} has dtype {dtype}, which skvae does not model. "
            f"Convert it to numbers first, for example {example}, or drop it."
        )
    if ptypes.is_complex_dtype(dtype):
        raise ValueError(f"Column {name!r} is complex; split it into two real columns.")


def choose(name, series, chosen, allowed):
    """A column's likelihood name (None for a real column), levels and constant
    (see :class:`~skvae._estimators._table.TableSchema`), from the name asked
    for ("auto" or one of ``allowed``)."""
    if chosen not in (*allowed, "auto"):
        raise ValueError(
            f"likelihood[{name!r}]={chosen!r} is not a column likelihood; "
            f"expected one of {allowed}."
        )
    if not series.notna().any():  # nothing to model: it stays missing
        categorical = isinstance(series.dtype, pd.CategoricalDtype)
        return None, levels_of(name, series) if categorical else None, np.nan
    auto = chosen == "auto"
    if auto:
        kind = column_kind(series)
        chosen = None if kind == "real" else automatic_column(kind)
    lik = None if chosen is None else likelihood_class(chosen)
    if lik is not None and lik.levelled:
        lv = levels_of(name, series)
        if auto and numbers_as_objects(series):
            warn(
                f"Column {name!r} holds numbers stored as objects, so it is "
                f"modelled as a category of its {len(lv)} values. To model "
                f"numbers, pass pd.to_numeric(df[{name!r}]); to keep the "
                "category and silence this, .astype('category')."
            )
        return chosen, lv, 0.0 if len(lv) == 1 else None
    if not (
        ptypes.is_numeric_dtype(series.dtype) or ptypes.is_bool_dtype(series.dtype)
    ):
        raise ValueError(
            f"Column {name!r} holds {series.dtype} values and cannot take "
            f"likelihood {chosen!r}, which models numbers; use 'categorical'."
        )
    distinct = np.unique(numeric(series))
    distinct = distinct[~np.isnan(distinct)]
    return chosen, None, float(distinct[0]) if distinct.size == 1 else None


def levels_of(name, series):
    """A category column's levels: its categories, or its sorted values."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        levels = list(series.cat.categories)
    else:
        levels = sorted(
            pd.unique(series.dropna()).tolist(), key=lambda v: (str(type(v)), v)
        )
    if len(levels) > MAX_LEVELS:
        why = (
            f"it holds numbers stored as objects: pd.to_numeric(df[{name!r}]) "
            "makes it a number column"
            if numbers_as_objects(series)
            else "it looks like an identifier or free text. Drop it, or group "
            "its rare levels"
        )
        raise ValueError(
            f"Column {name!r} has {len(levels)} levels, more than the "
            f"{MAX_LEVELS} a categorical column may have: {why}."
        )
    return to_plain(levels)


def numbers_as_objects(series):
    """Whether an object column holds numbers only (decimals read from SQL,
    floats beside None), which "auto" reads as levels, by the dtype."""
    return series.dtype == object and ptypes.infer_dtype(series, skipna=True) in (
        "integer",
        "floating",
        "mixed-integer-float",
        "decimal",
    )
