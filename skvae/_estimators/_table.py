"""Mixed-type tables: the columns of a DataFrame, their likelihoods and dtypes.

A :class:`TableSchema` is fitted on a DataFrame. It maps the table to a float
matrix (a category as its level code, a flag as 0/1, numbers as they are; NaN
where an entry is missing) and maps such a matrix back to a DataFrame with the
original columns, dtypes and levels. It chooses each column's likelihood from
its dtype through the traits of the registered likelihoods, and records the
mean and standard deviation of the columns that are standardised; the
:class:`~skvae._estimators._model_space.ModelSpace` applies them. It holds
plain values only, so the safe file format stores it.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from skvae._estimators._column_kinds import check_dtype, choose, numeric
from skvae.core._persistence import to_plain
from skvae.core._utils import first_of, warn
from skvae.core.likelihoods._registry import (
    column_likelihoods,
    likelihood_class,
)


def is_table(X):
    """Whether X is a DataFrame with a column that is not a float."""
    if not isinstance(X, pd.DataFrame):
        return False
    return any(not ptypes.is_float_dtype(dt) for dt in X.dtypes)


class TableSchema:
    """The columns of a DataFrame, their likelihoods and how to encode them.

    Parameters
    ----------
    columns : list of str
        The column names.
    likelihoods : list of str or None
        Each column's likelihood name; None for a real-valued column whose
        likelihood the estimator chooses (see :meth:`specs`).
    levels : list
        For a category column the list of its levels (their order gives the
        codes), else None.
    dtypes : list of dict
        What each column's dtype was (rebuilt by :meth:`decode`).
    loc, scale : list of float
        The standardisation of the columns whose likelihood's scale is in x's
        units (0 and 1 for the others).
    constants : list of float or None
        For a column that holds one value (one level, one number, the rest
        missing), that value as the model's matrix holds it (a level's code);
        NaN for a column with no observed value; None for the others. The
        model leaves such columns out.
    ranges : list of [float, float] or None, optional
        For a modelled column of numbers without levels, its smallest and
        largest observed value (``sample`` keeps its draws within them);
        None for the others, and for every column of a schema saved
        without them.
    """

    def __init__(
        self, columns, likelihoods, levels, dtypes, loc, scale, constants, ranges=None
    ):
        self.columns = list(columns)
        self.likelihoods = list(likelihoods)
        self.levels = list(levels)
        self.dtypes = list(dtypes)
        self.loc = np.asarray(loc, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)
        self.constants = list(constants)
        self.ranges = [None] * len(self.columns) if ranges is None else list(ranges)

    @property
    def constant(self):
        """Boolean mask of the columns that hold one value (or none: ``empty``)."""
        return np.array([c is not None for c in self.constants], dtype=bool)

    @property
    def empty(self):
        """Boolean mask of the columns with no observed value (their constant is
        NaN: they come back missing)."""
        return np.array([c is not None and c != c for c in self.constants], dtype=bool)

    # ---------------------------------------------------------------- fitting
    @classmethod
    def fit(cls, X, likelihood):
        """Choose each column's likelihood and read its levels and moments.

        ``likelihood`` is "auto" or a dict ``{column: name}`` (the other
        columns "auto"). "auto" picks by the column's kind
        (:func:`column_kind`) the registered likelihood whose
        ``column_kind`` it is, and leaves real-valued columns to the
        estimator (None).
        """
        overrides = likelihood if isinstance(likelihood, dict) else {}
        names = [str(c) for c in X.columns]
        repeated = sorted(n for n, k in Counter(names).items() if k > 1)
        if repeated:
            raise ValueError(
                f"X has more than one column named {repeated[:5]}; give each "
                "column a name of its own (for example with DataFrame.rename)."
            )
        unknown = sorted(set(map(str, overrides)) - set(names))
        if unknown:
            raise ValueError(
                f"likelihood names columns {unknown} that X does not have; its "
                f"columns are {first_of(names, 20)}."
            )
        overrides = {str(k): v for k, v in overrides.items()}
        allowed = column_likelihoods()
        likelihoods, levels, dtypes, loc, scale, constants, ranges = (
            [] for _ in range(7)
        )
        for name, column in zip(names, X.columns, strict=True):
            series = X[column]
            check_dtype(name, series.dtype)
            chosen, lv, constant = choose(
                name, series, overrides.get(name, "auto"), allowed
            )
            lik = None if chosen is None else likelihood_class(chosen)
            values = numeric(series) if lv is None and constant is None else None
            if (lik is None or lik.scales_x) and constant is None:  # standardised
                m, s = _moments(values, lik is not None and lik.point_mass)
                loc.append(m)
                scale.append(s)
            else:
                loc.append(0.0)
                scale.append(1.0)
            likelihoods.append(chosen)
            levels.append(lv)
            dtypes.append(_describe(series.dtype))
            constants.append(constant)
            ranges.append(
                None if values is None else [np.nanmin(values), np.nanmax(values)]
            )
        schema = cls(names, likelihoods, levels, dtypes, loc, scale, constants, ranges)
        empty = np.asarray(names, dtype=object)[schema.empty].tolist()
        held = np.asarray(names, dtype=object)[schema.constant & ~schema.empty].tolist()
        if held:
            warn(
                f"{len(held)} column(s) hold a single value ({first_of(held)}): "
                "the model leaves them out, "
                "and sample, inverse_transform and imputation return that value."
            )
        if empty:
            warn(
                f"{len(empty)} column(s) have no observed value ({first_of(empty)}): "
                "the model leaves them out, "
                "and sample and inverse_transform return them missing; VAEImputer "
                "drops them, or fills them with 0 (keep_empty_features)."
            )
        return schema

    def specs(self, real):
        """The core's likelihood names of the modelled columns (not the constant
        ones), with ``real`` for the real-valued columns.

        A category column is ``"categorical:K"`` (its name and its K levels).
        """
        return [
            real if lik is None else f"{lik}:{len(lv)}" if lv is not None else lik
            for lik, lv, c in zip(
                self.likelihoods, self.levels, self.constants, strict=True
            )
            if c is None
        ]

    # --------------------------------------------------------------- mapping
    def encode(self, X, handle_unknown="error"):
        """X as a float64 matrix: level codes, 0/1, numbers; NaN where missing."""
        out = np.empty((len(X), len(self.columns)), dtype=np.float64)
        empty = self.empty
        for j, (column, lv) in enumerate(zip(X.columns, self.levels, strict=True)):
            series = X[column]
            if empty[j]:  # any value is unknown
                out[:, j] = np.nan
                self._unknown(j, series, out[:, j], handle_unknown)
                continue
            if lv is None:
                out[:, j] = numeric(series)
                if self.constants[j] is not None:  # another value is unknown
                    self._unknown(j, series, out[:, j], handle_unknown)
                continue
            if _is_number(self.dtypes[j]) and self.constants[j] is None:
                # numbers take the nearest level: an unseen price is no error
                out[:, j] = _nearest(numeric(series), lv)
                continue
            values = np.asarray(series, dtype=object)
            codes = pd.Index(lv).get_indexer(values).astype(np.float64)
            codes[codes < 0] = np.nan  # missing, or unknown
            self._unknown(j, series, codes, handle_unknown)
            out[:, j] = codes
        return out

    def _unknown(self, j, series, values, handle_unknown):
        """Raise for entries of column j not seen during fit (a level, or a
        constant column's other value), or make them missing in ``values``."""
        constant = self.constants[j]
        unknown = np.isnan(values) & ~series.isna().to_numpy()
        if constant is not None and self.levels[j] is None:
            unknown |= ~np.isnan(values) & (values != constant)
        if not unknown.any():
            return
        if handle_unknown == "error":
            seen = pd.unique(series[unknown])[:5].tolist()
            numbers = self.levels[j] is None or _is_number(self.dtypes[j])
            what = "values" if numbers else "levels"
            raise ValueError(
                f"Column {self.columns[j]!r} has {what} not seen during fit: "
                f"{seen}. Set handle_unknown='ignore' to treat them as missing "
                "entries."
            )
        values[unknown] = np.nan

    def decode(self, M, index=None):
        """A float matrix (codes, numbers) as a DataFrame with the fitted dtypes."""
        data = {}
        for j, (name, lv, dt) in enumerate(
            zip(self.columns, self.levels, self.dtypes, strict=True)
        ):
            values = np.asarray(M[:, j], dtype=np.float64)
            missing = np.isnan(values)
            if lv is not None:
                codes = np.where(missing, -1, np.rint(np.nan_to_num(values))).astype(
                    int
                )
                codes = np.clip(codes, -1, len(lv) - 1)
                data[name] = _rebuildlevels_of(codes, lv, dt)
                continue
            data[name] = _rebuildnumeric(values, missing, dt)
        frame = pd.DataFrame(data)  # then the index: a Series would align on it
        if index is not None:
            frame.index = index
        return frame

    # ----------------------------------------------------------- persistence
    def to_dict(self):
        """The schema as plain values (for the safe file format)."""
        return {
            "columns": self.columns,
            "likelihoods": self.likelihoods,
            "levels": [None if lv is None else to_plain(lv) for lv in self.levels],
            "dtypes": self.dtypes,
            "loc": self.loc.tolist(),
            "scale": self.scale.tolist(),
            "constants": self.constants,
            "ranges": [
                None if r is None else [float(v) for v in r] for r in self.ranges
            ],
        }

    @classmethod
    def from_dict(cls, d):
        """Rebuild a schema from :meth:`to_dict`'s output."""
        return cls(**d)


def _is_number(dt):
    """Whether a described dtype holds numbers (not a category or strings)."""
    if dt["kind"] != "plain":
        return False
    dtype = pd.api.types.pandas_dtype(dt["dtype"])
    return ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype)


def _nearest(values, levels):
    """The code of the level nearest to each value (NaN stays NaN)."""
    levels = np.asarray(levels, dtype=np.float64)
    right = np.clip(np.searchsorted(levels, values), 1, len(levels) - 1)
    left = right - 1
    if len(levels) == 1:
        codes = np.zeros(len(values))
    else:
        nearer_left = np.abs(values - levels[left]) <= np.abs(levels[right] - values)
        codes = np.where(nearer_left, left, right).astype(np.float64)
    codes[np.isnan(values)] = np.nan
    return codes


def _moments(values, point_mass):
    """The loc and scale that standardise a column: its mean and standard
    deviation; with a point mass, its most frequent value (the model's 0) and
    the standard deviation of its other values."""
    values = values[~np.isnan(values)]
    if not values.size:
        return 0.0, 1.0
    loc = float(values.mean())
    if point_mass:
        distinct, counts = np.unique(values, return_counts=True)
        loc = float(distinct[counts.argmax()])
        values = values[values != loc]
    scale = float(values.std()) if values.size > 1 else 0.0
    return loc, scale if scale > 0 else 1.0


def _describe(dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "kind": "category",
            "ordered": bool(dtype.ordered),
            "categories_dtype": str(dtype.categories.dtype),
        }
    if isinstance(dtype, pd.StringDtype) and dtype.na_value is pd.NA:
        return {"kind": "plain", "dtype": f"string[{dtype.storage}]"}  # str(): string
    return {"kind": "plain", "dtype": str(dtype)}


def _rebuildlevels_of(codes, levels, dt):
    if dt["kind"] == "category":
        categories = pd.Index(levels, dtype=dt["categories_dtype"])
        return pd.Categorical.from_codes(
            codes, categories=categories, ordered=dt["ordered"]
        )
    values = np.asarray(levels, dtype=object)[np.maximum(codes, 0)]
    series = pd.Series(values, dtype=object)
    series[codes < 0] = None
    try:
        return series.astype(dt["dtype"])
    except (TypeError, ValueError):  # pragma: no cover - an exotic dtype
        return series


def _rebuildnumeric(values, missing, dt):
    dtype = pd.api.types.pandas_dtype(dt["dtype"])
    if ptypes.is_bool_dtype(dtype):
        flags = pd.array(values >= 0.5, dtype="boolean")
        flags[missing] = pd.NA
        if missing.any() or isinstance(dtype, pd.BooleanDtype):
            return flags
        return flags.astype(bool)
    if ptypes.is_integer_dtype(dtype):
        rounded = np.rint(np.where(missing, 0.0, values))
        if ptypes.is_unsigned_integer_dtype(dtype):
            rounded = np.maximum(rounded, 0.0)
        ints = pd.array(rounded.astype(np.int64), dtype="Int64")
        ints[missing] = pd.NA
        nullable = isinstance(dtype, pd.api.extensions.ExtensionDtype)
        if nullable:
            return ints.astype(dtype)
        return ints.astype(dtype) if not missing.any() else ints
    return pd.array(values, dtype=dtype) if dtype != np.float64 else values
