"""Displays of a fit's numbers: training curves, anomaly scores, imputations."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.metrics import RocCurveDisplay
from sklearn.utils.validation import check_is_fitted

from skvae.inspection._plot import (
    as_frame,
    axes_for,
    draw_marginals,
    fill,
    pick_columns,
)


class TrainingDisplay:
    """The training loss and the held-out ELBO after each epoch.

    Both are drawn as negative ELBOs in nats per sample (lower is better),
    so the two curves share one axis; the epoch whose weights were kept is
    marked.

    Parameters
    ----------
    loss_curve : list of float
        The training loss (mean negative ELBO) after each epoch.
    validation_scores : list of float, default=None
        The held-out ELBO after each epoch (early stopping).
    best_epoch : int, default=None
        The epoch kept (1-based), marked with a vertical line.

    Attributes
    ----------
    lines_ : list of matplotlib Line2D
        The training curve, then the validation curve when there is one.
    best_line_ : matplotlib Line2D or None
    ax_, figure_ : matplotlib Axes and Figure

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skvae import VAETransformer
    >>> from skvae.inspection import TrainingDisplay
    >>> X = load_diabetes().data
    >>> vae = VAETransformer(max_iter=5, early_stopping=True, random_state=0).fit(X)
    >>> display = TrainingDisplay.from_estimator(vae)
    >>> len(display.loss_curve), display.best_epoch is not None
    (5, True)
    """

    def __init__(self, loss_curve, *, validation_scores=None, best_epoch=None):
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.best_epoch = best_epoch

    @classmethod
    @fill
    def from_estimator(cls, estimator, *, ax=None):
        """Read the curves of a fitted estimator and draw them.

        Parameters
        ----------
        {estimator_param}
        {ax_param}

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> from skvae.inspection import TrainingDisplay
        >>> X = np.random.RandomState(0).randn(200, 4)
        >>> vae = VAETransformer(max_iter=3, early_stopping=True, random_state=0).fit(X)
        >>> len(TrainingDisplay.from_estimator(vae).lines_)  # training and held-out
        2
        """
        check_is_fitted(estimator)
        scores = estimator.validation_scores_
        best = None if scores is None else int(np.nanargmax(scores)) + 1
        return cls(
            estimator.loss_curve_, validation_scores=scores, best_epoch=best
        ).plot(ax=ax)

    @fill
    def plot(self, ax=None):
        """Draw the curves.

        Parameters
        ----------
        {ax_param}

        {display_returns}

        Examples
        --------
        >>> from skvae.inspection import TrainingDisplay
        >>> display = TrainingDisplay(
        ...     [3.0, 2.5, 2.4], validation_scores=[-2.9, -2.6, -2.7], best_epoch=2
        ... ).plot()
        >>> display.best_line_.get_xdata()[0]
        2
        """
        fig, (ax,) = axes_for(type(self).__name__, ax, 1, panel_size=(5.0, 3.5))
        epochs = np.arange(1, len(self.loss_curve) + 1)
        self.lines_ = ax.plot(epochs, self.loss_curve, label="training loss")
        self.best_line_ = None
        if self.validation_scores is not None:
            held = -np.asarray(self.validation_scores, dtype=float)
            self.lines_ += ax.plot(
                np.arange(1, len(held) + 1), held, label="held-out -ELBO"
            )
        if self.best_epoch is not None:
            self.best_line_ = ax.axvline(
                self.best_epoch, color="grey", ls="--", lw=0.8,
                label=f"kept: epoch {self.best_epoch}",
            )  # fmt: skip
        ax.set_xlabel("epoch")
        ax.set_ylabel("nats per sample (lower is better)")
        ax.legend(fontsize=8)
        self.ax_, self.figure_ = ax, fig
        return self


class ScoreDisplay:
    """A detector's scores, its threshold ``offset_`` and its ROC curve.

    The histogram of ``score_samples`` with the threshold marked; given
    labels, normal and outlier rows apart and the ROC curve beside.

    Parameters
    ----------
    scores : ndarray of shape (n_samples,)
        ``score_samples`` of the rows (higher is more normal).
    offset : float
        The threshold: rows scoring below it are outliers.
    y : array-like of shape (n_samples,), default=None
        1 (or True) for an outlier, 0 for a normal row: splits the histogram
        and adds the ROC curve.

    Attributes
    ----------
    hist_ : list
        The histogram's bar containers (one, or normal and outlier rows).
    threshold_line_ : matplotlib Line2D
    roc_ : sklearn.metrics.RocCurveDisplay or None
        The ROC curve of ``-scores`` against ``y``.
    ax_ : matplotlib Axes, or ndarray of two Axes with ``y``
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEOutlierDetector
    >>> from skvae.inspection import ScoreDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(200, 4), rng.randn(10, 4) + 6]
    >>> y = np.r_[np.zeros(200), np.ones(10)]
    >>> detector = VAEOutlierDetector(max_iter=5, random_state=0).fit(X)
    >>> display = ScoreDisplay.from_estimator(detector, X, y)
    >>> display.roc_.roc_auc > 0.5
    True
    """

    def __init__(self, scores, offset, *, y=None):
        self.scores = scores
        self.offset = offset
        self.y = y

    @classmethod
    @fill
    def from_estimator(cls, estimator, X, y=None, *, ax=None):
        """Score X with a fitted detector and draw the scores.

        Parameters
        ----------
        estimator : VAEOutlierDetector
            A fitted detector.
        X : array-like or DataFrame of shape (n_samples, n_features)
            The rows to score.
        y : array-like of shape (n_samples,), default=None
            1 (or True) for an outlier.
        ax : matplotlib Axes, or two Axes with ``y``, default=None
            Where to draw; a new figure when None.

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEOutlierDetector
        >>> from skvae.inspection import ScoreDisplay
        >>> X = np.random.RandomState(0).randn(200, 4)
        >>> detector = VAEOutlierDetector(max_iter=3, random_state=0).fit(X)
        >>> display = ScoreDisplay.from_estimator(detector, X)
        >>> bool(display.threshold_line_.get_xdata()[0] == detector.offset_)
        True
        """
        check_is_fitted(estimator, "offset_")
        return cls(estimator.score_samples(X), estimator.offset_, y=y).plot(ax=ax)

    @fill
    def plot(self, ax=None):
        """Draw the scores (and the ROC curve with ``y``).

        Parameters
        ----------
        ax : matplotlib Axes, or two Axes with ``y``, default=None
            Where to draw; a new figure when None.

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae.inspection import ScoreDisplay
        >>> display = ScoreDisplay(np.array([1.0, 2.0, -5.0]), 0.0, y=[0, 0, 1]).plot()
        >>> float(display.roc_.roc_auc)
        1.0
        """
        name = type(self).__name__
        scores = np.asarray(self.scores, dtype=float)
        n_panels = 1 if self.y is None else 2
        fig, axes = axes_for(name, ax, n_panels, panel_size=(4.5, 3.5))
        hist_ax = axes[0]
        bins = np.histogram_bin_edges(scores, bins=40)
        self.roc_ = None
        if self.y is None:
            self.hist_ = [hist_ax.hist(scores, bins=bins, alpha=0.7, label="rows")[2]]
        else:
            outlier = np.asarray(self.y).astype(bool)
            self.hist_ = [
                hist_ax.hist(scores[~outlier], bins=bins, alpha=0.6, density=True,
                             label="normal")[2],
                hist_ax.hist(scores[outlier], bins=bins, alpha=0.6, density=True,
                             label="outlier")[2],
            ]  # fmt: skip
            self.roc_ = RocCurveDisplay.from_predictions(
                outlier, -scores, name="VAE score", ax=axes[1], plot_chance_level=True
            )
        self.threshold_line_ = hist_ax.axvline(
            self.offset, color="black", ls="--", lw=1, label="threshold (offset_)"
        )
        hist_ax.set_xlabel("score_samples (nats; higher is more normal)")
        hist_ax.legend(fontsize=8)
        self.ax_ = axes[0] if self.y is None else axes
        self.figure_ = fig
        return self


class ImputationDisplay:
    """Observed against imputed values, per column with holes.

    Parameters
    ----------
    X : DataFrame or ndarray of shape (n_samples, n_features)
        The data with its holes.
    X_imputed : DataFrame or ndarray of the same shape
        The filled data.
    columns : list, default=None
        The columns drawn (by default the first six with holes).

    Attributes
    ----------
    artists_ : dict
        Each drawn column's artists (observed, imputed).
    ax_ : ndarray of matplotlib Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skvae import VAEImputer
    >>> from skvae.inspection import ImputationDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(200, 3)
    >>> X[rng.rand(200, 3) < 0.2] = np.nan
    >>> imputer = VAEImputer(max_iter=5, random_state=0).fit(X)
    >>> display = ImputationDisplay.from_estimator(imputer, X)
    >>> sorted(display.artists_)
    ['x0', 'x1', 'x2']
    """

    def __init__(self, X, X_imputed, *, columns=None):
        self.X = X
        self.X_imputed = X_imputed
        self.columns = columns

    @classmethod
    @fill
    def from_estimator(cls, estimator, X, *, columns=None, ax=None):
        """Impute X with a fitted :class:`~skvae.VAEImputer` and draw it.

        Parameters
        ----------
        estimator : VAEImputer
            A fitted imputer (without ``add_indicator``).
        X : array-like or DataFrame of shape (n_samples, n_features)
            Data with holes.
        columns : list, default=None
            The columns drawn (by default the first six with holes).
        ax : array of matplotlib Axes, default=None
            One per column drawn; new ones when None.

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAEImputer
        >>> from skvae.inspection import ImputationDisplay
        >>> rng = np.random.RandomState(0)
        >>> X = rng.randn(200, 3)
        >>> X[rng.rand(200, 3) < 0.2] = np.nan
        >>> imputer = VAEImputer(max_iter=3, random_state=0).fit(X)
        >>> display = ImputationDisplay.from_estimator(imputer, X, columns=["x0"])
        >>> list(display.artists_)
        ['x0']
        """
        check_is_fitted(estimator)
        filled = estimator.transform(X)
        if not isinstance(filled, pd.DataFrame):
            filled = np.asarray(filled)[:, : np.shape(X)[1]]
        return cls(X, filled, columns=columns).plot(ax=ax)

    @fill
    def plot(self, ax=None):
        """Draw observed against imputed values.

        Parameters
        ----------
        ax : array of matplotlib Axes, default=None
            One per column drawn; new ones when None.

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae.inspection import ImputationDisplay
        >>> X = np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 4.0]])
        >>> filled = np.array([[1.0, 3.5], [2.0, 3.0], [1.5, 4.0]])
        >>> sorted(ImputationDisplay(X, filled).plot().artists_)
        ['x0', 'x1']
        """
        original = as_frame(self.X)
        # row by row, as transform returns them (an array has no index)
        filled = as_frame(self.X_imputed, names=original.columns)
        filled = filled.set_axis(original.index)
        holes = original.isna()
        if self.columns is None and not holes.any().any():
            raise ValueError(
                "X has no missing entries: there is nothing imputed to draw."
            )
        shown = pick_columns(original, self.columns, prefer=holes.any())
        shown = (
            shown if self.columns is not None else [c for c in shown if holes[c].any()]
        )
        fig, axes = axes_for(type(self).__name__, ax, len(shown))
        self.artists_ = {}
        for panel, column in zip(axes, shown, strict=True):
            self.artists_[column] = draw_marginals(
                panel,
                [
                    (original[column], "observed"),
                    (filled[column][holes[column]], "imputed"),
                ],
            )
            panel.set_title(
                f"{column} ({int(holes[column].sum())} imputed)", fontsize=9
            )
        axes[0].legend(fontsize=7)
        self.ax_, self.figure_ = axes, fig
        return self
