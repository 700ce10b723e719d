"""The AEVB model in plain torch: MLP encoder q(z|x), MLP decoder p(x|z), N(0, I) prior.

Nothing here imports scikit-learn; the module can be trained in any torch loop::

    model = VAE(VAEConfig(n_features=784, likelihood="bernoulli"))
    loss = -model.elbo(x).mean()
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools
import math
from dataclasses import asdict, dataclass

import torch
from torch import nn

from skvae._likelihoods import make_likelihood

_LOG_2PI = math.log(2.0 * math.pi)
_MAX_LOG_SCALE = 20.0

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "identity": nn.Identity,
}


@dataclass
class VAEConfig:
    """Hyperparameters that fix the architecture of a :class:`VAE`."""

    n_features: int
    n_components: int = 2  # latent size
    hidden_layer_sizes: tuple = (256, 128)  # encoder; the decoder mirrors it
    activation: str = "relu"  # one of ACTIVATIONS
    likelihood: str = "gaussian"  # "gaussian" or "bernoulli"
    var_floor: float = 1e-6  # lower bound on the Gaussian decoder's variance
    # "per_sample": the decoder outputs each feature's variance for each z
    # (heteroscedastic); "per_feature": one learned variance per feature
    # (homoscedastic, as in factor analysis). Gaussian likelihood only.
    decoder_variance: str = "per_sample"

    def to_dict(self):
        """The config as a dict of plain Python values (for safe serialisation)."""
        d = asdict(self)
        d["hidden_layer_sizes"] = [int(h) for h in self.hidden_layer_sizes]
        return d


def mlp(sizes, activation):
    """Linear layers with ``activation`` between them (none after the last)."""
    layers = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)


def gaussian_kl(loc, log_scale):
    """KL(N(loc, exp(log_scale)^2) || N(0, 1)) per dimension, in closed form.

    Kingma & Welling (2013), Appendix B:
    ``-KL = 0.5 * (1 + log sigma^2 - mu^2 - sigma^2)``.
    """
    return 0.5 * (loc.square() + torch.exp(2.0 * log_scale) - 1.0) - log_scale


def standard_normal_log_prob(z):
    """log N(z; 0, I) per dimension."""
    return -0.5 * (z.square() + _LOG_2PI)


def log_mean_exp(x, dim=0):
    """log(mean(exp(x))) along ``dim``, computed stably with logsumexp."""
    return torch.logsumexp(x, dim=dim) - math.log(x.shape[dim])


class VAE(nn.Module):
    """A variational autoencoder trained with the SGVB estimator (AEVB).

    Parameters
    ----------
    config : VAEConfig
        The architecture.
    generator : torch.Generator, optional
        Source of the initial weights. Without one, the weights come from torch's
        global generator, like any ``nn.Module``; with one, the global generator
        is never touched.
    device, dtype : optional
        Where and in which precision to create the parameters.
    """

    def __init__(self, config, *, generator=None, device=None, dtype=None):
        super().__init__()
        self.config = config
        self.likelihood = make_likelihood(config.likelihood, config.var_floor)
        hidden = list(config.hidden_layer_sizes)
        k = config.n_components
        d = config.n_features
        # Build on the meta device (no memory, no random numbers), then allocate
        # and initialise explicitly from ``generator``.
        self._shared_variance = (
            config.likelihood == "gaussian" and config.decoder_variance == "per_feature"
        )
        n_out = d if self._shared_variance else self.likelihood.n_params * d
        with torch.device("meta"):
            self.encoder = mlp([d, *hidden, 2 * k], config.activation)
            self.decoder = mlp([k, *hidden[::-1], n_out], config.activation)
            if self._shared_variance:
                # softplus(raw) + floor is the variance; starts near 1
                self.raw_variance = nn.Parameter(torch.empty(d))
        self.to_empty(device=device or "cpu")
        if dtype is not None:
            self.to(dtype)
        self.reset_parameters(generator)

    @torch.no_grad()
    def reset_parameters(self, generator=None):
        """Initialise every Linear layer as torch does, drawing from ``generator``."""
        if self._shared_variance:
            self.raw_variance.fill_(math.log(math.e - 1.0))
        for module in self.modules():
            if isinstance(module, nn.Linear):
                # torch's default: kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(fan_in), .)
                bound = 1.0 / math.sqrt(module.in_features)
                nn.init.uniform_(module.weight, -bound, bound, generator=generator)
                nn.init.uniform_(module.bias, -bound, bound, generator=generator)

    def encode(self, x):
        """Parameters of q(z | x): the mean and the log standard deviation."""
        # .to(x.dtype): under autocast the network may run in bfloat16; the
        # distributions' parameters come back in the data's precision.
        loc, log_scale = self.encoder(x).to(x.dtype).chunk(2, dim=-1)
        # sigma in [2e-9, 5e8]: far beyond any useful posterior, but it keeps
        # exp() finite for inputs far outside the training data.
        return loc, log_scale.clamp(-_MAX_LOG_SCALE, _MAX_LOG_SCALE)

    def decode(self, z):
        """The decoder's raw output: the likelihood's parameters for p(x | z)."""
        out = self.decoder(z)
        if self._shared_variance:
            out = torch.cat([out, self.raw_variance.to(out.dtype).expand_as(out)], -1)
        return out

    def decode_mean(self, z):
        """E[x | z], the decoder's mean in data space."""
        return self.likelihood.mean(self.decode(z))

    def _noise(self, shape, generator, like):
        return torch.randn(
            shape, generator=generator, device=like.device, dtype=like.dtype
        )

    def elbo(self, x, *, n_samples=1, eps=None, generator=None, beta=1.0):
        """The evidence lower bound per sample, in nats.

        ``E_q[log p(x|z)] - beta * KL(q(z|x) || p(z))`` with the expectation
        estimated by ``n_samples`` reparameterised draws ``z = mu + sigma * eps``
        and the KL term in closed form.

        Parameters
        ----------
        x : Tensor of shape (n, n_features)
        n_samples : int
            Monte Carlo draws per sample (ignored when ``eps`` is given).
        eps : Tensor of shape (n_samples, n or 1, n_components), optional
            Standard normal noise to use. A leading shape of ``(S, 1, k)`` shares
            the same draws across rows ("common random numbers"), which makes the
            result of each row independent of the other rows in the batch.
        generator : torch.Generator, optional
            Source of ``eps`` when it is not given.
        beta : float
            Weight of the KL term (1.0 is the ELBO; other values give beta-VAE).

        Returns
        -------
        Tensor of shape (n,)
        """
        rec, kl = self._elbo_terms(x, n_samples, eps, generator)
        return rec.sum(-1) - beta * kl

    def _elbo_terms(self, x, n_samples, eps, generator):
        loc, log_scale = self.encode(x)
        if eps is None:
            eps = self._noise((n_samples, *loc.shape), generator, loc)
        z = loc + torch.exp(log_scale) * eps
        out = self.decode(z).to(x.dtype)
        rec = self.likelihood.log_prob(out, x).mean(0)  # (n, d)
        kl = gaussian_kl(loc, log_scale).sum(-1)
        return rec, kl

    def elbo_per_feature(self, x, *, n_samples=1, eps=None, generator=None):
        """E_q[log p(x_j | z)] per feature and the KL term per sample.

        The reconstruction term factorises over features; summing the returned
        ``(n, n_features)`` array and subtracting the ``(n,)`` KL gives :meth:`elbo`.
        """
        return self._elbo_terms(x, n_samples, eps, generator)

    def log_marginal_likelihood(
        self, x, *, n_samples=100, eps=None, generator=None, chunk_size=None
    ):
        """Importance-weighted estimate of log p(x) per sample (Burda et al., 2016).

        ``log (1/K) sum_k p(x, z_k) / q(z_k | x)`` with ``z_k ~ q(z | x)``. It is a
        lower bound on log p(x) in expectation, equals the ELBO's estimator for
        K = 1 and tightens as K grows. Draws are processed ``chunk_size`` at a
        time and combined with a running logsumexp, so memory does not grow with K.

        Parameters
        ----------
        x : Tensor of shape (n, n_features)
        n_samples : int
            The number K of importance samples (ignored when ``eps`` is given).
        eps : Tensor of shape (K, n or 1, n_components), optional
            Standard normal noise; see :meth:`elbo`.
        generator : torch.Generator, optional
        chunk_size : int, optional
            Importance samples per chunk; default all at once up to 2**22 numbers.

        Returns
        -------
        Tensor of shape (n,)
        """
        loc, log_scale = self.encode(x)
        if eps is None:
            eps = self._noise((n_samples, 1, loc.shape[-1]), generator, loc)
        n_draws = eps.shape[0]
        if chunk_size is None:
            per_draw = x.shape[0] * self.likelihood.n_params * self.config.n_features
            chunk_size = max(1, min(n_draws, 2**22 // max(per_draw, 1)))
        scale = torch.exp(log_scale)
        log_q_const = log_scale.sum(-1)
        acc = None
        for start in range(0, n_draws, chunk_size):
            e = eps[start : start + chunk_size]
            z = loc + scale * e
            log_px_z = self.likelihood.log_prob(self.decode(z), x).sum(-1)
            log_pz = standard_normal_log_prob(z).sum(-1)
            log_qz = standard_normal_log_prob(e).sum(-1) - log_q_const
            lse = torch.logsumexp(log_px_z + log_pz - log_qz, dim=0)
            acc = lse if acc is None else torch.logaddexp(acc, lse)
        return acc - math.log(n_draws)

    @torch.no_grad()
    def sample(self, n_samples, *, generator=None, mean=True):
        """Ancestral sampling: z ~ N(0, I), then E[x | z] or a draw x ~ p(x | z)."""
        p = next(self.parameters())
        z = torch.randn(
            (n_samples, self.config.n_components),
            generator=generator,
            device=p.device,
            dtype=p.dtype,
        )
        out = self.decode(z)
        if mean:
            return self.likelihood.mean(out)
        return self.likelihood.sample(out, generator=generator)

    def forward(self, x, generator=None):
        """The per-sample ELBO of ``x`` with one draw (the training objective)."""
        return self.elbo(x, generator=generator)
