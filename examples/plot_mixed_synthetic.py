"""
=======================================================
Synthetic rows for a mixed-type table, dtypes included
=======================================================

Most tables mix numbers with categories, flags, counts and holes. With
``likelihood="auto"`` (the default) a :class:`~skvae.VAETransformer` fitted
on a DataFrame picks one likelihood per column from its dtype: a categorical
(one logit per level) for category columns, an ordinal over the observed
values for numbers with at most 20 of them, a negative binomial for other
non-negative integer counts, a Gaussian for floats, standardised inside. No
``ColumnTransformer`` is needed, and ``sample`` returns a DataFrame with the
original columns, dtypes and levels.

The table is UCI Adult as shipped with HI-VAE (12 columns, real missing
values in ``workclass`` and ``occupation``), from skvae's data home; a
synthetic table of the same shape stands in where the data home lacks it.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# A mixed table
# -------------
import os

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from skvae import VAETransformer
from skvae.datasets import DataNotFoundError, load_mixed

# The test suite lowers the budget for a quick smoke run.
EPOCHS = os.environ.get("SKVAE_EXAMPLE_MAX_ITER", "auto")
EPOCHS = EPOCHS if EPOCHS == "auto" else int(EPOCHS)

try:
    frame, _ = load_mixed("adult")
    frame = frame.sample(2000, random_state=0).reset_index(drop=True)
except DataNotFoundError as exc:
    print(f"Using a synthetic stand-in: {exc}")
    rng = np.random.RandomState(0)
    level = rng.randint(0, 3, 2000)
    frame = pd.DataFrame(
        {
            "age": pd.array(17 + rng.poisson(15 + 8 * level), dtype="Int64"),
            "workclass": pd.Categorical(np.array([1, 2, 3])[level]),
            "hours_per_week": pd.array(rng.poisson(30 + 5 * level), dtype="Int64"),
            "relationship": pd.Categorical(rng.randint(1, 5, 2000)),
        }
    )
print(frame.dtypes)
print(f"missing entries: {int(frame.isna().sum().sum())}")

# %%
# Fit at the defaults, then sample
# --------------------------------
# ``sample`` draws each entry from p(x | z): a level of a category, an integer
# count, so the synthetic rows follow the table's own frequencies.
# (``mean=True`` gives each column's mean, for a category its most probable
# level.)
vae = VAETransformer(max_iter=EPOCHS, random_state=0).fit(frame)
print(vae.likelihood_)
synthetic = vae.sample(len(frame), random_state=0)
print(synthetic.head())
assert (synthetic.dtypes == frame.dtypes).all()

# %%
# Real against synthetic marginals
# --------------------------------
# For a category, the total variation distance between the level frequencies
# (0 = the same frequencies); for a number, the means and standard deviations.
numeric = [c for c in frame if not isinstance(frame[c].dtype, pd.CategoricalDtype)]
categorical = [c for c in frame if c not in numeric]
shown = numeric[:2] + categorical[:2]
fig, axes = plt.subplots(1, len(shown), figsize=(3.2 * len(shown), 3.0))
for ax, column in zip(axes, shown, strict=True):
    if column in numeric:
        real = frame[column].dropna().astype(float)
        fake = synthetic[column].dropna().astype(float)
        bins = np.histogram_bin_edges(real, bins=30)
        ax.hist(real, bins=bins, alpha=0.5, density=True, label="real")
        ax.hist(fake, bins=bins, alpha=0.5, density=True, label="synthetic")
        print(
            f"{column:>15}: mean {real.mean():9.1f} vs {fake.mean():9.1f}, "
            f"sd {real.std():8.1f} vs {fake.std():8.1f}"
        )
    else:
        real = frame[column].value_counts(normalize=True).sort_index()
        fake = synthetic[column].value_counts(normalize=True).reindex(real.index)
        position = np.arange(len(real))
        ax.bar(position - 0.2, real.to_numpy(), width=0.4, label="real")
        ax.bar(position + 0.2, fake.fillna(0).to_numpy(), width=0.4, label="synthetic")
        ax.set_xticks(position, [str(v) for v in real.index], fontsize=6)
        tvd = 0.5 * float(np.abs(real - fake.fillna(0)).sum())
        print(f"{column:>15}: total variation distance {tvd:.3f}")
    ax.set_title(f"{column} ({vae.likelihood_[column]})", fontsize=9)
axes[0].legend(fontsize=7)
fig.tight_layout()
plt.show()
