"""The private base of the estimators: one fit, read top to bottom, and scoring.

Every public method of the estimators validates its input, maps it to the
model's space (:class:`~skvae._estimators._model_space.ModelSpace`), calls a
core function with numpy and maps the numpy result back. A fit is
:meth:`_BaseVAE._fit`: each estimator states its decisions in one
:class:`~skvae._estimators._plan.FitPlan`, built by its ``_plan``, and
``_fit`` carries the plan out. A rejected or failed call leaves the estimator
as it was.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

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
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skvae._estimators import _saving
from skvae._estimators._docs import fill
from skvae._estimators._model_space import ModelSpace
from skvae._estimators._plan import (
    FitPlan,
    active_size,
    draws_for_validation,
    latent_plan,
    likelihood_of,
    threshold,
)
from skvae._estimators._progress import FitProgress
from skvae._estimators._schedule import (
    holds_out,
    split,
    stopping_message,
    train_config,
    variance_floor,
)
from skvae._estimators._validation import (
    PARAMETER_CONSTRAINTS,
    check_columns,
    check_likelihood,
    check_params,
    check_rows,
    check_values,
)
from skvae.core import TrainState, VAEConfig, make_optimizer, train
from skvae.core._inference import (
    decode_rows,
    encode_rows,
    latent_activity,
    median_variance,
    posterior_mixture,
    score_rows,
)
from skvae.core._inference import variance_floor as feature_floors
from skvae.core._marginals import prepare_model
from skvae.core._model import build_model
from skvae.core._train_state import Checkpoint
from skvae.core._utils import column_stats, resolve_device, value_range, warn

_MAX_SEED = np.iinfo(np.int32).max
# Private state a fit writes besides the public attributes (those ending in _).
_FIT_STATE = ("_space", "_optimizer", "_train_state", "_seed", "_score_seed")


class _BaseVAE(
    CallbackSupportMixin,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    BaseEstimator,
):
    """Shared machinery of the estimators (see the module docstring)."""

    _parameter_constraints: ClassVar[dict] = PARAMETER_CONSTRAINTS

    def _plan(self, stats, space):
        """The decisions of a fit (see :class:`FitPlan`); each estimator states its own.

        ``stats`` are the ``column_stats`` of the training data as read,
        ``space`` its (not yet fitted) model space. Here, the transformer's:
        the likelihood the parameter names ("gaussian" for "auto"), and
        ``n_components="auto"`` as half the features, at most 32; rows with
        nothing observed are accepted.
        """
        likelihood = likelihood_of(self, space, len(stats["count"]))
        return FitPlan(
            likelihood=likelihood,
            **latent_plan(self.n_components, likelihood.n_features),
            empty_rows=True,
            validation_draws=draws_for_validation(self, stats["n_rows"]),
        )

    # ---------------------------------------------------------------- fitting
    def _fit(self, X, y, incremental):
        first_pass = not hasattr(self, "module_") or (
            not self.warm_start and not incremental
        )
        # A rejected call or a failed fit leaves the estimator as it was: the
        # fitted attributes are restored, and the weights too when trained in
        # place.
        saved = {k: v for k, v in vars(self).items() if _fitted(k)}
        checkpoint = None
        if not first_pass:
            checkpoint = Checkpoint.capture(
                self.module_, self._optimizer, self._train_state
            )
        try:
            outcome = self._fit_steps(X, y, incremental, first_pass)
        except BaseException:
            for name in [k for k in vars(self) if _fitted(k)]:
                delattr(self, name)
            vars(self).update(saved)
            if checkpoint is not None:
                self._train_state = checkpoint.restore(self.module_, self._optimizer)
            raise
        if outcome.interrupted:
            warn(
                "Training interrupted by the user; the model holds the weights "
                f"of the last finished epoch ({self.n_iter_})."
            )
        elif not incremental and outcome.ran_out and not self._fixed_budget():
            warn(
                f"Stochastic optimizer: maximum iterations ({outcome.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return self

    def _fit_steps(self, X, y, incremental, first_pass):
        # 1. Read X: validated floats, NaN where an entry is missing. A memmap
        #    is streamed block by block instead of copied into memory.
        streaming = isinstance(X, np.memmap)
        check_likelihood(self.likelihood)
        if first_pass:
            self._space, X = ModelSpace.read_fit(self, X, copy_readonly=not streaming)
        else:
            X = self._space.read(self, X, copy_readonly=not streaming)
        stats = column_stats(X)

        # 2. The plan: what this estimator decides from the data and parameters.
        plan = self._plan(stats, self._space)
        if not plan.empty_rows:
            check_rows(stats["empty_rows"])
        if first_pass:
            check_columns(stats["count"], self._space.modelled(plan.columns))
            self._space.fit(
                stats,
                standardize=plan.standardize,
                centre=not plan.likelihood.point_mass,
                columns=plan.columns,
                indicator=plan.indicator,
            )
        likelihood = plan.likelihood if first_pass else self.module_.likelihood
        n_components = (
            plan.n_components if first_pass else self.module_.config.n_components
        )

        # 3. X in the model's space, and what the model can take of it.
        X_model = self._space.to_model(X)
        moments = stats if X_model is X else column_stats(X_model)
        check_params(self, X_model.shape[1], n_components)
        check_values(
            moments["min"], moments["max"], likelihood, self.dtype, self._names()
        )

        # 4. A new model: seeds, architecture, its set-up from the data.
        if first_pass:
            rng = check_random_state(self.random_state)
            init_seed, self._seed, self._score_seed = (
                int(s) for s in rng.randint(_MAX_SEED, size=3)
            )
            self.device_ = resolve_device(self.device)
            config = VAEConfig(
                n_features=X_model.shape[1],
                n_components=n_components,
                hidden_layer_sizes=tuple(int(h) for h in self.hidden_layer_sizes),
                activation=self.activation,
                likelihood=_spec(likelihood),
                var_floor=variance_floor(
                    self.var_smoothing, likelihood, X_model, moments
                ),
                decoder_variance=self.decoder_variance,
            )
            self.module_ = build_model(
                config,
                likelihood=likelihood,
                seed=init_seed,
                device=self.device_,
                dtype=self.dtype,
            )
            prepare_model(
                self.module_, X_model, moments["mean"], lattice_floor=plan.lattice_floor
            )
            self._optimizer = make_optimizer(
                self.module_, self.solver, self.learning_rate_init
            )
            self._train_state = TrainState()

        # 5. The schedule: the held-out rows of early stopping, the budget.
        validated = not incremental and holds_out(self, X_model.shape[0], streaming)
        X_train, X_val = X_model, None
        if validated:
            X_train, X_val = split(
                X_model, self.validation_fraction, self._seed, streaming
            )
        config = train_config(
            self,
            X_train.shape[0],
            incremental=incremental,
            validated=validated,
            support_fraction=plan.support_fraction,
        )

        # 6. Train. Training fits the decoder's own variance; a fixed one is
        #    chosen on the trained model (step 8).
        progress = FitProgress(self, X, y, config.max_iter)
        self.module_.likelihood.set_fixed_variance(None)
        try:
            outcome = train(
                self.module_,
                self._optimizer,
                X_train,
                self._train_state,
                config,
                seed=self._seed,
                stream=streaming,
                X_val=X_val,
                validation_draws=plan.validation_draws,
                validation_seed=self._score_seed,
                on_epoch=progress,
            )
        except BaseException:
            progress.close(finished=False)
            raise

        # 7. The latent dimensions in use: "auto" keeps the active ones.
        self.latent_activity_, self.latent_kl_ = latent_activity(self.module_, X_model)
        self.n_components_ = (
            active_size(self.latent_activity_)
            if plan.keep_active
            else self.module_.config.n_components
        )

        # 8. What the scores need: a detector's fixed variance, mixture prior
        #    and threshold.
        if plan.median_variance and self.module_.likelihood.has_scale:
            variance = median_variance(self.module_, X_model)
            self.module_.likelihood.set_fixed_variance(variance)
        if plan.contamination is not None:
            self.prior_loc_ = self.prior_log_scale_ = None
            if plan.prior_components is not None:
                self.prior_loc_, self.prior_log_scale_ = posterior_mixture(
                    self.module_,
                    X_model,
                    self._score_rows(X_model, relative=True),  # under N(0, I)
                    plan.prior_components,
                    plan.support_fraction,
                    self._score_seed,
                )
            scores = self._score_rows(X_model, relative=True)
            self.offset_ = threshold(scores, plan.contamination)
        progress.close(stopping_message(outcome, config, validated))
        return outcome

    # ------------------------------------------ fitted facts, stored once
    @property
    def likelihood_(self):
        """The likelihood fitted: a name, or ``{column: name}`` for a mixed table
        ("constant" for a column that holds one value)."""
        spec = self.module_.config.likelihood
        if isinstance(spec, str):
            return spec
        names = iter(self.module_.likelihood.per_column("name"))
        table = self._space.table
        return {
            column: "constant" if value is not None else next(names)
            for column, value in zip(table.columns, table.constants, strict=True)
        }

    @property
    def var_floor_(self):
        """Each modelled feature's variance floor, in the model's units."""
        return feature_floors(self.module_)

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

    def _fixed_budget(self):
        """Whether the fit's epochs were a budget, not a limit on converging:
        ``max_iter="auto"`` without a validation set is 200 epochs, the
        number chosen for such fits, so reaching it warns of nothing."""
        return self.max_iter == "auto" and not self._validated()

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
    def _names(self):
        table = self._space.table
        return None if table is None else table.columns

    def _validate_rows(self, X, support=True, read=True, empty_rows=True):
        """X validated and in the model's space.

        ``support`` checks the values against the likelihood's support, as
        does any call whose likelihood transforms its input (counts and
        categories feed the encoder as features). ``read=False``: X is
        already what :meth:`ModelSpace.read` returns. ``empty_rows=False``
        rejects rows with nothing observed (a detector's scores).
        """
        check_is_fitted(self)
        if read:
            X = self._space.read(self, X)
        X = self._space.to_model(X)
        low, high, empty = value_range(X)
        if not empty_rows:
            check_rows(empty)
        likelihood = self.module_.likelihood
        if support or likelihood.transforms_input:
            check_values(low, high, likelihood, self.dtype, self._names())
        return X

    def _latent_order(self):
        """The model's latent dimensions by decreasing activity, the first
        ``n_components_`` of them (what ``transform`` returns)."""
        if self.latent_activity_ is None:  # a snapshot taken during a fit
            return np.arange(self.n_components_)
        order = np.argsort(-self.latent_activity_, kind="stable")
        return order[: self.n_components_]

    def _codes(self, X, full=False):
        """The posterior means E[z | x] of X's rows: the ``n_components_``
        kept dimensions by decreasing activity, or with ``full`` every
        dimension in the model's order."""
        X = self._validate_rows(X, support=False)
        Z = encode_rows(self.module_, X)
        return Z if full else Z[:, self._latent_order()]

    def _decode(self, Z, index=None):
        """Codes of the kept dimensions decoded to the user's data (the
        decoder's mean), the other dimensions at their prior mean 0; a
        table's rows under ``index``."""
        full = np.zeros((len(Z), self.module_.config.n_components), dtype=Z.dtype)
        full[:, self._latent_order()] = Z
        return self._space.output(decode_rows(self.module_, full), index=index)

    def _reconstruct(self, X):
        """X's rows through the model: the decoder's mean at E[z | x], as the
        user's data (a DataFrame for a table)."""
        full = self._codes(X, full=True)
        return self._space.output(decode_rows(self.module_, full))

    def _score_rows(self, X, per_feature=False, relative=False):
        """Scores of X, validated and in the model's space (see ``score_samples``).

        ``relative`` subtracts the saturated log-likelihood (the detector's
        score); otherwise the scores are densities in the data's own units.
        """
        prior = None
        if getattr(self, "prior_loc_", None) is not None:
            prior = (self.prior_loc_, self.prior_log_scale_)
        scores = score_rows(
            self.module_,
            X,
            n_draws=self.n_score_draws,
            seed=self._score_seed,
            method=self.score_method,
            prior=prior,
            per_feature=per_feature,
            relative=relative,
        )
        if not relative:
            scores = self._space.in_data_units(scores, X, per_feature)
        return self._space.per_feature(scores) if per_feature else scores

    # ---------------------------------------------------------------- plumbing
    @property
    def _n_features_out(self):
        return self.n_components_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.allow_nan = True  # NaN marks a missing entry
        return tags

    def __getstate__(self):
        return _saving.pickled_state(self, super().__getstate__())

    def __setstate__(self, state):
        state = dict(state)
        packed = state.pop("module_", None)
        super().__setstate__(state)
        if packed is not None:
            _saving.restore_model(self, packed, self.device_)

    @fill
    def save(self, path):
        """Save the fitted model to ``path`` in skvae's safe format.

        The file holds the weights, the optimiser state, the parameters, the
        fitted attributes and the versions, written with ``torch.save`` and read
        back by :func:`skvae.load` with ``weights_only=True``: loading executes
        no code, unlike pickle or joblib. A SHA-256 digest detects later
        modification.

        Parameters
        ----------
        path : str or path-like
            Destination file, conventionally with the suffix ``.skvae``.

        Returns
        -------
        path : str or path-like
            The path written.

        Examples
        --------
        {fitted_transformer}
        {saved_and_loaded}
        >>> bool(np.allclose(restored.transform(X), vae.transform(X)))
        True
        """
        return _saving.save(self, path)


def _fitted(name):
    """Whether ``name`` is state a fit writes: a public fitted attribute or
    the private state of ``_FIT_STATE``."""
    return (name.endswith("_") and not name.startswith("__")) or name in _FIT_STATE


def _spec(likelihood):
    """The name (or per-column names) a config records for ``likelihood``."""
    specs = getattr(likelihood, "specs", None)
    return likelihood.name if specs is None else list(specs)
