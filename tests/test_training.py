"""The training loop: progress, stopping rules, failures."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import pytest
import torch

from skvae import VAE, VAEConfig
from skvae._estimators import _budget
from skvae.core import (
    TrainConfig,
    TrainState,
    _training,
    elbo,
    log_marginal_likelihood,
    make_optimizer,
    train,
    trimmed_mean,
)
from skvae.core._inference import scoring_noise
from skvae.core._train_state import snapshot
from skvae.core._training import run_epoch


def _setup(lr=1e-2, solver="adam"):
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(400, 2, generator=gen)
    W = torch.randn(2, 8, generator=gen)
    X = z @ W + 0.3 * torch.randn(400, 8, generator=gen)
    model = VAE(
        VAEConfig(n_features=8, n_components=2, hidden_layer_sizes=(16,)), generator=gen
    )
    return model, make_optimizer(model, solver, lr), X, gen


@pytest.mark.parametrize("solver", ["adam", "adagrad", "sgd"])
def test_loss_decreases(solver):
    model, opt, X, _gen = _setup(solver=solver, lr=1e-2 if solver != "sgd" else 1e-3)
    state = TrainState()
    config = TrainConfig(max_iter=30, batch_size=50, check_improvement=False)
    out = train(model, opt, X, state, config)
    assert out.n_epochs == 30 and state.n_iter == 30
    assert len(state.loss_curve) == 30
    assert state.loss_curve[-1] < state.loss_curve[0] - 1.0


def test_run_epoch_returns_device_tensor_mean_loss():
    model, opt, X, gen = _setup()
    loss = run_epoch(model, opt, X, batch_size=64, generator=gen)
    assert isinstance(loss, torch.Tensor) and loss.ndim == 0


def test_early_stopping_restores_best_weights():
    model, opt, X, _gen = _setup(lr=3e-2)
    X_train, X_val = X[:300], X[300:]
    eps = scoring_noise(model, 1, seed=1)
    state = TrainState()
    config = TrainConfig(max_iter=300, batch_size=50, n_iter_no_change=3)
    out = train(model, opt, X_train, state, config, X_val=X_val, validation_seed=1)
    assert out.stopped_early and state.n_iter < 300
    assert len(state.validation_scores) == state.n_iter
    assert state.best_validation_score == max(state.validation_scores)
    # the restored weights are those of the best epoch
    with torch.no_grad():
        again = elbo(model, X_val, eps=eps).mean().item()
    assert again == pytest.approx(state.best_validation_score, rel=1e-5)


def test_non_finite_loss_raises_and_restores_weights():
    model, opt, X, _gen = _setup()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    X_bad = X.clone()
    X_bad[5, 3] = float("inf")
    with pytest.raises(ValueError, match="learning_rate_init"):
        config = TrainConfig(max_iter=2, batch_size=50)
        train(model, opt, X_bad, TrainState(), config)
    for k, v in model.state_dict().items():
        assert torch.equal(v, before[k])


def test_keyboard_interrupt_keeps_last_finished_epoch(monkeypatch):
    import skvae.core._training as training

    model, opt, X, _gen = _setup()
    calls = {"n": 0}
    real = training.run_epoch

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            # damage the weights mid-epoch, then get interrupted
            with torch.no_grad():
                next(model.parameters()).add_(100.0)
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    state = TrainState()
    train(model, opt, X, state, TrainConfig(max_iter=2, batch_size=50))
    after_two = {k: v.clone() for k, v in model.state_dict().items()}
    monkeypatch.setattr(training, "run_epoch", flaky)
    calls["n"] = 2
    config = TrainConfig(max_iter=5, batch_size=50)
    out = training.train(model, opt, X, state, config)
    assert out.interrupted and out.n_epochs == 0 and state.n_iter == 2
    for k, v in model.state_dict().items():
        assert torch.equal(v, after_two[k])


def test_trimmed_mean_keeps_the_largest_share():
    values = torch.tensor([4.0, -100.0, 2.0, 1.0, 3.0])
    assert trimmed_mean(values, 1.0) == values.mean()
    # ceil(0.8 * 5) = 4 largest: 4, 3, 2, 1
    assert trimmed_mean(values, 0.8).item() == pytest.approx(2.5)
    assert trimmed_mean(values, 0.5).item() == pytest.approx(3.0)  # 4, 3, 2
    assert trimmed_mean(values, 1e-9).item() == pytest.approx(4.0)  # at least one


def test_trimmed_training_ignores_a_cluster_of_outliers():
    """The trimmed ELBO fits the bulk of the data, not a small far cluster."""
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(380, 2, generator=gen)
    W = torch.randn(2, 8, generator=gen)
    inliers = z @ W + 0.3 * torch.randn(380, 8, generator=gen)
    outliers = 6.0 + 0.1 * torch.randn(20, 8, generator=gen)
    X = torch.cat([inliers, outliers])
    gaps = {}
    for fraction in (1.0, 0.8):
        gen.manual_seed(1)
        model = VAE(
            VAEConfig(n_features=8, n_components=2, hidden_layer_sizes=(32,)),
            generator=gen,
        )
        opt = make_optimizer(model, "adam", 1e-2)
        config = TrainConfig(
            max_iter=60,
            batch_size=100,
            check_improvement=False,
            support_fraction=fraction,
        )
        train(model, opt, X, TrainState(), config)
        eps = torch.zeros(1, 1, 2)
        with torch.no_grad():
            bounds = elbo(model, X, eps=eps)
        gaps[fraction] = (bounds[:380].median() - bounds[380:].median()).item()
    # Untrimmed, the model learns the cluster; trimmed, it stays far less likely.
    assert gaps[0.8] > gaps[1.0] + 10.0


def test_checkpoint_restores_weights_optimizer_and_state():
    from skvae.core._train_state import Checkpoint

    model, opt, X, _gen = _setup()
    state = TrainState()
    train(model, opt, X, state, TrainConfig(max_iter=2, batch_size=50))
    checkpoint = Checkpoint.capture(model, opt, state)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    step = opt.state_dict()["state"][0]["step"].item()
    train(model, opt, X, state, TrainConfig(max_iter=3, batch_size=50))
    assert state.n_iter == 5
    restored = checkpoint.restore(model, opt)
    assert restored.n_iter == 2 and restored.loss_curve == state.loss_curve[:2]
    assert opt.state_dict()["state"][0]["step"].item() == step
    for k, v in model.state_dict().items():
        assert torch.equal(v, weights[k])


def test_train_owns_weight_decay_and_mixed_precision():
    model, opt, X, _gen = _setup()
    config = TrainConfig(max_iter=1, batch_size=50, weight_decay=0.25)
    train(model, opt, X, TrainState(), config)
    assert opt.param_groups[0]["weight_decay"] == 0.25  # weight matrices only
    assert opt.param_groups[1]["weight_decay"] == 0.0  # biases
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match=r"fp16.*needs a CUDA device"):
            fp16 = TrainConfig(max_iter=1, mixed_precision="fp16")
            train(model, opt, X, TrainState(), fp16)


def test_train_state_round_trips_as_plain_values():
    state = TrainState(n_iter=3, loss_curve=[3.0, 2.0, 1.0], best_loss=1.0)
    state.best_state = {"w": torch.zeros(2)}
    d = state.to_dict()
    assert "best_state" not in d
    assert TrainState(**d) == TrainState(
        n_iter=3, loss_curve=[3.0, 2.0, 1.0], best_loss=1.0
    )


def test_early_stopping_waits_out_a_plateau_shorter_than_its_patience(monkeypatch):
    # A scripted validation curve: a rise, a flat plateau of 4 epochs (the
    # early plateau of a VAE), a later and higher peak, then a decline.
    curve = [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 2.5, 2.4, 2.3, 2.2, 2.1, 2.0, 1.9]
    calls = iter(curve)
    monkeypatch.setattr(_training, "evaluate_elbo", lambda *a, **k: next(calls))
    model, opt, X, _gen = _setup()
    weights = {}

    def record(r):
        weights[r.epoch] = snapshot(model)

    state = TrainState()
    config = TrainConfig(max_iter=len(curve), batch_size=100, n_iter_no_change=4)
    out = train(
        model, opt, X[:300], state, config,
        X_val=X[300:], on_epoch=record,
    )  # fmt: skip
    # the 4 flat epochs did not end the fit; 5 epochs past the peak (epoch 7) did
    assert out.stopped_early and state.n_iter == 12
    assert state.validation_scores == curve[:12]
    assert state.best_validation_score == 3.0
    best = weights[7]
    assert all(torch.equal(v, best[k]) for k, v in model.state_dict().items())
    last = weights[12]["decoder.0.weight"]
    assert not torch.equal(model.state_dict()["decoder.0.weight"], last)


def test_auto_budget_and_patience_are_counted_in_steps():
    # 400 rows of 200: 2 steps an epoch; 60,000 rows: 300 steps an epoch
    assert _budget.steps_per_epoch(400, 200) == 2
    assert _budget.steps_per_epoch(60_000, 200) == 300
    assert _budget.auto_max_iter(400, 200, validated=True) == 10_000
    assert _budget.auto_max_iter(60_000, 200, validated=True) == 200
    assert _budget.auto_max_iter(400, 200, validated=False) == 200
    assert _budget.auto_patience(400, 200) == 150  # 300 steps
    assert _budget.auto_patience(60_000, 200) == 10  # at least 10 epochs
    # validation draws: the scores' draws on a small set, fewer on a large one
    assert _budget.validation_draws(40, 10) == 10
    assert _budget.validation_draws(6_000, 10) == 2
    assert _budget.validation_draws(100_000, 10) == 1
    # batch size and held-out rows under "auto"
    assert _budget.auto_batch_size(150) == 150 and _budget.auto_batch_size(5_000) == 200
    assert _budget.n_validation(0.1, 5) == 2 and _budget.n_validation(0.1, 455) == 46


@pytest.mark.parametrize("objective", ["elbo", "iwae"])
def test_the_epoch_loss_is_the_chosen_bound_with_the_generators_noise(objective):
    """One full batch, no shuffling, no step: the loss is -bound with K fresh draws."""
    model, _, X, _ = _setup()
    opt = torch.optim.SGD(model.parameters(), lr=0.0)
    K = 4
    loss = run_epoch(
        model,
        opt,
        X,
        batch_size=len(X),
        generator=torch.Generator().manual_seed(3),
        shuffle=False,
        objective=objective,
        n_train_draws=K,
    )
    gen = torch.Generator().manual_seed(3)
    eps = torch.randn((K, len(X), 2), generator=gen)
    with torch.no_grad():
        if objective == "iwae":
            bound = log_marginal_likelihood(model, X, eps=eps)
        else:
            bound = elbo(model, X, eps=eps)
    torch.testing.assert_close(loss.float(), -bound.mean(), rtol=1e-5, atol=1e-5)


def test_the_iwae_objective_trains():
    model, opt, X, _gen = _setup()
    state = TrainState()
    config = TrainConfig(
        max_iter=30,
        batch_size=50,
        check_improvement=False,
        objective="iwae",
        n_train_draws=5,
    )
    train(model, opt, X, state, config)
    assert state.loss_curve[-1] < state.loss_curve[0] - 1.0
