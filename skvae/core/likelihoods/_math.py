"""Numerical helpers of the likelihoods: draws from a generator, and inverses."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch


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
