"""A model's data-dependent set-up: the fill of holes, the variance floors, and
the start at the columns' marginals.

Functions of a model and its training data, run once before training:
:func:`prepare_model` (numpy in, what the estimators call) and the two torch
steps it is made of, :func:`lattice_variance` and :func:`fit_marginals`.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import torch

from skvae.core._utils import spaced_rows, to_tensor


@torch.no_grad()
def prepare_model(model, X, mean, *, lattice_floor=False):
    """Set ``model``'s data-dependent parts from its training data, numpy in.

    ``input_fill`` (what a hole is at the encoder's input) becomes each
    column's mean, and a levelled column's most frequent level; with
    ``lattice_floor`` the variance floor of each feature whose scale is in
    x's units is raised to its rounding noise (:func:`lattice_variance`);
    a likelihood that transforms its input gets :func:`fit_marginals`.
    Statistics other than ``mean`` come from about 10,000 evenly spaced rows
    of X (see ``spaced_rows``), so a memory-mapped X stays on disk.

    Parameters
    ----------
    model : VAE
        The model, before training.
    X : ndarray of shape (n, n_features)
        The training data in the model's space, NaN where an entry is missing.
    mean : ndarray of shape (n_features,)
        Each column's mean over its observed entries.
    lattice_floor : bool, default=False
        Floor the variance of grid-valued features at their rounding noise.
    """
    likelihood = model.likelihood
    fill = np.asarray(mean, dtype=np.float64).copy()
    if not (lattice_floor or likelihood.transforms_input):
        model.input_fill.copy_(torch.as_tensor(fill))  # X is not read
        return
    p = next(model.parameters())
    rows = spaced_rows(X)
    x = to_tensor(rows, p.device, p.dtype)
    if lattice_floor:
        on_x = torch.tensor(likelihood.per_column("scales_x"), device=x.device)
        floor = model.config.var_floor
        likelihood.set_var_floor(
            torch.where(on_x, lattice_variance(x).clamp_min(floor), floor)
        )
    if not likelihood.transforms_input:
        model.input_fill.copy_(torch.as_tensor(fill))
        return
    for j, levelled in enumerate(likelihood.per_column("levelled")):
        if levelled:  # a category's hole enters as its most frequent level
            codes = rows[:, j][~np.isnan(rows[:, j])].astype(np.int64)
            fill[j] = float(np.bincount(codes).argmax()) if codes.size else 0.0
    model.input_fill.copy_(torch.as_tensor(fill))
    fit_marginals(model, model.observed(x)[0])


@torch.no_grad()
def fit_marginals(model, x):
    """Adapt a model's fixed parts to data ``x`` (no missing entries).

    For a likelihood that transforms its input (counts, positive reals,
    categories, a per-column likelihood), set ``feature_loc`` and
    ``feature_scale`` to the mean and standard deviation of the encoder's
    features of ``x``, and start the decoder's output bias at the columns'
    marginal fit (the mean of a count, the level frequencies of a category),
    so that training does not spend its first steps learning offsets. Other
    likelihoods are left as they are.

    Parameters
    ----------
    model : VAE
        The model to adapt.
    x : Tensor of shape (n, n_features)
        Training data without NaN (fill the holes first).

    Examples
    --------
    >>> import torch
    >>> from skvae import VAE, VAEConfig
    >>> from skvae.core._marginals import fit_marginals
    >>> counts = torch.poisson(torch.full((500, 3), 4.0))
    >>> model = VAE(VAEConfig(n_features=3, likelihood="poisson"))
    >>> fit_marginals(model, counts)
    >>> rate = model.decoder[-1].bias.exp()  # the decoder starts at the means
    >>> bool(torch.allclose(rate, counts.mean(0)))
    True
    """
    likelihood = model.likelihood
    if not likelihood.transforms_input:
        return
    features = likelihood.features(x)
    model.feature_loc.copy_(features.mean(0))
    scale = features.std(0, unbiased=False)
    model.feature_scale.copy_(torch.where(scale > 1e-6, scale, 1.0))
    params = likelihood.marginal_params(x)
    if params is not None and not model._shared_variance:
        bias = model.decoder[-1].bias
        bias.copy_(params.to(bias.dtype))


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
    >>> from skvae.core._marginals import lattice_variance
    >>> x = torch.tensor([[0.0, 1.0], [2.0, 1.0], [4.0, 1.0], [2.0, 1.0]])
    >>> lattice_variance(x)
    tensor([0.3333, 0.0000])
    """
    gaps = torch.diff(torch.sort(x, dim=0).values, dim=0)
    gaps = torch.where(gaps > 0, gaps, torch.nan)  # NaN: a tie, or a hole
    step = torch.nanmedian(gaps, dim=0).values if len(gaps) else x[0] * 0
    return torch.nan_to_num(step, nan=0.0).square() / 12.0
