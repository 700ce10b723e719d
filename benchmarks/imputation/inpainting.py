"""Inpainting MNIST test images: VAEImputer against KNNImputer and MICE (issue #15).

The centre 12 x 12 pixels of ``--test-rows`` random MNIST test images are
missing; each method fills them and the RMSE over those pixels (grey levels in
[0, 1], lower is better) is reported with the fit + impute time, in one
process on the same images and pixels:

- VAEImputer with the Bernoulli likelihood, fitted on ``--train-rows``
  complete training images (``--epochs`` epochs, a 20-dimensional code and
  one hidden layer of 400 units, as the gallery example);
- KNNImputer(5) fitted on the same training images;
- IterativeImputer (BayesianRidge, 5 rounds, the 100 nearest features),
  fitted on 2,000 training images together with the test images: it imputes
  only the features that have holes at fit time;
- the training images' mean.

Run::

    SKVAE_DATA=../shared/data python benchmarks/imputation/inpainting.py
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
from _common import Timer, print_table, write_json
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer

from skvae import VAEImputer
from skvae.datasets import load_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train-rows", type=int, default=10000)
    parser.add_argument("--test-rows", type=int, default=500)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    X_train, _, X_test, _ = load_mnist()
    rng = np.random.RandomState(0)
    X_train = X_train[rng.permutation(len(X_train))[: args.train_rows]] / 255.0
    X_test = X_test[rng.permutation(len(X_test))[: args.test_rows]] / 255.0
    square = np.zeros((28, 28), dtype=bool)
    square[8:20, 8:20] = True
    holes = np.zeros(X_test.shape, dtype=bool)
    holes[:, square.ravel()] = True
    X_holes = np.where(holes, np.nan, X_test)

    def vae():
        imputer = VAEImputer(
            n_components=20,
            hidden_layer_sizes=(400,),
            likelihood="bernoulli",
            batch_size=100,
            max_iter=args.epochs,
            random_state=0,
        )
        return imputer.fit(X_train).transform(X_holes)

    def mice():
        both = np.vstack([X_train[:2000], X_holes])
        imputer = IterativeImputer(max_iter=5, n_nearest_features=100, random_state=0)
        return imputer.fit_transform(both)[2000:]

    methods = {
        "skvae": vae,
        "knn": lambda: KNNImputer().fit(X_train).transform(X_holes),
        "mice": mice,
        "mean": lambda: SimpleImputer().fit(X_train).transform(X_holes),
    }
    rows = []
    for name, run in methods.items():
        with Timer() as t, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            filled = run()
        err = (filled - X_test)[holes]
        rows.append(
            {
                "method": name,
                "rmse": float(np.sqrt(np.mean(err**2))),
                "fit+impute s": t.seconds,
            }
        )
        print_table(rows[-1:], list(rows[-1]))
    print(
        f"\nMNIST, centre 12x12 missing in {args.test_rows} test images; "
        f"{args.train_rows} training images, {args.epochs} epochs for the VAE"
    )
    print_table(rows, list(rows[0]))
    write_json("inpainting", {"args": vars(args), "rows": rows})


if __name__ == "__main__":
    main()
