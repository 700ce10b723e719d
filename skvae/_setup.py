"""What a fit decides before its loop runs, as a mixin of the estimators' base.

From the data and the parameters: the model (architecture, seeds, device,
variance floor, the encoder's fill for holes), the held-out split of early
stopping and the training schedule (``TrainConfig``, through the "auto" rules
of :mod:`skvae._budget`); and the message that reports an early stop.
``_BaseVAE._fit_steps`` calls each at most once per fit.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import torch
from sklearn.utils import check_random_state

from skvae._budget import (
    AUTO_TRAIN_SAMPLES,
    auto_batch_size,
    auto_max_iter,
    auto_patience,
    n_validation,
    validation_draws,
)
from skvae._config import VAEConfig
from skvae._heterogeneous import LIKELIHOODS, per_column
from skvae._likelihoods import lattice_variance
from skvae._model import VAE
from skvae._training import TrainConfig, TrainState, make_optimizer
from skvae._utils import (
    DTYPES,
    make_generator,
    resolve_device,
    spaced_rows,
    to_tensor,
    warn,
)

_MAX_SEED = np.iinfo(np.int32).max
# early_stopping="auto" validates when the held-out part has this many rows
MIN_AUTO_VALIDATION = 10


class _SetupMixin:
    """The model, the split and the schedule of a fit (see the module docstring)."""

    # Floor the variance of grid-valued features at their rounding noise (the
    # detector's choice; see ``_set_lattice_floor``).
    _lattice_floor = False

    def _stopping_message(self, outcome, config, validated):
        if not outcome.stopped_early:
            return None
        what = "Validation score" if validated else "Training loss"
        return (
            f"{what} did not improve more than tol={config.tol} for "
            f"{config.n_iter_no_change} consecutive epochs. Stopping."
        )

    def _train_config(self, n_train, incremental, validated):
        batch_size = self._batch_size(n_train)
        if incremental:
            max_iter = 1
        elif self.max_iter == "auto":
            max_iter = auto_max_iter(n_train, batch_size, validated)
        else:
            max_iter = self.max_iter
        patience = self.n_iter_no_change
        if patience == "auto":
            patience = auto_patience(n_train, batch_size)
        n_train_samples = self.n_train_samples
        if n_train_samples == "auto":
            n_train_samples = AUTO_TRAIN_SAMPLES[self.objective]
        return TrainConfig(
            max_iter=max_iter,
            batch_size=batch_size,
            beta=self.beta,
            objective=self.objective,
            n_train_samples=n_train_samples,
            shuffle=self.shuffle,
            tol=self.tol,
            n_iter_no_change=patience,
            check_improvement=not incremental,
            weight_decay=self.alpha / n_train,
            mixed_precision=self.mixed_precision,
            support_fraction=self._support_fraction(),
        )

    def _batch_size(self, n_train):
        if self.batch_size == "auto":
            return auto_batch_size(n_train)
        if self.batch_size > n_train:
            warn(
                f"batch_size={self.batch_size} is larger than the {n_train} "
                "training samples; using one batch of all of them."
            )
        return min(self.batch_size, n_train)

    def _initialize(self, shape, moments, likelihood, n_components):
        n_samples, n_features = shape
        variance = moments["var"]
        rng = check_random_state(self.random_state)
        init_seed, self._seed, self._score_seed = (
            int(s) for s in rng.randint(_MAX_SEED, size=3)
        )
        self.device_ = resolve_device(self.device)
        var_floor = 0.0
        scaled = _scaled_columns(likelihood, n_features)
        if scaled.any():
            variance = variance[scaled]
            mean_var = float(np.mean(variance))
            var_floor = self.var_smoothing * (mean_var if mean_var > 0 else 1.0)
            constant = np.flatnonzero(scaled)[variance <= var_floor]
            if constant.size and n_samples > 1:
                warn(
                    f"{constant.size} feature(s) are constant or nearly so "
                    f"(columns {constant[:10].tolist()}"
                    f"{', ...' if constant.size > 10 else ''}): their variance is "
                    f"below the Gaussian likelihood's floor var_floor_="
                    f"{var_floor:.3g}, so each adds a fixed amount to every "
                    "score. Drop them (sklearn.feature_selection.VarianceThreshold) "
                    "or raise var_smoothing if that is not wanted."
                )
        config = VAEConfig(
            n_features=n_features,
            n_components=n_components,
            hidden_layer_sizes=tuple(int(h) for h in self.hidden_layer_sizes),
            activation=self.activation,
            likelihood=likelihood,
            var_floor=var_floor,
            decoder_variance=self.decoder_variance,
        )
        # Initial weights come from a CPU generator: the same on every device.
        module = VAE(
            config, generator=make_generator(init_seed, "cpu"), dtype=DTYPES[self.dtype]
        )
        self.module_ = module.to(self.device_)
        self._optimizer = make_optimizer(
            self.module_, self.solver, self.learning_rate_init
        )
        self._train_state = TrainState()

    def _fit_marginals(self, X, moments):
        """Holes at the encoder's input, the variance floors and a likelihood's
        fixed parts (see ``VAE.fit_marginals``), from about 10,000 evenly
        spaced training rows."""
        module = self.module_
        fill = np.asarray(moments["mean"], dtype=np.float64).copy()
        if not (self._lattice_floor or module.likelihood.transforms_input):
            module.input_fill.copy_(torch.as_tensor(fill))  # X is not read
            return
        rows = spaced_rows(X)
        x = to_tensor(rows, self.device_, DTYPES[self.dtype])
        if self._lattice_floor:
            self._set_lattice_floor(x)
        if not module.likelihood.transforms_input:
            module.input_fill.copy_(torch.as_tensor(fill))
            return
        categorical = [
            j
            for j, s in enumerate(per_column(module.config.likelihood, X.shape[1]))
            if s.startswith(("categorical", "ordinal"))
        ]
        for j in categorical:  # a category's hole enters as its most frequent level
            codes = rows[:, j][~np.isnan(rows[:, j])].astype(np.int64)
            fill[j] = float(np.bincount(codes).argmax()) if codes.size else 0.0
        module.input_fill.copy_(torch.as_tensor(fill))
        module.fit_marginals(module.observed(x)[0])

    def _set_lattice_floor(self, x):
        """Floor the variance of features on a grid at their rounding noise.

        A feature whose likelihood has a scale in x's units gets the floor
        ``max(var_floor_, lattice_variance)``: ``step**2 / 12`` for values on
        a grid of spacing ``step`` (see ``lattice_variance``).
        """
        module = self.module_
        names = per_column(module.config.likelihood, x.shape[1])
        on_x = torch.tensor(
            [n in LIKELIHOODS and LIKELIHOODS[n].scales_x for n in names],
            device=x.device,
        )
        floor = torch.where(
            on_x,
            lattice_variance(x).clamp_min(module.config.var_floor),
            module.config.var_floor,
        )
        module.set_var_floor(floor)

    def _early_stopping(self, n_samples, streaming):
        """Whether a fit on ``n_samples`` rows holds out a validation set.

        "auto" does when the held-out part has ``MIN_AUTO_VALIDATION`` rows and
        the data are in memory: a streamed memmap could only hold out its last
        rows, copied into memory.
        """
        if self.early_stopping != "auto":
            return self.early_stopping
        return not streaming and self._n_validation(n_samples) >= MIN_AUTO_VALIDATION

    def _n_validation(self, n_samples):
        return n_validation(self.validation_fraction, n_samples)

    def _validation_draws(self, n_val):
        """Draws of z per row in the validation ELBO (see ``validation_draws``)."""
        return validation_draws(n_val, self.n_score_samples)

    def _split(self, X, early_stopping, streaming):
        """The training part of X and the held-out part for early stopping."""
        if not early_stopping:
            return X, None
        n_samples = X.shape[0]
        n_val = self._n_validation(n_samples)
        if n_samples - n_val < 1:
            raise ValueError(
                f"early_stopping holds out at least 2 samples for validation and "
                f"needs 1 more to train on, but got n_samples={n_samples}. Use "
                "more samples or early_stopping=False."
            )
        if streaming:
            # Slicing keeps a memmap on disk: hold out its last rows.
            return X[: n_samples - n_val], np.array(X[n_samples - n_val :])
        perm = np.random.RandomState(self._seed).permutation(n_samples)
        return X[np.sort(perm[n_val:])], X[np.sort(perm[:n_val])]


def _scaled_columns(likelihood, n_features):
    """Which features have a likelihood with a scale (a variance floor)."""
    names = per_column(likelihood, n_features)
    return np.array([n in LIKELIHOODS and LIKELIHOODS[n].has_scale for n in names])
