"""VAEImputer: fills missing values from a VAE fitted to the incomplete data."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import pandas as pd
from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from skvae._estimators._base import _BaseVAE
from skvae._estimators._docs import fill
from skvae._estimators._param_docs import (
    ATTRIBUTES,
    DETECTOR_ATTRIBUTES,
    IMPUTER_ATTRIBUTES,
    IMPUTER_PARAMETERS,
    PARAMETERS,
    section,
)
from skvae._estimators._plan import (
    FitPlan,
    draws_for_validation,
    latent_plan,
    likelihood_of,
)
from skvae.core._inference import impute_rows

_PARAMETERS = [
    "missing_values",
    "sample_posterior",
    "add_indicator",
    "keep_empty_features",
    "n_components",
    "n_importance_draws",
    *[k for k in PARAMETERS if k != "n_components"],
]
_ATTRIBUTES = [
    "mean_",
    "scale_",
    "empty_features_",
    "indicator_features_",
    *ATTRIBUTES,
]


class VAEImputer(_BaseVAE):
    __doc__ = f"""Imputation of missing values by a variational autoencoder.

    The imputer fits a VAE to the incomplete data by maximising the ELBO of
    each row's observed entries (the missing ones are masked out of the
    likelihood, as in MIWAE; Mattei & Frellsen, 2019), then fills each hole
    from the model's conditional distribution p(x_miss | x_obs). By default
    :meth:`transform` returns the conditional mean E[x_miss | x_obs],
    estimated by self-normalised importance sampling over q(z | x_obs) with
    ``n_importance_draws`` draws; with ``sample_posterior=True`` it returns
    a draw from p(x_miss | x_obs) (sampling-importance-resampling), so that
    imputers with different ``random_state`` give multiple imputations.
    Observed entries pass through unchanged. Features are standardised
    internally with the mean and standard deviation of their observed
    entries (``mean_``, ``scale_``) for the Gaussian and Cauchy likelihoods.

    Parameters
    ----------
{section(_PARAMETERS, IMPUTER_PARAMETERS, PARAMETERS)}

    Attributes
    ----------
{section(_ATTRIBUTES, IMPUTER_ATTRIBUTES, DETECTOR_ATTRIBUTES, ATTRIBUTES)}

    See Also
    --------
    sklearn.impute.IterativeImputer : Imputes each feature from the others
        by a round-robin of regressions (MICE).
    sklearn.impute.KNNImputer : Imputes from the nearest complete neighbours.
    sklearn.impute.SimpleImputer : Imputes with a column statistic.
    VAETransformer : The VAE as a transformer to latent codes; it accepts
        missing values too.

    Notes
    -----
    A row with no observed entry is filled from the prior predictive
    distribution, E[x] under p(z) p(x | z) (a draw with
    ``sample_posterior=True``), so a pipeline never fails on it. An array's
    column with no observed entry at :meth:`fit` is left out of the model;
    see ``keep_empty_features``. A column of a DataFrame that holds one value
    is returned as that value.

    References
    ----------
    P.-A. Mattei and J. Frellsen, "MIWAE: Deep Generative Modelling and
    Imputation of Incomplete Data Sets", ICML 2019, arXiv:1812.02633.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEImputer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(200, 3) @ [[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 0.1]]
    >>> X_holes = X.copy()
    >>> X_holes[rng.rand(200, 3) < 0.2] = np.nan
    >>> imputer = VAEImputer(max_iter=20, random_state=0).fit(X_holes)
    >>> X_filled = imputer.transform(X_holes)
    >>> bool(np.isnan(X_filled).any())
    False
    >>> observed = ~np.isnan(X_holes)
    >>> bool(np.array_equal(X_filled[observed], X_holes[observed]))
    True
    """

    _parameter_constraints: ClassVar[dict] = {
        **_BaseVAE._parameter_constraints,
        "missing_values": [Real],
        "sample_posterior": ["boolean"],
        "add_indicator": ["boolean"],
        "keep_empty_features": ["boolean"],
        "n_importance_draws": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        missing_values=np.nan,
        sample_posterior=False,
        add_indicator=False,
        keep_empty_features=False,
        n_components="auto",
        n_importance_draws=1000,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        likelihood="auto",
        handle_unknown="error",
        decoder_variance="per_sample",
        var_smoothing=1e-3,
        beta=1.0,
        objective="elbo",
        n_train_draws="auto",
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter="auto",
        shuffle=True,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change="auto",
        warm_start=False,
        score_method="elbo",
        n_score_draws=10,
        device="auto",
        dtype="float32",
        mixed_precision=None,
        random_state=None,
        verbose=0,
    ):
        self.missing_values = missing_values
        self.sample_posterior = sample_posterior
        self.add_indicator = add_indicator
        self.keep_empty_features = keep_empty_features
        self.n_components = n_components
        self.n_importance_draws = n_importance_draws
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.likelihood = likelihood
        self.handle_unknown = handle_unknown
        self.decoder_variance = decoder_variance
        self.var_smoothing = var_smoothing
        self.beta = beta
        self.objective = objective
        self.n_train_draws = n_train_draws
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.warm_start = warm_start
        self.score_method = score_method
        self.n_score_draws = n_score_draws
        self.device = device
        self.dtype = dtype
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.verbose = verbose

    def _plan(self, stats, space):
        """The imputer's decisions: the columns with an observed entry are
        modelled (an array's empty ones are left out; see
        ``keep_empty_features``), standardised for a likelihood with a scale,
        with half as many latent dimensions (at most 32) for "auto"; the
        columns with holes are recorded for ``add_indicator``; rows with no
        observed entry are accepted (their posterior is the prior). A table's
        empty columns are left out by its schema.
        """
        columns = None if space.table is not None else stats["count"] > 0
        n_features = len(stats["count"]) if columns is None else int(columns.sum())
        likelihood = likelihood_of(self, space, n_features)
        return FitPlan(
            likelihood=likelihood,
            **latent_plan(self.n_components, likelihood.n_features),
            standardize=likelihood.has_scale,
            columns=columns,
            indicator=self.add_indicator,
            empty_rows=True,
            validation_draws=draws_for_validation(self, stats["n_rows"]),
        )

    def _valid(self):
        """The input columns with an observed entry at fit."""
        space = self._space
        if space.table is not None:
            return ~space.table.empty
        if space.columns is None:
            return np.ones(self.n_features_in_, dtype=bool)
        return space.columns

    @property
    def empty_features_(self):
        """The features with no observed value at fit."""
        return np.flatnonzero(~self._valid())

    @property
    def indicator_features_(self):
        """The features that get an indicator column; None without add_indicator."""
        holes = self._space.with_holes
        return None if holes is None else np.flatnonzero(holes)

    @property
    def mean_(self):
        """Means of the modelled features, removed before a real-valued model."""
        return None if self._space.table is not None else self._space.loc

    @property
    def scale_(self):
        """Scales of the modelled features, divided out before a real-valued model."""
        return None if self._space.table is not None else self._space.scale

    # ---------------------------------------------------------- public methods
    @fill
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the VAE to the observed entries of X.

        {fit_sections}

        Examples
        --------
        {fitted_imputer}
        >>> imputer.n_features_in_, imputer.n_components_
        (4, 2)
        """
        return self._fit(X, y, incremental=False)

    @fill
    def transform(self, X):
        """Fill the missing entries of X.

        {X_param}

        Returns
        -------
        X_imputed : ndarray or DataFrame of shape (n_samples, n_features_out)
            X with every missing entry filled (a DataFrame, in the fitted
            dtypes, for a model fitted on one). A column that had no observed
            entry at :meth:`fit` is dropped, or is 0 with
            ``keep_empty_features=True``. With ``add_indicator=True`` the
            missing-value indicator columns follow.

        Examples
        --------
        {fitted_imputer}
        >>> X_filled = imputer.transform(X)
        >>> X_filled.shape, bool(np.isnan(X_filled).any())
        ((50, 4), False)
        """
        check_is_fitted(self)
        space = self._space
        X_read = space.read(self, X)
        missing = np.isnan(X_read)
        # a row with no observed entry gets the prior predictive: its q(z | x)
        # is the prior, so its weights p(z) / q(z) are all 1
        imputed = impute_rows(
            self.module_,
            space.to_model(X_read),
            n_draws=self.n_importance_draws,
            seed=self._score_seed,
            sample=self.sample_posterior,
        )
        filled = space.fill(X, X_read, imputed)
        indicators = self.indicator_features_
        valid = self._valid()
        if space.table is not None:
            filled = self._empty_columns(filled, valid)
            for j in [] if indicators is None else indicators:
                filled[f"missingindicator_{space.table.columns[j]}"] = missing[:, j]
            return filled
        if self.keep_empty_features:
            filled[:, ~valid] = 0.0
        else:
            filled = filled[:, valid]
        if indicators is not None:
            filled = np.hstack([filled, missing[:, indicators].astype(filled.dtype)])
        return filled

    def _empty_columns(self, filled, valid):
        """A table's columns with no observed value at fit: dropped, or 0 with
        ``keep_empty_features`` (as scikit-learn's imputers; a column of
        levels becomes an object column of 0, as in ``SimpleImputer``)."""
        if valid.all():
            return filled
        empty = filled.columns[~valid]
        if not self.keep_empty_features:
            return filled.drop(columns=empty)
        for column in empty:
            dtype = filled[column].dtype  # categories are not numeric dtypes
            keep = pd.api.types.is_numeric_dtype(dtype)
            filled[column] = pd.Series(0, index=filled.index).astype(
                dtype if keep else object
            )
        return filled

    @fill
    def get_feature_names_out(self, input_features=None):
        """Get output feature names: the input names, then the indicators'.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_``, or
            ``["x0", "x1", ...]`` without them.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The imputed features' names, then ``missingindicator_<name>`` for
            each indicator column.

        Examples
        --------
        {fitted_imputer}
        >>> imputer.get_feature_names_out().tolist()
        ['x0', 'x1', 'x2', 'x3']
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        out = list(names if self.keep_empty_features else names[self._valid()])
        if self.indicator_features_ is not None:
            columns = self.indicator_features_
            out += [f"missingindicator_{name}" for name in names[columns]]
        return np.asarray(out, dtype=object)

    @property
    def _n_features_out(self):
        return len(self.get_feature_names_out())
