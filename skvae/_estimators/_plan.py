"""What one fit decides before training: the :class:`FitPlan`.

Each estimator's ``_plan`` builds one from the training data's column
statistics and its parameters; ``_BaseVAE._fit`` carries it out. The helpers
here are the rules the estimators share.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from dataclasses import dataclass

import numpy as np

from skvae._estimators._budget import (
    AUTO_LATENT_CAP,
    half_the_features,
    n_validation,
    validation_draws,
)
from skvae.core import Likelihood, build_likelihood


@dataclass(frozen=True)
class FitPlan:
    """The decisions of one fit, made before training from data and parameters.

    Attributes
    ----------
    likelihood : Likelihood
        The observation model of a new model, built once.
    n_components : int
        The latent size of a new model.
    keep_active : bool
        After training, keep the active latent dimensions only
        (``n_components="auto"``): ``n_components_`` counts them and
        ``transform`` returns them (see :func:`active_size`).
    standardize : bool
        Standardise an array's features before the model (a table's schema
        standardises its own real columns).
    columns : ndarray of bool or None
        The input columns the model sees; None for all (a column left out
        must be one with no observed entry).
    indicator : bool
        Record the columns with holes (an imputer's missing-value indicator).
    empty_rows : bool
        Accept training rows with no observed entry. Their posterior is the
        prior and their ELBO 0: they change nothing, but a detector rejects
        them, having nothing to judge.
    support_fraction : float
        Share of each minibatch the objective averages over (trimmed ELBO).
    validation_draws : int
        Draws of z per row of the validation ELBO.
    lattice_floor : bool
        Floor the variance of grid-valued features at their rounding noise.
    median_variance : bool
        After training, fix each feature's variance at its median over the
        training rows (for scoring).
    prior_components : int or None
        After training, score under a mixture of this many training rows'
        posteriors instead of N(0, I).
    contamination : "auto", float or None
        After training, set the outlier threshold ``offset_`` on the relative
        scores of the training rows (Tukey's rule for "auto", else this
        quantile); None for an estimator that is not a detector.
    """

    likelihood: Likelihood
    n_components: int
    keep_active: bool = False
    standardize: bool = False
    columns: np.ndarray | None = None
    indicator: bool = False
    empty_rows: bool = False
    support_fraction: float = 1.0
    validation_draws: int = 1
    lattice_floor: bool = False
    median_variance: bool = False
    prior_components: int | None = None
    contamination: str | float | None = None


def likelihood_of(estimator, space, n_features, *, auto="gaussian", real="gaussian"):
    """The likelihood the ``likelihood`` parameter asks for, built once.

    ``auto`` is what ``likelihood="auto"`` gives an array of ``n_features``
    columns; ``real`` what it gives a real-valued column of a mixed table
    (whose other columns follow their dtypes and whose constant columns the
    model leaves out, see :class:`~skvae._estimators._table.TableSchema`).
    """
    if space.table is not None:  # one name per column the model sees
        return build_likelihood(space.table.specs(real))
    spec = auto if estimator.likelihood == "auto" else estimator.likelihood
    return build_likelihood(spec, n_features)


def latent_plan(n_components, n_features, cap=AUTO_LATENT_CAP):
    """The plan's ``n_components`` and ``keep_active`` for the parameter:
    an int as given; "auto" half the features, at most ``cap``, of which the
    fit keeps the active ones."""
    if n_components == "auto":
        return {"n_components": half_the_features(n_features, cap), "keep_active": True}
    return {"n_components": n_components, "keep_active": False}


# A latent dimension is active when its posterior mean varies with x by more
# than this (Burda, Grosse and Salakhutdinov, 2016, section 5.2): in z's own
# units, where the prior's variance is 1.
ACTIVE_UNIT = 0.01


def active_size(activity):
    """The number of active latent dimensions, at least 1."""
    return max(1, int(np.sum(np.asarray(activity) > ACTIVE_UNIT)))


def draws_for_validation(estimator, n_rows):
    """Draws of z per validation row: the scores', fewer on large validation sets."""
    n_val = n_validation(estimator.validation_fraction, n_rows)
    return validation_draws(n_val, estimator.n_score_draws)


def threshold(scores, contamination):
    """A detector's ``offset_``: Tukey's lower fence for "auto", else a quantile."""
    if contamination == "auto":
        q1, q3 = np.percentile(scores, [25, 75])
        return float(q1 - 1.5 * (q3 - q1))
    return float(np.percentile(scores, 100.0 * contamination))
