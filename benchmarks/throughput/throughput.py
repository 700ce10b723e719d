"""Training and inference throughput of VAETransformer against a bare torch loop.

Setting (issue 4): Fashion-MNIST 60k x 784 scaled to [0, 1], MLP 784-512-256-16
mirrored, Bernoulli decoder, Adam 1e-3, batch 128. A minimal hand-written torch
loop over one pre-loaded tensor with randperm minibatches is the reference; it
and ``VAETransformer.fit`` run alternately in this process and the table reports
samples/s and their ratio. Run:

    python benchmarks/throughput/throughput.py            # full run, about 15 minutes
    python benchmarks/throughput/throughput.py --quick    # a smoke run, about a minute
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import gc
import itertools
import os
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # benchmarks/_common.py
from _common import Timer, fashion_mnist_or_synthetic, print_table, write_json
from torch import nn

from skvae import VAETransformer
from skvae.core import elbo

HIDDEN = (512, 256)
LATENT = 16
BATCH = 128
LR = 1e-3


# ----------------------------------------------------------------- reference
class RefVAE(nn.Module):
    """The textbook VAE (pytorch/examples style), same sizes as the estimator's."""

    def __init__(self, d):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Linear(d, 512),
            nn.ReLU(),
            nn.Linear(512, 256),
            nn.ReLU(),
            nn.Linear(256, 2 * LATENT),
        )
        self.dec = nn.Sequential(
            nn.Linear(LATENT, 256),
            nn.ReLU(),
            nn.Linear(256, 512),
            nn.ReLU(),
            nn.Linear(512, d),
        )

    def elbo(self, x):
        mu, logvar = self.enc(x).chunk(2, dim=-1)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        logits = self.dec(z)
        rec = -F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(-1)
        kl = 0.5 * (mu.square() + logvar.exp() - 1 - logvar).sum(-1)
        return rec - kl


def reference_fit(X, epochs, seed=0):
    torch.manual_seed(seed)
    model = RefVAE(X.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    n = X.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n)
        for i in range(0, n, BATCH):
            loss = -elbo(model, X[perm[i : i + BATCH]]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


@torch.no_grad()
def reference_test_elbo(model, X, n_draws=10):
    torch.manual_seed(123)
    return float(np.mean([elbo(model, X).mean().item() for _ in range(n_draws)]))


def make_vae(max_iter, **kw):
    return VAETransformer(
        LATENT,
        hidden_layer_sizes=HIDDEN,
        likelihood="bernoulli",
        batch_size=BATCH,
        learning_rate_init=LR,
        max_iter=max_iter,
        tol=0.0,
        n_iter_no_change=10**6,
        device="cpu",
        random_state=0,
        **kw,
    )


def fit_quiet(est, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X)


# ----------------------------------------------------------------- memory
def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def private_kb():
    """Private (anonymous) resident memory of this process, in kB."""
    try:
        with open("/proc/self/smaps_rollup") as f:
            for line in f:
                if line.startswith("Anonymous:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return _status_kb("RssAnon:")


class PeakSampler:
    """Sample RSS and private memory in a thread; record the peaks."""

    def __init__(self, interval=0.05):
        import threading

        self.interval = interval
        self.peak_rss = self.peak_private = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, _status_kb("VmRSS:"))
            self.peak_private = max(self.peak_private, private_kb())
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


# ----------------------------------------------------------------- sections
def bench_training(X_train, X_test, epochs, repeats):
    Xt = torch.from_numpy(X_train)
    # warm up both (oneDNN kernels, allocator) before anything is timed
    reference_fit(Xt[:2000], 1)
    fit_quiet(make_vae(1), X_train[:2000])
    rows = []
    times = {"reference": [], "skvae fp32": [], "skvae bf16": []}
    elbos = {}
    for r in range(repeats):
        with Timer() as t:
            ref = reference_fit(Xt, epochs, seed=r)
        times["reference"].append(t.seconds)
        elbos.setdefault(
            "reference", reference_test_elbo(ref, torch.from_numpy(X_test))
        )
        for name, kw in (
            ("skvae fp32", {}),
            ("skvae bf16", {"mixed_precision": "bf16"}),
        ):
            try:
                est = make_vae(epochs, **kw)
            except TypeError:  # the option does not exist in this version
                continue
            with Timer() as t:
                fit_quiet(est, X_train)
            times[name].append(t.seconds)
            elbos.setdefault(name, est.set_params(n_score_draws=10).score(X_test))
        gc.collect()
    ref_rate = X_train.shape[0] * epochs / np.median(times["reference"])
    for name, ts in times.items():
        if not ts:
            continue
        rate = X_train.shape[0] * epochs / np.median(ts)
        rows.append(
            {
                "method": name,
                "epochs": epochs,
                "median s": float(np.median(ts)),
                "samples/s": rate,
                "ratio": rate / ref_rate,
                "test ELBO": elbos[name],
            }
        )
    return rows


def flops_per_sample(d=784):
    """Forward + backward FLOPs of one training sample (3x forward)."""
    sizes = [d, *HIDDEN, 2 * LATENT]
    dec = [LATENT, *HIDDEN[::-1], d]
    macs = sum(a * b for a, b in itertools.pairwise(sizes))
    macs += sum(a * b for a, b in itertools.pairwise(dec))
    return 3 * 2 * macs


def matmul_gflops(dtype, n=2048, reps=3):
    a = torch.randn(n, n, dtype=dtype)
    b = torch.randn(n, n, dtype=dtype)
    a @ b
    with Timer() as t:
        for _ in range(reps):
            a @ b
    return 2 * n**3 * reps / t.seconds / 1e9


def bench_transform(est, X):
    est.transform(X[:1000])
    with Timer() as t:
        est.transform(X)
    with Timer() as s:
        est.score_samples(X)
    return X.shape[0] / t.seconds, X.shape[0] / s.seconds


def bench_scaling(X_train, sizes, epochs):
    rows = []
    for n in sizes:
        if n > X_train.shape[0]:
            continue
        est = make_vae(epochs)
        with Timer() as t:
            fit_quiet(est, X_train[:n])
        rows.append(
            {
                "n": n,
                "seconds": t.seconds,
                "us/sample/epoch": 1e6 * t.seconds / (n * epochs),
            }
        )
    return rows


def bench_fit_memory(X_train, epochs):
    gc.collect()
    base_rss = _status_kb("VmRSS:")
    est = make_vae(epochs)
    with PeakSampler() as s:
        fit_quiet(est, X_train)
    return {
        "data MB (float32)": X_train.nbytes / 2**20,
        "peak RSS MB": s.peak_rss / 1024,
        "RSS before fit MB": base_rss / 1024,
        "growth during fit MB": (s.peak_rss - base_rss) / 1024,
    }


def bench_memmap(n_rows, chunk_rows, tmpdir):
    """Fit by partial_fit over chunks of a float32 memmap on disk."""
    path = os.path.join(tmpdir, "big.f32")
    mm = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n_rows, 784)
    )
    rng = np.random.RandomState(0)
    for start in range(0, n_rows, 65536):
        stop = min(start + 65536, n_rows)
        mm[start:stop] = rng.rand(stop - start, 784).astype(np.float32)
    mm.flush()
    del mm
    X = np.load(path, mmap_mode="r")
    rows = []
    for how in ("partial_fit chunks", "fit(memmap)"):
        gc.collect()
        base = private_kb()
        est = make_vae(1)
        with PeakSampler() as s, Timer() as t:
            if how == "fit(memmap)":
                fit_quiet(est, X)
            else:
                for start in range(0, n_rows, chunk_rows):
                    est.partial_fit(X[start : start + chunk_rows])
        rows.append(
            {
                "how": how,
                "file GB": X.nbytes / 2**30,
                "seconds": t.seconds,
                "private growth MB": (s.peak_private - base) / 1024,
                "peak RSS MB": s.peak_rss / 1024,
            }
        )
        del est
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--memmap-gb", type=float, default=None)
    args = parser.parse_args()
    quick = args.quick
    epochs = args.epochs or (1 if quick else 10)
    repeats = args.repeats or (1 if quick else 2)
    n_train = 10000 if quick else 60000
    X_train, X_test, source = fashion_mnist_or_synthetic(n_train)
    print(
        f"data: {source}, train {X_train.shape}, test {X_test.shape}; "
        f"torch threads {torch.get_num_threads()}\n"
    )

    flops = flops_per_sample(X_train.shape[1])
    limits = {
        "fp32": matmul_gflops(torch.float32),
        "bf16": matmul_gflops(torch.bfloat16),
    }
    print(
        f"compute limit: {flops / 1e6:.2f} MFLOP/sample; matmul "
        f"{limits['fp32']:.0f} GFLOP/s fp32, {limits['bf16']:.0f} GFLOP/s bf16\n"
    )

    train_rows = bench_training(X_train, X_test, epochs, repeats)
    for row in train_rows:
        limit = limits["bf16" if "bf16" in row["method"] else "fp32"] * 1e9 / flops
        row["of limit"] = row["samples/s"] / limit
    print(f"Training, {epochs} epochs, median of {repeats} alternating runs:")
    print_table(
        train_rows,
        ["method", "median s", "samples/s", "ratio", "of limit", "test ELBO"],
    )

    est = fit_quiet(make_vae(1), X_train)
    tr, sc = bench_transform(est, np.concatenate([X_test] * (1 if quick else 5)))
    print(
        f"\ntransform: {tr:,.0f} samples/s; "
        f"score_samples (10 draws): {sc:,.0f} samples/s"
    )

    sizes = [2500, 5000, 10000] if quick else [10000, 20000, 40000, 60000]
    scaling = bench_scaling(X_train, sizes, 1 if quick else 2)
    print("\nFit time against n:")
    print_table(scaling, ["n", "seconds", "us/sample/epoch"])

    memory = bench_fit_memory(X_train, 1)
    print("\nMemory during fit:")
    print_table([memory], list(memory))

    gb = args.memmap_gb if args.memmap_gb is not None else (0.1 if quick else 2.0)
    n_rows = int(gb * 2**30 / (784 * 4))
    with tempfile.TemporaryDirectory(dir=os.environ.get("SKVAE_TMP")) as tmp:
        mm = bench_memmap(n_rows, 50000, tmp)
    print("\nOne epoch over a float32 memmap (partial_fit chunks of 50,000 rows):")
    print_table(mm, list(mm[0]))

    write_json(
        "throughput",
        {
            "data": source,
            "epochs": epochs,
            "repeats": repeats,
            "mflop_per_sample": flops / 1e6,
            "matmul_gflops": limits,
            "training": train_rows,
            "transform_per_s": tr,
            "score_samples_per_s": sc,
            "scaling": scaling,
            "fit_memory": memory,
            "memmap": mm,
        },
    )


if __name__ == "__main__":
    main()
