"""What training is configured with and carries: the configuration, the state
between calls, the outcome, the per-epoch record, the checkpoint a failed fit
restores, and the optimiser."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import math
from dataclasses import asdict, dataclass, field

import torch

from skvae.core._docs import fill

SOLVERS = ("adam", "adagrad", "sgd")


@dataclass
class TrainState:
    """What :func:`train` carries from one call to the next (warm starts).

    :func:`train` updates it in place, so a later call continues where this
    one ended.

    Parameters
    ----------
    n_iter : int, default=0
        Epochs run in all calls.
    loss_curve : list of float
        Mean training loss after each epoch, nats per sample.
    validation_scores : list of float
        Held-out ELBO after each epoch, with a validation set.
    best_loss : float, default=inf
        Lowest training loss so far.
    best_validation_score : float, default=-inf
        Highest held-out ELBO so far.
    no_improvement_count : int, default=0
        Epochs in a row without progress.
    best_state : dict or None, default=None
        The best epoch's weights, during a call.

    Examples
    --------
    >>> from skvae.core import TrainState
    >>> state = TrainState()
    >>> state.n_iter, state.loss_curve
    (0, [])
    """

    n_iter: int = 0
    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    best_loss: float = math.inf
    best_validation_score: float = -math.inf
    no_improvement_count: int = 0
    best_state: dict | None = None  # weights of the best epoch, during a call

    def to_dict(self):
        """Return the state as plain values (without ``best_state``), for saving.

        Returns
        -------
        state : dict
            The fields by name.

        Examples
        --------
        >>> from skvae.core import TrainState
        >>> sorted(TrainState(n_iter=3).to_dict())[:3]
        ['best_loss', 'best_validation_score', 'loss_curve']
        """
        d = asdict(self)
        del d["best_state"]
        d["loss_curve"] = list(self.loss_curve)
        d["validation_scores"] = list(self.validation_scores)
        return d


@dataclass
class TrainConfig:
    """How :func:`train` runs; every field has the estimators' meaning.

    Parameters
    ----------
    max_iter : int, default=200
        Epochs in this call.
    batch_size : int, default=200
        Rows of a minibatch.
    beta : float, default=1.0
        Weight of the KL term of the ELBO objective.
    objective : {"elbo", "iwae"}, default="elbo"
        An entry of :data:`~skvae.core.OBJECTIVES`.
    n_train_draws : int, default=1
        Draws of z per row and step (the IWAE's K).
    shuffle : bool, default=True
        Shuffle the rows each epoch.
    tol : float, default=1e-4
        Progress, in nats per sample, that resets the patience.
    n_iter_no_change : int, default=10
        Epochs without progress before training stops.
    check_improvement : bool, default=True
        Stop on no progress (off for one epoch at a time).
    weight_decay : float, default=0.0
        L2 coefficient on the weight matrices.
    mixed_precision : {"bf16", "fp16"} or None, default=None
        Run the network under ``torch.autocast``.
    support_fraction : float, default=1.0
        Share of each minibatch the objective averages over (trimmed).

    Examples
    --------
    >>> from skvae.core import TrainConfig
    >>> TrainConfig(max_iter=5, batch_size=64).objective
    'elbo'
    """

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
    """How one call of :func:`train` ended.

    Parameters
    ----------
    n_epochs : int
        Epochs finished in this call.
    stopped_early : bool
        Whether the no-improvement criterion fired.
    interrupted : bool
        Whether KeyboardInterrupt ended it (the model holds the last
        finished epoch).
    stopped_by_callback : bool, default=False
        Whether ``on_epoch`` asked to stop.
    max_iter : int, default=0
        Epochs this call could run.

    Examples
    --------
    >>> from skvae.core import TrainOutcome
    >>> TrainOutcome(n_epochs=5, stopped_early=False, interrupted=False,
    ...              max_iter=5).ran_out
    True
    """

    n_epochs: int  # epochs finished in this call
    stopped_early: bool  # the no-improvement criterion fired
    interrupted: bool  # KeyboardInterrupt; the model holds the last finished epoch
    stopped_by_callback: bool = False  # ``on_epoch`` asked to stop
    max_iter: int = 0  # epochs this call could run

    @property
    def ran_out(self):
        """Whether the call used its whole budget without any stop firing.

        Examples
        --------
        >>> from skvae.core import TrainOutcome
        >>> TrainOutcome(3, stopped_early=True, interrupted=False, max_iter=9).ran_out
        False
        """
        return not (
            self.stopped_early or self.interrupted or self.stopped_by_callback
        ) and (self.n_epochs == self.max_iter)


@dataclass
class EpochRecord:
    """What :func:`train` reports to ``on_epoch`` after each finished epoch.

    Parameters
    ----------
    epoch : int
        Epochs run in all calls, this one included.
    epoch_in_call : int
        1 for the first epoch of this call.
    max_iter : int
        Epochs this call may run.
    loss : float
        Mean training loss of the epoch, nats per sample.
    validation_score : float or None
        Held-out (trimmed) ELBO; None without a validation set.
    seconds : float
        Wall time of the epoch, validation included.

    Examples
    --------
    >>> from skvae.core import EpochRecord
    >>> EpochRecord(1, 1, 10, loss=12.5, validation_score=None, seconds=0.1).loss
    12.5
    """

    epoch: int  # epochs run in all calls, this one included
    epoch_in_call: int  # 1 for the first epoch of this call
    max_iter: int  # epochs this call may run
    loss: float  # mean training loss of the epoch, nats per sample
    validation_score: float | None  # held-out (trimmed) ELBO; None without
    seconds: float  # wall time of the epoch, validation included


@fill
def make_optimizer(model, solver="adam", learning_rate=1e-3, weight_decay=0.0):
    """Make an optimiser over a model's parameters, decaying weight matrices only.

    Parameters
    ----------
    model : torch.nn.Module
        The model.
    solver : {"adam", "adagrad", "sgd"}, default="adam"
        Adam (fused where torch has a kernel), Adagrad, or SGD with Nesterov
        momentum 0.9.
    learning_rate : float, default=1e-3
        The step size.
    weight_decay : float, default=0.0
        The coefficient of the gradient of ``0.5 * wd * ||W||^2``; biases are
        not decayed, as in scikit-learn's MLP.

    Returns
    -------
    optimizer : torch.optim.Optimizer
        Two parameter groups: the weight matrices, then the rest.

    Examples
    --------
    {model}
    >>> from skvae.core import make_optimizer
    >>> [len(g["params"]) for g in make_optimizer(model).param_groups]
    [4, 4]
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
