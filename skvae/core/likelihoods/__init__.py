"""Observation models p(x | z): the classes, registered by name on import.

Every likelihood is a :class:`~skvae.core.Likelihood`, a small
``torch.nn.Module`` that declares its traits;
:func:`~skvae.core.register_likelihood` adds one by name (the registry is in
``_registry``), and :func:`~skvae.core.build_likelihood` turns a name, or
one name per column, into the model's likelihood.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from skvae.core.likelihoods._discrete import (
    Bernoulli,
    Categorical,
    NegativeBinomial,
    Ordinal,
    Poisson,
)
from skvae.core.likelihoods._heterogeneous import Heterogeneous
from skvae.core.likelihoods._hurdle import HurdleGaussian
from skvae.core.likelihoods._real import Cauchy, Gaussian, LogNormal, StudentT
from skvae.core.likelihoods._registry import register_likelihood

for _cls in (
    Bernoulli,
    Gaussian,
    Cauchy,
    StudentT,
    LogNormal,
    HurdleGaussian,
    Poisson,
    NegativeBinomial,
    Categorical,
    Ordinal,
):
    register_likelihood(_cls)

__all__ = [
    "Bernoulli",
    "Categorical",
    "Cauchy",
    "Gaussian",
    "Heterogeneous",
    "HurdleGaussian",
    "LogNormal",
    "NegativeBinomial",
    "Ordinal",
    "Poisson",
    "StudentT",
]
