"""Shared test fixtures: implementation parametrization and fixture files."""

from __future__ import annotations

import importlib

import pytest

from hanparse import _impl


def implementations(pair: str):
    """[(label, module)] for the twins of ``pair`` importable here.

    The pure-Python twin always; the compiled one when it is built.  CI
    checks separately that the compiled modules exist (IMPLEMENTATION).
    """
    found = [("python", _impl.pure(pair))]
    try:
        found.append(("cython", _impl.native(pair)))
    except ImportError:
        pass
    return found


def _impl_params(pair: str):
    return [pytest.param(mod, id=label) for label, mod in implementations(pair)]


@pytest.fixture(params=_impl_params("core"))
def core(request):
    """The low-level core module (CRC, framing loops), once per implementation."""
    return request.param


@pytest.fixture
def use_core(core, monkeypatch):
    """Make the public framing modules run on ``core`` for this test."""
    for name in (
        "hanparse.crc",
        "hanparse.hdlc",
        "hanparse.mbus",
        "hanparse.dsmr",
        "hanparse.dsmr.framing",
        "hanparse._wire.scanner",
    ):
        try:
            mod = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(mod, "_core"):
            monkeypatch.setattr(mod, "_core", core)
    return core
