"""The architecture of a VAE: its hyperparameters and the MLP that builds it."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import itertools
from dataclasses import asdict, dataclass

from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "identity": nn.Identity,
}


@dataclass
class VAEConfig:
    """Hyperparameters that fix the architecture of a :class:`VAE`.

    Parameters
    ----------
    n_features : int
        Number of features of the data, the size of x.

    n_components : int, default=2
        Size of the latent code z.

    hidden_layer_sizes : tuple of int, default=(256, 128)
        Widths of the encoder's hidden layers; the decoder mirrors them.

    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Activation between hidden layers.

    likelihood : str or list of str, default="gaussian"
        The decoder's observation model p(x | z): a registered name
        (``skvae.core.LIKELIHOODS``: "gaussian", "bernoulli", "cauchy",
        "studentt", "lognormal", "hurdle", "poisson", "negbin", or one added
        with :func:`~skvae.core.register_likelihood`) for every feature, or a list
        with one per feature (``"categorical:K"`` for a category column coded
        0 .. K-1), a heterogeneous likelihood.

    var_floor : float, default=1e-6
        Lower bound on the Gaussian decoder's variance (the Cauchy decoder's
        squared scale). Ignored by the Bernoulli likelihood.

    decoder_variance : {"per_sample", "per_feature"}, default="per_sample"
        How the Gaussian decoder's variance is modelled. "per_sample": the
        decoder outputs each feature's variance for each z (heteroscedastic).
        "per_feature": one learned variance per feature, shared by all samples
        (homoscedastic, as in factor analysis). Ignored by the Bernoulli
        likelihood.

    See Also
    --------
    VAE : The torch module built from a config.

    Examples
    --------
    >>> from skvae import VAEConfig
    >>> config = VAEConfig(n_features=4, hidden_layer_sizes=(8,))
    >>> config.n_components
    2
    >>> config.likelihood
    'gaussian'
    """

    n_features: int
    n_components: int = 2  # latent size
    hidden_layer_sizes: tuple = (256, 128)  # encoder; the decoder mirrors it
    activation: str = "relu"  # one of ACTIVATIONS
    likelihood: str | list = "gaussian"  # a name, or one name per feature
    var_floor: float = 1e-6  # lower bound on the Gaussian decoder's variance
    # "per_sample": the decoder outputs each feature's variance for each z
    # (heteroscedastic); "per_feature": one learned variance per feature
    # (homoscedastic, as in factor analysis). Gaussian likelihood only.
    decoder_variance: str = "per_sample"

    def to_dict(self):
        """Return the config as a dict of plain Python values.

        Only built-in types (int, float, str, list) appear, so the result can be
        stored by safe serialisers such as ``torch.save`` loaded with
        ``weights_only=True``, or JSON.

        Returns
        -------
        config : dict
            The fields by name; ``hidden_layer_sizes`` is a list of int.

        Examples
        --------
        >>> from skvae import VAEConfig
        >>> config = VAEConfig(n_features=4, hidden_layer_sizes=(8,))
        >>> config.to_dict()
        {'n_features': 4, 'n_components': 2, 'hidden_layer_sizes': [8],
         'activation': 'relu', 'likelihood': 'gaussian', 'var_floor': 1e-06,
         'decoder_variance': 'per_sample'}
        >>> VAEConfig(**config.to_dict()).n_features
        4
        """
        d = asdict(self)
        d["hidden_layer_sizes"] = [int(h) for h in self.hidden_layer_sizes]
        if not isinstance(self.likelihood, str):
            d["likelihood"] = [str(s) for s in self.likelihood]
        return d


def mlp(sizes, activation):
    """Linear layers with ``activation`` between them (none after the last)."""
    layers = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(ACTIVATIONS[activation]())
    return nn.Sequential(*layers)
