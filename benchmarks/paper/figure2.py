"""Kingma & Welling (2013), Figure 2: the lower bound against training samples.

MNIST (Bernoulli decoder, one hidden layer of 500 tanh units, latent sizes 3,
5, 10, 20, 200) and Frey Face (Gaussian decoder, 200 hidden units, latent sizes
2, 5, 10, 20); minibatches of 100, Adagrad, weight decay as a N(0, I) prior.
The paper trained for up to 10^8 samples; the CPU budget here is
``--max-samples`` (default 3e6) per curve. Run:

    python benchmarks/paper/figure2.py [--max-samples 3e6]

Writes figure2.json and figure2.png beside this script.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse

import numpy as np
from _paper import (
    elbo_score,
    figure,
    paper_vae,
    plot_curves,
    save_figure,
    train_curve,
    write,
)

from skvae.datasets import DataNotFoundError, load_frey_faces, load_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-samples", type=float, default=3e6)
    parser.add_argument("--mnist-latents", default="3,5,10,20,200")
    parser.add_argument("--frey-latents", default="2,5,10,20")
    args = parser.parse_args()
    curves = {}
    try:
        X_train, _, X_test, _ = load_mnist()
        X_train, X_test = X_train / 255.0, X_test / 255.0
        for k in map(int, args.mnist_latents.split(",")):
            est = paper_vae(k, (500,), "bernoulli")
            curves[f"MNIST z={k}"] = train_curve(
                est, X_train, X_test, args.max_samples, elbo_score, f"MNIST z={k}"
            )
    except DataNotFoundError as exc:
        print(f"skip MNIST: {exc}")
    try:
        faces = load_frey_faces() / 255.0
        rng = np.random.RandomState(0)
        perm = rng.permutation(len(faces))
        test, train = faces[perm[:400]], faces[perm[400:]]
        for k in map(int, args.frey_latents.split(",")):
            est = paper_vae(k, (200,), "gaussian", learning_rate_init=0.01)
            curves[f"Frey z={k}"] = train_curve(
                est, train, test, args.max_samples, elbo_score, f"Frey z={k}"
            )
    except DataNotFoundError as exc:
        print(f"skip Frey Face: {exc}")
    if not curves:
        return
    write("figure2", {"max_samples": args.max_samples, "curves": curves})
    plot(curves)


def plot(curves):
    fig, axes = figure(ncols=2, figsize=(11, 4))
    for ax, data in zip(axes, ("MNIST", "Frey"), strict=True):
        mine = {n.split()[1]: r for n, r in curves.items() if n.startswith(data)}
        plot_curves(
            ax,
            mine,
            "lower bound per datapoint (nats)",
            f"{data}: test (solid) and train (dashed)",
        )
    save_figure(fig, "figure2")


if __name__ == "__main__":
    main()
