"""Run a benchmark script in this process, after an experiment has patched skvae."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import runpy
import sys
from pathlib import Path


def run_benchmark(name, argv):
    """Run ``benchmarks/NAME`` as ``__main__`` with the arguments ``argv``."""
    script = Path(__file__).resolve().parents[1] / name
    sys.argv = [str(script), *argv]
    sys.path.insert(0, str(script.parent))  # its helpers, as when run directly
    runpy.run_path(str(script), run_name="__main__")
