"""Missing values: the masked ELBO and IWAE bound, imputation, and the estimators.

NaN marks a missing entry. The likelihood of a row is that of its observed
entries (MIWAE's mask); the encoder sees the missing entries as ``input_fill``.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skvae import VAE, VAEConfig, VAEImputer, VAEOutlierDetector, VAETransformer
from skvae.core import (
    _inference,
    elbo,
    elbo_per_feature,
    impute,
    log_marginal_likelihood,
)
from skvae.core._importance import _conditional_mean, importance_weights

FAST = {"hidden_layer_sizes": (16,), "max_iter": 20, "device": "cpu"}


@pytest.fixture(scope="module")
def model():
    config = VAEConfig(n_features=5, n_components=2, hidden_layer_sizes=(8,))
    vae = VAE(config, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    return vae.requires_grad_(False)


def _rows(n=40, seed=0):
    return torch.randn(n, 5, generator=torch.Generator().manual_seed(seed)).double()


def _eps(model, draws, seed=1):
    return _inference.scoring_noise(model, draws, seed)


@pytest.fixture(scope="module")
def low_rank():
    """Correlated data (rank 2 plus small noise) with 25 % of entries missing."""
    rng = np.random.RandomState(0)
    X = rng.randn(600, 2) @ rng.randn(2, 6) + 0.1 * rng.randn(600, 6)
    holes = rng.rand(*X.shape) < 0.25
    holes[holes.all(axis=1), 0] = False  # every row keeps an observed entry
    X_holes = np.where(holes, np.nan, X)
    return X, X_holes, holes


# ------------------------------------------------------------------ the core
def test_a_hole_removes_exactly_its_term_from_the_elbo(model):
    """With the encoder's input unchanged, a hole drops one feature's term."""
    x = _rows(1)
    eps = _eps(model, 7)
    holes = x.clone()
    holes[0, 3] = float("nan")
    saved = model.input_fill.clone()
    model.input_fill.copy_(x[0])  # the hole reaches the encoder as the truth
    try:
        rec, kl = elbo_per_feature(model, x, eps=eps)
        rec_h, kl_h = elbo_per_feature(model, holes, eps=eps)
        assert_allclose(kl_h, kl)
        assert rec_h[0, 3] == 0.0
        assert_allclose(rec_h[0, [0, 1, 2, 4]], rec[0, [0, 1, 2, 4]])
        assert_allclose(elbo(model, holes, eps=eps), rec.sum(-1) - rec[:, 3] - kl)
    finally:
        model.input_fill.copy_(saved)


def test_the_masked_elbo_is_the_elbo_of_the_sub_model_on_the_observed_columns():
    """Linear-Gaussian case, in closed form: drop the missing columns' weights.

    With a linear encoder, a hole at ``input_fill`` adds ``W[:, j] * fill_j`` to
    the encoder's bias, and the observed entries' deviations from the fill are
    scaled by c = d / |observed| (inverted dropout): the sub-model's encoder
    weights are ``c * W[:, observed]`` and its bias gains
    ``-(c - 1) * W[:, observed] @ fill[observed]``. The decoder's rows for the
    missing columns drop out.
    """
    d, k, observed = 5, 2, [0, 2, 3]
    missing = [1, 4]
    linear = {"hidden_layer_sizes": (), "activation": "identity"}
    gen = torch.Generator().manual_seed(0)
    full = VAE(
        VAEConfig(
            n_features=d, n_components=k, decoder_variance="per_feature", **linear
        ),
        generator=gen,
        dtype=torch.float64,
    ).requires_grad_(False)
    full.input_fill.copy_(torch.randn(d, generator=gen, dtype=torch.float64))
    with torch.no_grad():
        full.raw_variance.copy_(torch.randn(d, generator=gen, dtype=torch.float64))
    sub = VAE(
        VAEConfig(
            n_features=3, n_components=k, decoder_variance="per_feature", **linear
        ),
        dtype=torch.float64,
    ).requires_grad_(False)
    enc, dec = full.encoder[0], full.decoder[0]
    fill, c = full.input_fill, d / len(observed)
    with torch.no_grad():
        sub.encoder[0].weight.copy_(c * enc.weight[:, observed])
        sub.encoder[0].bias.copy_(
            enc.bias
            + enc.weight[:, missing] @ fill[missing]
            - (c - 1) * enc.weight[:, observed] @ fill[observed]
        )
        sub.decoder[0].weight.copy_(dec.weight[observed])
        sub.decoder[0].bias.copy_(dec.bias[observed])
        sub.raw_variance.copy_(full.raw_variance[observed])
    x = _rows(30)
    holes = x.clone()
    holes[:, missing] = float("nan")
    eps = _eps(full, 9)
    assert_allclose(elbo(full, holes, eps=eps), elbo(sub, x[:, observed], eps=eps))
    assert_allclose(
        log_marginal_likelihood(full, holes, eps=eps),
        log_marginal_likelihood(sub, x[:, observed], eps=eps),
    )


def test_the_encoder_sees_a_hole_at_input_fill_and_rescales_the_rest(model):
    """Inverted dropout: deviations from the fill scaled by d / n_observed."""
    x = _rows(3)
    fill = model.input_fill
    holes = x.clone()
    holes[:, 1] = float("nan")
    scaled = fill + (x - fill) * (5 / 4)
    scaled[:, 1] = fill[1]
    loc, log_scale = model.encoder(scaled).chunk(2, dim=-1)
    got = model.encode(holes)
    assert_allclose(got[0], loc)
    assert_allclose(got[1], log_scale)
    # a complete row is encoded exactly as the network computes it
    loc, log_scale = model.encoder(x).chunk(2, dim=-1)
    assert torch.equal(model.encode(x)[0], loc)
    assert torch.equal(model.encode(x)[1], log_scale)


def test_a_hole_removes_exactly_its_term_from_each_importance_weight(model):
    x = _rows(1)
    eps = _eps(model, 1)  # one draw: log p(x) estimate = log w_1
    holes = x.clone()
    holes[0, 2] = float("nan")
    saved = model.input_fill.clone()
    model.input_fill.copy_(x[0])
    try:
        loc, log_scale = model.encode(x)
        out = model.decode(loc + torch.exp(log_scale) * eps[0])
        term = model.likelihood.log_prob(out, x)[0, 2]
        assert_allclose(
            log_marginal_likelihood(model, holes, eps=eps),
            log_marginal_likelihood(model, x, eps=eps) - term,
            rtol=1e-12,
        )
    finally:
        model.input_fill.copy_(saved)


def test_impute_with_one_draw_is_the_decoder_mean_at_that_draw(model):
    x = _rows()
    x[::2, 0] = float("nan")
    x[1::4, 4] = float("nan")
    eps = _eps(model, 1)
    filled = impute(model, x, eps=eps, n_refine=0)
    _, mask = model.observed(x)
    loc, log_scale = model.encode(x)
    mean = model.generate(loc + torch.exp(log_scale) * eps[0])
    assert torch.equal(filled[mask], x[mask])  # observed entries pass through
    assert_allclose(filled[~mask], mean[~mask], rtol=1e-12)


def test_impute_weights_the_draws_by_the_observed_likelihood(model, monkeypatch):
    """The conditional mean is sum_k softmax(log w)_k E[x | z_k], in any chunks."""
    x = _rows(10)
    x[:, 1] = float("nan")
    eps = _eps(model, 50)
    loc, log_scale = model.encode(x)
    z = loc + torch.exp(log_scale) * eps  # (50, 10, 2)
    x_in, mask = model.observed(x)
    out = model.decode(z)
    log_w = (
        torch.where(mask, model.likelihood.log_prob(out, x_in), 0.0).sum(-1)
        - 0.5 * z.square().sum(-1)
        + 0.5 * eps.square().sum(-1)
        + log_scale.sum(-1)
    )
    expected = (torch.softmax(log_w, 0)[..., None] * model.likelihood.mean(out)).sum(0)
    whole = impute(model, x, eps=eps, n_refine=0)
    assert_allclose(whole[:, 1], expected[:, 1], rtol=1e-10)
    # one draw a chunk
    chunks, _, _ = importance_weights(model, x, None, eps, None, 1, None)
    one_by_one = _conditional_mean(model.likelihood, chunks)
    assert_allclose(one_by_one[:, 1], whole[:, 1], rtol=1e-12)


def test_a_mixture_of_one_proposal_twice_is_that_proposal(model):
    """Deterministic-mixture weights of q and q again are q's own weights."""
    x = _rows(6)
    x[:, 3] = float("nan")
    eps = _eps(model, 8)
    plain, _, _ = importance_weights(model, x, None, eps, None, None, None)
    twice, _, _ = importance_weights(
        model, x, None, eps, None, None, None, proposal_inputs=[x, x]
    )
    for (a, out_a), (b, out_b) in zip(plain, twice, strict=True):
        assert_allclose(b, a, rtol=1e-12)
        assert torch.equal(out_a, out_b)


def test_mixture_weights_are_the_closed_form_and_chunk_free(model, monkeypatch):
    """Draw k comes from component k * m // K; its weight uses the mixture density."""
    x = _rows(4)
    x[:, 0] = float("nan")
    eps = _eps(model, 6)
    x_in, mask = model.observed(x)
    other = torch.where(mask, x, 1.5)  # a complete row: encoded as it is
    inputs = [x, other]
    (log_w, _), *_ = importance_weights(
        model, x, None, eps, None, None, None, proposal_inputs=inputs
    )[0]
    params = [model.encode(e) for e in inputs]
    expected = []
    for k in range(6):
        loc, log_scale = params[k * 2 // 6]
        z = loc + torch.exp(log_scale) * eps[k]  # (4, 2)
        log_q = torch.stack(
            [
                torch.distributions.Normal(m_, torch.exp(s_)).log_prob(z).sum(-1)
                for m_, s_ in params
            ]
        )
        log_q = torch.logsumexp(log_q, 0) - np.log(2)
        log_p = torch.distributions.Normal(0.0, 1.0).log_prob(z).sum(-1)
        out = model.decode(z)
        log_lik = torch.where(mask, model.likelihood.log_prob(out, x_in), 0.0)
        expected.append(log_lik.sum(-1) + log_p - log_q)
    assert_allclose(log_w, torch.stack(expected), rtol=1e-10)
    whole = _conditional_mean(
        model.likelihood,
        importance_weights(model, x, None, eps, None, None, None, inputs)[0],
    )
    one_by_one = _conditional_mean(
        model.likelihood,
        importance_weights(model, x, None, eps, None, 1, None, inputs)[0],
    )
    assert_allclose(one_by_one, whole, rtol=1e-12)


def test_refining_the_proposal_keeps_the_conditional_mean(model):
    """With many draws every proposal estimates the same E[x_miss | x_obs]."""
    x = _rows(5)
    x[:, 1:3] = float("nan")
    eps = _eps(model, 40_000)
    plain = impute(model, x, eps=eps, n_refine=0)
    refined = impute(model, x, eps=eps, n_refine=2)
    assert not torch.equal(plain, refined)  # a different estimator ...
    assert_allclose(refined, plain, atol=0.02)  # ... of the same target
    _, mask = model.observed(x)
    assert torch.equal(refined[mask], x[mask])


def test_sampled_imputations_follow_the_importance_weights(model):
    """Resampling picks draw k with probability w_k: its mean is the SNIS mean."""
    x = _rows(1).repeat(4000, 1)
    x[:, 2] = float("nan")
    eps = _eps(model, 3)
    gen = torch.Generator().manual_seed(0)
    drawn = impute(model, x, eps=eps, generator=gen, sample=True)[:, 2]
    mean = impute(model, x[:1], eps=eps)[0, 2]
    assert abs(drawn.mean() - mean) < 4 * drawn.std() / np.sqrt(len(drawn))
    again = impute(
        model, x, eps=eps, generator=torch.Generator().manual_seed(0), sample=True
    )
    assert torch.equal(again[:, 2], drawn)


def test_a_row_with_nothing_observed_has_the_prior_as_its_posterior(model):
    x = _rows(6)
    x[2] = float("nan")
    loc, log_scale = model.encode(x)
    assert torch.equal(loc[2], torch.zeros(2)) and torch.equal(
        log_scale[2], torch.zeros(2)
    )
    # the other rows are encoded as they are alone
    kept = [0, 1, 3, 4, 5]
    assert_allclose(loc[kept], model.encode(x[kept])[0])
    # so its ELBO and its IWAE estimate are log p(nothing) = 0 exactly
    for bound in (elbo, log_marginal_likelihood):
        assert_allclose(bound(model, x[2:3], eps=_eps(model, 4)), 0.0, atol=1e-12)


# ------------------------------------------------------------ the estimators
def test_transformer_fits_transforms_and_scores_data_with_holes(low_rank):
    X, X_holes, holes = low_rank
    vae = VAETransformer(2, random_state=0, **FAST).fit(X_holes)
    assert vae.__sklearn_tags__().input_tags.allow_nan
    assert_allclose(vae.module_.input_fill.numpy(), np.nanmean(X_holes, 0), rtol=1e-6)
    # a hole is encoded as its column's mean, the observed deviations from the
    # means scaled by d / n_observed: as the complete row so made
    row = X_holes[:1].copy()
    row[0, 1] = np.nan
    fill, observed = np.nanmean(X_holes, 0), ~np.isnan(row)
    scaled = np.where(observed, fill + (row - fill) * 6 / observed.sum(), fill)
    assert_allclose(vae.transform(row), vae.transform(scaled), rtol=1e-5)
    scores = vae.score_samples(X_holes)
    assert np.isfinite(scores).all()
    per_feature = vae.score_samples_per_feature(X_holes)
    assert_array_equal(np.isnan(per_feature), holes)
    # fewer observed terms, a larger (less negative) bound on their likelihood
    assert (
        scores[holes.sum(1) >= 3].mean()
        > vae.score_samples(X[holes.sum(1) >= 3]).mean()
    )


def test_a_hole_takes_no_jacobian_of_its_columns_standardisation():
    # A table's real columns are standardised; the score in the data's units
    # loses log(scale) for each observed entry, none for a hole. Scaling a
    # column by 1000 shifts a complete row's log-density by -log(1000) and
    # leaves a row missing that column as it was.
    pd = pytest.importorskip("pandas")
    a, noise = np.random.RandomState(0).randn(2, 200)
    table = lambda s: pd.DataFrame(
        {
            "a": s * a,
            "b": a + 0.5 * noise,
            "k": pd.Categorical(np.where(a > 0, "x", "y")),
        }
    )
    scores = []
    for s in (1.0, 1000.0):
        X = table(s)
        holes = X.iloc[:5].assign(a=np.nan)
        vae = VAETransformer(1, random_state=0, **FAST).fit(X)
        scores.append([vae.score_samples(X.iloc[:5]), vae.score_samples(holes)])
    (complete, with_holes), (complete_1000, with_holes_1000) = scores
    assert_allclose(complete_1000 - complete, -np.log(1000.0), atol=1e-3)
    assert_allclose(with_holes_1000, with_holes, atol=1e-3)


def test_rows_with_nothing_observed_fit_encode_and_score_as_the_prior(low_rank):
    # Survey tables hold rows nobody answered: the transformer (a generator
    # too) fits them, encodes them at the prior mean and scores them at
    # log p(nothing) = 0; the detector, with nothing to judge, rejects them.
    _, X_holes, _ = low_rank
    X_empty = X_holes.copy()
    X_empty[[5, 50]] = np.nan
    vae = VAETransformer(2, random_state=0, **FAST).fit(X_empty)
    assert_array_equal(vae.transform(X_empty[[5, 50]]), np.zeros((2, 2)))
    assert_allclose(vae.score_samples(X_empty[[5, 50]]), 0.0, atol=1e-5)
    assert np.isfinite(vae.score_samples(X_empty)).all()
    assert not np.isnan(vae.sample(10, random_state=0)).any()
    det = VAEOutlierDetector(random_state=0, **FAST)
    with pytest.raises(ValueError, match=r"rows \[5, 50\]\): an outlier detector"):
        det.fit(X_empty)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        det.fit(X_holes)
    offset = det.offset_
    for method in (det.score_samples, det.predict, det.score_samples_per_feature):
        with pytest.raises(ValueError, match="cannot judge"):
            method(X_empty)
    assert det.offset_ == offset
    assert_array_equal(det.transform(X_empty[[5]]), np.zeros((1, det.n_components_)))


def test_partial_fit_and_a_memmap_train_on_holes(low_rank, tmp_path):
    _, X_holes, _ = low_rank
    vae = VAETransformer(2, random_state=0, **FAST)
    for chunk in np.array_split(X_holes, 3):
        vae.partial_fit(chunk)
    assert vae.n_iter_ == 3 and np.isfinite(vae.loss_curve_).all()
    path = tmp_path / "x.npy"
    np.save(path, X_holes.astype(np.float32))
    mm = np.load(path, mmap_mode="r")
    streamed = VAETransformer(2, random_state=0, **FAST).fit(mm)
    assert np.isfinite(streamed.score_samples(mm)).all()


def test_detector_scores_rows_with_holes(low_rank):
    _, X_holes, holes = low_rank
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        det = VAEOutlierDetector(random_state=0, **FAST).fit(X_holes)
    assert np.isfinite(det.decision_function(X_holes)).all()
    per_feature = det.score_samples_per_feature(X_holes)
    assert_array_equal(np.isnan(per_feature), holes)


# --------------------------------------------------------------- the imputer
@pytest.fixture(scope="module")
def imputer(low_rank):
    _, X_holes, _ = low_rank
    return VAEImputer(
        random_state=0, n_importance_draws=200, **{**FAST, "max_iter": 300}
    ).fit(X_holes)


def test_imputer_fills_only_the_holes_and_beats_the_column_mean(imputer, low_rank):
    X, X_holes, holes = low_rank
    filled = imputer.transform(X_holes)
    assert not np.isnan(filled).any()
    assert_array_equal(filled[~holes], X_holes[~holes])
    rmse = np.sqrt(np.mean((filled - X)[holes] ** 2))
    mean_rmse = np.sqrt(np.mean((np.nanmean(X_holes, 0) - X)[holes] ** 2))
    assert rmse < 0.6 * mean_rmse, (rmse, mean_rmse)


def test_only_rows_with_holes_go_through_the_model(imputer, low_rank, monkeypatch):
    X, X_holes, holes = low_rank
    seen = []
    impute = _inference.impute
    monkeypatch.setattr(
        _inference,
        "impute",
        lambda model, xb, **kw: seen.append(len(xb)) or impute(model, xb, **kw),
    )
    filled = imputer.transform(X_holes)
    assert sum(seen) == holes.any(axis=1).sum() < len(X_holes)
    assert_array_equal(filled[~holes.any(axis=1)], X[~holes.any(axis=1)])
    seen.clear()
    assert_array_equal(imputer.transform(X), X)  # complete: returned as they are
    assert seen == []


def test_imputations_are_deterministic_batch_and_row_order_invariant(
    imputer, low_rank, monkeypatch
):
    _, X_holes, _ = low_rank
    whole = imputer.transform(X_holes)
    assert_array_equal(imputer.transform(X_holes), whole)
    order = np.random.RandomState(0).permutation(len(X_holes))
    # float32: a batch of other rows rounds a product's last bits differently
    tol = {"rtol": 1e-5, "atol": 1e-6}
    assert_allclose(imputer.transform(X_holes[order]), whole[order], **tol)
    monkeypatch.setattr(_inference, "rows_per_block", lambda n: 7)
    assert_allclose(imputer.transform(X_holes), whole, **tol)


def test_grid_search_over_the_latent_size_with_holes(low_rank):
    from sklearn.model_selection import GridSearchCV

    _, X_holes, _ = low_rank
    grid = GridSearchCV(
        VAETransformer(random_state=0, **FAST), {"n_components": [1, 2]}, cv=2
    ).fit(X_holes)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()
    assert grid.best_params_["n_components"] in (1, 2)


def test_a_missing_values_marker_works_as_nan(imputer, low_rank):
    _, X_holes, _ = low_rank
    marked = np.where(np.isnan(X_holes), -999.0, X_holes)
    other = clone(imputer).set_params(missing_values=-999.0).fit(marked)
    assert_allclose(other.transform(marked), imputer.transform(X_holes), rtol=1e-6)
    with pytest.raises(ValueError, match="NaN"):
        other.transform(X_holes)  # NaN is not the marker
    with pytest.raises(ValueError, match="missing_values"):
        clone(imputer).set_params(missing_values="?").fit(X_holes)


def test_sample_posterior_gives_multiple_imputations(low_rank):
    _, X_holes, holes = low_rank
    draws = [
        VAEImputer(sample_posterior=True, random_state=seed, **FAST)
        .fit(X_holes)
        .transform(X_holes)
        for seed in (0, 1)
    ]
    assert not np.allclose(draws[0][holes], draws[1][holes])
    assert_array_equal(draws[0][~holes], draws[1][~holes])
    again = VAEImputer(sample_posterior=True, random_state=0, **FAST).fit(X_holes)
    assert_array_equal(again.transform(X_holes), draws[0])


def test_empty_features_are_dropped_or_kept_as_zero(low_rank):
    _, X_holes, _ = low_rank
    X = X_holes.copy()
    X[:, 4] = np.nan
    X[np.isnan(X).all(axis=1), 0] = 0.0  # every row keeps an observed entry
    dropped = VAEImputer(random_state=0, **FAST).fit(X)
    assert_array_equal(dropped.empty_features_, [4])
    assert dropped.transform(X).shape == (600, 5)
    assert dropped.module_.config.n_features == 5
    kept = VAEImputer(keep_empty_features=True, random_state=0, **FAST).fit(X)
    out = kept.transform(X)
    assert out.shape == (600, 6) and (out[:, 4] == 0).all()
    assert_allclose(np.delete(out, 4, axis=1), dropped.transform(X), rtol=1e-6)
    assert list(dropped.get_feature_names_out()) == ["x0", "x1", "x2", "x3", "x5"]


def test_indicator_columns_and_names(low_rank):
    _, X_holes, _ = low_rank
    X = X_holes.copy()
    X[:, 0] = np.where(np.isnan(X[:, 0]), 0.0, X[:, 0])  # column 0 complete
    imp = VAEImputer(add_indicator=True, random_state=0, **FAST).fit(X)
    assert_array_equal(imp.indicator_features_, [1, 2, 3, 4, 5])
    out = imp.transform(X)
    assert out.shape == (600, 11)
    assert_array_equal(out[:, 6:], np.isnan(X[:, 1:]))
    names = imp.get_feature_names_out()
    assert names[6] == "missingindicator_x1" and len(names) == 11


def test_bad_input_is_rejected_and_the_imputer_unchanged(imputer, low_rank):
    _, X_holes, _ = low_rank
    before = imputer.transform(X_holes[:20])
    state = {k: v.clone() for k, v in imputer.module_.state_dict().items()}
    with pytest.raises(ValueError, match="6 features"):
        imputer.transform(X_holes[:, :4])
    infinite = X_holes[:20].copy()
    infinite[5, 0] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        imputer.fit(infinite)  # rejected fit: nothing changes
    assert_array_equal(imputer.transform(X_holes[:20]), before)
    for k, v in imputer.module_.state_dict().items():
        assert torch.equal(v, state[k])


def test_the_default_budget_of_200_epochs_is_not_a_convergence_warning(low_rank):
    from sklearn.exceptions import ConvergenceWarning

    _, X_holes, _ = low_rank
    small = {"hidden_layer_sizes": (16,), "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        imputer = VAEImputer(**small).fit(X_holes[:100])  # no validation set
    assert imputer.n_iter_ == 200  # ran to the budget
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        VAEImputer(max_iter=3, **small).fit(X_holes[:100])  # the user's limit


def test_imputer_in_a_pipeline_with_pandas_output(low_rank):
    import pandas as pd

    _, X_holes, _ = low_rank
    frame = pd.DataFrame(X_holes, columns=[f"c{i}" for i in range(6)])
    y = (np.nan_to_num(X_holes[:, 0]) > 0).astype(int)
    imp = VAEImputer(random_state=0, **FAST).set_output(transform="pandas")
    out = imp.fit_transform(frame)
    assert list(out.columns) == list(frame.columns) and not out.isna().any().any()
    pipe = make_pipeline(VAEImputer(random_state=0, **FAST), LogisticRegression())
    assert pipe.fit(frame, y).score(frame, y) > 0.7


def test_imputer_saves_and_loads(imputer, low_rank, tmp_path):
    from skvae import load

    _, X_holes, _ = low_rank
    restored = load(imputer.save(tmp_path / "imp.skvae"))
    assert_array_equal(restored.transform(X_holes), imputer.transform(X_holes))
