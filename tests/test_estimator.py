"""VAETransformer's behaviour as a scikit-learn estimator."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import dataclasses
import io
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skvae
from skvae import DeviceWarning, VAETransformer

SMALL = {"hidden_layer_sizes": (32,), "device": "cpu", "random_state": 0}


@pytest.fixture(scope="module")
def fitted(digits01):
    X, _ = digits01
    vae = VAETransformer(
        4, likelihood="bernoulli", max_iter=10, early_stopping=False, **SMALL
    )
    return vae.fit(X[:600]), X


def test_fitted_attributes_and_shapes(fitted):
    vae, X = fitted
    assert vae.n_features_in_ == 64
    assert vae.n_iter_ == 10 and len(vae.loss_curve_) == 10
    assert vae.best_loss_ == min(vae.loss_curve_)
    assert vae.validation_scores_ is None and vae.best_validation_score_ is None
    assert_array_equal(vae.var_floor_, np.zeros(64))  # Bernoulli: no scale
    assert vae.n_components_ == 4 and vae.likelihood_ == "bernoulli"
    assert vae.device_ == torch.device("cpu")
    Z = vae.transform(X[:50])
    assert Z.shape == (50, 4) and Z.dtype == np.float64
    assert vae.transform(X[:50].astype(np.float32)).dtype == np.float32
    X_rec = vae.inverse_transform(Z)
    assert X_rec.shape == (50, 64)
    assert X_rec.min() >= 0 and X_rec.max() <= 1  # Bernoulli means
    assert vae.score_samples(X[:50]).shape == (50,)
    assert_array_equal(
        vae.get_feature_names_out(), [f"vaetransformer{i}" for i in range(4)]
    )


def test_elbo_rises_during_training(digits01):
    X, _ = digits01
    vae = VAETransformer(2, likelihood="bernoulli", max_iter=15, **SMALL).fit(X)
    curve = np.asarray(vae.loss_curve_)
    assert curve[-1] < curve[0] - 5.0  # nats per sample
    assert np.mean(curve[-3:]) < np.mean(curve[:3])


def test_transform_is_deterministic_posterior_mean(fitted):
    vae, X = fitted
    Z1, Z2 = vae.transform(X[:20]), vae.transform(X[:20])
    assert_array_equal(Z1, Z2)
    with torch.no_grad():
        mu = vae.module_.encode(torch.tensor(X[:20], dtype=torch.float32))[0]
    # the dimensions by decreasing activity
    order = np.argsort(-vae.latent_activity_, kind="stable")[: vae.n_components_]
    assert_allclose(Z1, mu.numpy()[:, order], rtol=1e-6)


def test_score_samples_is_deterministic_and_batch_invariant(fitted):
    vae, X = fitted
    s = vae.score_samples(X[:100])
    assert_array_equal(s, vae.score_samples(X[:100]))
    # row order and batch composition do not matter (up to float32 rounding)
    perm = np.random.RandomState(0).permutation(100)
    assert_allclose(vae.score_samples(X[:100][perm]), s[perm], rtol=1e-5)
    assert_allclose(vae.score_samples(X[7:8]), s[7:8], rtol=1e-5)
    assert vae.score(X[:100]) == pytest.approx(s.mean())
    # more draws: a different (less noisy) estimate of the same quantity
    s50 = copy.deepcopy(vae).set_params(n_score_draws=50)
    assert abs(s50.score(X[:100]) - s.mean()) < 2.0


def test_iwae_score_is_tighter_than_elbo(fitted):
    vae, X = fitted
    elbo = vae.score(X[:200])
    vae.set_params(score_method="iwae", n_score_draws=100)
    try:
        iwae = vae.score_samples(X[:200])
    finally:
        vae.set_params(score_method="elbo", n_score_draws=10)
    assert np.isfinite(iwae).all()
    assert iwae.mean() > elbo


def test_sample_reproducible_and_does_not_mutate(fitted):
    vae, _ = fitted
    state = {k: v.clone() for k, v in vae.module_.state_dict().items()}
    a = vae.sample(5, random_state=3)
    b = vae.sample(5, random_state=3)
    assert a.shape == (5, 64) and a.dtype == np.float32
    assert_array_equal(a, b)
    assert not np.array_equal(a, vae.sample(5, random_state=4))
    draws = vae.sample(200, random_state=0, mean=False)
    assert set(np.unique(draws)) <= {0.0, 1.0}  # Bernoulli draws are binary
    for k, v in vae.module_.state_dict().items():
        assert torch.equal(v, state[k])
    with pytest.raises(ValueError, match="n_samples"):
        vae.sample(0)


def test_same_random_state_gives_identical_results(digits01):
    X, _ = digits01
    before = torch.random.get_rng_state()
    a = VAETransformer(2, max_iter=3, **SMALL).fit(X[:300])
    b = VAETransformer(2, max_iter=3, **SMALL).fit(X[:300])
    assert torch.equal(torch.random.get_rng_state(), before)  # global RNG untouched
    assert a.loss_curve_ == b.loss_curve_
    assert_array_equal(a.transform(X), b.transform(X))
    assert_array_equal(a.score_samples(X), b.score_samples(X))
    c = VAETransformer(2, max_iter=3, **{**SMALL, "random_state": 1}).fit(X[:300])
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_bernoulli_rejects_data_outside_unit_interval(digits01):
    X, _ = digits01
    with pytest.raises(ValueError, match=r"needs data in \[0, 1\]"):
        VAETransformer(likelihood="bernoulli", max_iter=1, **SMALL).fit(X * 16)


def test_unfitted_use_raises():
    with pytest.raises(NotFittedError):
        VAETransformer().transform(np.zeros((2, 3)))
    with pytest.raises(NotFittedError):
        VAETransformer().sample(2)


def test_inverse_transform_checks_latent_size(fitted):
    vae, _ = fitted
    with pytest.raises(ValueError, match="n_components=4"):
        vae.inverse_transform(np.zeros((3, 5)))


def test_score_matches_probabilistic_pca_on_linear_gaussian_data(linear_gaussian):
    X_train, X_test = linear_gaussian
    ppca = PCA(n_components=2).fit(X_train).score(X_test)  # exact log-likelihood
    vae = VAETransformer(
        2,
        hidden_layer_sizes=(64, 32),
        max_iter=300,
        early_stopping=True,
        n_iter_no_change=20,
        device="cpu",
        random_state=0,
    ).fit(X_train)
    elbo = vae.score(X_test)
    iwae = vae.set_params(score_method="iwae", n_score_draws=500).score(X_test)
    # the posterior of linear-Gaussian data is almost exact: the two bounds
    # differ by less than the ELBO's 10-draw Monte Carlo noise
    assert iwae > elbo - 0.05
    assert abs(elbo - ppca) < 0.6, (elbo, ppca)
    assert abs(iwae - ppca) < 0.3, (iwae, ppca)


def test_pipeline_features_beat_chance_on_digits():
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    pipe = make_pipeline(
        StandardScaler(),
        VAETransformer(
            8,
            max_iter=40,
            early_stopping=True,
            **{**SMALL, "hidden_layer_sizes": (128, 64)},
        ),
        LogisticRegression(max_iter=1000),
    )
    accuracy = pipe.fit(X_train, y_train).score(X_test, y_test)
    assert accuracy > 0.7, accuracy  # chance is 0.1


def test_grid_search_selects_latent_size_by_score(linear_gaussian):
    X_train, _ = linear_gaussian
    grid = GridSearchCV(
        VAETransformer(
            hidden_layer_sizes=(64, 32),
            max_iter=300,
            early_stopping=True,
            n_iter_no_change=20,
            device="cpu",
            random_state=0,
        ),
        {"n_components": [1, 2, 3]},
        cv=2,
    ).fit(X_train)
    scores = grid.cv_results_["mean_test_score"]
    assert grid.best_params_["n_components"] == 2  # the true latent size
    assert scores[1] > scores[0] + 1.0  # one latent dimension is clearly too few
    assert grid.best_estimator_.n_components == 2
    assert hasattr(grid.best_estimator_, "module_")  # refit on all the data


def test_joblib_and_pickle_round_trip(fitted, tmp_path):
    vae, X = fitted
    path = tmp_path / "vae.joblib"
    joblib.dump(vae, path)
    loaded = joblib.load(path)
    assert_array_equal(loaded.transform(X), vae.transform(X))
    assert_array_equal(loaded.score_samples(X), vae.score_samples(X))
    again = pickle.loads(pickle.dumps(vae))
    assert_array_equal(
        again.inverse_transform(np.ones((2, 4))), vae.inverse_transform(np.ones((2, 4)))
    )


def test_model_fitted_on_cuda_loads_on_cpu_with_a_warning(fitted):
    """Simulate a CUDA-fitted model: its pickled state names a CUDA device."""
    vae, X = fitted
    state = vae.__getstate__()
    state["device_"] = torch.device("cuda:0")
    buf = io.BytesIO()
    pickle.dump(state, buf)
    clone_ = VAETransformer.__new__(VAETransformer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeviceWarning)
        if torch.cuda.is_available():
            pytest.skip("CUDA present: the fallback path is not taken")
    with pytest.warns(DeviceWarning, match="not available"):
        clone_.__setstate__(pickle.loads(buf.getvalue()))
    assert clone_.device_ == torch.device("cpu")
    assert_array_equal(clone_.transform(X), vae.transform(X))


def test_pandas_in_and_out(digits01):
    X, _ = digits01
    df = pd.DataFrame(X[:200], columns=[f"px{i}" for i in range(64)])
    vae = VAETransformer(3, max_iter=2, **SMALL).set_output(transform="pandas")
    Z = vae.fit_transform(df)
    assert isinstance(Z, pd.DataFrame)
    assert list(Z.columns) == ["vaetransformer0", "vaetransformer1", "vaetransformer2"]
    assert list(vae.feature_names_in_) == list(df.columns)
    with pytest.raises(ValueError, match="feature names"):
        vae.transform(df.rename(columns={"px0": "other"}))


def test_early_stopping_attributes(digits01):
    X, _ = digits01
    vae = VAETransformer(
        2, max_iter=200, early_stopping=True, n_iter_no_change=2, tol=0.5, **SMALL
    ).fit(X)
    assert vae.n_iter_ < 200
    assert len(vae.validation_scores_) == vae.n_iter_
    assert vae.best_validation_score_ == max(vae.validation_scores_)
    assert vae.best_loss_ is None
    with pytest.raises(ValueError, match="n_samples=2"):
        VAETransformer(early_stopping=True, **SMALL).fit(X[:2])


def test_partial_fit_runs_one_epoch_and_keeps_optimizer_state(digits01):
    X, _ = digits01
    vae = VAETransformer(2, **SMALL)
    vae.partial_fit(X[:500])
    assert vae.n_iter_ == 1
    step = vae._optimizer.state_dict()["state"][0]["step"].item()
    vae.partial_fit(X[500:1000])
    assert vae.n_iter_ == 2 and len(vae.loss_curve_) == 2
    assert vae._optimizer.state_dict()["state"][0]["step"].item() == 2 * step


def test_warm_start_continues(digits01):
    X, _ = digits01
    vae = VAETransformer(2, max_iter=3, warm_start=True, **SMALL).fit(X[:300])
    first = vae.transform(X[:5])
    vae.fit(X[:300])
    assert vae.n_iter_ == 6
    assert not np.array_equal(first, vae.transform(X[:5]))
    cold = VAETransformer(2, max_iter=3, **SMALL).fit(X[:300])
    cold.fit(X[:300])
    assert cold.n_iter_ == 3


def test_verbose_prints_each_epoch(digits01, capsys):
    X, _ = digits01
    VAETransformer(2, max_iter=2, verbose=1, **SMALL).fit(X[:100])
    out = capsys.readouterr().out
    assert "Epoch 1, loss =" in out and "Epoch 2, loss =" in out


def test_convergence_warning_at_max_iter(digits01):
    from sklearn.exceptions import ConvergenceWarning

    X, _ = digits01
    with pytest.warns(ConvergenceWarning, match="maximum iterations"):
        VAETransformer(2, max_iter=1, **SMALL).fit(X[:100])


def test_float64_dtype_computes_in_float64(digits01):
    X, _ = digits01
    vae = VAETransformer(2, max_iter=1, dtype="float64", **SMALL).fit(X[:100])
    assert next(vae.module_.parameters()).dtype == torch.float64
    assert vae.transform(X[:3]).dtype == np.float64


def test_gaussian_floor_is_relative_to_data_variance():
    X = np.random.RandomState(0).randn(100, 3) * 10
    vae = VAETransformer(1, max_iter=1, **SMALL).fit(X)
    assert_allclose(vae.var_floor_, 1e-3 * np.var(X, axis=0).mean(), rtol=1e-6)
    # constant data still gets a positive floor, so scores stay finite
    const = VAETransformer(1, max_iter=1, **SMALL).fit(np.ones((50, 2)))
    assert (const.var_floor_ > 0).all()
    assert np.isfinite(const.score_samples(np.ones((3, 2)))).all()


@pytest.mark.cuda
def test_cuda_fit_and_cpu_reload(digits01):
    X, _ = digits01
    vae = VAETransformer(
        2, max_iter=2, hidden_layer_sizes=(32,), device="cuda", random_state=0
    ).fit(X[:300])
    assert vae.device_.type == "cuda"
    assert next(vae.module_.parameters()).is_cuda
    Z = vae.transform(X[:10])
    state = pickle.loads(pickle.dumps(vae))
    assert_allclose(state.transform(X[:10]), Z, rtol=1e-5)
    cpu_state = vae.__getstate__()
    assert not next(cpu_state["module_"].parameters()).is_cuda


@pytest.mark.parametrize("likelihood", ["cauchy", "studentt"])
@pytest.mark.parametrize("decoder_variance", ["per_sample", "per_feature"])
def test_heavy_tailed_likelihoods_fit_score_and_sample(
    likelihood, decoder_variance, tmp_path
):
    rng = np.random.RandomState(0)
    X = rng.standard_t(df=2, size=(300, 5)).astype(np.float32)
    vae = VAETransformer(
        n_components=2,
        likelihood=likelihood,
        decoder_variance=decoder_variance,
        hidden_layer_sizes=(16,),
        max_iter=20,
        random_state=0,
    ).fit(X)
    assert vae.likelihood_ == likelihood and (vae.var_floor_ > 0).all()
    assert vae.loss_curve_[-1] < vae.loss_curve_[0]
    scores = vae.score_samples(X)
    assert scores.shape == (300,) and np.isfinite(scores).all()
    assert vae.inverse_transform(vae.transform(X)).shape == X.shape
    assert np.isfinite(vae.sample(50, random_state=0)).all()
    vae.save(tmp_path / "model.skvae")
    assert_allclose(skvae.load(tmp_path / "model.skvae").score_samples(X), scores)


def test_auto_early_stopping_needs_ten_validation_rows(digits01):
    X, _ = digits01
    small = VAETransformer(2, max_iter=2, **SMALL).fit(X[:90])  # 9 held out
    assert small.validation_scores_ is None and small.best_loss_ is not None
    big = VAETransformer(2, max_iter=2, **SMALL).fit(X[:100])  # 10 held out
    assert len(big.validation_scores_) == 2 and big.best_loss_ is None


@pytest.fixture
def train_configs(monkeypatch):
    """The TrainConfig of each fit, which then runs one epoch only (the assertions
    read what the spy saw, so they fail if the fit stops calling it)."""
    import skvae._estimators._base as base

    seen = []
    train = base.train

    def one_epoch(model, optimizer, X, state, config, **kwargs):
        seen.append(config)
        config = dataclasses.replace(config, max_iter=1)
        return train(model, optimizer, X, state, config, **kwargs)

    monkeypatch.setattr(base, "train", one_epoch)
    return seen


@pytest.mark.parametrize(
    "params, n_rows, max_iter, patience",
    [
        ({}, 400, 10_000, 150),  # 360 rows to train: 2 steps an epoch
        ({"early_stopping": False}, 400, 200, 150),  # 2 steps, no validation
        ({}, 1797, 2223, 34),  # 1617 rows: 9 steps
        ({"batch_size": 50}, 400, 2500, 38),  # 8 steps
        ({"max_iter": 7, "n_iter_no_change": 3}, 400, 7, 3),  # as given
    ],
)
def test_auto_budget_and_patience_follow_the_steps_per_epoch(
    digits01, train_configs, params, n_rows, max_iter, patience
):
    X, _ = digits01
    seen = train_configs
    VAETransformer(2, **{**SMALL, **params}).fit(X[:n_rows])
    assert (seen[0].max_iter, seen[0].n_iter_no_change) == (max_iter, patience)


def test_auto_early_stopping_streams_a_memmap_without_holding_rows_out(
    digits01, tmp_path
):
    X, _ = digits01
    mm = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", shape=(400, 64))
    mm[:] = X[:400]
    vae = VAETransformer(2, max_iter=2, **SMALL).fit(mm)
    assert vae.validation_scores_ is None  # all 400 rows trained on
    in_memory = VAETransformer(2, max_iter=2, **SMALL).fit(X[:400])
    assert len(in_memory.validation_scores_) == 2


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ("elbo", 1)),
        ({"objective": "iwae"}, ("iwae", 5)),
        ({"objective": "iwae", "n_train_draws": 3}, ("iwae", 3)),
        ({"n_train_draws": 4}, ("elbo", 4)),
    ],
)
def test_the_objective_and_its_draws_reach_the_training_loop(
    digits01, train_configs, params, expected
):
    X, _ = digits01
    VAETransformer(2, **{**SMALL, **params}).fit(X[:200])
    seen = train_configs
    assert (seen[0].objective, seen[0].n_train_draws) == expected


def test_beta_with_the_iwae_objective_is_refused(digits01):
    X, _ = digits01
    with pytest.raises(ValueError, match=r"beta=0\.5 weights the KL term"):
        VAETransformer(2, objective="iwae", beta=0.5, **SMALL).fit(X[:100])
