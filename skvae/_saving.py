"""Saving and pickling of the estimators: one packing of the fitted state for both.

``save`` writes skvae's safe file (:mod:`skvae._persistence`), :func:`skvae.load`
reads it back through ``_from_saved``, and pickling stores the same packed
model (CPU tensors) in ``__getstate__``. Fitted attributes that are read from
the model or the training state (properties) are never stored.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import inspect
from numbers import Integral
from typing import ClassVar

import numpy as np
import torch
from sklearn import __version__ as _sklearn_version
from sklearn.utils.validation import check_is_fitted

from skvae import _persistence
from skvae._docs import fill
from skvae._table import TableSchema
from skvae._training import TrainState
from skvae._utils import loadable_device
from skvae._version import __version__


class _SavingMixin:
    """``save``, loading and pickling for :class:`~skvae._base._BaseVAE`."""

    # Fitted numpy arrays of a subclass (stored as lists by ``save``).
    _array_attributes: ClassVar[tuple] = ()

    @fill
    def save(self, path):
        """Save the fitted model to ``path`` in skvae's safe format.

        The file holds the weights, the optimiser state, the parameters, the
        fitted attributes and the versions, written with ``torch.save`` and read
        back by :func:`skvae.load` with ``weights_only=True``: loading executes
        no code, unlike pickle or joblib. A SHA-256 digest detects later
        modification.

        Parameters
        ----------
        path : str or path-like
            Destination file, conventionally with the suffix ``.skvae``.

        Returns
        -------
        path : str or path-like
            The path written.

        Examples
        --------
        {fitted_transformer}
        {saved_and_loaded}
        >>> bool(np.allclose(restored.transform(X), vae.transform(X)))
        True
        """
        check_is_fitted(self)
        params = self.get_params(deep=False)
        if not isinstance(params["random_state"], Integral | None):
            params["random_state"] = None  # a RandomState object is not data
        params["hidden_layer_sizes"] = [int(h) for h in params["hidden_layer_sizes"]]
        attributes = {
            key: _persistence.to_plain(value)
            for key, value in vars(self).items()
            if key not in _LIVE and (key.endswith("_") or key in _SEEDS)
        }
        table = self._table
        attributes["_table"] = None if table is None else table.to_dict()
        _persistence.write(
            path,
            {
                "estimator": type(self).__name__,
                "versions": {
                    "torch": str(torch.__version__),
                    "sklearn": _sklearn_version,
                },
                "params": params,
                "attributes": attributes,
                "device": str(self.device_),
                **_persistence.pack(self.module_, self._optimizer),
                "train_state": self._train_state.to_dict(),
            },
            __version__,
        )
        return path

    @classmethod
    def _from_saved(cls, content):
        params = dict(content["params"])
        params["hidden_layer_sizes"] = tuple(params["hidden_layer_sizes"])
        est = cls(**params)
        for key, value in content["attributes"].items():
            if _derived(cls, key):  # stored by format 1; now read from the state
                continue
            if key == "_table":
                value = None if value is None else TableSchema.from_dict(value)
            elif key == "feature_names_in_":
                value = np.asarray(value, dtype=object)
            elif key in cls._array_attributes and value is not None:
                value = np.asarray(value, dtype=np.float64)
            setattr(est, key, value)
        est._restore_model(content, content["device"])
        est._train_state = TrainState(**content["train_state"])
        return est

    def _restore_model(self, packed, device):
        self.device_ = loadable_device(device)
        self.module_, self._optimizer = _persistence.unpack(
            packed,
            device=self.device_,
            solver=self.solver,
            learning_rate=self.learning_rate_init,
        )

    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ is not a copy
        if "module_" in state:
            # CPU tensors, so that a model fitted on CUDA unpickles anywhere.
            state["module_"] = _persistence.pack(self.module_, self._optimizer)
            del state["_optimizer"]
        return state

    def __setstate__(self, state):
        state = {k: v for k, v in state.items() if not _derived(type(self), k)}
        # parameters added since the pickle was written take their defaults
        for name, param in inspect.signature(type(self).__init__).parameters.items():
            if param.default is not inspect.Parameter.empty:
                state.setdefault(name, param.default)
        packed = state.pop("module_", None)
        if packed is not None and not isinstance(packed, dict):  # skvae 0.1.0
            packed = {"module": packed, "optimizer": state.pop("_optimizer")}
        super().__setstate__(state)
        if packed is not None:
            self._restore_model(packed, self.device_)


# Live objects that ``save`` stores in their own form, and the private seeds.
_LIVE = ("module_", "device_", "_optimizer", "_train_state")
_SEEDS = ("_seed", "_score_seed")


def _derived(cls, name):
    """Whether ``name`` is a fitted attribute computed from the model or state."""
    return isinstance(getattr(cls, name, None), property) and name.endswith("_")
