"""Displays of rows through the model: reconstructions and samples."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from skvae.inspection._plot import (
    as_frame,
    axes_for,
    draw_images,
    draw_marginals,
    fill,
    is_category,
    pick_columns,
)


class ReconstructionDisplay:
    """Inputs beside their reconstructions E[x | z = E[z | x]].

    Images are tiled, inputs above reconstructions; a table gets one panel
    per column: reconstructed against input values for a number (the
    diagonal is perfect), level frequencies side by side for a category.

    Parameters
    ----------
    X, X_reconstructed : DataFrame or ndarray of shape (n_samples, n_features)
        The inputs and their reconstructions.
    image_shape : tuple of int, default=None
        (height, width) to draw rows as images.
    columns : list, default=None
        For a table, the columns drawn (by default the first six).

    Attributes
    ----------
    image_ : matplotlib AxesImage or None
        The tiled images.
    artists_ : dict
        For a table, each drawn column's artists.
    ax_ : matplotlib Axes or ndarray of Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvae import VAETransformer
    >>> from skvae.inspection import ReconstructionDisplay
    >>> X = load_digits().data / 16
    >>> vae = VAETransformer(likelihood="bernoulli", max_iter=2, random_state=0).fit(X)
    >>> display = ReconstructionDisplay.from_estimator(vae, X[:8], image_shape=(8, 8))
    >>> display.X_reconstructed.shape
    (8, 64)
    """

    def __init__(self, X, X_reconstructed, *, image_shape=None, columns=None):
        self.X = X
        self.X_reconstructed = X_reconstructed
        self.image_shape = image_shape
        self.columns = columns

    @classmethod
    @fill
    def from_estimator(cls, estimator, X, *, image_shape=None, columns=None, ax=None):
        """Reconstruct X's rows with a fitted estimator and draw them.

        Parameters
        ----------
        {estimator_param}
        X : array-like or DataFrame of shape (n_samples, n_features)
            The rows (images: keep it to a few dozen).
        image_shape : tuple of int, default=None
            (height, width) to draw rows as images.
        columns : list, default=None
            For a table, the columns drawn (by default the first six).
        ax : matplotlib Axes or array of Axes, default=None
            One Axes for images, one per column for a table; new ones when
            None.

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> from skvae.inspection import ReconstructionDisplay
        >>> X = np.random.RandomState(0).rand(100, 4)
        >>> vae = VAETransformer(max_iter=2, random_state=0).fit(X)
        >>> display = ReconstructionDisplay.from_estimator(vae, X[:20])
        >>> display.X_reconstructed.shape
        (20, 4)
        """
        check_is_fitted(estimator)
        reconstructed = estimator._reconstruct(X)
        if not isinstance(reconstructed, pd.DataFrame):
            X = np.asarray(X, dtype=float)
            if estimator._space.columns is not None:  # the modelled columns
                X = X[:, estimator._space.columns]
        return cls(X, reconstructed, image_shape=image_shape, columns=columns).plot(
            ax=ax
        )

    @fill
    def plot(self, ax=None, *, cmap="gray_r"):
        """Draw the inputs and their reconstructions.

        Parameters
        ----------
        {rows_plot_params}

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae.inspection import ReconstructionDisplay
        >>> X = np.random.RandomState(0).rand(3, 4)  # three 2x2 images
        >>> display = ReconstructionDisplay(X, X, image_shape=(2, 2)).plot()
        >>> display.image_.get_array().shape  # two rows of three, 1-pixel gaps
        (5, 8)
        """
        name = type(self).__name__
        self.image_ = None
        self.artists_ = {}
        if self.image_shape is not None:
            n = len(self.X)
            return draw_images(
                self,
                ax,
                np.concatenate([self.X, self.X_reconstructed]),
                n,
                title="inputs (top) and reconstructions (bottom)",
                panel_size=(min(12, n + 1), 2.6),
                cmap=cmap,
            )
        real = as_frame(self.X)
        rebuilt = as_frame(self.X_reconstructed, names=real.columns)
        shown = pick_columns(real, self.columns)
        fig, axes = axes_for(name, ax, len(shown))
        for panel, column in zip(axes, shown, strict=True):
            if is_category(real[column]):
                self.artists_[column] = draw_marginals(
                    panel, [(real[column], "input"), (rebuilt[column], "reconstructed")]
                )
            else:
                x = real[column].to_numpy(dtype=float, na_value=np.nan)
                r = rebuilt[column].to_numpy(dtype=float, na_value=np.nan)
                low, high = np.nanmin(np.r_[x, r]), np.nanmax(np.r_[x, r])
                self.artists_[column] = [
                    panel.scatter(x, r, s=6, alpha=0.6),
                    panel.plot([low, high], [low, high], color="grey", lw=0.8)[0],
                ]
                panel.set_xlabel("input")
                panel.set_ylabel("reconstructed")
            panel.set_title(str(column), fontsize=9)
        if any(is_category(real[c]) for c in shown):
            axes[0].legend(fontsize=7)
        self.ax_, self.figure_ = axes, fig
        return self


class SampleDisplay:
    """Generated rows: a grid of images, or a table's marginals.

    A table gets one panel per column, its synthetic marginal against the
    real one (what users of synthetic data look at first).

    Parameters
    ----------
    samples : DataFrame or ndarray of shape (n_samples, n_features)
        Generated rows.
    X : DataFrame or ndarray, default=None
        Real rows to compare a table's marginals with.
    image_shape : tuple of int, default=None
        (height, width) to draw rows as images.
    columns : list, default=None
        For a table, the columns drawn (by default the first six).

    Attributes
    ----------
    image_ : matplotlib AxesImage or None
    artists_ : dict
        For a table, each drawn column's artists.
    ax_ : matplotlib Axes or ndarray of Axes
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skvae import VAETransformer
    >>> from skvae.inspection import SampleDisplay
    >>> X = load_digits().data / 16
    >>> vae = VAETransformer(likelihood="bernoulli", max_iter=2, random_state=0).fit(X)
    >>> display = SampleDisplay.from_estimator(vae, 16, image_shape=(8, 8))
    >>> display.samples.shape
    (16, 64)
    """

    def __init__(self, samples, *, X=None, image_shape=None, columns=None):
        self.samples = samples
        self.X = X
        self.image_shape = image_shape
        self.columns = columns

    @classmethod
    @fill
    def from_estimator(
        cls,
        estimator,
        n_samples=None,
        *,
        X=None,
        image_shape=None,
        columns=None,
        random_state=None,
        ax=None,
    ):
        """Draw rows from a fitted :class:`~skvae.VAETransformer` and show them.

        Parameters
        ----------
        estimator : VAETransformer
            A fitted estimator with a ``sample`` method.
        n_samples : int, default=None
            Rows to generate: 25 for images, else as many as ``X`` has (1,000
            without ``X``).
        X : DataFrame or array-like, default=None
            Real rows, whose marginals are drawn beside the synthetic ones.
        image_shape : tuple of int, default=None
            (height, width) to draw rows as images.
        columns : list, default=None
            For a table, the columns drawn (by default the first six).
        random_state : int, RandomState instance or None, default=None
            Seeds the draws.
        ax : matplotlib Axes or array of Axes, default=None
            One Axes for images, one per column for a table.

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae import VAETransformer
        >>> from skvae.inspection import SampleDisplay
        >>> X = np.random.RandomState(0).rand(100, 4)
        >>> vae = VAETransformer(max_iter=2, random_state=0).fit(X)
        >>> display = SampleDisplay.from_estimator(vae, 50, X=X, random_state=0)
        >>> display.samples.shape
        (50, 4)
        """
        check_is_fitted(estimator)
        if n_samples is None:
            n_samples = (
                25 if image_shape is not None else len(X) if X is not None else 1000
            )
        samples = estimator.sample(n_samples, random_state=random_state)
        return cls(samples, X=X, image_shape=image_shape, columns=columns).plot(ax=ax)

    @fill
    def plot(self, ax=None, *, cmap="gray_r"):
        """Draw the generated rows.

        Parameters
        ----------
        {rows_plot_params}

        {display_returns}

        Examples
        --------
        >>> import numpy as np
        >>> from skvae.inspection import SampleDisplay
        >>> samples = np.random.RandomState(0).rand(9, 4)  # nine 2x2 images
        >>> display = SampleDisplay(samples, image_shape=(2, 2)).plot()
        >>> display.image_.get_array().shape  # three rows of three
        (8, 8)
        """
        name = type(self).__name__
        self.image_ = None
        self.artists_ = {}
        if self.image_shape is not None:
            return draw_images(
                self,
                ax,
                self.samples,
                int(np.ceil(np.sqrt(len(self.samples)))),
                title="samples from p(z) p(x | z)",
                panel_size=(5.0, 5.0),
                cmap=cmap,
            )
        synthetic = as_frame(self.samples)
        real = None if self.X is None else as_frame(self.X, names=synthetic.columns)
        if real is not None and not isinstance(self.samples, pd.DataFrame):
            synthetic = as_frame(self.samples, names=real.columns)  # X's names
        shown = pick_columns(synthetic, self.columns)
        fig, axes = axes_for(name, ax, len(shown))
        for panel, column in zip(axes, shown, strict=True):
            drawn = [(synthetic[column], "synthetic")]
            if real is not None:
                drawn.insert(0, (real[column], "real"))
            self.artists_[column] = draw_marginals(panel, drawn)
            panel.set_title(str(column), fontsize=9)
        axes[0].legend(fontsize=7)
        self.ax_, self.figure_ = axes, fig
        return self
