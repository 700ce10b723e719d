"""Inference over rows of numpy data: encode, decode, sample and score, blockwise.

Every function here runs a fitted :class:`~skvae.VAE` without gradients over
blocks of rows sized by one rule (:func:`skvae.core._utils.rows_per_block`),
moves each block to the model's device and brings the result back as numpy:
the estimators hand numpy in and get numpy back. Scores use noise drawn from a
seed and shared by all rows ("common random numbers"), so a row's score does
not depend on the other rows.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import torch

from skvae.core._importance import impute
from skvae.core._objectives import OBJECTIVES, elbo_per_feature
from skvae.core._priors import MixturePrior, gaussian_kl
from skvae.core._utils import (
    make_generator,
    rows_per_block,
    spaced_rows,
    standard_normal,
    to_numpy,
    to_tensor,
)


def _device_dtype(model):
    p = next(model.parameters())
    return p.device, p.dtype


def _numpy_dtype(X, model):
    if isinstance(X, np.ndarray):
        return X.dtype
    return torch.empty(0, dtype=_device_dtype(model)[1]).numpy().dtype


@torch.no_grad()
def map_rows(fn, X, model, *, numbers_per_row, out_shape=(), check_finite=True):
    """Apply ``fn`` to blocks of rows of ``X`` on ``model``'s device; gather as numpy.

    Parameters
    ----------
    fn : callable
        Maps a tensor block of rows to a tensor with one entry (of shape
        ``out_shape``) per row.
    X : ndarray or Tensor of shape (n, ...)
        The rows; a numpy array of any layout (views, read-only, memmaps).
    model : VAE
        Gives the device and dtype of the blocks.
    numbers_per_row : int
        Size per row of the largest tensor ``fn`` makes; sets the block size.
    out_shape : tuple, default=()
        Shape of ``fn``'s result per row.
    check_finite : bool, default=True
        Raise ``ValueError`` naming the rows whose result is not finite.

    Returns
    -------
    out : ndarray of shape (n, *out_shape)
        In the dtype of ``X`` (the model's for a tensor).
    """
    device, dtype = _device_dtype(model)
    out = np.empty((X.shape[0], *out_shape), dtype=_numpy_dtype(X, model))
    rows = rows_per_block(numbers_per_row)
    for start in range(0, X.shape[0], rows):
        block = X[start : start + rows]
        if isinstance(block, torch.Tensor):
            xb = block.to(device=device, dtype=dtype)
        else:
            xb = to_tensor(block, device, dtype)
        out[start : start + xb.shape[0]] = to_numpy(fn(xb), out.dtype)
    if check_finite:
        finite = np.isfinite(out).all(axis=tuple(range(1, out.ndim)))
        if not finite.all():
            bad = np.flatnonzero(~finite)
            raise ValueError(
                f"The model's output is not finite for {bad.size} row(s) of X "
                f"(first: {bad[:5].tolist()}), whose values lie far outside the "
                "range of the training data. Scale X as the training data was "
                "scaled, or refit with dtype='float64'."
            )
    return out


def scoring_noise(model, n_draws, seed):
    """Fixed standard normal noise of shape (n_draws, 1, n_components).

    Drawn on the CPU from ``seed`` (the same on every device) and shared by
    all rows.
    """
    device, dtype = _device_dtype(model)
    return standard_normal((n_draws, 1, model.config.n_components), seed, device, dtype)


def mixture_prior(model, loc, log_scale):
    """A :class:`~skvae.MixturePrior` from numpy arrays, on the model's device."""
    device, dtype = _device_dtype(model)
    return MixturePrior(
        to_tensor(loc, device, dtype), to_tensor(log_scale, device, dtype)
    )


def encode_rows(model, X, *, scale=False):
    """The posterior mean of each row; with ``scale``, its log std appended."""
    k = model.config.n_components

    def fn(xb):
        loc, log_scale = model.encode(xb)
        return torch.cat([loc, log_scale], dim=-1) if scale else loc

    width = 2 * k if scale else k
    return map_rows(
        fn, X, model, numbers_per_row=X.shape[1] + 2 * k, out_shape=(width,)
    )


def _decode_width(model):
    return 2 * model.likelihood.n_outputs


def decode_rows(model, Z):
    """The decoder's mean E[x | z] of each code."""
    return map_rows(
        model.generate,
        Z,
        model,
        numbers_per_row=_decode_width(model),
        out_shape=(model.config.n_features,),
    )


def median_variance(model, X):
    """Each feature's median variance of p(x_j | z) at the posterior means.

    Over about 10,000 evenly spaced rows of X (see ``spaced_rows``), at
    z = mu(x); 0 for the features whose likelihood has no scale.
    """
    variance = map_rows(
        lambda xb: model.likelihood.variance(model.decode(model.encode(xb)[0])),
        spaced_rows(X),
        model,
        numbers_per_row=X.shape[1] + _decode_width(model),
        out_shape=(model.config.n_features,),
        check_finite=False,
    )
    return np.nan_to_num(np.median(variance, axis=0), nan=0.0)


def generate_rows(model, Z, seed, *, mean=True):
    """Rows generated from the codes ``Z``: the decoder's means, or with
    ``mean=False`` draws of x from a generator on the model's device seeded
    with ``seed``."""
    generator = make_generator(seed, _device_dtype(model)[0])
    return map_rows(
        lambda zb: model.generate(zb, generator=generator, mean=mean),
        Z,
        model,
        numbers_per_row=_decode_width(model),
        out_shape=(model.config.n_features,),
        check_finite=False,
    )


def sample_rows(model, n_samples, seed, *, mean=True):
    """``n_samples`` rows generated from z ~ N(0, I) drawn from ``seed``.

    The codes are drawn on the CPU (the same on every device); the rows are
    :func:`generate_rows` of them.
    """
    device, torch_dtype = _device_dtype(model)
    z = standard_normal(
        (n_samples, model.config.n_components), seed, device, torch_dtype
    )
    return generate_rows(model, z, seed, mean=mean)


def score_rows(
    model,
    X,
    *,
    n_draws,
    seed,
    method="elbo",
    prior=None,
    per_feature=False,
    relative=False,
):
    """The log-likelihood bound of each row of X (or of each feature), in nats.

    Parameters
    ----------
    model : VAE
        The fitted model.
    X : ndarray of shape (n, n_features)
        The rows, in the model's data space.
    n_draws, seed : int
        The draws of z per row, fixed by ``seed`` and shared by all rows
        (:func:`scoring_noise`).
    method : {"elbo", "iwae"}, default="elbo"
        The objective (an entry of ``OBJECTIVES``): the ELBO with
        ``n_draws`` draws, or the importance-weighted estimate of log p(x).
    prior : tuple of ndarray, optional
        ``(loc, log_scale)`` of a :class:`~skvae.MixturePrior`; None is the
        model's N(0, I).
    per_feature : bool, default=False
        Return E_q[log p(x_j | z)] per feature instead (``method`` and
        ``prior`` are then unused), NaN for the missing entries.
    relative : bool, default=False
        Subtract the saturated log-likelihood of each feature (summed per row),
        the largest value any decoder output could give it; computed in
        float64 from X.

    Returns
    -------
    scores : ndarray of shape (n,) or (n, n_features)
        In the dtype of X.
    """
    eps = scoring_noise(model, n_draws, seed)
    if prior is not None:
        prior = mixture_prior(model, *prior)
    if per_feature:  # the reconstruction term: the prior plays no part
        fn = lambda xb: elbo_per_feature(model, xb, eps=eps)[0]
    else:
        fn = lambda xb: OBJECTIVES[method](model, xb, eps, prior=prior)
    # the decoder's output and the data, per draw
    width = n_draws * (model.likelihood.n_outputs + X.shape[1])
    if prior is not None and not per_feature:
        width += n_draws * prior.loc.numel()
    out_shape = (X.shape[1],) if per_feature else ()
    scores = map_rows(fn, X, model, numbers_per_row=width, out_shape=out_shape)
    if relative:
        scores = (scores - saturated_rows(model.likelihood, X, per_feature)).astype(
            scores.dtype, copy=False
        )
    if per_feature:  # a missing entry has no share of the score
        scores[np.isnan(X)] = np.nan
    return scores


def saturated_rows(likelihood, X, per_feature=False):
    """The saturated log-likelihood of X per feature (or summed per row), float64.

    Computed on the CPU from X's own values (not rounded to the model's dtype);
    a missing entry (NaN) adds 0.
    """
    shape = X.shape if per_feature else X.shape[:1]
    out = np.empty(shape, dtype=np.float64)
    rows = rows_per_block(X.shape[1])
    for start in range(0, X.shape[0], rows):
        xb = to_tensor(X[start : start + rows], "cpu", torch.float64)
        missing = torch.isnan(xb)
        sat = torch.where(
            missing, 0.0, likelihood.saturated_log_prob(torch.where(missing, 0.0, xb))
        )
        out[start : start + sat.shape[0]] = (
            sat if per_feature else sat.sum(-1)
        ).numpy()
    return out


def impute_rows(model, X, *, n_draws, seed, sample=False):
    """X with its missing entries (NaN) filled from p(x_miss | x_obs); see ``impute``.

    The ``n_draws`` importance samples are drawn from ``seed`` and shared by
    all rows. With ``sample`` the resampling draws come from a generator on
    the model's device seeded with ``seed``, in the order of the rows with
    holes. Complete rows are returned as they are, without a pass through
    the model.
    """
    eps = scoring_noise(model, n_draws, seed)
    device, _ = _device_dtype(model)
    generator = make_generator(seed, device)
    out = np.array(X, dtype=_numpy_dtype(X, model))
    holes = np.flatnonzero(np.isnan(out).any(axis=1))
    out[holes] = map_rows(
        lambda xb: impute(model, xb, eps=eps, generator=generator, sample=sample),
        out[holes],
        model,
        numbers_per_row=3 * _decode_width(model),
        out_shape=(X.shape[1],),
    )
    return out


def posterior_mixture(model, X, scores, n_components, support_fraction, seed):
    """``(loc, log_scale)`` of a mixture prior from well-explained rows of X.

    The posteriors q(z | x_m) of up to ``n_components`` rows drawn (from
    ``seed``) among the ``support_fraction`` of rows with the highest
    ``scores``: an estimate of the aggregate posterior (Hoffman & Johnson,
    2016). Returned as float64 arrays of shape (m, n_components).
    """
    cut = np.quantile(scores, 1.0 - support_fraction)
    keep = np.flatnonzero(scores >= cut)
    rng = np.random.RandomState(seed)
    size = min(n_components, keep.size)
    rows = np.sort(rng.choice(keep, size=size, replace=False))
    codes = encode_rows(model, X[rows], scale=True).astype(np.float64)
    k = model.config.n_components
    return codes[:, :k], codes[:, k:]


def latent_activity(model, X):
    """Each latent dimension's activity and KL divergence on X's rows.

    The activity of dimension u is the variance over rows of its posterior
    mean, Cov_x(E_q[z_u | x]): a dimension the decoder ignores has its
    posterior at the prior for every x, so its activity is near 0 (the
    "active units" of Burda, Grosse and Salakhutdinov, 2016, who count a
    dimension above 0.01). Its KL is the mean over rows of
    KL(q(z_u | x) || N(0, 1)), in nats: what the dimension costs the ELBO.
    Both are in z's own units, so they do not depend on the units of x.
    Computed from about 10,000 evenly spaced rows of X.

    Parameters
    ----------
    model : VAE
        A fitted model.
    X : ndarray of shape (n_samples, n_features)
        Rows in the model's space (NaN where an entry is missing).

    Returns
    -------
    activity, kl : ndarray of shape (n_components,)
        Float64.
    """
    codes = encode_rows(model, spaced_rows(X), scale=True).astype(np.float64)
    k = model.config.n_components
    kl = gaussian_kl(*torch.from_numpy(codes).split(k, dim=1))
    return codes[:, :k].var(0), kl.mean(0).numpy()


def variance_floor(model):
    """Each feature's variance floor as float64 numpy, 0 without a scale."""
    floor = model.likelihood.variance_floor()
    if floor is None:
        return np.zeros(model.config.n_features)
    return to_numpy(floor, np.float64)


def conditional_rows(model, X, *, n_draws, seed, mean=False):
    """X with its missing entries (NaN) drawn from p(x_miss | x_obs), row by row.

    Unlike :func:`impute_rows`, every row gets its own ``n_draws`` importance
    draws of z (from a generator on the model's device seeded with
    ``seed``), so rows with the same conditions are independent draws, and
    the proposal includes the prior N(0, I) (``impute(defensive=True)``):
    a condition on a few columns leaves most of the row missing, which an
    encoder trained on complete rows never met. With ``mean`` the
    conditional mean instead.
    """
    device, dtype = _device_dtype(model)
    generator = make_generator(seed, device)
    k = model.config.n_components

    def fn(xb):
        eps = torch.randn(
            (n_draws, xb.shape[0], k), generator=generator, device=device, dtype=dtype
        )
        return impute(
            model, xb, eps=eps, generator=generator, sample=not mean, defensive=True
        )

    width = n_draws * (k + model.likelihood.n_outputs)
    return map_rows(fn, X, model, numbers_per_row=width, out_shape=(X.shape[1],))
