"""
===================================================================
Model selection by held-out likelihood: VAE, PCA and FactorAnalysis
===================================================================

:meth:`VAETransformer.score <skvae.VAETransformer.score>` returns the mean
evidence lower bound (ELBO) of the data in nats, higher being better, just as
:meth:`PCA.score <sklearn.decomposition.PCA.score>` and
:meth:`FactorAnalysis.score <sklearn.decomposition.FactorAnalysis.score>`
return the mean log-likelihood of their (linear-Gaussian) models. So
:class:`~sklearn.model_selection.GridSearchCV` can choose the size of the
latent code by the likelihood of held-out data, with no scorer, and the three
models can be compared on one scale.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

# %%
# Data: digits as a continuous density problem
# --------------------------------------------
# The 8x8 digits have integer grey levels 0..16. A continuous density such as a
# Gaussian can put unbounded density on a discrete value, so we *dequantise*
# them: add uniform noise in [0, 1) to each grey level and scale to [0, 1).
# Log-likelihoods of the dequantised data are then finite and comparable
# between models.
import os

import numpy as np
from sklearn.datasets import load_digits

X = load_digits().data
rng = np.random.RandomState(0)
X = (X + rng.uniform(size=X.shape)) / 17.0

# Training budget in epochs; the test suite lowers it for a quick smoke run.
MAX_ITER = int(os.environ.get("SKVAE_EXAMPLE_MAX_ITER", 300))

# %%
# Grid search over the latent size
# --------------------------------
# The VAE uses the Gaussian likelihood (a mean and a variance per pixel, both
# functions of z), the same family of observation model as PCA and factor
# analysis. Each candidate is scored by its ELBO on the held-out fold; we only
# need the scores, so there is no refit.
import time

from sklearn.model_selection import GridSearchCV, KFold

from skvae import VAETransformer

n_components = [2, 4, 8, 16]
cv = KFold(n_splits=3, shuffle=True, random_state=0)
vae = VAETransformer(
    likelihood="gaussian",
    hidden_layer_sizes=(128,),  # a small network and a larger step size keep
    learning_rate_init=3e-3,  # the 12 fits of the search to about 20 seconds
    batch_size=64,
    early_stopping=True,
    max_iter=MAX_ITER,
    random_state=0,
)
tic = time.perf_counter()
search = GridSearchCV(vae, {"n_components": n_components}, cv=cv, refit=False)
search.fit(X)
print(f"grid search: {time.perf_counter() - tic:.1f} s")
vae_mean = search.cv_results_["mean_test_score"]
vae_std = search.cv_results_["std_test_score"]
best = search.best_params_["n_components"]
print(f"best n_components by held-out ELBO: {best}")

# %%
# The same folds for probabilistic PCA and factor analysis
# --------------------------------------------------------
# Their ``score`` is the exact held-out log-likelihood.
from sklearn.decomposition import PCA, FactorAnalysis
from sklearn.model_selection import cross_val_score


def cv_scores(make_model):
    scores = [cross_val_score(make_model(k), X, cv=cv) for k in n_components]
    return np.array([s.mean() for s in scores]), np.array([s.std() for s in scores])


pca_mean, pca_std = cv_scores(lambda k: PCA(k))
fa_mean, fa_std = cv_scores(lambda k: FactorAnalysis(k, random_state=0))

print(" k    VAE (ELBO)    PCA    FactorAnalysis   (nats per image)")
for row in zip(n_components, vae_mean, pca_mean, fa_mean, strict=True):
    print("{:2d}  {:9.1f}  {:9.1f}  {:9.1f}".format(*row))

# %%
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6.5, 4.5))
for mean, std, label, style in [
    (vae_mean, vae_std, "VAE: held-out ELBO", "o-"),
    (fa_mean, fa_std, "FactorAnalysis: held-out log-likelihood", "s--"),
    (pca_mean, pca_std, "probabilistic PCA: held-out log-likelihood", "^:"),
]:
    ax.errorbar(n_components, mean, yerr=std, fmt=style, capsize=3, label=label)
ax.axvline(best, color="C0", alpha=0.3, linewidth=6, label="selected by GridSearchCV")
ax.set_xscale("log", base=2)
ax.set_xticks(n_components, [str(k) for k in n_components])
ax.set_xlabel("n_components (size of the latent code)")
ax.set_ylabel("nats per image (higher is better)")
ax.set_title("Held-out likelihood on dequantised digits (3-fold CV)")
ax.legend(loc="lower right", fontsize="small")
fig.tight_layout()
plt.show()

# %%
# Reading the plot
# ----------------
# * **The VAE is far ahead at every size**, even though its score is only a
#   lower bound on its log-likelihood (the exact value is higher still; see
#   ``score_method="iwae"``). Its decoder is non-linear and its variance
#   depends on z, so it can describe pixels whose behaviour depends on the
#   digit drawn.
# * **Factor analysis beats PCA** because it gives each pixel its own noise
#   variance: the border pixels of the digits hardly vary, the central ones
#   vary a lot, and PCA's single isotropic noise level cannot fit both.
# * **The held-out ELBO does not grow for ever.** The linear models keep
#   improving as components are added, but the VAE's curve flattens: beyond a
#   few latent dimensions the extra ones are hardly used, and the grid search
#   picks the size with the best held-out score. Differences smaller than the
#   error bars (the spread over the folds) are not meaningful.
#
# All three scores are in nats per image on the same dequantised data, so they
# are directly comparable; they would not be on differently scaled data (see
# :ref:`model_selection` in the user guide).
