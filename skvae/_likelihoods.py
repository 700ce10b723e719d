"""Observation models p(x | z) for the decoder: Bernoulli, Gaussian and Cauchy."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
import torch.nn.functional as F

_LOG_2PI = math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)


class Likelihood:
    """Base class of a factorised observation model p(x | z) = prod_j p(x_j | z).

    The decoder emits ``n_params * n_features`` numbers per sample; a likelihood
    turns them into per-feature log-probabilities, means and draws. Every method
    accepts leading batch dimensions (for example ``(n_mc, n_samples, ...)``).
    """

    name = ""
    n_params = 1  # decoder outputs per feature
    has_scale = False  # a learned variance or scale (floored by ``var_floor``)

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

    def support_error(self, x_min, x_max):
        """A message if values in ``[x_min, x_max]`` leave the support, else None."""
        return None


class Bernoulli(Likelihood):
    """Bernoulli observations parameterised by logits; for data in [0, 1].

    Values strictly between 0 and 1 are allowed (grey levels treated as
    probabilities), as in Kingma & Welling (2013); the log-probability is then the
    negative binary cross-entropy, computed stably as ``x * l - softplus(l)``.
    """

    name = "bernoulli"
    n_params = 1

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

    def support_error(self, x_min, x_max):
        if x_min < 0.0 or x_max > 1.0:
            return (
                f"likelihood='bernoulli' needs data in [0, 1], got values in "
                f"[{x_min:.4g}, {x_max:.4g}]. Scale X to [0, 1] (for example with "
                "MinMaxScaler, or divide 8-bit images by 255) or use "
                "likelihood='gaussian'."
            )
        return None


class Gaussian(Likelihood):
    """Gaussian observations with a mean and a learned per-feature variance.

    The decoder outputs a mean and an unconstrained value ``r`` per feature; the
    variance is ``softplus(r) + var_floor``. The floor (like GaussianMixture's
    ``reg_covar``) keeps the density bounded, so the ELBO cannot run to +inf on
    constant or discrete features.
    """

    name = "gaussian"
    n_params = 2
    has_scale = True

    def __init__(self, var_floor=1e-6):
        self.var_floor = float(var_floor)

    def _split(self, out):
        loc, raw = out.chunk(2, dim=-1)
        return loc, F.softplus(raw) + self.var_floor

    def log_prob(self, out, x):
        loc, var = self._split(out)
        return -0.5 * (_LOG_2PI + torch.log(var) + (x - loc).square() / var)

    def mean(self, out):
        return self._split(out)[0]

    def saturated_log_prob(self, x):
        # the density of a mean equal to x with the smallest allowed variance
        return torch.full_like(x, -0.5 * (_LOG_2PI + math.log(self.var_floor)))

    def variance(self, out):
        """The per-feature variance of p(x | z)."""
        return self._split(out)[1]

    def sample(self, out, generator=None):
        loc, var = self._split(out)
        noise = torch.randn(
            loc.shape, generator=generator, device=loc.device, dtype=loc.dtype
        )
        return loc + var.sqrt() * noise


class Cauchy(Gaussian):
    """Heavy-tailed real-valued observations: a Cauchy (Student-t, 1 d.o.f.).

    The decoder outputs a location and an unconstrained value ``r`` per
    feature; the squared scale is ``softplus(r) + var_floor``, as the Gaussian's
    variance. The log-density ``-log(pi * s) - log(1 + ((x - loc) / s)^2)``
    grows only logarithmically with the residual, where the Gaussian's grows
    quadratically: one feature that the model predicts very sharply (a count
    that is nearly always zero) cannot swamp all the others in a sample's score,
    and outliers in the training data pull less on the fit (the robust,
    heavy-tailed decoder of Takahashi et al., 2018). The distribution has no
    mean: :meth:`mean` returns the location (its median).
    """

    name = "cauchy"

    def log_prob(self, out, x):
        loc, var = self._split(out)
        return -_LOG_PI - 0.5 * torch.log(var) - torch.log1p((x - loc).square() / var)

    # mean() (inherited) returns the location, the median; variance() the
    # squared scale: a Cauchy has neither a mean nor a variance.

    def saturated_log_prob(self, x):
        # the density at its location with the smallest allowed scale
        return torch.full_like(x, -_LOG_PI - 0.5 * math.log(self.var_floor))

    def sample(self, out, generator=None):
        loc, var = self._split(out)
        u = torch.rand(
            loc.shape, generator=generator, device=loc.device, dtype=loc.dtype
        )
        return loc + var.sqrt() * torch.tan(math.pi * (u - 0.5))


# The registry: every name the estimators accept comes from here.
LIKELIHOODS = {cls.name: cls for cls in (Bernoulli, Gaussian, Cauchy)}


def make_likelihood(name, var_floor=1e-6):
    """Return the likelihood called ``name``, one of :data:`LIKELIHOODS`."""
    if name not in LIKELIHOODS:
        raise ValueError(
            f"Unknown likelihood {name!r}; expected one of {sorted(LIKELIHOODS)}."
        )
    cls = LIKELIHOODS[name]
    return cls(var_floor=var_floor) if cls.has_scale else cls()
