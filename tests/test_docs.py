"""The documentation is true: every example runs, every public name is documented.

* Every ```python block of README.md and docs/*.md runs (from the repository
  root, in a fresh namespace per file, blocks of one file in order) without
  raising.  Assertions inside the examples state what they show.
* Every ```console block's ``$ hanparse ...`` (or ``$ python -m hanparse ...``)
  commands run through
  ``python -m hanparse``; when the block shows output, the output is compared
  line by line (trailing spaces ignored).
* Every public name (``__all__`` of every module without a leading
  underscore) has a docstring or a ``#:`` comment, and docs/api.md is what
  tools/gen_api_docs.py generates from them.
* The ``>>>`` examples in the public modules' docstrings pass as doctests.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
BLOCK = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.S | re.M)

sys.path.insert(0, str(ROOT / "tools"))
import gen_api_docs  # noqa: E402


def _blocks(path: Path, lang: str):
    return [m.group(2) for m in BLOCK.finditer(path.read_text(encoding="utf-8")) if m.group(1) == lang]


def _with_python_blocks():
    return [p for p in DOCS if _blocks(p, "python")]


@pytest.mark.parametrize("path", _with_python_blocks(), ids=lambda p: p.name)
def test_python_examples_run(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    namespace = {"__name__": "__doc_example__"}
    for i, code in enumerate(_blocks(path, "python")):
        try:
            exec(compile(code, "%s[python block %d]" % (path.name, i + 1), "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the failure message is the point
            pytest.fail("%s, python block %d failed: %r\n%s" % (path.name, i + 1, exc, code))


def _console_commands(code: str):
    """[(argv, expected output lines or None)] of the ``$ hanparse`` lines of a block."""
    out = []
    current = None
    for line in code.splitlines():
        if line.startswith("$ "):
            cmd = line[2:].strip()
            current = None
            argv = shlex.split(cmd)
            if argv[:3] == ["python", "-m", "hanparse"]:
                argv = argv[2:]
            if argv[:1] == ["hanparse"]:
                current = (argv[1:], [])
                out.append(current)
        elif current is not None:
            current[1].append(line.rstrip())
    return out


def _console_cases():
    cases = []
    for path in DOCS:
        for i, code in enumerate(_blocks(path, "console")):
            for j, (argv, expected) in enumerate(_console_commands(code)):
                cases.append(pytest.param(argv, expected, id="%s-%d-%d" % (path.name, i + 1, j + 1)))
    return cases


@pytest.mark.parametrize("argv,expected", _console_cases())
def test_console_examples_run(argv, expected):
    env = dict(os.environ, NO_COLOR="1", COLUMNS="100")
    proc = subprocess.run([sys.executable, "-m", "hanparse"] + argv, cwd=ROOT, capture_output=True, text=True,
                          env=env, timeout=120)
    shown = "\n".join(expected).strip("\n")
    if shown:
        got = "\n".join(line.rstrip() for line in (proc.stdout + proc.stderr).splitlines()).strip("\n")
        # Documented outputs are those of the compiled build; the pure twin
        # prints the same but names itself.
        got = got.replace("implementation python", "implementation cython")
        assert got == shown
    else:
        assert proc.returncode == 0, proc.stderr


def test_every_public_name_is_documented_and_api_md_is_current():
    text, missing = gen_api_docs.render()
    assert missing == [], "undocumented public names: %s" % missing
    current = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert current == text, "docs/api.md is stale: run python tools/gen_api_docs.py"


@pytest.mark.parametrize("modname", gen_api_docs.public_modules())
def test_docstring_examples(modname):
    module = importlib.import_module(modname)
    # The module docstring, then each public name (recursing into classes).
    # Walking the whole module namespace instead would also visit imported
    # helpers such as construct's ``this``, which older doctest versions
    # cannot unwrap.
    tests = doctest.DocTestFinder(recurse=False).find(module)
    finder = doctest.DocTestFinder()
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        if getattr(obj, "__module__", None) == modname and (callable(obj) or inspect.isclass(obj)):
            tests += finder.find(obj, "%s.%s" % (modname, name), module=module, globs=vars(module).copy())
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in tests:
        runner.run(test)
    assert runner.failures == 0


def _meter_rows():
    rows = []
    text = (ROOT / "docs" / "meters.md").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[5].startswith("`") and cells[2] in ("hdlc", "mbus", "apdu", "dsmr"):
            rows.append(pytest.param(cells, id=cells[5].strip("`")))
    return rows


@pytest.mark.parametrize("cells", _meter_rows())
def test_supported_meters_table_is_true(cells):
    """Each row of docs/meters.md: the fixture decodes with that framing, profile and encryption."""
    import hanparse
    from fixture_files import data, entry

    meter, country, framing, profile, encryption, fixture = cells
    e = entry(fixture.strip("`"))
    keys = hanparse.Keys(e["key_hex"], e.get("auth_key_hex")) if e.get("key_hex") else None
    msg = hanparse.parse_frame(data(e), keys)
    assert msg.format == framing
    assert msg.encrypted == (encryption != "none")
    if msg.encrypted:
        sc = encryption.split("SC")[1].split()[0]
        assert msg.security.security_control == int(sc, 16)
    if framing != "dsmr" and not (msg.encrypted and msg.readings and msg.readings[0].obis.a == 1
                                  and framing == "apdu" and msg.meter.profile is None):
        assert msg.meter.profile == profile
    assert len(msg.readings) > 0
