"""Design-half probe: a learned mixture prior, trained with the ELBO (issue #38).

Under N(0, I), a Gaussian code pays more than ln 2 nats of KL for one clean
bit (a flag, a tie between two columns), and the ELBO may leave such a bit
out (see ``pair_tie.py``). Under a mixture prior, a bit can cost about ln 2:
one component for each value. This probe fits the default
``VAETransformer`` as ``synthetic.py`` does (same splits), with
p(z) = sum_k pi_k N(z; m_k, diag s_k^2) learned jointly with the encoder and
decoder, as in the mixture-prior VAEs of Dilokthanakul et al. (2016) and
Tomczak & Welling (2018). The prior is patched in here; the estimator does
not offer it:

- the model gets K components: means drawn from N(0, I), unit scales,
  equal weights, all learned;
- the ELBO's KL term becomes a Monte Carlo estimate from the same draws
  (training and early stopping alike);
- ``sample`` draws z from the learned mixture.

``mixK`` names a K-component prior. The reported scores are those of
``synthetic.py``; the defaults' rows are ``synthetic.json``'s. Writes
``results/design_learned_prior_probe.json``::

    SKVAE_DATA=../shared/data python benchmarks/synthetic/learned_prior_probe.py \\
        mix16 --seeds 0
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from contextlib import ExitStack
from unittest import mock

import numpy as np
import synthetic as S
import torch
from torch import nn

import skvae._estimators._base as base
import skvae._estimators._transformer as transformer
from skvae.core import _objectives
from skvae.core._inference import generate_rows
from skvae.core.likelihoods._math import LOG_2PI


class LearnedMixture(nn.Module):
    """p(z) = sum_k softmax(logits)_k N(z; loc_k, diag exp(log_scale_k)^2)."""

    def __init__(self, n_mixture, n_components, generator):
        super().__init__()
        loc = torch.randn(n_mixture, n_components, generator=generator)
        self.loc = nn.Parameter(loc)
        self.log_scale = nn.Parameter(torch.zeros(n_mixture, n_components))
        self.logits = nn.Parameter(torch.zeros(n_mixture))

    def log_prob(self, z):
        diff = (z.unsqueeze(-2) - self.loc) * torch.exp(-self.log_scale)
        log_n = -0.5 * (diff.square() + LOG_2PI) - self.log_scale  # (..., K, d)
        return torch.logsumexp(
            log_n.sum(-1) + torch.log_softmax(self.logits, -1), dim=-1
        )

    @torch.no_grad()
    def sample(self, n, generator):
        k = torch.multinomial(
            torch.softmax(self.logits, -1), n, replacement=True, generator=generator
        )
        noise = torch.randn(n, self.loc.shape[1], generator=generator)
        return self.loc[k] + torch.exp(self.log_scale[k]) * noise


def mixture_prior(n_mixture):
    """Fit and sample with a learned ``n_mixture``-component prior."""
    build_model, elbo_objective = base.build_model, _objectives.OBJECTIVES["elbo"]

    def build(config, **kwargs):
        model = build_model(config, **kwargs)
        generator = torch.Generator().manual_seed(0)
        prior = LearnedMixture(n_mixture, config.n_components, generator)
        model.add_module("learned_prior", prior.to(next(model.parameters()).dtype))
        return model

    def objective(model, x, eps, *, beta=1.0, prior=None):
        prior = getattr(model, "learned_prior", None) if prior is None else prior
        return elbo_objective(model, x, eps, beta=beta, prior=prior)

    def sample(model, n_samples, seed, *, mean=True):
        z = model.learned_prior.sample(n_samples, torch.Generator().manual_seed(seed))
        return generate_rows(model, z, seed, mean=mean)

    stack = ExitStack()
    stack.enter_context(mock.patch.object(base, "build_model", build))
    stack.enter_context(mock.patch.dict(_objectives.OBJECTIVES, elbo=objective))
    stack.enter_context(mock.patch.object(transformer, "sample_rows", sample))
    return stack


def mixture(how):
    """``mixK``: a learned K-component prior."""
    return mixture_prior(int(how[3:]))


def main():
    S.probe(__doc__, mixture, "design_learned_prior_probe")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
