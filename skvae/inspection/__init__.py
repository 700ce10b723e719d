"""Pictures of a fitted VAE, as scikit-learn's Display objects.

Each display follows scikit-learn's Display API
(:class:`~sklearn.metrics.RocCurveDisplay`,
:class:`~sklearn.inspection.DecisionBoundaryDisplay`): a class method
``from_estimator`` computes what is drawn and calls :meth:`plot`, which
draws it into ``ax`` (a new figure when None) and returns the display. The
computed arrays are attributes of the display, and so are the artists
(``figure_``, ``ax_`` and one per kind of mark), so a picture can be
restyled or redrawn. matplotlib is needed only by :meth:`plot`
(``pip install "skvae[plots]"``).

Every display works for the three estimators where the question makes
sense, and on arrays, images and mixed DataFrames with holes:

- :class:`LatentSpaceDisplay`: the codes of rows in 2-D, coloured by a label;
- :class:`LatentActivityDisplay`: the activity spectrum of the latent
  dimensions (which ``n_components="auto"`` keeps) and their KL cost;
- :class:`ReconstructionDisplay`: inputs beside their reconstructions;
- :class:`SampleDisplay`: generated rows, against real ones for a table;
- :class:`TrainingDisplay`: the training loss and the held-out ELBO;
- :class:`ScoreDisplay`: a detector's scores, its threshold, its ROC curve;
- :class:`ImputationDisplay`: observed against imputed values per column.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

from skvae.inspection._curves import ImputationDisplay, ScoreDisplay, TrainingDisplay
from skvae.inspection._latent import LatentActivityDisplay, LatentSpaceDisplay
from skvae.inspection._rows import ReconstructionDisplay, SampleDisplay

__all__ = [
    "ImputationDisplay",
    "LatentActivityDisplay",
    "LatentSpaceDisplay",
    "ReconstructionDisplay",
    "SampleDisplay",
    "ScoreDisplay",
    "TrainingDisplay",
]
