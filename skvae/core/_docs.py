"""Docstring snippets: a line ``{name}`` becomes a shared text, so docstrings are
no copies.

:func:`filler` makes a decorator from a table of snippets: it replaces each
docstring line that holds only ``{name}`` by the snippet, indented as that
line, so the rendered documentation and the doctests see the whole text.
``fill`` is the core's; the estimators and the data loaders make their own
from their tables. Plain text only.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

SNIPPETS = {
    "x_tensor": """\
Parameters
----------
x : Tensor of shape (n, n_features)
    The data, in the model's dtype and on its device.""",
    "model_x": """\
Parameters
----------
model : VAE
    The model.
x : Tensor of shape (n, n_features)
    The data, NaN where an entry is missing, in the model's dtype and on its
    device.""",
    "x_values": """\
Parameters
----------
x : Tensor of shape (..., n_features)
    Values of x, without NaN.""",
    "out_param": """\
Parameters
----------
out : Tensor of shape (..., n_outputs)
    The decoder's output: the likelihood's parameters.""",
    "out_and_x": """\
Parameters
----------
out : Tensor of shape (..., n_outputs)
    The decoder's output: the likelihood's parameters.
x : Tensor of shape (..., n_features)
    Values of x, without NaN.""",
    "likelihood": """\
>>> import torch
>>> from skvae.core import build_likelihood
>>> lik = build_likelihood("gaussian", 3)  # 3 features
>>> out = torch.zeros(2, lik.n_outputs)  # the decoder's output for 2 rows""",
    "z_codes": """\
Parameters
----------
z : Tensor of shape (..., n_components)
    Latent codes.""",
    "mc_draws": """\
n_draws : int, default=1
    Monte Carlo draws of z per row (ignored when ``eps`` is given).""",
    "noise_source": """\
generator : torch.Generator, optional
    Source of ``eps`` when it is not given.""",
    "prior_param": """\
prior : MixturePrior, optional
    The prior p(z); None is the model's N(0, I).""",
    "model": """\
>>> import torch
>>> from skvae import VAE, VAEConfig
>>> config = VAEConfig(n_features=4, hidden_layer_sizes=(8,))
>>> model = VAE(config, generator=torch.Generator().manual_seed(0))""",
    "model_and_data": """\
>>> import torch
>>> from skvae import VAE, VAEConfig
>>> config = VAEConfig(n_features=4, hidden_layer_sizes=(8,))
>>> model = VAE(config, generator=torch.Generator().manual_seed(0))
>>> x = torch.rand(50, 4, generator=torch.Generator().manual_seed(0))""",
}


def filler(snippets):
    """A decorator replacing each docstring line ``{name}`` by ``snippets[name]``."""

    def fill(obj):
        lines = []
        for line in (obj.__doc__ or "").split("\n"):
            name = line.strip()
            if name.startswith("{") and name.endswith("}") and name[1:-1] in snippets:
                indent = line[: len(line) - len(line.lstrip())]
                lines += [
                    indent + ln if ln else ln for ln in snippets[name[1:-1]].split("\n")
                ]
            else:
                lines.append(line)
        obj.__doc__ = "\n".join(lines)
        return obj

    return fill


fill = filler(SNIPPETS)
