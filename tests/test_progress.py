"""Progress of a fit: the verbose display and scikit-learn's callback protocol."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import io
import warnings

import numpy as np
import pytest

from skvae import VAEOutlierDetector, VAETransformer
from skvae._estimators._progress import Display
from skvae.core._train_state import EpochRecord

X = np.random.RandomState(0).rand(120, 5)
KW = {"hidden_layer_sizes": (8,), "device": "cpu", "random_state": 0}

callback = pytest.importorskip("sklearn.callback", reason="scikit-learn < 1.9")


class Recorder:
    """A fit callback that records the hooks it sees (no terminal needed)."""

    def __init__(self, stop_after=None):
        self.events = []
        self.stop_after = stop_after
        self.fitted = []

    def setup(self, estimator, context):
        self.events.append(("setup", context.task_name))

    def on_fit_task_begin(self, estimator, context, *, X=None):
        self.events.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, *, X=None, fitted_estimator=None):
        self.events.append(("end", context.task_name))
        if context.task_name == "epoch":
            self.fitted.append(fitted_estimator)
            epochs = sum(1 for e in self.events if e == ("end", "epoch"))
            return self.stop_after is not None and epochs >= self.stop_after
        return False

    def teardown(self, estimator, context):
        self.events.append(("teardown", context.task_name))


class PropagatedRecorder(Recorder):
    max_propagation_depth = None  # auto-propagated from a meta-estimator


def _fit(est, data=X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(data)


@pytest.mark.parametrize("cls", [VAETransformer, VAEOutlierDetector])
def test_each_epoch_is_a_task_of_the_fit(cls):
    recorder = Recorder()
    est = _fit(cls(2, max_iter=4, **KW).set_callbacks(recorder))
    epochs = [e for e in recorder.events if e[1] == "epoch"]
    assert epochs == [("begin", "epoch"), ("end", "epoch")] * est.n_iter_
    assert recorder.events[:2] == [("setup", "fit"), ("begin", "fit")]
    assert recorder.events[-2:] == [("end", "fit"), ("teardown", "fit")]


def test_the_fitted_estimator_of_an_epoch_is_a_usable_snapshot():
    recorder = Recorder()
    est = _fit(VAETransformer(2, max_iter=3, **KW).set_callbacks(recorder))
    first, last = recorder.fitted[0], recorder.fitted[-1]
    assert first.transform(X).shape == (120, 2)
    assert first.module_ is not est.module_  # a copy: later epochs leave it alone
    assert not np.array_equal(first.transform(X), est.transform(X))
    # an epoch's copy has every latent dimension in the model's order: their
    # activity, which orders transform's columns, is measured after training
    assert last.latent_activity_ is None
    np.testing.assert_array_equal(last.transform(X), est._codes(X, full=True))


def test_a_callback_can_stop_training_without_a_convergence_warning():
    est = VAETransformer(2, max_iter=50, **KW).set_callbacks(Recorder(stop_after=3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ConvergenceWarning
        est.fit(X)
    assert est.n_iter_ == 3


def test_callbacks_are_torn_down_when_a_fit_fails():
    recorder = Recorder()
    est = VAETransformer(2, solver="sgd", learning_rate_init=1e12, **KW)
    with pytest.raises(ValueError, match="non-finite"):
        est.set_callbacks(recorder).fit(X * 100)
    assert recorder.events[-1] == ("teardown", "fit")
    assert not hasattr(est, "_callback_fit_ctx")


def test_callbacks_propagate_from_grid_search():
    from sklearn.model_selection import GridSearchCV

    recorder = PropagatedRecorder()
    search = GridSearchCV(
        VAETransformer(max_iter=2, **KW), {"n_components": [1, 2]}, cv=2
    )
    _fit(search.set_callbacks(recorder))
    epochs = [e for e in recorder.events if e == ("end", "epoch")]
    assert len(epochs) >= 2 * 2 * 2  # candidates x folds x epochs


def test_scoring_monitor_logs_the_score_of_each_epoch():
    # the held-out ELBO of each epoch's snapshot, through a scorer
    scoring = {"elbo": lambda est, X, y: est.score(X)}
    monitor = callback.ScoringMonitor(scoring=scoring)
    est = VAETransformer(2, max_iter=3, **KW).set_callbacks(monitor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, np.zeros(len(X)))  # y is ignored by the model, used by scorers
    log = monitor.get_logs()
    epochs = [row for row in log.data if row["task_name"] == "epoch"]
    assert len(epochs) == 3
    assert all(np.isfinite(row["elbo"]) for row in epochs)
    assert epochs[-1]["elbo"] == pytest.approx(est.score(X))


def test_without_callback_support_fitting_still_works(run_python):
    """scikit-learn < 1.9 has no sklearn.callback.CallbackSupportMixin."""
    code = (
        "import sklearn.callback as c\n"
        "del c.CallbackSupportMixin\n"
        "import numpy as np, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "from skvae import VAETransformer\n"
        "est = VAETransformer(2, hidden_layer_sizes=(8,), max_iter=2, verbose=1)\n"
        "est.fit(np.random.RandomState(0).rand(50, 4))\n"
        "print(hasattr(est, 'set_callbacks'), est.n_iter_)\n"
    )
    assert run_python(code).strip().splitlines()[-1] == "False 2"


def test_verbose_prints_plain_lines_when_not_a_terminal(capsys):
    VAETransformer(2, max_iter=2, verbose=1, early_stopping=True, **KW).fit(X)
    out = capsys.readouterr().out
    assert "\r" not in out
    lines = out.strip().splitlines()
    assert lines[0].startswith("Epoch 1, loss = ") and "validation ELBO" in lines[0]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_verbose_draws_one_bar_on_a_terminal():
    stream = _Terminal()
    display = Display(stream)
    for epoch in (1, 2, 3):
        display.update(EpochRecord(epoch, epoch, 3, 10.0 / epoch, -5.0, 0.01))
    display.close("done")
    text = stream.getvalue()
    assert text.startswith("\r[") and text.count("\n") == 2  # the bar, then "done"
    last = text.split("\r")[-1]
    assert "3/3" in last and "#" * 24 in last and "validation ELBO = -5.0000" in last


def test_scikit_learn_progress_bar_shows_the_epochs():
    pytest.importorskip("rich")
    est = VAETransformer(2, max_iter=3, **KW).set_callbacks(callback.ProgressBar())
    _fit(est)
    assert est.n_iter_ == 3 and not hasattr(est, "_callback_fit_ctx")
