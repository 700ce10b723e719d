"""Out-of-core and parallel paths: memmap streaming, partial_fit chunks, reduced
precision, Dask (dask-ml Incremental, joblib's Dask backend), n_jobs threads."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import warnings

import numpy as np
import pytest
import torch
from sklearn.model_selection import GridSearchCV, cross_validate

from skvae import VAETransformer
from skvae.core._training import minibatches

KW = {"hidden_layer_sizes": (16,), "device": "cpu", "random_state": 0}


@pytest.fixture
def memmap(tmp_path):
    rng = np.random.RandomState(0)
    X = rng.rand(1000, 8).astype(np.float32)
    path = tmp_path / "X.npy"
    np.save(path, X)
    return np.load(path, mmap_mode="r"), X


def test_streamed_minibatches_visit_every_row_once(memmap):
    mm, X = memmap
    gen = torch.Generator().manual_seed(0)
    batches = list(minibatches(mm, 64, gen, chunk_rows=100, dtype=torch.float32))
    assert max(len(b) for b in batches) <= 64
    rows = torch.cat(batches).numpy()
    assert rows.shape == X.shape
    # the same multiset of rows, in a shuffled order
    key = lambda a: np.lexsort(a.T[::-1])
    np.testing.assert_array_equal(rows[key(rows)], X[key(X)])
    assert not np.array_equal(rows, X)


def test_fit_from_memmap_streams_and_trains(memmap, monkeypatch):
    import skvae.core._training as training

    mm, _ = memmap
    seen = []
    real = training.to_tensor

    def spy(block, device, dtype):
        seen.append(block.shape[0])
        return real(block, device, dtype)

    monkeypatch.setattr(training, "to_tensor", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = VAETransformer(2, max_iter=5, **KW).fit(mm)
    assert seen and max(seen) <= 65536  # copied block by block, never whole
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert np.isfinite(est.score_samples(mm)).all()
    assert est.transform(mm).shape == (1000, 2)


def test_memmap_early_stopping_holds_out_the_last_rows(memmap):
    mm, _ = memmap
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = VAETransformer(2, max_iter=3, early_stopping=True, **KW).fit(mm)
    assert len(est.validation_scores_) == est.n_iter_


def test_partial_fit_over_chunks_is_one_pass_each(memmap):
    mm, _ = memmap
    est = VAETransformer(2, batch_size=50, **KW)
    for start in range(0, 1000, 250):
        est.partial_fit(mm[start : start + 250])
    assert est.n_iter_ == 4
    state = est._optimizer.state_dict()["state"][0]
    assert int(state["step"]) == 4 * 250 // 50  # Adam's state carried through


def test_bf16_mixed_precision_trains_close_to_fp32():
    from sklearn.datasets import load_digits

    X = load_digits().data / 16.0
    scores = {}
    for mp in (None, "bf16"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = VAETransformer(
                4, likelihood="bernoulli", max_iter=8, mixed_precision=mp, **KW
            ).fit(X[:1200])
        assert next(est.module_.parameters()).dtype == torch.float32  # weights
        scores[mp] = est.score(X[1200:])
    assert np.isfinite(scores["bf16"])
    assert abs(scores["bf16"] - scores[None]) < 1.0  # nats per sample


def test_n_jobs_workers_do_not_oversubscribe_torch_threads():
    X = np.random.RandomState(0).rand(200, 5)
    res = cross_validate(
        _ThreadReporter(**KW, max_iter=1), X, cv=2, n_jobs=2, return_estimator=True
    )
    budget = max(1, (os.cpu_count() or 1) // 2)
    assert all(est.torch_threads_ <= budget for est in res["estimator"])


class _ThreadReporter(VAETransformer):
    """Records how many threads torch uses inside a worker's fit."""

    def fit(self, X, y=None):
        super().fit(X)
        self.torch_threads_ = torch.get_num_threads()
        return self


def test_dask_ml_incremental_calls_partial_fit_per_block():
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X = np.random.RandomState(0).rand(600, 6)
    dX = da.from_array(X, chunks=(200, 6))
    inc = wrappers.Incremental(VAETransformer(2, **KW))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inc.fit(dX)
    assert inc.estimator_.n_iter_ == 3  # one epoch per block
    assert inc.estimator_.transform(X).shape == (600, 2)


@pytest.mark.slow
def test_grid_search_on_a_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    import joblib

    rng = np.random.RandomState(0)
    X = rng.randn(400, 2) @ rng.randn(2, 6) + 0.3 * rng.randn(400, 6)
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster),
        joblib.parallel_backend("dask"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        grid = GridSearchCV(
            VAETransformer(max_iter=40, **KW), {"n_components": [1, 2]}, cv=2
        ).fit(X)
    assert len(grid.cv_results_["mean_test_score"]) == 2
    assert grid.best_params_["n_components"] in (1, 2)
    assert hasattr(grid.best_estimator_, "module_")


def _readers_of(mm, fit):
    """Names of the skvae functions called with an array that views ``mm``.

    A profiler sees every Python call while ``fit`` runs; a function that
    receives (a view of) the memory-mapped training data is counted once per
    call. Nothing else can read it.
    """
    import collections
    import sys

    touched = collections.Counter()
    package = os.path.dirname(__import__("skvae").__file__)

    def profile(frame, event, arg):
        if event != "call" or not frame.f_code.co_filename.startswith(package):
            return
        for value in frame.f_locals.values():
            if isinstance(value, np.ndarray) and np.may_share_memory(value, mm):
                code = frame.f_code
                touched[getattr(code, "co_qualname", code.co_name)] += 1
                return

    sys.setprofile(profile)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit()
    finally:
        sys.setprofile(None)
    return touched


def test_detector_first_fit_reads_a_memmap_three_times(tmp_path):
    """Validation, one statistics pass, standardisation; then only the copy."""
    from skvae import VAEOutlierDetector

    path = tmp_path / "X.npy"
    np.save(path, np.random.RandomState(0).randn(600, 8).astype(np.float32))
    mm = np.load(path, mmap_mode="r")
    det = VAEOutlierDetector(max_iter=2, **KW)
    touched = _readers_of(mm, lambda: det.fit(mm))
    # fit -> _fit -> _fit_steps pass the array on; three functions read it
    assert touched == {
        "VAETransformer.fit": 1,
        "_BaseVAE._fit": 1,
        "_BaseVAE._fit_steps": 1,
        "ModelSpace.read_fit": 1,  # passes it to is_table and read
        "is_table": 1,  # an array is not a DataFrame: not read
        "ModelSpace.read": 1,  # passes it to validate_X
        "FitProgress.__init__": 1,  # hands X to fit callbacks (there are none)
        "validate_X": 1,  # scikit-learn's validate_data: the finiteness check
        "column_stats": 1,  # min, max, mean and variance in one pass
        "ModelSpace.to_model": 1,  # the standardised copy all else uses
    }
    assert det.likelihood_ == "studentt" and np.isfinite(det.offset_)


def test_transformer_fit_reads_a_memmap_once_per_epoch(memmap):
    mm, _ = memmap
    est = VAETransformer(2, max_iter=3, **KW)
    touched = _readers_of(mm, lambda: est.fit(mm))
    assert touched["validate_X"] == 1 and touched["column_stats"] == 1
    assert touched["run_epoch"] == 3  # the epochs stream it block by block
    readers = {"validate_X", "column_stats", "minibatches", "to_tensor"}
    # the latent dimensions' activity: one pass over at most 10,000 rows
    readers |= {"spaced_rows", "map_rows"}
    passers_activity = {"latent_activity", "encode_rows", "_numpy_dtype"}
    passers = {"VAETransformer.fit", "_BaseVAE._fit", "_BaseVAE._fit_steps"}
    passers |= {"ModelSpace.read_fit", "ModelSpace.read", "is_table"}
    passers |= {"ModelSpace.to_model"}  # the identity here: no standardisation
    passers |= {"variance_floor", "prepare_model"}  # they read no rows here
    passers |= {"split", "train", "run_epoch", "FitProgress.__init__"}
    passers |= passers_activity
    assert set(touched) <= readers | passers, set(touched) - readers - passers
