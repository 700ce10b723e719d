"""VAETransformer: the scikit-learn face of the AEVB core."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from skvae._estimators._base import _MAX_SEED, _BaseVAE
from skvae._estimators._docs import fill
from skvae._estimators._param_docs import ATTRIBUTES, PARAMETERS, section
from skvae._estimators._validation import check_n_samples, validate_codes
from skvae.core._inference import conditional_rows, sample_rows

# Importance-weighted draws of z per row of sample(given=...).
CONDITIONAL_DRAWS = 100


class VAETransformer(_BaseVAE):
    __doc__ = f"""Variational autoencoder trained with Auto-Encoding Variational Bayes.

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
{section(PARAMETERS, PARAMETERS)}

    Attributes
    ----------
{section(ATTRIBUTES, ATTRIBUTES)}

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

    def __init__(
        self,
        n_components="auto",
        *,
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
        early_stopping="auto",
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
        self.n_components = n_components
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

    @fill
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the model to X by maximising the ELBO.

        {fit_sections}

        Examples
        --------
        {fitted_transformer}
        >>> vae.n_iter_, len(vae.loss_curve_)
        (5, 5)
        """
        return self._fit(X, y, incremental=False)

    @fill
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        """Run exactly one epoch over X, continuing from the current state.

        The optimiser's state (Adam's moments) is kept between calls, so a
        sequence of ``partial_fit`` calls over chunks of a data set trains as
        one long run. Early stopping does not apply.

        {fit_sections}

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
        return self._fit(X, y, incremental=True)

    @fill
    def transform(self, X):
        """Infer the code of each sample: the mean of q(z | x).

        {X_param}

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_kept)
            Posterior means of the ``n_kept = n_components_`` kept latent
            dimensions, most active first, in the dtype of X (float64 for
            integer input).

        Examples
        --------
        {fitted_transformer}
        >>> vae.transform(X).shape  # n_components_ columns: the active ones
        (50, 1)
        """
        return self._codes(X)

    @fill
    def inverse_transform(self, X):
        """Decode latent codes to data space: the decoder's mean E[x | z].

        Parameters
        ----------
        X : array-like of shape (n_samples, n_kept)
            Latent codes of the ``n_kept = n_components_`` kept dimensions,
            for example the output of :meth:`transform`; the dimensions that
            are not kept are at their prior mean, 0.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features) or DataFrame
            The decoder's mean for each code; a DataFrame with the fitted
            columns and dtypes for a mixed table, indexed as ``X`` when
            ``X`` is a DataFrame (the output of :meth:`transform` under
            ``set_output(transform="pandas")``).

        Examples
        --------
        {fitted_transformer}
        >>> Z = vae.transform(X)
        >>> vae.inverse_transform(Z).shape
        (50, 4)
        """
        check_is_fitted(self)
        index = getattr(X, "index", None)  # a table's rows keep the codes' index
        return self._decode(validate_codes(X, self.n_components_), index)

    @fill
    def sample(self, n_samples=1, *, random_state=None, mean="auto", given=None):
        """Generate new rows: z ~ N(0, I), then x from p(x | z).

        ``given`` some columns' values, the other columns come from the
        model's conditional distribution p(x_rest | x_given). The model is not
        changed. A number column of a mixed table (a DataFrame read per
        column, see ``likelihood``) stays within the range it had at
        :meth:`fit`: a value beyond it is set to the nearer end (as SDV's
        ``enforce_min_max_values``), so that an age or an amount never comes
        back below the table's smallest.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows to generate.

        random_state : int, RandomState instance or None, default=None
            Seeds the draws. See :term:`Glossary <random_state>`.

        mean : bool or "auto", default="auto"
            False: draw x ~ p(x | z), rows that follow the data's own
            distribution, as :meth:`GaussianMixture.sample
            <sklearn.mixture.GaussianMixture.sample>` draws. True: the
            decoder's mean E[x | z] for each z (for a category its most
            probable level; smooth images). "auto" draws, except for data in
            [0, 1] modelled as Bernoulli (images), where it returns the means.

        given : dict, DataFrame or array-like, default=None
            Conditions: the values of some columns, which every returned row
            holds exactly; the other columns are drawn from the model's
            conditional distribution p(x_rest | x_given) (importance-weighted
            draws of z, :data:`CONDITIONAL_DRAWS` per row; their conditional
            mean with ``mean=True``). A dict ``{column: value}`` gives the same
            conditions to every row; a DataFrame with some of the fitted
            columns (NaN where free), or a dict ``{column: list}``, gives one
            row's conditions per row, and ``n_samples`` must be its length
            (a table's rows come back under the DataFrame's index).
            For an array fitted without feature names the keys are column
            indices, or ``given`` is an array of shape (n_samples,
            n_features) with NaN where free. A
            condition a category was not fitted on follows
            ``handle_unknown``.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features) or DataFrame
            Generated rows, in the model's dtype; a DataFrame with the fitted
            columns and dtypes for a mixed table.

        Examples
        --------
        {fitted_transformer}
        >>> X_new = vae.sample(3, random_state=0)
        >>> X_new.shape, X_new.dtype
        ((3, 4), dtype('float32'))
        >>> rows = vae.sample(3, random_state=0, given={0: 0.5})
        >>> rows[:, 0].tolist()
        [0.5, 0.5, 0.5]
        """
        check_is_fitted(self)
        check_n_samples(n_samples)
        seed = int(check_random_state(random_state).randint(_MAX_SEED))
        if mean == "auto":  # images: the decoder's means; everything else draws
            mean = self.module_.likelihood.unit_interval
        space = self._space
        if given is None:
            drawn = sample_rows(self.module_, n_samples, seed, mean=mean)
            return space.output(drawn, within_range=True)
        original = space.conditions(self, given, n_samples)
        X = space.read(self, original)
        drawn = conditional_rows(
            self.module_,
            self._validate_rows(X, read=False),
            n_draws=CONDITIONAL_DRAWS,
            seed=seed,
            mean=mean,
        )
        return space.fill(original, X, drawn, within_range=True)

    @fill
    def score_samples(self, X):
        """Log-likelihood bound of each sample, in nats; higher means more typical.

        With ``score_method="elbo"`` this is the ELBO with ``n_score_draws``
        draws of z; with ``"iwae"`` the importance-weighted estimate of log p(x).
        The Monte Carlo noise is fixed at fit time and shared by every row, so
        the result is deterministic and each row's score does not depend on the
        rest of X.

        {X_param}

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Per-sample scores in nats.

        Examples
        --------
        {fitted_transformer}
        >>> vae.score_samples(X).shape
        (50,)
        """
        return self._score_rows(self._validate_rows(X))

    @fill
    def score_samples_per_feature(self, X):
        """Each feature's share of the score: E_q[log p(x_j | z)] in nats.

        The likelihood factorises over features, so the reconstruction term of
        the ELBO is a sum of one term per feature; low values point at the
        features that make a sample atypical. A row of the result sums to the
        ELBO of :meth:`score_samples` (``score_method="elbo"``) plus the KL term
        ``KL(q(z|x) || p(z))``, which does not split over features.

        {X_param}

        Returns
        -------
        contributions : ndarray of shape (n_samples, n_features)
            Per-feature expected log-likelihood in nats.

        Examples
        --------
        {fitted_transformer}
        >>> vae.score_samples_per_feature(X).shape
        (50, 4)
        """
        return self._score_rows(self._validate_rows(X), per_feature=True)

    @fill
    def score(self, X, y=None):
        """Mean of :meth:`score_samples`: the average ELBO (or log p(x)) in nats.

        Higher is better, so :class:`~sklearn.model_selection.GridSearchCV`
        selects hyperparameters by held-out likelihood without a scorer. For
        :class:`VAEOutlierDetector` it is the mean anomaly score: higher when X
        looks more like the training data.

        {X_param}

        {y_ignored}

        Returns
        -------
        score : float
            Mean per-sample score in nats.

        Examples
        --------
        {fitted_transformer}
        >>> score = vae.score(X)
        >>> bool(np.isclose(score, vae.score_samples(X).mean()))
        True
        """
        return float(np.mean(self.score_samples(X)))
