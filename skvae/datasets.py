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
    adbench/NAME.npz     X (n, d), y (n,) with 1 = anomaly
    mixed/NAME.csv       a mixed-type table, with mixed/NAME.types.csv

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

from skvae.core._docs import filler

__all__ = [
    "ADBENCH_NAMES",
    "MIXED_NAMES",
    "ODDS_NAMES",
    "DataNotFoundError",
    "get_data_home",
    "load_adbench",
    "load_binarized_mnist",
    "load_fashion_mnist",
    "load_frey_faces",
    "load_mixed",
    "load_mnist",
    "load_odds",
]

# Docstring snippets of the loaders (see skvae.core._docs.filler).
_SNIPPETS = {
    "data_home": """\
Parameters
----------
data_home : str or path-like, default=None
    Folder holding the data; see :func:`get_data_home`.""",
    "labelled_parameters": """\
Parameters
----------
name : str
    The data set, one of the collection's names (``ODDS_NAMES`` or
    ``ADBENCH_NAMES``).

data_home : str or path-like, default=None
    Folder holding the data; see :func:`get_data_home`.""",
    "labelled_raises": """\
Raises
------
ValueError
    If ``name`` is not one of the collection's names.
DataNotFoundError
    If the file is not in the data home.""",
    "labelled_returns": """\
Returns
-------
X : ndarray of shape (n_samples, n_features)
    The samples, normal and anomalous together.
y : ndarray of shape (n_samples,)
    1 for an anomaly (an outlier), 0 for a normal sample.""",
    "data_not_found": """\
Raises
------
DataNotFoundError
    If the file is not in the data home.""",
    "mnist_returns": """\
Returns
-------
X_train, y_train, X_test, y_test : ndarray
    Images of shape (60000, 784) and (10000, 784) with their labels.""",
}
fill = filler(_SNIPPETS)

MIXED_NAMES = ("adult", "breast_wisconsin", "default_credit", "letter", "wine_quality")

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
# The 23 tabular sets of ADBench's "Classical" folder (Han et al., 2022).
ADBENCH_NAMES = (
    "aloi",
    "campaign",
    "cardiotocography",
    "celeba",
    "cover",
    "donors",
    "fault",
    "hepatitis",
    "http",
    "internetads",
    "landsat",
    "magic.gamma",
    "pageblocks",
    "skin",
    "smtp",
    "spambase",
    "stamps",
    "waveform",
    "wdbc",
    "wilt",
    "wine",
    "wpbc",
    "yeast",
)
_FASHION_DEFAULT = "/usr/share/datasets/fashion-mnist"


class DataNotFoundError(FileNotFoundError):
    """A data set is not in the data home; the message says where it looked.

    A subclass of :class:`FileNotFoundError`, so scripts can skip cleanly when
    the data are missing.

    Examples
    --------
    >>> import tempfile
    >>> from skvae.datasets import DataNotFoundError, load_mnist
    >>> with tempfile.TemporaryDirectory() as empty_folder:
    ...     try:
    ...         load_mnist(data_home=empty_folder)
    ...     except DataNotFoundError:
    ...         print("MNIST is not there")
    MNIST is not there
    >>> issubclass(DataNotFoundError, FileNotFoundError)
    True
    """


def get_data_home(data_home=None):
    """Return the folder holding skvae's data sets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Use this folder. By default the ``SKVAE_DATA`` environment variable,
        else ``~/skvae_data``.

    Returns
    -------
    path : pathlib.Path
        The folder (it may not exist).

    Examples
    --------
    >>> from pathlib import Path
    >>> from skvae.datasets import get_data_home
    >>> get_data_home("~/my_data") == Path.home() / "my_data"
    True
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


@fill
def load_mnist(data_home=None):
    """Load the MNIST digits as uint8 pixels in 0..255.

    Reads ``mnist.npz`` from the data home.

    {data_home}

    {mnist_returns}

    {data_not_found}

    Examples
    --------
    >>> from skvae.datasets import load_mnist
    >>> X_train, y_train, X_test, y_test = load_mnist()  # doctest: +SKIP
    >>> X_train.shape, X_test.shape  # doctest: +SKIP
    ((60000, 784), (10000, 784))
    """
    with np.load(_find("mnist.npz", data_home)) as f:
        return f["x_train"], f["y_train"], f["x_test"], f["y_test"]


@fill
def load_binarized_mnist(data_home=None):
    """Load statically binarized MNIST (Larochelle & Murray, 2011) as {0, 1} uint8.

    Reads ``binarized_mnist.npz`` from the data home.

    {data_home}

    Returns
    -------
    train, valid, test : ndarray
        Arrays of shape (50000, 784), (10000, 784) and (10000, 784).

    {data_not_found}

    Examples
    --------
    >>> from skvae.datasets import load_binarized_mnist
    >>> train, valid, test = load_binarized_mnist()  # doctest: +SKIP
    >>> train.shape, valid.shape, test.shape  # doctest: +SKIP
    ((50000, 784), (10000, 784), (10000, 784))
    """
    with np.load(_find("binarized_mnist.npz", data_home)) as f:
        return tuple(
            np.unpackbits(f[k], axis=1)[:, :784] for k in ("train", "valid", "test")
        )


@fill
def load_frey_faces(data_home=None):
    """Load Frey Face: 1965 grey-level faces of 28 x 20 pixels as uint8.

    Reads ``frey_faces.npy`` from the data home.

    {data_home}

    Returns
    -------
    X : ndarray of shape (1965, 560)
        The faces, one flattened 28 x 20 image per row, pixels in 0..255.

    {data_not_found}

    Examples
    --------
    >>> from skvae.datasets import load_frey_faces
    >>> X = load_frey_faces()  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (1965, 560)
    """
    return np.load(_find("frey_faces.npy", data_home))


@fill
def load_odds(name, data_home=None):
    """Load one of the ten ODDS outlier-detection sets in ``ODDS_NAMES``.

    Reads ``odds/NAME.npz`` from the data home.

    {labelled_parameters}

    {labelled_returns}

    {labelled_raises}

    Examples
    --------
    >>> from skvae.datasets import ODDS_NAMES, load_odds
    >>> "cardio" in ODDS_NAMES
    True
    >>> X, y = load_odds("cardio")  # doctest: +SKIP
    >>> X.shape, y.sum()  # doctest: +SKIP
    ((1831, 21), 176)
    """
    return _load_labelled("odds", ODDS_NAMES, name, data_home)


@fill
def load_adbench(name, data_home=None):
    """Load one of the 23 ADBench tabular anomaly sets in ``ADBENCH_NAMES``.

    Reads ``adbench/NAME.npz`` from the data home: the "Classical" sets of
    ADBench (Han et al., 2022), 80 to 619,326 rows, 3 to 1,555 features.

    {labelled_parameters}

    {labelled_returns}

    {labelled_raises}

    Examples
    --------
    >>> from skvae.datasets import ADBENCH_NAMES, load_adbench
    >>> len(ADBENCH_NAMES)
    23
    >>> X, y = load_adbench("wine")  # doctest: +SKIP
    >>> X.shape, y.sum()  # doctest: +SKIP
    ((129, 13), 10)
    """
    return _load_labelled("adbench", ADBENCH_NAMES, name, data_home)


def _load_labelled(folder, names, name, data_home):
    """``X`` and the 0/1 labels of ``folder/NAME.npz``, one of ``names``."""
    if name not in names:
        raise ValueError(f"Unknown {folder} set {name!r}; expected one of {names}.")
    with np.load(_find(f"{folder}/{name}.npz", data_home)) as f:
        return f["X"], f["y"].astype(np.int64)


def load_mixed(name, data_home=None):
    """Load one of the five mixed-type tables in ``MIXED_NAMES`` as typed columns.

    Reads ``mixed/NAME.csv`` and its column types ``mixed/NAME.types.csv``
    (the tables of HI-VAE, Nazabal et al., 2020) from the data home, and
    gives each column the pandas dtype of its type: "cat" a category,
    "ordinal" an ordered category, "count" a nullable integer (``Int64``),
    "real" and "pos" (positive real) floats. Missing entries are NA.

    Parameters
    ----------
    name : str
        The table, one of ``MIXED_NAMES`` (for example "adult").

    data_home : str or path-like, default=None
        Folder holding the data; see :func:`get_data_home`.

    Returns
    -------
    frame : pandas.DataFrame
        The table with typed columns.
    types : dict
        Each column's type in the types file ("cat", "ordinal", "count",
        "real" or "pos").

    Raises
    ------
    ValueError
        If ``name`` is not in ``MIXED_NAMES``.
    DataNotFoundError
        If the files are not in the data home.

    Examples
    --------
    >>> from skvae.datasets import load_mixed
    >>> frame, types = load_mixed("adult")  # doctest: +SKIP
    >>> frame.shape, types["workclass"], str(frame["workclass"].dtype)  # doctest: +SKIP
    ((32561, 12), 'cat', 'category')
    """
    import pandas as pd

    if name not in MIXED_NAMES:
        raise ValueError(
            f"Unknown mixed table {name!r}; expected one of {MIXED_NAMES}."
        )
    frame = pd.read_csv(_find(f"mixed/{name}.csv", data_home))
    kinds = pd.read_csv(_find(f"mixed/{name}.types.csv", data_home))
    types = dict(zip(kinds["column"], kinds["type"], strict=True))
    for column, kind in types.items():
        values = frame[column]
        ordered = _ORDERED_CATEGORY.get(kind)
        if ordered is not None:
            codes = values.astype("Int64")
            levels = sorted(codes.dropna().unique().tolist())
            frame[column] = pd.Categorical(codes, categories=levels, ordered=ordered)
        else:
            frame[column] = values.astype("Int64" if kind == "count" else "float64")
    return frame, types


# The types file's category types, and whether their levels are ordered.
_ORDERED_CATEGORY = {"cat": False, "ordinal": True}


def _read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = tuple(
        int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)
    )
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


@fill
def load_fashion_mnist(path=None):
    """Load Fashion-MNIST from its IDX files, pixels as uint8 in 0..255.

    Parameters
    ----------
    path : str or path-like, default=None
        Folder with the four ``*-ubyte.gz`` files. By default the
        ``SKVAE_FASHION_MNIST`` environment variable, else
        ``/usr/share/datasets/fashion-mnist`` (``apt-get install
        dataset-fashion-mnist``).

    {mnist_returns}

    Raises
    ------
    DataNotFoundError
        If any of the four files is missing.

    Examples
    --------
    >>> from skvae.datasets import load_fashion_mnist
    >>> X_train, y_train, X_test, y_test = load_fashion_mnist()  # doctest: +SKIP
    >>> X_train.shape, X_test.shape  # doctest: +SKIP
    ((60000, 784), (10000, 784))
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
