"""The AEVB training loop: minibatch SGVB steps, early stopping, no scikit-learn.

The loop keeps the data as one tensor on the training device (or streams a
memory-mapped array block by block), draws shuffled index minibatches from an
explicit ``torch.Generator`` and reads the loss back to the host once per
epoch, so a step costs no more than the model's own maths. The objective of a
step, and of validation, comes from :data:`~skvae.core.OBJECTIVES`.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import math
import time
from dataclasses import asdict, dataclass, field

import torch

from skvae.core._inference import map_rows, scoring_noise
from skvae.core._objectives import OBJECTIVES, trimmed_mean
from skvae.core._utils import STREAM_ROWS, make_generator, to_tensor

SOLVERS = ("adam", "adagrad", "sgd")


@dataclass
class TrainState:
    """What the loop carries from one call to the next (warm start, partial_fit)."""

    n_iter: int = 0
    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = math.inf
    best_validation_score: float = -math.inf
    no_improvement_count: int = 0
    best_state: dict | None = None  # weights of the best epoch, during a call

    def to_dict(self):
        """The state as plain values (without ``best_state``), for saving."""
        d = asdict(self)
        del d["best_state"]
        d["loss_curve"] = list(self.loss_curve)
        d["validation_scores"] = list(self.validation_scores)
        return d


@dataclass
class TrainConfig:
    """How :func:`train` runs; every field has the estimators' meaning."""

    max_iter: int = 200  # epochs in this call
    batch_size: int = 200
    beta: float = 1.0  # weight of the KL term (the ELBO objective)
    objective: str = "elbo"  # or "iwae": the importance-weighted bound
    n_train_draws: int = 1  # draws of z per row and step (IWAE's K)
    shuffle: bool = True
    tol: float = 1e-4  # nats per sample that count as progress
    n_iter_no_change: int = 10
    check_improvement: bool = True  # stop on no progress (off for partial_fit)
    weight_decay: float = 0.0  # L2 coefficient per sample, on weight matrices
    mixed_precision: str | None = None  # "bf16", "fp16" or None
    support_fraction: float = 1.0  # share of each minibatch in the objective


@dataclass
class Checkpoint:
    """Model weights, optimiser state and training state, captured together.

    A fit that fails or is rejected restores the checkpoint taken before it,
    so the model is left exactly as it was.
    """

    model: dict
    optimizer: dict
    state: TrainState

    @classmethod
    def capture(cls, model, optimizer, state):
        """A deep copy of ``model``, ``optimizer`` and ``state`` as they are now."""
        return cls(
            snapshot(model), copy.deepcopy(optimizer.state_dict()), copy.deepcopy(state)
        )

    def restore(self, model, optimizer):
        """Load the weights and optimiser state back; return the training state."""
        model.load_state_dict(self.model)
        optimizer.load_state_dict(self.optimizer)
        return self.state


@dataclass
class TrainOutcome:
    """How one call of :func:`train` ended."""

    n_epochs: int  # epochs finished in this call
    stopped_early: bool  # the no-improvement criterion fired
    interrupted: bool  # KeyboardInterrupt; the model holds the last finished epoch
    stopped_by_callback: bool = False  # ``on_epoch`` asked to stop
    max_iter: int = 0  # epochs this call could run

    @property
    def ran_out(self):
        """Whether the call used its whole budget without any stop firing."""
        return not (
            self.stopped_early or self.interrupted or self.stopped_by_callback
        ) and (self.n_epochs == self.max_iter)


@dataclass
class EpochRecord:
    """What :func:`train` reports to ``on_epoch`` after each finished epoch."""

    epoch: int  # epochs run in all calls, this one included
    epoch_in_call: int  # 1 for the first epoch of this call
    max_iter: int  # epochs this call may run
    loss: float  # mean training loss of the epoch, nats per sample
    validation_score: float | None  # held-out (trimmed) ELBO; None without
    seconds: float  # wall time of the epoch, validation included


def make_optimizer(model, solver="adam", learning_rate=1e-3, weight_decay=0.0):
    """An optimizer over ``model``'s parameters, with L2 decay on weight matrices only.

    ``weight_decay`` is the coefficient of the gradient of ``0.5 * wd * ||W||^2``;
    biases are not decayed, as in scikit-learn's MLP.
    """
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    if solver == "adam":
        # A fused kernel where torch has one for the parameters' device (CUDA;
        # CPU since torch 2.4); torch's default (foreach) elsewhere.
        try:
            return torch.optim.Adam(groups, lr=learning_rate, fused=True)
        except (RuntimeError, TypeError):
            return torch.optim.Adam(groups, lr=learning_rate)
    if solver == "adagrad":
        return torch.optim.Adagrad(groups, lr=learning_rate)
    if solver == "sgd":
        return torch.optim.SGD(groups, lr=learning_rate, momentum=0.9, nesterov=True)
    raise ValueError(f"Unknown solver {solver!r}; expected one of {SOLVERS}.")


def snapshot(model):
    """A detached copy of ``model``'s state (to restore the best or last weights)."""
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def evaluate_elbo(model, X, eps, support_fraction=1.0):
    """Mean ELBO of ``X`` with fixed noise ``eps`` of shape (S, 1, k); a float.

    With ``support_fraction < 1`` the mean of the best-explained share of rows
    (see :func:`trimmed_mean`).
    """
    model.eval()
    elbos = map_rows(
        lambda xb: OBJECTIVES["elbo"](model, xb, eps),
        X,
        model,
        numbers_per_row=eps.shape[0] * X.shape[1] * 3,
        check_finite=False,
    )
    # float64: the mean of many per-row ELBOs, compared across epochs by ``tol``
    return trimmed_mean(torch.as_tensor(elbos).double(), support_fraction).item()


def minibatches(
    X, batch_size, generator, *, shuffle=True, dtype=None, chunk_rows=STREAM_ROWS
):
    """Yield minibatches of ``X`` on ``generator``'s device.

    A tensor is indexed directly (it already lives on the training device). A
    numpy array (for example an ``np.memmap`` larger than memory) is streamed:
    blocks of ``chunk_rows`` rows are visited in random order, copied to the
    device one at a time and shuffled within, so memory stays at one block.
    """
    device = generator.device
    if isinstance(X, torch.Tensor):  # already on the device, in the right dtype
        n = X.shape[0]
        if not shuffle:
            for start in range(0, n, batch_size):
                yield X[start : start + batch_size]
            return
        order = torch.randperm(n, generator=generator, device=device)
        for start in range(0, n, batch_size):
            yield X.index_select(0, order[start : start + batch_size])
        return
    n = X.shape[0]
    starts = list(range(0, n, chunk_rows))
    if shuffle:
        perm = torch.randperm(len(starts), generator=generator, device=device)
        starts = [starts[i] for i in perm.tolist()]
    for start in starts:
        block = to_tensor(X[start : start + chunk_rows], device, dtype)
        yield from minibatches(block, batch_size, generator, shuffle=shuffle)


def run_epoch(
    model,
    optimizer,
    X,
    *,
    batch_size,
    generator,
    beta=1.0,
    shuffle=True,
    autocast_dtype=None,
    grad_scaler=None,
    support_fraction=1.0,
    objective="elbo",
    n_train_draws=1,
):
    """One pass over ``X`` in minibatches; returns the mean loss as a 0-d tensor.

    The returned value stays on the device: nothing synchronises with the host
    per batch. ``autocast_dtype`` (``torch.bfloat16`` or ``torch.float16``) runs
    the network's matrix products in reduced precision under ``torch.autocast``;
    the likelihood and the KL term stay in the data's precision. ``grad_scaler``
    (a ``torch.amp.GradScaler``) is needed for float16. With
    ``support_fraction < 1`` each step minimises the trimmed negative ELBO of its
    minibatch (:func:`trimmed_mean`). ``objective`` names an entry of
    :data:`OBJECTIVES`, estimated with ``n_train_draws`` fresh draws of z per
    row: "elbo" averages the ELBO over them, "iwae" is the
    importance-weighted bound with K = ``n_train_draws`` (Burda et al., 2016;
    MIWAE's objective on rows with holes).
    """
    model.train()
    k = model.config.n_components
    device = generator.device
    dtype = next(model.parameters()).dtype
    total = torch.zeros((), device=device, dtype=torch.float64)
    n = 0
    for xb in minibatches(X, batch_size, generator, shuffle=shuffle, dtype=dtype):
        eps = torch.randn(
            (n_train_draws, xb.shape[0], k),
            generator=generator,
            device=device,
            dtype=xb.dtype,
        )
        with torch.autocast(
            device.type, dtype=autocast_dtype, enabled=autocast_dtype is not None
        ):
            bound = OBJECTIVES[objective](model, xb, eps, beta=beta)
            loss = -trimmed_mean(bound, support_fraction)
        optimizer.zero_grad(set_to_none=True)
        if grad_scaler is None:
            loss.backward()
            optimizer.step()
        else:
            grad_scaler.scale(loss).backward()
            grad_scaler.step(optimizer)
            grad_scaler.update()
        total += loss.detach() * xb.shape[0]
        n += xb.shape[0]
    return total / n


def _autocast(mixed_precision, device):
    """The autocast dtype and gradient scaler for ``mixed_precision`` on ``device``."""
    if mixed_precision is None:
        return None, None
    if mixed_precision == "fp16":
        if device.type != "cuda":
            raise ValueError(
                "mixed_precision='fp16' needs a CUDA device; on the CPU use "
                "mixed_precision='bf16' or None."
            )
        return torch.float16, torch.amp.GradScaler("cuda")
    return torch.bfloat16, None


def train(
    model,
    optimizer,
    X,
    state,
    config,
    *,
    seed=0,
    stream=False,
    X_val=None,
    validation_draws=1,
    validation_seed=0,
    on_epoch=None,
):
    """Train ``model`` on ``X`` for up to ``config.max_iter`` epochs.

    ``X`` is a tensor or a numpy array; with ``stream`` a numpy array (a
    memmap) is streamed block by block instead of copied to the device
    whole. The minibatch order and the noise come from a generator on the
    model's device seeded with ``seed + 7919 * state.n_iter``, so that a fit
    split over several calls is reproducible too. Follows the stopping rules
    of scikit-learn's MLP:
    with ``X_val`` (early stopping) training ends when the validation ELBO has
    not improved by ``tol`` for ``n_iter_no_change`` epochs in a row and the best
    weights are restored; without it the same rule applies to the training loss.
    ``state`` is updated in place so that a later call continues where this one
    ended. With ``support_fraction < 1`` the loss and the validation ELBO are
    trimmed means (:func:`trimmed_mean`): a robust fit to contaminated data.
    ``config.weight_decay`` is set on the optimizer's weight-matrix group, and
    ``config.mixed_precision`` runs the network under ``torch.autocast`` (with a
    gradient scaler for float16).

    ``on_epoch`` is called with an :class:`EpochRecord` after each finished
    epoch (progress bars, logging, callbacks); a true return value stops
    training, the best weights restored as for early stopping.

    The validation ELBO of ``X_val`` (numpy) averages ``validation_draws``
    draws of z per row, fixed by ``validation_seed`` and shared by all rows
    (see :func:`~skvae.core._inference.scoring_noise`).

    A non-finite loss raises ``ValueError`` (the model's weights are then
    unusable; the caller restores them). ``KeyboardInterrupt`` ends training after
    restoring the weights of the last finished epoch.
    """
    p = next(model.parameters())
    generator = make_generator(seed + 7919 * state.n_iter, p.device)
    if not (stream or isinstance(X, torch.Tensor)):
        X = to_tensor(X, p.device, p.dtype)
    val_eps = None
    if X_val is not None:
        val_eps = scoring_noise(model, validation_draws, validation_seed)
    autocast_dtype, grad_scaler = _autocast(config.mixed_precision, generator.device)
    # the weight-matrix group made by make_optimizer
    optimizer.param_groups[0]["weight_decay"] = config.weight_decay
    early_stopping = X_val is not None
    tol = config.tol
    last_good = snapshot(model)
    interrupted = stopped = by_callback = False
    epochs = 0
    for _ in range(config.max_iter):
        tic = time.perf_counter()
        try:
            loss = run_epoch(
                model,
                optimizer,
                X,
                batch_size=config.batch_size,
                generator=generator,
                beta=config.beta,
                shuffle=config.shuffle,
                objective=config.objective,
                n_train_draws=config.n_train_draws,
                autocast_dtype=autocast_dtype,
                grad_scaler=grad_scaler,
                support_fraction=config.support_fraction,
            ).item()
        except KeyboardInterrupt:
            model.load_state_dict(last_good)
            interrupted = True
            break
        if not math.isfinite(loss):
            model.load_state_dict(last_good)
            raise ValueError(
                f"The training loss became non-finite ({loss}) in epoch "
                f"{state.n_iter + 1}. Try a smaller learning_rate_init, "
                "standardise the features (StandardScaler), or pick a likelihood "
                "that matches the data (bernoulli for [0, 1], gaussian otherwise)."
            )
        epochs += 1
        state.n_iter += 1
        state.loss_curve.append(loss)
        last_good = snapshot(model)
        score = None
        if early_stopping:
            score = evaluate_elbo(
                model, X_val, val_eps, support_fraction=config.support_fraction
            )
            state.validation_scores.append(score)
            improved = score > state.best_validation_score + tol
            if score > state.best_validation_score:
                state.best_validation_score = score
                state.best_state = last_good
        else:
            improved = loss < state.best_loss - tol
            state.best_loss = min(state.best_loss, loss)
        state.no_improvement_count = 0 if improved else state.no_improvement_count + 1
        record = EpochRecord(
            epoch=state.n_iter,
            epoch_in_call=epochs,
            max_iter=config.max_iter,
            loss=loss,
            validation_score=score,
            seconds=time.perf_counter() - tic,
        )
        if on_epoch is not None and on_epoch(record):
            by_callback = True
            break
        if (
            config.check_improvement
            and state.no_improvement_count > config.n_iter_no_change
        ):
            stopped = True
            break
    if early_stopping and state.best_state is not None:
        model.load_state_dict(state.best_state)
    state.best_state = None  # restored already; keep no copy
    model.eval()
    return TrainOutcome(
        n_epochs=epochs,
        stopped_early=stopped,
        interrupted=interrupted,
        stopped_by_callback=by_callback,
        max_iter=config.max_iter,
    )
