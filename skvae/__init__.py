"""skvae: variational autoencoders (AEVB) for scikit-learn."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

__version__ = "0.1.0"

from skvae._model import VAE, MixturePrior, VAEConfig
from skvae._utils import DeviceWarning


def __getattr__(name):
    # The estimator needs scikit-learn; import it on first use so that the torch
    # core (VAE, VAEConfig) stays usable without scikit-learn installed.
    if name in ("VAETransformer", "load"):
        from skvae import _estimator

        return getattr(_estimator, name)
    if name == "VAEOutlierDetector":
        from skvae._outlier import VAEOutlierDetector

        return VAEOutlierDetector
    raise AttributeError(f"module 'skvae' has no attribute {name!r}")


__all__ = [
    "VAE",
    "DeviceWarning",
    "MixturePrior",
    "VAEConfig",
    "VAEOutlierDetector",
    "VAETransformer",
    "__version__",
    "load",
]
