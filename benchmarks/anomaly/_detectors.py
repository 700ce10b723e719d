"""The detectors of anomaly.py, each as (make, anomaly score).

Every entry of :func:`methods` is a pair: ``make()`` returns an unfitted model
with a ``fit(X)`` method, ``anomaly(model, X)`` the scores of a fitted one,
higher = more anomalous.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor, NearestNeighbors

from skvae import VAEOutlierDetector


def _n_pca(d):
    return max(1, min(16, math.ceil(d / 2)))


class PCAReconstruction:
    """Anomaly score = squared reconstruction error of PCA (higher = anomalous)."""

    def __init__(self, n_components):
        self.pca = PCA(n_components)

    def fit(self, X):
        self.pca.fit(X)
        return self

    def anomaly(self, X):
        rec = self.pca.inverse_transform(self.pca.transform(X))
        return ((X - rec) ** 2).sum(axis=1)


class KNNDistance:
    """Anomaly score = distance to the k-th nearest training row."""

    def __init__(self, n_neighbors=5):
        self.n_neighbors = n_neighbors

    def fit(self, X):
        self.nn = NearestNeighbors(n_neighbors=min(self.n_neighbors, len(X))).fit(X)
        return self

    def anomaly(self, X):
        return self.nn.kneighbors(X)[0][:, -1]


class PlainVAE:
    """The plain-VAE reference of issue #17, in plain torch.

    One tanh hidden layer of min(128, max(32, 2d)) units in encoder and
    decoder, latent size max(2, min(16, d // 4)), a Gaussian decoder with one
    learned variance per feature, Adam at 1e-3, batch 128, 150 epochs, no
    early stopping; the anomaly score is minus the ELBO averaged over 32
    fixed draws.
    """

    def __init__(self, seed=0, epochs=150, batch_size=128, n_draws=32):
        self.seed, self.epochs = seed, epochs
        self.batch_size, self.n_draws = batch_size, n_draws

    def fit(self, X):
        torch.manual_seed(self.seed)
        d = X.shape[1]
        h, self.k = min(128, max(32, 2 * d)), max(2, min(16, d // 4))
        nn = torch.nn
        self.encoder = nn.Sequential(
            nn.Linear(d, h), nn.Tanh(), nn.Linear(h, 2 * self.k)
        )
        self.decoder = nn.Sequential(nn.Linear(self.k, h), nn.Tanh(), nn.Linear(h, d))
        self.log_var = nn.Parameter(torch.zeros(d))
        params = [*self.encoder.parameters(), *self.decoder.parameters(), self.log_var]
        opt = torch.optim.Adam(params, lr=1e-3)
        x = torch.as_tensor(X, dtype=torch.float32)
        gen = torch.Generator().manual_seed(self.seed)
        for _ in range(self.epochs):
            for idx in torch.randperm(len(x), generator=gen).split(self.batch_size):
                loss = -self._elbo(x[idx], torch.randn(len(idx), self.k, generator=gen))
                opt.zero_grad()
                loss.mean().backward()
                opt.step()
        return self

    def _elbo(self, x, eps):
        loc, log_scale = self.encoder(x).chunk(2, dim=-1)
        z = loc + log_scale.exp() * eps
        mean = self.decoder(z)
        log_lik = -0.5 * (
            (x - mean).square() / self.log_var.exp()
            + self.log_var
            + math.log(2 * math.pi)
        ).sum(-1)
        kl = 0.5 * (loc.square() + (2 * log_scale).exp() - 1 - 2 * log_scale).sum(-1)
        return log_lik - kl

    @torch.no_grad()
    def anomaly(self, X):
        gen = torch.Generator().manual_seed(12345)
        out = []
        for chunk in torch.as_tensor(X, dtype=torch.float32).split(4096):
            draws = [
                self._elbo(chunk, torch.randn(len(chunk), self.k, generator=gen))
                for _ in range(self.n_draws)
            ]
            out.append(-torch.stack(draws).mean(0))
        return torch.cat(out).numpy()


def _ecod():
    try:
        from pyod.models.ecod import ECOD  # the optional `bench` extra
    except ImportError:
        return {}
    return {"ECOD": (ECOD, lambda m, X: m.decision_function(X))}


def methods(d, seed, params=None):
    """name -> (make, anomaly score of a fitted model); higher = more anomalous.

    ``params`` are keyword arguments for skvae's detector (default: none).
    """
    params = params or {}

    def own(m, X):
        return m.anomaly(X)

    def minus_score(m, X):
        return -m.score_samples(X)

    return {
        "skvae": (
            lambda: VAEOutlierDetector(**{"random_state": seed, **params}),
            minus_score,
        ),
        "plain VAE": (lambda: PlainVAE(seed), own),
        "IsolationForest": (lambda: IsolationForest(random_state=seed), minus_score),
        "LOF": (lambda: LocalOutlierFactor(novelty=True), minus_score),
        "kNN": (KNNDistance, own),
        "PCA recon": (lambda: PCAReconstruction(_n_pca(d)), own),
        "PCA score": (lambda: PCA(_n_pca(d)), minus_score),
        **_ecod(),
    }
