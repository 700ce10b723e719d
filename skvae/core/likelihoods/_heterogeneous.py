"""One observation model per column: the likelihood of a mixed-type table.

HI-VAE's idea (Nazabal et al., 2020) in the shape of the other likelihoods:
x has one column per original column (a category as its level code
0 .. K-1), the decoder emits each column's parameters (K logits for a
category), and ``log_prob`` returns one log-probability per original column.
Columns with the same likelihood are evaluated together as one block.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import torch
from torch import nn

from skvae.core.likelihoods._base import Likelihood


class Heterogeneous(Likelihood):
    """One likelihood per column: ``log p(x | z) = sum_j log p_j(x_j | z)``.

    Parameters
    ----------
    blocks : list of (Likelihood, list of int)
        Each block's likelihood and the columns it models, in the order the
        decoder emits them; every column in exactly one block. Build it with
        :func:`~skvae.core.build_likelihood` from one name per column.
    specs : list of str
        Each column's likelihood name, as given to ``build_likelihood``.

    Notes
    -----
    The decoder's output holds the blocks one after the other, each in the
    layout of its likelihood (for example all means then all raw variances;
    for the category columns with K levels, each column's K logits in turn).
    The encoder sees each block's ``features``: a category one-hot encoded,
    counts and positive reals as ``log1p``.

    Examples
    --------
    >>> from skvae.core import build_likelihood
    >>> lik = build_likelihood(["gaussian", "categorical:3", "gaussian"])
    >>> [(block.name, columns) for block, columns in lik.columns()]
    [('gaussian', [0, 2]), ('categorical', [1])]
    >>> lik.n_outputs  # 2 x 2 Gaussian parameters, 3 logits
    7
    """

    name = "heterogeneous"
    transforms_input = True

    def __init__(self, blocks, specs):
        super().__init__(len(specs))
        self.specs = [str(s) for s in specs]
        self.blocks = nn.ModuleList([lik for lik, _ in blocks])
        self._block_columns = [list(columns) for _, columns in blocks]
        order = [j for columns in self._block_columns for j in columns]
        if sorted(order) != list(range(self.n_features)):
            raise ValueError("Every column must be in exactly one block.")
        for i, columns in enumerate(self._block_columns):
            self.register_buffer(
                f"_columns{i}", torch.tensor(columns), persistent=False
            )
        # position in the blocks' concatenation of each original column
        self.register_buffer(
            "_inverse", torch.argsort(torch.tensor(order)), persistent=False
        )
        self.has_scale = any(lik.has_scale for lik in self.blocks)

    def columns(self):
        return list(zip(self.blocks, self._block_columns, strict=True))

    def _index(self, i, device):
        return getattr(self, f"_columns{i}").to(device)

    def _gather(self, x):
        """Each block's columns of ``x``."""
        return [
            x.index_select(-1, self._index(i, x.device))
            for i in range(len(self.blocks))
        ]

    def _scatter(self, parts, device):
        """Per-block results (one value per column) back in column order."""
        return torch.cat(parts, dim=-1).index_select(-1, self._inverse.to(device))

    def _outputs(self, out):
        """Each block's slice of the decoder's output."""
        parts, start = [], 0
        for lik in self.blocks:
            parts.append(out[..., start : start + lik.n_outputs])
            start += lik.n_outputs
        return parts

    @property
    def n_outputs(self):
        return sum(lik.n_outputs for lik in self.blocks)

    @property
    def n_inputs(self):
        return sum(lik.n_inputs for lik in self.blocks)

    @property
    def n_expected(self):
        return sum(lik.n_expected for lik in self.blocks)

    def features(self, x):
        return torch.cat(
            [
                lik.features(xb)
                for lik, xb in zip(self.blocks, self._gather(x), strict=True)
            ],
            dim=-1,
        )

    def log_prob(self, out, x):
        parts = [
            lik.log_prob(o, xb)
            for lik, o, xb in zip(
                self.blocks, self._outputs(out), self._gather(x), strict=True
            )
        ]
        return self._scatter(parts, out.device)

    def mean(self, out):
        parts = [
            lik.mean(o) for lik, o in zip(self.blocks, self._outputs(out), strict=True)
        ]
        return self._scatter(parts, out.device)

    def sample(self, out, generator=None):
        parts = [
            lik.sample(o, generator=generator)
            for lik, o in zip(self.blocks, self._outputs(out), strict=True)
        ]
        return self._scatter(parts, out.device)

    def expected(self, out):
        # the blocks' statistics side by side (a category's K probabilities)
        return torch.cat(
            [
                lik.expected(o)
                for lik, o in zip(self.blocks, self._outputs(out), strict=True)
            ],
            -1,
        )

    def from_expected(self, m):
        parts, start = [], 0
        for lik in self.blocks:
            parts.append(lik.from_expected(m[..., start : start + lik.n_expected]))
            start += lik.n_expected
        return self._scatter(parts, m.device)

    def saturated_log_prob(self, x):
        parts = [
            lik.saturated_log_prob(xb)
            for lik, xb in zip(self.blocks, self._gather(x), strict=True)
        ]
        return self._scatter(parts, x.device)

    def marginal_params(self, x):
        parts = []
        for lik, xb in zip(self.blocks, self._gather(x), strict=True):
            params = lik.marginal_params(xb)
            if params is None:
                return None
            parts.append(params)
        return torch.cat(parts)

    def reset_parameters(self):
        for lik in self.blocks:
            lik.reset_parameters()

    def set_var_floor(self, floor):
        floor = torch.as_tensor(floor).expand(self.n_features)
        for i, lik in enumerate(self.blocks):
            lik.set_var_floor(floor.index_select(0, self._index(i, floor.device)))

    def set_fixed_variance(self, variance):
        if variance is None:
            variance = 0.0
        variance = torch.as_tensor(variance).expand(self.n_features)
        for i, lik in enumerate(self.blocks):
            lik.set_fixed_variance(
                variance.index_select(0, self._index(i, variance.device))
            )

    def variance_floor(self):
        return self._per_feature([lik.variance_floor() for lik in self.blocks])

    def fixed_variances(self):
        return self._per_feature([lik.fixed_variances() for lik in self.blocks])

    def _per_feature(self, values):
        """The blocks' per-feature tensors in column order, 0 for the blocks
        without one; None if no block has one."""
        like = next((v for v in values if v is not None), None)
        if like is None:
            return None
        parts = [
            like.new_zeros(len(columns)) if v is None else v
            for v, columns in zip(values, self._block_columns, strict=True)
        ]
        return self._scatter(parts, like.device)

    def variance(self, out):
        """Compute the per-feature variance of p(x | z), NaN without a scale.

        Parameters
        ----------
        out : Tensor of shape (..., n_outputs)
            The decoder's output.

        Returns
        -------
        variance : Tensor of shape (..., n_features)
            The variance of each column with a scale, NaN for the others.

        Examples
        --------
        >>> import torch
        >>> from skvae.core import build_likelihood
        >>> lik = build_likelihood(["poisson", "gaussian"])
        >>> lik.variance(torch.zeros(1, 3))
        tensor([[   nan, 0.6931]])
        """
        parts = [
            lik.variance(o)
            if lik.has_scale
            else o.new_full((*o.shape[:-1], lik.n_features), torch.nan)
            for lik, o in zip(self.blocks, self._outputs(out), strict=True)
        ]
        return self._scatter(parts, out.device)

    def support_errors(self, low, high, names=None):
        messages = []
        for lik, columns in self.columns():
            for j in columns:
                if not (low[j] <= high[j]):  # no observed entry
                    continue
                message = lik.support_error(float(low[j]), float(high[j]))
                if message:
                    name = j if names is None else repr(names[j])
                    messages.append(f"column {name}: {message}")
        return messages
