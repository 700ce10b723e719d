"""Importance sampling over q(z | x): the IWAE estimate of log p(x) and imputation.

Functions of a :class:`~skvae.VAE` that weight draws z_k ~ q(z | x) by
p(x_obs, z_k) / q(z_k | x): :func:`log_marginal_likelihood` (Burda et al.,
2016) and :func:`impute` (MIWAE's conditional mean or a
sampling-importance-resampling draw, Mattei & Frellsen, 2019). One weight
generator, :func:`importance_weights`, serves both.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch

from skvae.core._docs import fill
from skvae.core._priors import standard_normal_log_prob
from skvae.core._utils import rows_per_block
from skvae.core.likelihoods._math import standard_gumbel


@fill
def log_marginal_likelihood(
    model, x, *, n_draws=100, eps=None, generator=None, chunk_size=None, prior=None
):
    """Estimate log p(x) per sample by importance weighting (Burda et al., 2016).

    ``log (1/K) sum_k p(x, z_k) / q(z_k | x)`` with ``z_k ~ q(z | x)``. It is a
    lower bound on log p(x) in expectation, equals the ELBO's estimator for
    K = 1 and tightens as K grows. Draws are processed ``chunk_size`` at a
    time and combined with a running logsumexp, so memory does not grow with K.

    {model_x}
    n_draws : int, default=100
        The number K of importance samples (ignored when ``eps`` is given).
    eps : Tensor of shape (K, n or 1, n_components), optional
        Standard normal noise; see :meth:`VAE.elbo`. By default one set of K
        draws, shared by all rows.
    {noise_source}
    chunk_size : int, optional
        Importance samples per chunk. By default all K at once where
        gradients are recorded (a training step keeps every chunk anyway),
        else as many as fit the block budget of
        ``skvae.core._utils.BLOCK_NUMBERS`` numbers.
    {prior_param}

    Returns
    -------
    log_px : Tensor of shape (n,)
        The estimate of log p(x) for each row of ``x``, in nats.

    Examples
    --------
    {model_and_data}
    >>> from skvae.core import log_marginal_likelihood
    >>> generator = torch.Generator().manual_seed(0)
    >>> log_marginal_likelihood(model, x, n_draws=20, generator=generator).shape
    torch.Size([50])
    """
    chunks, _, n_draws = importance_weights(
        model, x, n_draws, eps, generator, chunk_size, prior
    )
    acc = None
    for log_w, _ in chunks:
        lse = torch.logsumexp(log_w, dim=0)
        acc = lse if acc is None else torch.logaddexp(acc, lse)
    return acc - math.log(n_draws)


def importance_weights(
    model,
    x,
    n_draws,
    eps,
    generator,
    chunk_size,
    prior,
    proposal_inputs=None,
    defensive=False,
):
    """Chunks ``(log_w, out)`` of the importance weights of z_k ~ q(z | x).

    ``log_w = log p(x_obs | z_k) + log p(z_k) - log q(z_k)`` of shape (c, n)
    and the decoder's output ``out`` for those draws, ``c`` draws a chunk;
    returned with the mask of observed entries and K. The proposal q is
    q(z | x) as :meth:`VAE.encode` computes it, or, given ``proposal_inputs``
    (m rows of the shape of ``x``, each encoded as ``encode`` does), the
    equal mixture of q(z | e) over them: draws are split into m consecutive
    groups, one a component, and weighted by the mixture's density
    (deterministic-mixture weights, Owen & Zhou, 2000). ``defensive`` adds
    the prior N(0, I) as one more component, which bounds every weight where
    the encoder's proposals miss the posterior (rows with most entries
    missing, an encoder that never saw holes).
    """
    x_in, mask = model.observed(x)
    if proposal_inputs is None:
        encoded = [model._encode(x_in, mask)]
    else:
        encoded = [model._encode(*model.observed(e)) for e in proposal_inputs]
    if defensive:
        zeros = torch.zeros_like(encoded[0][0])
        encoded.append((zeros, zeros))
    loc = torch.stack([loc for loc, _ in encoded])  # (m, n, k)
    log_scale = torch.stack([log_scale for _, log_scale in encoded])
    if eps is None:
        eps = model._noise((n_draws, 1, loc.shape[-1]), generator, loc)
    n_draws, m = eps.shape[0], loc.shape[0]
    if chunk_size is None and torch.is_grad_enabled():
        chunk_size = n_draws
    elif chunk_size is None:
        per_row = model.likelihood.n_outputs
        if prior is not None:
            per_row += prior.loc.numel()
        if m > 1:  # z against every component: (m, c, n, k)
            per_row += m * loc.shape[-1]
        chunk_size = min(n_draws, rows_per_block(x.shape[0] * per_row))
    scale, log_q_const = torch.exp(log_scale), log_scale.sum(-1)
    component = torch.arange(n_draws, device=loc.device) * m // n_draws

    def chunks():
        for start in range(0, n_draws, chunk_size):
            e = eps[start : start + chunk_size]
            if m == 1:  # broadcast, no copy of loc per draw
                z = loc[0] + scale[0] * e
                log_qz = standard_normal_log_prob(e).sum(-1) - log_q_const[0]
            else:  # the mixture's density at z: every component's, (m, c, n)
                j = component[start : start + chunk_size]
                z = loc[j] + scale[j] * e
                u = (z.unsqueeze(0) - loc.unsqueeze(1)) / scale.unsqueeze(1)
                log_qj = standard_normal_log_prob(u).sum(-1)
                log_qj = log_qj - log_q_const.unsqueeze(1)
                log_qz = torch.logsumexp(log_qj, dim=0) - math.log(m)
            out = model.decode(z).to(x_in.dtype)
            log_px_z = model._log_prob(out, x_in, mask).sum(-1)
            log_pz = (
                standard_normal_log_prob(z).sum(-1)
                if prior is None
                else prior.log_prob(z)
            )
            yield log_px_z + log_pz - log_qz, out

    return chunks(), mask, n_draws


@fill
@torch.no_grad()
def impute(
    model,
    x,
    *,
    n_draws=100,
    eps=None,
    generator=None,
    sample=False,
    n_refine=1,
    defensive=False,
):
    """Fill the missing entries (NaN) of ``x`` from p(x_miss | x_obs).

    Self-normalised importance sampling over draws ``z_k`` from a proposal
    q with weights ``w_k`` proportional to ``p(x_obs | z_k) p(z_k) / q(z_k)``
    (the single imputation of MIWAE, Mattei & Frellsen, 2019). The observed
    entries are returned unchanged.

    The proposal starts as q(z | x) with the holes at ``input_fill``, which
    is far from the posterior when a hole is large (the centre of an image)
    or when the encoder never saw holes. Each of ``n_refine`` rounds fills
    the holes with the current estimate and makes the proposal the equal
    mixture of q(z | x at ``input_fill``) and q(z | x so filled). A better
    proposal changes the estimator's error, not its target: the weights
    stay those of the mixture, and keeping the first component bounds the
    loss where refining does not help (defensive mixture importance
    sampling). Each round costs one more pass over the K draws.

    {model_x}
    n_draws : int, default=100
        The number K of importance samples (ignored when ``eps`` is given).
    eps : Tensor of shape (K, n or 1, n_components), optional
        Standard normal noise; see :meth:`VAE.elbo`.
    {noise_source}
    sample : bool, default=False
        False: the conditional mean ``sum_k w_k E[x_miss | z_k]`` (for the
        Cauchy likelihood the location, which has no mean). True: a draw
        from p(x_miss | x_obs) by sampling-importance-resampling: one z_k
        per row drawn with probability ``w_k``, then x_miss ~ p(x | z_k);
        ``generator`` is then the source of both choices.
    n_refine : int, default=1
        Rounds of proposal refinement; 0 keeps q(z | x at ``input_fill``).
    defensive : bool, default=False
        Add the prior N(0, I) to every proposal as one more component: safer
        where the encoder's proposal misses the posterior (most entries
        missing, an encoder trained on complete rows), at the cost of the
        draws it takes.

    Returns
    -------
    x_filled : Tensor of the shape of ``x``
        ``x`` with its missing entries filled.

    Examples
    --------
    {model_and_data}
    >>> from skvae.core import impute
    >>> x_holes = x.clone()
    >>> x_holes[0, 1] = float("nan")
    >>> filled = impute(model, x_holes, n_draws=20,
    ...                 generator=torch.Generator().manual_seed(0))
    >>> bool(filled.isnan().any()), torch.equal(filled[1:], x[1:])
    (False, True)
    """
    x_in, mask = model.observed(x)
    if eps is None:  # one set of draws for every round
        eps = model._noise((n_draws, 1, model.config.n_components), generator, x_in)
    proposal = None
    for _ in range(n_refine):
        chunks, _, _ = importance_weights(
            model, x, n_draws, eps, generator, None, None, proposal, defensive
        )
        mean = _conditional_mean(model.likelihood, chunks)
        proposal = [x, torch.where(mask, x, mean.to(x.dtype))]
    chunks, _, _ = importance_weights(
        model, x, n_draws, eps, generator, None, None, proposal, defensive
    )
    if not sample:
        total = _conditional_mean(model.likelihood, chunks)
        return torch.where(mask, x, total.to(x.dtype))
    best = chosen = None
    for log_w, out in chunks:  # Gumbel-max: the running argmax of log_w + noise
        key, k = (log_w + standard_gumbel(log_w, generator)).max(dim=0)
        pick = out.gather(0, k.view(1, -1, 1).expand(1, *out.shape[1:]))[0]
        if best is None:
            best, chosen = key, pick
        else:
            better = (key > best).unsqueeze(-1)
            best = torch.maximum(best, key)
            chosen = torch.where(better, pick, chosen)
    total = model.likelihood.sample(chosen, generator=generator)
    return torch.where(mask, x, total.to(x.dtype))


def _conditional_mean(likelihood, chunks):
    """The self-normalised weighted mean of ``likelihood.expected(out)``, as x.

    Chunks are combined with a running logsumexp of their weights, so the
    result does not depend on the chunk size.
    """
    acc = total = None
    for log_w, out in chunks:
        lse = torch.logsumexp(log_w, dim=0)
        mean = (
            torch.softmax(log_w, dim=0).unsqueeze(-1) * likelihood.expected(out)
        ).sum(0)
        if acc is None:
            acc, total = lse, mean
        else:
            new = torch.logaddexp(acc, lse)
            total = total * torch.exp(acc - new).unsqueeze(-1)
            total = total + mean * torch.exp(lse - new).unsqueeze(-1)
            acc = new
    return likelihood.from_expected(total)
