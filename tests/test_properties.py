"""Property-based tests: any input either works with finite results or gets a
clear ValueError/TypeError; never NaN output and never another kind of crash."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from skvae import VAETransformer

DTYPES = st.sampled_from([np.float32, np.float64, np.int64, np.int8, np.bool_])


@st.composite
def data(draw):
    n = draw(st.integers(1, 25))
    d = draw(st.integers(1, 5))
    dtype = draw(DTYPES)
    if dtype is np.bool_:
        elements = st.booleans()
    elif np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        elements = st.integers(max(info.min, -(10**6)), min(info.max, 10**6))
    else:
        magnitude = draw(st.sampled_from([1.0, 1e3, 1e8, 1e20]))
        width = 32 if dtype is np.float32 else 64
        bound = float(np.dtype(dtype).type(magnitude))
        elements = st.floats(-bound, bound, width=width)
        if draw(st.booleans()):  # sometimes a NaN or an infinity among them
            elements = elements | st.sampled_from([np.nan, np.inf])
    return draw(arrays(dtype, (n, d), elements=elements))


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(
    X=data(),
    n_components=st.integers(1, 3),
    likelihood=st.sampled_from(["gaussian", "bernoulli"]),
    dtype=st.sampled_from(["float32", "float64"]),
)
def test_fit_transform_score_finite_or_clear_error(X, n_components, likelihood, dtype):
    est = VAETransformer(
        n_components,
        likelihood=likelihood,
        hidden_layer_sizes=(4,),
        max_iter=2,
        dtype=dtype,
        device="cpu",
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(X)
        except (ValueError, TypeError) as exc:
            assert str(exc)  # a message, not a bare error
            assert not hasattr(est, "module_")  # nothing half fitted
            return
    for name in ("transform", "score_samples"):
        try:
            out = getattr(est, name)(X)
        except ValueError as exc:
            assert "far outside" in str(exc) or "support" in str(exc) or str(exc)
            continue
        assert np.isfinite(out).all(), name
    Z = est.transform(X[:1]) if np.isfinite(X.astype(np.float64)).all() else None
    if Z is not None:
        assert np.isfinite(est.inverse_transform(Z)).all()
    assert np.isfinite(est.sample(3, random_state=0)).all()


@SETTINGS
@given(X=data())
def test_scores_of_fitted_model_on_arbitrary_input(X):
    est = _reference_model(X.shape[1])
    try:
        out = est.score_samples(X)
    except ValueError as exc:
        assert str(exc)
        return
    assert out.shape == (X.shape[0],) and np.isfinite(out).all()


_MODELS = {}


def _reference_model(d):
    if d not in _MODELS:
        rng = np.random.RandomState(d)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _MODELS[d] = VAETransformer(
                1, hidden_layer_sizes=(8,), max_iter=3, device="cpu", random_state=0
            ).fit(rng.randn(60, d))
    return _MODELS[d]


@pytest.mark.parametrize("value", [1e15, -1e15, 1e16])
def test_extreme_but_accepted_values_never_give_nan(value):
    est = _reference_model(3)
    X = np.full((4, 3), value)
    try:
        out = est.score_samples(X)
    except ValueError as exc:
        assert "far outside" in str(exc)
    else:
        assert np.isfinite(out).all()
