"""Devices, generators, tensors, row blocks and column statistics: the core's tools,
and the numpy helpers the estimators share with it."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import sys
import warnings

import numpy as np
import torch

DTYPES = {"float32": torch.float32, "float64": torch.float64}

# The one budget of every blockwise computation: a block of rows holds at most
# this many numbers in its largest tensor (16 MiB in float32).
BLOCK_NUMBERS = 2**22
# Rows per block when numpy streams a (memory-mapped) array from disk.
STREAM_ROWS = 65536


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


def _available(dev):
    """Whether torch can use the device ``dev`` here (CPU, or an accelerator
    whose backend, ``torch.cuda``, ``torch.mps``, ... sees it)."""
    if dev.type == "cpu":
        return True
    backend = getattr(torch, dev.type, None)
    if backend is None or not backend.is_available():
        return False
    return dev.index is None or dev.index < backend.device_count()


def resolve_device(device="auto"):
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:i"`` into a ``torch.device``.

    ``"auto"`` picks CUDA when torch sees a GPU and the CPU otherwise. Asking for
    a device that torch does not see here (CUDA, MPS, ...) is a ``ValueError``.
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
    if not _available(dev):
        raise ValueError(
            f"device={device!r} was requested but torch sees no {dev.type} "
            f"device{'' if dev.index is None else f' {dev.index}'} here. Use "
            "device='cpu' or device='auto', or install a build of torch for it."
        )
    return dev


def loadable_device(device):
    """The device a stored model should live on here; CPU with a warning if gone."""
    dev = torch.device(device)
    if _available(dev):
        return dev
    warn(
        f"The model was fitted on {str(device)!r}, which is not available here; "
        "it has been moved to the CPU.",
        DeviceWarning,
    )
    return torch.device("cpu")


def _library_dirs():
    dirs = [os.path.dirname(os.path.dirname(__file__))]  # the skvae package
    sklearn = sys.modules.get("sklearn")  # its wrappers (_fit_context, set_output)
    if sklearn is not None and getattr(sklearn, "__file__", None):
        dirs.append(os.path.dirname(sklearn.__file__))
    return tuple(d + os.sep for d in dirs)


def warn(message, category=UserWarning):
    """``warnings.warn`` attributed to the first caller outside skvae and sklearn.

    However deep the call chain (a subclass, a ``Pipeline``), the warning points
    at the user's line, without a hand-counted ``stacklevel``.
    """
    dirs = _library_dirs()
    frame, level = sys._getframe(1), 2  # stacklevel 2 is the caller of warn()
    while frame is not None and frame.f_code.co_filename.startswith(dirs):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)


def first_of(items, limit=10):
    """``items`` for a message: the first ``limit`` as a list, then " ..."
    when there are more."""
    items = items.tolist() if isinstance(items, np.ndarray) else list(items)
    return f"{items[:limit]}{' ...' if len(items) > limit else ''}"


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

    Shares memory with ``X`` when it can (writable, same dtype, CPU; strided and
    Fortran-ordered views too). A read-only array (a memmap, a copy-on-write
    pandas block) is copied, never aliased, and so is a view with a negative
    stride (``X[::-1]``), which torch cannot wrap.
    """
    X = np.asarray(X)
    if not X.flags.writeable or any(s < 0 for s in X.strides):
        X = np.array(X, order="C")
    return torch.as_tensor(X, dtype=dtype, device=device)


def to_numpy(t, dtype):
    """A tensor as a numpy array of ``dtype`` on the host."""
    return t.detach().to("cpu").numpy().astype(dtype, copy=False)


def spaced_rows(X, n=10_000):
    """About ``n`` evenly spaced rows of ``X`` (all of them if fewer), in memory.

    The sample the set-up statistics are taken from: reading every ``k``-th
    row keeps a memory-mapped X on disk.
    """
    return np.asarray(X[:: max(1, len(X) // n)])


def rows_per_block(numbers_per_row, budget=BLOCK_NUMBERS):
    """Rows per block whose largest tensor holds about ``budget`` numbers."""
    return max(1, budget // max(int(numbers_per_row), 1))


def value_range(X):
    """Each column's range of observed values, and the rows with none, in one pass.

    NaN marks a missing entry. Reads ``STREAM_ROWS`` rows at a time, so a
    memory-mapped X is never copied whole.

    Returns
    -------
    low, high : ndarray of shape (n_features,)
        Each column's smallest and largest observed value (``inf`` and
        ``-inf`` for a column with none).
    empty_rows : ndarray of int
        The indices of the rows whose entries are all missing.
    """
    d = X.shape[1]
    lo, hi, empty = np.full(d, np.inf), np.full(d, -np.inf), []
    for start in range(0, X.shape[0], STREAM_ROWS):
        block = np.asarray(X[start : start + STREAM_ROWS])
        observed = ~np.isnan(block)
        np.minimum(lo, np.min(block, axis=0, initial=np.inf, where=observed), out=lo)
        np.maximum(hi, np.max(block, axis=0, initial=-np.inf, where=observed), out=hi)
        empty.append(start + np.flatnonzero(~observed.any(axis=1)))
    return lo, hi, np.concatenate(empty) if empty else np.empty(0, dtype=np.intp)


def column_stats(X):
    """Observed count, minimum, maximum, mean and variance of each column, one pass.

    NaN marks a missing entry: each column's statistics are those of its
    observed entries. Reads ``STREAM_ROWS`` rows at a time in float64, so a
    memory-mapped X is never copied whole (Chan et al.'s pairwise update of
    the moments, per column).

    Returns
    -------
    stats : dict
        ``{"count", "min", "max", "mean", "var"}``, each an ndarray of shape
        (n_features,), ``"n_rows"``, and ``"empty_rows"``, the indices of the
        rows with no observed entry. A column with no observed entry has
        count 0, mean 0, variance 0 and the range ``(inf, -inf)``.
    """
    d = X.shape[1]
    n, mean, m2 = np.zeros(d), np.zeros(d), np.zeros(d)
    lo, hi = np.full(d, np.inf), np.full(d, -np.inf)
    empty = []
    for start in range(0, X.shape[0], STREAM_ROWS):
        block = np.asarray(X[start : start + STREAM_ROWS], dtype=np.float64)
        observed = ~np.isnan(block)
        nb = observed.sum(axis=0)
        mb = np.where(observed, block, 0.0).sum(axis=0) / np.maximum(nb, 1)
        np.minimum(lo, np.min(block, axis=0, initial=np.inf, where=observed), out=lo)
        np.maximum(hi, np.max(block, axis=0, initial=-np.inf, where=observed), out=hi)
        m2b = (np.where(observed, block - mb, 0.0) ** 2).sum(axis=0)
        delta = mb - mean
        total = np.maximum(n + nb, 1)
        mean = mean + delta * nb / total
        m2 = m2 + m2b + delta**2 * n * nb / total
        n = n + nb
        empty.append(start + np.flatnonzero(~observed.any(axis=1)))
    return {
        "n_rows": X.shape[0],
        "count": n.astype(np.int64),
        "min": lo,
        "max": hi,
        "mean": mean,
        "var": m2 / np.maximum(n, 1),
        "empty_rows": np.concatenate(empty) if empty else np.empty(0, dtype=np.intp),
    }
