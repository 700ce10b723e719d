"""Record every public output of both estimators for fixed seeds, to compare versions.

A refactoring must change no number. Run this before a change and after it and
compare the two records::

    python benchmarks/record_outputs.py --out before   # on the old code
    python benchmarks/record_outputs.py --out after    # on the new code
    python benchmarks/record_outputs.py --compare before after

Each record holds, for the three estimators fitted on scikit-learn's digits,
on the ODDS ``cardio`` set and on the mixed table ``breast_wisconsin`` (both
from ``SKVAE_DATA``; skipped with a note when absent), on a generated
DataFrame with categories, integers, flags and holes, and on digits with
holes for the imputer, the SHA-256 of the bytes of every public output the
estimator has: ``transform``, ``inverse_transform``, ``sample`` (mean and
draws), ``score_samples`` (ELBO and IWAE), ``score_samples_per_feature``,
``decision_function``, ``predict``, ``offset_``, the imputer's ``transform``
(conditional mean and ``sample_posterior=True``), ``n_iter_`` and
``loss_curve_``; the same outputs of the model reloaded from ``save`` and
from a pickle; and the SHA-256 of the bytes ``save`` writes (the file has no
timestamp; a new file format changes them). A DataFrame output is hashed
through ``pandas.util.hash_pandas_object`` with its dtypes. Writes
benchmarks/records/outputs_NAME.json.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import hashlib
import json
import pickle
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

import skvae
from skvae import VAEImputer, VAEOutlierDetector, VAETransformer
from skvae.datasets import DataNotFoundError, load_mixed, load_odds


def _hash(a):
    if isinstance(a, pd.DataFrame):
        rows = pd.util.hash_pandas_object(a, index=True).to_numpy()
        dtypes = ",".join(map(str, a.dtypes))
        digest = hashlib.sha256(rows.tobytes() + dtypes.encode()).hexdigest()[:20]
        return f"frame{a.shape}:{digest}"
    a = np.ascontiguousarray(np.asarray(a))
    return f"{a.dtype}{a.shape}:" + hashlib.sha256(a.tobytes()).hexdigest()[:20]


def _outputs(est, X):
    out = {}
    if isinstance(est, VAEImputer):
        out["impute_mean"] = _hash(est.transform(X))
        draws = est.set_params(sample_posterior=True).transform(X)
        est.set_params(sample_posterior=False)
        out["impute_draw"] = _hash(draws)
    else:
        Z = est.transform(X)
        out["transform"] = _hash(Z)
        out["inverse_transform"] = _hash(est.inverse_transform(Z))
        out["sample_mean"] = _hash(est.sample(7, random_state=3))
        out["sample_draw"] = _hash(est.sample(7, random_state=3, mean=False))
        out["score_samples_elbo"] = _hash(est.score_samples(X))
        out["score_samples_per_feature"] = _hash(est.score_samples_per_feature(X))
        iwae = est.set_params(score_method="iwae").score_samples(X)
        est.set_params(score_method="elbo")
        out["score_samples_iwae"] = _hash(iwae)
    if hasattr(est, "decision_function"):
        out["decision_function"] = _hash(est.decision_function(X))
        out["predict"] = _hash(est.predict(X))
        out["offset_"] = repr(est.offset_)
    out["n_iter_"] = est.n_iter_
    out["loss_curve_"] = _hash(np.asarray(est.loss_curve_))
    return out


def _generated_table(n=300, seed=0):
    """A mixed DataFrame: a category, an ordered one, a count, a flag, two reals,
    with holes in four of the columns."""
    rng = np.random.RandomState(seed)
    z = rng.randn(n)
    colour = np.array(["red", "green", "blue"], dtype=object)[
        np.digitize(z + 0.5 * rng.randn(n), [-0.5, 0.5])
    ]
    size = pd.Categorical(
        np.array(["S", "M", "L"])[rng.randint(0, 3, n)],
        categories=["S", "M", "L"],
        ordered=True,
    )
    frame = pd.DataFrame(
        {
            "colour": colour,
            "size": size,
            "visits": pd.array(rng.poisson(np.exp(0.5 * z + 1.0)), dtype="Int64"),
            "member": z + rng.randn(n) > 0,
            "height": 170.0 + 10.0 * z + rng.randn(n),
            "income": np.exp(rng.randn(n) + 0.3 * z),
        }
    )
    holes = rng.rand(n, 4) < 0.1
    frame.loc[holes[:, 0], "colour"] = None
    frame.loc[holes[:, 1], "visits"] = pd.NA
    frame.loc[holes[:, 2], "height"] = np.nan
    frame.loc[holes[:, 3], "income"] = np.nan
    return frame


def _cases():
    digits = load_digits().data / 16.0
    yield (
        "digits",
        digits,
        [
            (
                "transformer_bernoulli",
                VAETransformer(
                    4,
                    hidden_layer_sizes=(32,),
                    likelihood="bernoulli",
                    max_iter=8,
                    early_stopping=True,
                    device="cpu",
                    random_state=0,
                ),
            ),
            (
                "transformer_gaussian",
                VAETransformer(
                    3,
                    hidden_layer_sizes=(16, 8),
                    max_iter=5,
                    alpha=0.5,
                    device="cpu",
                    random_state=1,
                ),
            ),
            (
                "detector",
                VAEOutlierDetector(max_iter=6, device="cpu", random_state=0),
            ),
        ],
    )
    digits32 = digits.astype(np.float32)
    yield (
        "digits_float32",
        digits32,
        [
            (
                "transformer_memmap",
                VAETransformer(
                    2,
                    hidden_layer_sizes=(16,),
                    likelihood="bernoulli",
                    decoder_variance="per_feature",
                    max_iter=4,
                    device="cpu",
                    random_state=5,
                ),
            ),
            (
                "transformer_early_stopping_memmap",
                VAETransformer(
                    3,
                    hidden_layer_sizes=(16,),
                    max_iter=4,
                    early_stopping=True,
                    device="cpu",
                    random_state=8,
                ),
            ),
            (
                "detector_memmap",
                VAEOutlierDetector(max_iter=4, device="cpu", random_state=9),
            ),
            (
                "transformer_partial_fit",
                VAETransformer(
                    2, hidden_layer_sizes=(16,), device="cpu", random_state=6
                ),
            ),
            (
                "detector_warm_start",
                VAEOutlierDetector(
                    likelihood="gaussian",
                    max_iter=3,
                    warm_start=True,
                    device="cpu",
                    random_state=7,
                ),
            ),
        ],
    )
    holes = digits.copy()
    holes[np.random.RandomState(0).rand(*holes.shape) < 0.2] = np.nan
    yield (
        "digits_holes",
        holes,
        [
            ("imputer", VAEImputer(max_iter=5, device="cpu", random_state=0)),
            (
                "transformer",
                VAETransformer(
                    3,
                    hidden_layer_sizes=(16,),
                    max_iter=4,
                    device="cpu",
                    random_state=4,
                ),
            ),
        ],
    )
    empty = holes.copy()
    empty[:, 0] = np.nan  # a column with no observed entry
    yield (
        "digits_empty_column",
        empty,
        [
            (
                "imputer_indicator_keep_empty",
                VAEImputer(
                    add_indicator=True,
                    keep_empty_features=True,
                    hidden_layer_sizes=(32,),
                    max_iter=4,
                    device="cpu",
                    random_state=3,
                ),
            ),
            (
                "imputer_drop_empty",
                VAEImputer(max_iter=3, device="cpu", random_state=5),
            ),
        ],
    )
    frame = _generated_table()
    yield (
        "generated_table",
        frame,
        [
            (
                "transformer",
                VAETransformer(
                    3,
                    hidden_layer_sizes=(32,),
                    max_iter=6,
                    device="cpu",
                    random_state=0,
                ),
            ),
            (
                "transformer_early_stopping",
                VAETransformer(
                    2,
                    hidden_layer_sizes=(16,),
                    likelihood={"income": "lognormal", "height": "cauchy"},
                    max_iter=5,
                    early_stopping=True,
                    device="cpu",
                    random_state=1,
                ),
            ),
            ("detector", VAEOutlierDetector(max_iter=5, device="cpu", random_state=2)),
            ("imputer", VAEImputer(max_iter=5, device="cpu", random_state=3)),
        ],
    )
    try:
        table, _ = load_mixed("breast_wisconsin")
    except DataNotFoundError as exc:
        print(f"breast_wisconsin skipped: {exc}")
    else:
        yield (
            "breast_wisconsin",
            table,
            [
                ("imputer", VAEImputer(max_iter=5, device="cpu", random_state=0)),
                (
                    "transformer",
                    VAETransformer(max_iter=5, device="cpu", random_state=1),
                ),
            ],
        )
    try:
        X, _ = load_odds("cardio")
    except DataNotFoundError as exc:
        print(f"cardio skipped: {exc}")
        return
    X = StandardScaler().fit_transform(X)
    yield (
        "cardio",
        X,
        [
            (
                "transformer",
                VAETransformer(
                    4,
                    hidden_layer_sizes=(32,),
                    max_iter=6,
                    device="cpu",
                    random_state=0,
                ),
            ),
            ("detector", VAEOutlierDetector(max_iter=8, device="cpu", random_state=0)),
            (
                "detector_contamination",
                VAEOutlierDetector(
                    contamination=0.1,
                    n_prior_components=None,
                    decoder_variance="per_feature",
                    max_iter=5,
                    device="cpu",
                    random_state=2,
                ),
            ),
        ],
    )


def _fit(name, est, X, folder):
    """Fit as the case's name says: on a memmap, by partial_fit, or twice."""
    if name.endswith("memmap"):
        mm = np.lib.format.open_memmap(
            folder / "X.npy", mode="w+", dtype=X.dtype, shape=X.shape
        )
        mm[:] = X
        mm.flush()
        est.fit(np.load(folder / "X.npy", mmap_mode="r"))
    elif name.endswith("partial_fit"):
        for chunk in np.array_split(X, 3):
            est.partial_fit(chunk)
    elif name.endswith("warm_start"):
        est.fit(X).fit(X)
    else:
        est.fit(X)


def record():
    torch.set_num_threads(1)
    rec = {}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.skvae"
        for data_name, X, estimators in _cases():
            for name, est in estimators:
                key = f"{data_name}/{name}"
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    _fit(name, est, X, Path(folder))
                entry = {"fitted": _outputs(est, X)}
                est.save(path)
                entry["save_bytes"] = hashlib.sha256(path.read_bytes()).hexdigest()
                entry["loaded"] = _outputs(skvae.load(path), X)
                entry["unpickled"] = _outputs(pickle.loads(pickle.dumps(est)), X)
                rec[key] = entry
                print(
                    key,
                    entry["fitted"].get("score_samples_elbo", ""),
                    entry["fitted"].get("impute_mean", ""),
                )
    return rec


RECORDS = Path(__file__).parent / "records"


def compare(a, b):
    """Print every differing entry; return the number of differences."""
    n = 0
    for key in sorted(set(a) | set(b)):
        ea, eb = a.get(key, {}), b.get(key, {})
        for part in sorted(set(ea) | set(eb)):
            va, vb = ea.get(part), eb.get(part)
            if isinstance(va, dict) and isinstance(vb, dict):
                for out in sorted(set(va) | set(vb)):
                    if va.get(out) != vb.get(out):
                        n += 1
                        print(
                            f"DIFF {key} {part} {out}: {va.get(out)} != {vb.get(out)}"
                        )
            elif va != vb:
                n += 1
                print(f"DIFF {key} {part}: {va} != {vb}")
    print(f"{n} difference(s)")
    return n


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="current", help="record name")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        a, b = (
            json.loads((RECORDS / f"outputs_{n}.json").read_text())
            for n in args.compare
        )
        sys.exit(1 if compare(a, b) else 0)
    RECORDS.mkdir(exist_ok=True)
    path = RECORDS / f"outputs_{args.out}.json"
    path.write_text(json.dumps(record(), indent=1, sort_keys=True))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
