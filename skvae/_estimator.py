"""VAETransformer: the scikit-learn face of the AEVB core."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import os
import warnings
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from pandas.api.types import is_bool_dtype, is_numeric_dtype
from sklearn import __version__ as _sklearn_version
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skvae import __version__, _persistence
from skvae._likelihoods import LIKELIHOODS, make_likelihood
from skvae._model import ACTIVATIONS, VAE, VAEConfig
from skvae._training import (
    SOLVERS,
    TrainState,
    make_optimizer,
    set_weight_decay,
    train,
)
from skvae._utils import (
    DTYPES,
    loadable_device,
    make_generator,
    resolve_device,
    standard_normal,
    to_numpy,
    to_tensor,
)

_MAX_SEED = np.iinfo(np.int32).max
# Largest |x| whose square (in the Gaussian log-density) stays finite, with margin.
_MAGNITUDE_LIMIT = {
    name: float(np.sqrt(np.finfo(name).max)) / 1e3 for name in ("float32", "float64")
}
# Inference runs over row blocks holding at most this many numbers per tensor.
_INFERENCE_BUDGET = 2**22


class VAETransformer(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Variational autoencoder trained with Auto-Encoding Variational Bayes.

    A latent-variable model ``p(x) = int p(x | z) p(z) dz`` with prior
    ``p(z) = N(0, I)``, an MLP decoder ``p(x | z)`` and an MLP recognition model
    ``q(z | x) = N(mu(x), diag sigma^2(x))``, fitted by maximising the evidence
    lower bound (ELBO) with the SGVB estimator: reparameterised draws
    ``z = mu + sigma * eps``, the KL term in closed form, and minibatch
    stochastic gradients (Kingma & Welling, 2013).

    The fitted model answers the paper's three questions: :meth:`transform`
    infers a code for ``x`` (the posterior mean), :meth:`sample` generates new
    data, and :meth:`score_samples` estimates how probable ``x`` is (the ELBO in
    nats, or the tighter importance-weighted bound). :meth:`score` is the mean
    ELBO, so model selection by held-out likelihood works out of the box, as for
    :class:`~sklearn.decomposition.PCA`.

    Parameters
    ----------
    n_components : int, default=2
        Size of the latent code z.

    hidden_layer_sizes : tuple of int, default=(256, 128)
        Widths of the encoder's hidden layers; the decoder mirrors them.

    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation between hidden layers (Kingma & Welling used "tanh").

    likelihood : {"gaussian", "bernoulli", "cauchy"}, default="gaussian"
        The decoder's observation model. "bernoulli" is for data in [0, 1]
        (binary or grey-level images) and rejects values outside it.
        "gaussian" is for real-valued data; the decoder outputs a mean and a
        variance per feature. "cauchy" is its heavy-tailed version (a location
        and a squared scale per feature): a residual costs only logarithmically
        many nats, so single features and outliers weigh less.

    decoder_variance : {"per_sample", "per_feature"}, default="per_sample"
        How the Gaussian (or Cauchy) decoder's variance (squared scale) is
        modelled. "per_sample": the
        decoder outputs a variance for each feature of each sample, as in
        Kingma & Welling's Frey Face model (heteroscedastic). "per_feature":
        one learned variance per feature, shared by all samples
        (homoscedastic, as in factor analysis); more robust when the training
        data hold outliers. Ignored by the Bernoulli likelihood.

    var_smoothing : float, default=1e-3
        Floor on the Gaussian decoder's variance (Cauchy: squared scale), as a
        fraction of the mean per-feature variance of the training data (like
        GaussianNB's ``var_smoothing``). It keeps the ELBO finite on constant
        or discrete features. Ignored by the Bernoulli likelihood.

    beta : float, default=1.0
        Weight of the KL term during training: 1.0 is the ELBO of AEVB, other
        values give a beta-VAE. Scores always use the ELBO (beta=1).

    solver : {"adam", "adagrad", "sgd"}, default="adam"
        Stochastic-gradient optimiser. Kingma & Welling used Adagrad; "sgd" uses
        Nesterov momentum 0.9.

    alpha : float, default=0.0
        Strength of the L2 penalty on the weight matrices, scaled as a Gaussian
        prior N(0, 1/alpha) over the whole training set: each step adds the
        gradient of ``alpha / (2 * n_samples) * ||W||^2`` to the per-sample loss.
        ``alpha=1`` is the paper's weight decay (a standard normal prior).

    batch_size : int or "auto", default="auto"
        Minibatch size; "auto" is ``min(200, n_samples)``.

    learning_rate_init : float, default=1e-3
        Step size of the optimiser.

    max_iter : int, default=200
        Maximum number of epochs (passes over the training data) per call of
        :meth:`fit`.

    shuffle : bool, default=True
        Whether to shuffle the samples in each epoch.

    tol : float, default=1e-4
        Minimum improvement, in nats per sample, of the training loss (or of the
        validation ELBO with ``early_stopping``) that counts as progress.

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data, stop when its
        ELBO has not improved by ``tol`` for ``n_iter_no_change`` epochs and
        restore the weights of the best epoch.

    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping (at least 2
        samples).

    n_iter_no_change : int, default=10
        Number of epochs without progress (see ``tol``) before training stops.

    warm_start : bool, default=False
        Reuse the previous fit's weights and optimiser state on the next call
        of :meth:`fit` instead of starting afresh.

    score_method : {"elbo", "iwae"}, default="elbo"
        What :meth:`score_samples` and :meth:`score` return: the ELBO, or the
        importance-weighted estimate of log p(x) (Burda et al., 2016), which is
        tighter and approaches log p(x) as ``n_score_samples`` grows.

    n_score_samples : int, default=10
        Monte Carlo draws per sample used by :meth:`score_samples` (draws of z
        for the ELBO's reconstruction term, or importance samples for "iwae").
        The draws are fixed at fit time and shared by all rows, so scores are
        deterministic and do not depend on the other rows of ``X``.

    device : str, default="auto"
        Torch device: "auto" (CUDA when available, else CPU), "cpu", "cuda" or
        "cuda:i".

    dtype : {"float32", "float64"}, default="float32"
        Precision of the network's parameters and computations.

    mixed_precision : {"bf16", "fp16"} or None, default=None
        Run the network's matrix products in reduced precision during
        training (``torch.autocast``); the likelihood, the KL term and the
        weights stay in ``dtype``. "bf16" works on CUDA and on CPUs with
        bfloat16 support; "fp16" needs CUDA (with gradient scaling). Off by
        default: it is faster only where the hardware has fast bfloat16/float16
        matrix units (recent GPUs, CPUs with AMX); see the performance guide.

    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights, the minibatch order, the reparameterisation
        noise, the validation split and the scoring draws. Pass an int for
        bit-for-bit reproducible fits on the CPU. torch's global generator is
        never used. See :term:`Glossary <random_state>`.

    verbose : int, default=0
        Print one line per epoch when positive.

    Attributes
    ----------
    module_ : skvae.VAE
        The fitted torch module (encoder, decoder and likelihood).

    device_ : torch.device
        The device ``module_`` lives on.

    var_floor_ : float
        The Gaussian decoder's variance floor (0.0 for Bernoulli).

    n_iter_ : int
        Number of epochs run, counted across warm starts and partial fits.

    loss_curve_ : list of float
        Mean negative ELBO of the training data (nats per sample) after each
        epoch (with ``beta != 1``, the beta-weighted loss).

    best_loss_ : float or None
        Lowest value of ``loss_curve_``; None with ``early_stopping``.

    validation_scores_ : list of float or None
        Mean ELBO of the held-out data after each epoch; None without
        ``early_stopping``.

    best_validation_score_ : float or None
        Highest value of ``validation_scores_``; its weights are the fitted
        ones. None without ``early_stopping``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    sklearn.decomposition.PCA : Linear latent model; ``PCA.score`` is the exact
        log-likelihood of probabilistic PCA.
    sklearn.decomposition.FactorAnalysis : Linear-Gaussian latent model.
    sklearn.neural_network.BernoulliRBM : Another neural latent-variable model.

    Notes
    -----
    Scores are in nats per sample. The ELBO is a lower bound on log p(x); its
    gap is the KL divergence from q(z | x) to the true posterior.

    References
    ----------
    D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes", ICLR 2014,
    arXiv:1312.6114.

    Y. Burda, R. Grosse and R. Salakhutdinov, "Importance Weighted
    Autoencoders", ICLR 2016, arXiv:1509.00519.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.preprocessing import MinMaxScaler
    >>> from skvae import VAETransformer
    >>> X = MinMaxScaler().fit_transform(load_digits().data)
    >>> vae = VAETransformer(n_components=2, likelihood="bernoulli", max_iter=5,
    ...                      random_state=0)
    >>> Z = vae.fit_transform(X)
    >>> Z.shape
    (1797, 2)
    >>> vae.sample(3, random_state=0).shape
    (3, 64)
    """

    _parameter_constraints: ClassVar[dict] = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "likelihood": [StrOptions(set(LIKELIHOODS))],
        "decoder_variance": [StrOptions({"per_sample", "per_feature"})],
        "var_smoothing": [Interval(Real, 0, None, closed="neither")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions(set(SOLVERS))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "warm_start": ["boolean"],
        "score_method": [StrOptions({"elbo", "iwae"})],
        "n_score_samples": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "dtype": [StrOptions(set(DTYPES))],
        "mixed_precision": [StrOptions({"bf16", "fp16"}), None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_components=2,
        *,
        hidden_layer_sizes=(256, 128),
        activation="relu",
        likelihood="gaussian",
        decoder_variance="per_sample",
        var_smoothing=1e-3,
        beta=1.0,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        shuffle=True,
        tol=1e-4,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        warm_start=False,
        score_method="elbo",
        n_score_samples=10,
        device="auto",
        dtype="float32",
        mixed_precision=None,
        random_state=None,
        verbose=0,
    ):
        self.n_components = n_components
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.likelihood = likelihood
        self.decoder_variance = decoder_variance
        self.var_smoothing = var_smoothing
        self.beta = beta
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
        self.n_score_samples = n_score_samples
        self.device = device
        self.dtype = dtype
        self.mixed_precision = mixed_precision
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to X by maximising the ELBO.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The fitted estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae.fit(X)
        VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae.n_iter_, len(vae.loss_curve_)
        (5, 5)
        """
        return self._fit(X, incremental=False)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Run exactly one epoch over X, continuing from the current state.

        The optimiser's state (Adam's moments) is kept between calls, so a
        sequence of ``partial_fit`` calls over chunks of a data set trains as
        one long run. Early stopping does not apply.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            The updated estimator.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), random_state=0)
        >>> for chunk in np.array_split(X, 5):
        ...     vae = vae.partial_fit(chunk)
        >>> vae.n_iter_
        5
        """
        return self._fit(X, incremental=True)

    def _fit(self, X, incremental):
        first_pass = not hasattr(self, "module_") or (
            not self.warm_start and not incremental
        )
        # A rejected call or a failed fit leaves the estimator as it was: the
        # attributes are restored, and the weights too when trained in place.
        saved = dict(self.__dict__)
        backup = None if first_pass else self._backup()
        try:
            outcome = self._fit_steps(X, incremental, first_pass)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(saved)
            if backup is not None:
                self._restore(backup)
            raise
        if outcome.interrupted:
            warnings.warn(
                "Training interrupted by the user; the model holds the weights "
                f"of the last finished epoch ({self.n_iter_}).",
                UserWarning,
                stacklevel=4,
            )
        elif (
            not incremental
            and not outcome.stopped_early
            and outcome.n_epochs == self.max_iter
        ):
            warnings.warn(
                f"Stochastic optimizer: maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return self

    def _fit_steps(self, X, incremental, first_pass):
        # An np.memmap is streamed block by block instead of copied into memory.
        streaming = isinstance(X, np.memmap)
        X = self._validate(X, reset=first_pass, copy_readonly=not streaming)
        if first_pass:
            likelihood = self._likelihood_name(X)
            n_components = self._n_components(X)
        else:
            likelihood = self.module_.config.likelihood
            n_components = self.module_.config.n_components
        self._check_params(X, n_components)
        self._check_values(X, make_likelihood(likelihood))
        early_stopping = self.early_stopping and not incremental
        if first_pass:
            self._fit_preprocessing(X)
        X = self._to_model_space(X)
        if first_pass:
            self._initialize(X, likelihood, n_components)
        X_train, X_val = self._split(X, early_stopping, streaming)
        device = self.device_
        dtype = DTYPES[self.dtype]
        # Continuing fits draw from a generator derived from the epoch count, so
        # a fit split over several calls is reproducible too.
        generator = make_generator(self._seed + 7919 * self.n_iter_, device)
        if not streaming:
            X_train = to_tensor(X_train, device, dtype)
        val_eps = None if X_val is None else self._score_eps(1)
        n_train = X_train.shape[0]
        batch_size = self._batch_size(n_train)
        set_weight_decay(self._optimizer, self.alpha / n_train)
        autocast_dtype, grad_scaler = self._mixed_precision()
        outcome = train(
            self.module_,
            self._optimizer,
            X_train,
            self._train_state,
            max_iter=1 if incremental else self.max_iter,
            batch_size=batch_size,
            generator=generator,
            beta=self.beta,
            shuffle=self.shuffle,
            X_val=X_val,
            val_eps=val_eps,
            tol=self.tol,
            n_iter_no_change=self.n_iter_no_change,
            check_improvement=not incremental,
            verbose=self.verbose,
            autocast_dtype=autocast_dtype,
            grad_scaler=grad_scaler,
            support_fraction=self._support_fraction(),
        )
        self._train_state.best_state = None  # restored already; keep no copy
        self._sync_attributes(early_stopping)
        return outcome

    def _validate(self, X, *, reset, copy_readonly=True):
        """validate_data, plus a clear error for non-numeric DataFrame columns."""
        dtypes = getattr(X, "dtypes", None)
        if dtypes is not None and hasattr(dtypes, "items"):
            bad = [
                str(name)
                for name, dt in dtypes.items()
                if not (is_numeric_dtype(dt) or is_bool_dtype(dt))
            ]
            if bad:
                raise ValueError(
                    f"X has non-numeric columns {bad[:10]}: a VAE models numbers. "
                    "Encode them first (for example OneHotEncoder in a "
                    "ColumnTransformer) or drop them."
                )
        return validate_data(
            self,
            X,
            dtype=[np.float64, np.float32],
            reset=reset,
            force_writeable=copy_readonly,
        )

    def _batch_size(self, n_train):
        if self.batch_size == "auto":
            return min(200, n_train)
        if self.batch_size > n_train:
            warnings.warn(
                f"batch_size={self.batch_size} is larger than the {n_train} "
                "training samples; using one batch of all of them.",
                UserWarning,
                stacklevel=5,
            )
        return min(self.batch_size, n_train)

    def _mixed_precision(self):
        if self.mixed_precision is None:
            return None, None
        if self.mixed_precision == "fp16":
            if self.device_.type != "cuda":
                raise ValueError(
                    "mixed_precision='fp16' needs a CUDA device; on the CPU use "
                    "mixed_precision='bf16' or None."
                )
            return torch.float16, torch.amp.GradScaler("cuda")
        return torch.bfloat16, None

    # Hooks for subclasses (VAEOutlierDetector): how the likelihood and the
    # latent size are chosen, the share of each minibatch the objective keeps
    # (trimming), and a fitted transformation of the input space.
    def _likelihood_name(self, X):
        return self.likelihood

    def _support_fraction(self):
        """Share of each minibatch the training objective averages over."""
        return 1.0

    def _n_components(self, X):
        return self.n_components

    def _fit_preprocessing(self, X):
        pass

    def _to_model_space(self, X):
        return X

    def _from_model_space(self, X):
        return X

    def _adjust_scores(self, X, scores):
        """Per-sample (or per-feature) scores of X (in model space), adjusted."""
        return scores

    def _score_prior(self):
        """The prior p(z) of the scores: None is the model's N(0, I)."""
        return None

    def _check_params(self, X, n_components):
        """Checks that need the data or go beyond ``_parameter_constraints``."""
        sizes = self.hidden_layer_sizes
        if not all(isinstance(h, Integral) and h >= 1 for h in sizes):
            raise ValueError(
                "hidden_layer_sizes must be a tuple of positive ints, got "
                f"{sizes!r}; for example hidden_layer_sizes=(256, 128)."
            )
        if n_components > X.shape[1]:
            raise ValueError(
                f"n_components={n_components} is larger than "
                f"n_features={X.shape[1]}: a latent code bigger than the data "
                "compresses nothing. Use n_components <= n_features."
            )
        resolve_device(self.device)  # a clear error for unknown or absent devices

    def _check_values(self, X, likelihood):
        """Values the likelihood cannot model, or that overflow the precision."""
        if X.size == 0:
            return
        x_min, x_max = float(np.min(X)), float(np.max(X))
        message = likelihood.support_error(x_min, x_max)
        if message:
            raise ValueError(message)
        limit = _MAGNITUDE_LIMIT[self.dtype]
        biggest = max(abs(x_min), abs(x_max))
        if biggest > limit:
            raise ValueError(
                f"X has values as large as {biggest:.3g}, beyond what "
                f"dtype={self.dtype!r} can square without overflow (about "
                f"{limit:.0e}). Standardise X (for example with StandardScaler)"
                + (" or use dtype='float64'." if self.dtype == "float32" else ".")
            )

    def _initialize(self, X, likelihood, n_components):
        rng = check_random_state(self.random_state)
        init_seed, self._seed, self._score_seed = (
            int(s) for s in rng.randint(_MAX_SEED, size=3)
        )
        self.device_ = resolve_device(self.device)
        if likelihood != "bernoulli":
            _, variance = _column_moments(X)
            mean_var = float(np.mean(variance))
            self.var_floor_ = self.var_smoothing * (mean_var if mean_var > 0 else 1.0)
            constant = np.flatnonzero(variance <= self.var_floor_)
            if constant.size and X.shape[0] > 1:
                warnings.warn(
                    f"{constant.size} feature(s) are constant or nearly so "
                    f"(columns {constant[:10].tolist()}"
                    f"{', ...' if constant.size > 10 else ''}): their variance is "
                    f"below the Gaussian likelihood's floor var_floor_="
                    f"{self.var_floor_:.3g}, so each adds a fixed amount to every "
                    "score. Drop them (sklearn.feature_selection.VarianceThreshold) "
                    "or raise var_smoothing if that is not wanted.",
                    UserWarning,
                    stacklevel=6,
                )
        else:
            self.var_floor_ = 0.0
        config = VAEConfig(
            n_features=X.shape[1],
            n_components=n_components,
            hidden_layer_sizes=tuple(int(h) for h in self.hidden_layer_sizes),
            activation=self.activation,
            likelihood=likelihood,
            var_floor=self.var_floor_,
            decoder_variance=self.decoder_variance,
        )
        # Initial weights come from a CPU generator: the same on every device.
        module = VAE(
            config,
            generator=make_generator(init_seed, "cpu"),
            dtype=DTYPES[self.dtype],
        )
        self.module_ = module.to(self.device_)
        self._optimizer = make_optimizer(
            self.module_, self.solver, self.learning_rate_init
        )
        self._train_state = TrainState()
        self.n_iter_ = 0

    def _split(self, X, early_stopping, streaming):
        """The training part of X and the held-out part for early stopping."""
        if not early_stopping:
            return X, None
        n_samples = X.shape[0]
        n_val = max(2, math.ceil(self.validation_fraction * n_samples))
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

    def _sync_attributes(self, early_stopping):
        state = self._train_state
        self.n_iter_ = state.n_iter
        self.loss_curve_ = list(state.loss_curve)
        if early_stopping or state.validation_scores:
            self.validation_scores_ = list(state.validation_scores)
            self.best_validation_score_ = state.best_validation_score
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = state.best_loss

    def _backup(self):
        from copy import deepcopy

        return {
            "module": {k: v.clone() for k, v in self.module_.state_dict().items()},
            "optimizer": deepcopy(self._optimizer.state_dict()),
            "train_state": deepcopy(self._train_state),
        }

    def _restore(self, backup):
        self.module_.load_state_dict(backup["module"])
        self._optimizer.load_state_dict(backup["optimizer"])
        self._train_state = backup["train_state"]

    # ---------------------------------------------------------------- inference
    def _score_eps(self, n_draws):
        """Fixed noise (n_draws, 1, n_components) shared by all rows."""
        return standard_normal(
            (n_draws, 1, self.module_.config.n_components),
            self._score_seed,
            self.device_,
            DTYPES[self.dtype],
        )

    def _batches(self, X, width):
        """Row blocks of X (numpy) as tensors, sized to the inference budget."""
        rows = _rows_per_batch(width)
        for start in range(0, X.shape[0], rows):
            yield (
                start,
                to_tensor(X[start : start + rows], self.device_, DTYPES[self.dtype]),
            )

    @torch.no_grad()
    def _map_rows(self, X, fn, out_width, width):
        out = np.empty((X.shape[0], *out_width), dtype=X.dtype)
        for start, xb in self._batches(X, width):
            res = fn(xb)
            out[start : start + res.shape[0]] = to_numpy(res, X.dtype)
        finite = np.isfinite(out).reshape(out.shape[0], -1).all(axis=1)
        if not finite.all():
            rows = np.flatnonzero(~finite)
            raise ValueError(
                f"The model's output is not finite for {rows.size} row(s) of X "
                f"(first: {rows[:5].tolist()}), whose values lie far outside the "
                "range of the training data. Scale X as the training data was "
                "scaled, or refit with dtype='float64'."
            )
        return out

    def transform(self, X):
        """Infer the code of each sample: the mean of q(z | x).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to encode.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            Posterior means, in the dtype of X (float64 for integer input).

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae = vae.fit(X)
        >>> vae.transform(X).shape
        (50, 2)
        """
        check_is_fitted(self)
        X = self._to_model_space(self._validate(X, reset=False))
        k = self.module_.config.n_components
        return self._map_rows(
            X, lambda xb: self.module_.encode(xb)[0], (k,), X.shape[1] + 2 * k
        )

    def inverse_transform(self, X):
        """Decode latent codes to data space: the decoder's mean E[x | z].

        Parameters
        ----------
        X : array-like of shape (n_samples, n_components)
            Latent codes, for example the output of :meth:`transform`.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            The decoder's mean for each code.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae = vae.fit(X)
        >>> Z = vae.transform(X)
        >>> vae.inverse_transform(Z).shape
        (50, 4)
        """
        check_is_fitted(self)
        X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        k = self.module_.config.n_components
        if X.shape[1] != k:
            raise ValueError(
                f"X has {X.shape[1]} features, but inverse_transform expects "
                f"n_components={k} (the latent size)."
            )
        d = self.n_features_in_
        return self._from_model_space(
            self._map_rows(
                X,
                self.module_.decode_mean,
                (d,),
                2 * d * self.module_.likelihood.n_params,
            )
        )

    def sample(self, n_samples=1, *, random_state=None, mean=True):
        """Generate new data by ancestral sampling: z ~ N(0, I), then x from p(x | z).

        The model is not changed.

        Parameters
        ----------
        n_samples : int, default=1
            Number of samples to generate.

        random_state : int, RandomState instance or None, default=None
            Seeds the draws. See :term:`Glossary <random_state>`.

        mean : bool, default=True
            Return the decoder's mean E[x | z] for each z (smooth images). If
            False, draw x ~ p(x | z) (for example binary pixels for
            ``likelihood="bernoulli"``).

        Returns
        -------
        X : ndarray of shape (n_samples, n_features)
            Generated samples, in the model's dtype.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae = vae.fit(X)
        >>> X_new = vae.sample(3, random_state=0)
        >>> X_new.shape, X_new.dtype
        ((3, 4), dtype('float32'))
        """
        check_is_fitted(self)
        if not isinstance(n_samples, Integral) or n_samples < 1:
            raise ValueError(f"n_samples must be a positive int, got {n_samples!r}.")
        seed = int(check_random_state(random_state).randint(_MAX_SEED))
        dtype = DTYPES[self.dtype]
        z = standard_normal(
            (n_samples, self.module_.config.n_components), seed, self.device_, dtype
        )
        generator = make_generator(seed, self.device_)
        lik = self.module_.likelihood

        def draw(zb):
            out = self.module_.decode(zb)
            return lik.mean(out) if mean else lik.sample(out, generator=generator)

        np_dtype = np.dtype(self.dtype)
        d = self.n_features_in_
        rows = _rows_per_batch(2 * d * lik.n_params)
        X = np.empty((n_samples, d), dtype=np_dtype)
        with torch.no_grad():
            for start in range(0, n_samples, rows):
                X[start : start + rows] = to_numpy(
                    draw(z[start : start + rows]), np_dtype
                )
        return self._from_model_space(X)

    def _validate_for_scoring(self, X):
        check_is_fitted(self)
        X = self._validate(X, reset=False)
        self._check_values(X, self.module_.likelihood)
        return self._to_model_space(X)

    def score_samples(self, X):
        """Log-likelihood bound of each sample, in nats; higher means more typical.

        With ``score_method="elbo"`` this is the ELBO with ``n_score_samples``
        draws of z; with ``"iwae"`` the importance-weighted estimate of log p(x).
        The Monte Carlo noise is fixed at fit time and shared by every row, so
        the result is deterministic and each row's score does not depend on the
        rest of X.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Per-sample scores in nats.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae = vae.fit(X)
        >>> vae.score_samples(X).shape
        (50,)
        """
        return self._score_rows(self._validate_for_scoring(X))

    def _score_rows(self, X):
        """:meth:`score_samples` of X already validated and in model space."""
        eps = self._score_eps(self.n_score_samples)
        prior = self._score_prior()
        if self.score_method == "iwae":

            def fn(xb):
                return self.module_.log_marginal_likelihood(xb, eps=eps, prior=prior)

        else:

            def fn(xb):
                return self.module_.elbo(xb, eps=eps, prior=prior)

        width = self.n_score_samples * X.shape[1] * 3
        if prior is not None:
            width += self.n_score_samples * prior.loc.numel()
        return self._adjust_scores(X, self._map_rows(X, fn, (), width))

    def score_samples_per_feature(self, X):
        """Each feature's share of the score: E_q[log p(x_j | z)] in nats.

        The likelihood factorises over features, so the reconstruction term of
        the ELBO is a sum of one term per feature; low values point at the
        features that make a sample atypical. A row of the result sums to the
        ELBO of :meth:`score_samples` (``score_method="elbo"``) plus the KL term
        ``KL(q(z|x) || p(z))``, which does not split over features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to explain.

        Returns
        -------
        contributions : ndarray of shape (n_samples, n_features)
            Per-feature expected log-likelihood in nats.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae = vae.fit(X)
        >>> vae.score_samples_per_feature(X).shape
        (50, 4)
        """
        X = self._validate_for_scoring(X)
        eps = self._score_eps(self.n_score_samples)

        def fn(xb):
            return self.module_.elbo_per_feature(xb, eps=eps)[0]

        width = self.n_score_samples * X.shape[1] * 3
        return self._adjust_scores(X, self._map_rows(X, fn, (X.shape[1],), width))

    def score(self, X, y=None):
        """Mean of :meth:`score_samples`: the average ELBO (or log p(x)) in nats.

        Higher is better, so :class:`~sklearn.model_selection.GridSearchCV`
        selects hyperparameters by held-out likelihood without a scorer.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            Mean per-sample score in nats.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae = vae.fit(X)
        >>> score = vae.score(X)
        >>> bool(np.isclose(score, vae.score_samples(X).mean()))
        True
        """
        return float(np.mean(self.score_samples(X)))

    # Fitted numpy arrays (stored as lists by ``save``).
    _array_attributes: ClassVar[tuple] = ()

    # ------------------------------------------------------------- persistence
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
        >>> import os
        >>> import tempfile
        >>> import numpy as np
        >>> from skvae import VAETransformer, load
        >>> X = np.random.RandomState(0).rand(50, 4)
        >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
        >>> vae = vae.fit(X)
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = vae.save(os.path.join(folder, "vae.skvae"))
        ...     restored = load(path)
        >>> bool(np.allclose(restored.transform(X), vae.transform(X)))
        True
        """
        check_is_fitted(self)
        params = self.get_params(deep=False)
        if not isinstance(params["random_state"], Integral | None):
            params["random_state"] = None  # a RandomState object is not data
        params["hidden_layer_sizes"] = [int(h) for h in params["hidden_layer_sizes"]]
        attributes = {}
        for key, value in vars(self).items():
            if key in ("module_", "device_", "_optimizer", "_train_state"):
                continue
            if key.endswith("_") or key in ("_seed", "_score_seed"):
                attributes[key] = _to_plain(value)
        state = self._train_state
        _persistence.write(
            path,
            {
                "estimator": type(self).__name__,
                "versions": {
                    "torch": str(torch.__version__),
                    "sklearn": _sklearn_version,
                },
                "params": params,
                "attributes": attributes,
                "device": str(self.device_),
                "config": self.module_.config.to_dict(),
                "state_dict": {
                    k: v.detach().cpu() for k, v in self.module_.state_dict().items()
                },
                "optimizer": _tree_to_cpu(self._optimizer.state_dict()),
                "train_state": {
                    "n_iter": state.n_iter,
                    "loss_curve": list(state.loss_curve),
                    "validation_scores": list(state.validation_scores),
                    "best_loss": state.best_loss,
                    "best_validation_score": state.best_validation_score,
                    "no_improvement_count": state.no_improvement_count,
                },
            },
            __version__,
        )
        return path

    @classmethod
    def _from_saved(cls, content):
        params = dict(content["params"])
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        est = cls(**params)
        for key, value in content["attributes"].items():
            if key == "feature_names_in_":
                value = np.asarray(value, dtype=object)
            elif key in cls._array_attributes and value is not None:
                value = np.asarray(value, dtype=np.float64)
            setattr(est, key, value)
        config = dict(content["config"])
        config["hidden_layer_sizes"] = tuple(config["hidden_layer_sizes"])
        est.device_ = loadable_device(content["device"])
        module = VAE(VAEConfig(**config), dtype=DTYPES[est.dtype])
        module.load_state_dict(content["state_dict"])
        est.module_ = module.to(est.device_).eval()
        est._optimizer = make_optimizer(est.module_, est.solver, est.learning_rate_init)
        est._optimizer.load_state_dict(content["optimizer"])
        est._train_state = TrainState(**content["train_state"])
        return est

    # -------------------------------------------------------------- plumbing
    @property
    def _n_features_out(self):
        return self.module_.config.n_components

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ is not a copy
        if "module_" in state:
            # Store CPU tensors so that a model fitted on CUDA loads anywhere, and
            # the optimizer as its state dict (rebuilt around the module on load).
            module = self.module_
            if self.device_.type != "cpu":
                cpu = VAE(module.config, dtype=DTYPES[self.dtype])
                cpu.load_state_dict(
                    {k: v.cpu() for k, v in module.state_dict().items()}
                )
                module = cpu
            state["module_"] = module
            state["_optimizer"] = _tree_to_cpu(self._optimizer.state_dict())
        return state

    def __setstate__(self, state):
        optimizer_state = state.get("_optimizer")
        super().__setstate__(state)
        if "module_" in state:
            self.device_ = loadable_device(self.device_)
            self.module_.to(self.device_)
            self._optimizer = make_optimizer(
                self.module_, self.solver, self.learning_rate_init
            )
            self._optimizer.load_state_dict(optimizer_state)


def _rows_per_batch(width):
    """Rows per inference batch holding about _INFERENCE_BUDGET numbers."""
    return max(1, _INFERENCE_BUDGET // max(width, 1))


def _column_moments(X, chunk_rows=65536):
    """Per-column mean and variance in float64, one block of rows at a time
    (memmap-safe: no full-size temporary)."""
    n, mean, m2 = 0, np.zeros(X.shape[1]), np.zeros(X.shape[1])
    for start in range(0, X.shape[0], chunk_rows):
        block = np.asarray(X[start : start + chunk_rows], dtype=np.float64)
        nb, mb = block.shape[0], block.mean(axis=0)
        m2b = ((block - mb) ** 2).sum(axis=0)
        delta = mb - mean
        total = n + nb
        mean = mean + delta * nb / total
        m2 = m2 + m2b + delta**2 * n * nb / total
        n = total
    return mean, m2 / max(n, 1)


def _to_plain(value):
    """numpy values as plain Python ones (the safe format stores no objects)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list):
        return [_to_plain(v) for v in value]
    return value


def load(path):
    """Load a model written by ``save`` (safe: no code runs while loading).

    Parameters
    ----------
    path : str or path-like
        A file written by :meth:`VAETransformer.save`.

    Returns
    -------
    estimator : VAETransformer
        The fitted estimator, on its original device when available here, else
        on the CPU with a :class:`~skvae.DeviceWarning`.

    Raises
    ------
    ValueError
        If the file is not an skvae model, fails its integrity check, or was
        written in a newer file format.

    Examples
    --------
    >>> import os
    >>> import tempfile
    >>> import numpy as np
    >>> from skvae import VAETransformer, load
    >>> X = np.random.RandomState(0).rand(50, 4)
    >>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    >>> vae = vae.fit(X)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     restored = load(vae.save(os.path.join(folder, "vae.skvae")))
    >>> restored
    VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    >>> restored.n_iter_
    5
    """
    from skvae import _outlier  # noqa: F401  (registers VAEOutlierDetector)

    content = _persistence.read(path, __version__)
    classes = {c.__name__: c for c in _ESTIMATORS}
    name = content.get("estimator")
    if name not in classes:
        raise ValueError(f"{os.fspath(path)!r} holds an unknown estimator {name!r}.")
    return classes[name]._from_saved(content)


def _tree_to_cpu(obj):
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, dict):
        return {k: _tree_to_cpu(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return type(obj)(_tree_to_cpu(v) for v in obj)
    return obj


_ESTIMATORS = [VAETransformer]
