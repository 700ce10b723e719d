"""The map between a user's X and the matrix the model sees, and back.

One :class:`ModelSpace` per fitted estimator holds every part of that map: the
:class:`~skvae._estimators._table.TableSchema` of a mixed DataFrame (codes,
dtypes, levels), the standardisation of the features (``loc``, ``scale``),
the input columns the model leaves out (a table's constant columns, an
imputer's empty features) and the columns that had holes at fit. Reading
validates X; ``to_model`` and ``from_model`` map between the data's units
and the model's; ``fill`` completes rows with holes.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import pandas as pd
from sklearn.utils.validation import validate_data

from skvae._estimators._table import TableSchema, is_table
from skvae._estimators._validation import validate_X
from skvae.core._utils import first_of


class ModelSpace:
    """The map between X (an array or a typed DataFrame) and the model's matrix.

    Parameters
    ----------
    table : TableSchema or None
        The schema of a mixed DataFrame; None for arrays and float frames.
    dtype : str
        The model's dtype, that a table is encoded in.
    """

    def __init__(self, table=None, dtype="float64"):
        self.table = table
        self.dtype = dtype
        self.loc = self.scale = None  # standardisation of the model's columns
        self.columns = None  # boolean mask of the input columns modelled
        self.with_holes = None  # boolean mask of the columns with holes at fit

    # ---------------------------------------------------------------- reading
    @classmethod
    def read_fit(cls, estimator, X, *, copy_readonly=True):
        """Validate training data (``reset``) and the space it defines: ``(space, X)``.

        A DataFrame with non-float columns under ``likelihood="auto"``, or any
        DataFrame with a dict ``likelihood``, is a mixed table: a
        :class:`TableSchema` is fitted on it.
        """
        likelihood = estimator.likelihood
        if isinstance(likelihood, dict) or (likelihood == "auto" and is_table(X)):
            if not isinstance(X, pd.DataFrame):
                raise ValueError(
                    "A dict likelihood names DataFrame columns, but X is a "
                    f"{type(X).__name__}. Pass a DataFrame, or a likelihood "
                    "name for every feature."
                )
            _check_marker(estimator)
            space = cls(TableSchema.fit(X, likelihood), estimator.dtype)
        else:
            space = cls(None, estimator.dtype)
        X = space.read(estimator, X, reset=True, copy_readonly=copy_readonly)
        return space, X

    def read(self, estimator, X, *, reset=False, copy_readonly=True):
        """X validated as floats, NaN where an entry is missing (data units).

        A table is encoded by its schema (level codes, 0/1, numbers); an array
        is validated by scikit-learn's ``validate_data`` (which sets
        ``n_features_in_`` and ``feature_names_in_`` when ``reset``), with an
        imputer's ``missing_values`` turned into NaN. ``copy_readonly=False``
        keeps a read-only array (a memmap) as it is, so that it can be
        streamed.
        """
        table = self.table
        missing_values = getattr(estimator, "missing_values", np.nan)
        if table is None:
            marker_is_nan = math.isnan(missing_values)
            X = validate_X(
                estimator,
                X,
                reset=reset,
                copy_readonly=copy_readonly,
                allow_nan=marker_is_nan,
            )
            if not marker_is_nan:
                X = np.where(X == missing_values, np.nan, X).astype(X.dtype)
            return X
        if (
            not isinstance(X, pd.DataFrame)
            or list(map(str, X.columns)) != table.columns
        ):
            if isinstance(X, pd.DataFrame):  # scikit-learn's message on the names
                probe = pd.DataFrame(np.zeros((1, X.shape[1])), columns=X.columns)
                validate_data(estimator, probe, reset=False)
            raise ValueError(
                f"{type(estimator).__name__} was fitted on a DataFrame with columns "
                f"{first_of(table.columns)}; "
                "pass a DataFrame with the same columns, in the same order."
            )
        _check_marker(estimator)
        M = table.encode(X, estimator.handle_unknown)
        frame = pd.DataFrame(M, columns=X.columns, index=X.index, copy=False)
        return validate_data(
            estimator, frame, reset=reset, dtype=M.dtype, ensure_all_finite="allow-nan"
        )

    # ---------------------------------------------------------------- fitting
    def fit(self, stats, *, standardize, centre=True, columns=None, indicator=False):
        """Fit the rest of the map from the training data's column statistics.

        Parameters
        ----------
        stats : dict
            ``column_stats`` of the data :meth:`read` returned.
        standardize : bool
            Standardise an array's features with the mean and standard
            deviation of their observed entries (a table's schema decides for
            its own columns).
        centre : bool, default=True
            Whether that standardisation subtracts the mean; False keeps an
            array's 0 where it is (a likelihood with a point mass at 0).
        columns : ndarray of bool, optional
            The input columns the model sees; None for all.
        indicator : bool, default=False
            Record which columns had missing entries (``with_holes``).
        """
        columns = self.modelled(columns)
        if self.table is not None and columns is not None and not columns.any():
            raise ValueError(
                "Every column of X holds a single value, or none: there is nothing to "
                "model. Fit on columns that vary."
            )
        if columns is not None and columns.all():
            columns = None
        self.columns = columns
        self.with_holes = stats["count"] < stats["n_rows"] if indicator else None
        if self.table is not None:
            self.loc, self.scale = self.table.loc, self.table.scale
        elif standardize:
            scale = np.sqrt(stats["var"])
            loc = stats["mean"] if centre else np.zeros_like(stats["mean"])
            self.loc, self.scale = loc, np.where(scale > 0, scale, 1.0)
        return self

    def modelled(self, columns=None):
        """The input columns the model sees: ``columns`` (None for all) less a
        table's constant and empty ones; None for all."""
        if self.table is None or not self.table.constant.any():
            return columns
        constant = self.table.constant
        return ~constant if columns is None else columns & ~constant

    # ---------------------------------------------------------------- mapping
    def _moments(self):
        if self.columns is None:
            return self.loc, self.scale
        return self.loc[self.columns], self.scale[self.columns]

    def to_model(self, X):
        """X (from :meth:`read`) in the model's space: the modelled columns,
        standardised; a table in the model's dtype."""
        if self.columns is not None:
            X = X[:, self.columns]
        if self.scale is None:
            return X
        loc, scale = self._moments()
        dtype = X.dtype if self.table is None else np.dtype(self.dtype)
        return ((X - loc) / scale).astype(dtype, copy=False)

    def from_model(self, M):
        """The model's values in the data's units (a table's in float64)."""
        if self.scale is None:
            return M
        loc, scale = self._moments()
        out = M * scale + loc
        return out if self.table is not None else out.astype(M.dtype, copy=False)

    def output(self, M, index=None, *, within_range=False):
        """The model's values as the user's data: an array, or a DataFrame
        (with a table's constant columns at their value). ``within_range``
        sets a table's number beyond its column's observed range at fit to
        the nearer end (as SDV's ``enforce_min_max_values``)."""
        M = self.from_model(M)
        table = self.table
        if table is None:
            return M
        if self.columns is not None:
            full = np.full((len(M), len(table.columns)), np.nan)
            full[:, self.columns] = M
            for j, value in enumerate(table.constants):
                if value is not None:
                    full[:, j] = value
            M = full
        if within_range:  # a constant column has no range: it is one value
            for j, bounds in enumerate(table.ranges):
                if bounds is not None:
                    M[:, j] = np.clip(M[:, j], *bounds)
        return table.decode(M, index=index)

    def fill(self, original, X, M, *, within_range=False):
        """``original`` with its missing entries filled from the model's ``M``.

        ``X`` is ``original`` as :meth:`read` returned it and ``M`` the model's
        values of its rows (in the model's space). Observed entries are kept
        exactly, not passed through the model. An array comes back with every
        input column (the ones the model leaves out stay NaN); a table as a
        DataFrame in the fitted dtypes (``within_range`` as in :meth:`output`).
        """
        missing = np.isnan(X)
        if self.table is None:
            filled = X.copy()
            columns = slice(None) if self.columns is None else self.columns
            filled[:, columns] = self.from_model(M)
            filled[~missing] = X[~missing]  # exactly, not through the scaling
            return filled
        filled = self.output(M, index=original.index, within_range=within_range)
        filled.columns = original.columns
        for j, column in enumerate(original.columns):
            observed = ~missing[:, j]
            if observed.any():  # exactly, not through the model
                values = original[column][observed].astype(filled[column].dtype)
                filled.loc[observed, column] = values.to_numpy()
        return filled

    def per_feature(self, scores):
        """Per-feature scores of the model's columns, widened to every input
        column: a column the model leaves out (a constant) adds 0 nats."""
        if self.columns is None:
            return scores
        full = np.zeros((len(scores), len(self.columns)), dtype=scores.dtype)
        full[:, self.columns] = scores
        return full

    def conditions(self, estimator, given, n_samples):
        """The rows of ``sample(given=...)``: the given entries, NaN elsewhere.

        ``given`` is a dict ``{column: value}`` (the same for every row, or a
        list of one value per row) or a DataFrame with some of the fitted
        columns, one row per drawn row (for
        an array fitted without feature names: a dict ``{index: value}`` or an
        array of shape (n_samples, n_features) with NaN where free). Returns
        what :meth:`read` takes.
        """
        names = getattr(estimator, "feature_names_in_", None)
        if names is None:
            names = list(range(estimator.n_features_in_))
        names = list(names)
        if isinstance(given, dict):
            unknown = [k for k in given if k not in names]
            if unknown:
                raise ValueError(
                    f"given names {unknown[:5]}, which are not columns the model "
                    f"was fitted on; they are {first_of(names)}."
                )
            if any(np.ndim(value) for value in given.values()):  # a value per row
                given = pd.DataFrame(given)
            else:
                given = pd.DataFrame(given, index=range(n_samples))
        if isinstance(given, pd.DataFrame):
            if len(given) != n_samples:
                raise ValueError(
                    f"given has {len(given)} rows and one row is drawn for each: "
                    f"pass n_samples={len(given)}."
                )
            unknown = [c for c in given.columns if c not in names]
            if unknown:
                raise ValueError(
                    f"given has columns {unknown[:5]} that the model was not fitted on."
                )
            frame = given.reindex(columns=names)  # its rows, under its index
        else:
            frame = np.asarray(given, dtype=np.float64)
            if frame.shape != (n_samples, len(names)):
                raise ValueError(
                    f"given must be a dict, a DataFrame or an array of shape "
                    f"(n_samples, n_features) = ({n_samples}, {len(names)}) with "
                    f"NaN where a value is free; got shape {frame.shape}."
                )
            return frame
        if self.table is not None:
            for j, name in enumerate(names):  # categories keep their dtype
                if self.table.levels[j] is not None:
                    frame[name] = frame[name].astype(object)
            return frame
        if getattr(estimator, "feature_names_in_", None) is not None:
            return frame.astype(np.float64)
        return frame.to_numpy(dtype=np.float64)

    def in_data_units(self, scores, X, per_feature=False):
        """Log-densities of the model's space as densities in the data's units.

        A standardised feature's log-density loses ``log(scale)`` (the
        Jacobian of the standardisation) in the rows of ``X`` (the scored
        rows, in the model's space) where it is observed: a hole has no
        density to convert.
        """
        if self.scale is None:
            return scores
        log_scale = np.log(self._moments()[1]).astype(scores.dtype)
        jacobian = np.where(np.isnan(X), 0.0, log_scale).astype(scores.dtype)
        return scores - (jacobian if per_feature else jacobian.sum(-1))

    # ----------------------------------------------------------- persistence
    def to_dict(self):
        """The space as plain values (for the safe file format)."""
        plain = lambda a: None if a is None else np.asarray(a).tolist()
        return {
            "table": None if self.table is None else self.table.to_dict(),
            "dtype": self.dtype,
            "loc": plain(self.loc),
            "scale": plain(self.scale),
            "columns": plain(self.columns),
            "with_holes": plain(self.with_holes),
        }

    @classmethod
    def from_dict(cls, d):
        """Rebuild a space from :meth:`to_dict`'s output."""
        table = None if d["table"] is None else TableSchema.from_dict(d["table"])
        space = cls(table, d["dtype"])
        array = lambda v, t: None if v is None else np.asarray(v, dtype=t)
        space.loc, space.scale = array(d["loc"], float), array(d["scale"], float)
        space.columns = array(d["columns"], bool)
        space.with_holes = array(d["with_holes"], bool)
        return space


def _check_marker(estimator):
    missing_values = getattr(estimator, "missing_values", np.nan)
    if not math.isnan(missing_values):
        raise ValueError(
            f"missing_values={missing_values!r}: in a mixed table a hole is NaN, "
            "None or pd.NA; use the default missing_values=np.nan."
        )
