"""Test negative log-likelihood on statically binarized MNIST.

The one-stochastic-layer architecture of the IWAE paper (Burda et al., 2016):
784-200-200-50 with tanh, Bernoulli decoder, trained as a VAE (k=1) with Adam
on the 50,000 training images; log p(x) on the 10,000 test images estimated
with 5,000 importance samples. Burda et al. report 86.76 nats after 3,280
epochs. Run:

    python benchmarks/paper/binarized_mnist.py [--epochs 100]
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import time
import warnings

from _paper import write

from skvae import VAETransformer
from skvae.datasets import DataNotFoundError, load_binarized_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--importance", type=int, default=5000)
    parser.add_argument("--test-rows", type=int, default=10000)
    args = parser.parse_args()
    try:
        train, _valid, test = load_binarized_mnist()
    except DataNotFoundError as exc:
        print(f"skip: {exc}")
        return
    train, test = train.astype("float32"), test[: args.test_rows].astype("float32")
    est = VAETransformer(
        50,
        hidden_layer_sizes=(200, 200),
        activation="tanh",
        likelihood="bernoulli",
        batch_size=100,
        learning_rate_init=1e-3,
        max_iter=args.epochs,
        tol=0.0,
        n_iter_no_change=10**9,
        device="cpu",
        random_state=0,
        verbose=1,
    )
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(train)
    train_seconds = time.perf_counter() - tic
    elbo = est.set_params(n_score_draws=10).score(test)
    tic = time.perf_counter()
    log_px = est.set_params(score_method="iwae", n_score_draws=args.importance).score(
        test
    )
    eval_seconds = time.perf_counter() - tic
    result = {
        "epochs": args.epochs,
        "schedule": "Adam lr 1e-3, batch 100, constant; no early stopping",
        "test_rows": len(test),
        "importance_samples": args.importance,
        "test_elbo": elbo,
        "test_nll": -log_px,
        "reference_nll_iwae_paper": 86.76,
        "train_seconds": train_seconds,
        "eval_seconds": eval_seconds,
    }
    print(
        f"test ELBO {elbo:.2f}, test NLL (IWAE-{args.importance}) {-log_px:.2f} nats; "
        f"train {train_seconds:.0f} s, evaluation {eval_seconds:.0f} s"
    )
    write("binarized_mnist", result)


if __name__ == "__main__":
    main()
