"""Order of the examples in the gallery: a reading path, not the alphabet."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

ORDER = (
    "plot_pipeline_digits.py",
    "plot_model_selection.py",
    "plot_latent_space_digits.py",
    "plot_generation_mnist_frey.py",
    "plot_anomaly_detection.py",
)


class ExampleOrder:
    """Sort key for ``within_subsection_order``: listed files first, then by name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = str(filename).rsplit("/", 1)[-1]
        rank = ORDER.index(name) if name in ORDER else len(ORDER)
        return f"{rank:03d}-{name}"

    def __repr__(self):
        return f"<{type(self).__name__}>"
