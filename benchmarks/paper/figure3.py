"""Kingma & Welling (2013), Figure 3: marginal log-likelihood on MNIST.

Three latent dimensions, 100 hidden units, 1,000 and 50,000 training points;
log p(x) of train and test data against training samples evaluated. The paper
estimated log p(x) with an HMC-based estimator; here it is the importance-
weighted estimate with ``--importance`` samples (Burda et al., 2016), on 1,000
points of each set. Run:

    python benchmarks/paper/figure3.py [--max-samples 3e6]
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse

from _paper import figure, paper_vae, plot_curves, save_figure, train_curve, write

from skvae.datasets import DataNotFoundError, load_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-samples", type=float, default=3e6)
    parser.add_argument("--importance", type=int, default=1000)
    args = parser.parse_args()
    try:
        X_train, _, X_test, _ = load_mnist()
    except DataNotFoundError as exc:
        print(f"skip: {exc}")
        return
    X_train, X_test = X_train / 255.0, X_test / 255.0

    def log_px(est, X):
        est.set_params(score_method="iwae", n_score_draws=args.importance)
        return est.score(X[:1000])

    curves = {}
    for n in (1000, 50000):
        est = paper_vae(3, (100,), "bernoulli")
        curves[f"N={n}"] = train_curve(
            est, X_train[:n], X_test, args.max_samples, log_px, f"N={n}"
        )
    write(
        "figure3",
        {
            "max_samples": args.max_samples,
            "importance": args.importance,
            "curves": curves,
        },
    )

    plot(curves, args.importance)


def plot(curves, importance):
    fig, ax = figure(figsize=(6, 4))
    plot_curves(
        ax,
        curves,
        f"log p(x), IWAE-{importance} (nats)",
        "MNIST, 3 latent dimensions, 100 hidden units",
        label_train=True,
    )
    save_figure(fig, "figure3")


if __name__ == "__main__":
    main()
