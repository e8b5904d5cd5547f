"""The build degrades to pure Python without a compiler, and fails loudly when asked to.

A copy of the package and build files is built with ``CC=false`` (a
compiler that always fails): the build must succeed with one notice line and
leave no extension, and the copy must then run on the pure-Python twins.
With ``HANPARSE_REQUIRE_EXTENSIONS=1`` the same build must fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tree(tmp_path: Path) -> Path:
    dst = tmp_path / "src"
    shutil.copytree(ROOT / "hanparse", dst / "hanparse",
                    ignore=shutil.ignore_patterns("*.so", "*.pyd", "*.c", "__pycache__"))
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, dst / name)
    return dst


def _build(src: Path, **env):
    full = dict(os.environ, CC="false", **env)
    full.pop("HANPARSE_PURE_PYTHON", None)
    full.pop("HANPARSE_REQUIRE_EXTENSIONS", None)
    full.update(env)
    return subprocess.run([sys.executable, "setup.py", "build_ext", "--inplace"], cwd=src, env=full,
                          capture_output=True, text=True, timeout=600)


def test_build_without_compiler_falls_back_with_one_notice(tmp_path):
    src = _tree(tmp_path)
    proc = _build(src)
    assert proc.returncode == 0, proc.stderr[-2000:]
    notices = [line for line in proc.stderr.splitlines() if line.startswith("hanparse:")]
    assert len(notices) == 1 and "pure-Python" in notices[0]
    assert not list((src / "hanparse").rglob("*.so"))
    env = dict(os.environ)
    env.pop("HANPARSE_PURE_PYTHON", None)
    # Import the copy, not an editable install of the checkout (its finder
    # would take precedence over the working directory).
    probe = (
        "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
        "sys.path.insert(0, %r); import hanparse; print(hanparse.IMPLEMENTATION, hanparse.__file__)" % str(src)
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=src, env=env, capture_output=True, text=True,
                         timeout=120)
    implementation, path = out.stdout.split()
    assert path.startswith(str(src)), path
    assert implementation == "python", out.stderr


def test_required_extensions_make_a_failed_compile_an_error(tmp_path):
    src = _tree(tmp_path)
    proc = _build(src, HANPARSE_REQUIRE_EXTENSIONS="1")
    assert proc.returncode != 0
