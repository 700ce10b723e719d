"""Counts, positive reals, categories and the per-column likelihood, in closed form."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import pytest
import torch
from scipy import stats

from skvae.core import build_likelihood
from skvae.core.likelihoods import (
    Categorical,
    Heterogeneous,
    LogNormal,
    NegativeBinomial,
    Ordinal,
    Poisson,
)
from skvae.core.likelihoods._math import standard_gamma
from skvae.core.likelihoods._registry import MAX_LEVELS, parse_spec

SOFTPLUS_INV_2 = math.log(math.e**2 - 1.0)  # softplus(.) = 2


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_poisson_log_prob_mean_and_draws():
    lik = Poisson(3)
    log_rate = torch.tensor([[-1.0, 0.5, 2.0]], dtype=torch.float64)
    x = torch.tensor([[0.0, 3.0, 11.0]], dtype=torch.float64)
    expected = stats.poisson.logpmf(x.numpy(), np.exp(log_rate.numpy()))
    np.testing.assert_allclose(lik.log_prob(log_rate, x).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(lik.mean(log_rate).numpy(), np.exp(log_rate.numpy()))
    draws = lik.sample(log_rate.expand(100_000, 3), generator=_gen())
    rate = np.exp(log_rate.numpy()[0])
    np.testing.assert_allclose(draws.mean(0).numpy(), rate, rtol=0.02)
    np.testing.assert_allclose(draws.var(0).numpy(), rate, rtol=0.03)
    # saturated: the pmf at x of the Poisson with mean x, the largest any rate gives
    sat = lik.saturated_log_prob(x)
    np.testing.assert_allclose(sat.numpy(), stats.poisson.logpmf(x, x), rtol=1e-12)
    assert (lik.log_prob(log_rate, x) <= sat).all()


def test_negative_binomial_log_prob_and_moments():
    lik = NegativeBinomial(3)
    log_mu = torch.tensor([[0.0, 1.5, 3.0]], dtype=torch.float64)
    raw = torch.full((1, 3), SOFTPLUS_INV_2, dtype=torch.float64)
    out = torch.cat([log_mu, raw], -1)
    phi = 2.0 + 1e-4
    mu = np.exp(log_mu.numpy())
    x = torch.tensor([[0.0, 4.0, 30.0]], dtype=torch.float64)
    expected = stats.nbinom.logpmf(x.numpy(), phi, phi / (phi + mu))
    np.testing.assert_allclose(lik.log_prob(out, x).numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(lik.mean(out).numpy(), mu)
    draws = lik.sample(out.expand(200_000, 6), generator=_gen(1))
    np.testing.assert_allclose(draws.mean(0).numpy(), mu[0], rtol=0.02)
    np.testing.assert_allclose(
        draws.var(0).numpy(), mu[0] + mu[0] ** 2 / phi, rtol=0.05
    )


def test_negative_binomial_tends_to_poisson():
    x = torch.arange(0.0, 20.0, dtype=torch.float64).view(1, -1)
    log_mu = torch.full_like(x, math.log(4.0))
    out = torch.cat([log_mu, torch.full_like(x, 1e7)], -1)  # phi = 1e7
    np.testing.assert_allclose(
        NegativeBinomial(20).log_prob(out, x).numpy(),
        Poisson(20).log_prob(log_mu, x).numpy(),
        atol=1e-5,
    )


@pytest.mark.parametrize("shape", [0.3, 1.0, 4.0])
def test_standard_gamma_moments_and_reproducibility(shape):
    a = torch.full((200_000,), shape, dtype=torch.float64)
    draws = standard_gamma(a, _gen(2))
    assert (draws > 0).all()
    assert draws.mean().item() == pytest.approx(shape, rel=0.02)
    assert draws.var().item() == pytest.approx(shape, rel=0.05)
    assert torch.equal(draws, standard_gamma(a, _gen(2)))


def test_lognormal_is_a_density_of_x():
    lik = LogNormal(2, var_floor=0.0).double()
    loc = torch.tensor([[0.5, 2.0]], dtype=torch.float64)
    out = torch.cat([loc, torch.full_like(loc, SOFTPLUS_INV_2)], -1)  # var = 2
    x = torch.tensor([[0.0, 7.5]], dtype=torch.float64)
    expected = stats.lognorm.logpdf(
        1.0 + x.numpy(), s=math.sqrt(2.0), scale=np.exp(loc.numpy())
    )
    np.testing.assert_allclose(lik.log_prob(out, x).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(lik.mean(out).numpy(), np.expm1(loc.numpy() + 1.0))
    # a density on x > -1: it integrates to 1 there
    grid = torch.linspace(-1 + 1e-9, 2000.0, 2_000_001, dtype=torch.float64)
    grid = grid.view(-1, 1)
    one = LogNormal(1, var_floor=0.0).double()
    density = one.log_prob(out[:, [0, 2]].expand(len(grid), 2), grid).exp()
    assert torch.trapezoid(density[:, 0], grid[:, 0]).item() == pytest.approx(
        1.0, abs=1e-3
    )
    draws = lik.sample(out.expand(100_000, 4), generator=_gen(3))
    assert (draws > -1).all()
    np.testing.assert_allclose(
        torch.log1p(draws).mean(0).numpy(), loc.numpy()[0], atol=0.02
    )


def test_categorical_log_prob_mode_probabilities_and_draws():
    lik = Categorical(1, 3)
    logits = torch.tensor([[0.0, 1.0, -1.0]], dtype=torch.float64)
    probs = np.exp(logits.numpy()) / np.exp(logits.numpy()).sum()
    for level in range(3):
        x = torch.tensor([[float(level)]], dtype=torch.float64)
        assert lik.log_prob(logits, x).item() == pytest.approx(np.log(probs[0, level]))
    assert lik.mean(logits).item() == 1.0
    np.testing.assert_allclose(lik.expected(logits).numpy(), probs)
    draws = lik.sample(logits.expand(200_000, 3), generator=_gen(4))
    freq = np.bincount(draws[:, 0].long().numpy(), minlength=3) / 200_000
    np.testing.assert_allclose(freq, probs[0], atol=0.005)
    # broadcasting over Monte Carlo draws: (S, n, K) logits, (n, 1) codes
    out = torch.randn(5, 4, 3, generator=_gen(5), dtype=torch.float64)
    x = torch.tensor([[0.0], [2.0], [1.0], [2.0]], dtype=torch.float64)
    lp = lik.log_prob(out, x)
    assert lp.shape == (5, 4, 1)
    np.testing.assert_allclose(
        lp[2, 1, 0].item(), torch.log_softmax(out[2, 1], -1)[2].item()
    )
    np.testing.assert_array_equal(
        lik.features(x).numpy(), np.eye(3)[[0, 2, 1, 2]].astype(np.float64)
    )


def test_heterogeneous_log_prob_is_the_sum_of_per_column_closed_forms():
    specs = ["gaussian", "categorical:3", "poisson", "gaussian", "negbin", "bernoulli"]
    lik = build_likelihood(specs, var_floor=0.0).double()
    assert isinstance(lik, Heterogeneous)
    # blocks: gaussian (2 cols x 2), categorical (3), poisson (1), negbin (2), bern (1)
    assert lik.n_outputs == 4 + 3 + 1 + 2 + 1
    assert lik.n_inputs == 2 + 3 + 1 + 1 + 1
    out = torch.randn(2, 11, generator=_gen(6), dtype=torch.float64)
    x = torch.tensor(
        [[0.3, 2.0, 4.0, -1.0, 7.0, 1.0], [1.1, 0.0, 0.0, 0.5, 1.0, 0.0]],
        dtype=torch.float64,
    )
    lp = lik.log_prob(out, x)
    assert lp.shape == (2, 6)
    loc, raw = out[:, [0, 1]], out[:, [2, 3]]
    var = torch.nn.functional.softplus(raw).numpy()
    gauss = stats.norm.logpdf(x[:, [0, 3]].numpy(), loc.numpy(), np.sqrt(var))
    logits = out[:, 4:7].numpy()
    cat = logits[np.arange(2), x[:, 1].long().numpy()] - np.log(np.exp(logits).sum(1))
    pois = stats.poisson.logpmf(x[:, 2].numpy(), np.exp(out[:, 7].numpy()))
    mu, phi = np.exp(out[:, 8].numpy()), torch.nn.functional.softplus(out[:, 9]).numpy()
    phi = phi + 1e-4
    nb = stats.nbinom.logpmf(x[:, 4].numpy(), phi, phi / (phi + mu))
    p = 1.0 / (1.0 + np.exp(-out[:, 10].numpy()))
    bern = stats.bernoulli.logpmf(x[:, 5].numpy(), p)
    expected = np.column_stack([gauss[:, 0], cat, pois, gauss[:, 1], nb, bern])
    np.testing.assert_allclose(lp.numpy(), expected, rtol=1e-9)
    # mean, draws and averaged statistics come back in column order
    mean = lik.mean(out)
    assert mean.shape == (2, 6)
    np.testing.assert_array_equal(mean[:, 1].numpy(), logits.argmax(1))
    np.testing.assert_allclose(mean[:, 2].numpy(), np.exp(out[:, 7].numpy()))
    assert torch.equal(lik.from_expected(lik.expected(out)), mean)
    draws = lik.sample(out, generator=_gen(7))
    assert draws.shape == (2, 6)
    assert torch.isin(
        draws[:, 1], torch.tensor([0.0, 1.0, 2.0], dtype=draws.dtype)
    ).all()


def test_heterogeneous_round_trips_through_pickle():
    import pickle

    lik = build_likelihood(["categorical:4", "lognormal", "gaussian"], var_floor=0.1)
    back = pickle.loads(pickle.dumps(lik))
    out = torch.randn(3, 8, generator=_gen(8))
    x = torch.tensor([[1.0, 2.0, 0.0]] * 3)
    assert torch.equal(back.log_prob(out, x), lik.log_prob(out, x))


def test_level_limit_is_stated():
    assert parse_spec("categorical:5") == (Categorical, 5)
    with pytest.raises(ValueError, match=f"2 to {MAX_LEVELS} levels"):
        parse_spec(f"categorical:{MAX_LEVELS + 1}")


def test_counts_reject_negative_values():
    assert "non-negative" in Poisson(1).support_error(-1.0, 3.0)
    assert "non-negative" in LogNormal(1).support_error(-0.5, 3.0)
    assert NegativeBinomial(1).support_error(0.0, 3.0) is None


def test_marginal_params_fit_each_column():
    gen = _gen(9)
    x = torch.poisson(torch.full((20_000, 1), 6.0), generator=gen).double()
    np.testing.assert_allclose(
        Poisson(1).marginal_params(x).exp().numpy(), x.mean(0).numpy()
    )
    codes = torch.tensor([[0.0]] * 10 + [[2.0]] * 30)
    probs = torch.softmax(Categorical(1, 3).marginal_params(codes), 0)
    assert probs.argmax().item() == 2 and probs[1] < probs[0] < probs[2]


def test_ordinal_is_a_cumulative_logit_model():
    lik = Ordinal(1, 4)
    eta = torch.tensor([[0.3], [-2.0]], dtype=torch.float64)
    raw = torch.tensor([[-1.0, 0.0, 1.0], [-1.0, 0.0, 1.0]], dtype=torch.float64)
    out = torch.cat([eta, raw], -1)
    sp = math.log1p(math.e**0)  # softplus(0)
    cuts = np.array([-1.0, -1.0 + sp, -1.0 + sp + math.log1p(math.e)])
    for row in range(2):
        cdf = 1 / (1 + np.exp(-(cuts - eta[row, 0].item())))
        probs = np.diff(np.r_[0.0, cdf, 1.0])
        for level in range(4):
            x = torch.tensor([[float(level)]], dtype=torch.float64)
            got = lik.log_prob(out[row : row + 1], x).item()
            assert got == pytest.approx(np.log(probs[level]), rel=1e-10)
        np.testing.assert_allclose(lik.expected(out[row]).numpy(), probs, rtol=1e-10)
    # extreme locations stay finite, and the probabilities sum to 1
    far = torch.cat([torch.tensor([[60.0], [-60.0]]), raw.float()], -1)
    assert torch.isfinite(lik._log_probs(far)).all()
    np.testing.assert_allclose(lik.expected(far).sum(-1).numpy(), 1.0, rtol=1e-5)
    # gradients flow without NaN at the ends
    out = out.clone().requires_grad_(True)
    lik.log_prob(
        out, torch.tensor([[0.0], [3.0]], dtype=torch.float64)
    ).sum().backward()
    assert torch.isfinite(out.grad).all()
    # draws follow the probabilities
    draws = lik.sample(out.detach()[:1].expand(100_000, 4), generator=_gen(10))
    freq = np.bincount(draws[:, 0].long().numpy(), minlength=4) / 100_000
    cdf = 1 / (1 + np.exp(-(cuts - 0.3)))
    np.testing.assert_allclose(freq, np.diff(np.r_[0.0, cdf, 1.0]), atol=0.005)
    # the marginal fit reproduces the level frequencies
    codes = torch.tensor([[0.0]] * 10 + [[1.0]] * 50 + [[2.0]] * 30 + [[3.0]] * 10)
    fitted = lik.expected(lik.marginal_params(codes).view(1, -1))[0]
    np.testing.assert_allclose(fitted.numpy(), [0.1, 0.5, 0.3, 0.1], atol=0.01)


@pytest.mark.parametrize("kind", ["categorical", "ordinal"])
def test_category_columns_with_the_same_levels_are_one_block(kind):
    """Same-K columns evaluated together give each column's one-column result."""
    specs = [f"{kind}:3", "gaussian", f"{kind}:3", f"{kind}:4", f"{kind}:3"]
    lik = build_likelihood(specs, var_floor=0.0)
    assert len(lik.blocks) == 3  # the three 3-level columns, gaussian, 4 levels
    assert lik.n_outputs == 3 * 3 + 2 + 4
    one = {3: build_likelihood([f"{kind}:3"]), 4: build_likelihood([f"{kind}:4"])}
    gen = _gen(11)
    out = torch.randn(7, 2, lik.n_outputs, generator=gen, dtype=torch.float64)
    x = torch.stack(
        [
            torch.randint(0, 3, (2,), generator=gen),
            torch.zeros(2, dtype=torch.long),
            torch.randint(0, 3, (2,), generator=gen),
            torch.randint(0, 4, (2,), generator=gen),
            torch.randint(0, 3, (2,), generator=gen),
        ],
        -1,
    ).double()
    lp, mean = lik.log_prob(out, x), lik.mean(out)
    assert lp.shape == mean.shape == (7, 2, 5)
    # the 3-level block's outputs: column 0, 2, 4's logits in turn
    slices = {0: slice(0, 3), 2: slice(3, 6), 4: slice(6, 9), 3: slice(11, 15)}
    for j, o in slices.items():
        single = one[o.stop - o.start]
        np.testing.assert_allclose(
            lp[..., j].numpy(),
            single.log_prob(out[..., o], x[:, j : j + 1])[..., 0].numpy(),
            rtol=1e-12,
        )
        np.testing.assert_array_equal(
            mean[..., j].numpy(), single.mean(out[..., o])[..., 0].numpy()
        )
    assert torch.equal(lik.from_expected(lik.expected(out)), mean)
    probs = lik.expected(out)[..., :9].unflatten(-1, (3, 3))
    np.testing.assert_allclose(probs.sum(-1).numpy(), 1.0, rtol=1e-12)
    # the marginal fit of each column on its own codes
    codes = torch.tensor([[0, 0, 2, 1, 1]] * 10 + [[2, 0, 2, 3, 1]] * 30).double()
    params = lik.marginal_params(codes)
    for j, o in slices.items():
        single = one[o.stop - o.start]
        np.testing.assert_allclose(
            params[o].numpy(),
            single.marginal_params(codes[:, j : j + 1]).numpy(),
            rtol=1e-12,
        )
    draws = lik.sample(out, generator=_gen(12))
    assert draws.shape == (7, 2, 5)
    assert ((draws[..., [0, 2, 4]] >= 0) & (draws[..., [0, 2, 4]] <= 2)).all()
