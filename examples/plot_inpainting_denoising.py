"""
======================================================
Inpainting and denoising digits with the fitted model
======================================================

The third problem of Kingma and Welling's paper is marginal inference over x:
with a model of p(x), the unobserved part of an image can be inferred from
the observed part. Two uses:

* **Inpainting**: a block of each test image is missing (NaN).
  :class:`~skvae.VAEImputer` fills it with the conditional mean
  E[x_miss | x_obs], estimated by importance sampling over q(z | x_obs).
* **Denoising**: pixels are corrupted at unknown places. A
  :class:`~skvae.VAETransformer` fitted to clean images encodes the noisy
  image and decodes its posterior mean (``transform`` then
  ``inverse_transform``): the reconstruction keeps what the model finds
  typical of digits and drops much of the noise. (Where the corrupted pixels
  are known, set them to NaN and inpaint instead.)

The data are scikit-learn's 8x8 digits, scaled to [0, 1] and modelled with the
Bernoulli likelihood, then MNIST (28x28) where skvae's data home has it; the
numbers beside the pictures are errors on the test images, against the
imputers of scikit-learn fitted to the same training images.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data: training images complete, test images with a missing block
# ----------------------------------------------------------------
import os

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.impute import KNNImputer, SimpleImputer
from sklearn.model_selection import train_test_split

from skvae import VAEImputer, VAETransformer

# The test suite lowers the budgets for a quick smoke run.
EPOCHS = int(os.environ.get("SKVAE_EXAMPLE_MAX_ITER", 300))
MNIST_EPOCHS = int(os.environ.get("SKVAE_EXAMPLE_MAX_ITER", 20))

X = load_digits().data / 16.0
X_train, X_test = train_test_split(X, test_size=0.2, random_state=0)

block = np.zeros((8, 8), dtype=bool)
block[4:, :] = True  # the lower half of each image is missing
X_holes = X_test.copy()
X_holes[:, block.ravel()] = np.nan

# %%
# Inpainting
# ----------
imputer = VAEImputer(
    n_components=8, likelihood="bernoulli", max_iter=EPOCHS, random_state=0
).fit(X_train)
filled = imputer.transform(X_holes)

rival = {
    "column mean": SimpleImputer().fit(X_train),
    "5 nearest neighbours": KNNImputer().fit(X_train),
}
holes = np.isnan(X_holes)


def rmse(F):
    return float(np.sqrt(np.mean((F - X_test)[holes] ** 2)))


errors = {"VAEImputer": rmse(filled)}
errors.update({name: rmse(m.transform(X_holes)) for name, m in rival.items()})
for name, err in errors.items():
    print(f"inpainting RMSE, {name}: {err:.3f}")

# %%
# Denoising
# ---------
# Each pixel is replaced by a uniform random grey level with probability
# 0.25; the model never learns where.
rng = np.random.RandomState(0)
noisy = X_test.copy()
corrupt = rng.rand(*noisy.shape) < 0.25
noisy[corrupt] = rng.rand(int(corrupt.sum()))
vae = VAETransformer(
    n_components=8, likelihood="bernoulli", max_iter=EPOCHS, random_state=0
).fit(X_train)
denoised = vae.inverse_transform(vae.transform(noisy))


def err(F):
    return float(np.sqrt(np.mean((F - X_test) ** 2)))


print(f"denoising RMSE: noisy {err(noisy):.3f}, decoded {err(denoised):.3f}")

# %%
# The pictures
# ------------
# Each panel is a :class:`~skvae.inspection.ReconstructionDisplay`: eight
# images on top, what became of them below.
from skvae.inspection import ReconstructionDisplay


def show(panels, shape, n=8):
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 2.2 * len(panels)))
    for ax, (title, top, bottom) in zip(axes, panels, strict=True):
        ReconstructionDisplay(top[:n], bottom[:n], image_shape=shape).plot(ax=ax)
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    plt.show()


show(
    [
        ("test images, lower half missing", X_test, np.where(holes, 0.5, X_holes)),
        (f"test images, VAEImputer (RMSE {errors['VAEImputer']:.3f})", X_test, filled),
        (
            f"noisy (RMSE {err(noisy):.3f}), decoded ({err(denoised):.3f})",
            noisy,
            denoised,
        ),
    ],
    (8, 8),
)

# %%
# Inpainting MNIST
# ----------------
# The same with 28x28 MNIST digits (10,000 training images, 20 epochs, a
# 20-dimensional code): the central 12x12 block of each test image is missing.
import warnings

from sklearn.exceptions import ConvergenceWarning

from skvae.datasets import DataNotFoundError, load_mnist

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # 20 epochs
try:
    M_train, _, M_test, _ = load_mnist()
except DataNotFoundError as exc:
    print(f"Skipping the MNIST part: {exc}")
else:
    M_train, M_test = M_train[:10000] / 255.0, M_test[:200] / 255.0
    square = np.zeros((28, 28), dtype=bool)
    square[8:20, 8:20] = True
    M_holes = M_test.copy()
    M_holes[:, square.ravel()] = np.nan
    mnist = VAEImputer(
        n_components=20,
        hidden_layer_sizes=(400,),
        likelihood="bernoulli",
        batch_size=100,
        max_iter=MNIST_EPOCHS,
        random_state=0,
    ).fit(M_train)
    M_filled = mnist.transform(M_holes)
    M_knn = KNNImputer().fit(M_train).transform(M_holes)
    gap = np.isnan(M_holes)

    def m_rmse(F):
        return float(np.sqrt(np.mean((F - M_test)[gap] ** 2)))

    print(
        f"MNIST inpainting RMSE: VAEImputer {m_rmse(M_filled):.3f}, "
        f"5 nearest neighbours {m_rmse(M_knn):.3f}"
    )
    show(
        [
            ("test images, centre missing", M_test, np.where(gap, 0.5, M_holes)),
            (f"VAEImputer (RMSE {m_rmse(M_filled):.3f})", M_test, M_filled),
            (f"5 neighbours (RMSE {m_rmse(M_knn):.3f})", M_test, M_knn),
        ],
        (28, 28),
    )
