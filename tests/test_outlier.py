"""VAEOutlierDetector: signs, thresholds, the saturated correction, explanations."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.metrics import roc_auc_score

import skvae
from skvae import VAEOutlierDetector, VAETransformer
from skvae.core import elbo
from skvae.core._inference import mixture_prior, scoring_noise

KW = {"hidden_layer_sizes": (32,), "device": "cpu", "random_state": 0}


@pytest.fixture(scope="module")
def tabular():
    rng = np.random.RandomState(0)
    W = rng.randn(2, 6)
    inliers = rng.randn(500, 2) @ W + 0.3 * rng.randn(500, 6)
    outliers = rng.uniform(-6, 6, size=(25, 6))
    X = np.r_[inliers, outliers] * [1, 10, 100, 0.1, 1, 1000]  # mixed scales
    y = np.r_[np.zeros(500), np.ones(25)]
    return X, y


@pytest.fixture(scope="module")
def detector(tabular):
    X, _ = tabular
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return VAEOutlierDetector(max_iter=150, n_prior_components=500, **KW).fit(X)


def test_signs_and_labels_follow_isolation_forest(detector, tabular):
    X, y = tabular
    scores = detector.score_samples(X)
    assert roc_auc_score(y, -scores) > 0.95  # low score = outlier
    decision = detector.decision_function(X)
    assert_allclose(decision, scores - detector.offset_)
    labels = detector.predict(X)
    assert set(np.unique(labels)) == {-1, 1}
    assert_array_equal(labels, np.where(decision < 0, -1, 1))
    assert (labels[y == 1] == -1).mean() > 0.8
    assert (labels[y == 0] == 1).mean() > 0.9


def test_auto_choices(detector, tabular):
    X, _ = tabular
    assert detector.likelihood_ == "studentt"  # data outside [0, 1]
    assert detector.module_.config.n_components == 3  # min(8, ceil(6 / 2))
    assert_allclose(detector.mean_, X.mean(axis=0))
    assert_allclose(detector.scale_, X.std(axis=0))
    q1, q3 = np.percentile(detector.score_samples(X), [25, 75])
    assert detector.offset_ == pytest.approx(q1 - 1.5 * (q3 - q1))
    binary = (np.random.RandomState(0).rand(100, 8) > 0.5).astype(float)
    det = VAEOutlierDetector(max_iter=2, **KW).fit(binary)
    assert det.likelihood_ == "bernoulli" and det.scale_ is None


def test_contamination_sets_the_training_quantile(tabular):
    X, _ = tabular
    det = VAEOutlierDetector(contamination=0.1, max_iter=20, **KW).fit(X)
    assert np.mean(det.predict(X) == -1) == pytest.approx(0.1, abs=0.005)
    assert_array_equal(det.fit_predict(X), det.predict(X))


def _raw_elbo(det, X):
    """The uncorrected ELBO of X under the detector's model, same noise."""
    X_model = det._validate_rows(np.asarray(X, dtype=np.float64))
    model = det.module_
    prior = None
    if det.prior_loc_ is not None:
        prior = mixture_prior(model, det.prior_loc_, det.prior_log_scale_)
    with torch.no_grad():
        return elbo(
            model,
            torch.as_tensor(X_model, dtype=torch.float32),
            eps=scoring_noise(model, det.n_score_draws, det._score_seed),
            prior=prior,
        ).numpy()


def test_studentt_score_is_elbo_of_original_data_up_to_constants(detector, tabular):
    """score = ELBO(standardised x) - sum_j max log-density (scale-free).

    The Student-t's density at its location is largest as nu grows: the
    saturated value is the Gaussian's at the scoring variance of each feature.
    """
    X, _ = tabular
    elbo = _raw_elbo(detector, X)
    variance = detector.module_.likelihood.fixed_variances().numpy().astype(np.float64)
    saturated = -0.5 * (math.log(2 * math.pi) + np.log(variance)).sum()
    expected = elbo - saturated
    assert_allclose(detector.score_samples(X), expected, rtol=1e-5, atol=1e-3)
    # A deviance minus a KL term: <= 0 up to the Monte Carlo error of the KL.
    assert (detector.score_samples(X) <= 0.5).all()


def test_gaussian_score_is_elbo_up_to_constants(tabular):
    X, _ = tabular
    det = VAEOutlierDetector(likelihood="gaussian", max_iter=5, **KW).fit(X)
    assert det.likelihood_ == "gaussian" and det.scale_ is not None
    variance = det.module_.likelihood.fixed_variances().numpy().astype(np.float64)
    saturated = -0.5 * (math.log(2 * math.pi) + np.log(variance)).sum()
    assert_allclose(
        det.score_samples(X), _raw_elbo(det, X) - saturated, rtol=1e-5, atol=1e-3
    )


def test_heavy_tails_keep_one_feature_from_dominating():
    """A feature that is nearly always one value: Gaussian scores explode there.

    The Gaussian decoder predicts the point mass with the floor variance, so the
    rare normal samples off it get penalties of hundreds of nats from that one
    feature; under the Cauchy decoder the penalty grows with the logarithm. The
    values off the mass are continuous, so no lattice floor applies.
    """
    rng = np.random.RandomState(0)
    W = rng.randn(2, 5)
    X = np.c_[rng.randn(600, 2) @ W + 0.3 * rng.randn(600, 5), np.zeros(600)]
    X[:6, 5] = 1.0 + 0.01 * rng.randn(6)  # 1 % of the normal samples leave it
    worst = {}
    for likelihood in ("gaussian", "cauchy"):
        det = VAEOutlierDetector(likelihood=likelihood, max_iter=40, **KW)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            contrib = det.fit(X).score_samples_per_feature(X[:6])
        worst[likelihood] = -contrib[:, 5].mean()
    assert worst["gaussian"] > 100.0  # measured: 240
    assert worst["cauchy"] < 20.0  # measured: 6


def test_lattice_floor_is_the_rounding_noise_of_grid_valued_features():
    """An integer feature's variance is floored at step**2 / 12, others are not.

    Feature 5 is 0 on 99 % of the rows and 1 elsewhere: at the base floor the
    Gaussian decoder's penalty on the rare ones is hundreds of nats; floored at
    a uniform rounding error of one step it stays bounded.
    """
    rng = np.random.RandomState(0)
    W = rng.randn(2, 5)
    X = np.c_[rng.randn(600, 2) @ W + 0.3 * rng.randn(600, 5), np.zeros(600)]
    X[:6, 5] = 1.0
    X[:, 4] = np.round(X[:, 4])  # a grid of step 1 in x's units
    det = VAEOutlierDetector(likelihood="gaussian", max_iter=40, **KW)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        det.fit(X)
    floor = det.module_.likelihood.variance_floor().numpy()
    step = 1.0 / det.scale_[4:]  # one unit of x in standardised units
    assert_allclose(floor[4:], step**2 / 12, rtol=1e-5)
    # continuous: the base floor
    assert_allclose(floor[:4], det.module_.config.var_floor, rtol=1e-6)
    assert_allclose(det.var_floor_, floor)
    assert -det.score_samples_per_feature(X[:6])[:, 5].mean() < 20.0
    # the floor is part of the model: it survives a pickle and a move
    again = pickle.loads(pickle.dumps(det))
    assert_allclose(again.module_.likelihood.variance_floor().numpy(), floor)
    assert_allclose(again.score_samples(X[:50]), det.score_samples(X[:50]), rtol=1e-5)
    assert_allclose(
        again.module_.to(torch.float64).likelihood.var_floor.numpy(), floor, rtol=1e-6
    )


def test_scores_use_each_features_median_decoder_variance(tabular):
    """After training, the decoder's per-row variance gives way to one per
    feature: its median over the training rows at their posterior means. The
    variance of every row is then that one, in scores and in samples, and
    the saturated term (a perfect reconstruction) is taken at it."""
    X, _ = tabular
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        det = VAEOutlierDetector(max_iter=20, **KW).fit(X)
    model = det.module_
    fixed = model.likelihood.fixed_variances().clone()
    X_model = torch.as_tensor(det._validate_rows(X), dtype=torch.float32)
    model.likelihood.set_fixed_variance(None)  # the decoder's own, row by row
    with torch.no_grad():
        own = model.likelihood.variance(model.decode(model.encode(X_model)[0]))
    model.likelihood.set_fixed_variance(fixed)
    assert own.std(0).min() > 0  # the decoder's variance does vary by row
    assert_allclose(fixed.numpy(), own.median(0).values.numpy(), rtol=0.02)
    with torch.no_grad():
        out = model.decode(torch.randn(7, model.config.n_components))
    assert_allclose(model.likelihood.variance(out).numpy(), np.tile(fixed, (7, 1)))
    # no feature's share beats a perfect reconstruction at that variance
    assert det.score_samples_per_feature(X).max() <= 0.0
    # more training starts from the decoder's own variance again, and the
    # scoring variance is then taken anew
    det.partial_fit(X)
    assert not torch.equal(det.module_.likelihood.fixed_variances(), fixed)


def test_bernoulli_detector_keeps_the_decoders_output():
    X = np.random.RandomState(0).rand(100, 8)
    det = VAEOutlierDetector(max_iter=2, **KW).fit(X)
    assert det.likelihood_ == "bernoulli"
    assert (
        det.module_.likelihood.fixed_variances() is None
    )  # Bernoulli: no scale to fix


def test_transformer_keeps_the_base_floor():
    X = np.round(np.random.RandomState(0).randn(200, 3))
    vae = VAETransformer(max_iter=2, **KW).fit(X)
    assert_allclose(vae.module_.likelihood.variance_floor().numpy(), vae.var_floor_)


def test_bernoulli_correction_removes_each_pixels_entropy():
    rng = np.random.RandomState(0)
    X = rng.rand(200, 10)
    det = VAEOutlierDetector(max_iter=3, **KW).fit(X)
    elbo = _raw_elbo(det, X)
    entropy = -(X * np.log(X) + (1 - X) * np.log(1 - X)).sum(axis=1)
    assert_allclose(det.score_samples(X), elbo + entropy, rtol=1e-4, atol=1e-3)
    binary = (X > 0.5).astype(float)
    # nothing to correct on binary data
    assert_allclose(det.score_samples(binary), _raw_elbo(det, binary), rtol=1e-5)


def test_per_feature_contributions_point_at_the_corrupted_feature(detector, tabular):
    X, _ = tabular
    x = X[:20].copy()
    x[:, 2] += 8 * detector.scale_[2]  # corrupt feature 2 of every row
    contrib = detector.score_samples_per_feature(x)
    assert contrib.shape == (20, 6)
    assert (contrib <= 1e-3).all()
    assert (contrib.argmin(axis=1) == 2).all()
    # rows sum to the score plus the KL term
    kl = contrib.sum(axis=1) - detector.score_samples(x)
    assert (kl >= -1e-3).all()


def test_transformer_per_feature_terms_sum_to_elbo_plus_kl():
    X = np.random.RandomState(1).rand(100, 5)
    vae = VAETransformer(2, max_iter=3, **KW).fit(X)
    rec = vae.score_samples_per_feature(X)
    with torch.no_grad():
        xb = torch.tensor(X, dtype=torch.float32)
        loc, log_scale = vae.module_.encode(xb)
        kl = (0.5 * (loc**2 + torch.exp(2 * log_scale) - 1) - log_scale).sum(-1)
    assert_allclose(
        rec.sum(axis=1) - kl.numpy(), vae.score_samples(X), rtol=1e-4, atol=1e-4
    )


def test_iwae_score_is_above_the_elbo_and_settles(digits01):
    """Estimator level; the monotone rise in K is tested on the core with
    independent draws per row (test_model.py), since the estimator shares its
    draws across rows and so small-K estimates carry one common error."""
    X, _ = digits01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vae = VAETransformer(2, likelihood="bernoulli", max_iter=30, **KW).fit(X[:1000])
    X_test = X[1000:1400]
    elbo = vae.set_params(n_score_draws=1000).score(X_test)
    iw = [
        vae.set_params(score_method="iwae", n_score_draws=k).score(X_test)
        for k in (1000, 3000)
    ]
    assert iw[0] > elbo
    assert abs(iw[1] - iw[0]) < 0.05


def test_detector_save_load_round_trip(detector, tabular, tmp_path):
    X, _ = tabular
    loaded = skvae.load(detector.save(tmp_path / "det.skvae"))
    assert type(loaded) is VAEOutlierDetector
    assert_array_equal(loaded.scale_, detector.scale_)
    assert_array_equal(loaded.prior_loc_, detector.prior_loc_)
    assert loaded.offset_ == detector.offset_
    assert_array_equal(loaded.score_samples(X), detector.score_samples(X))
    assert_array_equal(loaded.predict(X), detector.predict(X))


@pytest.mark.parametrize(
    ("likelihood", "margin"),
    [("gaussian", 20.0), ("cauchy", 3.0)],  # measured: +46 and +5.0 nats
)
def test_support_fraction_keeps_a_cluster_of_outliers_unlikely(likelihood, margin):
    """Trimming: a tight far cluster (5 %) in the training data is not learnt."""
    rng = np.random.RandomState(0)
    W = rng.randn(2, 6)
    inliers = rng.randn(380, 2) @ W + 0.3 * rng.randn(380, 6)
    cluster = 5.0 + 0.05 * rng.randn(20, 6)
    X = np.r_[inliers, cluster]
    gaps = {}
    for fraction in (1.0, 0.8):
        det = VAEOutlierDetector(
            likelihood=likelihood,
            support_fraction=fraction,
            max_iter=60,
            early_stopping=False,
            **KW,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scores = det.fit(X).score_samples(X)
        gaps[fraction] = np.median(scores[:380]) - np.median(scores[380:])
    assert gaps[0.8] > gaps[1.0] + margin


@pytest.mark.parametrize("fraction", [0.0, -0.1, 1.5])
def test_support_fraction_out_of_range_is_rejected(tabular, fraction):
    with pytest.raises(ValueError, match="support_fraction"):
        VAEOutlierDetector(support_fraction=fraction, **KW).fit(tabular[0])


def clone_with(detector, **params):
    return clone(detector).set_params(max_iter=20, **params)


def test_prior_is_the_posteriors_of_well_explained_training_rows(detector, tabular):
    X, y = tabular
    k = detector.module_.config.n_components
    n_kept = math.ceil(detector.support_fraction * len(X))
    assert detector.prior_loc_.shape == (n_kept, k)  # fewer rows than 500
    assert detector.prior_log_scale_.shape == (n_kept, k)
    loc = detector._codes(X, full=True)  # every dimension, in the model's order
    # Every component is the posterior of a training row; the planted outliers
    # (poorly explained) are not among them.
    dist = ((detector.prior_loc_[:, None] - loc[None]) ** 2).sum(-1)
    match = dist.argmin(axis=1)
    assert_allclose(dist.min(axis=1), 0.0, atol=1e-8)
    assert y[match].sum() == 0
    small = clone_with(detector, n_prior_components=50).fit(X)
    assert small.prior_loc_.shape == (50, k)


def test_without_the_mixture_prior_the_score_is_the_corrected_elbo(tabular):
    X, _ = tabular
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        det = VAEOutlierDetector(n_prior_components=None, max_iter=20, **KW).fit(X)
    assert det.prior_loc_ is None and det.prior_log_scale_ is None
    with_prior = clone_with(det, n_prior_components=500).fit(X)
    # Same training (the prior enters after it), different scores.
    assert_array_equal(det.transform(X), with_prior.transform(X))
    assert not np.allclose(det.score_samples(X), with_prior.score_samples(X))


def test_auto_prior_is_the_mixture_for_bernoulli_data_only(tabular):
    X, _ = tabular
    binary = (np.random.RandomState(0).rand(100, 8) > 0.5).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        real = VAEOutlierDetector(max_iter=2, **KW).fit(X)
        bern = VAEOutlierDetector(max_iter=2, **KW).fit(binary)
    assert real.n_prior_components == "auto"
    assert real.prior_loc_ is None and real.prior_log_scale_ is None
    # All the best-explained rows (fewer than 500; ties at the cut are kept).
    n_kept = math.ceil(bern.support_fraction * len(binary))
    assert bern.likelihood_ == "bernoulli"
    assert n_kept <= bern.prior_loc_.shape[0] < len(binary)
    assert bern.prior_loc_.shape[1] == bern.module_.config.n_components


def test_mixture_prior_penalises_codes_between_the_training_clusters():
    """Two clusters along a line: a point halfway between them is encoded into
    the gap, where N(0, I) is dense but the aggregate posterior is not."""
    rng = np.random.RandomState(0)
    direction = rng.randn(1, 6)
    t = np.r_[rng.randn(300) * 0.1 - 2, rng.randn(300) * 0.1 + 2]
    X = t[:, None] * direction + 0.05 * rng.randn(600, 6)
    middle = np.zeros((1, 6))
    kw = {**KW, "n_components": 1, "max_iter": 200, "support_fraction": 1.0}
    gaps = {}
    for n_prior in (None, 500):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            det = VAEOutlierDetector(n_prior_components=n_prior, **kw).fit(X)
        gaps[n_prior] = np.median(det.score_samples(X)) - det.score_samples(middle)[0]
    assert gaps[500] > gaps[None] + 2.0


def _detector_fingerprint(det, X):
    weights = {k: v.clone() for k, v in det.module_.state_dict().items()}
    attrs = {k: v for k, v in vars(det).items() if k.endswith("_")}
    history = (det.n_iter_, det.loss_curve_, det.validation_scores_)
    return weights, attrs, history, det.decision_function(X)


@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.parametrize("step", ["posterior_mixture", "_score_rows"])
def test_failed_post_fit_step_rolls_the_whole_fit_back(
    tabular, monkeypatch, warm_start, step
):
    """The prior and offset_ are computed inside the fit's rollback (the fit
    must fail, so a step that is no longer called fails the test)."""
    import skvae._estimators._base as base

    X, _ = tabular
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        det = VAEOutlierDetector(
            max_iter=3, warm_start=warm_start, n_prior_components=20, **KW
        ).fit(X)
    weights, attrs, history, decision = _detector_fingerprint(det, X)
    owner = base if step == "posterior_mixture" else VAEOutlierDetector
    real = getattr(owner, step)

    def fail_after_damage(*args, **kwargs):
        real(*args, **kwargs)  # the new state is half written ...
        det.offset_ = 123.0
        raise RuntimeError("post-fit step failed")  # ... when the step fails

    monkeypatch.setattr(owner, step, fail_after_damage)
    with pytest.raises(RuntimeError, match="post-fit step failed"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            det.fit(X[::-1] * 1.5)
    monkeypatch.undo()
    weights2, attrs2, history2, decision2 = _detector_fingerprint(det, X)
    assert history2 == history
    assert attrs2.keys() == attrs.keys()
    for key, value in attrs.items():
        assert value is attrs2[key] or np.array_equal(value, attrs2[key]), key
    for key, value in weights.items():
        assert torch.equal(value, weights2[key]), key
    assert_array_equal(decision2, decision)


def test_failed_first_fit_leaves_the_detector_unfitted(tabular, monkeypatch):
    X, _ = tabular

    def fail(self, *args, **kwargs):
        raise RuntimeError("no threshold")

    monkeypatch.setattr(VAEOutlierDetector, "_score_rows", fail)
    det = VAEOutlierDetector(max_iter=2, **KW)
    with pytest.raises(RuntimeError, match="no threshold"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            det.fit(X)
    assert not [k for k in vars(det) if k.endswith("_") or k.startswith("_")]
