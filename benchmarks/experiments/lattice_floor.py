"""Experiment for issue 17 (not a default): a per-feature variance floor for
columns that live on a lattice.

The floor of feature j is max(var_floor, step_j**2 / 12), where step_j is the
median gap between the column's sorted distinct values (in model space, from
at most 20,000 rows): the variance of uniform dequantisation noise, so that a
discrete column's density cannot exceed about 1 / step_j.  Continuous columns
(tiny gaps) keep the scalar floor.

It patches ``_fit_marginals`` and ``StudentT._split`` and then runs
``benchmarks/anomaly.py`` with the given arguments, e.g.::

    SKVAE_DATA=../shared/data python benchmarks/experiments/lattice_floor.py \
        --half design --methods skvae --out anomaly_design_lattice

Measured (design half, 3 seeds): mean AUROC 0.731 against 0.721 for the
default; optdigits 0.904 (0.862), cover 0.793 (0.724), campaign 0.802
(0.737), cardiotocography 0.537 (0.506), celeba 0.744 (0.781).  See
``benchmarks/results/anomaly_design_lattice.json``.
"""

import runpy
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from skvae import _likelihoods, _setup

BENCH = Path(__file__).resolve().parents[1]
_fit_marginals_orig = _setup._SetupMixin._fit_marginals


def lattice_steps(X, max_rows=20_000):
    """Median gap between sorted distinct values, per column (0 if constant)."""
    rows = np.asarray(X[:: max(1, len(X) // max_rows)])
    out = np.zeros(rows.shape[1])
    for j in range(rows.shape[1]):
        v = np.unique(rows[:, j][~np.isnan(rows[:, j])])
        out[j] = np.median(np.diff(v)) if v.size > 1 else 0.0
    return out


def _fit_marginals(self, X, moments):
    _fit_marginals_orig(self, X, moments)
    lik = self.module_.likelihood
    floor = np.maximum(lik.var_floor, lattice_steps(X) ** 2 / 12.0)
    lik.var_floor_vec = torch.as_tensor(floor, dtype=torch.float32)


def _split(self, out):
    loc, raw, raw_df = out.chunk(3, dim=-1)
    log_df = (self.DF_RATE * raw_df).clamp(*(np.log(v) for v in self.DF_RANGE))
    floor = getattr(self, "var_floor_vec", None)
    floor = self.var_floor if floor is None else floor.to(out.device, out.dtype)
    return loc, F.softplus(raw) + floor, torch.exp(log_df)


if __name__ == "__main__":
    _setup._SetupMixin._fit_marginals = _fit_marginals
    _likelihoods.StudentT._split = _split
    sys.path.insert(0, str(BENCH))
    sys.argv = ["anomaly.py", *sys.argv[1:]]
    runpy.run_path(str(BENCH / "anomaly.py"), run_name="__main__")
