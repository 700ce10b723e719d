"""The AEVB model in plain torch: MLP encoder q(z|x), MLP decoder p(x|z), N(0, I) prior.

Nothing here imports scikit-learn; the module can be trained in any torch loop::

    model = VAE(VAEConfig(n_features=784, likelihood="bernoulli"))
    loss = -model.elbo(x).mean()
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from torch import nn

from skvae._buffers import FeatureBuffers

# VAEConfig is imported here too: pickles of skvae 0.1.0 name skvae._model.VAEConfig.
from skvae._config import VAEConfig, mlp  # noqa: F401
from skvae._docs import fill
from skvae._heterogeneous import build_likelihood
from skvae._importance import ImportanceSampling
from skvae._priors import gaussian_kl, standard_normal_log_prob

_MAX_LOG_SCALE = 20.0


@fill
class VAE(FeatureBuffers, ImportanceSampling, nn.Module):
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

    Attributes
    ----------
    config : VAEConfig
        The architecture.

    likelihood : Likelihood
        The observation model p(x | z), built from ``config.likelihood``.

    encoder : torch.nn.Sequential
        The recognition MLP; it outputs the mean and the log standard deviation
        of q(z | x).

    decoder : torch.nn.Sequential
        The generative MLP; it outputs the likelihood's parameters.

    input_fill : Tensor of shape (n_features,)
        A buffer: the value a missing entry of x takes at the encoder's input,
        zeros unless set (the estimators set the training data's column means).

    var_floor : Tensor of shape (n_features,)
        A buffer: each feature's variance floor under a likelihood with a
        scale, ``config.var_floor`` unless set with :meth:`set_var_floor`.

    fixed_variance : Tensor of shape (n_features,)
        A buffer: a variance that replaces the decoder's for every z, or 0
        where the decoder's own is used (all 0 unless set with
        :meth:`set_fixed_variance`).

    See Also
    --------
    VAETransformer : The scikit-learn estimator that trains a VAE.

    Notes
    -----
    NaN marks a missing entry of x everywhere. The likelihood of a row is that
    of its observed entries (the mask of MIWAE, Mattei & Frellsen, 2019): the
    ELBO, the importance-weighted bound and :meth:`impute` condition on the
    observed part only, and the encoder sees the missing entries as
    ``input_fill``.

    Examples
    --------
    Train the module in a plain torch loop by maximising the ELBO:

    {model_and_data}
    >>> optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    >>> generator = torch.Generator().manual_seed(0)
    >>> for epoch in range(5):
    ...     optimizer.zero_grad()
    ...     loss = -model(x, generator).mean()
    ...     loss.backward()
    ...     optimizer.step()
    >>> loc, log_scale = model.encode(x)
    >>> loc.shape
    torch.Size([50, 2])
    >>> model.sample(3, generator=generator).shape
    torch.Size([3, 4])
    """

    def __init__(self, config, *, generator=None, device=None, dtype=None):
        super().__init__()
        self.config = config
        self.likelihood = build_likelihood(config.likelihood, config.var_floor)
        hidden = list(config.hidden_layer_sizes)
        k = config.n_components
        d = config.n_features
        # Build on the meta device (no memory, no random numbers), then allocate
        # and initialise explicitly from ``generator``.
        self._shared_variance = (
            self.likelihood.has_scale and config.decoder_variance == "per_feature"
        )
        if self._shared_variance and isinstance(config.likelihood, (list, tuple)):
            raise ValueError(
                "decoder_variance='per_feature' needs one likelihood for all "
                "features; a per-column likelihood uses 'per_sample'."
            )
        lik = self.likelihood
        # blocks of d outputs that are per-feature parameters, not decoder outputs
        n_shared = lik.n_shared + self._shared_variance
        n_out = lik.n_outputs(d) - n_shared * d
        n_in = lik.n_inputs(d)
        with torch.device("meta"):
            self.encoder = mlp([n_in, *hidden, 2 * k], config.activation)
            self.decoder = mlp([k, *hidden[::-1], n_out], config.activation)
            if self._shared_variance:
                # softplus(raw) + floor is the variance; starts near 1
                self.raw_variance = nn.Parameter(torch.empty(d))
            if lik.n_shared:
                # the Student-t's degrees of freedom, one per feature
                self.raw_df = nn.Parameter(torch.empty(d))
            self._register_feature_buffers(d, n_in)
        self.to_empty(device=device or "cpu")
        if dtype is not None:
            self.to(dtype)
        self._reset_feature_buffers()
        self.reset_parameters(generator)

    @fill
    @torch.no_grad()
    def reset_parameters(self, generator=None):
        """Initialise every Linear layer as torch does, drawing from ``generator``.

        Weights and biases are drawn from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``,
        torch's default for ``nn.Linear``; a per-feature decoder variance is reset
        to 1 (approximately).

        Parameters
        ----------
        generator : torch.Generator, optional
            Source of the weights; by default torch's global generator.

        Examples
        --------
        {model}
        >>> model.reset_parameters(torch.Generator().manual_seed(1))
        >>> fresh = VAE(config, generator=torch.Generator().manual_seed(1))
        >>> torch.equal(model.encoder[0].weight, fresh.encoder[0].weight)
        True
        """
        if self._shared_variance:
            self.raw_variance.fill_(math.log(math.e - 1.0))
        if self.likelihood.n_shared:
            lik = self.likelihood
            self.raw_df.fill_(math.log(lik.DF_INIT) / lik.DF_RATE)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                # torch's default: kaiming_uniform(a=sqrt(5)) == U(-1/sqrt(fan_in), .)
                bound = 1.0 / math.sqrt(module.in_features)
                nn.init.uniform_(module.weight, -bound, bound, generator=generator)
                nn.init.uniform_(module.bias, -bound, bound, generator=generator)

    @fill
    def encode(self, x):
        """Compute the parameters of q(z | x): the mean and the log standard deviation.

        A missing entry (NaN) enters the encoder at ``input_fill``, and the
        deviations of the row's observed entries from ``input_fill`` are
        scaled by ``n_features / n_observed`` (inverted dropout), so that rows
        with and without holes reach the encoder at the same expected size.
        A complete row is encoded as it is.

        {x_tensor}

        Returns
        -------
        loc : Tensor of shape (n, n_components)
            The mean of q(z | x) for each row of ``x``.

        log_scale : Tensor of shape (n, n_components)
            The log standard deviation of q(z | x), clamped to [-20, 20].

        Examples
        --------
        {model_and_data}
        >>> loc, log_scale = model.encode(x)
        >>> loc.shape, log_scale.shape
        (torch.Size([50, 2]), torch.Size([50, 2]))
        """
        return self._encode(*self.observed(x))

    @fill
    def observed(self, x):
        """``x`` with its missing entries (NaN) set to ``input_fill``, and the mask.

        {x_tensor}

        Returns
        -------
        x_in : Tensor of the shape of ``x``
            ``x`` with its holes at ``input_fill``: the likelihood's input,
            and the encoder's once :meth:`encode` has rescaled a row with
            holes.
        mask : Tensor of bool of the shape of ``x``
            True where ``x`` is observed.

        Examples
        --------
        {model_and_data}
        >>> x_holes = x.clone()
        >>> x_holes[0, 1] = float("nan")
        >>> x_in, mask = model.observed(x_holes)
        >>> float(x_in[0, 1]), bool(mask[0, 1]), bool(mask[1:].all())
        (0.0, False, True)
        """
        mask = ~torch.isnan(x)
        return torch.where(mask, x, self.input_fill.to(x.dtype)), mask

    def _log_prob(self, out, x_in, mask):
        """Per-feature log p(x_j | z), 0 for the missing entries."""
        return torch.where(mask, self.likelihood.log_prob(out, x_in), 0.0)

    def _encoder_input(self, x_in):
        if not self.likelihood.transforms_input:
            return x_in
        return (self.likelihood.features(x_in) - self.feature_loc) / self.feature_scale

    def _encode(self, x_in, mask=None):
        h = self._encoder_input(x_in)
        if mask is not None:
            # Inverted dropout: a row's deviation from the holes' input is
            # scaled by d / (its observed count), so that rows with and
            # without holes reach the first layer at the same expected size
            # (an encoder trained on rows with holes then encodes complete
            # rows as it should, and vice versa). A complete row: factor 1.
            hole = self._encoder_input(self.input_fill.to(x_in.dtype)[None])
            count = mask.sum(-1, keepdim=True).to(h.dtype)
            h = h + (h - hole) * (mask.shape[-1] / count - 1.0)
        # .to(x.dtype): under autocast the network may run in bfloat16; the
        # distributions' parameters come back in the data's precision.
        loc, log_scale = self.encoder(h).to(x_in.dtype).chunk(2, dim=-1)
        # sigma in [2e-9, 5e8]: far beyond any useful posterior, but it keeps
        # exp() finite for inputs far outside the training data.
        return loc, log_scale.clamp(-_MAX_LOG_SCALE, _MAX_LOG_SCALE)

    @fill
    def decode(self, z):
        """Compute the decoder's raw output: the likelihood's parameters for p(x | z).

        {z_codes}

        Returns
        -------
        out : Tensor of shape (..., n_params * n_features)
            The parameters of p(x | z), unconstrained: the Bernoulli logits
            (``n_params=1``), or the Gaussian means followed by the raw variances
            (``n_params=2``, variance ``softplus(raw) + var_floor``).

        Examples
        --------
        {model}
        >>> z = torch.zeros(3, 2)
        >>> model.decode(z).shape  # a mean and a variance for each of 4 features
        torch.Size([3, 8])
        """
        out = self.decoder(z)
        shared = [self.raw_variance] if self._shared_variance else []
        if self.likelihood.n_shared:
            shared.append(self.raw_df)
        if not shared:
            return out
        size = (*out.shape[:-1], self.config.n_features)
        return torch.cat([out, *(p.to(out.dtype).expand(size) for p in shared)], -1)

    @fill
    def decode_mean(self, z):
        """Compute E[x | z], the decoder's mean in data space.

        {z_codes}

        Returns
        -------
        mean : Tensor of shape (..., n_features)
            The mean of p(x | z) for each code.

        Examples
        --------
        {model}
        >>> z = torch.zeros(3, 2)
        >>> model.decode_mean(z).shape
        torch.Size([3, 4])
        """
        return self.likelihood.mean(self.decode(z))

    def _noise(self, shape, generator, like):
        return torch.randn(
            shape, generator=generator, device=like.device, dtype=like.dtype
        )

    @fill
    def elbo(self, x, *, n_samples=1, eps=None, generator=None, beta=1.0, prior=None):
        """Compute the evidence lower bound per sample, in nats.

        ``E_q[log p(x|z)] - beta * KL(q(z|x) || p(z))`` with the expectation
        estimated by ``n_samples`` reparameterised draws ``z = mu + sigma * eps``
        and the KL term in closed form (for the N(0, I) prior; with another
        ``prior`` it is estimated from the same draws).

        {x_tensor}
        {mc_draws}
        eps : Tensor of shape (n_samples, n or 1, n_components), optional
            Standard normal noise to use. A leading shape of ``(S, 1, k)`` shares
            the same draws across rows ("common random numbers"), which makes the
            result of each row independent of the other rows in the batch.
        {noise_source}
        beta : float, default=1.0
            Weight of the KL term (1.0 is the ELBO; other values give beta-VAE).
        {prior_param}

        Returns
        -------
        elbo : Tensor of shape (n,)
            The ELBO of each row of ``x``, in nats (differentiable).

        Examples
        --------
        {model_and_data}
        >>> generator = torch.Generator().manual_seed(0)
        >>> model.elbo(x, n_samples=10, generator=generator).shape
        torch.Size([50])
        """
        rec, kl = self._elbo_terms(x, n_samples, eps, generator, prior)
        return rec.sum(-1) - beta * kl

    def _elbo_terms(self, x, n_samples, eps, generator, prior):
        x_in, mask = self.observed(x)
        loc, log_scale = self._encode(x_in, mask)
        if eps is None:
            eps = self._noise((n_samples, *loc.shape), generator, loc)
        z = loc + torch.exp(log_scale) * eps
        out = self.decode(z).to(x.dtype)
        rec = self._log_prob(out, x_in, mask).mean(0)  # (n, d)
        if prior is None:
            kl = gaussian_kl(loc, log_scale).sum(-1)
        else:  # E_q[log q(z|x) - log p(z)] from the same draws
            log_q = standard_normal_log_prob(eps).sum(-1) - log_scale.sum(-1)
            kl = (log_q - prior.log_prob(z)).mean(0)
        return rec, kl

    @fill
    def elbo_per_feature(self, x, *, n_samples=1, eps=None, generator=None, prior=None):
        """Compute E_q[log p(x_j | z)] per feature and the KL term per sample.

        The reconstruction term factorises over features; summing the returned
        ``(n, n_features)`` array and subtracting the ``(n,)`` KL gives :meth:`elbo`.

        {x_tensor}
        {mc_draws}
        eps : Tensor of shape (n_samples, n or 1, n_components), optional
            Standard normal noise to use; see :meth:`elbo`.
        {noise_source}
        {prior_param}

        Returns
        -------
        reconstruction : Tensor of shape (n, n_features)
            The expected log-likelihood of each feature of each row, in nats.
        kl : Tensor of shape (n,)
            ``KL(q(z|x) || p(z))`` of each row, in nats (a Monte Carlo
            estimate when ``prior`` is given).

        Examples
        --------
        {model_and_data}
        >>> eps = torch.randn(10, 1, 2, generator=torch.Generator().manual_seed(0))
        >>> reconstruction, kl = model.elbo_per_feature(x, eps=eps)
        >>> reconstruction.shape, kl.shape
        (torch.Size([50, 4]), torch.Size([50]))
        >>> torch.allclose(reconstruction.sum(-1) - kl, model.elbo(x, eps=eps))
        True
        """
        return self._elbo_terms(x, n_samples, eps, generator, prior)

    @fill
    @torch.no_grad()
    def sample(self, n_samples, *, generator=None, mean=True):
        """Generate data by ancestral sampling: z ~ N(0, I), then x from p(x | z).

        Parameters
        ----------
        n_samples : int
            Number of samples to generate.
        generator : torch.Generator, optional
            Source of the draws; by default torch's global generator.
        mean : bool, default=True
            Return the decoder's mean E[x | z] for each z. If False, draw
            x ~ p(x | z).

        Returns
        -------
        x : Tensor of shape (n_samples, n_features)
            The generated samples, in the model's dtype and on its device.

        Examples
        --------
        {model}
        >>> generator = torch.Generator().manual_seed(0)
        >>> model.sample(3, generator=generator).shape
        torch.Size([3, 4])
        >>> model.sample(3, generator=generator, mean=False).shape
        torch.Size([3, 4])
        """
        p = next(self.parameters())
        z = torch.randn(
            (n_samples, self.config.n_components),
            generator=generator,
            device=p.device,
            dtype=p.dtype,
        )
        return self.generate(z, generator=generator, mean=mean)

    @fill
    @torch.no_grad()
    def generate(self, z, *, generator=None, mean=True):
        """Generate data from given codes: E[x | z], or a draw x ~ p(x | z).

        Parameters
        ----------
        z : Tensor of shape (n, n_components)
            Latent codes, for example draws from the prior.
        generator : torch.Generator, optional
            Source of the draws of x when ``mean=False``.
        mean : bool, default=True
            Return the decoder's mean; if False, a draw from p(x | z).

        Returns
        -------
        x : Tensor of shape (n, n_features)
            One sample for each code.

        Examples
        --------
        {model}
        >>> z = torch.zeros(3, 2)
        >>> torch.equal(model.generate(z), model.decode_mean(z))
        True
        """
        out = self.decode(z)
        if mean:
            return self.likelihood.mean(out)
        return self.likelihood.sample(out, generator=generator)

    @fill
    def forward(self, x, generator=None):
        """Compute the per-sample ELBO of ``x`` with one draw (the training objective).

        {x_tensor}
        generator : torch.Generator, optional
            Source of the reparameterisation noise.

        Returns
        -------
        elbo : Tensor of shape (n,)
            The single-draw ELBO of each row, in nats; maximise its mean.

        Examples
        --------
        {model_and_data}
        >>> loss = -model(x, torch.Generator().manual_seed(0)).mean()
        >>> loss.backward()
        >>> model.encoder[0].weight.grad.shape
        torch.Size([8, 4])
        """
        return self.elbo(x, generator=generator)
