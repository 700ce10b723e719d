"""Observation models against torch.distributions and closed forms."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import stats as scipy_stats
from torch.distributions import Bernoulli as TorchBernoulli
from torch.distributions import Cauchy as TorchCauchy
from torch.distributions import Normal

from skvae.core import build_likelihood
from skvae.core.likelihoods import Bernoulli, Cauchy, Gaussian, HurdleGaussian, StudentT


def _double(cls, n, **kwargs):
    """A likelihood of ``n`` features with its buffers in float64."""
    return cls(n, **kwargs).double()


def test_bernoulli_log_prob_matches_torch_on_binary_data():
    gen = torch.Generator().manual_seed(0)
    logits = 5 * torch.randn(4, 7, generator=gen, dtype=torch.float64)
    x = torch.bernoulli(torch.full((4, 7), 0.5, dtype=torch.float64), generator=gen)
    expected = TorchBernoulli(logits=logits).log_prob(x)
    torch.testing.assert_close(Bernoulli(7).log_prob(logits, x), expected)


def test_bernoulli_log_prob_is_negative_cross_entropy_on_grey_levels():
    logits = torch.tensor([[-30.0, 0.0, 2.0, 40.0]], dtype=torch.float64)
    x = torch.tensor([[0.2, 0.5, 0.9, 1.0]], dtype=torch.float64)
    expected = -F.binary_cross_entropy_with_logits(logits, x, reduction="none")
    got = Bernoulli(4).log_prob(logits, x)
    torch.testing.assert_close(got, expected)
    assert torch.isfinite(got).all()  # stable at extreme logits


def test_bernoulli_mean_and_support():
    lik = Bernoulli(3)
    torch.testing.assert_close(lik.mean(torch.zeros(2, 3)), torch.full((2, 3), 0.5))
    assert lik.support_error(0.0, 1.0) is None
    assert "[0, 1]" in lik.support_error(-0.1, 1.0)
    assert "MinMaxScaler" in lik.support_error(0.0, 255.0)


def test_gaussian_log_prob_matches_closed_form():
    gen = torch.Generator().manual_seed(1)
    loc = torch.randn(3, 5, generator=gen, dtype=torch.float64)
    raw = torch.randn(3, 5, generator=gen, dtype=torch.float64)
    x = torch.randn(3, 5, generator=gen, dtype=torch.float64)
    floor = 1e-3
    lik = _double(Gaussian, 5, var_floor=floor)
    out = torch.cat([loc, raw], dim=-1)
    var = F.softplus(raw) + floor
    expected = Normal(loc, var.sqrt()).log_prob(x)
    torch.testing.assert_close(lik.log_prob(out, x), expected)
    torch.testing.assert_close(lik.mean(out), loc)
    torch.testing.assert_close(lik.variance(out), var)


def test_gaussian_floor_bounds_the_density():
    floor = 1e-4
    lik = _double(Gaussian, 1, var_floor=floor)
    # A decoder that predicts the value exactly with variance -> 0 (raw -> -inf)
    out = torch.tensor([[0.0, -1e4]], dtype=torch.float64)
    lp = lik.log_prob(out, torch.zeros(1, 1, dtype=torch.float64))
    assert lp.item() == pytest.approx(-0.5 * (math.log(2 * math.pi) + math.log(floor)))


def test_gaussian_sample_moments():
    lik = Gaussian(1, var_floor=0.0)
    out = torch.tensor([[2.0, math.log(math.e - 1.0)]]).expand(200_000, 2)  # var = 1
    draws = lik.sample(out, generator=torch.Generator().manual_seed(0))
    assert draws.mean().item() == pytest.approx(2.0, abs=0.01)
    assert draws.var().item() == pytest.approx(1.0, abs=0.01)


def test_hurdle_log_prob_matches_closed_form():
    """A probability at 0, a weighted Gaussian density elsewhere."""
    gen = torch.Generator().manual_seed(2)
    loc, logit, raw, x = torch.randn(4, 3, 5, generator=gen, dtype=torch.float64)
    x[0, :3] = 0.0
    lik = _double(HurdleGaussian, 5, var_floor=1e-3)
    out = torch.cat([loc, logit, raw], dim=-1)
    var = F.softplus(raw) + 1e-3
    slab = F.logsigmoid(-logit) + Normal(loc, var.sqrt()).log_prob(x)
    expected = torch.where(x == 0, F.logsigmoid(logit), slab)
    torch.testing.assert_close(lik.log_prob(out, x), expected)
    torch.testing.assert_close(lik.mean(out), torch.sigmoid(-logit) * loc)
    torch.testing.assert_close(lik.variance(out), var)
    assert (lik.log_prob(out, x) <= lik.saturated_log_prob(x)).all()


def test_hurdle_sample_share_and_moments():
    lik = HurdleGaussian(1, var_floor=0.0)
    logit_share = math.log(0.3 / 0.7)
    out = torch.tensor([[2.0, logit_share, math.log(math.e - 1.0)]])
    draws = lik.sample(out.expand(200_000, 3), torch.Generator().manual_seed(0))
    at_zero = draws == 0
    assert at_zero.double().mean().item() == pytest.approx(0.3, abs=0.005)
    assert draws[~at_zero].mean().item() == pytest.approx(2.0, abs=0.01)
    assert draws[~at_zero].var().item() == pytest.approx(1.0, abs=0.02)
    assert draws.mean().item() == pytest.approx(lik.mean(out).item(), abs=0.01)


def test_hurdle_starts_at_the_share_and_moments_of_the_data():
    x = torch.tensor([[0.0], [0.0], [0.0], [1.0], [3.0]], dtype=torch.float64)
    loc, logit, raw = _double(HurdleGaussian, 1, var_floor=0.0).marginal_params(x)
    assert torch.sigmoid(logit).item() == pytest.approx(0.6)
    assert loc.item() == pytest.approx(2.0)
    assert F.softplus(raw).item() == pytest.approx(1.0)


def test_cauchy_log_prob_matches_closed_form():
    gen = torch.Generator().manual_seed(2)
    loc = torch.randn(3, 5, generator=gen, dtype=torch.float64)
    raw = torch.randn(3, 5, generator=gen, dtype=torch.float64)
    x = 5 * torch.randn(3, 5, generator=gen, dtype=torch.float64)
    floor = 1e-3
    lik = _double(Cauchy, 5, var_floor=floor)
    out = torch.cat([loc, raw], dim=-1)
    scale = (F.softplus(raw) + floor).sqrt()
    torch.testing.assert_close(
        lik.log_prob(out, x), TorchCauchy(loc, scale).log_prob(x)
    )
    torch.testing.assert_close(lik.mean(out), loc)  # the location (median)
    # the saturated value bounds the density from above, reached at x = loc
    sat = lik.saturated_log_prob(x)
    assert (lik.log_prob(out, x) <= sat).all()
    sharp = torch.cat([loc, torch.full_like(raw, -1e4)], dim=-1)
    torch.testing.assert_close(lik.log_prob(sharp, loc), lik.saturated_log_prob(loc))


def test_cauchy_penalty_grows_logarithmically():
    lik = _double(Cauchy, 1, var_floor=0.0)
    gauss = _double(Gaussian, 1, var_floor=0.0)
    out = torch.tensor([[0.0, math.log(math.e - 1.0)]], dtype=torch.float64)  # s = 1
    far = torch.tensor([[1e3]], dtype=torch.float64)
    assert lik.log_prob(out, far).item() == pytest.approx(
        -math.log(math.pi) - math.log1p(1e6)
    )
    assert gauss.log_prob(out, far).item() < -4e5


def test_cauchy_sample_quantiles():
    lik = Cauchy(1, var_floor=0.0)
    out = torch.tensor([[2.0, math.log(math.exp(4.0) - 1.0)]]).expand(200_000, 2)
    draws = lik.sample(out, generator=torch.Generator().manual_seed(0)).flatten()
    q1, median, q3 = torch.quantile(draws[:100_000], torch.tensor([0.25, 0.5, 0.75]))
    assert median.item() == pytest.approx(2.0, abs=0.03)  # location
    assert (q3 - q1).item() == pytest.approx(4.0, abs=0.06)  # 2 * scale, scale = 2


def _studentt(df, var_floor, dtype=torch.float64):
    """A Student-t likelihood whose degrees of freedom are ``df`` (one a feature)."""
    lik = StudentT(len(df), var_floor=var_floor).to(dtype).requires_grad_(False)
    with torch.no_grad():
        lik.raw_df.copy_(torch.log(df) / StudentT.DF_RATE)
    return lik


def test_studentt_log_prob_matches_scipy():
    gen = torch.Generator().manual_seed(3)
    loc = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    raw = torch.randn(4, 3, generator=gen, dtype=torch.float64)
    x = 4 * torch.randn(4, 3, generator=gen, dtype=torch.float64)
    df = torch.tensor([0.5, 3.0, 200.0], dtype=torch.float64)
    lik = _studentt(df, 1e-3)
    out = torch.cat([loc, raw], dim=-1)
    scale = (F.softplus(raw) + 1e-3).sqrt()
    expected = scipy_stats.t.logpdf(x.numpy(), df.numpy(), loc.numpy(), scale.numpy())
    torch.testing.assert_close(lik.log_prob(out, x), torch.from_numpy(expected))
    torch.testing.assert_close(lik.degrees_of_freedom(out), df.expand(4, 3))
    # the saturated value (the Gaussian's at the floor) bounds every density
    assert (lik.log_prob(out, x) <= lik.saturated_log_prob(x)).all()


def test_studentt_spans_cauchy_and_gaussian():
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)[:, None]
    loc, raw = torch.zeros_like(x), torch.full_like(x, 0.3)
    one = torch.ones(1, dtype=torch.float64)
    out = torch.cat([loc, raw], -1)
    cauchy = _double(Cauchy, 1, var_floor=0.0).log_prob(out, x)
    gauss = _double(Gaussian, 1, var_floor=0.0).log_prob(out, x)
    t1 = _studentt(one, 0.0).log_prob(out, x)
    t_big = _studentt(999 * one, 0.0).log_prob(out, x)
    torch.testing.assert_close(t1, cauchy)
    # within 3 r^4 / (4 nu) nats of the Gaussian for r = |x - loc| / s
    torch.testing.assert_close(t_big, gauss, atol=0.01, rtol=0.0)


def test_studentt_sample_quantiles():
    n, df = 200_000, torch.tensor([3.0])
    lik = _studentt(df, 0.0, torch.float32)
    loc = torch.full((n, 1), 1.0)
    raw = torch.full((n, 1), math.log(math.exp(4.0) - 1.0))  # scale 2
    out = torch.cat([loc, raw], -1)
    draws = lik.sample(out, torch.Generator().manual_seed(0))
    qs = torch.tensor([0.1, 0.25, 0.5, 0.75, 0.9])
    expected = 1.0 + 2.0 * scipy_stats.t.ppf(qs.numpy(), 3.0)
    np.testing.assert_allclose(torch.quantile(draws.flatten(), qs), expected, atol=0.03)


def test_broadcast_over_monte_carlo_draws():
    lik = Gaussian(3)
    out = torch.zeros(6, 4, 2 * 3)  # (n_mc, n, 2 * d)
    x = torch.ones(4, 3)
    assert lik.log_prob(out, x).shape == (6, 4, 3)


def test_unknown_likelihood():
    with pytest.raises(ValueError, match="Unknown likelihood"):
        build_likelihood("zipf", 3)
