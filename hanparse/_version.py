"""The version of hanparse, in one place.

``pyproject.toml`` reads it (``[tool.setuptools.dynamic]``, statically,
without importing the package) and :mod:`hanparse` re-exports it as
``hanparse.__version__``; ``hanparse --version`` prints it.
"""

__all__ = ["__version__"]

#: the package version
__version__ = "0.1.0"
