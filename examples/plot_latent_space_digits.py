"""
=====================================================
The latent space of the digits, and a decoded grid
=====================================================

With ``n_components=2`` the code z of each digit is a point in the plane, so
the whole latent space can be drawn. :meth:`~skvae.VAETransformer.transform`
places each image at the mean of its approximate posterior q(z | x), and
:meth:`~skvae.VAETransformer.inverse_transform` goes the other way: it decodes
any point of the plane into an image, E[x | z]. Decoding a regular grid of
points shows what the model has learned about every region of the space,
including regions between the digits of the training set.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Fit a two-dimensional VAE
# -------------------------
# Pixels are scaled to [0, 1] for the Bernoulli likelihood. The labels are only
# used to colour the plot.
import os

from sklearn.datasets import load_digits

from skvae import VAETransformer

X, y = load_digits(return_X_y=True)
X = X / 16.0

# Training budget in epochs; the test suite lowers it for a quick smoke run.
MAX_ITER = int(os.environ.get("SKVAE_EXAMPLE_MAX_ITER", 300))

vae = VAETransformer(
    n_components=2,
    likelihood="bernoulli",
    batch_size=32,
    early_stopping=True,
    n_iter_no_change=20,
    max_iter=MAX_ITER,
    random_state=0,
)
vae.fit(X)
print(f"{vae.n_iter_} epochs, ELBO {vae.score(X):.2f} nats per digit")

# %%
# A grid of codes, decoded
# ------------------------
# The prior p(z) is a standard normal, so we place the grid at its quantiles
# (from 3% to 97% in each direction): equal areas of the grid then hold equal
# prior mass, and the grid covers where the codes actually lie.
import numpy as np
from scipy.stats import norm

n = 15
z_values = norm.ppf(np.linspace(0.03, 0.97, n))
z1, z2 = np.meshgrid(z_values, z_values[::-1])  # z2 grows upwards, as in a plot
grid_codes = np.column_stack([z1.ravel(), z2.ravel()])
images = vae.inverse_transform(grid_codes).reshape(n, n, 8, 8)
# One mosaic of 10x10 tiles: each 8x8 image with a blank border of one pixel.
images = np.pad(images, ((0, 0), (0, 0), (1, 1), (1, 1)))
mosaic = images.transpose(0, 2, 1, 3).reshape(n * 10, n * 10)

# %%
import matplotlib.pyplot as plt

from skvae.inspection import LatentSpaceDisplay

fig, (ax_codes, ax_grid) = plt.subplots(1, 2, figsize=(12, 5.5))
LatentSpaceDisplay.from_estimator(vae, X, y, ax=ax_codes)
lo, hi = z_values[0], z_values[-1]
ax_codes.plot([lo, hi, hi, lo, lo], [lo, lo, hi, hi, lo], "k--", linewidth=1)
ax_codes.set_title("posterior means E[z | x] of the 1797 digits")

half = (hi - lo) / (n - 1) / 2  # each tile is centred on its code
ax_grid.imshow(
    mosaic,
    cmap="gray_r",
    interpolation="nearest",
    extent=(lo - half, hi + half, lo - half, hi + half),
)
ax_grid.set_title("E[x | z] decoded on the dashed square (inverse_transform)")
ax_grid.set_xlabel("z1")
ax_grid.set_ylabel("z2")
fig.tight_layout()
plt.show()

# %%
# The digits form clusters even though the model never saw a label: images of
# the same digit look alike, so their codes land close together. The decoded
# grid changes smoothly from one digit to the next, and points between two
# clusters decode to plausible blends of the two (the prior and the KL term of
# the ELBO pull the codes towards one continuous, well-filled region). Digits
# that look alike in 8x8 pixels, such as some 1s, 7s and 9s, share borders in
# the latent space too.
