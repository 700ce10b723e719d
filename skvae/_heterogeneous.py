"""Likelihoods by name: the registry, and one observation model per column.

:data:`LIKELIHOODS` maps every name the estimators accept for a whole array
to its class; :func:`build_likelihood` turns a config's name, or its list of
per-column names, into a likelihood.

The heterogeneous likelihood (mixed-type tables) is HI-VAE's idea (Nazabal
et al., 2020) in the shape of the other likelihoods: x has one column per
original column (a category as its level code 0 .. K-1), the decoder emits
each column's parameters (K logits for a category), and ``log_prob`` returns
one log-probability per original column. Columns with the same likelihood are
evaluated together as one block.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import torch

from skvae._discrete import Categorical, NegativeBinomial, Ordinal, Poisson
from skvae._likelihoods import (
    Bernoulli,
    Cauchy,
    Gaussian,
    Likelihood,
    LogNormal,
    StudentT,
)

# The registry: every name the estimators accept for a whole array comes from
# here; "categorical:K" is a column of a heterogeneous likelihood.
LIKELIHOODS = {
    cls.name: cls
    for cls in (
        Bernoulli,
        Gaussian,
        Cauchy,
        StudentT,
        LogNormal,
        Poisson,
        NegativeBinomial,
    )
}


def make_likelihood(name, var_floor=1e-6):
    """Return the likelihood ``name``, a name of :data:`LIKELIHOODS`.

    A list of per-column names (with "categorical:K" and "ordinal:K"
    columns) is a heterogeneous likelihood; see
    :func:`build_likelihood`.
    """
    if name not in LIKELIHOODS:
        raise ValueError(
            f"Unknown likelihood {name!r}; expected one of {sorted(LIKELIHOODS)}."
        )
    cls = LIKELIHOODS[name]
    return cls(var_floor=var_floor) if cls.has_scale else cls()


# Levels a categorical column may have: its logits are decoder outputs.
MAX_LEVELS = 1000


def per_column(spec, n_features):
    """Each feature's likelihood name, from one name for all or a list."""
    return [spec] * n_features if isinstance(spec, str) else list(spec)


def build_likelihood(spec, var_floor=1e-6):
    """The likelihood of a config: one name for all features, or a list per column.

    Parameters
    ----------
    spec : str or list of str
        A name of :data:`LIKELIHOODS`, or one name per
        column (``"categorical:K"`` for a category with K levels,
        ``"ordinal:K"`` for an ordered one).
    var_floor : float, default=1e-6
        The variance floor of the likelihoods with a scale.

    Returns
    -------
    likelihood : Likelihood
        A :class:`Heterogeneous` likelihood for a list.
    """
    if isinstance(spec, (list, tuple)):
        return Heterogeneous(spec, var_floor=var_floor)
    return make_likelihood(spec, var_floor)


def _column_likelihood(spec, var_floor):
    """The likelihood of one column: a registry name, "categorical:K" or "ordinal:K"."""
    kind, n_levels = parse_spec(spec)
    if n_levels is None:
        return make_likelihood(spec, var_floor)
    return (Categorical if kind == "categorical" else Ordinal)(n_levels)


def parse_spec(spec):
    """``(name, n_levels)`` of one column's likelihood name."""
    if spec.startswith(("categorical:", "ordinal:")):
        kind, n_levels = spec.split(":", 1)
        n_levels = int(n_levels)
        if not 2 <= n_levels <= MAX_LEVELS:
            raise ValueError(
                f"A {kind} column needs 2 to {MAX_LEVELS} levels, got "
                f"{n_levels}. Group rare levels, or drop an identifier column."
            )
        return kind, n_levels
    return spec, None


class Heterogeneous(Likelihood):
    """One likelihood per column: ``log p(x | z) = sum_j log p_j(x_j | z)``.

    Parameters
    ----------
    specs : list of str
        Each column's likelihood: a name of :data:`LIKELIHOODS`
        or ``"categorical:K"`` (``"ordinal:K"``) for an (ordered) category
        column with K levels.
    var_floor : float, default=1e-6
        The variance floor of the columns with a scale.

    Notes
    -----
    The decoder's output holds the blocks one after the other: one block per
    likelihood name over all its columns, in the layout of that likelihood
    (for example all means then all raw variances; for the category columns
    with K levels, each column's K logits in turn). The encoder sees each
    block's ``features``: a category one-hot encoded, counts and positive
    reals as ``log1p``.
    """

    name = "heterogeneous"
    transforms_input = True

    def __init__(self, specs, var_floor=1e-6):
        self.specs = [str(s) for s in specs]
        self.var_floor = float(var_floor)
        self.blocks = []  # (likelihood, columns, output slice, input slice)
        groups = {}  # one block per name ("categorical:K" for all K-level columns)
        for j, spec in enumerate(self.specs):
            groups.setdefault(spec, []).append(j)
        out_start = in_start = 0
        order = []
        for spec, columns in groups.items():
            lik = _column_likelihood(spec, var_floor)
            if lik.n_shared:
                raise ValueError(
                    f"likelihood {spec!r} learns per-feature parameters and is "
                    "for a whole array only; give the columns of a mixed table "
                    "'gaussian' or 'cauchy'."
                )
            n_out, n_in = lik.n_outputs(len(columns)), lik.n_inputs(len(columns))
            self.blocks.append(
                (
                    lik,
                    columns,
                    slice(out_start, out_start + n_out),
                    slice(in_start, in_start + n_in),
                )
            )
            out_start += n_out
            in_start += n_in
            order.extend(columns)
        self._n_outputs, self._n_inputs = out_start, in_start
        # position in the blocks' concatenation of each original column
        self._inverse = torch.argsort(torch.tensor(order))
        self._index = {}  # per device: the column indices of each block
        self.has_scale = any(lik.has_scale for lik, *_ in self.blocks)

    def __getstate__(self):
        return {"specs": self.specs, "var_floor": self.var_floor}

    def __setstate__(self, state):
        self.__init__(state["specs"], state["var_floor"])

    def _columns(self, device):
        if device not in self._index:
            self._index[device] = (
                [torch.tensor(c, device=device) for _, c, _, _ in self.blocks],
                self._inverse.to(device),
            )
        return self._index[device]

    def _gather(self, x):
        """Each block's columns of ``x``."""
        columns, _ = self._columns(x.device)
        return [x.index_select(-1, c) for c in columns]

    def _scatter(self, parts, device):
        """Per-block results (one value per column) back in column order."""
        _, inverse = self._columns(device)
        return torch.cat(parts, dim=-1).index_select(-1, inverse)

    def n_outputs(self, n_features):
        return self._n_outputs

    def n_inputs(self, n_features):
        return self._n_inputs

    def features(self, x):
        return torch.cat(
            [
                lik.features(xb)
                for (lik, *_), xb in zip(self.blocks, self._gather(x), strict=True)
            ],
            dim=-1,
        )

    def log_prob(self, out, x):
        parts = [
            lik.log_prob(out[..., o], xb)
            for (lik, _, o, _), xb in zip(self.blocks, self._gather(x), strict=True)
        ]
        return self._scatter(parts, out.device)

    def mean(self, out):
        return self._scatter(
            [lik.mean(out[..., o]) for lik, _, o, _ in self.blocks], out.device
        )

    def sample(self, out, generator=None):
        parts = [
            lik.sample(out[..., o], generator=generator) for lik, _, o, _ in self.blocks
        ]
        return self._scatter(parts, out.device)

    def expected(self, out):
        # the blocks' statistics side by side (a category's K probabilities)
        return torch.cat(
            [lik.expected(out[..., o]) for lik, _, o, _ in self.blocks], -1
        )

    def from_expected(self, m):
        parts, start = [], 0
        for lik, columns, _, _ in self.blocks:
            width = lik.n_expected(len(columns))
            parts.append(lik.from_expected(m[..., start : start + width]))
            start += width
        return self._scatter(parts, m.device)

    def saturated_log_prob(self, x):
        parts = [
            lik.saturated_log_prob(xb)
            for (lik, *_), xb in zip(self.blocks, self._gather(x), strict=True)
        ]
        return self._scatter(parts, x.device)

    def marginal_params(self, x):
        parts = []
        for (lik, *_), xb in zip(self.blocks, self._gather(x), strict=True):
            params = lik.marginal_params(xb)
            if params is None:
                return None
            parts.append(params)
        return torch.cat(parts)

    def set_feature_variance(self, floor, fixed=None):
        columns, _ = self._columns(floor.device)
        for (lik, *_), c in zip(self.blocks, columns, strict=True):
            part = None if fixed is None else fixed.index_select(0, c)
            lik.set_feature_variance(floor.index_select(0, c), part)

    def variance(self, out):
        """The per-feature variance of p(x | z), NaN for columns without a scale."""
        parts = [
            lik.variance(out[..., o])
            if lik.has_scale
            else out.new_full((*out.shape[:-1], len(c)), torch.nan)
            for lik, c, o, _ in self.blocks
        ]
        return self._scatter(parts, out.device)

    def support_error(self, x_min, x_max):
        return None  # per column: see ``column_support_errors``

    def column_support_errors(self, x_min, x_max, names=None):
        """Messages for the columns whose range leaves their support."""
        messages = []
        for lik, columns, _, _ in self.blocks:
            for j in columns:
                if np.isnan(x_min[j]):  # no observed entry
                    continue
                message = lik.support_error(float(x_min[j]), float(x_max[j]))
                if message:
                    name = j if names is None else repr(names[j])
                    messages.append(f"column {name}: {message}")
        return messages
