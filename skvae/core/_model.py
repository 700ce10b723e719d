"""The AEVB model in plain torch: MLP encoder q(z|x), MLP decoder p(x|z), N(0, I) prior.

Nothing here imports scikit-learn; the module can be trained in any torch loop::

    model = VAE(VAEConfig(n_features=784, likelihood="bernoulli"))
    loss = -model(x).mean()  # the ELBO with one draw

The bounds are functions of a model, as pyro writes inference: the ELBO in
:mod:`skvae.core._objectives`, the importance-weighted bound and imputation in
:mod:`skvae.core._importance`; so is its set-up from data
(:mod:`skvae.core._marginals`).
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import torch
from torch import nn

from skvae.core._config import mlp
from skvae.core._docs import fill
from skvae.core._objectives import elbo
from skvae.core._utils import DTYPES, make_generator
from skvae.core.likelihoods._registry import build_likelihood

_MAX_LOG_SCALE = 20.0


@fill
class VAE(nn.Module):
    """A variational autoencoder trained with the SGVB estimator (AEVB).

    Parameters
    ----------
    config : VAEConfig
        The architecture.
    likelihood : Likelihood, optional
        The observation model, built from ``config.likelihood`` (which it must
        match); by default built here. It becomes the module's
        ``likelihood`` child.
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
        The observation model p(x | z), built from ``config.likelihood``; it
        holds its own per-feature state (variance floor, fixed variance,
        degrees of freedom).

    encoder : torch.nn.Sequential
        The recognition MLP; it outputs the mean and the log standard deviation
        of q(z | x).

    decoder : torch.nn.Sequential
        The generative MLP; it outputs the likelihood's parameters.

    input_fill : Tensor of shape (n_features,)
        A buffer: the value a missing entry of x takes at the encoder's input,
        zeros unless set (the estimators set the training data's column means).

    See Also
    --------
    VAETransformer : The scikit-learn estimator that trains a VAE.

    Notes
    -----
    NaN marks a missing entry of x everywhere. The likelihood of a row is that
    of its observed entries (the mask of MIWAE, Mattei & Frellsen, 2019): the
    ELBO, the importance-weighted bound and imputation
    (:func:`~skvae.core.log_marginal_likelihood`, :func:`~skvae.core.impute`)
    condition on the observed part only, and the encoder sees the missing
    entries as ``input_fill``.

    Examples
    --------
    Train the module in a plain torch loop by maximising the ELBO (its
    ``forward``, see :func:`~skvae.core.elbo`):

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

    def __init__(
        self, config, *, likelihood=None, generator=None, device=None, dtype=None
    ):
        super().__init__()
        self.config = config
        k, d = config.n_components, config.n_features
        device = torch.device(device or "cpu")
        if likelihood is None:
            likelihood = build_likelihood(config.likelihood, d, config.var_floor)
        # the first child: its parameters (a Student-t's degrees of freedom)
        # come right after the module's own, before the networks'
        self.likelihood = likelihood.to(device)
        self._shared_variance = (
            likelihood.has_scale and config.decoder_variance == "per_feature"
        )
        if self._shared_variance and not isinstance(config.likelihood, str):
            raise ValueError(
                "decoder_variance='per_feature' needs one likelihood for all "
                "features; a per-column likelihood uses 'per_sample'."
            )
        hidden = list(config.hidden_layer_sizes)
        # the decoder's share of the likelihood's outputs: a per-feature
        # variance is a parameter of the model instead
        n_out = likelihood.n_outputs - self._shared_variance * d
        # Build the networks on the meta device (no memory, no random
        # numbers), then allocate and initialise explicitly from ``generator``.
        with torch.device("meta"):
            self.encoder = mlp([likelihood.n_inputs, *hidden, 2 * k], config.activation)
            self.decoder = mlp([k, *hidden[::-1], n_out], config.activation)
        self.encoder.to_empty(device=device)
        self.decoder.to_empty(device=device)
        if self._shared_variance:
            # softplus(raw) + floor is the variance; starts near 1
            self.raw_variance = nn.Parameter(torch.empty(d, device=device))
        # what a missing entry (NaN) of x becomes at the encoder's input
        self.register_buffer("input_fill", torch.empty(d, device=device))
        if likelihood.transforms_input:
            # the encoder sees (features(x) - feature_loc) / feature_scale
            n_in = likelihood.n_inputs
            self.register_buffer("feature_loc", torch.empty(n_in, device=device))
            self.register_buffer("feature_scale", torch.empty(n_in, device=device))
        if dtype is not None:
            self.to(dtype)
        self.reset_buffers()
        self.reset_parameters(generator)

    @fill
    @torch.no_grad()
    def reset_buffers(self):
        """Set the per-feature state to its defaults.

        ``input_fill`` to 0, the variance floor to ``config.var_floor``, no
        fixed variance, and the encoder's input normalisation to the
        identity.

        Examples
        --------
        {model}
        >>> model.likelihood.set_var_floor(0.5)
        >>> model.reset_buffers()
        >>> model.likelihood.variance_floor()
        tensor([1.0000e-06, 1.0000e-06, 1.0000e-06, 1.0000e-06])
        """
        self.input_fill.zero_()
        self.likelihood.set_var_floor(self.config.var_floor)
        self.likelihood.set_fixed_variance(None)
        if self.likelihood.transforms_input:
            self.feature_loc.zero_()
            self.feature_scale.fill_(1.0)

    @fill
    @torch.no_grad()
    def reset_parameters(self, generator=None):
        """Initialise every Linear layer as torch does, drawing from ``generator``.

        Weights and biases are drawn from ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``,
        torch's default for ``nn.Linear``; a per-feature decoder variance is reset
        to 1 (approximately), and the likelihood's own parameters to theirs.

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
        self.likelihood.reset_parameters()
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
        A complete row is encoded as it is. A row with nothing observed gets
        the prior N(0, I) itself: with no evidence the posterior is the prior.

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
            # a row with nothing observed is the hole itself: any factor
            count = mask.sum(-1, keepdim=True).clamp_min(1).to(h.dtype)
            h = h + (h - hole) * (mask.shape[-1] / count - 1.0)
        # .to(x.dtype): under autocast the network may run in bfloat16; the
        # distributions' parameters come back in the data's precision.
        loc, log_scale = self.encoder(h).to(x_in.dtype).chunk(2, dim=-1)
        # sigma in [2e-9, 5e8]: far beyond any useful posterior, but it keeps
        # exp() finite for inputs far outside the training data.
        log_scale = log_scale.clamp(-_MAX_LOG_SCALE, _MAX_LOG_SCALE)
        if mask is not None:
            # nothing observed: p(z | x) = p(z) exactly, whatever the encoder
            # learned (its ELBO is then 0 = log p(nothing), its weights 1)
            nothing = ~mask.any(-1, keepdim=True)
            loc, log_scale = (
                loc.masked_fill(nothing, 0.0),
                log_scale.masked_fill(nothing, 0.0),
            )
        return loc, log_scale

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
        if not self._shared_variance:
            return out
        size = (*out.shape[:-1], self.config.n_features)
        return torch.cat([out, self.raw_variance.to(out.dtype).expand(size)], -1)

    def _noise(self, shape, generator, like):
        return torch.randn(
            shape, generator=generator, device=like.device, dtype=like.dtype
        )

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
        >>> torch.equal(model.generate(z), model.likelihood.mean(model.decode(z)))
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
        return elbo(self, x, generator=generator)


def build_model(config, *, likelihood=None, seed=0, device="cpu", dtype="float32"):
    """A new :class:`VAE` with initial weights drawn from ``seed``, on ``device``.

    The weights come from a CPU generator, so they are the same on every
    device; ``dtype`` is "float32" or "float64".
    """
    model = VAE(
        config,
        likelihood=likelihood,
        generator=make_generator(seed, "cpu"),
        dtype=DTYPES[dtype],
    )
    return model.to(device)
