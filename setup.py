"""Build script for hanparse's optional Cython extensions.

Every module of ``PURE_MODE_MODULES`` is compiled into an extension module
of the same name: plain ``.py`` files that Cython compiles in pure-Python
mode (their C types live in a ``.pxd`` beside them), which run unchanged
when not compiled.

Without a C compiler (or without Cython) the package still installs
and runs on its pure-Python twins; set ``HANPARSE_REQUIRE_EXTENSIONS=1`` to
turn a failed compile into an error (wheels and CI do this), or
``HANPARSE_PURE_PYTHON=1`` to skip compiling altogether.
"""

import glob
import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext


def _flag(name):
    return os.environ.get(name, "").strip() not in ("", "0", "false", "no")


REQUIRE = _flag("HANPARSE_REQUIRE_EXTENSIONS")
SKIP = _flag("HANPARSE_PURE_PYTHON") and not REQUIRE


#: ``.py`` modules compiled by Cython in pure-Python mode: every ``X.py`` of the package (or a
#: subpackage) with an ``X.pxd`` beside it (the ``.pxd`` holds its C types)
PURE_MODE_MODULES = sorted(
    p for p in glob.glob(os.path.join("hanparse", "**", "*.py"), recursive=True)
    if os.path.exists(os.path.splitext(p)[0] + ".pxd")
)


class OptionalBuildExt(build_ext):
    """Compile the extensions, or fall back to pure Python with a one-line notice."""

    _gave_up = False

    def run(self):
        try:
            super().run()
        except Exception as exc:  # compiler missing, headers missing, ...
            self._fallback(exc)

    def build_extension(self, ext):
        if self._gave_up:
            return
        try:
            super().build_extension(ext)
        except Exception as exc:
            self._fallback(exc)

    def copy_extensions_to_source(self):
        if not self._gave_up:
            super().copy_extensions_to_source()

    def _fallback(self, exc):
        if REQUIRE:
            raise
        if not self._gave_up:
            sys.stderr.write(
                "hanparse: could not compile the Cython extensions (%s); "
                "installing the pure-Python implementation.\n" % (exc,)
            )
        self._gave_up = True


def _extensions():
    if SKIP:
        sys.stderr.write("hanparse: HANPARSE_PURE_PYTHON set; not compiling extensions.\n")
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:
        if REQUIRE:
            raise
        sys.stderr.write("hanparse: Cython not available; installing the pure-Python implementation.\n")
        return []
    sources = list(PURE_MODE_MODULES)
    only = os.environ.get("HANPARSE_BUILD_ONLY", "").split(",")
    only = [o.strip() for o in only if o.strip()]
    if only:  # development: rebuild just the named extension modules
        sources = [s for s in sources if os.path.splitext(os.path.basename(s))[0] in only]
    macros = []
    if _flag("HANPARSE_CYTHON_TRACE"):
        macros.append(("CYTHON_TRACE", "1"))
    from setuptools import Extension

    exts = [
        Extension(
            os.path.splitext(src)[0].replace(os.sep, "."),
            [src],
            define_macros=macros,
            extra_compile_args=os.environ.get("HANPARSE_CFLAGS", "-O2").split(),
            extra_link_args=os.environ.get("HANPARSE_LDFLAGS", "").split(),
        )
        for src in sources
    ]
    return cythonize(
        exts,
        compiler_directives={
            "language_level": "3",
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
        quiet=True,
    )


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
