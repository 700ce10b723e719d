"""skvae: variational autoencoders (AEVB) for scikit-learn."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from skvae._config import VAEConfig
from skvae._model import VAE
from skvae._priors import MixturePrior
from skvae._utils import DeviceWarning
from skvae._version import __version__

# The face needs scikit-learn; it is imported on first use so that the torch
# core (VAE, VAEConfig, MixturePrior) stays usable without scikit-learn.
_FACE = {
    "VAETransformer": "skvae._estimator",
    "VAEOutlierDetector": "skvae._outlier",
    "VAEImputer": "skvae._imputer",
    "load": "skvae._load",
}


def __getattr__(name):
    if name in _FACE:
        import importlib

        return getattr(importlib.import_module(_FACE[name]), name)
    raise AttributeError(f"module 'skvae' has no attribute {name!r}")


__all__ = [
    "VAE",
    "DeviceWarning",
    "MixturePrior",
    "VAEConfig",
    "VAEImputer",
    "VAEOutlierDetector",
    "VAETransformer",
    "__version__",
    "load",
]
