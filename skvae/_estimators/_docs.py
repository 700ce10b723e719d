"""Docstring snippets of the estimators (see :func:`skvae.core._docs.filler`).

A docstring line that holds only ``{name}`` becomes ``SNIPPETS[name]``: the
shared sections and example set-ups. The parameter and attribute entries
live in :mod:`skvae._estimators._param_docs`.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from skvae.core._docs import filler

SNIPPETS = {
    "X_param": """\
Parameters
----------
X : array-like of shape (n_samples, n_features)
    The samples, with the columns seen in :term:`fit`.""",
    "y_ignored": """\
y : Ignored
    Not used, present for API consistency by convention.""",
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
}

fill = filler(SNIPPETS)
