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
# :class:`~skvae.inspection.SampleDisplay` draws each column's real and
# synthetic marginals side by side: histograms for numbers, level frequencies
# for categories.
from skvae.inspection import SampleDisplay

display = SampleDisplay(synthetic, X=frame).plot()
plt.show()

# %%
# The total variation distance between the real and synthetic frequencies of
# each category column (0 = the same frequencies):
for column in frame.columns[frame.dtypes == "category"]:
    real = frame[column].value_counts(normalize=True)
    fake = synthetic[column].value_counts(normalize=True).reindex(real.index)
    print(f"{column:>15}: {0.5 * float((real - fake.fillna(0)).abs().sum()):.3f}")
