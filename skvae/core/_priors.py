"""Priors over the latent code z: the standard normal, its KL term, and a mixture."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch

from skvae.core._docs import fill

_LOG_2PI = math.log(2.0 * math.pi)


def gaussian_kl(loc, log_scale):
    """KL(N(loc, exp(log_scale)^2) || N(0, 1)) per dimension, in closed form.

    Kingma & Welling (2013), Appendix B:
    ``-KL = 0.5 * (1 + log sigma^2 - mu^2 - sigma^2)``.
    """
    return 0.5 * (loc.square() + torch.exp(2.0 * log_scale) - 1.0) - log_scale


def standard_normal_log_prob(z):
    """log N(z; 0, I) per dimension."""
    return -0.5 * (z.square() + _LOG_2PI)


class MixturePrior:
    """A mixture of diagonal Gaussians over z, usable as the prior of a :class:`VAE`.

    ``p(z) = (1/M) sum_m N(z; loc_m, diag exp(log_scale_m)^2)``. Built from the
    posteriors q(z | x_m) of M training points it is an estimate of the
    *aggregate posterior*, the prior that maximises the average ELBO of those
    points for the fitted encoder and decoder (Hoffman & Johnson, 2016; the
    VampPrior of Tomczak & Welling, 2018, learns such a mixture). Unlike
    N(0, I) it gives low density to the regions of latent space that no
    training point uses.

    Parameters
    ----------
    loc, log_scale : Tensor of shape (M, n_components)
        Means and log standard deviations of the components.

    Examples
    --------
    >>> import torch
    >>> from skvae import MixturePrior
    >>> from skvae.core._priors import standard_normal_log_prob
    >>> prior = MixturePrior(torch.zeros(1, 2), torch.zeros(1, 2))
    >>> z = torch.randn(5, 2, generator=torch.Generator().manual_seed(0))
    >>> torch.allclose(prior.log_prob(z), standard_normal_log_prob(z).sum(-1))
    True
    """

    def __init__(self, loc, log_scale):
        if loc.ndim != 2 or loc.shape != log_scale.shape:
            raise ValueError(
                "loc and log_scale must both have shape (n_mixture, n_components); "
                f"got {tuple(loc.shape)} and {tuple(log_scale.shape)}."
            )
        self.loc = loc
        self.log_scale = log_scale
        # sum_k log N(z_k; m_k, s_k) = -0.5 z^2 . w + z . (m w) + const_m, with
        # w = 1 / s^2: two matrix products instead of an (..., M, k) tensor.
        # The terms cancel for z near m and a narrow s, so they are float64.
        loc, log_scale = loc.double(), log_scale.double()
        self._precision = torch.exp(-2.0 * log_scale)  # (M, k)
        self._shift = loc * self._precision
        self._const = -0.5 * (
            (loc * self._shift).sum(-1) + loc.shape[-1] * _LOG_2PI
        ) - log_scale.sum(-1)

    @fill
    def log_prob(self, z):
        """Compute log p(z) of each code, summed over the latent dimensions.

        {z_codes}

        Returns
        -------
        log_pz : Tensor of shape (...)
            The log-density of each code, in nats.

        Examples
        --------
        >>> import torch
        >>> from skvae import MixturePrior
        >>> prior = MixturePrior(torch.randn(3, 2), torch.zeros(3, 2))
        >>> prior.log_prob(torch.zeros(4, 5, 2)).shape
        torch.Size([4, 5])
        """
        z64 = z.double()
        log_p = (
            -0.5 * (z64.square() @ self._precision.T)
            + z64 @ self._shift.T
            + self._const
        )  # (..., M)
        return log_mean_exp(log_p, dim=-1).to(z.dtype)


def log_mean_exp(x, dim=0):
    """log(mean(exp(x))) along ``dim``, computed stably with logsumexp."""
    return torch.logsumexp(x, dim=dim) - math.log(x.shape[dim])
