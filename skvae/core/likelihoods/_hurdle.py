"""A real value with a point mass: a probability at 0 and a Gaussian elsewhere.

Real columns of tables often hold one value far more often than a density
allows: an income of 0 for most people, a participation rate of exactly
100 %, hours worked of 0. A density puts no mass on a point, so draws from
a Gaussian spread that value over its neighbours and the column's
distribution function misses a step as high as the point's share. The hurdle
likelihood gives the point its own probability.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
import torch.nn.functional as F

from skvae.core.likelihoods._math import LOG_2PI, inverse_softplus
from skvae.core.likelihoods._real import Gaussian


class HurdleGaussian(Gaussian):
    """A point mass at 0 and a Gaussian for the other values (a hurdle model).

    The decoder outputs a mean, a logit ``a`` and an unconstrained value ``r``
    per feature. ``x = 0`` has probability ``sigmoid(a)``; any other value
    has the density ``sigmoid(-a) N(x; mean, softplus(r) + var_floor)``. The
    log-likelihood adds a log-probability for the entries at 0 and a
    log-density for the others, as any mixed discrete-continuous model does
    (Cragg, 1971). The mean is ``sigmoid(-a) * mean``; :meth:`variance` is
    the Gaussian part's.

    In a mixed table it is the automatic likelihood of a numeric column one of
    whose values holds a large share of its entries (see the user guide): the
    column is standardised around that value, which becomes the 0 of the
    model. An array is scaled but not centred, so its point mass stays at 0.

    Parameters
    ----------
    n_features : int
        Number of features.
    var_floor : float, default=1e-6
        The initial variance floor of the Gaussian part of every feature.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import HurdleGaussian
    >>> lik = HurdleGaussian(1, var_floor=0.0)
    >>> out = torch.tensor([[2.0, 0.0, 0.5413]])  # mean 2, P(0) = 1/2, variance 1
    >>> lik.log_prob(out, torch.tensor([[0.0], [2.0]])).exp()  # 1/2, 1/2 N(0; 0, 1)
    tensor([[0.5000],
            [0.1995]])
    >>> lik.mean(out)
    tensor([[1.]])
    """

    name = "hurdle"
    n_params = 3
    column_kind = "spiked"
    point_mass = True

    def _split(self, out):
        # the raw variances last: a per-feature variance parameter is
        # appended to the decoder's output (decoder_variance="per_feature")
        loc, logit, raw = out.chunk(3, dim=-1)
        return loc, self._variance(raw), logit

    def log_prob(self, out, x):
        loc, var, logit = self._split(out)
        slab = -0.5 * (LOG_2PI + torch.log(var) + (x - loc).square() / var)
        return torch.where(x == 0, F.logsigmoid(logit), F.logsigmoid(-logit) + slab)

    def mean(self, out):
        loc, _, logit = self._split(out)
        return torch.sigmoid(-logit) * loc

    def saturated_log_prob(self, x):
        # a certain 0, or the Gaussian's density at its mean with the floor
        return torch.where(x == 0, torch.zeros_like(x), super().saturated_log_prob(x))

    def sample(self, out, generator=None):
        loc, var, logit = self._split(out)
        u = torch.rand(
            loc.shape, generator=generator, device=loc.device, dtype=loc.dtype
        )
        noise = torch.randn(
            loc.shape, generator=generator, device=loc.device, dtype=loc.dtype
        )
        return torch.where(u < torch.sigmoid(logit), 0.0, loc + var.sqrt() * noise)

    def marginal_params(self, x):
        other = x != 0
        n_other = other.sum(0).clamp_min(1)
        share = (1.0 - other.to(x.dtype).mean(0)).clamp(1e-3, 1.0 - 1e-3)
        mean = torch.where(other, x, 0.0).sum(0) / n_other
        var = torch.where(other, x - mean, 0.0).square().sum(0) / n_other
        var = (var - self.var_floor).clamp_min(1e-3)
        return torch.cat([mean, torch.logit(share), inverse_softplus(var)])
