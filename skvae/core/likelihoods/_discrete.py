"""Observation models of discrete data: binary values, counts and categories.

Bernoulli and the counts (Poisson, negative binomial) model a whole array or a
column of a mixed table; categories (unordered and ordered) are columns of a
:class:`~skvae.core.likelihoods.Heterogeneous` likelihood.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
import torch.nn.functional as F

from skvae.core.likelihoods._base import Likelihood
from skvae.core.likelihoods._math import (
    inverse_softplus,
    standard_gamma,
    standard_gumbel,
)


class Bernoulli(Likelihood):
    """Bernoulli observations parameterised by logits; for data in [0, 1].

    Values strictly between 0 and 1 are allowed (grey levels treated as
    probabilities), as in Kingma & Welling (2013); the log-probability is then the
    negative binary cross-entropy, computed stably as ``x * l - softplus(l)``.

    Parameters
    ----------
    n_features : int
        Number of features.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import Bernoulli
    >>> lik = Bernoulli(2)
    >>> lik.mean(torch.tensor([[0.0, 2.0]]))
    tensor([[0.5000, 0.8808]])
    """

    name = "bernoulli"
    unit_interval = True
    column_kind = "bool"

    def log_prob(self, out, x):
        return x * out - F.softplus(out)

    def mean(self, out):
        return torch.sigmoid(out)

    def saturated_log_prob(self, x):
        # -H(x): 0 for binary x, negative for grey levels (the cross-entropy of
        # a grey level is never 0, so raw Bernoulli scores favour 0/1 pixels)
        return torch.xlogy(x, x) + torch.xlogy(1.0 - x, 1.0 - x)

    def sample(self, out, generator=None):
        return torch.bernoulli(torch.sigmoid(out), generator=generator)

    def marginal_params(self, x):
        p = x.mean(0).clamp(1e-3, 1.0 - 1e-3)
        return torch.log(p) - torch.log1p(-p)

    def support_error(self, x_min, x_max):
        if x_min < 0.0 or x_max > 1.0:
            return (
                f"likelihood='bernoulli' needs data in [0, 1], got values in "
                f"[{x_min:.4g}, {x_max:.4g}]. Scale X to [0, 1] (for example with "
                "MinMaxScaler, or divide 8-bit images by 255) or use "
                "likelihood='gaussian'."
            )
        return None


class Poisson(Likelihood):
    """Counts: a Poisson with log-rate ``l`` output by the decoder.

    ``log p(x) = x l - exp(l) - lgamma(x + 1)``; the log-rate is clamped to
    [-20, 20] so that the rate stays finite.

    Parameters
    ----------
    n_features : int
        Number of features.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import Poisson
    >>> Poisson(1).mean(torch.tensor([[0.0]]))  # the rate exp(0)
    tensor([[1.]])
    """

    name = "poisson"
    transforms_input = True

    def _log_rate(self, out):
        return out.clamp(-20.0, 20.0)

    def log_prob(self, out, x):
        log_rate = self._log_rate(out)
        return x * log_rate - torch.exp(log_rate) - torch.lgamma(x + 1.0)

    def features(self, x):
        return torch.log1p(x)

    def mean(self, out):
        return torch.exp(self._log_rate(out))

    def saturated_log_prob(self, x):
        # the pmf at x of the Poisson whose mean is x
        return torch.xlogy(x, x) - x - torch.lgamma(x + 1.0)

    def sample(self, out, generator=None):
        return torch.poisson(self.mean(out), generator=generator)

    def marginal_params(self, x):
        return torch.log(x.mean(0).clamp_min(1e-3))

    def support_error(self, x_min, x_max):
        return _count_support(self.name, x_min)


class NegativeBinomial(Poisson):
    """Over-dispersed counts: a negative binomial (a gamma mixture of Poissons).

    The decoder outputs the log-mean ``l`` and an unconstrained ``r``; the
    mean is ``mu = exp(l)`` and the dispersion ``phi = softplus(r) + 1e-4``, so
    ``Var = mu + mu^2 / phi``. ``log p(x) = lgamma(x + phi) - lgamma(phi) -
    lgamma(x + 1) + phi log(phi / (phi + mu)) + x log(mu / (phi + mu))``; it
    tends to the Poisson as ``phi`` grows.

    Parameters
    ----------
    n_features : int
        Number of features.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import NegativeBinomial
    >>> NegativeBinomial(1).mean(torch.tensor([[0.0, 0.0]]))  # log-mean, raw phi
    tensor([[1.]])
    """

    name = "negbin"
    n_params = 2
    column_kind = "count"

    def _split(self, out):
        log_mean, raw = out.chunk(2, dim=-1)
        return self._log_rate(log_mean), F.softplus(raw) + 1e-4

    def log_prob(self, out, x):
        log_mu, phi = self._split(out)
        log_phi = torch.log(phi)
        log_total = torch.logaddexp(log_phi, log_mu)
        return (
            torch.lgamma(x + phi)
            - torch.lgamma(phi)
            - torch.lgamma(x + 1.0)
            + phi * (log_phi - log_total)
            + x * (log_mu - log_total)
        )

    def mean(self, out):
        return torch.exp(self._split(out)[0])

    def sample(self, out, generator=None):
        log_mu, phi = self._split(out)
        # x | g ~ Poisson(mu * g) with g ~ Gamma(phi, rate=phi)
        gamma = standard_gamma(phi, generator) / phi
        return torch.poisson(torch.exp(log_mu) * gamma, generator=generator)

    def marginal_params(self, x):
        mean = x.mean(0).clamp_min(1e-3)
        excess = (x.var(0, unbiased=False) - mean).clamp_min(1e-3)
        phi = (mean.square() / excess).clamp(1e-2, 1e4)
        return torch.cat([torch.log(mean), inverse_softplus(phi)])


def _count_support(name, x_min):
    if x_min < 0.0:
        return (
            f"likelihood={name!r} models counts and needs non-negative values, "
            f"got a minimum of {x_min:.4g}. Use likelihood='gaussian' for signed "
            "data."
        )
    return None


class Categorical(Likelihood):
    """Category columns with ``n_levels`` levels each, coded 0 .. n_levels - 1.

    The decoder outputs one logit per level of each column, the columns' K
    logits one after the other; ``log p(x_j) = log_softmax(out_j)[x_j]``.
    Its "mean" is the most probable level; :meth:`expected` gives the level
    probabilities. The encoder sees each column one-hot encoded. The columns
    of a table with the same number of levels form one such likelihood
    inside a :class:`~skvae.core.likelihoods.Heterogeneous` likelihood, so
    they are evaluated together.

    Parameters
    ----------
    n_features : int
        Number of category columns.
    n_levels : int
        Number of levels of each column.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import Categorical
    >>> lik = Categorical(1, n_levels=3)
    >>> logits = torch.tensor([[0.0, 2.0, 0.0]])
    >>> lik.mean(logits), lik.expected(logits)
    (tensor([[1.]]), tensor([[0.1065, 0.7870, 0.1065]]))
    """

    name = "categorical"
    transforms_input = True
    levelled = True
    column_kind = "category"

    def __init__(self, n_features, n_levels):
        super().__init__(n_features)
        self.n_levels = int(n_levels)

    @property
    def n_outputs(self):
        return self.n_levels * self.n_features

    @property
    def n_inputs(self):
        return self.n_levels * self.n_features

    @property
    def n_expected(self):
        return self.n_levels * self.n_features

    def _per_column(self, t):
        """(..., c * K) -> (..., c, K): each column's K values."""
        return t.unflatten(-1, (-1, self.n_levels))

    def _pick(self, log_probs, x):
        """log_probs (..., c, K) at the levels x (broadcast to its batch dims)."""
        index = x.long().unsqueeze(-1).expand(*log_probs.shape[:-1], 1)
        return log_probs.gather(-1, index)[..., 0]

    def _log_probs(self, out):
        """log P(x_j = k) for every column j and level k, of shape (..., c, K)."""
        return torch.log_softmax(self._per_column(out), dim=-1)

    def features(self, x):
        return F.one_hot(x.long(), self.n_levels).to(x.dtype).flatten(-2)

    def log_prob(self, out, x):
        return self._pick(self._log_probs(out), x)

    def mean(self, out):
        return self._log_probs(out).argmax(-1).to(out.dtype)

    def expected(self, out):
        return torch.exp(self._log_probs(out)).flatten(-2)

    def from_expected(self, m):
        return self._per_column(m).argmax(-1).to(m.dtype)

    def saturated_log_prob(self, x):
        return torch.zeros_like(x)

    def sample(self, out, generator=None):
        logits = self._log_probs(out)
        gumbel = standard_gumbel(logits, generator)
        return (logits + gumbel).argmax(-1).to(out.dtype)

    def _counts(self, x):
        """(c, K) level counts of each column of x (n, c)."""
        offsets = torch.arange(x.shape[1], device=x.device) * self.n_levels
        flat = (x.long() + offsets).flatten()
        counts = torch.bincount(flat, minlength=x.shape[1] * self.n_levels)
        return self._per_column(counts.to(x.dtype))

    def marginal_params(self, x):
        return torch.log(self._counts(x) + 0.5).flatten()

    def support_error(self, x_min, x_max):
        if x_min < 0 or x_max > self.n_levels - 1:
            return (
                f"a categorical column with {self.n_levels} levels needs codes in "
                f"0 .. {self.n_levels - 1}, got values in [{x_min:.4g}, {x_max:.4g}]."
            )
        return None


class Ordinal(Categorical):
    """Ordered category columns (codes 0 .. K-1): a cumulative logit model.

    For each column the decoder outputs a location ``eta`` and K - 1 raw
    cut-points; the
    cut-points are ``c_1 = r_1`` and ``c_k = c_{k-1} + softplus(r_k)`` (so they
    increase), and ``P(x <= k) = sigmoid(c_{k+1} - eta)`` (McCullagh, 1980).
    ``log P(x = k)`` is computed in log space as ``log sigmoid(a) +
    log(1 - exp(b - a)) - softplus(b)`` with ``a = c_{k+1} - eta`` and
    ``b = c_k - eta``. The level order carries information a plain
    categorical ignores: neighbouring levels share probability.

    Parameters
    ----------
    n_features : int
        Number of ordered category columns.
    n_levels : int
        Number of levels of each column.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import Ordinal
    >>> lik = Ordinal(1, n_levels=3)
    >>> probs = lik.expected(torch.tensor([[0.0, -1.0, 0.5413]]))
    >>> round(probs.sum().item(), 6)
    1.0
    """

    name = "ordinal"
    column_kind = "ordered"

    def _log_probs(self, out):
        out = self._per_column(out)
        eta, raw = out[..., :1], out[..., 1:]
        steps = torch.cat([raw[..., :1], F.softplus(raw[..., 1:])], dim=-1)
        cuts = torch.cumsum(steps, dim=-1) - eta  # (..., c, K - 1)
        inf = torch.full_like(eta, math.inf)
        upper = torch.cat([cuts, inf], dim=-1)  # a_k
        lower = torch.cat([-inf, cuts], dim=-1)  # b_k
        # b - a < 0 everywhere (a = +inf or b = -inf at the ends give 0)
        gap = torch.where(
            torch.isinf(upper) | torch.isinf(lower), -math.inf, lower - upper
        )
        return (
            F.logsigmoid(upper.clamp(max=80.0))
            + torch.log(-torch.expm1(gap.clamp(max=-1e-12)))
            - F.softplus(lower.clamp(min=-80.0))
        )

    def marginal_params(self, x):
        cumulative = torch.cumsum(self._counts(x) + 0.5, -1)  # (c, K)
        p = (cumulative / cumulative[:, -1:])[:, :-1].clamp(1e-4, 1 - 1e-4)
        cuts = torch.log(p) - torch.log1p(-p)
        steps = torch.diff(cuts, dim=-1).clamp_min(1e-3)
        eta = cuts.new_zeros(cuts.shape[0], 1)
        return torch.cat([eta, cuts[:, :1], inverse_softplus(steps)], -1).flatten()
