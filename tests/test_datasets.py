"""Data-home lookup and the loaders' file formats (on tiny generated files)."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import gzip

import numpy as np
import pytest

from skvae import datasets


def test_data_home_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("SKVAE_DATA", str(tmp_path / "env"))
    assert datasets.get_data_home() == tmp_path / "env"
    assert datasets.get_data_home(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.delenv("SKVAE_DATA")
    assert datasets.get_data_home().name == "skvae_data"


def test_missing_file_names_the_folder_and_the_setting(tmp_path):
    with pytest.raises(datasets.DataNotFoundError, match="SKVAE_DATA") as info:
        datasets.load_mnist(tmp_path)
    assert isinstance(info.value, FileNotFoundError)
    assert str(tmp_path) in str(info.value)
    with pytest.raises(datasets.DataNotFoundError, match="dataset-fashion-mnist"):
        datasets.load_fashion_mnist(tmp_path)


def test_binarized_mnist_is_unpacked(tmp_path):
    rng = np.random.RandomState(0)
    bits = {
        k: rng.randint(0, 2, size=(n, 784)).astype(np.uint8)
        for k, n in (("train", 5), ("valid", 3), ("test", 2))
    }
    np.savez(
        tmp_path / "binarized_mnist.npz",
        **{k: np.packbits(v, axis=1) for k, v in bits.items()},
    )
    train, valid, test = datasets.load_binarized_mnist(tmp_path)
    np.testing.assert_array_equal(train, bits["train"])
    np.testing.assert_array_equal(test, bits["test"])
    assert valid.shape == (3, 784)


@pytest.mark.parametrize(
    "folder, name, load",
    [
        ("odds", "cardio", datasets.load_odds),
        ("adbench", "cover", datasets.load_adbench),
    ],
)
def test_labelled_loaders(tmp_path, folder, name, load):
    (tmp_path / folder).mkdir()
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 0], dtype=np.int8)
    np.savez(tmp_path / folder / f"{name}.npz", X=X, y=y)
    X2, y2 = load(name, tmp_path)
    np.testing.assert_array_equal(X2, X)
    assert y2.dtype == np.int64 and y2.tolist() == [0, 1, 0, 0]
    with pytest.raises(ValueError, match=f"Unknown {folder} set 'nope'"):
        load("nope", tmp_path)
    with pytest.raises(datasets.DataNotFoundError):
        load("wine" if folder == "adbench" else "musk", tmp_path)


def _write_idx(path, array):
    header = bytes([0, 0, 8, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape
    )
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_fashion_mnist_idx_reader(tmp_path):
    rng = np.random.RandomState(0)
    images = {
        s: rng.randint(0, 256, size=(n, 28, 28)) for s, n in (("train", 4), ("t10k", 2))
    }
    for split, imgs in images.items():
        _write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", imgs)
        _write_idx(tmp_path / f"{split}-labels-idx1-ubyte.gz", np.arange(len(imgs)))
    X_train, y_train, X_test, y_test = datasets.load_fashion_mnist(tmp_path)
    assert X_train.shape == (4, 784) and X_test.shape == (2, 784)
    np.testing.assert_array_equal(X_train, images["train"].reshape(4, 784))
    assert y_train.tolist() == [0, 1, 2, 3] and y_test.tolist() == [0, 1]
