"""Sphinx configuration for the skvae documentation.

Build with ``make docs`` from the repository root (HTML in docs/_build/html).
The gallery in examples/ is executed during the build.

Environment variables:

- ``SKVAE_DOCS_INTERSPHINX=1`` links to the Python, NumPy, PyTorch,
  scikit-learn and pandas docs (needs network access; off by default so that
  offline and CI builds with ``-W`` do not fail on unreachable inventories).
- ``SKVAE_DATA`` is the data home of the examples that use real data sets;
  where a set is absent, its example prints a message and skips that part.
"""

# Authors: The skvae developers
# SPDX-License-Identifier: BSD-3-Clause

import os
import re
import sys
from datetime import date
from importlib.metadata import version as _version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "sphinxext"))

# -- Project -----------------------------------------------------------------
project = "skvae"
author = "The skvae developers"
copyright = f"2025-{date.today().year}, {author}"
release = _version("skvae")
version = ".".join(release.split(".")[:2])

# -- General -----------------------------------------------------------------
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "sphinx_copybutton",
    "myst_parser",  # the Benchmarks pages include benchmarks/*/README.md
    "matplotlib.sphinxext.plot_directive",  # the pictures of inspection.rst
]
plot_include_source = True
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 90)]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
myst_heading_anchors = 3
templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"  # `x` in docstrings renders as code, never a broken ref
pygments_style = "sphinx"

# -- autodoc / autosummary / numpydoc -----------------------------------------
autosummary_generate = True
autodoc_default_options = {"members": True, "exclude-members": "get_metadata_routing"}
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Docstrings are validated by tests/test_docstrings.py (numpydoc.validate over
# the whole public API), not here, so a docstring problem fails one test with a
# precise message rather than the whole build.

# -- intersphinx (opt-in: needs network) ---------------------------------------
intersphinx_mapping = {}
if os.environ.get("SKVAE_DOCS_INTERSPHINX", "0") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "torch": ("https://docs.pytorch.org/docs/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "pandas": ("https://pandas.pydata.org/docs", None),
    }

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skvae {release}"
html_static_path = ["_static"]
html_css_files = ["skvae.css"]
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    # The gallery's download links render only on example pages.
    "secondary_sidebar_items": ["page-toc", "sg_download_links", "sg_launcher_links"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
}
html_sidebars = {"index": [], "install": [], "quick_start": [], "changelog": []}
html_show_sourcelink = False

# -- sphinx-gallery ------------------------------------------------------------
# Inherited by the gallery's worker processes, read when they import torch.
os.environ.setdefault("OMP_NUM_THREADS", "1")
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",  # execute every plot_*.py
    "ignore_pattern": r"(__init__|demo_digits)\.py",  # the CLI demo is not a page
    "within_subsection_order": "gallery_order.ExampleOrder",
    "doc_module": ("skvae",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"skvae": None},
    "remove_config_comments": True,
    "abort_on_example_error": False,  # failures are collected and fail the build
    "matplotlib_animations": False,
    "image_srcset": [],
    "min_reported_time": 1,
    "show_memory": False,
    "download_all_examples": True,
    # Two examples at a time (joblib workers), each torch on one thread (set
    # above): the examples train small networks, which one thread runs as fast
    # as two. On 2 cores this halves the build (9 -> 4.5 min).
    "parallel": 2,
}

# The examples honour this budget (see tests/test_examples.py); the docs run the
# real value unless the caller sets it (a quick check: SKVAE_EXAMPLE_MAX_ITER=2).

# Whether the anomaly example exists yet: the user guide links to it only then,
# so the -W build never meets an undefined label.
if (HERE.parent / "examples" / "plot_anomaly_detection.py").exists():
    tags.add("anomaly_example")  # noqa: F821  (``tags`` is injected by Sphinx)


# -- Docstrings inherited from scikit-learn -------------------------------------
# scikit-learn's own docstrings (get_params, set_output, ...) link to labels of
# its documentation. Without intersphinx those are undefined here, so render
# them as plain text instead of failing the -W build.
_REF = re.compile(r":ref:`(?:([^`<]*?)\s*<[^`>]*>|([^`]*))`")


def _plain_sklearn_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", "") or ""
    if intersphinx_mapping or not module.startswith("sklearn"):
        return
    for i, line in enumerate(lines):
        lines[i] = _REF.sub(
            lambda m: m.group(1) or "the scikit-learn documentation", line
        )


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_refs)
