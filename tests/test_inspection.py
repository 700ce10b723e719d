"""The Display objects of skvae.inspection, as scikit-learn tests its own:
what is computed equals what the estimator returns, the artists exist with
the right counts and labels, ``ax=`` is honoured, a clear error without
matplotlib, and every display works on a mixed DataFrame with holes."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from skvae import VAEImputer, VAEOutlierDetector, VAETransformer
from skvae.inspection import (
    ImputationDisplay,
    LatentActivityDisplay,
    LatentSpaceDisplay,
    ReconstructionDisplay,
    SampleDisplay,
    ScoreDisplay,
    TrainingDisplay,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg", force=True)
plt = pytest.importorskip("matplotlib.pyplot")

FAST = {"hidden_layer_sizes": (16,), "max_iter": 3, "random_state": 0}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:300] / 16.0, y[:300]


@pytest.fixture(scope="module")
def images(digits):
    X, _ = digits
    return VAETransformer(2, likelihood="bernoulli", **FAST).fit(X)


@pytest.fixture(scope="module")
def table():
    """A mixed table with holes: a category, a flag, a count and a real."""
    rng = np.random.RandomState(0)
    n = 200
    level = rng.randint(0, 3, n)
    frame = pd.DataFrame(
        {
            "colour": pd.Categorical(np.array(["red", "green", "blue"])[level]),
            "flag": level == 1,
            "visits": pd.array(rng.negative_binomial(2, 0.1, n), dtype="Int64"),
            "size": rng.randn(n) + level,
        }
    )
    frame.loc[rng.rand(n) < 0.15, "colour"] = np.nan
    frame.loc[rng.rand(n) < 0.15, "size"] = np.nan
    return frame


@pytest.fixture(scope="module")
def models(table):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "transformer": VAETransformer(early_stopping=True, **FAST).fit(table),
            "detector": VAEOutlierDetector(**FAST).fit(table),
            "imputer": VAEImputer(**FAST).fit(table),
        }


def test_latent_space_draws_the_codes_coloured_by_class(images, digits):
    X, y = digits
    display = LatentSpaceDisplay.from_estimator(images, X, y)
    np.testing.assert_allclose(display.codes, images.transform(X))
    offsets = display.scatter_.get_offsets()
    assert offsets.shape == (len(X), 2)
    assert [t.get_text() for t in display.ax_.get_legend().get_texts()] == [
        str(d) for d in range(10)
    ]
    assert display.ax_.get_xlabel() == "z1"


def test_latent_space_projects_more_than_two_dimensions(digits):
    X, _ = digits
    vae = VAETransformer(5, **FAST).fit(X)
    pca = LatentSpaceDisplay.from_estimator(vae, X)
    first = LatentSpaceDisplay.from_estimator(vae, X, projection="first")
    assert pca.codes.shape == first.codes.shape == (len(X), 2)
    np.testing.assert_allclose(first.codes, vae.transform(X)[:, :2])
    assert "principal component" in pca.ax_.get_xlabel()
    with pytest.raises(ValueError, match="projection='tsne'"):
        LatentSpaceDisplay.from_estimator(vae, X, projection="tsne")


def test_activity_display_sorts_the_spectrum_and_marks_the_active(digits):
    X, _ = digits
    vae = VAETransformer(**FAST).fit(X)
    display = LatentActivityDisplay.from_estimator(vae)
    order = np.argsort(vae.latent_activity_)[::-1]
    np.testing.assert_allclose(display.activity, vae.latent_activity_[order])
    np.testing.assert_allclose(display.kl, vae.latent_kl_[order])
    heights = [bar.get_height() for bar in display.bars_]
    np.testing.assert_allclose(heights, display.activity)
    assert display.threshold_line_.get_ydata()[0] == 0.01
    np.testing.assert_allclose(display.kl_line_.get_ydata(), display.kl)
    assert display.ax_.get_title() == (
        f"{vae.n_components_} active of {vae.module_.config.n_components} dimensions"
    )


def test_a_display_draws_into_the_axes_it_is_given(images, digits):
    X, y = digits
    fig, ax = plt.subplots()
    display = LatentSpaceDisplay.from_estimator(images, X, y, ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    fig, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="draws 1 panel"):
        TrainingDisplay.from_estimator(images, ax=axes)


def test_reconstructions_of_images_are_the_decoders_means(images, digits):
    X, _ = digits
    display = ReconstructionDisplay.from_estimator(images, X[:6], image_shape=(8, 8))
    expected = images.inverse_transform(images.transform(X[:6]))
    np.testing.assert_allclose(display.X_reconstructed, expected, rtol=1e-6)
    canvas = display.image_.get_array()
    assert canvas.shape == (2 * 9 - 1, 6 * 9 - 1)  # two rows of six 8x8 images
    with pytest.raises(ValueError, match="holds 60 pixels"):
        ReconstructionDisplay.from_estimator(images, X[:6], image_shape=(6, 10))


def test_samples_of_images_equal_the_estimators_draws(images):
    display = SampleDisplay.from_estimator(
        images, 9, image_shape=(8, 8), random_state=3
    )
    np.testing.assert_array_equal(display.samples, images.sample(9, random_state=3))
    assert display.image_.get_array().shape == (3 * 9 - 1, 3 * 9 - 1)


def test_training_display_marks_the_epoch_kept(models):
    vae = models["transformer"]
    display = TrainingDisplay.from_estimator(vae)
    assert display.loss_curve == vae.loss_curve_
    assert len(display.lines_) == 2  # training and held-out
    np.testing.assert_allclose(
        display.lines_[1].get_ydata(), -np.array(vae.validation_scores_)
    )
    best = int(np.argmax(vae.validation_scores_)) + 1
    assert display.best_epoch == best
    assert display.best_line_.get_xdata()[0] == best
    without = TrainingDisplay.from_estimator(models["detector"])
    assert without.lines_  # a detector's curve, with or without validation


def test_score_display_shows_threshold_and_roc(models, table):
    detector = models["detector"]
    y = (table["size"].fillna(0).to_numpy() > 2).astype(int)
    display = ScoreDisplay.from_estimator(detector, table, y)
    scores = detector.score_samples(table)
    np.testing.assert_array_equal(display.scores, scores)
    assert display.threshold_line_.get_xdata()[0] == detector.offset_
    assert len(display.hist_) == 2 and len(display.ax_) == 2
    assert display.roc_.roc_auc == pytest.approx(roc_auc_score(y, -scores))
    alone = ScoreDisplay.from_estimator(detector, table)
    assert alone.roc_ is None and len(alone.hist_) == 1
    with pytest.raises(Exception, match=r"offset_|not fitted"):
        ScoreDisplay.from_estimator(models["transformer"], table)


def test_table_displays_draw_one_panel_per_column(models, table):
    vae = models["transformer"]
    samples = SampleDisplay.from_estimator(vae, X=table, random_state=0)
    pd.testing.assert_frame_equal(
        samples.samples, vae.sample(len(table), random_state=0)
    )
    assert list(samples.artists_) == list(table.columns)
    assert len(samples.artists_["colour"]) == 2  # real and synthetic bars
    assert len(samples.artists_["colour"][0]) == 3  # one bar a level
    assert [t.get_text() for t in samples.ax_[0].get_legend().get_texts()] == [
        "real",
        "synthetic",
    ]
    rebuilt = ReconstructionDisplay.from_estimator(vae, table)
    pd.testing.assert_frame_equal(
        rebuilt.X_reconstructed, vae.inverse_transform(vae.transform(table))
    )
    assert rebuilt.ax_[3].get_xlabel() == "input"  # a number: reconstructed vs input


def test_every_display_works_on_a_mixed_table_with_holes(models, table):
    for name, estimator in models.items():
        LatentSpaceDisplay.from_estimator(estimator, table, table["flag"])
        ReconstructionDisplay.from_estimator(
            estimator, table, columns=["colour", "size"]
        )
        TrainingDisplay.from_estimator(estimator)
        LatentActivityDisplay.from_estimator(estimator)
        if name == "transformer":
            SampleDisplay.from_estimator(estimator, 50, columns=["visits"])
    imputer = models["imputer"]
    display = ImputationDisplay.from_estimator(imputer, table)
    pd.testing.assert_frame_equal(display.X_imputed, imputer.transform(table))
    assert list(display.artists_) == ["colour", "size"]  # the columns with holes
    assert (
        display.ax_[0].get_title() == f"colour ({table['colour'].isna().sum()} imputed)"
    )
    with pytest.raises(ValueError, match="no missing entries"):
        ImputationDisplay.from_estimator(imputer, table.dropna())


def test_displays_of_a_float_frame_under_a_splits_index():
    # an all-float DataFrame is modelled as its array: samples and fills
    # come back as arrays, drawn under the frame's names, row by row
    rng = np.random.RandomState(0)
    index = np.arange(120) * 3 + 5
    frame = pd.DataFrame(rng.randn(120, 2), columns=["height", "weight"], index=index)
    vae = VAETransformer(**FAST).fit(frame)
    samples = SampleDisplay.from_estimator(vae, X=frame, random_state=0)
    assert list(samples.artists_) == ["height", "weight"]
    holes = frame.copy()
    holes.iloc[::4, 0] = np.nan
    imputer = VAEImputer(**FAST).fit(holes)
    display = ImputationDisplay.from_estimator(imputer, holes)
    assert list(display.artists_) == ["height"]
    assert display.ax_[0].get_title() == "height (30 imputed)"
    _, imputed = display.artists_["height"]
    drawn = sum(patch.get_height() * patch.get_width() for patch in imputed)
    assert drawn == pytest.approx(1.0)  # a density of the 30 fills, none lost


def test_a_clear_error_without_matplotlib(images, digits, monkeypatch):
    X, y = digits
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    display = LatentSpaceDisplay(images.transform(X), y=y)  # computing needs none
    with pytest.raises(ImportError, match="pip install matplotlib"):
        display.plot()
