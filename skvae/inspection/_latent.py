"""Displays of the latent space: the codes of rows, and the activity spectrum."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.utils.validation import check_is_fitted

from skvae._estimators._plan import ACTIVE_UNIT, active_size
from skvae.inspection._plot import axes_for, fill, is_category


class LatentSpaceDisplay:
    """The codes of rows in two dimensions, coloured by a label.

    Parameters
    ----------
    codes : ndarray of shape (n_samples, 2)
        The two coordinates drawn.
    y : array-like of shape (n_samples,), default=None
        Colours: a label per row (classes get a legend, numbers a colour
        bar).
    axis_labels : tuple of str, default=("z1", "z2")
        Labels of the two axes.

    Attributes
    ----------
    scatter_ : matplotlib PathCollection
        The points.
    ax_, figure_ : matplotlib Axes and Figure
        Where they are drawn.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvae import VAETransformer
    >>> from skvae.inspection import LatentSpaceDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> vae = VAETransformer(n_components=2, max_iter=2, random_state=0).fit(X / 16)
    >>> display = LatentSpaceDisplay.from_estimator(vae, X / 16, y)
    >>> display.codes.shape
    (1797, 2)
    """

    def __init__(self, codes, *, y=None, axis_labels=("z1", "z2")):
        self.codes = codes
        self.y = y
        self.axis_labels = axis_labels

    @classmethod
    @fill
    def from_estimator(cls, estimator, X, y=None, *, projection="auto", ax=None):
        """Encode X with a fitted estimator and draw its codes.

        Parameters
        ----------
        {estimator_param}
        X : array-like or DataFrame of shape (n_samples, n_features)
            The rows to encode (holes allowed where the estimator allows them).
        y : array-like of shape (n_samples,), default=None
            A label per row, for the colours.
        projection : {"auto", "first", "pca"}, default="auto"
            With more than two latent dimensions: "first" draws the first
            two (the most active, which :meth:`VAETransformer.transform`
            returns first), "pca" the first two principal components of the
            codes. "auto" is "first" for two dimensions and "pca" beyond.
            One latent dimension is drawn against the row's index.
        {ax_param}

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> from skvae.inspection import LatentSpaceDisplay
        >>> X = np.random.RandomState(0).randn(100, 4)
        >>> vae = VAETransformer(2, max_iter=2, random_state=0).fit(X)
        >>> display = LatentSpaceDisplay.from_estimator(vae, X, X[:, 0] > 0)
        >>> display.codes.shape
        (100, 2)
        """
        check_is_fitted(estimator)
        codes = estimator._codes(X)
        k = codes.shape[1]
        if projection not in ("auto", "first", "pca"):
            raise ValueError(
                f"projection={projection!r} is not one of 'auto', 'first', 'pca'."
            )
        if k == 1:
            codes, labels = np.c_[np.arange(len(codes)), codes], ("row", "z1")
        elif projection == "pca" or (projection == "auto" and k > 2):
            codes = PCA(n_components=2).fit_transform(codes)
            labels = ("first principal component of z", "second principal component")
        else:
            codes, labels = codes[:, :2], ("z1", "z2")
        return cls(codes, y=y, axis_labels=labels).plot(ax=ax)

    @fill
    def plot(self, ax=None, *, cmap=None, s=8, **kwargs):
        """Draw the codes.

        Parameters
        ----------
        {ax_param}
        cmap : str, default=None
            Colour map: "tab10"/"tab20" for classes, "viridis" for numbers.
        s : float, default=8
            Marker size.
        **kwargs : dict
            Passed to ``ax.scatter``.

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae.inspection import LatentSpaceDisplay
        >>> display = LatentSpaceDisplay(np.random.RandomState(0).randn(50, 2)).plot()
        >>> display.scatter_.get_offsets().shape
        (50, 2)
        """
        fig, (ax,) = axes_for(type(self).__name__, ax, 1, panel_size=(5.0, 4.2))
        codes = np.asarray(self.codes)
        colour, classes = None, None
        if self.y is not None:
            y = pd.Series(np.asarray(self.y))
            if is_category(y) or y.nunique() <= 20:
                classes = pd.Index(pd.unique(y.astype(object))).sort_values()
                colour = classes.get_indexer(y.astype(object))
                cmap = cmap or ("tab10" if len(classes) <= 10 else "tab20")
            else:
                colour, cmap = y.to_numpy(dtype=float), cmap or "viridis"
        self.scatter_ = ax.scatter(
            codes[:, 0], codes[:, 1], c=colour, cmap=cmap, s=s, **kwargs
        )
        if classes is not None:
            handles, _ = self.scatter_.legend_elements(num=None)
            ax.legend(handles, [str(c) for c in classes], fontsize=7, markerscale=0.8)
        elif colour is not None:
            fig.colorbar(self.scatter_, ax=ax)
        ax.set_xlabel(self.axis_labels[0])
        ax.set_ylabel(self.axis_labels[1])
        ax.set_title("latent codes E[z | x]")
        self.ax_, self.figure_ = ax, fig
        return self


class LatentActivityDisplay:
    """The activity spectrum of the latent dimensions, and their KL cost.

    A latent dimension's *activity* is the variance over the training rows
    of its posterior mean E[z_u | x]; a dimension is active above 0.01
    (what ``n_components="auto"`` keeps). The bars, sorted, are the VAE's
    counterpart of PCA's ``explained_variance_``; the dots are each
    dimension's KL(q(z_u | x) || N(0, 1)) in nats, what the dimension costs
    in the ELBO.

    Parameters
    ----------
    activity : ndarray of shape (n_latent,)
        Each dimension's activity, most active first.
    kl : ndarray of shape (n_latent,), default=None
        Each dimension's KL in nats, in the same order.

    Attributes
    ----------
    bars_ : matplotlib BarContainer
        One bar a dimension.
    kl_line_ : matplotlib Line2D or None
        The KL dots, on a second y-axis.
    threshold_line_ : matplotlib Line2D
        The activity of 0.01 above which a dimension is active.
    ax_, figure_ : matplotlib Axes and Figure
        Where they are drawn (``ax_`` holds the bars).

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skvae import VAETransformer
    >>> from skvae.inspection import LatentActivityDisplay
    >>> X = load_diabetes().data
    >>> vae = VAETransformer(max_iter=5, random_state=0).fit(X)
    >>> display = LatentActivityDisplay.from_estimator(vae)
    >>> len(display.activity) == vae.module_.config.n_components
    True
    """

    def __init__(self, activity, *, kl=None):
        self.activity = activity
        self.kl = kl

    @classmethod
    @fill
    def from_estimator(cls, estimator, *, ax=None):
        """Read a fitted estimator's spectrum and draw it.

        Parameters
        ----------
        {estimator_param}
        {ax_param}

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> from skvae.inspection import LatentActivityDisplay
        >>> X = np.random.RandomState(0).randn(200, 6)
        >>> vae = VAETransformer(max_iter=3, random_state=0).fit(X)
        >>> display = LatentActivityDisplay.from_estimator(vae)
        >>> bool(np.all(np.diff(display.activity) <= 0))  # most active first
        True
        """
        check_is_fitted(estimator)
        order = np.argsort(estimator.latent_activity_, kind="stable")[::-1]
        return cls(
            estimator.latent_activity_[order], kl=estimator.latent_kl_[order]
        ).plot(ax=ax)

    @fill
    def plot(self, ax=None):
        """Draw the spectrum.

        Parameters
        ----------
        {ax_param}

        {display_returns}

        Examples
        --------
        >>> from skvae.inspection import LatentActivityDisplay
        >>> display = LatentActivityDisplay([1.2, 0.4, 0.001], kl=[2.0, 0.9, 0.0])
        >>> len(display.plot().bars_)
        3
        """
        fig, (ax,) = axes_for(type(self).__name__, ax, 1, panel_size=(5.5, 3.8))
        activity = np.asarray(self.activity, dtype=float)
        rank = np.arange(1, len(activity) + 1)
        active = activity > ACTIVE_UNIT
        self.bars_ = ax.bar(
            rank, activity, color=np.where(active, "C0", "lightgrey"),
            label="activity Var_x E[z_u | x]",
        )  # fmt: skip
        self.threshold_line_ = ax.axhline(
            ACTIVE_UNIT, color="grey", ls="--", lw=1, label="active above 0.01"
        )
        ax.set_yscale("log")
        ax.set_xlabel("latent dimension, most active first")
        ax.set_ylabel("activity")
        kept = active_size(activity)  # n_components_: 1 at least
        ax.set_title(f"{kept} active of {len(activity)} dimensions")
        self.kl_line_ = None
        if self.kl is not None:
            ax_kl = ax.twinx()
            (self.kl_line_,) = ax_kl.plot(
                rank, np.asarray(self.kl, dtype=float), "o", color="C3",
                label="KL (nats)",
            )  # fmt: skip
            ax_kl.set_ylabel("KL(q(z_u | x) || N(0, 1)), nats")
        ax.legend(fontsize=8, loc="upper right")
        self.ax_, self.figure_ = ax, fig
        return self
