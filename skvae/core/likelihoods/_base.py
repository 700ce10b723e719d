"""The base class of the observation models, with the traits the rest of skvae asks.

A likelihood is a small :class:`torch.nn.Module`: it owns its per-feature
state (a variance floor, a fixed variance, learned degrees of freedom) as
buffers and parameters, so moving, saving and loading the model moves them
too. Everything outside this package learns what a likelihood is from its
traits (``has_scale``, ``levelled``, ...), never from its name.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import torch
from torch import nn


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
    column_kind : str or None
        The kind of DataFrame column this likelihood is the automatic choice
        for: "bool", "category", "ordered", "count" or "real" (None: none).
    table_column : bool
        Whether it may model one column of a mixed table.
    """

    name = ""
    n_params = 1
    has_scale = False
    scales_x = False
    scale_input = None
    transforms_input = False
    levelled = False
    unit_interval = False
    column_kind = None
    table_column = True

    def __init__(self, n_features):
        super().__init__()
        self.n_features = int(n_features)

    # ------------------------------------------------------------- the layout
    @property
    def n_outputs(self):
        """Decoder outputs per sample."""
        return self.n_params * self.n_features

    @property
    def n_inputs(self):
        """Width of :meth:`features`."""
        return self.n_features

    @property
    def n_expected(self):
        """Width of :meth:`expected`."""
        return self.n_features

    def columns(self):
        """``[(likelihood, column indices)]``: the leaf likelihood of each column."""
        return [(self, list(range(self.n_features)))]

    def per_column(self, trait):
        """The value of ``trait`` (an attribute name) for each column, as a list."""
        values = [None] * self.n_features
        for lik, columns in self.columns():
            for j in columns:
                values[j] = getattr(lik, trait)
        return values

    # ------------------------------------------------------ the observation model
    def features(self, x):
        """What the encoder sees of x (holes already filled): x itself by default."""
        return x

    def log_prob(self, out, x):
        """Per-feature log p(x_j | z) in nats, of shape ``(..., n_features)``."""
        raise NotImplementedError

    def mean(self, out):
        """The mean E[x | z] in data space."""
        raise NotImplementedError

    def sample(self, out, generator=None):
        """A draw x ~ p(x | z)."""
        raise NotImplementedError

    def saturated_log_prob(self, x):
        """The largest per-feature log p(x_j | .) any parameters can give ``x``.

        ``log_prob - saturated_log_prob`` is <= 0 and is 0 for a perfect
        reconstruction (half the deviance of a generalised linear model). It
        removes the part of the score that depends on x alone.
        """
        raise NotImplementedError

    def expected(self, out):
        """Statistics of p(x | z) that average over draws of z (the mean by default).

        The importance-weighted imputation averages these and maps the average
        back with :meth:`from_expected` (for a category: the level probabilities,
        then the most probable level).
        """
        return self.mean(out)

    def from_expected(self, m):
        """A value in data space from averaged :meth:`expected` statistics."""
        return m

    def marginal_params(self, x):
        """Decoder outputs that fit the marginal of each column of ``x`` (no NaN).

        Used to start the decoder's output bias at the data's marginal
        distribution; None where no closed form is given.
        """
        return None

    def reset_parameters(self):
        """Reset the likelihood's own parameters (none by default)."""

    # --------------------------------------------------------------- support
    def support_error(self, x_min, x_max):
        """A message if values in ``[x_min, x_max]`` leave the support, else None."""
        return None

    def support_errors(self, low, high, names=None):
        """Messages for the data whose observed range leaves the support.

        ``low`` and ``high`` hold each column's observed minimum and maximum
        (NaN or infinite for a column without observed entries). One
        likelihood for all columns checks their overall range.
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


def inverse_softplus(v):
    """The x with softplus(x) = v, for v > 0."""
    return v + torch.log(-torch.expm1(-v))


def standard_gumbel(like, generator=None):
    """Standard Gumbel draws of ``like``'s shape, device and dtype, from ``generator``.

    ``argmax(logits + standard_gumbel(logits))`` draws from the softmax of the
    logits (the Gumbel-max trick).
    """
    u = torch.rand(
        like.shape, generator=generator, device=like.device, dtype=like.dtype
    )
    return -torch.log(-torch.log(u.clamp_min(1e-30)))


def standard_gamma(shape, generator=None):
    """Draws from Gamma(shape, 1) from ``generator`` (Marsaglia & Tsang, 2000).

    torch's own gamma sampler takes no generator; this one is reproducible.
    Shapes below 1 use the boost ``G(a) = G(a + 1) U^(1/a)``.
    """
    small = shape < 1.0
    a = torch.where(small, shape + 1.0, shape)
    d = a - 1.0 / 3.0
    c = 1.0 / torch.sqrt(9.0 * d)
    out = torch.zeros_like(a)
    todo = torch.ones_like(a, dtype=torch.bool)
    for _ in range(64):  # each round accepts >= 95 % of what is left
        x = torch.randn(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        u = torch.rand(a.shape, generator=generator, device=a.device, dtype=a.dtype)
        v = (1.0 + c * x) ** 3
        ok = (v > 0) & (
            torch.log(u)
            < 0.5 * x.square() + d - d * v + d * torch.log(v.clamp_min(1e-30))
        )
        take = todo & ok
        out = torch.where(take, d * v, out)
        todo = todo & ~ok
        if not bool(todo.any()):
            break
    out = torch.where(todo, d, out)  # never reached in practice: the mode
    u = torch.rand(a.shape, generator=generator, device=a.device, dtype=a.dtype)
    return torch.where(small, out * u.pow(1.0 / shape), out)


LOG_2PI = math.log(2.0 * math.pi)
LOG_PI = math.log(math.pi)
