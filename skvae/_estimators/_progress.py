"""Progress of a fit: the ``verbose`` display and scikit-learn's callback API.

``verbose=1`` draws one progress bar (epoch, loss, validation ELBO) that
redraws itself in place on a terminal or in a Jupyter notebook, and prints one
plain line per epoch anywhere else (a log file, a CI job). It needs no
dependency: a carriage return is all a terminal and a notebook need for one
bar, so skvae does not add ``rich`` (which scikit-learn's
:class:`~sklearn.callback.ProgressBar` uses) or ``tqdm`` to its requirements.

With scikit-learn 1.9 or newer the estimators also support
``set_callbacks``: each epoch is a task of the fit, so
``vae.set_callbacks(ProgressBar())`` shows per-epoch progress, nested under
:class:`~sklearn.model_selection.GridSearchCV` where scikit-learn propagates
it, and a callback that returns True from ``on_fit_task_end`` stops training.
On older scikit-learn the callback machinery is absent and skipped.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import copy
import sys
import time

_BAR_WIDTH = 24
_REFRESH_SECONDS = 0.1


def _interactive(stream):
    """Whether ``stream`` shows a redrawn line: a terminal or a Jupyter cell."""
    if type(stream).__module__.startswith("ipykernel"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def epoch_message(record):
    """One epoch's line: ``Epoch 3, loss = 12.3456, validation ELBO = ...``."""
    text = f"Epoch {record.epoch}, loss = {record.loss:.4f}"
    if record.validation_score is not None:
        text += f", validation ELBO = {record.validation_score:.4f}"
    return f"{text} ({record.seconds:.2f} s)"


class Display:
    """The ``verbose`` output of one fit: a redrawn bar, or plain lines."""

    def __init__(self, stream=None):
        self.stream = sys.stdout if stream is None else stream
        self.live = _interactive(self.stream)
        self._drawn = 0  # length of the bar's last drawing
        self._last = -float("inf")

    def update(self, record):
        text = epoch_message(record)
        if not self.live:
            print(text, file=self.stream, flush=True)
            return
        now = time.monotonic()
        last_epoch = record.epoch_in_call == record.max_iter
        if now - self._last < _REFRESH_SECONDS and not last_epoch:
            return  # redraw at most ten times a second
        self._last = now
        done = round(_BAR_WIDTH * record.epoch_in_call / record.max_iter)
        bar = f"[{'#' * done}{'.' * (_BAR_WIDTH - done)}]"
        line = f"{bar} {record.epoch_in_call}/{record.max_iter} {text}"
        self.stream.write("\r" + line.ljust(self._drawn))
        self.stream.flush()
        self._drawn = len(line)

    def close(self, message=None):
        if self.live and self._drawn:
            self.stream.write("\n")
        if message:
            print(message, file=self.stream, flush=True)


class FitProgress:
    """The per-epoch hook of one fit: ``verbose`` display and fit callbacks.

    Call it with each :class:`~skvae._training.EpochRecord`; it returns True
    when a callback asks to stop. ``close`` ends the display and the fit task.
    """

    def __init__(self, estimator, X, y, max_iter):
        self.estimator, self.X, self.y = estimator, X, y
        self.display = Display() if estimator.verbose else None
        self.context = None
        if hasattr(estimator, "_init_callback_context"):  # scikit-learn >= 1.9
            self.context = estimator._init_callback_context(max_subtasks=max_iter)
            self.context.call_on_fit_task_begin(estimator=estimator, X=X, y=y)

    def _fitted(self, final=False):
        """Attributes that make a copy of the estimator usable as fitted now.

        The latent dimensions are measured after training: an epoch's copy
        has all of them, in the model's order; the ``final`` copy the fit's.
        """
        est = self.estimator
        module = copy.deepcopy(est.module_).eval()
        latent = {
            "n_components_": module.config.n_components,
            "latent_activity_": None,
            "latent_kl_": None,
        }
        if final:
            latent = {name: copy.deepcopy(getattr(est, name)) for name in latent}
        return {
            "module_": module,
            "_train_state": copy.deepcopy(est._train_state),
            **latent,
        }

    def __call__(self, record):
        if self.display is not None:
            self.display.update(record)
        if self.context is None:
            return False
        task = self.context.subcontext(task_name="epoch")
        task.call_on_fit_task_begin(estimator=self.estimator, X=self.X, y=self.y)
        return task.call_on_fit_task_end(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            reconstruction_attributes=self._fitted,
        )

    def close(self, message=None, *, finished=True):
        """End the display (with ``message``) and, if ``finished``, the fit task."""
        if self.display is not None:
            self.display.close(message)
        if finished and self.context is not None:
            self.context.call_on_fit_task_end(
                estimator=self.estimator,
                X=self.X,
                y=self.y,
                reconstruction_attributes=lambda: self._fitted(final=True),
            )
