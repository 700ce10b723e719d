"""The private base of the estimators: fitting with rollback, history, tags.

Every public method of the estimators validates its input, moves it to the
model's space, calls the torch core (``_training``, ``_inference``) and moves
the result back. This module holds what both estimators share: the parameter
constraints, ``_fit`` (atomic: a rejected or failed call leaves the estimator
as it was), the fitted attributes read from the model and the training state,
and tags; what a fit decides before its loop (the model, the held-out
split, the schedule) comes from :mod:`skvae._setup`, ``save`` and pickling
from :mod:`skvae._saving`. Subclasses
adjust it through the hooks declared below, each with a default and each
called once per fit or score.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)

try:  # scikit-learn >= 1.9: set_callbacks, ProgressBar, ScoringMonitor
    from sklearn.callback import CallbackSupportMixin
except ImportError:  # pragma: no cover - older scikit-learn: no callbacks

    class CallbackSupportMixin:
        """Stands in for scikit-learn's callback support where it is absent."""


from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skvae import _inference
from skvae._config import ACTIVATIONS
from skvae._heterogeneous import LIKELIHOODS, build_likelihood, per_column
from skvae._progress import FitProgress
from skvae._saving import _SavingMixin
from skvae._setup import _SetupMixin
from skvae._table import _TableMixin
from skvae._training import SOLVERS, Checkpoint, train
from skvae._utils import (
    DTYPES,
    column_stats,
    make_generator,
    to_tensor,
    value_range,
    warn,
)
from skvae._validation import check_params, check_rows, check_values


class _BaseVAE(
    CallbackSupportMixin,
    _SavingMixin,
    _SetupMixin,
    _TableMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Shared machinery of :class:`VAETransformer` and its subclasses."""

    _parameter_constraints: ClassVar[dict] = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "likelihood": [StrOptions({"auto", *LIKELIHOODS}), dict],
        "handle_unknown": [StrOptions({"error", "ignore"})],
        "decoder_variance": [StrOptions({"per_sample", "per_feature"})],
        "var_smoothing": [Interval(Real, 0, None, closed="neither")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "objective": [StrOptions({"elbo", "iwae"})],
        "n_train_samples": [
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
        "n_score_samples": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "dtype": [StrOptions(set(DTYPES))],
        "mixed_precision": [StrOptions({"bf16", "fp16"}), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # Scores relative to the saturated log-likelihood (the detector's).
    _relative_scores: ClassVar[bool] = False

    # ------------------------------------------------------------------ hooks
    def _likelihood_name(self, x_min, x_max):
        """The likelihood to fit, given the range of the training data."""
        return "gaussian" if self.likelihood == "auto" else self.likelihood

    def _n_components(self, n_features):
        return self.n_components

    def _support_fraction(self):
        """Share of each minibatch the training objective averages over."""
        return 1.0

    def _fit_preprocessing(self, stats, likelihood):
        """Fit the map to model space from the training data's column stats."""

    def _to_model_space(self, X):
        return X

    def _from_model_space(self, X):
        return X

    def _post_fit(self, X):
        """Fitted state that needs the trained model; X is in model space."""

    def _score_prior(self):
        """The prior p(z) of the scores: None is the model's N(0, I)."""
        return None

    def _check_features(self, count, n_rows):
        """Called at fit with each column's number of observed entries."""
        columns = np.flatnonzero(count == 0)
        if columns.size:
            raise ValueError(
                f"X has {columns.size} column(s) with no observed value (all "
                f"NaN; columns {columns[:10].tolist()}"
                f"{', ...' if columns.size > 10 else ''}): the model cannot learn "
                "anything about them. Drop them, or use VAEImputer, whose "
                "keep_empty_features decides what they become."
            )

    # ---------------------------------------------------------------- fitting
    def _fit(self, X, y, incremental):
        first_pass = not hasattr(self, "module_") or (
            not self.warm_start and not incremental
        )
        # A rejected call or a failed fit leaves the estimator as it was: the
        # attributes are restored, and the weights too when trained in place.
        saved = dict(self.__dict__)
        checkpoint = (
            None
            if first_pass
            else Checkpoint.capture(self.module_, self._optimizer, self._train_state)
        )
        try:
            outcome = self._fit_steps(X, y, incremental, first_pass)
        except BaseException:
            # the callbacks' bookkeeping of this call outlives it (teardown)
            running = {k: v for k, v in vars(self).items() if k in _CALLBACK_STATE}
            self.__dict__.clear()
            self.__dict__.update(saved)
            self.__dict__.update(running)
            if checkpoint is not None:
                self._train_state = checkpoint.restore(self.module_, self._optimizer)
            raise
        if outcome.interrupted:
            warn(
                "Training interrupted by the user; the model holds the weights "
                f"of the last finished epoch ({self.n_iter_})."
            )
        elif not incremental and outcome.ran_out:
            warn(
                f"Stochastic optimizer: maximum iterations ({outcome.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return self

    def _fit_steps(self, X, y, incremental, first_pass):
        # An np.memmap is streamed block by block instead of copied into memory.
        streaming = isinstance(X, np.memmap)
        X = self._validate_X(X, reset=first_pass, copy_readonly=not streaming)
        if first_pass:  # one pass over X for everything the set-up needs
            stats = column_stats(X)
            check_rows(stats["empty_rows"])
            self._check_features(stats["count"], X.shape[0])
            observed = stats["count"] > 0
            x_min = float(stats["min"][observed].min())
            x_max = float(stats["max"][observed].max())
            if self._table is None:
                likelihood = self._likelihood_name(x_min, x_max)
            else:
                likelihood = self._table_likelihood(stats["min"], stats["max"])
            n_components = self._n_components(X.shape[1])
        else:
            x_min, x_max, empty_rows = value_range(X)
            check_rows(empty_rows)
            likelihood = self.module_.config.likelihood
            n_components = self.module_.config.n_components
        check_params(self, X.shape[1], n_components)
        check_values(x_min, x_max, build_likelihood(likelihood), self.dtype)
        if first_pass:
            self._fit_preprocessing(stats, likelihood)
        raw, X = X, self._to_model_space(X)
        if first_pass:
            # The variance floor is set in model space: the detector's
            # standardised copy of X (in memory) needs its own moments.
            moments = stats if X is raw else column_stats(X)
            logged = [
                j
                for j, n in enumerate(per_column(likelihood, X.shape[1]))
                if n == "lognormal"
            ]
            if logged:  # a log-normal's variance floor is set on log(1 + x)
                moments = {**moments, "var": moments["var"].copy()}
                moments["var"][logged] = column_stats(np.log1p(X[:, logged]))["var"]
            self._initialize(X.shape, moments, likelihood, n_components)
            self._fit_marginals(X, moments)
        X_train, X_val = self._split(
            X,
            not incremental and self._early_stopping(X.shape[0], streaming),
            streaming,
        )
        # Continuing fits draw from a generator derived from the epoch count, so
        # a fit split over several calls is reproducible too.
        generator = make_generator(self._seed + 7919 * self.n_iter_, self.device_)
        if not streaming:
            X_train = to_tensor(X_train, self.device_, DTYPES[self.dtype])
        validated = X_val is not None
        config = self._train_config(X_train.shape[0], incremental, validated)
        progress = FitProgress(self, raw, y, config.max_iter)
        # Training fits the decoder's own variance; a fixed one (the
        # detector's, see ``_post_fit``) is a choice made on the trained model.
        self.module_.set_fixed_variance(None)
        try:
            outcome = train(
                self.module_,
                self._optimizer,
                X_train,
                self._train_state,
                config,
                generator=generator,
                X_val=X_val,
                val_eps=self._score_eps(self._validation_draws(len(X_val)))
                if validated
                else None,
                on_epoch=progress,
            )
        except BaseException:
            progress.close(finished=False)
            raise
        self._post_fit(X)
        progress.close(self._stopping_message(outcome, config, validated))
        return outcome

    # ------------------------------------------- history, read from the state
    @property
    def var_floor_(self):
        """The decoder's variance floor (0.0 for Bernoulli), from ``module_``."""
        return self.module_.config.var_floor

    @property
    def n_iter_(self):
        """Number of epochs run, counted across warm starts and partial fits."""
        return self._train_state.n_iter

    @property
    def loss_curve_(self):
        """Mean negative ELBO of the training data after each epoch."""
        return list(self._train_state.loss_curve)

    def _validated(self):
        return bool(self._train_state.validation_scores)

    @property
    def best_loss_(self):
        """Lowest value of ``loss_curve_``; None with early stopping."""
        return None if self._validated() else self._train_state.best_loss

    @property
    def validation_scores_(self):
        """Mean held-out ELBO after each epoch; None without early stopping."""
        state = self._train_state
        return list(state.validation_scores) if self._validated() else None

    @property
    def best_validation_score_(self):
        """Highest value of ``validation_scores_``; None without early stopping."""
        state = self._train_state
        return state.best_validation_score if self._validated() else None

    # -------------------------------------------------------------- inference
    def _validate_rows(self, X, support=True):
        """X validated and in model space; ``support`` checks the likelihood's too."""
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        x_min, x_max, empty_rows = value_range(X)
        check_rows(empty_rows)
        self._check_table_rows(X)
        if support:
            check_values(x_min, x_max, self.module_.likelihood, self.dtype)
        return self._to_model_space(X)

    def _score_eps(self, n_draws):
        """Fixed noise (n_draws, 1, n_components) shared by all rows."""
        return _inference.scoring_noise(self.module_, n_draws, self._score_seed)

    def _score_rows(self, X, per_feature=False):
        """Scores of X, validated and in model space (see ``score_samples``).

        For a mixed table the standardisation's Jacobian is added back, so the
        scores are densities in the columns' own units.
        """
        scores = _inference.score_rows(
            self.module_,
            X,
            self._score_eps(self.n_score_samples),
            method=self.score_method,
            prior=self._score_prior(),
            per_feature=per_feature,
            relative=self._relative_scores,
        )
        if self._relative_scores:
            return scores
        return self._in_table_units(scores, per_feature)

    # ---------------------------------------------------------------- plumbing
    @property
    def _n_features_out(self):
        return self.module_.config.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.allow_nan = True  # NaN marks a missing entry
        return tags


# What scikit-learn's callback support keeps on the estimator during a fit.
_CALLBACK_STATE = ("_callback_fit_ctx", "_skl_callbacks_to_teardown")
