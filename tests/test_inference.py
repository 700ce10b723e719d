"""The core's blockwise inference and statistics: one rule, exact results."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal

from skvae import VAE, VAEConfig
from skvae.core import _inference as inference
from skvae.core import elbo_per_feature
from skvae.core._utils import BLOCK_NUMBERS, column_stats, rows_per_block, value_range

X = np.random.RandomState(0).rand(300, 6)


@pytest.fixture(scope="module")
def model():
    config = VAEConfig(n_features=6, n_components=2, hidden_layer_sizes=(8,))
    return VAE(
        config, generator=torch.Generator().manual_seed(0), dtype=torch.float64
    ).eval()


def test_rows_per_block_keeps_a_block_within_the_budget():
    assert rows_per_block(1) == BLOCK_NUMBERS
    assert rows_per_block(BLOCK_NUMBERS * 10) == 1  # never zero rows
    assert rows_per_block(1000) * 1000 <= BLOCK_NUMBERS


def test_column_stats_match_numpy_in_one_pass(monkeypatch):
    import skvae.core._utils as utils

    monkeypatch.setattr(utils, "STREAM_ROWS", 7)  # many blocks, uneven last one
    stats = column_stats(X.astype(np.float32))
    X32 = X.astype(np.float32).astype(np.float64)
    assert_array_equal(stats["min"], X32.min(0))
    assert_array_equal(stats["max"], X32.max(0))
    assert_allclose(stats["mean"], X32.mean(0), rtol=1e-12)
    assert_allclose(stats["var"], X32.var(0), rtol=1e-10)
    assert_array_equal(value_range(X)[0], X.min(0))
    assert_array_equal(value_range(X)[1], X.max(0))
    assert stats["empty_rows"].size == 0 and value_range(X)[2].size == 0


def test_column_stats_and_range_skip_missing_entries(monkeypatch):
    import skvae.core._utils as utils

    monkeypatch.setattr(utils, "STREAM_ROWS", 7)
    Xm = X.copy()
    rng = np.random.RandomState(1)
    Xm[rng.rand(*X.shape) < 0.3] = np.nan
    Xm[[4, 11]] = np.nan  # two rows with nothing observed, in different blocks
    Xm[:, 2] = np.nan  # a column with nothing observed
    stats = column_stats(Xm)
    assert_array_equal(stats["count"], (~np.isnan(Xm)).sum(0))
    observed = stats["count"] > 0
    with np.errstate(invalid="ignore"):
        assert_allclose(stats["mean"][observed], np.nanmean(Xm, 0)[observed])
        assert_allclose(stats["var"][observed], np.nanvar(Xm, 0)[observed])
    assert_array_equal(stats["min"][observed], np.nanmin(Xm[:, observed], 0))
    assert stats["mean"][2] == 0 and stats["var"][2] == 0
    assert_array_equal(stats["empty_rows"], [4, 11])
    lo, hi, empty = value_range(Xm)
    assert_array_equal(lo[observed], np.nanmin(Xm[:, observed], 0))
    assert_array_equal(hi[observed], np.nanmax(Xm[:, observed], 0))
    assert lo[2] == np.inf and hi[2] == -np.inf
    assert_array_equal(empty, [4, 11])


def test_blocks_do_not_change_the_results(model, monkeypatch):
    draws = {"n_draws": 5, "seed": 0}
    eps = inference.scoring_noise(model, 5, seed=0)
    whole = inference.score_rows(model, X, **draws)
    monkeypatch.setattr(inference, "rows_per_block", lambda width: 7)
    assert_allclose(inference.score_rows(model, X, **draws), whole, rtol=1e-12)
    per_feature = inference.score_rows(model, X, **draws, per_feature=True)
    with torch.no_grad():
        reconstruction, kl = elbo_per_feature(model, torch.as_tensor(X), eps=eps)
    assert_allclose(per_feature, reconstruction.numpy(), rtol=1e-12)
    assert_allclose(per_feature.sum(1) - kl.numpy(), whole, rtol=1e-10)


def test_relative_scores_subtract_the_saturated_log_likelihood(model):
    absolute = inference.score_rows(model, X, n_draws=3, seed=1)
    relative = inference.score_rows(model, X, n_draws=3, seed=1, relative=True)
    saturated = model.likelihood.saturated_log_prob(torch.as_tensor(X)).sum(-1)
    assert_allclose(absolute - relative, saturated.numpy(), rtol=1e-12)


def test_iwae_with_one_draw_is_the_single_draw_elbo(model):
    """With K = 1 and the KL term estimated from the same draw, they coincide."""
    standard = (np.zeros((1, 2)), np.zeros((1, 2)))  # a mixture of one N(0, I)
    elbo = inference.score_rows(model, X, n_draws=1, seed=2, prior=standard)
    iwae = inference.score_rows(model, X, n_draws=1, seed=2, method="iwae")
    assert_allclose(iwae, elbo, rtol=1e-10)


def test_encode_decode_and_sample_rows(model):
    codes = inference.encode_rows(model, X, scale=True)
    with torch.no_grad():
        loc, log_scale = model.encode(torch.as_tensor(X))
    assert_array_equal(codes, torch.cat([loc, log_scale], -1).numpy())
    decoded = inference.decode_rows(model, codes[:, :2])
    assert decoded.shape == X.shape and decoded.dtype == X.dtype
    a = inference.sample_rows(model, 4, seed=3, mean=False)
    assert_array_equal(a, inference.sample_rows(model, 4, seed=3, mean=False))
    assert a.shape == (4, 6) and a.dtype == np.float64


def test_non_finite_output_names_the_rows(model):
    bad = X.copy()
    bad[[3, 7]] = 1e300
    with pytest.raises(ValueError, match=r"2 row\(s\) of X \(first: \[3, 7\]\)"):
        inference.score_rows(model, bad, n_draws=1, seed=0)
