"""The package's layering, as a few folder rules.

``skvae/core`` (torch and numpy) imports nothing of the estimators,
scikit-learn or pandas; nothing outside the core imports torch; no module
imports the package root; the import graph has no cycle. And what a
likelihood is, is known in ``core/likelihoods`` only: no module elsewhere
compares a likelihood's name as a string.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import skvae
from skvae.core import LIKELIHOODS

PACKAGE = Path(skvae.__file__).parent
MODULES = {
    ".".join(("skvae", *p.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
        ".__init__"
    ): p
    for p in PACKAGE.rglob("*.py")
}


def _in(name, package):
    return name == package or name.startswith(package + ".")


def _imports(path):
    """(skvae modules, external top-level packages, root imports) of a file."""
    tree = ast.parse(path.read_text())
    internal, external, root = set(), set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "skvae":
                    root.append("import skvae")
                elif _in(alias.name, "skvae"):
                    internal.add(alias.name)
                else:
                    external.add(alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                root.append("relative import")
            elif node.module == "skvae":
                for alias in node.names:
                    if f"skvae.{alias.name}" in MODULES:
                        internal.add(f"skvae.{alias.name}")
                    else:
                        root.append(f"from skvae import {alias.name}")
            elif _in(node.module, "skvae"):
                internal.add(node.module)
            else:
                external.add(node.module.split(".")[0])
    return internal, external, root


def test_core_imports_neither_the_estimators_nor_sklearn_nor_pandas():
    for name, path in MODULES.items():
        if not _in(name, "skvae.core"):
            continue
        internal, external, _ = _imports(path)
        assert not external & {"sklearn", "pandas"}, f"{name} imports {external}"
        outside = {m for m in internal if not _in(m, "skvae.core")}
        assert not outside, f"{name} imports {outside}"


def test_only_the_core_imports_torch():
    for name, path in MODULES.items():
        if _in(name, "skvae.core"):
            continue
        _, external, _ = _imports(path)
        assert "torch" not in external, f"{name} imports torch"


def test_no_module_imports_the_package_root():
    for name, path in MODULES.items():
        if name == "skvae":
            continue
        _, _, root = _imports(path)
        assert not root, f"{name}: {root}"


def test_the_graph_has_no_cycle():
    graph = {name: _imports(path)[0] & set(MODULES) for name, path in MODULES.items()}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as exc:  # pragma: no cover - the failure message
        raise AssertionError(f"import cycle: {exc.args[1]}") from None


def _strings(node):
    """The string constants of an expression and of the tuples, lists and sets in it."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return set().union(*(_strings(e) for e in node.elts))
    return set()


def test_no_likelihood_name_is_compared_as_a_string_outside_the_likelihoods():
    names = set(LIKELIHOODS)
    found = []
    for name, path in MODULES.items():
        if _in(name, "skvae.core.likelihoods"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            compared = set()
            if isinstance(node, ast.Compare):
                for part in (node.left, *node.comparators):
                    compared |= _strings(part)
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("startswith", "endswith")
            ):
                for arg in node.args:
                    compared |= {s.split(":")[0] for s in _strings(arg)}
            elif isinstance(node, ast.MatchValue):
                compared |= _strings(node.value)
            if compared & names:
                found.append(f"{name}:{node.lineno}: {sorted(compared & names)}")
    assert not found, "likelihood names compared as strings:\n" + "\n".join(found)


def test_core_runs_with_sklearn_and_pandas_unimportable(run_python):
    code = (
        "import sys; sys.modules['sklearn'] = None; sys.modules['pandas'] = None\n"
        "import torch\n"
        "from skvae.core import VAE, VAEConfig, train, TrainConfig, TrainState\n"
        "from skvae.core import make_optimizer, log_marginal_likelihood\n"
        "m = VAE(VAEConfig(n_features=3))\n"
        "x = torch.randn(40, 3, generator=torch.Generator().manual_seed(0))\n"
        "train(m, make_optimizer(m), x, TrainState(), TrainConfig(max_iter=2))\n"
        "print(log_marginal_likelihood(m, x, n_draws=4).shape)\n"
    )
    assert "torch.Size([40])" in run_python(code)
