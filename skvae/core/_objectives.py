"""The ELBO, and the objectives: one map from a name to a per-row bound, for
training, validation and scoring alike.

:func:`elbo` and :func:`elbo_per_feature` are functions of a model, as pyro
writes inference (the importance-weighted bound is in
:mod:`skvae.core._importance`). Each entry of :data:`OBJECTIVES` is
``fn(model, x, eps, *, beta=1.0, prior=None) -> (n,)``: the bound of each row
of ``x`` in nats, estimated with the standard normal noise ``eps`` of shape
``(S, n or 1, n_components)``. Training draws fresh noise per step and
maximises the (trimmed) mean; validation and scoring use noise fixed at fit
time, shared by every row.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch

from skvae.core._docs import fill
from skvae.core._importance import log_marginal_likelihood
from skvae.core._priors import gaussian_kl, standard_normal_log_prob


@fill
def elbo(model, x, *, n_draws=1, eps=None, generator=None, beta=1.0, prior=None):
    """Compute the evidence lower bound of each row, in nats.

    ``E_q[log p(x|z)] - beta * KL(q(z|x) || p(z))`` with the expectation
    estimated by ``n_draws`` reparameterised draws ``z = mu + sigma * eps``
    and the KL term in closed form (for the N(0, I) prior; with another
    ``prior`` it is estimated from the same draws). A row's missing entries
    (NaN) are left out of its likelihood.

    {model_x}
    {mc_draws}
    eps : Tensor of shape (n_draws, n or 1, n_components), optional
        Standard normal noise to use. A leading shape of ``(S, 1, k)`` shares
        the same draws across rows ("common random numbers"), which makes the
        result of each row independent of the other rows in the batch.
    {noise_source}
    beta : float, default=1.0
        Weight of the KL term (1.0 is the ELBO; other values give beta-VAE).
    {prior_param}

    Returns
    -------
    elbo : Tensor of shape (n,)
        The ELBO of each row of ``x``, in nats (differentiable).

    Examples
    --------
    {model_and_data}
    >>> from skvae.core import elbo
    >>> generator = torch.Generator().manual_seed(0)
    >>> elbo(model, x, n_draws=10, generator=generator).shape
    torch.Size([50])
    """
    rec, kl = elbo_per_feature(
        model, x, n_draws=n_draws, eps=eps, generator=generator, prior=prior
    )
    return rec.sum(-1) - beta * kl


@fill
def elbo_per_feature(model, x, *, n_draws=1, eps=None, generator=None, prior=None):
    """Compute E_q[log p(x_j | z)] per feature and the KL term per row.

    The reconstruction term factorises over features; summing the returned
    ``(n, n_features)`` array and subtracting the ``(n,)`` KL gives
    :func:`elbo`. A missing entry's term is 0.

    {model_x}
    {mc_draws}
    eps : Tensor of shape (n_draws, n or 1, n_components), optional
        Standard normal noise to use; see :func:`elbo`.
    {noise_source}
    {prior_param}

    Returns
    -------
    reconstruction : Tensor of shape (n, n_features)
        The expected log-likelihood of each feature of each row, in nats.
    kl : Tensor of shape (n,)
        ``KL(q(z|x) || p(z))`` of each row, in nats (a Monte Carlo
        estimate when ``prior`` is given).

    Examples
    --------
    {model_and_data}
    >>> from skvae.core import elbo, elbo_per_feature
    >>> eps = torch.randn(10, 1, 2, generator=torch.Generator().manual_seed(0))
    >>> reconstruction, kl = elbo_per_feature(model, x, eps=eps)
    >>> reconstruction.shape, kl.shape
    (torch.Size([50, 4]), torch.Size([50]))
    >>> torch.allclose(reconstruction.sum(-1) - kl, elbo(model, x, eps=eps))
    True
    """
    x_in, mask = model.observed(x)
    loc, log_scale = model._encode(x_in, mask)
    if eps is None:
        eps = model._noise((n_draws, *loc.shape), generator, loc)
    z = loc + torch.exp(log_scale) * eps
    out = model.decode(z).to(x.dtype)
    rec = model._log_prob(out, x_in, mask).mean(0)  # (n, d)
    if prior is None:
        kl = gaussian_kl(loc, log_scale).sum(-1)
    else:  # E_q[log q(z|x) - log p(z)] from the same draws
        log_q = standard_normal_log_prob(eps).sum(-1) - log_scale.sum(-1)
        kl = (log_q - prior.log_prob(z)).mean(0)
    return rec, kl


def _elbo(model, x, eps, *, beta=1.0, prior=None):
    return elbo(model, x, eps=eps, beta=beta, prior=prior)


def _iwae(model, x, eps, *, beta=1.0, prior=None):
    """The importance-weighted bound with K = S draws (Burda et al., 2016).

    ``beta`` must be 1: the bound has no separate KL term.
    """
    if beta != 1.0:
        raise ValueError("The importance-weighted bound has no KL term to weight.")
    return log_marginal_likelihood(model, x, eps=eps, prior=prior)


OBJECTIVES = {"elbo": _elbo, "iwae": _iwae}


def trimmed_mean(values, support_fraction=1.0):
    """Mean of the ``ceil(support_fraction * n)`` largest entries of a 1-d tensor.

    With ``values`` the per-row bounds this is the objective of a trimmed
    likelihood estimator (Neykov et al., 2007; the minimum covariance
    determinant is its Gaussian case): the worst-explained rows, the likely
    outliers of a contaminated data set, do not pull the model towards them.
    ``support_fraction=1`` is the plain mean.

    Parameters
    ----------
    values : Tensor of shape (n,)
        One value per row.
    support_fraction : float, default=1.0
        Share of the rows, the largest values, that the mean is over.

    Returns
    -------
    mean : Tensor of shape ()
        The trimmed mean.

    Examples
    --------
    >>> import torch
    >>> from skvae.core import trimmed_mean
    >>> trimmed_mean(torch.tensor([1.0, 2.0, 3.0, 10.0]), 0.5)
    tensor(6.5000)
    """
    if support_fraction >= 1.0:
        return values.mean()
    k = max(1, math.ceil(support_fraction * values.shape[0]))
    return torch.topk(values, k, sorted=False).values.mean()
