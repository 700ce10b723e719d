"""The safe model format: exact round trip, refusal of foreign or tampered files."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle
import warnings
import zipfile

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_array_equal

import skvae
from skvae import DeviceWarning, VAETransformer
from skvae.core import _persistence

X = np.random.RandomState(0).rand(150, 5)


@pytest.fixture(scope="module")
def fitted():
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return VAETransformer(
            2,
            hidden_layer_sizes=(8,),
            max_iter=3,
            early_stopping=True,
            likelihood="bernoulli",
            device="cpu",
            random_state=0,
        ).fit(frame)


def test_round_trip_is_exact(fitted, tmp_path):
    path = fitted.save(tmp_path / "model.skvae")
    loaded = skvae.load(path)
    assert type(loaded) is VAETransformer
    assert loaded.get_params() == fitted.get_params()
    assert_array_equal(loaded.feature_names_in_, fitted.feature_names_in_)
    for name in (
        "n_iter_",
        "loss_curve_",
        "validation_scores_",
        "best_validation_score_",
        "n_features_in_",
        "n_components_",
        "likelihood_",
    ):
        assert getattr(loaded, name) == getattr(fitted, name), name
    assert_array_equal(loaded.var_floor_, fitted.var_floor_)
    assert_array_equal(loaded.latent_activity_, fitted.latent_activity_)
    assert_array_equal(loaded.latent_kl_, fitted.latent_kl_)
    frame = pd.DataFrame(X, columns=fitted.feature_names_in_)
    assert_array_equal(loaded.transform(frame), fitted.transform(frame))
    assert_array_equal(loaded.score_samples(frame), fitted.score_samples(frame))
    assert_array_equal(
        loaded.sample(4, random_state=1), fitted.sample(4, random_state=1)
    )


def test_training_continues_identically_after_loading(fitted, tmp_path):
    a = pickle.loads(pickle.dumps(fitted))
    b = skvae.load(fitted.save(tmp_path / "m.skvae"))
    frame = pd.DataFrame(X, columns=fitted.feature_names_in_)
    a.partial_fit(frame)
    b.partial_fit(frame)
    assert_array_equal(a.transform(frame), b.transform(frame))


def test_unfitted_model_cannot_be_saved(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        VAETransformer().save(tmp_path / "x.skvae")


def test_pickle_and_joblib_files_are_refused(fitted, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    with pytest.raises(ValueError, match="cannot be loaded safely"):
        skvae.load(path)


def test_code_in_a_file_is_never_run(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    path = tmp_path / "evil.skvae"
    torch.save({"format": "skvae-model", "payload": Evil()}, path)
    with pytest.raises(ValueError, match="cannot be loaded safely"):
        skvae.load(path)


def test_foreign_and_garbage_files_are_refused(tmp_path):
    torch.save({"weights": torch.zeros(3)}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="no skvae header"):
        skvae.load(tmp_path / "other.pt")
    (tmp_path / "garbage.skvae").write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="not an skvae model file"):
        skvae.load(tmp_path / "garbage.skvae")
    with pytest.raises(FileNotFoundError):
        skvae.load(tmp_path / "missing.skvae")


def _rewrite(path, edit):
    """Load the raw content, edit it, and write it back without a new digest."""
    content = torch.load(path, weights_only=True)
    edit(content)
    torch.save(content, path)


def test_tampered_weights_fail_the_integrity_check(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.skvae")

    def edit(content):
        name = next(iter(content["state_dict"]))
        content["state_dict"][name] = content["state_dict"][name] + 1e-3

    _rewrite(path, edit)
    with pytest.raises(ValueError, match="integrity check"):
        skvae.load(path)


def test_tampered_bytes_are_refused(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.skvae")
    raw = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = next(i for i in z.infolist() if "/data/" in i.filename)
    # the local header gives the data offset (torch pads with an extra field)
    head = info.header_offset
    name_len = int.from_bytes(raw[head + 26 : head + 28], "little")
    extra_len = int.from_bytes(raw[head + 28 : head + 30], "little")
    offset = head + 30 + name_len + extra_len
    raw[offset : offset + 4] = bytes(b ^ 0xFF for b in raw[offset : offset + 4])
    path.write_bytes(bytes(raw))
    with pytest.raises(ValueError, match=r"integrity check|cannot be loaded"):
        skvae.load(path)


def test_newer_format_is_refused_and_version_skew_warns(fitted, tmp_path):
    path = tmp_path / "m.skvae"
    fitted.save(path)
    content = torch.load(path, weights_only=True)
    content.pop("sha256")
    content["format_version"] = _persistence.FORMAT_VERSION + 1
    content["sha256"] = _persistence.digest(content)
    torch.save(content, path)
    with pytest.raises(ValueError, match="Upgrade skvae"):
        skvae.load(path)

    content.pop("sha256")
    content["format_version"] = _persistence.FORMAT_VERSION
    content["skvae_version"] = "0.0.1"
    content["sha256"] = _persistence.digest(content)
    torch.save(content, path)
    with pytest.warns(UserWarning, match="saved by skvae 0.0.1"):
        skvae.load(path)


def test_cuda_saved_model_loads_on_cpu_with_a_warning(fitted, tmp_path):
    if torch.cuda.is_available():
        pytest.skip("CUDA present: the fallback is not taken")
    path = tmp_path / "m.skvae"
    fitted.save(path)
    content = torch.load(path, weights_only=True)
    content.pop("sha256")
    content["device"] = "cuda:0"
    content["sha256"] = _persistence.digest(content)
    torch.save(content, path)
    with pytest.warns(DeviceWarning):
        loaded = skvae.load(path)
    assert loaded.device_ == torch.device("cpu")


def test_files_of_earlier_formats_are_refused_with_a_refit_message(fitted, tmp_path):
    """Formats 1 and 2 were written by development versions only."""
    path = tmp_path / "m.skvae"
    fitted.save(path)
    content = torch.load(path, weights_only=True)
    content.pop("sha256")
    content["format_version"] = 2
    content["sha256"] = _persistence.digest(content)
    torch.save(content, path)
    with pytest.raises(ValueError, match="file format 2 by a development version"):
        skvae.load(path)


def test_the_file_stores_each_value_once(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.skvae")
    content = torch.load(path, weights_only=True)
    assert content["format_version"] == _persistence.FORMAT_VERSION == 4
    stored = set(content["attributes"])
    derived = {"n_iter_", "loss_curve_", "best_loss_", "validation_scores_"}
    derived |= {"best_validation_score_", "var_floor_"}
    derived |= {"likelihood_"}
    assert not stored & derived
    assert content["train_state"]["n_iter"] == fitted.n_iter_
    assert content["config"]["n_components"] == fitted.module_.config.n_components
    assert content["torch_version"] == torch.__version__


def test_loading_does_not_touch_torch_global_generator(fitted, tmp_path):
    path = fitted.save(tmp_path / "m.skvae")
    before = torch.random.get_rng_state()
    skvae.load(path)
    pickle.loads(pickle.dumps(fitted))
    assert torch.equal(torch.random.get_rng_state(), before)


def test_pickle_holds_plain_tensors_not_a_module(fitted):
    state = fitted.__getstate__()
    assert isinstance(state["module_"], dict) and "_optimizer" not in state
    assert all(v.device.type == "cpu" for v in state["module_"]["state_dict"].values())
