"""Observation models p(x | z): the classes, their registry and the one builder.

Every likelihood is a :class:`Likelihood`, a small ``torch.nn.Module`` that
declares its traits; :func:`register_likelihood` adds one by name, and
:func:`build_likelihood` turns a name (or one name per column) into the
model's likelihood.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from skvae.core.likelihoods._base import Likelihood
from skvae.core.likelihoods._discrete import (
    Bernoulli,
    Categorical,
    NegativeBinomial,
    Ordinal,
    Poisson,
)
from skvae.core.likelihoods._heterogeneous import Heterogeneous
from skvae.core.likelihoods._real import Cauchy, Gaussian, LogNormal, StudentT
from skvae.core.likelihoods._registry import (
    LIKELIHOODS,
    MAX_LEVELS,
    array_likelihoods,
    automatic_column,
    build_likelihood,
    column_likelihoods,
    likelihood_class,
    parse_spec,
    register_likelihood,
)

for _cls in (
    Bernoulli,
    Gaussian,
    Cauchy,
    StudentT,
    LogNormal,
    Poisson,
    NegativeBinomial,
    Categorical,
    Ordinal,
):
    register_likelihood(_cls)

__all__ = [
    "LIKELIHOODS",
    "MAX_LEVELS",
    "Bernoulli",
    "Categorical",
    "Cauchy",
    "Gaussian",
    "Heterogeneous",
    "Likelihood",
    "LogNormal",
    "NegativeBinomial",
    "Ordinal",
    "Poisson",
    "StudentT",
    "array_likelihoods",
    "automatic_column",
    "build_likelihood",
    "column_likelihoods",
    "likelihood_class",
    "parse_spec",
    "register_likelihood",
]
