"""Observation models p(x | z) for the decoder.

Real values (Gaussian, Cauchy, Student-t), positive reals (log-normal) and
binary data (Bernoulli), with the base class :class:`Likelihood`; counts and
categories are in :mod:`skvae._discrete`, the registry of names in
:mod:`skvae._heterogeneous`.
"""

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
    scales_x = False  # that scale is of x itself, in x's units
    # The encoder sees ``features(x)`` normalised by the model's
    # ``feature_loc`` / ``feature_scale`` buffers instead of x itself.
    transforms_input = False
    # trailing blocks of ``n_features`` outputs that are per-feature model
    # parameters (the same for every sample) instead of decoder outputs
    n_shared = 0

    def n_outputs(self, n_features):
        """Decoder outputs for ``n_features`` features."""
        return self.n_params * n_features

    def n_inputs(self, n_features):
        """Width of :meth:`features` for ``n_features`` features."""
        return n_features

    def features(self, x):
        """What the encoder sees of x (holes already filled): x itself by default."""
        return x

    def expected(self, out):
        """Statistics of p(x | z) that average over draws of z (the mean by default).

        The importance-weighted imputation averages these and maps the average
        back with :meth:`from_expected` (for a category: the level probabilities,
        then the most probable level).
        """
        return self.mean(out)

    def n_expected(self, n_features):
        """Width of :meth:`expected` for ``n_features`` features."""
        return n_features

    def from_expected(self, m):
        """A value in data space from averaged :meth:`expected` statistics."""
        return m

    def marginal_params(self, x):
        """Decoder outputs that fit the marginal of each column of ``x`` (no NaN).

        Used to start the decoder's output bias at the data's marginal
        distribution; None where no closed form is given.
        """
        return None

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

    def set_feature_variance(self, floor, fixed=None):
        """Bind the model's per-feature variance buffers (tensors of n_features).

        ``floor`` is each feature's variance floor; ``fixed``, if not None, a
        variance that replaces the decoder's where it is positive (0 keeps the
        decoder's). Only likelihoods with a scale use them; the model calls
        this whenever its buffers move (see ``VAE.set_var_floor`` and
        ``VAE.set_fixed_variance``).
        """


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


class Gaussian(Likelihood):
    """Gaussian observations with a mean and a learned per-feature variance.

    The decoder outputs a mean and an unconstrained value ``r`` per feature; the
    variance is ``softplus(r) + var_floor``. The floor (like GaussianMixture's
    ``reg_covar``) keeps the density bounded, so the ELBO cannot run to +inf on
    constant or discrete features. :meth:`set_feature_floor` replaces the
    scalar by one floor per feature.
    """

    name = "gaussian"
    n_params = 2
    has_scale = True
    # the scale acts on x itself (not on a transform of it, as the log-normal's)
    scales_x = True

    def __init__(self, var_floor=1e-6):
        self.var_floor = float(var_floor)
        self.feature_floor = None
        self.fixed_variance = None

    def set_feature_variance(self, floor, fixed=None):
        self.feature_floor = floor
        self.fixed_variance = fixed

    @property
    def floor(self):
        """The variance floor: ``feature_floor`` if set, else ``var_floor``."""
        return self.var_floor if self.feature_floor is None else self.feature_floor

    def _variance(self, raw):
        """The variance from the decoder's raw output, or the fixed one."""
        var = F.softplus(raw) + self.floor
        if self.fixed_variance is None:
            return var
        fixed = self.fixed_variance.to(var.dtype)
        return torch.where(fixed > 0, fixed, var)

    def _log_floor(self, x):
        """log of the smallest variance there can be, broadcast to ``x``.

        The floor, or the fixed variance where one is set.
        """
        floor = torch.as_tensor(self.floor, dtype=x.dtype, device=x.device)
        if self.fixed_variance is not None:
            fixed = self.fixed_variance.to(x.dtype)
            floor = torch.where(fixed > 0, fixed, floor)
        return torch.log(floor).expand_as(x)

    def _split(self, out):
        loc, raw = out.chunk(2, dim=-1)
        return loc, self._variance(raw)

    def log_prob(self, out, x):
        loc, var = self._split(out)
        return -0.5 * (_LOG_2PI + torch.log(var) + (x - loc).square() / var)

    def mean(self, out):
        return self._split(out)[0]

    def saturated_log_prob(self, x):
        # the density of a mean equal to x with the smallest allowed variance
        return -0.5 * (_LOG_2PI + self._log_floor(x))

    def variance(self, out):
        """The per-feature variance of p(x | z)."""
        return self._split(out)[1]

    def marginal_params(self, x):
        var = (x.var(0, unbiased=False) - self.floor).clamp_min(1e-3)
        return torch.cat([x.mean(0), inverse_softplus(var)])

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
        return -_LOG_PI - 0.5 * self._log_floor(x)

    def sample(self, out, generator=None):
        loc, var = self._split(out)
        u = torch.rand(
            loc.shape, generator=generator, device=loc.device, dtype=loc.dtype
        )
        return loc + var.sqrt() * torch.tan(math.pi * (u - 0.5))


class StudentT(Gaussian):
    """Real-valued observations with learned tails: a Student-t per feature.

    The decoder outputs a location and an unconstrained ``r`` per feature (the
    squared scale ``s^2 = softplus(r) + var_floor``, as the Gaussian's
    variance); the degrees of freedom ``nu_j`` are one learned parameter per
    feature, shared by all samples (the model's ``raw_df``, appended to the
    decoder's output as its last block). ``log p(x) = lgamma((nu + 1) / 2) -
    lgamma(nu / 2) - log(pi nu s^2) / 2 - (nu + 1) / 2 log(1 + ((x - loc) /
    s)^2 / nu)``. Small ``nu`` is the Cauchy's logarithmic penalty (``nu = 1``),
    large ``nu`` the Gaussian's quadratic one: each feature gets the tails its
    data show, where :class:`Cauchy` gives every feature heavy tails (Lange et
    al., 1989; Takahashi et al., 2018).
    """

    name = "studentt"
    n_params = 3
    n_shared = 1  # the last block (raw_df) is a per-feature model parameter
    # nu = exp(DF_RATE * raw_df): Adam moves a parameter by about its learning
    # rate per step, and log(nu) has to travel a range of several units
    DF_RATE = 10.0
    DF_INIT = 1.0  # training starts from the Cauchy
    DF_RANGE = (0.2, 1000.0)

    def _split(self, out):
        loc, raw, raw_df = out.chunk(3, dim=-1)
        log_df = (self.DF_RATE * raw_df).clamp(*(math.log(v) for v in self.DF_RANGE))
        return loc, self._variance(raw), torch.exp(log_df)

    def log_prob(self, out, x):
        loc, var, df = self._split(out)
        half = 0.5 * (df + 1.0)
        return (
            torch.lgamma(half)
            - torch.lgamma(0.5 * df)
            - 0.5 * (torch.log(df * var) + _LOG_PI)
            - half * torch.log1p((x - loc).square() / (df * var))
        )

    def degrees_of_freedom(self, out):
        """The per-feature degrees of freedom ``nu``."""
        return self._split(out)[2]

    # saturated_log_prob (inherited): the Gaussian's value at the smallest
    # scale, the supremum over nu of the density at its location

    def sample(self, out, generator=None):
        loc, var, df = self._split(out)
        noise = torch.randn(
            loc.shape, generator=generator, device=loc.device, dtype=loc.dtype
        )
        # t = N / sqrt(G / nu), with G ~ chi2(nu) = 2 Gamma(nu / 2)
        chi2 = 2.0 * standard_gamma(0.5 * df.expand_as(loc), generator)
        return loc + var.sqrt() * noise * torch.rsqrt(chi2.clamp_min(1e-30) / df)


def lattice_variance(x):
    """The variance of rounding noise on each column of ``x``: ``step**2 / 12``.

    ``step`` is the median gap between a column's sorted distinct values (NaN
    ignored; 0 for a column with fewer than two). Values rounded to a grid of
    spacing ``step`` (counts, integer scores, 8-bit grey levels) carry at
    least this much uncertainty, the variance of a uniform draw over one cell;
    a continuous density that is sharper than it on such a column is fitting
    the grid, not the data. For real-valued columns the gaps, and so the
    value, shrink with the number of rows.

    Parameters
    ----------
    x : Tensor of shape (n, n_features)

    Returns
    -------
    Tensor of shape (n_features,)

    Examples
    --------
    >>> import torch
    >>> x = torch.tensor([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0], [2.0, 1.0]])
    >>> lattice_variance(x)
    tensor([0.3333, 0.0000])
    """
    gaps = torch.diff(torch.sort(x, dim=0).values, dim=0)
    gaps = torch.where(gaps > 0, gaps, torch.nan)  # NaN: a tie, or a hole
    step = torch.nanmedian(gaps, dim=0).values if len(gaps) else x[0] * 0
    return torch.nan_to_num(step, nan=0.0).square() / 12.0


def inverse_softplus(v):
    """The x with softplus(x) = v, for v > 0."""
    return v + torch.log(-torch.expm1(-v))


class LogNormal(Gaussian):
    """Non-negative reals (zeros allowed): a Gaussian on ``log(1 + x)``.

    ``log p(x) = log N(log1p(x); loc, var) - log1p(x)`` (the Jacobian of the
    map), so values are densities in x's own units. It is a log-normal
    shifted by -1, a density on x > -1: zeros are ordinary values, and a
    little of its mass (and of its draws) lies in (-1, 0). The variance is
    ``softplus(r) + var_floor`` as for the Gaussian. The mean is
    ``exp(loc + var / 2) - 1``.
    """

    name = "lognormal"
    transforms_input = True
    scales_x = False  # the variance is of log1p(x)

    def log_prob(self, out, x):
        y = torch.log1p(x)
        return super().log_prob(out, y) - y

    def features(self, x):
        return torch.log1p(x)

    def mean(self, out):
        loc, var = self._split(out)
        return torch.expm1((loc + 0.5 * var).clamp(max=80.0))

    def saturated_log_prob(self, x):
        return super().saturated_log_prob(x) - torch.log1p(x)

    def sample(self, out, generator=None):
        return torch.expm1(super().sample(out, generator=generator).clamp(max=80.0))

    def marginal_params(self, x):
        y = torch.log1p(x)
        var = y.var(0, unbiased=False).clamp_min(1e-3)
        return torch.cat([y.mean(0), inverse_softplus(var)])

    def support_error(self, x_min, x_max):
        if x_min < 0.0:
            return (
                f"likelihood='lognormal' needs non-negative values, got a minimum "
                f"of {x_min:.4g}. Use likelihood='gaussian' for signed data."
            )
        return None


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
