"""The per-feature buffers of :class:`~skvae.VAE` and the state plumbing they need.

``input_fill`` (what a hole becomes at the encoder's input), ``var_floor`` and
``fixed_variance`` (bound into the likelihood, which reads them), and the
encoder's input normalisation ``feature_loc`` / ``feature_scale`` of a
likelihood that transforms its input. No scikit-learn here.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import torch


class FeatureBuffers:
    """Mixin of :class:`~skvae.VAE`: its per-feature buffers.

    It uses the model's ``config``, ``likelihood``, ``decoder`` and
    ``_shared_variance``.
    """

    def _register_feature_buffers(self, d, n_in):
        # what a missing entry (NaN) of x becomes at the encoder's input
        self.register_buffer("input_fill", torch.empty(d))
        self.register_buffer("var_floor", torch.empty(d))
        self.register_buffer("fixed_variance", torch.empty(d))
        if self.likelihood.transforms_input:
            # the encoder sees (features(x) - feature_loc) / feature_scale
            self.register_buffer("feature_loc", torch.empty(n_in))
            self.register_buffer("feature_scale", torch.empty(n_in))

    def _reset_feature_buffers(self):
        self.input_fill.zero_()
        self.fixed_variance.zero_()
        self.set_var_floor(self.config.var_floor)
        if self.likelihood.transforms_input:
            self.feature_loc.zero_()
            self.feature_scale.fill_(1.0)

    def __setstate__(self, state):
        super().__setstate__(state)
        if "input_fill" not in self._buffers:  # pickled by skvae 0.1.0: zeros
            p = next(self.parameters())
            fill = torch.zeros(self.config.n_features, dtype=p.dtype, device=p.device)
            self.register_buffer("input_fill", fill)
        if "var_floor" not in self._buffers:  # pickled by skvae 0.1.0: the scalar
            p = next(self.parameters())
            floor = torch.full_like(self.input_fill, self.config.var_floor)
            self.register_buffer("var_floor", floor.to(p.dtype))
        if "fixed_variance" not in self._buffers:  # pickled before it existed
            self.register_buffer("fixed_variance", torch.zeros_like(self.var_floor))
        self._bind_variance()

    def _bind_variance(self):
        # The likelihood reads the buffers themselves (or their slices), so it
        # must follow them whenever .to(), load_state_dict or unpickling
        # replaces them. An all-zero fixed variance is bound as None (no cost
        # in the training loop); binding is rare, so its host sync is too.
        if "fixed_variance" in self._buffers:
            fixed = self.fixed_variance
            unset = fixed.is_meta or not bool((fixed > 0).any())
            self.likelihood.set_feature_variance(
                self.var_floor, None if unset else fixed
            )

    def _apply(self, fn, *args, **kwargs):
        module = super()._apply(fn, *args, **kwargs)
        self._bind_variance()
        return module

    def _load_from_state_dict(self, *args, **kwargs):
        super()._load_from_state_dict(*args, **kwargs)
        self._bind_variance()

    @torch.no_grad()
    def set_var_floor(self, floor):
        """Set each feature's variance floor (the ``var_floor`` buffer).

        Parameters
        ----------
        floor : float or array-like of shape (n_features,)
            The smallest variance (squared scale) that p(x_j | z) may have;
            ignored by likelihoods without a scale.

        Examples
        --------
        >>> import torch
        >>> from skvae import VAE, VAEConfig
        >>> model = VAE(VAEConfig(n_features=3, var_floor=1e-3))
        >>> model.set_var_floor([1e-3, 0.25, 1e-3])
        >>> out = model.decode(torch.zeros(1, 2))
        >>> bool((model.likelihood.variance(out)[0, 1] > 0.25).item())
        True
        """
        floor = torch.as_tensor(floor, dtype=self.var_floor.dtype)
        self.var_floor.copy_(floor.expand_as(self.var_floor))
        self._bind_variance()

    @torch.no_grad()
    def set_fixed_variance(self, variance):
        """Fix each feature's variance (the ``fixed_variance`` buffer).

        The likelihood then uses ``variance[j]`` for feature j whatever the
        code z, in place of the decoder's output; 0 keeps the decoder's.
        Gradients no longer reach the decoder's variance outputs of the fixed
        features.

        Parameters
        ----------
        variance : float, array-like of shape (n_features,) or None
            The variances (squared scales), at least the floor; None (or 0)
            gives every feature back the decoder's own. Ignored by likelihoods
            without a scale.

        Examples
        --------
        >>> import torch
        >>> from skvae import VAE, VAEConfig
        >>> model = VAE(VAEConfig(n_features=3))
        >>> model.set_fixed_variance([0.0, 0.5, 0.0])
        >>> out = model.decode(torch.randn(4, 2))
        >>> model.likelihood.variance(out)[:, 1].tolist()
        [0.5, 0.5, 0.5, 0.5]
        >>> model.set_fixed_variance(None)
        """
        if variance is None:
            variance = 0.0
        variance = torch.as_tensor(variance, dtype=self.fixed_variance.dtype)
        self.fixed_variance.copy_(variance.expand_as(self.fixed_variance))
        self._bind_variance()

    @torch.no_grad()
    def fit_marginals(self, x):
        """Adapt the model's fixed parts to data ``x`` (no missing entries).

        For a likelihood that transforms its input (counts, positive reals,
        categories, a per-column likelihood), set ``feature_loc`` and
        ``feature_scale`` to the mean and standard deviation of the encoder's
        features of ``x``, and start the decoder's output bias at the columns'
        marginal fit (the mean of a count, the level frequencies of a
        category), so that training does not spend its first steps learning
        offsets. Other likelihoods are left as they are.

        Parameters
        ----------
        x : Tensor of shape (n, n_features)
            Training data without NaN (fill the holes first).

        Examples
        --------
        >>> import torch
        >>> from skvae import VAE, VAEConfig
        >>> counts = torch.poisson(torch.full((500, 3), 4.0))
        >>> model = VAE(VAEConfig(n_features=3, likelihood="poisson"))
        >>> model.fit_marginals(counts)
        >>> rate = model.decoder[-1].bias.exp()  # the decoder starts at the means
        >>> bool(torch.allclose(rate, counts.mean(0)))
        True
        """
        if not self.likelihood.transforms_input:
            return
        features = self.likelihood.features(x)
        self.feature_loc.copy_(features.mean(0))
        scale = features.std(0, unbiased=False)
        self.feature_scale.copy_(torch.where(scale > 1e-6, scale, 1.0))
        params = self.likelihood.marginal_params(x)
        if params is not None and not self._shared_variance:
            self.decoder[-1].bias.copy_(params.to(self.decoder[-1].bias.dtype))
