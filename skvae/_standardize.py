"""Standardisation inside an estimator, from the observed training entries."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np

from skvae._heterogeneous import LIKELIHOODS


class _StandardizeMixin:
    """The model-space hooks of an estimator that standardises its input itself.

    For a likelihood with a scale (Gaussian, Cauchy) the model sees
    ``(X - mean_) / scale_``, with the mean and standard deviation of each
    column's observed entries (a constant column keeps scale 1); a Bernoulli
    model sees X as it is (``mean_ = scale_ = None``). Missing entries (NaN)
    stay missing.
    """

    def _fit_preprocessing(self, stats, likelihood):
        # a per-column likelihood (a list) is standardised by the TableSchema
        if isinstance(likelihood, str) and LIKELIHOODS[likelihood].has_scale:
            self.mean_ = stats["mean"]
            scale = np.sqrt(stats["var"])
            self.scale_ = np.where(scale > 0, scale, 1.0)
        else:
            self.mean_ = self.scale_ = None

    def _model_columns(self):
        """The input columns the model sees (a boolean mask), or None for all."""
        return None

    def _to_model_space(self, X):
        columns = self._model_columns()
        if columns is not None and not columns.all():
            X = X[:, columns]
        if self.scale_ is None:
            return X
        mean, scale = self._moments(columns)
        return ((X - mean) / scale).astype(X.dtype, copy=False)

    def _from_model_space(self, X):
        if self.scale_ is None:
            return X
        mean, scale = self._moments(self._model_columns())
        return (X * scale + mean).astype(X.dtype, copy=False)

    def _moments(self, columns):
        if columns is None:
            return self.mean_, self.scale_
        return self.mean_[columns], self.scale_[columns]
