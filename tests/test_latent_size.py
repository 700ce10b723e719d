"""n_components="auto": one fit keeps the latent dimensions the model uses."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest

from skvae import VAEImputer, VAEOutlierDetector, VAETransformer
from skvae.core._inference import decode_rows

SMALL = {"hidden_layer_sizes": (64,), "random_state": 0}


def _linear(n=2000, d=12, k=3, seed=0):
    """Rows from k linear-Gaussian factors in d features."""
    rng = np.random.RandomState(seed)
    W = rng.randn(k, d)
    return rng.randn(n, k) @ W + 0.1 * rng.randn(n, d)


def _curve(n=2000, d=10, seed=1):
    """Rows from two factors through a fixed random tanh layer, plus noise."""
    rng = np.random.RandomState(seed)
    z = rng.randn(n, 2)
    return np.tanh(z @ rng.randn(2, 8)) @ rng.randn(8, d) + 0.3 * rng.randn(n, d)


@pytest.fixture(scope="module")
def linear_fit():
    X = _linear()
    return VAETransformer(**SMALL).fit(X), X


def test_auto_recovers_the_number_of_linear_factors(linear_fit):
    vae, _ = linear_fit
    assert vae.module_.config.n_components == 6  # ceil(12 / 2) fitted
    assert vae.n_components_ == 3
    assert vae.latent_activity_.shape == vae.latent_kl_.shape == (6,)
    assert (np.sort(vae.latent_activity_)[:3] < 0.01).all()


def test_auto_recovers_the_number_of_non_linear_factors():
    vae = VAETransformer(random_state=0).fit(_curve())
    assert vae.module_.config.n_components == 5
    assert vae.n_components_ == 2


def test_activity_is_the_variance_of_the_posterior_means(linear_fit):
    vae, X = linear_fit
    codes = vae._codes(X, full=True)
    np.testing.assert_allclose(vae.latent_activity_, codes.var(0), rtol=1e-5)
    # transform returns the active dimensions, the most active first
    Z = vae.transform(X)
    assert Z.shape == (len(X), 3)
    order = np.argsort(-vae.latent_activity_)[:3]
    np.testing.assert_array_equal(Z, codes[:, order])
    assert (np.diff(Z.var(0)) <= 0).all()
    # an inactive dimension costs (almost) no KL; an active one does
    assert vae.latent_kl_[order].min() > 10 * vae.latent_kl_.max(
        initial=0, where=vae.latent_activity_ < 0.01
    )


def test_the_decoder_ignores_the_inactive_dimensions(linear_fit):
    vae, X = linear_fit
    full = vae._codes(X[:50], full=True)
    inactive = vae.latent_activity_ < 0.01
    moved = full.copy()
    moved[:, inactive] += np.random.RandomState(0).choice(
        [-1.5, 1.5], size=(50, inactive.sum())
    )
    before = decode_rows(vae.module_, full)
    after = decode_rows(vae.module_, moved)
    spread = X.std(0).mean()
    assert np.abs(after - before).max() < 0.05 * spread
    # inverse_transform puts them at their prior mean, 0
    Z = vae.transform(X[:50])
    at_zero = full.copy()
    at_zero[:, inactive] = 0
    np.testing.assert_allclose(
        vae.inverse_transform(Z),
        decode_rows(vae.module_, at_zero),
        rtol=1e-5,
        atol=1e-6,
    )


def test_names_and_widths_follow_n_components_(linear_fit):
    vae, _ = linear_fit
    names = vae.get_feature_names_out()
    assert names.tolist() == ["vaetransformer0", "vaetransformer1", "vaetransformer2"]
    with pytest.raises(ValueError, match="3"):
        vae.inverse_transform(np.zeros((2, 6)))


def test_an_int_keeps_every_dimension_ordered_by_activity(linear_fit):
    _, X = linear_fit
    vae = VAETransformer(6, **SMALL).fit(X)
    assert vae.n_components_ == 6
    assert vae.transform(X).shape == (len(X), 6)
    assert (np.diff(vae.transform(X).var(0)) <= 1e-6).all()


def test_auto_is_deterministic_and_works_for_every_estimator():
    X = _linear(n=600)
    a = VAETransformer(max_iter=20, **SMALL).fit(X)
    b = VAETransformer(max_iter=20, **SMALL).fit(X)
    np.testing.assert_array_equal(a.latent_activity_, b.latent_activity_)
    assert a.n_components_ == b.n_components_
    holes = X.copy()
    holes[np.random.RandomState(1).rand(*X.shape) < 0.2] = np.nan
    for est in (
        VAEOutlierDetector(max_iter=20, **SMALL).fit(X),
        VAEImputer(max_iter=20, **SMALL).fit(holes),
    ):
        assert 1 <= est.n_components_ <= est.module_.config.n_components
        assert est.latent_activity_.shape == (est.module_.config.n_components,)


@pytest.mark.parametrize(
    ("estimator", "d", "fitted"),
    [
        (VAETransformer, 10, 5),  # half the features, rounded up
        (VAETransformer, 9, 5),
        (VAETransformer, 100, 32),  # at most 32
        (VAEImputer, 100, 32),
        (VAEOutlierDetector, 100, 8),  # the detector's cap
    ],
)
def test_auto_starts_from_half_the_features_capped(estimator, d, fitted):
    X = np.random.RandomState(0).randn(60, d)
    model = estimator(max_iter=1, **SMALL).fit(X)
    assert model.module_.config.n_components == fitted
    assert model.latent_activity_.shape == (fitted,)
    assert 1 <= model.n_components_ <= fitted
