"""A likelihood defined here, registered by name, works in every estimator.

The Laplace likelihood below is written against the public core API only
(``skvae.core.Likelihood`` and ``register_likelihood``): one class, its
traits left at their defaults, and nothing else in skvae changes.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F
from numpy.testing import assert_allclose, assert_array_equal

import skvae
from skvae import VAEImputer, VAEOutlierDetector, VAETransformer
from skvae.core import LIKELIHOODS, Likelihood, register_likelihood

MIN_SCALE = 1e-3


class Laplace(Likelihood):
    """p(x | z) = exp(-|x - loc| / b) / (2 b), with b = softplus(raw) + 1e-3."""

    name = "laplace"
    n_params = 2

    def _split(self, out):
        loc, raw = out.chunk(2, dim=-1)
        return loc, F.softplus(raw) + MIN_SCALE

    def log_prob(self, out, x):
        loc, b = self._split(out)
        return -torch.log(2.0 * b) - (x - loc).abs() / b

    def mean(self, out):
        return self._split(out)[0]

    def sample(self, out, generator=None):
        loc, b = self._split(out)
        u = torch.rand(loc.shape, generator=generator, device=loc.device) - 0.5
        return loc - b * torch.sign(u) * torch.log1p(-2.0 * u.abs().to(loc.dtype))

    def saturated_log_prob(self, x):
        # the density at its location with the smallest scale
        return torch.full_like(x, -math.log(2.0 * MIN_SCALE))


@pytest.fixture(scope="module")
def laplace():
    register_likelihood(Laplace)
    yield "laplace"
    LIKELIHOODS.pop("laplace")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    z = rng.randn(300, 2)
    return z @ rng.randn(2, 5) + rng.laplace(scale=0.3, size=(300, 5))


FAST = {"hidden_layer_sizes": (16,), "max_iter": 15, "random_state": 0}


@pytest.mark.parametrize("cls", [VAETransformer, VAEOutlierDetector])
def test_a_registered_likelihood_fits_scores_samples_and_saves(
    cls, laplace, data, tmp_path
):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = cls(likelihood=laplace, **FAST).fit(data)
    assert est.likelihood_ == "laplace"
    assert isinstance(est.module_.likelihood, Laplace)
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    scores = est.score_samples(data)
    assert scores.shape == (300,) and np.isfinite(scores).all()
    draws = est.sample(20, random_state=0, mean=False)
    assert draws.shape == (20, 5) and np.isfinite(draws).all()
    for back in (
        skvae.load(est.save(tmp_path / "laplace.skvae")),
        pickle.loads(pickle.dumps(est)),
    ):
        assert isinstance(back.module_.likelihood, Laplace)
        assert_array_equal(back.score_samples(data), scores)
        assert_array_equal(back.sample(20, random_state=0, mean=False), draws)


def test_the_score_is_the_laplace_log_density(laplace, data):
    """The ELBO's reconstruction term is this class's own log-density."""
    vae = VAETransformer(likelihood=laplace, **FAST).fit(data)
    per_feature = vae.score_samples_per_feature(data[:5])
    model = vae.module_
    x = torch.as_tensor(data[:5], dtype=torch.float32)
    eps = skvae.core._inference.scoring_noise(model, vae.n_score_draws, vae._score_seed)
    with torch.no_grad():
        loc, log_scale = model.encode(x)
        out = model.decode(loc + torch.exp(log_scale) * eps)
        loc_x, b = Laplace(5)._split(out)
        expected = (-torch.log(2 * b) - (x - loc_x).abs() / b).mean(0)
    assert_allclose(per_feature, expected.numpy(), rtol=1e-5, atol=1e-5)


def test_a_registered_likelihood_imputes_and_models_a_column(laplace, data):
    holes = data.copy()
    holes[np.random.RandomState(1).rand(*data.shape) < 0.2] = np.nan
    imputer = VAEImputer(likelihood=laplace, **FAST).fit(holes)
    filled = imputer.transform(holes)
    assert not np.isnan(filled).any()
    assert_array_equal(filled[~np.isnan(holes)], holes[~np.isnan(holes)])
    frame = pd.DataFrame(data, columns=list("abcde")).assign(
        flag=data[:, 0] > 0, colour=np.where(data[:, 1] > 0, "red", "blue")
    )
    mixed = VAETransformer(likelihood={"a": laplace}, **FAST).fit(frame)
    assert mixed.likelihood_["a"] == "laplace"
    assert mixed.likelihood_["b"] == "gaussian"
    assert mixed.sample(5, random_state=0).shape == (5, 7)


def test_names_are_checked(laplace):
    class Nameless(Likelihood):
        pass

    with pytest.raises(ValueError, match="non-empty string"):
        register_likelihood(Nameless)
    with pytest.raises(ValueError, match="registered already"):
        register_likelihood(type("Other", (Laplace,), {}))
    with pytest.raises(TypeError, match="not a subclass"):
        register_likelihood(dict)
    with pytest.raises(ValueError, match="register_likelihood adds one"):
        VAETransformer(likelihood="nope").fit(np.zeros((5, 2)))
