"""Bad input and bad parameters: a clear error, and a fitted model left unchanged."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import concurrent.futures
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skvae import VAEOutlierDetector, VAETransformer

RNG = np.random.RandomState(0)
X01 = RNG.rand(120, 6)  # valid for both likelihoods
KW = {"hidden_layer_sizes": (8,), "max_iter": 3, "device": "cpu", "random_state": 0}


def _fitted(likelihood):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return VAETransformer(2, likelihood=likelihood, **KW).fit(X01)


def _empty_column():
    X = X01.copy()
    X[:, 2] = np.nan
    return X


def _with_inf():
    X = X01.copy()
    X[0, 0] = np.inf
    return X


def _huge():
    X = X01.copy()
    X[1, 1] = 1e30
    return X


def _mixed_frame():
    return pd.DataFrame({"a": X01[:, 0], "b": ["x"] * len(X01)})


def fit(**params):
    """A call that refits the fixture with ``params`` on X (given later)."""

    def call(est, X):
        old = est.get_params()
        est.set_params(**params)
        try:
            est.fit(X)
        finally:
            est.set_params(**old)

    return call


def method(name, *args, **kwargs):
    return lambda est, X: getattr(est, name)(X, *args, **kwargs)


# (id, likelihood of the fitted model, call, X, exception, message fragment)
CASES = [
    ("empty-column", "gaussian", fit(), _empty_column(), ValueError, "columns [2]"),
    ("inf", "gaussian", fit(), _with_inf(), ValueError, "infinity"),
    ("1d", "gaussian", fit(), X01[:, 0], ValueError, "Expected 2D array"),
    ("3d", "gaussian", fit(), X01.reshape(120, 3, 2), ValueError, "dim 3"),
    ("no-rows", "gaussian", fit(), X01[:0], ValueError, "0 sample(s)"),
    ("no-columns", "gaussian", fit(), X01[:, :0], ValueError, "0 feature(s)"),
    ("sparse", "gaussian", fit(), sp.csr_matrix(X01), TypeError, "dense data"),
    ("complex", "gaussian", fit(), X01 + 1j, ValueError, "Complex data"),
    (
        "strings",
        "gaussian",
        fit(),
        np.full((5, 6), "a", dtype=object),
        ValueError,
        "could not convert",
    ),
    (
        "text-column",
        "gaussian",
        fit(),
        _mixed_frame(),
        ValueError,
        "non-numeric columns ['b']",
    ),
    ("huge-float32", "gaussian", fit(), _huge(), ValueError, "dtype='float64'"),
    (
        "bernoulli-above-1",
        "bernoulli",
        fit(),
        X01 * 3,
        ValueError,
        "needs data in [0, 1]",
    ),
    ("bernoulli-negative", "bernoulli", fit(), X01 - 0.5, ValueError, "MinMaxScaler"),
    (
        "too-many-components",
        "gaussian",
        fit(n_components=7),
        X01,
        ValueError,
        "n_components=7 is larger than n_features=6",
    ),
    (
        "zero-components",
        "gaussian",
        fit(n_components=0),
        X01,
        ValueError,
        "'n_components' parameter",
    ),
    (
        "bad-hidden",
        "gaussian",
        fit(hidden_layer_sizes=(8, 0)),
        X01,
        ValueError,
        "positive ints",
    ),
    (
        "bad-likelihood",
        "gaussian",
        fit(likelihood="zipf"),
        X01,
        ValueError,
        "likelihood='zipf' is not a likelihood for an array",
    ),
    (
        "negative-lr",
        "gaussian",
        fit(learning_rate_init=-1.0),
        X01,
        ValueError,
        "'learning_rate_init' parameter",
    ),
    (
        "zero-batch",
        "gaussian",
        fit(batch_size=0),
        X01,
        ValueError,
        "'batch_size' parameter",
    ),
    (
        "bad-fraction",
        "gaussian",
        fit(validation_fraction=1.5),
        X01,
        ValueError,
        "'validation_fraction' parameter",
    ),
    (
        "bad-dtype",
        "gaussian",
        fit(dtype="float16"),
        X01,
        ValueError,
        "'dtype' parameter",
    ),
    (
        "bad-solver",
        "gaussian",
        fit(solver="lbfgs"),
        X01,
        ValueError,
        "'solver' parameter",
    ),
    (
        "unknown-device",
        "gaussian",
        fit(device="tpu"),
        X01,
        ValueError,
        "not a torch device",
    ),
    (
        "absent-gpu",
        "gaussian",
        fit(device="cuda:63"),
        X01,
        ValueError,
        "sees no cuda device 63",
    ),
    (
        "absent-mps",
        "gaussian",
        fit(device="mps:63"),
        X01,
        ValueError,
        "sees no mps device 63",
    ),
    (
        "fp16-on-cpu",
        "gaussian",
        fit(mixed_precision="fp16"),
        X01,
        ValueError,
        "needs a CUDA device",
    ),
    (
        "early-stop-2-rows",
        "gaussian",
        fit(early_stopping=True),
        X01[:2],
        ValueError,
        "n_samples=2",
    ),
    (
        "transform-columns",
        "gaussian",
        method("transform"),
        X01[:, :4],
        ValueError,
        "4 features",
    ),
    (
        "score-inf",
        "gaussian",
        method("score_samples"),
        _with_inf(),
        ValueError,
        "infinity",
    ),
    (
        "score-outside-support",
        "bernoulli",
        method("score_samples"),
        X01 + 1,
        ValueError,
        "needs data in [0, 1]",
    ),
    (
        "score-columns",
        "gaussian",
        method("score"),
        X01[:, :5],
        ValueError,
        "5 features",
    ),
    (
        "inverse-width",
        "gaussian",
        method("inverse_transform"),
        X01,
        ValueError,
        "n_components=2",
    ),
    (
        "inverse-1d",
        "gaussian",
        method("inverse_transform"),
        X01[0],
        ValueError,
        "Expected 2D array",
    ),
    (
        "partial-fit-columns",
        "gaussian",
        method("partial_fit"),
        X01[:, :3],
        ValueError,
        "3 features",
    ),
    (
        "sample-zero",
        "gaussian",
        lambda est, X: est.sample(0),
        None,
        ValueError,
        "n_samples",
    ),
    (
        "sample-float",
        "gaussian",
        lambda est, X: est.sample(2.5),
        None,
        ValueError,
        "n_samples",
    ),
]


@pytest.fixture(scope="module")
def models():
    return {lik: _fitted(lik) for lik in ("gaussian", "bernoulli")}


def _fingerprint(est):
    state = {k: v.clone() for k, v in est.module_.state_dict().items()}
    attrs = {k: v for k, v in vars(est).items() if k.endswith("_")}
    return est.transform(X01), est.get_params(), state, attrs


@pytest.mark.parametrize(
    "likelihood, call, X, exc, fragment",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_rejected_and_model_unchanged(
    models, likelihood, call, X, exc, fragment
):
    est = models[likelihood]
    Z, params, state, attrs = _fingerprint(est)
    with pytest.raises(exc) as info:
        call(est, X)
    assert fragment in str(info.value), str(info.value)
    Z2, params2, state2, attrs2 = _fingerprint(est)
    assert_array_equal(Z, Z2)
    assert params == params2
    assert attrs.keys() == attrs2.keys()
    for key in attrs:
        assert attrs[key] is attrs2[key] or np.array_equal(attrs[key], attrs2[key])
    for key in state:
        assert torch.equal(state[key], state2[key])


def test_table_is_large_enough():
    assert len(CASES) >= 25


def test_integer_and_boolean_input_are_accepted():
    X_int = (X01 * 10).astype(np.int64)
    Z = VAETransformer(2, **KW).fit(X_int).transform(X_int)
    assert Z.dtype == np.float64 and np.isfinite(Z).all()
    X_bool = X01 > 0.5
    est = VAETransformer(2, likelihood="bernoulli", **KW).fit(X_bool)
    assert np.isfinite(est.score_samples(X_bool)).all()


def test_constant_features_warn_with_the_fix():
    X = X01.copy()
    X[:, 4] = 3.0
    with pytest.warns(UserWarning, match=r"columns \[4\].*VarianceThreshold"):
        est = VAETransformer(2, **KW).fit(X)
    assert np.isfinite(est.score_samples(X)).all()
    X[:, 4] = X01[:, 4] * 1e-3  # not constant: on a smaller scale than the rest
    with pytest.warns(UserWarning, match=r"columns \[4\].*StandardScaler"):
        VAETransformer(2, **KW).fit(X)


def test_batch_larger_than_data_warns():
    with pytest.warns(UserWarning, match="batch_size=500 is larger"):
        VAETransformer(2, batch_size=500, **KW).fit(X01)


def test_far_out_of_range_input_raises_instead_of_nan(models):
    est = models["gaussian"]
    X = np.full((2, 6), 1e15)
    try:
        out = est.score_samples(X)
    except ValueError as exc:
        assert "far outside" in str(exc)
    else:
        assert np.isfinite(out).all()


def test_non_finite_loss_is_caught_with_an_actionable_message():
    est = VAETransformer(2, solver="sgd", learning_rate_init=1e12, **KW)
    with pytest.raises(ValueError, match="non-finite") as info:
        est.fit(X01 * 100)
    message = str(info.value)
    assert "learning_rate_init" in message and "StandardScaler" in message
    assert not hasattr(est, "module_") and not hasattr(est, "n_iter_")  # unfitted


def test_failed_refit_keeps_the_previous_model(models):
    est = models["gaussian"]
    Z = est.transform(X01)
    est.set_params(solver="sgd", learning_rate_init=1e12)
    try:
        with pytest.raises(ValueError, match="non-finite"):
            est.fit(X01 * 100)
    finally:
        est.set_params(solver="adam", learning_rate_init=1e-3)
    assert_array_equal(est.transform(X01), Z)


def test_interrupted_fit_keeps_last_finished_epoch(monkeypatch):
    import skvae.core._training as training

    real = training.run_epoch
    calls = {"n": 0}

    def interrupt_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "run_epoch", interrupt_third)
    est = VAETransformer(2, **{**KW, "max_iter": 10})
    with pytest.warns(UserWarning, match="interrupted"):
        est.fit(X01)
    assert est.n_iter_ == 2 and len(est.loss_curve_) == 2
    assert np.isfinite(est.transform(X01)).all()


def test_concurrent_inference_matches_serial(models):
    est = models["gaussian"]
    chunks = [X01[i::4] for i in range(4)] * 4
    serial = [(est.transform(c), est.score_samples(c)) for c in chunks]

    def work(c):
        return est.transform(c), est.score_samples(c)

    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(work, chunks))
    for (z1, s1), (z2, s2) in zip(serial, parallel, strict=True):
        assert_array_equal(z1, z2)
        assert_array_equal(s1, s2)


@pytest.mark.parametrize("cls", [VAETransformer, VAEOutlierDetector])
def test_warnings_point_at_the_callers_line(cls):
    """No hand-counted stacklevel: the user's line, for every class and path."""
    X = X01.copy()
    X[:, 4] = 3.0  # a constant feature: a warning from deep inside the set-up
    est = cls(2, likelihood="gaussian", **{**KW, "max_iter": 1})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X)
        pipeline = make_pipeline(StandardScaler(), clone(est))
        pipeline.fit(X)
    kinds = {w.category.__name__ for w in caught}
    assert {"ConvergenceWarning", "UserWarning"} <= kinds
    assert all(w.filename == __file__ for w in caught), {
        (w.filename, w.category.__name__) for w in caught
    }
