"""Device, dtype and generator helpers shared by the torch core and the estimator."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}


class DeviceWarning(UserWarning):
    """A model was asked to run on a device that is not available here.

    :func:`skvae.load` (and unpickling) emits it when a model fitted on a GPU is
    opened on a machine without that GPU; the model is then moved to the CPU.

    Examples
    --------
    >>> import warnings
    >>> from skvae import DeviceWarning, load
    >>> issubclass(DeviceWarning, UserWarning)
    True
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", category=DeviceWarning)
    ...     estimator = load("fitted_on_gpu.skvae")  # doctest: +SKIP
    """


def resolve_device(device="auto"):
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:i"`` into a ``torch.device``.

    ``"auto"`` picks CUDA when torch sees a GPU and the CPU otherwise. Asking for
    CUDA where there is none is a ``ValueError``.
    """
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(
            f"device={device!r} is not a torch device; use 'auto', 'cpu', 'cuda' "
            "or 'cuda:<index>'."
        ) from exc
    if dev.type == "cuda" and (
        not torch.cuda.is_available()
        or (dev.index is not None and dev.index >= torch.cuda.device_count())
    ):
        raise ValueError(
            f"device={device!r} was requested but torch sees no CUDA device. "
            "Use device='cpu' or device='auto', or install a CUDA build of torch."
        )
    return dev


def loadable_device(device):
    """The device a stored model should live on here; CPU with a warning if gone."""
    dev = torch.device(device)
    if dev.type == "cuda" and (
        not torch.cuda.is_available()
        or (dev.index is not None and dev.index >= torch.cuda.device_count())
    ):
        warnings.warn(
            f"The model was fitted on {device!r}, which is not available here; "
            "it has been moved to the CPU.",
            DeviceWarning,
            stacklevel=3,
        )
        return torch.device("cpu")
    return dev


def make_generator(seed, device):
    """A ``torch.Generator`` on ``device`` seeded with ``seed``."""
    return torch.Generator(device=device).manual_seed(int(seed))


def standard_normal(shape, seed, device, dtype):
    """Standard normal noise drawn on the CPU from ``seed``, then moved to ``device``.

    Drawing on the CPU makes the noise identical whatever the device.
    """
    gen = torch.Generator().manual_seed(int(seed))
    return torch.randn(shape, generator=gen, dtype=torch.float64).to(
        device=device, dtype=dtype
    )


def to_tensor(X, device, dtype):
    """A numpy array (or a row block of one) as a tensor of ``dtype`` on ``device``.

    Shares memory with ``X`` when it can (writable, same dtype, CPU); a read-only
    array (a memmap, a copy-on-write pandas block) is copied, never aliased.
    """
    X = np.asarray(X)
    if not X.flags.writeable:
        return torch.tensor(X, dtype=dtype, device=device)
    return torch.as_tensor(X, dtype=dtype, device=device)


def to_numpy(t, dtype):
    """A tensor as a numpy array of ``dtype`` on the host."""
    return t.detach().to("cpu").numpy().astype(dtype, copy=False)
