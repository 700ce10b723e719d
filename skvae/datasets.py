"""Loaders for the real data sets used by skvae's examples and benchmarks.

Nothing is downloaded. Files are looked up in the *data home*: the ``data_home``
argument, else the ``SKVAE_DATA`` environment variable, else ``~/skvae_data``.
A missing file raises :class:`DataNotFoundError` (a ``FileNotFoundError``) whose
message says where it looked, so scripts can skip cleanly.

Expected layout of the data home (see the project's data README)::

    mnist.npz            x_train (60000, 784) uint8, y_train, x_test, y_test
    binarized_mnist.npz  train / valid / test, bit-packed along axis 1
    frey_faces.npy       (1965, 560) uint8
    odds/NAME.npz        X (n, d), y (n,) with 1 = outlier

Fashion-MNIST is read from its IDX files, by default in
``/usr/share/datasets/fashion-mnist`` (Debian's ``dataset-fashion-mnist``), or
from ``SKVAE_FASHION_MNIST``.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import gzip
import os
from pathlib import Path

import numpy as np

__all__ = [
    "ODDS_NAMES",
    "DataNotFoundError",
    "get_data_home",
    "load_binarized_mnist",
    "load_fashion_mnist",
    "load_frey_faces",
    "load_mnist",
    "load_odds",
]

ODDS_NAMES = (
    "annthyroid",
    "arrhythmia",
    "cardio",
    "mnist",
    "musk",
    "optdigits",
    "pendigits",
    "satellite",
    "shuttle",
    "thyroid",
)
_FASHION_DEFAULT = "/usr/share/datasets/fashion-mnist"


class DataNotFoundError(FileNotFoundError):
    """A data set is not in the data home; the message says where it looked."""


def get_data_home(data_home=None):
    """The folder holding skvae's data sets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Use this folder. By default the ``SKVAE_DATA`` environment variable,
        else ``~/skvae_data``.

    Returns
    -------
    path : pathlib.Path
        The folder (it may not exist).
    """
    if data_home is None:
        data_home = os.environ.get("SKVAE_DATA", "~/skvae_data")
    return Path(data_home).expanduser()


def _find(name, data_home):
    path = get_data_home(data_home) / name
    if not path.exists():
        raise DataNotFoundError(
            f"{name} not found in the data home {path.parent}. Set SKVAE_DATA (or "
            "pass data_home=) to the folder that holds it; skvae never downloads."
        )
    return path


def load_mnist(data_home=None):
    """MNIST digits as uint8 pixels in 0..255.

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        Images of shape (60000, 784) and (10000, 784) with their labels.
    """
    with np.load(_find("mnist.npz", data_home)) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


def load_binarized_mnist(data_home=None):
    """Statically binarized MNIST (Larochelle & Murray, 2011) as {0, 1} uint8.

    Returns
    -------
    train, valid, test : ndarray
        Arrays of shape (50000, 784), (10000, 784) and (10000, 784).
    """
    with np.load(_find("binarized_mnist.npz", data_home)) as f:
        return tuple(
            np.unpackbits(f[k], axis=1)[:, :784] for k in ("train", "valid", "test")
        )


def load_frey_faces(data_home=None):
    """Frey Face: 1965 grey-level faces of 28 x 20 pixels, uint8, shape (1965, 560)."""
    return np.load(_find("frey_faces.npy", data_home))


def load_odds(name, data_home=None):
    """One of the ten ODDS outlier-detection sets in ``ODDS_NAMES``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        1 for an outlier, 0 for an inlier.
    """
    if name not in ODDS_NAMES:
        raise ValueError(f"Unknown ODDS set {name!r}; expected one of {ODDS_NAMES}.")
    with np.load(_find(f"odds/{name}.npz", data_home)) as f:
        return f["X"], f["y"].astype(np.int64)


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_fashion_mnist(path=None):
    """Fashion-MNIST from its IDX files, pixels as uint8 in 0..255.

    Parameters
    ----------
    path : str or path-like, default=None
        Folder with the four ``*-ubyte.gz`` files. By default the
        ``SKVAE_FASHION_MNIST`` environment variable, else
        ``/usr/share/datasets/fashion-mnist`` (``apt-get install
        dataset-fashion-mnist``).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarray
        Images of shape (60000, 784) and (10000, 784) with their labels.
    """
    folder = Path(path or os.environ.get("SKVAE_FASHION_MNIST", _FASHION_DEFAULT))
    files = [
        folder / f"{split}-{kind}-idx{dim}-ubyte.gz"
        for split in ("train", "t10k")
        for kind, dim in (("images", 3), ("labels", 1))
    ]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise DataNotFoundError(
            f"Fashion-MNIST files {missing} not found in {folder}. Install them "
            "with `apt-get install -y dataset-fashion-mnist` or set "
            "SKVAE_FASHION_MNIST to their folder."
        )
    X_train, y_train, X_test, y_test = (_read_idx(f) for f in files)
    return X_train.reshape(-1, 784), y_train, X_test.reshape(-1, 784), y_test
