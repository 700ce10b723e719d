"""The torch core must not import scikit-learn (only _estimator.py may)."""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
import subprocess
import sys
from pathlib import Path

import skvae

PACKAGE = Path(skvae.__file__).parent
FACE = {"_estimator.py", "_outlier.py"}


def _imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_core_modules_do_not_import_sklearn():
    core = [p for p in PACKAGE.glob("*.py") if p.name not in FACE]
    assert len(core) >= 4
    for path in core:
        bad = [m for m in _imported_modules(path) if m.split(".")[0] == "sklearn"]
        assert not bad, f"{path.name} imports {bad}"


def test_core_runs_with_sklearn_unimportable():
    code = (
        "import sys; sys.modules['sklearn'] = None\n"
        "import torch, skvae\n"
        "m = skvae.VAE(skvae.VAEConfig(n_features=3))\n"
        "print(m.elbo(torch.zeros(2, 3)).shape)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "torch.Size([2])" in out.stdout
