"""Saving, loading and pickling of a fitted estimator: plain functions.

:func:`save` writes skvae's safe file (:mod:`skvae.core._persistence`),
:func:`restore` rebuilds an estimator from its content (``skvae.load``), and
pickling stores the same packed model (CPU tensors) through
:func:`pickled_state` and rebuilds it with :func:`restore_model`. Fitted
facts that are read from the model or the training state (properties) are
never stored.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn import __version__ as _sklearn_version
from sklearn.utils.validation import check_is_fitted

from skvae._estimators._model_space import ModelSpace
from skvae._version import __version__
from skvae.core import TrainState
from skvae.core._persistence import pack, to_plain, unpack, write
from skvae.core._utils import loadable_device

# Fitted attributes stored in their own form: the model and its device.
_LIVE = ("module_", "device_")


def save(estimator, path):
    """Write a fitted ``estimator`` to ``path`` in skvae's safe format."""
    check_is_fitted(estimator)
    params = estimator.get_params(deep=False)
    if not isinstance(params["random_state"], Integral | None):
        params["random_state"] = None  # a RandomState object is not data
    params["hidden_layer_sizes"] = [int(h) for h in params["hidden_layer_sizes"]]
    attributes = {
        key: to_plain(value)
        for key, value in vars(estimator).items()
        if key.endswith("_") and not key.startswith("__") and key not in _LIVE
    }
    write(
        path,
        {
            "estimator": type(estimator).__name__,
            "versions": {"sklearn": _sklearn_version},
            "params": params,
            "attributes": attributes,
            "space": estimator._space.to_dict(),
            "seeds": [estimator._seed, estimator._score_seed],
            "device": str(estimator.device_),
            **pack(estimator.module_, estimator._optimizer),
            "train_state": estimator._train_state.to_dict(),
        },
        __version__,
    )
    return path


def restore(cls, content):
    """An estimator of class ``cls`` from the content of a saved file."""
    params = dict(content["params"])
    params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
    est = cls(**params)
    for key, value in content["attributes"].items():
        if key == "feature_names_in_":
            value = np.asarray(value, dtype=object)
        elif isinstance(value, list):
            value = np.asarray(value, dtype=np.float64)
        setattr(est, key, value)
    est._space = ModelSpace.from_dict(content["space"])
    est._seed, est._score_seed = content["seeds"]
    restore_model(est, content, content["device"])
    est._train_state = TrainState(**content["train_state"])
    return est


def restore_model(est, packed, device):
    """Rebuild ``est.module_`` and its optimiser from a packed model on ``device``
    (on the CPU, with a warning, if that device is gone)."""
    est.device_ = loadable_device(device)
    est.module_, est._optimizer = unpack(
        packed,
        device=est.device_,
        solver=est.solver,
        learning_rate=est.learning_rate_init,
    )


def pickled_state(est, state):
    """``__getstate__``: the model packed as CPU tensors, so a CUDA fit unpickles
    anywhere."""
    state = dict(state)  # object.__getstate__ is not a copy
    if "module_" in state:
        state["module_"] = pack(est.module_, est._optimizer)
        del state["_optimizer"]
    return state
