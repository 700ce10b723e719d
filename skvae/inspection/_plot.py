"""What the displays share: matplotlib on demand, axes, marginals, tiles, and
the docstring snippets of their methods (a line ``{name}`` becomes
``SNIPPETS[name]``, as in the estimators)."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from skvae.core._docs import filler
from skvae.core._utils import first_of

MAX_COLUMNS = 6

SNIPPETS = {
    "estimator_param": """\
estimator : VAETransformer, VAEOutlierDetector or VAEImputer
    A fitted estimator.""",
    "ax_param": """\
ax : matplotlib Axes, default=None
    Where to draw; a new figure when None.""",
    "rows_plot_params": """\
ax : matplotlib Axes or array of Axes, default=None
    One Axes for images, one per column for a table.

cmap : str, default="gray_r"
    Colour map of images ("gray_r": dark ink on white).""",
    "display_returns": """\
Returns
-------
display : object
    The display, with its computed values and its artists.""",
}
fill = filler(SNIPPETS)


def pyplot(caller):
    """matplotlib.pyplot, or an ImportError that says how to get it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{caller} draws with matplotlib, which is not installed. Install "
            'it with pip install matplotlib (or pip install "skvae[plots]").'
        ) from exc
    return plt


def axes_for(caller, ax, n, *, panel_size=(3.2, 2.8)):
    """``n`` axes to draw into: ``ax`` (one, or an array of n), or new ones."""
    plt = pyplot(caller)
    if ax is None:
        cols = min(n, 3)
        rows = -(-n // cols)
        fig, axes = plt.subplots(
            rows,
            cols,
            figsize=(panel_size[0] * cols, panel_size[1] * rows),
            squeeze=False,
            layout="constrained",  # titles and labels never overlap
        )
        axes = axes.ravel()
        for extra in axes[n:]:
            extra.set_visible(False)
        return fig, axes[:n]
    axes = np.atleast_1d(np.asarray(ax, dtype=object)).ravel()
    if axes.size != n:
        raise ValueError(
            f"{caller} draws {n} panel(s) but ax holds {axes.size} axes; pass "
            f"{n} axes (for example plt.subplots(1, {n})[1]) or ax=None."
        )
    return axes[0].figure, axes


def is_category(values):
    return isinstance(values.dtype, pd.CategoricalDtype) or not (
        pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
    )


def as_frame(X, names=None):
    """X as a DataFrame (an array's columns named x0, x1, ... or ``names``)."""
    if isinstance(X, pd.DataFrame):
        return X
    X = np.asarray(X)
    if X.ndim == 1:
        X = X[:, None]
    names = [f"x{j}" for j in range(X.shape[1])] if names is None else list(names)
    return pd.DataFrame(X, columns=names)


def pick_columns(frame, columns, prefer=None):
    """The columns to draw: ``columns``, or the first few (``prefer`` first)."""
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(
                f"columns {missing} are not in the data; its columns are "
                f"{first_of(frame.columns, 20)}."
            )
        return list(columns)
    ordered = list(frame.columns)
    if prefer is not None:
        ordered = [c for c in ordered if prefer[c]] + [
            c for c in ordered if not prefer[c]
        ]
    return ordered[:MAX_COLUMNS]


def draw_marginals(ax, samples):
    """Draw samples of one column on ``ax``, each a ``(values, label)`` pair:
    overlaid density histograms for numbers, side-by-side level frequencies
    for categories. Returns the artists, one container a sample."""
    samples = [(pd.Series(v).dropna(), label) for v, label in samples]
    together = pd.concat([v for v, _ in samples])
    if any(is_category(v) for v, _ in samples):
        levels = pd.Index(pd.unique(together.astype(object)))
        position = np.arange(len(levels))
        width = 0.8 / len(samples)
        artists = []
        for i, (values, label) in enumerate(samples):
            share = values.astype(object).value_counts(normalize=True)
            share = share.reindex(levels, fill_value=0.0).to_numpy(dtype=float)
            offset = (i - (len(samples) - 1) / 2) * width
            artists.append(ax.bar(position + offset, share, width=width, label=label))
        ax.set_xticks(position, [str(v) for v in levels], fontsize=7, rotation=90)
        ax.set_ylabel("share")
        return artists
    bins = np.histogram_bin_edges(together.to_numpy(dtype=float), bins=30)
    ax.set_ylabel("density")
    return [
        ax.hist(v.to_numpy(dtype=float), bins=bins, alpha=0.5, density=True,
                label=label)[2]
        for v, label in samples
    ]  # fmt: skip


def tile(images, image_shape, cols):
    """Images of ``image_shape`` side by side, ``cols`` a row, 1-pixel gaps."""
    h, w = image_shape
    n = len(images)
    rows = -(-n // cols)
    canvas = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        canvas[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = (
            np.asarray(image, dtype=float).reshape(h, w)
        )
    return canvas


def check_image_shape(image_shape, n_features):
    if image_shape is None:
        return None
    h, w = (int(v) for v in image_shape)
    if h * w != n_features:
        raise ValueError(
            f"image_shape={tuple(image_shape)} holds {h * w} pixels but the rows "
            f"have {n_features} features."
        )
    return h, w


def draw_images(display, ax, images, cols, *, title, panel_size, cmap):
    """Draw rows of ``display.image_shape`` as one tiled picture on one Axes.

    Sets the display's ``image_``, ``ax_`` and ``figure_`` and returns it.
    """
    images = np.asarray(images, dtype=float)
    shape = check_image_shape(display.image_shape, images.shape[1])
    fig, (ax,) = axes_for(type(display).__name__, ax, 1, panel_size=panel_size)
    display.image_ = ax.imshow(tile(images, shape, cols), cmap=cmap)
    ax.set_title(title)
    ax.axis("off")
    display.ax_, display.figure_ = ax, fig
    return display
