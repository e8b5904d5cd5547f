"""Generate docs/api.md from the docstrings of every public hanparse module.

Public modules are the modules of the ``hanparse`` package whose names do
not start with an underscore; their public names are their ``__all__``.
Functions and classes are documented by their own docstring; constants
and type aliases by the ``#:`` comment above their assignment.

    python tools/gen_api_docs.py          # rewrite docs/api.md
    python tools/gen_api_docs.py --check  # exit 1 if docs/api.md is stale

tests/test_docs.py runs the same check and fails on any undocumented name.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path
from typing import Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "api.md"

# Modules whose names have no underscore but are entry points, not APIs.
SKIP = {"hanparse.__main__"}

# Constants whose value depends on the running environment (shown without it).
VOLATILE = {"hanparse.IMPLEMENTATION"}


def public_modules() -> List[str]:
    """Names of every public module of the package, sorted, the package first."""
    sys.path.insert(0, str(ROOT))
    import hanparse

    names = ["hanparse"]
    for info in pkgutil.walk_packages(hanparse.__path__, "hanparse."):
        parts = info.name.split(".")
        if any(p.startswith("_") for p in parts) or info.name in SKIP:
            continue
        names.append(info.name)
    return sorted(names, key=lambda n: (n != "hanparse", n))


def _comment_in(path: Path, name: str) -> Optional[str]:
    """The ``#:`` comment lines right above ``name = ...`` in one source file."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    pattern = re.compile(r"^%s\s*(:[^=]*)?=" % re.escape(name))
    for i, line in enumerate(lines):
        if pattern.match(line):
            doc = []
            j = i - 1
            while j >= 0 and lines[j].lstrip().startswith("#:"):
                doc.insert(0, lines[j].lstrip()[2:].strip())
                j -= 1
            if doc:
                return " ".join(doc)
    return None


def _comment_doc(module, name: str, obj) -> Optional[str]:
    """Documentation of a constant: its ``#:`` comment (in the module or, for a
    re-export, the module that defines it), or a construct's ``docs``."""
    docs = getattr(obj, "docs", None)
    if isinstance(docs, str) and docs.strip():
        return inspect.cleandoc(docs)
    own = getattr(module, "__file__", None)
    if own:
        found = _comment_in(Path(own), name)
        if found:
            return found
    for path in sorted((ROOT / "hanparse").rglob("*.py")):
        found = _comment_in(path, name)
        if found:
            return found
    return None


def _own_doc(obj) -> Optional[str]:
    if inspect.isclass(obj):
        doc = vars(obj).get("__doc__")
    else:
        doc = getattr(obj, "__doc__", None)
    return inspect.cleandoc(doc) if doc and doc.strip() else None


def _signature(obj) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def describe(modname: str) -> Iterator[Tuple[str, str, Optional[str]]]:
    """(name, heading, doc) for each public name of a module; doc None = undocumented."""
    module = importlib.import_module(modname)
    for name in getattr(module, "__all__", ()):
        obj = getattr(module, name)
        if inspect.isclass(obj):
            # Enum and exception signatures come from the standard library and
            # differ between Python versions: leave them out.
            plain = issubclass(obj, BaseException) or issubclass(obj, enum.Enum)
            heading = "class %s.%s%s" % (modname, name, "" if plain else _signature(obj))
            yield name, heading, _own_doc(obj)
        elif inspect.isfunction(obj) or inspect.isbuiltin(obj) or inspect.ismethod(obj) or callable(obj) and \
                hasattr(obj, "__wrapped__"):
            yield name, "%s.%s%s" % (modname, name, _signature(obj)), _own_doc(obj)
        elif inspect.ismodule(obj):
            yield name, "%s.%s (module)" % (modname, name), _own_doc(obj)
        else:
            doc = _comment_doc(module, name, obj)
            if "%s.%s" % (modname, name) in VOLATILE:
                yield name, "%s.%s" % (modname, name), doc
                continue
            value = repr(obj)
            if len(value) > 70:
                value = value[:67] + "..."
            yield name, "%s.%s = %s" % (modname, name, value), doc


def render() -> Tuple[str, List[str]]:
    """The Markdown text and the list of undocumented public names."""
    missing: List[str] = []
    out = [
        "# API reference",
        "",
        "Generated from the docstrings by `python tools/gen_api_docs.py`; do not edit by hand.",
        "Everything listed here is public and stable; names starting with `_` are not.",
        "",
    ]
    mods = public_modules()
    out.append("Modules: " + ", ".join("[`%s`](#%s)" % (m, m.replace(".", "")) for m in mods))
    out.append("")
    for modname in mods:
        module = importlib.import_module(modname)
        out.append("## %s" % modname)
        out.append("")
        mdoc = _own_doc(module)
        if mdoc:
            out.append(mdoc)
            out.append("")
        else:
            missing.append(modname)
        for name, heading, doc in describe(modname):
            out.append("### `%s`" % heading)
            out.append("")
            if doc is None:
                missing.append("%s.%s" % (modname, name))
                out.append("*(undocumented)*")
            else:
                out.append(doc)
            out.append("")
    return "\n".join(out).rstrip() + "\n", missing


def main(argv: List[str]) -> int:
    text, missing = render()
    if missing:
        print("undocumented public names:\n  " + "\n  ".join(missing), file=sys.stderr)
    if "--check" in argv:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print("docs/api.md is stale: run python tools/gen_api_docs.py", file=sys.stderr)
            return 1
        return 1 if missing else 0
    OUT.write_text(text, encoding="utf-8")
    print("wrote %s (%d lines)" % (OUT.relative_to(ROOT), text.count("\n")))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
