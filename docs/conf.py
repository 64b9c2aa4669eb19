"""Sphinx configuration: PyData theme, MyST Markdown, notebooks executed by myst-nb, numpydoc.

Build with ``make docs`` (``sphinx-build -W --keep-going docs docs/_build/html``).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import sim  # noqa: E402

# The notebooks live in notebooks/ (tests and users run them there); Sphinx reads sources under
# docs/ only, so they are copied to docs/notebooks/ (gitignored) when they changed. A copy, not a
# link: MyST resolves a link's target to its real path, outside the sources.
NOTEBOOKS = HERE / "notebooks"
NOTEBOOKS.mkdir(exist_ok=True)
for _nb in sorted((HERE.parent / "notebooks").glob("*.ipynb")):
    _copy = NOTEBOOKS / _nb.name
    if not _copy.exists() or _copy.read_bytes() != _nb.read_bytes():
        shutil.copy2(_nb, _copy)
for _old in NOTEBOOKS.glob("*.ipynb"):
    if not (HERE.parent / "notebooks" / _old.name).exists():
        _old.unlink()

project = "sim"
author = "sim contributors"
copyright = "2026, sim contributors"
release = sim.__version__
version = sim.__version__

extensions = [
    "myst_nb",  # MyST Markdown pages and notebooks (includes myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.mathjax",
    "simdocs",  # the schema and CLI pages, generated from the code
]

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = [
    "_build", "_generated", "**.ipynb_checkpoints", "validation/**", "jupyter_execute",
]
# Figures of docs/validation.md are under docs/validation/ (images, not pages).

myst_enable_extensions = ["colon_fence", "deflist", "dollarmath"]
myst_heading_anchors = 3

# Notebooks are stored without outputs and executed at build time (cached between local
# builds in docs/_build/.jupyter_cache); a cell that raises fails the build.
nb_execution_mode = "cache"
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

autodoc_default_options = {"members": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # numpydoc shows the documented types
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

html_theme = "pydata_sphinx_theme"
html_title = f"sim {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path = ["_static"]
html_css_files = ["custom.css"]
suppress_warnings = ["myst.header"]  # the included reference pages start at level-2 headings
