"""The AEVB training loop: minibatch SGVB steps, early stopping, no scikit-learn.

The loop keeps the data as one tensor on the training device (or streams a
memory-mapped array block by block), draws shuffled index minibatches from an
explicit ``torch.Generator`` and reads the loss back to the host once per
epoch, so a step costs no more than the model's own maths. The objective of a
step, and of validation, comes from :data:`~skvae.core.OBJECTIVES`.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math
import time

import torch

from skvae.core._docs import fill
from skvae.core._inference import map_rows, scoring_noise
from skvae.core._objectives import OBJECTIVES, trimmed_mean
from skvae.core._train_state import (
    EpochRecord,
    TrainOutcome,
    snapshot,
)
from skvae.core._utils import STREAM_ROWS, make_generator, to_tensor


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


@fill
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
    """Train a model on X for up to ``config.max_iter`` epochs.

    Minibatch steps on the objective ``config.objective`` (trimmed to
    ``config.support_fraction``), with the stopping rules of scikit-learn's
    MLP: with ``X_val`` training ends when the validation ELBO has not
    improved by ``tol`` for ``n_iter_no_change`` epochs in a row and the best
    weights are restored; without it the same rule applies to the training
    loss. A non-finite loss raises ``ValueError`` after restoring the last
    good weights; ``KeyboardInterrupt`` ends training with the weights of the
    last finished epoch.

    Parameters
    ----------
    model : VAE
        The model to train, on its device.
    optimizer : torch.optim.Optimizer
        Over the model's parameters (see :func:`make_optimizer`); its first
        group gets ``config.weight_decay``.
    X : ndarray or Tensor of shape (n, n_features)
        The training data, NaN where an entry is missing.
    state : TrainState
        Updated in place, so a later call continues where this one ended.
    config : TrainConfig
        How to train.
    seed : int, default=0
        The minibatch order and the noise come from a generator on the
        model's device seeded with ``seed + 7919 * state.n_iter``, so that a
        fit split over several calls is reproducible too.
    stream : bool, default=False
        Stream a numpy ``X`` (a memmap) block by block instead of copying it
        to the device whole.
    X_val : ndarray or Tensor, optional
        Held-out rows for early stopping.
    validation_draws : int, default=1
        Draws of z per validation row, fixed by ``validation_seed`` and
        shared by all rows.
    validation_seed : int, default=0
        Seed of the validation noise.
    on_epoch : callable, optional
        Called with an :class:`EpochRecord` after each finished epoch; a true
        return value stops training, the best weights restored as for early
        stopping.

    Returns
    -------
    outcome : TrainOutcome
        How the call ended.

    Examples
    --------
    {model_and_data}
    >>> from skvae.core import TrainConfig, TrainState, make_optimizer, train
    >>> state = TrainState()
    >>> outcome = train(model, make_optimizer(model), x, state,
    ...                 TrainConfig(max_iter=3, batch_size=25))
    >>> outcome.n_epochs, len(state.loss_curve)
    (3, 3)
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
