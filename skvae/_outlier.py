"""VAEOutlierDetector: anomaly detection scored by a VAE's ELBO."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import re
from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import torch
from sklearn.base import OutlierMixin
from sklearn.utils._param_validation import Interval, StrOptions

from skvae._estimator import _ESTIMATORS, VAETransformer, _column_moments
from skvae._likelihoods import LIKELIHOODS
from skvae._model import MixturePrior
from skvae._utils import DTYPES


def _parameter_entries(doc):
    """The entries of a numpydoc Parameters section, by parameter name."""
    section = doc.split("Parameters\n    ----------\n", 1)[1].split("\n    Attributes")[
        0
    ]
    entries = re.split(r"\n(?=    \w+ : )", section.strip("\n"))
    return {e.split(" : ")[0].strip(): e.rstrip() for e in entries}


_SHARED = _parameter_entries(VAETransformer.__doc__)
_OWN = {
    "n_components": """    n_components : int or None, default=None
        Size of the latent code z; None picks ``min(8, ceil(n_features / 2))``.""",
    "contamination": """    contamination : "auto" or float in (0, 0.5], default="auto"
        Share of outliers expected in the training data; it sets ``offset_``,
        the threshold of :meth:`predict`, as that quantile of the training
        scores. "auto" uses Tukey's rule instead: a point is an outlier when its
        score is below ``Q1 - 1.5 * IQR`` of the training scores.""",
    "support_fraction": """    support_fraction : float in (0, 1], default=0.8
        Share of each minibatch the training objective averages over: each step
        maximises the mean ELBO of the best-explained ``support_fraction`` of
        its samples and ignores the rest, and early stopping watches the same
        trimmed mean of the held-out ELBOs. This is a trimmed likelihood
        estimator (the idea behind the minimum covariance determinant of
        :class:`~sklearn.covariance.EllipticEnvelope`): outliers in the training
        data are not learnt, so they keep low scores. 1.0 fits the plain
        ELBO.""",
    "n_prior_components": """    n_prior_components : int or None, default=500
        Size of the prior the scores use: after training, N(0, I) is replaced
        by the mixture of the posteriors q(z | x_m) of this many training rows
        drawn from the best-explained ``support_fraction`` of them (all of them
        when there are fewer), an estimate of the aggregate posterior. Codes in
        regions of latent space that no training row uses then cost more, so a
        novel sample that the decoder happens to reconstruct well from such a
        code is not scored as normal. None keeps N(0, I).""",
    "hidden_layer_sizes": """    hidden_layer_sizes : tuple of int, default=(64, 32)
        Widths of the encoder's hidden layers; the decoder mirrors them. Smaller
        than :class:`VAETransformer`'s default: a detector needs a model of the
        bulk of the data, not of every detail (on the ODDS sets the smaller
        network ranks outliers better and fits twice as fast).""",
    "likelihood": """    likelihood : {"auto", "cauchy", "gaussian", "bernoulli"}, \
default="auto"
        "auto" picks "bernoulli" when the training data lie in [0, 1] (images
        scaled by 255, binary features) and "cauchy" otherwise: a heavy-tailed
        decoder, so that one sharply predicted feature (a count that is nearly
        always zero) cannot dominate a sample's score.""",
    "early_stopping": """    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training data and stop when its
        trimmed ELBO (see ``support_fraction``) stops improving, restoring the
        best weights.""",
    "max_iter": """    max_iter : int, default=100
        Maximum number of epochs per call of :meth:`fit`.""",
}
_ORDER = [
    "n_components",
    "contamination",
    "support_fraction",
    "n_prior_components",
    *[k for k in _SHARED if k != "n_components"],
]


def _parameters_doc():
    return "\n\n".join(_OWN.get(name, _SHARED.get(name)) for name in _ORDER)


class VAEOutlierDetector(OutlierMixin, VAETransformer):
    __doc__ = f"""Outlier detector scored by the ELBO of a variational autoencoder.

    The detector fits a :class:`VAETransformer` to (possibly contaminated)
    data and scores each sample by how well the model explains it. It follows
    the conventions of :class:`~sklearn.ensemble.IsolationForest`:
    :meth:`score_samples` is high for normal points, :meth:`decision_function`
    is negative for outliers, :meth:`predict` returns +1 / -1.

    The score is the ELBO minus the *saturated* log-likelihood of the sample,
    the largest value any decoder output could give it::

        score(x) = ELBO(x) - sum_j max_theta log p(x_j | theta)   (about <= 0 nats)

    i.e. minus the KL term minus half the deviance of the reconstruction
    (the KL term under the mixture prior below is a Monte Carlo estimate,
    so a score can exceed 0 by its error). For
    binary data and for the Gaussian and Cauchy likelihoods the subtracted term
    does not depend on x (the ranking is the ELBO's); for grey levels under the
    Bernoulli likelihood it removes each pixel's own entropy. Without it, a
    likelihood ranks images by how much mid-grey they hold rather than by how
    unusual they are: the "complexity" bias of density models on images
    (Nalisnick et al., 2019; Serra et al., 2020). Real-valued data are
    modelled by a heavy-tailed Cauchy decoder (Takahashi et al., 2018), whose
    penalty grows with the logarithm of a residual rather than its square: a
    feature the model predicts very sharply, such as a count that is nearly
    always zero, cannot swamp the evidence of all the others. They are
    standardised internally (``mean_``, ``scale_``), so raw tabular features on
    any scale work out of the box; the score, a difference of two
    log-densities, does not depend on that scaling (its Jacobian cancels).

    The ELBO of the score uses the *aggregate posterior* as the prior, not the
    N(0, I) of training: the mixture of the posteriors q(z | x_m) of up to
    ``n_prior_components`` well-explained training rows, the prior that
    maximises the training ELBO for the fitted networks (Hoffman & Johnson,
    2016). N(0, I) also gives high density to regions of latent space that no
    training row uses, and a novel sample that is encoded there and decoded
    well would score as normal; under the mixture such codes cost nats. (A
    training row that is one of the components scores a little higher than an
    unseen one, most for isolated rows; the threshold ``offset_`` is set on
    these training scores.)

    Training data are rarely clean, and a flexible model fitted to all of them
    learns the outliers too, which then score as normal. The detector therefore
    fits a *trimmed* ELBO: each step averages over the ``support_fraction`` best
    explained samples of its minibatch only, and early stopping watches the same
    trimmed mean on held-out data. This is the trimmed likelihood estimator of
    robust statistics (Neykov et al., 2007), of which the minimum covariance
    determinant behind :class:`~sklearn.covariance.EllipticEnvelope` is the
    Gaussian case.

    Parameters
    ----------
{_parameters_doc()}

    Attributes
    ----------
    offset_ : float
        Threshold on :meth:`score_samples`: ``decision_function = score_samples
        - offset_``.

    likelihood_ : str
        The likelihood in use ("cauchy", "gaussian" or "bernoulli").

    prior_loc_ : ndarray of shape (n_mixture, n_components) or None
        Means of the mixture prior's components (the posterior means of the
        chosen training rows); None with ``n_prior_components=None``.

    prior_log_scale_ : ndarray of shape (n_mixture, n_components) or None
        Log standard deviations of the mixture prior's components.

    mean_ : ndarray of shape (n_features,) or None
        Feature means removed before a real-valued model; None for Bernoulli.

    scale_ : ndarray of shape (n_features,) or None
        Feature scales divided out before a real-valued model; None for
        Bernoulli.

    module_ : skvae.VAE
        The fitted torch module.

    device_ : torch.device
        The device ``module_`` lives on.

    var_floor_ : float
        The floor of the decoder's variance or squared scale (0.0 for
        Bernoulli).

    n_iter_ : int
        Number of epochs run.

    loss_curve_ : list of float
        Mean negative ELBO of the training data after each epoch.

    best_loss_ : float or None
        Lowest value of ``loss_curve_``; None with ``early_stopping``.

    validation_scores_ : list of float or None
        Mean ELBO of the held-out data after each epoch.

    best_validation_score_ : float or None
        Highest value of ``validation_scores_``.

    n_features_in_ : int
        Number of features seen during :term:`fit`.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    VAETransformer : The underlying model, for codes, samples and scores.
    sklearn.ensemble.IsolationForest : Tree-based outlier detector.
    sklearn.neighbors.LocalOutlierFactor : Density-ratio outlier detector.

    References
    ----------
    D. P. Kingma and M. Welling, "Auto-Encoding Variational Bayes", 2013.

    M. D. Hoffman and M. J. Johnson, "ELBO surgery: yet another way to carve up
    the variational evidence lower bound", NIPS Workshop on Advances in
    Approximate Bayesian Inference, 2016.

    E. Nalisnick et al., "Do Deep Generative Models Know What They Don't
    Know?", ICLR 2019.

    N. Neykov et al., "Robust fitting of mixtures using the trimmed likelihood
    estimator", Computational Statistics & Data Analysis 52, 2007.

    H. Takahashi et al., "Student-t Variational Autoencoder for Robust Density
    Estimation", IJCAI 2018.

    J. Serra et al., "Input Complexity and Out-of-distribution Detection with
    Likelihood-based Generative Models", ICLR 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEOutlierDetector
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(300, 4), rng.uniform(-8, 8, size=(5, 4))]
    >>> det = VAEOutlierDetector(max_iter=30, random_state=0).fit(X)
    >>> det.predict(X[-5:])
    array([-1, -1, -1, -1, -1])
    """

    _parameter_constraints: ClassVar[dict] = {
        **VAETransformer._parameter_constraints,
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "likelihood": [StrOptions({"auto", *LIKELIHOODS})],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "support_fraction": [Interval(Real, 0, 1, closed="right")],
        "n_prior_components": [Interval(Integral, 1, None, closed="left"), None],
    }

    _array_attributes: ClassVar[tuple] = (
        "mean_",
        "scale_",
        "prior_loc_",
        "prior_log_scale_",
    )

    def __init__(
        self,
        n_components=None,
        *,
        contamination="auto",
        support_fraction=0.8,
        n_prior_components=500,
        hidden_layer_sizes=(64, 32),
        activation="relu",
        likelihood="auto",
        decoder_variance="per_sample",
        var_smoothing=1e-3,
        beta=1.0,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=100,
        shuffle=True,
        tol=1e-4,
        early_stopping=True,
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
        super().__init__(
            n_components=n_components,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            likelihood=likelihood,
            decoder_variance=decoder_variance,
            var_smoothing=var_smoothing,
            beta=beta,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate_init=learning_rate_init,
            max_iter=max_iter,
            shuffle=shuffle,
            tol=tol,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            n_iter_no_change=n_iter_no_change,
            warm_start=warm_start,
            score_method=score_method,
            n_score_samples=n_score_samples,
            device=device,
            dtype=dtype,
            mixed_precision=mixed_precision,
            random_state=random_state,
            verbose=verbose,
        )
        self.contamination = contamination
        self.support_fraction = support_fraction
        self.n_prior_components = n_prior_components

    # ------------------------------------------------------------- the hooks
    def _likelihood_name(self, X):
        if self.likelihood != "auto":
            return self.likelihood
        inside = X.size and float(np.min(X)) >= 0.0 and float(np.max(X)) <= 1.0
        return "bernoulli" if inside else "cauchy"

    def _support_fraction(self):
        return self.support_fraction

    def _n_components(self, X):
        if self.n_components is not None:
            return self.n_components
        return max(1, min(8, math.ceil(X.shape[1] / 2)))

    def _fit_preprocessing(self, X):
        self.likelihood_ = self._likelihood_name(X)
        if self.likelihood_ != "bernoulli":
            self.mean_, variance = _column_moments(X)
            scale = np.sqrt(variance)
            self.scale_ = np.where(scale > 0, scale, 1.0)
        else:
            self.mean_ = self.scale_ = None

    def _to_model_space(self, X):
        if self.scale_ is None:
            return X
        return ((X - self.mean_) / self.scale_).astype(X.dtype, copy=False)

    def _from_model_space(self, X):
        if self.scale_ is None:
            return X
        return (X * self.scale_ + self.mean_).astype(X.dtype, copy=False)

    # --------------------------------------------------------------- fitting
    def _fit(self, X, incremental):
        super()._fit(X, incremental)
        X = self._validate_for_scoring(X)
        self._fit_prior(X)
        scores = self._score_rows(X)
        if self.contamination == "auto":
            q1, q3 = np.percentile(scores, [25, 75])
            self.offset_ = float(q1 - 1.5 * (q3 - q1))
        else:
            self.offset_ = float(np.percentile(scores, 100.0 * self.contamination))
        return self

    def _fit_prior(self, X):
        """Mixture prior from the posteriors of well-explained training rows.

        X is the training data, validated and in model space.
        """
        self.prior_loc_ = self.prior_log_scale_ = None
        if self.n_prior_components is None:
            return
        scores = self._score_rows(X)  # still under N(0, I)
        cut = np.quantile(scores, 1.0 - self.support_fraction)
        keep = np.flatnonzero(scores >= cut)
        rng = np.random.RandomState(self._score_seed)
        size = min(self.n_prior_components, keep.size)
        rows = np.sort(rng.choice(keep, size=size, replace=False))
        X_rows = X[rows]
        k = self.module_.config.n_components
        codes = self._map_rows(
            X_rows,
            lambda xb: torch.cat(self.module_.encode(xb), dim=-1),
            (2 * k,),
            X_rows.shape[1] + 2 * k,  # as transform's
        ).astype(np.float64)
        self.prior_loc_, self.prior_log_scale_ = codes[:, :k], codes[:, k:]

    # ------------------------------------------------------------- inference
    def _score_prior(self):
        if getattr(self, "prior_loc_", None) is None:
            return None
        dtype = DTYPES[self.dtype]
        return MixturePrior(
            torch.as_tensor(self.prior_loc_, dtype=dtype, device=self.device_),
            torch.as_tensor(self.prior_log_scale_, dtype=dtype, device=self.device_),
        )

    def _adjust_scores(self, X, scores):
        """Subtract the saturated log-likelihood (per feature, or summed per row)."""
        lik = self.module_.likelihood
        out = np.empty(scores.shape, dtype=np.float64)
        for start in range(0, X.shape[0], 65536):
            xb = torch.as_tensor(np.asarray(X[start : start + 65536], dtype=np.float64))
            saturated = lik.saturated_log_prob(xb)
            if scores.ndim == 1:
                saturated = saturated.sum(-1)
            out[start : start + xb.shape[0]] = saturated.numpy()
        return (scores - out).astype(scores.dtype, copy=False)

    def score_samples(self, X):
        """Anomaly score of each sample: high for normal points, about <= 0 nats.

        The ELBO (or, with ``score_method="iwae"``, the importance-weighted
        log p(x)) under the mixture prior, minus the saturated log-likelihood
        of the sample; see the class description.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Per-sample scores in nats; the lower, the more abnormal.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEOutlierDetector
        >>> X = np.random.RandomState(0).randn(50, 4)
        >>> det = VAEOutlierDetector(hidden_layer_sizes=(8,), max_iter=5,
        ...                          random_state=0).fit(X)
        >>> det.score_samples(X).shape
        (50,)
        """
        return super().score_samples(X)

    def score_samples_per_feature(self, X):
        """Each feature's share of the anomaly score, in nats (<= 0).

        ``E_q[log p(x_j | z)] - max log p(x_j | .)``: how much worse than a
        perfect reconstruction the model explains feature j. The most negative
        entries are the features that make a sample anomalous. A row sums to
        :meth:`score_samples` (``score_method="elbo"``) plus the KL term
        ``E_q[log q(z|x) - log p(z)]`` under the mixture prior.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to explain.

        Returns
        -------
        contributions : ndarray of shape (n_samples, n_features)
            Per-feature contributions in nats.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEOutlierDetector
        >>> X = np.random.RandomState(0).randn(50, 4)
        >>> det = VAEOutlierDetector(hidden_layer_sizes=(8,), max_iter=5,
        ...                          random_state=0).fit(X)
        >>> det.score_samples_per_feature(X).shape
        (50, 4)
        """
        return super().score_samples_per_feature(X)

    def decision_function(self, X):
        """Shifted score: negative for outliers, positive for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            ``score_samples(X) - offset_``.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEOutlierDetector
        >>> X = np.random.RandomState(0).randn(50, 4)
        >>> det = VAEOutlierDetector(hidden_layer_sizes=(8,), max_iter=5,
        ...                          random_state=0).fit(X)
        >>> decision = det.decision_function(X)
        >>> decision.shape
        (50,)
        >>> bool(np.allclose(decision, det.score_samples(X) - det.offset_))
        True
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X):
        """Label each sample: +1 for an inlier, -1 for an outlier.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to label.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 or -1.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEOutlierDetector
        >>> X = np.random.RandomState(0).randn(50, 4)
        >>> det = VAEOutlierDetector(hidden_layer_sizes=(8,), max_iter=5,
        ...                          random_state=0).fit(X)
        >>> labels = det.predict(X)
        >>> labels.shape
        (50,)
        >>> set(labels.tolist()) <= {-1, 1}
        True
        """
        return np.where(self.decision_function(X) < 0, -1, 1)

    def score(self, X, y=None):
        """Mean anomaly score of X (higher: X looks more like the training data).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to score.

        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        score : float
            Mean of :meth:`score_samples`.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEOutlierDetector
        >>> X = np.random.RandomState(0).randn(50, 4)
        >>> det = VAEOutlierDetector(hidden_layer_sizes=(8,), max_iter=5,
        ...                          random_state=0).fit(X)
        >>> score = det.score(X)
        >>> bool(np.isclose(score, det.score_samples(X).mean()))
        True
        """
        return float(np.mean(self.score_samples(X)))


_ESTIMATORS.append(VAEOutlierDetector)
