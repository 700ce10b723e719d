"""Ablation runs for issue 17: ``anomaly.py`` with one part of the detector off.

The parts are the detector's private switches:

* ``lattice_floor``: the variance floor ``step**2 / 12`` of grid-valued
  features (``_lattice_floor``);
* ``median_variance``: scoring with each feature's median decoder variance
  instead of the decoder's own, row by row (``_median_variance``).

The other parts are parameters, ablated with ``anomaly.py --params``
(``support_fraction``, ``n_prior_components``, ``likelihood``). Usage::

    SKVAE_DATA=../shared/data python benchmarks/experiments/ablate.py \\
        --without lattice_floor --half design --methods skvae --out NAME

Every argument after ``--without PART[,PART]`` goes to ``anomaly.py``.
"""

import argparse

from _run import run_benchmark

from skvae import VAEOutlierDetector

PARTS = {"lattice_floor": "_lattice_floor", "median_variance": "_median_variance"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--without", required=True, help=",".join(PARTS))
    args, rest = parser.parse_known_args()
    for part in args.without.split(","):
        if part not in PARTS:
            parser.error(f"unknown part {part!r}; choose from {', '.join(PARTS)}")
        setattr(VAEOutlierDetector, PARTS[part], False)
    run_benchmark("anomaly.py", rest)


if __name__ == "__main__":
    main()
