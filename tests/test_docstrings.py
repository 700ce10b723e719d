"""numpydoc validation of every public docstring, and the API page's coverage.

The public API is what ``__all__`` of ``skvae``, ``skvae.core``,
``skvae.core.likelihoods`` and ``skvae.datasets`` export:
each class and function, and every public method or property that skvae itself
defines on those classes (methods inherited from scikit-learn or torch, such as
``get_params`` or ``nn.Module.to``, are their projects' business; fitted
attributes that are properties, such as ``n_iter_``, are documented in their
class's Attributes section).

All numpydoc checks apply, except:

- GL01: the summary may start on the line of the opening quotes;
- ES01: an extended summary is welcome but not required;
- SA01: a See Also section is welcome but not required;
- RT02: returns are named as in scikit-learn (``self : object``).

A method that overrides a skvae base-class method without a docstring of its
own (a likelihood's ``log_prob``) shows the base's docstring, which is the one
validated.

Every public class, method and function needs an Examples section (EX01); the
examples themselves run as doctests (``--doctest-modules``).

Needs numpydoc (the ``docs`` extra); skipped without it.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect
import re
from pathlib import Path

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

MODULES = (
    "skvae",
    "skvae.core",
    "skvae.core.likelihoods",
    "skvae.datasets",
    "skvae.inspection",
)
IGNORED = {"GL01", "ES01", "SA01", "RT02"}
API_PAGE = Path(__file__).resolve().parents[1] / "docs" / "api.rst"


def _exported(module_name):
    module = importlib.import_module(module_name)
    for name in module.__all__:
        obj = getattr(module, name)
        if not name.startswith("_") and (inspect.isclass(obj) or callable(obj)):
            yield name, obj


def _defining_class(cls, attr):
    for klass in cls.__mro__:
        if attr in vars(klass):
            return klass
    return None


def _inherits_its_docstring(owner, attr, member):
    """Whether ``member`` overrides a documented skvae base-class method without a
    docstring of its own: Sphinx renders the base's, which is validated there."""
    function = member.fget if isinstance(member, property) else member
    if getattr(function, "__doc__", None):
        return False
    for base in owner.__mro__[1:]:
        if attr in vars(base) and base.__module__.split(".")[0] == "skvae":
            return True
    return False


def _canonical():
    """``{qualified name: object}``: each exported object once, under the first
    module of ``MODULES`` that exports it (``skvae.VAE``, not ``skvae.core.VAE``)."""
    seen, out = set(), {}
    for module_name in MODULES:
        for name, obj in _exported(module_name):
            if id(obj) not in seen:
                seen.add(id(obj))
                out[f"{module_name}.{name}"] = obj
    return out


def _public_api():
    """Dotted names of the public classes, functions, methods and properties.

    A method is listed once, under the exported class that defines it (an
    inherited ``VAEOutlierDetector.transform`` is ``VAETransformer.transform``).
    """
    canonical = _canonical()
    exported = {id(obj): name for name, obj in canonical.items()}
    names = []
    for qualname, obj in canonical.items():
        names.append(qualname)
        if not inspect.isclass(obj):
            continue
        for attr in sorted(dir(obj)):
            owner = _defining_class(obj, attr)
            if attr.startswith("_") or owner is None:
                continue
            if owner.__module__.split(".")[0] != "skvae":
                continue  # inherited from scikit-learn or torch
            member = inspect.getattr_static(obj, attr)
            if isinstance(member, classmethod | staticmethod):
                member = member.__func__
            if not (inspect.isfunction(member) or isinstance(member, property)):
                continue  # class constants and traits, dataclass field defaults
            if isinstance(member, property) and attr.endswith("_"):
                continue  # a fitted attribute: the class's Attributes section
            if _inherits_its_docstring(owner, attr, member):
                continue  # an override: documented (and checked) in its base
            owner_name = exported.get(id(owner), qualname)
            names.append(f"{owner_name}.{attr}")
    return sorted(set(names), key=names.index)


PUBLIC_API = _public_api()


def test_public_api_is_found():
    assert "skvae.VAETransformer" in PUBLIC_API
    assert "skvae.VAETransformer.fit" in PUBLIC_API
    assert "skvae.datasets.load_mnist" in PUBLIC_API


@pytest.mark.parametrize("name", PUBLIC_API)
def test_docstring(name):
    result = numpydoc_validate.validate(name)
    errors = [(code, msg) for code, msg in result["errors"] if code not in IGNORED]
    if errors:
        details = "\n".join(f"  {code}: {msg}" for code, msg in errors)
        pytest.fail(f"{name} ({result['file']}:{result['file_line']}):\n{details}")


def _documented_names():
    """Entries of the autosummary tables in docs/api.rst, with their module."""
    documented, module = set(), None
    in_table = False
    for line in API_PAGE.read_text().splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::")[1].strip()
        elif line.startswith(".. autosummary::"):
            in_table = True
        elif in_table and line.strip() and not line.startswith("   "):
            in_table = False
        elif in_table and re.fullmatch(r"   [A-Za-z_][\w.]*", line):
            documented.add(f"{module}.{line.strip()}")
    return documented


def test_api_page_lists_every_public_object():
    exported = set(_canonical())
    documented = _documented_names()
    assert not exported - documented, (
        f"add to docs/api.rst: {sorted(exported - documented)}"
    )
    assert not documented - exported, (
        f"docs/api.rst lists objects that are not exported: "
        f"{sorted(documented - exported)}"
    )
