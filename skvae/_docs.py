"""Shared docstring snippets (entries, example set-ups): docstrings are no copies.

The estimators' parameter and attribute entries live in
:mod:`skvae._param_docs`. A docstring line that holds only
``{name}`` is replaced by ``SNIPPETS[name]`` by the :func:`fill` decorator,
indented as that line, so the rendered documentation and the doctests see the
whole text. Plain text and torch only: the core uses it too.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

SNIPPETS = {
    # parameters
    "X_fit": """\
X : array-like of shape (n_samples, n_features)
    Training data.

y : Ignored
    Not used, present for API consistency by convention.""",
    "X_param": """\
Parameters
----------
X : array-like of shape (n_samples, n_features)
    The samples, with the columns seen in :term:`fit`.""",
    "y_ignored": """\
y : Ignored
    Not used, present for API consistency by convention.""",
    "x_tensor": """\
Parameters
----------
x : Tensor of shape (n, n_features)
    The data, in the model's dtype and on its device.""",
    "z_codes": """\
Parameters
----------
z : Tensor of shape (..., n_components)
    Latent codes.""",
    "mc_draws": """\
n_samples : int, default=1
    Monte Carlo draws per sample (ignored when ``eps`` is given).""",
    "noise_source": """\
generator : torch.Generator, optional
    Source of ``eps`` when it is not given.""",
    "prior_param": """\
prior : MixturePrior, optional
    The prior p(z); None is the model's N(0, I).""",
    "fit_sections": """\
Parameters
----------
X : array-like of shape (n_samples, n_features)
    Training data.

y : Ignored
    Not used, present for API consistency by convention.

Returns
-------
self : object
    The fitted estimator.""",
    "data_home": """\
Parameters
----------
data_home : str or path-like, default=None
    Folder holding the data; see :func:`get_data_home`.""",
    "labelled_parameters": """\
Parameters
----------
name : str
    The data set, one of the collection's names (``ODDS_NAMES`` or
    ``ADBENCH_NAMES``).

data_home : str or path-like, default=None
    Folder holding the data; see :func:`get_data_home`.""",
    "labelled_raises": """\
Raises
------
ValueError
    If ``name`` is not one of the collection's names.
DataNotFoundError
    If the file is not in the data home.""",
    "labelled_returns": """\
Returns
-------
X : ndarray of shape (n_samples, n_features)
    The samples, normal and anomalous together.
y : ndarray of shape (n_samples,)
    1 for an anomaly (an outlier), 0 for a normal sample.""",
    "data_not_found": """\
Raises
------
DataNotFoundError
    If the file is not in the data home.""",
    "mnist_returns": """\
Returns
-------
X_train, y_train, X_test, y_test : ndarray
    Images of shape (60000, 784) and (10000, 784) with their labels.""",
    # example set-ups
    "fitted_transformer": """\
>>> import numpy as np
>>> from skvae import VAETransformer
>>> X = np.random.RandomState(0).rand(50, 4)
>>> vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
>>> vae = vae.fit(X)""",
    "fitted_detector": """\
>>> import numpy as np
>>> from skvae import VAEOutlierDetector
>>> X = np.random.RandomState(0).randn(50, 4)
>>> det = VAEOutlierDetector(hidden_layer_sizes=(8,), max_iter=5,
...                          random_state=0).fit(X)""",
    "fitted_imputer": """\
>>> import numpy as np
>>> from skvae import VAEImputer
>>> X = np.random.RandomState(0).randn(50, 4)
>>> X[::5, 1] = np.nan
>>> imputer = VAEImputer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
>>> imputer = imputer.fit(X)""",
    "saved_and_loaded": """\
>>> import os
>>> import tempfile
>>> from skvae import load
>>> with tempfile.TemporaryDirectory() as folder:
...     restored = load(vae.save(os.path.join(folder, "vae.skvae")))""",
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


def fill(obj):
    """Replace each docstring line ``{name}`` of ``obj`` by ``SNIPPETS[name]``."""
    lines = []
    for line in (obj.__doc__ or "").split("\n"):
        name = line.strip()
        if name.startswith("{") and name.endswith("}") and name[1:-1] in SNIPPETS:
            indent = line[: len(line) - len(line.lstrip())]
            lines += [
                indent + ln if ln else ln for ln in SNIPPETS[name[1:-1]].split("\n")
            ]
        else:
            lines.append(line)
    obj.__doc__ = "\n".join(lines)
    return obj
