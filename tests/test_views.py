"""Every public method accepts any numpy layout: views, Fortran order, read-only.

Each result must equal the result on a C-contiguous copy: bit for bit where
the input is copied (reversed, read-only), and to float32 rounding where torch
computes on the strided view itself (matrix products may then round
differently).
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skvae import VAEOutlierDetector, VAETransformer

RNG = np.random.RandomState(0)
BASE = RNG.rand(80, 12)  # columns 0, 2, 4, ... are the data of the strided view


def _layouts(X):
    """Name -> (an unusual layout of X's rows, the same rows C-contiguous)."""
    reversed_rows = X[::-1]
    readonly = X.copy()
    readonly.flags.writeable = False
    return {
        "reversed": (reversed_rows, np.ascontiguousarray(reversed_rows)),
        "reversed_columns": (X[:, ::-1][:, ::-1], X.copy()),
        "strided": (BASE[:, ::2], np.ascontiguousarray(BASE[:, ::2])),
        "fortran": (np.asfortranarray(X), X.copy()),
        "readonly": (readonly, X.copy()),
        "every_other_row": (X[::2], np.ascontiguousarray(X[::2])),
    }


@pytest.fixture(scope="module", params=[VAETransformer, VAEOutlierDetector])
def fitted(request):
    est = request.param(
        2, hidden_layer_sizes=(8,), max_iter=3, device="cpu", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(np.ascontiguousarray(BASE[:, ::2]))


def _outputs(est, X):
    out = {
        "transform": est.transform(X),
        "score_samples": est.score_samples(X),
        "score_samples_per_feature": est.score_samples_per_feature(X),
        "score": est.score(X),
        "fit_transform_shape": est.transform(X).shape,
    }
    Z = out["transform"]
    out["inverse_transform"] = est.inverse_transform(Z[::-1])
    out["inverse_transform_fortran"] = est.inverse_transform(np.asfortranarray(Z))
    if hasattr(est, "decision_function"):
        out["decision_function"] = est.decision_function(X)
        out["predict"] = est.predict(X)
    return out


@pytest.mark.parametrize(
    "layout",
    [
        "reversed",
        "reversed_columns",
        "strided",
        "fortran",
        "readonly",
        "every_other_row",
    ],
)
def test_public_methods_accept_any_layout(fitted, layout):
    X = np.ascontiguousarray(BASE[:, ::2])
    view, copy = _layouts(X)[layout]
    got, expected = _outputs(fitted, view), _outputs(fitted, copy)
    for name in expected:
        if layout in ("reversed", "readonly", "reversed_columns"):
            assert_array_equal(got[name], expected[name], err_msg=name)
        else:
            assert_allclose(
                got[name], expected[name], rtol=1e-5, atol=1e-5, err_msg=name
            )


@pytest.mark.parametrize("layout", ["reversed", "strided", "fortran", "readonly"])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_fitting_accepts_any_layout(layout, method):
    X = np.ascontiguousarray(BASE[:, ::2])
    view, copy = _layouts(X)[layout]
    results = []
    for data in (view, copy):
        est = VAETransformer(
            2, hidden_layer_sizes=(8,), max_iter=2, device="cpu", random_state=0
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            getattr(est, method)(data)
        results.append(est.transform(copy))
    assert_allclose(results[0], results[1], rtol=1e-4, atol=1e-6)


def test_reversed_view_of_the_issue():
    """vae.score_samples(X[::-1]) once raised 'stride ... is negative'."""
    X = RNG.rand(60, 4)
    vae = VAETransformer(hidden_layer_sizes=(8,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vae.fit(X)
    assert_array_equal(
        vae.score_samples(X[::-1]), vae.score_samples(np.ascontiguousarray(X[::-1]))
    )
