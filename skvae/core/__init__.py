"""The torch core of skvae: the AEVB model, its likelihoods, objectives and training.

Everything here needs torch and numpy only, never scikit-learn or pandas, and
can be used on its own: build a :class:`VAE` from a :class:`VAEConfig`, train
it with :func:`train` (or any torch loop over its ``forward``, the
single-draw :func:`elbo`), estimate log p(x) with
:func:`log_marginal_likelihood` and fill holes with :func:`impute`: the
bounds are functions of a model. A new observation model is a
:class:`Likelihood` subclass made available by name with
:func:`register_likelihood`; every estimator can then fit it.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from skvae.core._config import VAEConfig
from skvae.core._importance import impute, log_marginal_likelihood
from skvae.core._model import VAE
from skvae.core._objectives import OBJECTIVES, elbo, elbo_per_feature, trimmed_mean
from skvae.core._priors import MixturePrior
from skvae.core._train_state import (
    EpochRecord,
    TrainConfig,
    TrainOutcome,
    TrainState,
    make_optimizer,
)
from skvae.core._training import train
from skvae.core._utils import DeviceWarning
from skvae.core.likelihoods._base import Likelihood
from skvae.core.likelihoods._registry import (
    LIKELIHOODS,
    build_likelihood,
    register_likelihood,
)

__all__ = [
    "LIKELIHOODS",
    "OBJECTIVES",
    "VAE",
    "DeviceWarning",
    "EpochRecord",
    "Likelihood",
    "MixturePrior",
    "TrainConfig",
    "TrainOutcome",
    "TrainState",
    "VAEConfig",
    "build_likelihood",
    "elbo",
    "elbo_per_feature",
    "impute",
    "log_marginal_likelihood",
    "make_optimizer",
    "register_likelihood",
    "train",
    "trimmed_mean",
]
