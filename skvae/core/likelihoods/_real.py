"""Real-valued observation models with a learned scale: Gaussian, Cauchy, Student-t
and log-normal.

Each feature's variance (squared scale) is floored by the ``var_floor`` buffer
and can be fixed by the ``fixed_variance`` buffer; both belong to the
likelihood, so they move, save and load with the model.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from skvae.core.likelihoods._base import Likelihood
from skvae.core.likelihoods._math import (
    LOG_2PI,
    LOG_PI,
    inverse_softplus,
    standard_gamma,
)


class Gaussian(Likelihood):
    """Gaussian observations with a mean and a learned per-feature variance.

    The decoder outputs a mean and an unconstrained value ``r`` per feature; the
    variance is ``softplus(r) + var_floor``. The floor (like GaussianMixture's
    ``reg_covar``) keeps the density bounded, so the ELBO cannot run to +inf on
    constant or discrete features. :meth:`set_var_floor` sets one floor per
    feature, :meth:`set_fixed_variance` replaces the decoder's variance by a
    fixed one.

    Parameters
    ----------
    n_features : int
        Number of features.
    var_floor : float, default=1e-6
        The initial variance floor of every feature.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import Gaussian
    >>> lik = Gaussian(2, var_floor=1e-3)
    >>> out = torch.tensor([[0.0, 1.0, 0.0, 0.0]])  # two means, two raw variances
    >>> lik.mean(out), lik.variance(out)
    (tensor([[0., 1.]]), tensor([[0.6941, 0.6941]]))
    """

    name = "gaussian"
    n_params = 2
    has_scale = True
    scales_x = True  # the scale acts on x itself
    column_kind = "real"

    def __init__(self, n_features, var_floor=1e-6):
        super().__init__(n_features)
        self.register_buffer("var_floor", torch.full((self.n_features,), var_floor))
        self.register_buffer("fixed_variance", torch.zeros(self.n_features))
        self._fixed = False  # whether any feature has a fixed variance

    @torch.no_grad()
    def set_var_floor(self, floor):
        floor = torch.as_tensor(floor, dtype=self.var_floor.dtype)
        self.var_floor.copy_(floor.expand_as(self.var_floor))

    @torch.no_grad()
    def set_fixed_variance(self, variance):
        variance = torch.as_tensor(
            0.0 if variance is None else variance, dtype=self.fixed_variance.dtype
        )
        self.fixed_variance.copy_(variance.expand_as(self.fixed_variance))
        # one host sync when set, none per step: an unset one costs nothing
        self._fixed = bool((self.fixed_variance > 0).any())

    def _load_from_state_dict(self, *args, **kwargs):
        super()._load_from_state_dict(*args, **kwargs)
        fixed = self.fixed_variance
        self._fixed = not fixed.is_meta and bool((fixed > 0).any())

    def variance_floor(self):
        return self.var_floor

    def fixed_variances(self):
        return self.fixed_variance

    def _variance(self, raw):
        """The variance from the decoder's raw output, or the fixed one."""
        var = F.softplus(raw) + self.var_floor
        if not self._fixed:
            return var
        fixed = self.fixed_variance.to(var.dtype)
        return torch.where(fixed > 0, fixed, var)

    def _log_floor(self, x):
        """log of the smallest variance there can be, broadcast to ``x``.

        The floor, or the fixed variance where one is set.
        """
        floor = self.var_floor.to(device=x.device, dtype=x.dtype)
        if self._fixed:
            fixed = self.fixed_variance.to(device=x.device, dtype=x.dtype)
            floor = torch.where(fixed > 0, fixed, floor)
        return torch.log(floor).expand_as(x)

    def _split(self, out):
        loc, raw = out.chunk(2, dim=-1)
        return loc, self._variance(raw)

    def log_prob(self, out, x):
        loc, var = self._split(out)
        return -0.5 * (LOG_2PI + torch.log(var) + (x - loc).square() / var)

    def mean(self, out):
        return self._split(out)[0]

    def saturated_log_prob(self, x):
        # the density of a mean equal to x with the smallest allowed variance
        return -0.5 * (LOG_2PI + self._log_floor(x))

    def variance(self, out):
        """Compute the per-feature variance of p(x | z) (a Cauchy's squared scale).

        Parameters
        ----------
        out : Tensor of shape (..., n_outputs)
            The decoder's output.

        Returns
        -------
        variance : Tensor of shape (..., n_features)
            The decoder's ``softplus(raw) + var_floor``, or the fixed variance.

        Examples
        --------
        >>> import torch
        >>> from skvae.core.likelihoods import Gaussian
        >>> lik = Gaussian(1)
        >>> lik.set_fixed_variance([0.5])
        >>> lik.variance(torch.zeros(3, 2)).flatten().tolist()
        [0.5, 0.5, 0.5]
        """
        return self._split(out)[1]

    def marginal_params(self, x):
        var = (x.var(0, unbiased=False) - self.var_floor).clamp_min(1e-3)
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

    Parameters
    ----------
    n_features : int
        Number of features.
    var_floor : float, default=1e-6
        The initial variance floor (squared scale) of every feature.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import Cauchy
    >>> lik = Cauchy(1, var_floor=0.0)
    >>> out = torch.tensor([[0.0, 0.5413]])  # location 0, squared scale 1
    >>> lik.log_prob(out, torch.tensor([[1.0]]))  # -log(pi) - log(2)
    tensor([[-1.8379]])
    """

    name = "cauchy"
    column_kind = None

    def log_prob(self, out, x):
        loc, var = self._split(out)
        return -LOG_PI - 0.5 * torch.log(var) - torch.log1p((x - loc).square() / var)

    # mean() (inherited) returns the location, the median; variance() the
    # squared scale: a Cauchy has neither a mean nor a variance.

    def saturated_log_prob(self, x):
        # the density at its location with the smallest allowed scale
        return -LOG_PI - 0.5 * self._log_floor(x)

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
    variance); the degrees of freedom ``nu_j`` are the likelihood's own
    parameter, one per feature and shared by all samples (``raw_df``, with
    ``nu = exp(DF_RATE * raw_df)``). ``log p(x) = lgamma((nu + 1) / 2) -
    lgamma(nu / 2) - log(pi nu s^2) / 2 - (nu + 1) / 2 log(1 + ((x - loc) /
    s)^2 / nu)``. Small ``nu`` is the Cauchy's logarithmic penalty (``nu = 1``),
    large ``nu`` the Gaussian's quadratic one: each feature gets the tails its
    data show, where :class:`Cauchy` gives every feature heavy tails (Lange et
    al., 1989; Takahashi et al., 2018).

    Parameters
    ----------
    n_features : int
        Number of features.
    var_floor : float, default=1e-6
        The initial variance floor (squared scale) of every feature.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import StudentT
    >>> lik = StudentT(3)
    >>> lik.degrees_of_freedom(torch.zeros(1, 6))  # training starts at the Cauchy
    tensor([[1., 1., 1.]], grad_fn=<ExpBackward0>)
    """

    name = "studentt"
    column_kind = None
    # nu = exp(DF_RATE * raw_df): Adam moves a parameter by about its learning
    # rate per step, and log(nu) has to travel a range of several units
    DF_RATE = 10.0
    DF_INIT = 1.0  # training starts from the Cauchy
    DF_RANGE = (0.2, 1000.0)

    def __init__(self, n_features, var_floor=1e-6):
        super().__init__(n_features, var_floor)
        self.raw_df = nn.Parameter(torch.empty(self.n_features))
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self):
        self.raw_df.fill_(math.log(self.DF_INIT) / self.DF_RATE)

    def _split(self, out):
        loc, raw = out.chunk(2, dim=-1)
        # computed per entry of the batch, as the other parameters are
        raw_df = self.raw_df.to(out.dtype).expand(loc.shape)
        log_df = (self.DF_RATE * raw_df).clamp(*(math.log(v) for v in self.DF_RANGE))
        return loc, self._variance(raw), torch.exp(log_df)

    def log_prob(self, out, x):
        loc, var, df = self._split(out)
        half = 0.5 * (df + 1.0)
        return (
            torch.lgamma(half)
            - torch.lgamma(0.5 * df)
            - 0.5 * (torch.log(df * var) + LOG_PI)
            - half * torch.log1p((x - loc).square() / (df * var))
        )

    def degrees_of_freedom(self, out):
        """Compute the per-feature degrees of freedom ``nu``, broadcast to ``out``.

        Parameters
        ----------
        out : Tensor of shape (..., n_outputs)
            The decoder's output (it gives the batch shape).

        Returns
        -------
        nu : Tensor of shape (..., n_features)
            ``exp(DF_RATE * raw_df)``, clamped to ``DF_RANGE``.

        Examples
        --------
        >>> import torch
        >>> from skvae.core.likelihoods import StudentT
        >>> StudentT(2).degrees_of_freedom(torch.zeros(4, 4)).shape
        torch.Size([4, 2])
        """
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


class LogNormal(Gaussian):
    """Non-negative reals (zeros allowed): a Gaussian on ``log(1 + x)``.

    ``log p(x) = log N(log1p(x); loc, var) - log1p(x)`` (the Jacobian of the
    map), so values are densities in x's own units. It is a log-normal
    shifted by -1, a density on x > -1: zeros are ordinary values, and a
    little of its mass (and of its draws) lies in (-1, 0). The variance is
    ``softplus(r) + var_floor`` as for the Gaussian. The mean is
    ``exp(loc + var / 2) - 1``.

    Parameters
    ----------
    n_features : int
        Number of features.
    var_floor : float, default=1e-6
        The initial variance floor (squared scale) of every feature.

    Examples
    --------
    >>> import torch
    >>> from skvae.core.likelihoods import LogNormal
    >>> lik = LogNormal(1, var_floor=0.0)
    >>> lik.features(torch.tensor([[0.0], [1.718282]]))  # what the encoder sees
    tensor([[0.],
            [1.]])
    """

    name = "lognormal"
    transforms_input = True
    scales_x = False  # the variance is of log1p(x)
    column_kind = None

    @staticmethod
    def scale_input(x):
        """Compute ``log1p(x)`` in numpy: the variable whose variance the scale models.

        Parameters
        ----------
        x : ndarray
            Values of x (>= 0).

        Returns
        -------
        y : ndarray
            ``log(1 + x)``, of which the variance floor takes its variance.

        Examples
        --------
        >>> import numpy as np
        >>> from skvae.core.likelihoods import LogNormal
        >>> LogNormal.scale_input(np.array([0.0, np.e - 1.0]))
        array([0., 1.])
        """
        return np.log1p(x)

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
