"""
=====================================================
Generating and reconstructing MNIST digits and faces
=====================================================

The two data sets of Kingma and Welling's AEVB paper, each with the likelihood
that suits it:

* **MNIST** handwritten digits (28x28 pixels), pixel intensities scaled to
  [0, 1] and modelled with the **Bernoulli** likelihood;
* **Frey Face** (1965 photographs of one face, 28x20 pixels), a continuous
  data set modelled with the **Gaussian** likelihood.

For each we draw new images with :meth:`~skvae.VAETransformer.sample`
(z ~ N(0, I), then the decoder's mean E[x | z]) and reconstruct test images
with :meth:`~skvae.VAETransformer.transform` followed by
:meth:`~skvae.VAETransformer.inverse_transform`.

Neither data set ships with scikit-learn. They are read from skvae's data home
(the ``SKVAE_DATA`` environment variable, see
:func:`skvae.datasets.get_data_home`); where a file is absent, that part of the
example is skipped with a message.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A helper to show images side by side, through skvae's displays
# --------------------------------------------------------------
import os

import matplotlib.pyplot as plt
import numpy as np

from skvae.inspection import ReconstructionDisplay, SampleDisplay

# Training budgets in epochs; the test suite lowers them for a quick smoke run.
MNIST_EPOCHS = int(os.environ.get("SKVAE_EXAMPLE_MAX_ITER", 20))
FREY_EPOCHS = int(os.environ.get("SKVAE_EXAMPLE_MAX_ITER", 300))


def show(samples, originals, reconstructions, shape, title):
    """Samples on the left, originals above reconstructions on the right."""
    fig, (ax_s, ax_r) = plt.subplots(1, 2, figsize=(11, 5), width_ratios=[1, 1.25])
    SampleDisplay(samples, image_shape=shape).plot(ax=ax_s, cmap="gray")
    ReconstructionDisplay(originals, reconstructions, image_shape=shape).plot(
        ax=ax_r, cmap="gray"
    )
    fig.suptitle(title)
    fig.tight_layout()


# %%
# MNIST with the Bernoulli likelihood
# -----------------------------------
# The pixel intensities, divided by 255, are treated as the probabilities of
# black-and-white pixels. To keep this example quick we train for 20 epochs on
# 10,000 of the 60,000 training images, with a 20-dimensional code and one
# hidden layer of 400 units (the paper used 500 units and far longer training).
import warnings

from sklearn.exceptions import ConvergenceWarning

from skvae import VAETransformer
from skvae.datasets import DataNotFoundError, load_frey_faces, load_mnist

# 20 epochs do not reach convergence on MNIST; that is deliberate here.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

try:
    X_train, _, X_test, _ = load_mnist()
except DataNotFoundError as exc:
    print(f"Skipping the MNIST part: {exc}")
    mnist = None
else:
    mnist = VAETransformer(
        n_components=20,
        hidden_layer_sizes=(400,),
        likelihood="bernoulli",
        batch_size=100,
        max_iter=MNIST_EPOCHS,
        random_state=0,
    )
    mnist.fit(X_train[:10000] / 255.0)
    X_test = X_test[:1000] / 255.0
    print(f"MNIST: held-out ELBO {mnist.score(X_test):.1f} nats per image")

# %%
if mnist is not None:
    show(
        mnist.sample(36, random_state=0),
        X_test[:8],
        mnist.inverse_transform(mnist.transform(X_test[:8])),
        (28, 28),
        "MNIST, Bernoulli likelihood",
    )

# %%
# Frey Face with the Gaussian likelihood
# --------------------------------------
# Grey levels are scaled to [0, 1] and modelled as Gaussian, with a mean and a
# variance per pixel that both depend on z. We hold out 200 faces for the
# reconstructions and use a 4-dimensional code. As in the paper, the hidden
# units are ``activation="tanh"``: being bounded, they keep the decoder's
# output moderate for codes that lie away from the training faces, where ReLU
# units extrapolate linearly and give speckled, over-exposed samples.
try:
    faces = load_frey_faces() / 255.0
except DataNotFoundError as exc:
    print(f"Skipping the Frey Face part: {exc}")
    frey = None
else:
    rng = np.random.RandomState(0)
    order = rng.permutation(len(faces))
    faces_train, faces_test = faces[order[200:]], faces[order[:200]]
    frey = VAETransformer(
        n_components=4,
        hidden_layer_sizes=(200,),
        activation="tanh",
        likelihood="gaussian",
        batch_size=100,
        max_iter=FREY_EPOCHS,
        random_state=0,
    )
    frey.fit(faces_train)
    print(f"Frey Face: held-out ELBO {frey.score(faces_test):.1f} nats per image")

# %%
if frey is not None:
    show(
        np.clip(frey.sample(36, random_state=0, mean=True), 0, 1),
        faces_test[:8],
        np.clip(frey.inverse_transform(frey.transform(faces_test[:8])), 0, 1),
        (28, 20),
        "Frey Face, Gaussian likelihood",
    )
plt.show()

# %%
# The samples are new images, not copies of training images: each comes from a
# random code. They are smooth because we show the decoder's mean E[x | z]
# rather than a draw from p(x | z): ``sample`` returns the means for data
# modelled as Bernoulli (MNIST), and ``mean=True`` asks for them for the
# Gaussian faces, where the default draw would add the likelihood's grain
# (``mean=False`` on MNIST gives scattered black-and-white pixels). A few
# samples are poor, typically those whose random code falls where the model
# saw few training images; longer training reduces them. Kingma and Welling
# also constrained the faces' decoder mean to (0, 1) with a sigmoid; skvae's
# Gaussian mean is unbounded, so we clip the faces to [0, 1] for display.
#
# The reconstructions keep the shape of each digit and the pose and expression
# of each face, but lose fine detail: a code of a few numbers cannot store
# every pixel, and the decoder's mean averages over all the images that the
# code could stand for.
#
# Note that the Gaussian ELBO of the faces is a log-*density* and can be
# positive; it is not comparable with the Bernoulli ELBO of MNIST (see
# :ref:`likelihoods` in the user guide).
