"""The base class of the observation models, with the traits the rest of skvae asks.

A likelihood is a small :class:`torch.nn.Module`: it owns its per-feature
state (a variance floor, a fixed variance, learned degrees of freedom) as
buffers and parameters, so moving, saving and loading the model moves them
too. Everything outside this package learns what a likelihood is from its
traits (``has_scale``, ``levelled``, ...), never from its name.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from torch import nn

from skvae.core._docs import fill


@fill
class Likelihood(nn.Module):
    """Base class of a factorised observation model p(x | z) = prod_j p(x_j | z).

    The decoder emits :attr:`n_outputs` numbers per sample; a likelihood turns
    them into per-feature log-probabilities, means and draws. Every method
    accepts leading batch dimensions (for example ``(n_draws, n_samples,
    ...)``). A subclass sets :attr:`name`, the traits it differs in, and
    implements :meth:`log_prob`, :meth:`mean`, :meth:`sample` and
    :meth:`saturated_log_prob`; :func:`~skvae.core.register_likelihood` makes
    it available to the estimators by name.

    Parameters
    ----------
    n_features : int
        Number of features (columns of x) it models.

    Attributes
    ----------
    name : str
        The name it is registered under.
    n_params : int
        Decoder outputs per feature.
    has_scale : bool
        Whether it has a learned variance or squared scale, floored per
        feature by :meth:`set_var_floor` (the estimators' ``var_smoothing``).
    scales_x : bool
        Whether that scale is in x's own units: a mixed table standardises
        such a column, and the outlier detector floors its variance at the
        rounding noise of grid-valued features.
    scale_input : callable or None
        The numpy map from x to the variable whose variance the scale
        models (``np.log1p`` for the log-normal); None for x itself.
    transforms_input : bool
        Whether the encoder sees :meth:`features` of x, normalised by the
        model's ``feature_loc`` and ``feature_scale``, instead of x.
    levelled : bool
        Whether x holds level codes 0 .. K-1 of a list of levels (a category).
    unit_interval : bool
        Whether x lies in [0, 1] (binary data, grey levels).
    point_mass : bool
        Whether x = 0 has a probability of its own: a mixed table puts a
        column's most frequent value at 0, and an array is not centred.
    column_kind : str or None
        The kind of DataFrame column this likelihood is the automatic choice
        for: "bool", "category", "ordered", "count", "spiked" (a number
        with a point mass) or "real" (None: none).
    table_column : bool
        Whether it may model one column of a mixed table.

    See Also
    --------
    skvae.core.register_likelihood : Make a subclass available by name.
    skvae.core.build_likelihood : Build a model's likelihood from names.

    Examples
    --------
    {likelihood}
    >>> lik.name, lik.has_scale, lik.n_outputs
    ('gaussian', True, 6)
    """

    name = ""
    n_params = 1
    has_scale = False
    scales_x = False
    scale_input = None
    transforms_input = False
    levelled = False
    unit_interval = False
    point_mass = False
    column_kind = None
    table_column = True

    def __init__(self, n_features):
        super().__init__()
        self.n_features = int(n_features)

    # ------------------------------------------------------------- the layout
    @property
    @fill
    def n_outputs(self):
        """Decoder outputs per sample: ``n_params * n_features`` by default.

        Examples
        --------
        {likelihood}
        >>> lik.n_outputs  # a mean and a raw variance for each of 3 features
        6
        """
        return self.n_params * self.n_features

    @property
    @fill
    def n_inputs(self):
        """Width of :meth:`features`: ``n_features`` by default.

        Examples
        --------
        {likelihood}
        >>> lik.n_inputs
        3
        """
        return self.n_features

    @property
    @fill
    def n_expected(self):
        """Width of :meth:`expected`: ``n_features`` by default.

        Examples
        --------
        {likelihood}
        >>> lik.n_expected
        3
        """
        return self.n_features

    @fill
    def columns(self):
        """The leaf likelihood of each column.

        Returns
        -------
        columns : list of (Likelihood, list of int)
            Each leaf likelihood and the columns it models: this likelihood
            and every column, or a :class:`Heterogeneous` likelihood's blocks.

        Examples
        --------
        {likelihood}
        >>> [(leaf.name, cols) for leaf, cols in lik.columns()]
        [('gaussian', [0, 1, 2])]
        """
        return [(self, list(range(self.n_features)))]

    def per_column(self, trait):
        """The value of a trait (an attribute name) for each column.

        Parameters
        ----------
        trait : str
            The attribute to read of each column's leaf likelihood.

        Returns
        -------
        values : list
            One value per column.

        Examples
        --------
        >>> from skvae.core import build_likelihood
        >>> lik = build_likelihood(["gaussian", "categorical:3", "poisson"])
        >>> lik.per_column("has_scale"), lik.per_column("levelled")
        ([True, False, False], [False, True, False])
        """
        values = [None] * self.n_features
        for lik, columns in self.columns():
            for j in columns:
                values[j] = getattr(lik, trait)
        return values

    # ------------------------------------------------------ the observation model
    @fill
    def features(self, x):
        """What the encoder sees of x (holes already filled): x itself by default.

        {x_values}

        Returns
        -------
        features : Tensor of shape (..., n_inputs)
            A category one-hot encoded, counts as ``log1p``, reals as they are.

        Examples
        --------
        >>> import torch
        >>> from skvae.core import build_likelihood
        >>> build_likelihood(["categorical:3"]).features(torch.tensor([[2.0]]))
        tensor([[0., 0., 1.]])
        """
        return x

    @fill
    def log_prob(self, out, x):
        """Per-feature log p(x_j | z) in nats.

        {out_and_x}

        Returns
        -------
        log_prob : Tensor of shape (..., n_features)
            The log-density (or log-mass) of each entry of x.

        Examples
        --------
        {likelihood}
        >>> lik.log_prob(out, torch.zeros(2, 3)).shape
        torch.Size([2, 3])
        """
        raise NotImplementedError

    @fill
    def mean(self, out):
        """The mean E[x | z] in data space.

        {out_param}

        Returns
        -------
        mean : Tensor of shape (..., n_features)
            The mean of each feature (a category's most probable level, a
            Cauchy's location).

        Examples
        --------
        {likelihood}
        >>> lik.mean(out)
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
        """
        raise NotImplementedError

    @fill
    def sample(self, out, generator=None):
        """A draw x ~ p(x | z).

        {out_param}
        generator : torch.Generator, optional
            Source of the draws.

        Returns
        -------
        x : Tensor of shape (..., n_features)
            One draw for each row of ``out``.

        Examples
        --------
        {likelihood}
        >>> lik.sample(out, torch.Generator().manual_seed(0)).shape
        torch.Size([2, 3])
        """
        raise NotImplementedError

    @fill
    def saturated_log_prob(self, x):
        """The largest per-feature log p(x_j | .) any decoder output can give x.

        ``log_prob - saturated_log_prob`` is <= 0 and is 0 for a perfect
        reconstruction (half the deviance of a generalised linear model). It
        removes the part of the outlier detector's score that depends on x
        alone.

        {x_values}

        Returns
        -------
        log_prob : Tensor of shape (..., n_features)
            The saturated log-likelihood of each entry.

        Examples
        --------
        {likelihood}
        >>> bool((lik.log_prob(out, torch.ones(2, 3))
        ...       <= lik.saturated_log_prob(torch.ones(2, 3))).all())
        True
        """
        raise NotImplementedError

    @fill
    def expected(self, out):
        """Compute the statistics of p(x | z) that average over draws of z.

        The mean by default. The importance-weighted imputation averages
        these and maps the average back with :meth:`from_expected` (for a
        category: the level probabilities, then the most probable level).

        {out_param}

        Returns
        -------
        statistics : Tensor of shape (..., n_expected)
            What an average over draws of z is taken of.

        Examples
        --------
        >>> import torch
        >>> from skvae.core import build_likelihood
        >>> build_likelihood(["categorical:2"]).expected(torch.tensor([[0.0, 0.0]]))
        tensor([[0.5000, 0.5000]])
        """
        return self.mean(out)

    def from_expected(self, m):
        """A value in data space from averaged :meth:`expected` statistics.

        Parameters
        ----------
        m : Tensor of shape (..., n_expected)
            Averaged statistics.

        Returns
        -------
        x : Tensor of shape (..., n_features)
            The values they stand for (the mean itself by default).

        Examples
        --------
        >>> import torch
        >>> from skvae.core import build_likelihood
        >>> lik = build_likelihood(["categorical:3"])
        >>> lik.from_expected(torch.tensor([[0.2, 0.5, 0.3]]))
        tensor([[1.]])
        """
        return m

    @fill
    def marginal_params(self, x):
        """Decoder outputs that fit the marginal of each column of x (no NaN).

        Used to start the decoder's output bias at the data's marginal
        distribution, so that training does not spend its first steps
        learning offsets.

        {x_values}

        Returns
        -------
        params : Tensor of shape (n_outputs,) or None
            None where no closed form is given.

        Examples
        --------
        >>> import torch
        >>> from skvae.core import build_likelihood
        >>> x = torch.tensor([[0.0], [1.0], [1.0], [1.0]])
        >>> build_likelihood("bernoulli", 1).marginal_params(x).sigmoid()
        tensor([0.7500])
        """
        return None

    def reset_parameters(self):
        """Reset the likelihood's own parameters (none by default).

        The Student-t resets its degrees of freedom to the Cauchy's.

        Examples
        --------
        >>> from skvae.core import build_likelihood
        >>> lik = build_likelihood("studentt", 2)
        >>> lik.reset_parameters()
        >>> lik.raw_df.tolist()
        [0.0, 0.0]
        """

    # --------------------------------------------------------------- support
    def support_error(self, x_min, x_max):
        """A message if values in ``[x_min, x_max]`` leave the support, else None.

        Parameters
        ----------
        x_min, x_max : float
            The smallest and largest observed value.

        Returns
        -------
        message : str or None
            What is wrong and how to fix it.

        Examples
        --------
        >>> from skvae.core import build_likelihood
        >>> build_likelihood("bernoulli", 1).support_error(0.0, 255.0)[:45]
        "likelihood='bernoulli' needs data in [0, 1], "
        """
        return None

    def support_errors(self, low, high, names=None):
        """List messages for the data whose observed range leaves the support.

        One likelihood for all columns checks their overall range; a
        :class:`Heterogeneous` likelihood checks each column.

        Parameters
        ----------
        low, high : array-like of shape (n_features,)
            Each column's observed minimum and maximum (NaN or infinite for a
            column without observed entries).
        names : list of str, optional
            The columns' names, for the messages.

        Returns
        -------
        messages : list of str
            Empty when every value is in the support.

        Examples
        --------
        >>> from skvae.core import build_likelihood
        >>> lik = build_likelihood(["gaussian", "poisson"])
        >>> lik.support_errors([-1.0, -2.0], [1.0, 3.0], ["height", "visits"])[0][:34]
        "column 'visits': likelihood='poiss"
        """
        low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        seen = np.isfinite(low)
        if not seen.any():
            return []
        message = self.support_error(float(low[seen].min()), float(high[seen].max()))
        return [message] if message else []

    # ---------------------------------------------------- per-feature variance
    def set_var_floor(self, floor):
        """Set each feature's variance floor (ignored without a scale).

        Parameters
        ----------
        floor : float or array-like of shape (n_features,)
            The smallest variance (squared scale) that p(x_j | z) may have.

        Examples
        --------
        >>> import torch
        >>> from skvae.core import build_likelihood
        >>> lik = build_likelihood("gaussian", 3, var_floor=1e-3)
        >>> lik.set_var_floor([1e-3, 0.25, 1e-3])
        >>> bool((lik.variance(torch.zeros(1, 6))[0, 1] > 0.25).item())
        True
        """

    def set_fixed_variance(self, variance):
        """Fix each feature's variance for every z (ignored without a scale).

        The likelihood then uses ``variance[j]`` for feature j in place of the
        decoder's output; 0 keeps the decoder's. Gradients no longer reach the
        decoder's variance outputs of the fixed features.

        Parameters
        ----------
        variance : float, array-like of shape (n_features,) or None
            The variances (squared scales), at least the floor; None (or 0)
            gives every feature back the decoder's own.

        Examples
        --------
        >>> import torch
        >>> from skvae.core import build_likelihood
        >>> lik = build_likelihood("gaussian", 3)
        >>> lik.set_fixed_variance([0.0, 0.5, 0.0])
        >>> lik.variance(torch.randn(4, 6))[:, 1].tolist()
        [0.5, 0.5, 0.5, 0.5]
        >>> lik.set_fixed_variance(None)
        """

    def variance_floor(self):
        """Each feature's variance floor as a tensor, or None without a scale.

        Returns
        -------
        floor : Tensor of shape (n_features,) or None
            0 for the columns without a scale in a per-column likelihood.

        Examples
        --------
        >>> from skvae.core import build_likelihood
        >>> build_likelihood(["gaussian", "poisson"], var_floor=0.5).variance_floor()
        tensor([0.5000, 0.0000])
        """
        return None

    def fixed_variances(self):
        """Each feature's fixed variance as a tensor, or None without a scale.

        Returns
        -------
        variance : Tensor of shape (n_features,) or None
            0 where the decoder's own variance is used.

        Examples
        --------
        >>> from skvae.core import build_likelihood
        >>> build_likelihood("cauchy", 2).fixed_variances()
        tensor([0., 0.])
        """
        return None
