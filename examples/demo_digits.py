"""skvae demo: a variational autoencoder on scikit-learn's digits.

Fits a VAETransformer with a Bernoulli decoder and a 2-D latent space on the
8x8 digits (bundled with scikit-learn, no download), prints the held-out ELBO
and importance-weighted log-likelihood, and writes one PNG with generated
samples, reconstructions and the latent space coloured by digit.

Run it with ``make demo`` or ``python examples/demo_digits.py --output demo.png``.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skvae import VAETransformer
from skvae.inspection import LatentSpaceDisplay, ReconstructionDisplay, SampleDisplay


def main(output="skvae_digits_demo.png", max_iter="auto"):
    X, y = load_digits(return_X_y=True)
    X = X / 16.0  # grey levels in [0, 1] for the Bernoulli decoder
    X_train, X_test, _y_train, y_test = train_test_split(X, y, random_state=0)

    vae = VAETransformer(
        n_components=2,
        likelihood="bernoulli",
        max_iter=max_iter,  # "auto": early stopping on a 10 % validation set
        random_state=0,
    )
    tic = time.perf_counter()
    vae.fit(X_train)
    seconds = time.perf_counter() - tic
    elbo = vae.score(X_test)
    iwae = vae.set_params(score_method="iwae", n_score_draws=500).score(X_test)
    print(f"fitted {vae.n_iter_} epochs in {seconds:.1f} s on {vae.device_}")
    print(f"held-out ELBO:               {elbo:8.3f} nats per digit")
    print(f"held-out log p(x) (IWAE-500): {iwae:8.3f} nats per digit")

    fig, axes = plt.subplots(1, 3, figsize=(13, 4.6), width_ratios=[1, 1, 1.25])
    SampleDisplay.from_estimator(
        vae, 25, image_shape=(8, 8), random_state=0, ax=axes[0]
    )
    ReconstructionDisplay.from_estimator(
        vae, X_test[:5], image_shape=(8, 8), ax=axes[1]
    )
    LatentSpaceDisplay.from_estimator(vae, X_test, y_test, ax=axes[2])
    fig.suptitle(f"skvae on digits: held-out ELBO {elbo:.2f} nats")
    fig.tight_layout()
    fig.savefig(output, dpi=100)
    print(f"wrote {output}")
    return elbo


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="skvae_digits_demo.png")
    parser.add_argument(
        "--max-iter", type=int, default=None, help='epochs; default "auto"'
    )
    args = parser.parse_args()
    main(args.output, args.max_iter or "auto")
