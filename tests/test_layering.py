"""The package's import graph, held against a written table of allowed arrows.

The torch core never imports scikit-learn, pandas or the face; no module
imports the package root; the graph has no cycle. A new module, or a new
arrow, must be added to the table here on purpose.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import skvae

PACKAGE = Path(skvae.__file__).parent

CORE = {
    "_version": set(),
    "_docs": set(),  # text only: shared numpydoc entries and examples
    "_utils": set(),
    "_likelihoods": set(),
    "_discrete": {"_likelihoods"},
    "_heterogeneous": {"_discrete", "_likelihoods"},
    "_priors": {"_docs"},
    "_config": set(),
    "_importance": {"_docs", "_likelihoods", "_priors", "_utils"},
    "_buffers": set(),
    "_model": {
        "_buffers",
        "_config",
        "_docs",
        "_heterogeneous",
        "_importance",
        "_priors",
    },
    "_inference": {"_priors", "_utils"},
    "_budget": set(),
    "_training": {"_inference", "_utils"},
    "_persistence": {"_config", "_model", "_training", "_utils"},
}
FACE = {
    "datasets": {"_docs"},  # load_mixed reads typed tables with pandas
    "_param_docs": set(),  # text only: the estimators' parameter entries
    "_table": {"_heterogeneous", "_validation"},
    "_validation": {"_utils"},
    "_progress": set(),
    "_saving": {"_docs", "_persistence", "_table", "_training", "_utils", "_version"},
    "_setup": {
        "_budget",
        "_config",
        "_heterogeneous",
        "_likelihoods",  # lattice_variance: the detector's per-feature floor
        "_model",
        "_training",
        "_utils",
    },
    "_base": {
        "_config",
        "_heterogeneous",
        "_inference",
        "_progress",
        "_saving",
        "_setup",
        "_table",
        "_training",
        "_utils",
        "_validation",
    },
    "_estimator": {
        "_base",
        "_docs",
        "_inference",
        "_param_docs",
        "_setup",
        "_validation",
    },
    "_standardize": {"_heterogeneous"},
    "_outlier": {"_docs", "_estimator", "_inference", "_param_docs", "_standardize"},
    "_imputer": {
        "_base",
        "_docs",
        "_inference",
        "_param_docs",
        "_standardize",
        "_validation",
    },
    "_load": {
        "_docs",
        "_estimator",
        "_imputer",
        "_outlier",
        "_persistence",
        "_version",
    },
}
# The root re-exports the core; it reaches the face lazily, by name.
ROOT = {"__init__": {"_config", "_model", "_priors", "_utils", "_version"}}
ALLOWED = {**CORE, **FACE, **ROOT}
FACE_ONLY_LIBRARIES = {"sklearn", "pandas"}


def _imports(name):
    """(internal modules, external top-level packages, root imports) of a module."""
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    internal, external, root = set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] != "skvae":
                    external.add(parts[0])
                elif len(parts) == 1:
                    root.append("import skvae")
                else:
                    internal.add(parts[1])
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] != "skvae":
                external.add(parts[0])
            elif len(parts) > 1:
                internal.add(parts[1])
            else:  # from skvae import x: fine only for a submodule
                for alias in node.names:
                    if (PACKAGE / f"{alias.name}.py").exists():
                        internal.add(alias.name)
                    else:
                        root.append(f"from skvae import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            root.append("relative import")
    return internal, external, root


def test_every_module_is_in_the_table():
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules == set(ALLOWED), (
        f"not in the table: {sorted(modules - set(ALLOWED))}; "
        f"gone: {sorted(set(ALLOWED) - modules)}"
    )


def test_imports_follow_the_table():
    for name, allowed in ALLOWED.items():
        internal, _, _ = _imports(name)
        extra = internal - allowed
        assert not extra, f"{name} imports {sorted(extra)}, not in its row"
        unused = allowed - internal
        assert not unused, (
            f"{name}'s row lists {sorted(unused)}, which it no longer imports"
        )


def test_no_module_imports_the_package_root():
    for name in ALLOWED:
        _, _, root = _imports(name)
        assert not root, f"{name}: {root}"


def test_the_graph_has_no_cycle():
    graph = {name: _imports(name)[0] for name in ALLOWED}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message
        raise AssertionError(f"import cycle: {exc.args[1]}") from None
    assert set(order) == set(ALLOWED)


def test_core_imports_neither_sklearn_nor_pandas_nor_the_face():
    for name in CORE:
        internal, external, _ = _imports(name)
        assert not external & FACE_ONLY_LIBRARIES, f"{name} imports {external}"
        assert not internal & set(FACE), f"{name} imports the face: {internal}"


def test_core_runs_with_sklearn_and_pandas_unimportable(run_python):
    code = (
        "import sys; sys.modules['sklearn'] = None; sys.modules['pandas'] = None\n"
        "import torch, skvae\n"
        "from skvae import _inference, _persistence, _training\n"
        "m = skvae.VAE(skvae.VAEConfig(n_features=3))\n"
        "print(m.elbo(torch.zeros(2, 3)).shape)\n"
    )
    assert "torch.Size([2])" in run_python(code)
