"""The torch core: KL, ELBO, IWAE, sampling and seeding, without scikit-learn."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import pickle

import pytest
import torch
from torch.distributions import Normal, kl_divergence

from skvae import VAE, VAEConfig
from skvae.core import build_likelihood, elbo, elbo_per_feature, log_marginal_likelihood
from skvae.core._priors import MixturePrior, gaussian_kl, log_mean_exp


def _model(**kw):
    cfg = VAEConfig(n_features=6, n_components=3, hidden_layer_sizes=(16,), **kw)
    return VAE(cfg, generator=torch.Generator().manual_seed(0), dtype=torch.float64)


def test_gaussian_kl_matches_torch_distributions():
    gen = torch.Generator().manual_seed(0)
    loc = torch.randn(10, 4, generator=gen, dtype=torch.float64)
    log_scale = torch.randn(10, 4, generator=gen, dtype=torch.float64)
    expected = kl_divergence(Normal(loc, log_scale.exp()), Normal(0.0, 1.0))
    torch.testing.assert_close(gaussian_kl(loc, log_scale), expected)


def test_gaussian_kl_is_zero_at_the_prior():
    zeros = torch.zeros(3, 2)
    assert torch.equal(gaussian_kl(zeros, zeros), zeros)


def test_elbo_equals_its_terms_computed_by_hand():
    model = _model()
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(5, 6, generator=gen, dtype=torch.float64)
    eps = torch.randn(4, 1, 3, generator=gen, dtype=torch.float64)
    loc, log_scale = model.encode(x)
    z = loc + log_scale.exp() * eps  # (4, 5, 3)
    out = model.decode(z)
    mean, raw = out.chunk(2, dim=-1)
    var = torch.nn.functional.softplus(raw) + model.config.var_floor
    log_px = Normal(mean, var.sqrt()).log_prob(x).sum(-1).mean(0)
    kl = kl_divergence(Normal(loc, log_scale.exp()), Normal(0.0, 1.0)).sum(-1)
    torch.testing.assert_close(elbo(model, x, eps=eps), log_px - kl)
    rec, kl2 = elbo_per_feature(model, x, eps=eps)
    assert rec.shape == (5, 6)
    torch.testing.assert_close(rec.sum(-1) - kl2, log_px - kl)


def test_iwae_with_one_sample_is_the_elbo_estimate_with_mc_kl():
    model = _model(likelihood="bernoulli")
    gen = torch.Generator().manual_seed(2)
    x = torch.rand(5, 6, generator=gen, dtype=torch.float64).round()
    eps = torch.randn(1, 5, 3, generator=gen, dtype=torch.float64)
    loc, log_scale = model.encode(x)
    z = loc + log_scale.exp() * eps[0]
    q = Normal(loc, log_scale.exp())
    log_w = (
        model.likelihood.log_prob(model.decode(z), x).sum(-1)
        + Normal(0.0, 1.0).log_prob(z).sum(-1)
        - q.log_prob(z).sum(-1)
    )
    torch.testing.assert_close(log_marginal_likelihood(model, x, eps=eps), log_w)


def test_mixture_prior_log_prob_matches_torch_distributions():
    gen = torch.Generator().manual_seed(3)
    loc = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    log_scale = 0.3 * torch.randn(4, 3, generator=gen, dtype=torch.float64)
    z = torch.randn(7, 5, 3, generator=gen, dtype=torch.float64)
    mixture = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(torch.ones(4, dtype=torch.float64)),
        torch.distributions.Independent(Normal(loc, log_scale.exp()), 1),
    )
    prior = MixturePrior(loc, log_scale)
    torch.testing.assert_close(prior.log_prob(z), mixture.log_prob(z))
    with pytest.raises(ValueError, match="shape"):
        MixturePrior(loc, log_scale[:, :2])


def test_mixture_prior_is_accurate_for_narrow_components_in_float32():
    """The expanded quadratic form cancels near a narrow component's mean."""
    gen = torch.Generator().manual_seed(5)
    loc = torch.randn(3, 4, generator=gen)
    log_scale = torch.full((3, 4), -6.0)  # sd 0.0025: precision 1.6e5
    z = loc[0] + 0.003 * torch.randn(6, 4, generator=gen)
    exact = torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(torch.ones(3, dtype=torch.float64)),
        torch.distributions.Independent(
            Normal(loc.double(), log_scale.double().exp()), 1
        ),
    ).log_prob(z.double())
    got = MixturePrior(loc, log_scale).log_prob(z)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got.double(), exact, rtol=1e-6, atol=1e-4)


def test_elbo_with_a_standard_normal_mixture_prior_estimates_the_same_kl():
    """One N(0, I) component: the Monte Carlo KL is unbiased for the closed form."""
    model = _model(likelihood="bernoulli")
    gen = torch.Generator().manual_seed(4)
    x = torch.rand(5, 6, generator=gen, dtype=torch.float64).round()
    eps = torch.randn(20000, 1, 3, generator=gen, dtype=torch.float64)
    prior = MixturePrior(torch.zeros(1, 3, dtype=torch.float64), torch.zeros(1, 3))
    rec, kl_mc = elbo_per_feature(model, x, eps=eps, prior=prior)
    _, kl = elbo_per_feature(model, x, eps=eps)
    torch.testing.assert_close(kl_mc, kl, rtol=0.0, atol=0.05)
    torch.testing.assert_close(
        elbo(model, x, eps=eps, prior=prior), rec.sum(-1) - kl_mc
    )
    # Importance weighting with that prior is the same estimate as without.
    torch.testing.assert_close(
        log_marginal_likelihood(model, x, eps=eps[:50], prior=prior),
        log_marginal_likelihood(model, x, eps=eps[:50]),
    )


def test_iwae_chunking_does_not_change_the_result():
    model = _model()
    x = torch.randn(
        7, 6, generator=torch.Generator().manual_seed(3), dtype=torch.float64
    )
    eps = torch.randn(
        50, 1, 3, generator=torch.Generator().manual_seed(4), dtype=torch.float64
    )
    full = log_marginal_likelihood(model, x, eps=eps)
    chunked = log_marginal_likelihood(model, x, eps=eps, chunk_size=7)
    torch.testing.assert_close(full, chunked)


def test_iwae_is_above_the_elbo_and_tightens_with_k():
    model = _model()
    n = 1000
    x = torch.randn(
        n, 6, generator=torch.Generator().manual_seed(5), dtype=torch.float64
    )
    gen = torch.Generator().manual_seed(6)

    def eps(k):  # independent draws for every row
        return torch.randn(k, n, 3, generator=gen, dtype=torch.float64)

    with torch.no_grad():
        bound = elbo(model, x, eps=eps(1000)).mean().item()
        iw = [
            log_marginal_likelihood(model, x, eps=eps(k)).mean().item()
            for k in (1, 10, 100, 1000)
        ]
    # K = 1 is an unbiased estimate of the ELBO (with a Monte Carlo KL)
    assert iw[0] == pytest.approx(bound, abs=0.15)
    assert iw[1] > bound
    assert iw[0] < iw[1] < iw[2] < iw[3]


def test_log_mean_exp_is_stable():
    x = torch.tensor([1000.0, 1000.0])
    assert log_mean_exp(x).item() == pytest.approx(1000.0)
    assert log_mean_exp(torch.tensor([0.0, math.log(3.0)])).item() == pytest.approx(
        math.log(2.0)
    )


def test_generator_reproducibility_and_global_rng_untouched():
    before = torch.random.get_rng_state()
    a, b = _model(), _model()
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    x1 = a.sample(4, generator=torch.Generator().manual_seed(9))
    x2 = b.sample(4, generator=torch.Generator().manual_seed(9))
    assert torch.equal(x1, x2) and x1.shape == (4, 6)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_gradients_flow_to_encoder_and_decoder():
    model = _model()
    x = torch.randn(8, 6, dtype=torch.float64)
    loss = -elbo(model, x, generator=torch.Generator().manual_seed(0)).mean()
    loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and torch.isfinite(p.grad).all(), name
        assert p.grad.abs().sum() > 0, name


def test_architecture_follows_config():
    cfg = VAEConfig(
        n_features=10,
        n_components=4,
        hidden_layer_sizes=(32, 16),
        activation="tanh",
        likelihood="bernoulli",
    )
    model = VAE(cfg)
    shapes = [tuple(p.shape) for p in model.encoder.parameters()]
    assert shapes == [(32, 10), (32,), (16, 32), (16,), (8, 16), (8,)]
    assert model.decoder[-1].out_features == 10  # one logit per feature
    assert isinstance(model.encoder[1], torch.nn.Tanh)
    assert cfg.to_dict()["hidden_layer_sizes"] == [32, 16]


def test_per_feature_decoder_variance_is_shared_by_all_samples():
    cfg = VAEConfig(
        n_features=6,
        n_components=2,
        hidden_layer_sizes=(8,),
        decoder_variance="per_feature",
        var_floor=1e-3,
    )
    model = VAE(cfg, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert model.decoder[-1].out_features == 6  # means only
    z = torch.randn(5, 2, dtype=torch.float64)
    var = model.likelihood.variance(model.decode(z))
    assert var.shape == (5, 6)
    torch.testing.assert_close(var, var[:1].expand(5, 6))  # same for every z
    torch.testing.assert_close(
        var[0], torch.full((6,), 1.0 + 1e-3, dtype=torch.float64)
    )
    x = torch.randn(5, 6, dtype=torch.float64)
    (-elbo(model, x, generator=torch.Generator().manual_seed(1)).mean()).backward()
    assert model.raw_variance.grad is not None


@pytest.mark.parametrize("decoder_variance", ["per_sample", "per_feature"])
def test_studentt_degrees_of_freedom_are_per_feature_parameters(decoder_variance):
    config = VAEConfig(
        n_features=4,
        n_components=2,
        hidden_layer_sizes=(8,),
        likelihood="studentt",
        decoder_variance=decoder_variance,
    )
    model = VAE(config, generator=torch.Generator().manual_seed(0))
    out = model.decode(torch.zeros(5, 2))
    assert out.shape == (5, 8)  # location, raw squared scale: df is the likelihood's
    # training starts from the Cauchy: nu = 1 for every feature and sample
    torch.testing.assert_close(
        model.likelihood.degrees_of_freedom(out), torch.ones(5, 4)
    )
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(1))
    elbo(model, x).sum().backward()
    raw_df = model.likelihood.raw_df
    assert raw_df.grad is not None and raw_df.grad.abs().sum() > 0
    # ... also as the columns of a mixed table, one block with its own df
    mixed = build_likelihood(["studentt", "gaussian", "studentt"])
    assert mixed.blocks[0].raw_df.shape == (2,)


def test_per_feature_variance_floor_reaches_each_block_and_follows_the_buffer():
    """``set_var_floor`` floors each column's scale, also inside a per-column
    likelihood, and the floor (the likelihood's buffer) follows it through
    ``.to`` and ``load_state_dict``."""
    spec = ["gaussian", "poisson", "cauchy"]
    cfg = VAEConfig(
        n_features=3, n_components=2, hidden_layer_sizes=(8,), likelihood=spec
    )
    model = VAE(cfg, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():  # push every predicted scale towards zero
        model.decoder[-1].bias.fill_(-30.0)
        model.decoder[-1].weight.zero_()
    floor = torch.tensor([0.1, 0.2, 0.3])
    model.likelihood.set_var_floor(floor)
    gaussian, cauchy = model.likelihood.blocks[0], model.likelihood.blocks[2]
    assert torch.allclose(gaussian.var_floor, floor[:1])
    assert torch.allclose(cauchy.var_floor, floor[2:])
    assert torch.allclose(
        model.likelihood.variance_floor(), torch.tensor([0.1, 0.0, 0.3])
    )
    x = torch.tensor([[-30.0, 1.0, -30.0]])  # at the predicted locations
    lp = model.likelihood.log_prob(model.decode(torch.zeros(1, 2)), x)
    # at the floor the density at the mean is that of N(0, 0.1) and Cauchy(0, sqrt 0.3)
    assert torch.allclose(lp[0, 0], -0.5 * torch.log(2 * math.pi * floor[0]), atol=1e-4)
    assert torch.allclose(lp[0, 2], -torch.log(math.pi * floor[2].sqrt()), atol=1e-4)
    wide = model.to(torch.float64)
    assert wide.likelihood.blocks[0].var_floor.dtype == torch.float64
    fresh = VAE(cfg)
    fresh.load_state_dict(model.state_dict())
    assert torch.allclose(fresh.likelihood.blocks[2].var_floor.float(), floor[2:])


def test_fixed_variance_replaces_the_decoders_in_each_block_and_follows_the_buffer():
    """``set_fixed_variance`` sets each column's variance for every z (0 keeps
    the decoder's), also inside a per-column likelihood; no gradient reaches
    the decoder's variance outputs of a fixed column; the likelihood follows
    the buffer through ``.to``, ``load_state_dict`` and pickling."""
    spec = ["gaussian", "poisson", "cauchy"]
    cfg = VAEConfig(
        n_features=3, n_components=2, hidden_layer_sizes=(8,), likelihood=spec
    )
    model = VAE(cfg, generator=torch.Generator().manual_seed(0))
    gaussian, cauchy = model.likelihood.blocks[0], model.likelihood.blocks[2]
    assert not gaussian._fixed  # unset: nothing in the training loop
    model.likelihood.set_fixed_variance([0.5, 0.0, 0.0])
    z = torch.randn(4, 2, generator=torch.Generator().manual_seed(1))
    out = model.decode(z)
    var = model.likelihood.variance(out)
    assert torch.equal(var[:, 0], torch.full((4,), 0.5))
    assert var[:, 2].std() > 0  # the decoder's own, row by row
    assert torch.isnan(var[:, 1]).all()  # a count has no variance parameter
    x = torch.stack([out[:, 0], torch.ones(4), out[:, 4]], dim=1).detach()
    lp = model.likelihood.log_prob(out, x)
    # at the location: the density of N(0, 0.5), and 0 nats from the
    # saturated term taken at the same variance
    assert torch.allclose(lp[:, 0], torch.full((4,), -0.5 * math.log(math.pi)))
    sat = model.likelihood.saturated_log_prob(x)
    assert torch.allclose(lp[:, 0] - sat[:, 0], torch.zeros(4), atol=1e-6)
    # one unit off the location: a residual of 1 / (2 * 0.5) nats more
    lp = model.likelihood.log_prob(out, x + torch.tensor([1.0, 0.0, 0.0]))
    assert torch.allclose(lp[:, 0], torch.full((4,), -0.5 * math.log(math.pi) - 1))
    lp[:, 0].sum().backward()
    grad = model.decoder[-1].weight.grad
    # the outputs are [gaussian loc, gaussian raw, poisson, cauchy loc, raw]
    assert grad[1].abs().sum() == 0 and grad[0].abs().sum() > 0
    wide = model.to(torch.float64)
    assert wide.likelihood.blocks[0].fixed_variance.dtype == torch.float64
    fresh = VAE(cfg)
    fresh.load_state_dict(model.state_dict())
    assert torch.equal(
        fresh.likelihood.blocks[0].fixed_variance, gaussian.fixed_variance.float()
    )
    assert fresh.likelihood.blocks[0]._fixed
    again = pickle.loads(pickle.dumps(model))
    assert torch.equal(
        again.likelihood.variance(again.decode(z.double()))[:, 0], var[:, 0].double()
    )
    model.likelihood.set_fixed_variance(None)
    assert not cauchy._fixed and not gaussian._fixed
