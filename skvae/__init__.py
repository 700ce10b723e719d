"""skvae: variational autoencoders (AEVB) for scikit-learn."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from skvae._version import __version__
from skvae.core import VAE, DeviceWarning, MixturePrior, VAEConfig

# The estimators need scikit-learn; they are imported on first use so that the
# torch core (skvae.core) stays usable without scikit-learn.
_ESTIMATORS = {
    "VAETransformer": "skvae._estimators._transformer",
    "VAEOutlierDetector": "skvae._estimators._outlier",
    "VAEImputer": "skvae._estimators._imputer",
    "load": "skvae._estimators._load",
}


def __getattr__(name):
    if name in _ESTIMATORS:
        import importlib

        return getattr(importlib.import_module(_ESTIMATORS[name]), name)
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
