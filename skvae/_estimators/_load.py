"""``skvae.load``: open a model file written by ``save``, safely."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import os

from skvae._estimators._docs import fill
from skvae._estimators._imputer import VAEImputer
from skvae._estimators._outlier import VAEOutlierDetector
from skvae._estimators._saving import restore
from skvae._estimators._transformer import VAETransformer
from skvae._version import __version__
from skvae.core._persistence import read

# The estimators a file may hold, by the name ``save`` writes.
ESTIMATORS = {
    cls.__name__: cls for cls in (VAETransformer, VAEOutlierDetector, VAEImputer)
}


@fill
def load(path):
    """Load a model written by ``save`` (safe: no code runs while loading).

    Parameters
    ----------
    path : str or path-like
        A file written by :meth:`VAETransformer.save` (or another estimator's).

    Returns
    -------
    estimator : VAETransformer, VAEOutlierDetector or VAEImputer
        The fitted estimator, on its original device when available here, else
        on the CPU with a :class:`~skvae.DeviceWarning`.

    Raises
    ------
    ValueError
        If the file is not an skvae model, fails its integrity check, or was
        written in another file format.

    Examples
    --------
    {fitted_transformer}
    {saved_and_loaded}
    >>> restored
    VAETransformer(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    >>> restored.n_iter_
    5
    """
    content = read(path, __version__)
    name = content.get("estimator")
    if name not in ESTIMATORS:
        raise ValueError(f"{os.fspath(path)!r} holds an unknown estimator {name!r}.")
    return restore(ESTIMATORS[name], content)
