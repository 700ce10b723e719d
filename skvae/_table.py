"""Mixed-type tables: one likelihood per column, chosen from the pandas dtypes.

A :class:`TableSchema` is fitted on a DataFrame. It maps the table to the
float matrix the core models (a category as its level code, a flag as 0/1, a
count as it is, a real column standardised; NaN where an entry is missing)
and maps model output back to a DataFrame with the original columns, dtypes
and levels. It holds plain values only, so the safe file format stores it.
``_TableMixin`` is the estimators' side of it.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from typing import ClassVar

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.utils.validation import validate_data

from skvae._heterogeneous import MAX_LEVELS, build_likelihood, per_column
from skvae._validation import validate_X

# The likelihoods a column may take (``likelihood={column: name}``).
COLUMN_LIKELIHOODS = (
    "gaussian",
    "cauchy",
    "lognormal",
    "poisson",
    "negbin",
    "bernoulli",
    "categorical",
    "ordinal",
)
_LEVELLED = ("categorical", "ordinal")  # coded 0 .. K-1 with a list of levels
_SCALED = ("gaussian", "cauchy")  # standardised inside the schema


def is_table(X):
    """Whether X is a DataFrame with a column that is not a float."""
    if not isinstance(X, pd.DataFrame):
        return False
    return any(not ptypes.is_float_dtype(dt) for dt in X.dtypes)


def _check_dtype(name, dtype):
    if ptypes.is_datetime64_any_dtype(dtype) or ptypes.is_timedelta64_dtype(dtype):
        raise ValueError(
            f"Column {name!r} has dtype {dtype}, which skvae does not model. "
            "Convert it to numbers first, for example "
            f"df[{name!r}].dt.year or (df[{name!r}] - df[{name!r}].min()).dt.days, "
            "or drop it."
        )
    if ptypes.is_complex_dtype(dtype):
        raise ValueError(f"Column {name!r} is complex; split it into two real columns.")


def auto_likelihood(series, real):
    """The likelihood ``likelihood="auto"`` gives a column, from its dtype."""
    dtype = series.dtype
    if ptypes.is_bool_dtype(dtype):
        return "bernoulli"
    if isinstance(dtype, pd.CategoricalDtype) and dtype.ordered:
        return "ordinal"
    if (
        isinstance(dtype, pd.CategoricalDtype)
        or ptypes.is_object_dtype(dtype)
        or ptypes.is_string_dtype(dtype)
    ):
        return "categorical"
    if ptypes.is_integer_dtype(dtype):
        values = series.dropna()
        return "negbin" if values.empty or values.min() >= 0 else real
    return real


class TableSchema:
    """The columns of a DataFrame, their likelihoods and how to encode them.

    Parameters
    ----------
    columns : list of str
        The column names.
    likelihoods : list of str
        Each column's likelihood, one of :data:`COLUMN_LIKELIHOODS`.
    levels : list
        For a category column the list of its levels (their order gives the
        codes), else None.
    dtypes : list of dict
        What each column's dtype was (rebuilt by :meth:`decode`).
    loc, scale : list of float
        The standardisation of the Gaussian and Cauchy columns (0 and 1 for
        the others).
    """

    def __init__(self, columns, likelihoods, levels, dtypes, loc, scale):
        self.columns = list(columns)
        self.likelihoods = list(likelihoods)
        self.levels = list(levels)
        self.dtypes = list(dtypes)
        self.loc = np.asarray(loc, dtype=np.float64)
        self.scale = np.asarray(scale, dtype=np.float64)

    # ---------------------------------------------------------------- fitting
    @classmethod
    def fit(cls, X, likelihood, real):
        """Choose each column's likelihood and read its levels and moments.

        ``likelihood`` is "auto" or a dict ``{column: name}`` (the other
        columns "auto"); ``real`` is what "auto" gives a float column.
        """
        overrides = likelihood if isinstance(likelihood, dict) else {}
        names = [str(c) for c in X.columns]
        unknown = sorted(set(map(str, overrides)) - set(names))
        if unknown:
            raise ValueError(
                f"likelihood names columns {unknown} that X does not have; its "
                f"columns are {names[:20]}{' ...' if len(names) > 20 else ''}."
            )
        overrides = {str(k): v for k, v in overrides.items()}
        likelihoods, levels, dtypes, loc, scale = [], [], [], [], []
        for name, column in zip(names, X.columns, strict=True):
            series = X[column]
            _check_dtype(name, series.dtype)
            chosen = overrides.get(name, "auto")
            if chosen not in (*COLUMN_LIKELIHOODS, "auto"):
                raise ValueError(
                    f"likelihood[{name!r}]={chosen!r} is not a column likelihood; "
                    f"expected one of {list(COLUMN_LIKELIHOODS)}."
                )
            if chosen == "auto":
                chosen = auto_likelihood(series, real)
            lv = None
            if chosen in _LEVELLED:
                lv = _levels(name, series)
            elif not (
                ptypes.is_numeric_dtype(series.dtype)
                or ptypes.is_bool_dtype(series.dtype)
            ):
                raise ValueError(
                    f"Column {name!r} holds {series.dtype} values and cannot take "
                    f"likelihood {chosen!r}, which models numbers; use "
                    "'categorical'."
                )
            values = _numeric(series) if lv is None else None
            if chosen == "bernoulli":
                bad = values[~np.isnan(values)]
                bad = np.setdiff1d(bad, [0.0, 1.0])
                if bad.size:
                    raise ValueError(
                        f"Column {name!r} takes likelihood 'bernoulli' but holds "
                        f"values other than 0/1 (for example {bad[:3].tolist()}); "
                        "use 'categorical' for a column with two other values."
                    )
            if chosen in _SCALED:
                observed = values[~np.isnan(values)]
                m = float(observed.mean()) if observed.size else 0.0
                s = float(observed.std()) if observed.size else 1.0
                loc.append(m)
                scale.append(s if s > 0 else 1.0)
            else:
                loc.append(0.0)
                scale.append(1.0)
            likelihoods.append(chosen)
            levels.append(lv)
            dtypes.append(_describe(series.dtype))
        return cls(names, likelihoods, levels, dtypes, loc, scale)

    def specs(self):
        """The core's per-column likelihood names (``"categorical:K"``, ...)."""
        return [
            f"{lik}:{len(lv)}" if lik in _LEVELLED else lik
            for lik, lv in zip(self.likelihoods, self.levels, strict=True)
        ]

    # --------------------------------------------------------------- mapping
    def encode(self, X, handle_unknown="error", dtype=np.float64):
        """X as the model's float matrix: codes, 0/1, counts, standardised reals."""
        out = np.empty((len(X), len(self.columns)), dtype=dtype)
        for j, (column, lv) in enumerate(zip(X.columns, self.levels, strict=True)):
            series = X[column]
            if lv is None:
                out[:, j] = (_numeric(series) - self.loc[j]) / self.scale[j]
                continue
            missing = series.isna().to_numpy()
            values = np.asarray(series, dtype=object)
            codes = pd.Index(lv).get_indexer(values).astype(np.float64)
            unknown = (codes < 0) & ~missing
            if unknown.any() and handle_unknown == "error":
                seen = pd.unique(series[unknown])[:5].tolist()
                raise ValueError(
                    f"Column {self.columns[j]!r} has levels not seen during fit: "
                    f"{seen}. Set handle_unknown='ignore' to treat them as "
                    "missing entries."
                )
            codes[codes < 0] = np.nan  # missing, or unknown and ignored
            out[:, j] = codes
        return out

    def decode(self, M, index=None):
        """The model's matrix as a DataFrame with the fitted columns and dtypes."""
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
                data[name] = _rebuild_levels(codes, lv, dt)
                continue
            values = values * self.scale[j] + self.loc[j]
            data[name] = _rebuild_numeric(values, missing, dt)
        return pd.DataFrame(data, index=index)

    # ----------------------------------------------------------- persistence
    def to_dict(self):
        """The schema as plain values (for the safe file format)."""
        return {
            "columns": self.columns,
            "likelihoods": self.likelihoods,
            "levels": [
                None if lv is None else [_plain(v) for v in lv] for lv in self.levels
            ],
            "dtypes": self.dtypes,
            "loc": self.loc.tolist(),
            "scale": self.scale.tolist(),
        }

    @classmethod
    def from_dict(cls, d):
        """Rebuild a schema from :meth:`to_dict`'s output."""
        return cls(**d)


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _numeric(series):
    """A numeric or boolean column as float64 with NaN for missing entries."""
    return series.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)


def _levels(name, series):
    if isinstance(series.dtype, pd.CategoricalDtype):
        levels = list(series.cat.categories)
    else:
        levels = sorted(
            pd.unique(series.dropna()).tolist(), key=lambda v: (str(type(v)), v)
        )
    if len(levels) > MAX_LEVELS:
        raise ValueError(
            f"Column {name!r} has {len(levels)} levels, more than the "
            f"{MAX_LEVELS} a categorical column may have: it looks like an "
            "identifier or free text. Drop it, or group its rare levels."
        )
    if len(levels) < 2:
        raise ValueError(
            f"Column {name!r} has {len(levels)} level(s): a category needs at "
            "least 2 to model anything. Drop it."
        )
    return [_plain(v) for v in levels]


def _describe(dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        return {
            "kind": "category",
            "ordered": bool(dtype.ordered),
            "categories_dtype": str(dtype.categories.dtype),
        }
    return {"kind": "plain", "dtype": str(dtype)}


def _rebuild_levels(codes, levels, dt):
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


def _rebuild_numeric(values, missing, dt):
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


class _TableMixin:
    """The estimator side of mixed tables: the only code that uses a schema.

    ``_validate_X`` fits the :class:`TableSchema` on a mixed DataFrame at
    ``fit`` (``self._table``, None otherwise) and encodes tables at every call;
    ``_output`` decodes model output; the other methods are the table's part
    of fitting and scoring.
    """

    # What likelihood="auto" gives a float column of a mixed table.
    _real_likelihood: ClassVar[str] = "gaussian"
    # The fitted schema; the class default serves models saved before tables.
    _table = None

    def _reads_table(self, X, reset):
        """Whether this call reads X as a mixed table (at fit: from X and the
        ``likelihood`` parameter; afterwards: whether the fit did)."""
        if not reset:
            return self._table is not None
        return isinstance(self.likelihood, dict) or (
            self.likelihood == "auto" and is_table(X)
        )

    def _validate_X(self, X, reset, copy_readonly=True):
        """X as floats, NaN where an entry is missing (see ``validate_X``).

        A DataFrame with non-float columns under ``likelihood="auto"`` (or any
        DataFrame with a dict ``likelihood``) is a mixed table: a
        :class:`~skvae._table.TableSchema`, fitted when ``reset``, encodes it.
        """
        if reset:
            self._table = None
            if self._reads_table(X, reset):
                if not isinstance(X, pd.DataFrame):
                    raise ValueError(
                        "A dict likelihood names DataFrame columns, but X is a "
                        f"{type(X).__name__}. Pass a DataFrame, or a likelihood "
                        "name for every feature."
                    )
                self._table = TableSchema.fit(X, self.likelihood, self._real_likelihood)
        table = self._table
        if table is None:
            return validate_X(self, X, reset=reset, copy_readonly=copy_readonly)
        if (
            not isinstance(X, pd.DataFrame)
            or list(map(str, X.columns)) != table.columns
        ):
            if isinstance(X, pd.DataFrame):  # scikit-learn's message on the names
                probe = pd.DataFrame(np.zeros((1, X.shape[1])), columns=X.columns)
                validate_data(self, probe, reset=False)
            raise ValueError(
                f"{type(self).__name__} was fitted on a DataFrame with columns "
                f"{table.columns[:10]}{' ...' if len(table.columns) > 10 else ''}; "
                "pass a DataFrame with the same columns, in the same order."
            )
        M = table.encode(X, self.handle_unknown, np.dtype(self.dtype))
        frame = pd.DataFrame(M, columns=X.columns, index=X.index, copy=False)
        return validate_data(
            self, frame, reset=reset, dtype=M.dtype, ensure_all_finite="allow-nan"
        )

    def _output(self, M):
        """Model output back in data space: a DataFrame for a mixed table."""
        M = self._from_model_space(M)
        table = self._table
        return M if table is None else table.decode(M)

    @property
    def likelihoods_(self):
        """The likelihood of each input feature, by feature name."""
        config = self.module_.config
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            names = [f"x{j}" for j in range(config.n_features)]
        table = self._table
        chosen = (
            table.likelihoods
            if table is not None
            else per_column(config.likelihood, config.n_features)
        )
        return dict(zip(map(str, names), chosen, strict=True))

    def _table_likelihood(self, low, high):
        """The per-column likelihood names, checked against each column's range."""
        specs = self._table.specs()
        _check_columns(build_likelihood(specs), low, high, self._table)
        return specs

    def _check_table_rows(self, X):
        """Counts and the like stay in their support at transform and scoring."""
        table = self._table
        if table is not None:
            low, high = np.fmin.reduce(X, axis=0), np.fmax.reduce(X, axis=0)
            _check_columns(self.module_.likelihood, low, high, table)

    def _in_table_units(self, scores, per_feature):
        """Scores with the standardisation's Jacobian added back (mixed tables)."""
        table = self._table
        if table is None:
            return scores
        log_scale = np.log(table.scale).astype(scores.dtype)
        return scores - (log_scale if per_feature else log_scale.sum())


def _check_columns(likelihood, low, high, table):
    """A per-column likelihood's support, from each column's observed range."""
    errors = likelihood.column_support_errors(low, high, table.columns)
    if errors:
        raise ValueError("; ".join(errors[:5]))
