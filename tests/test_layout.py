"""The package's shape: no import cycles, a re-export-only ``hanparse/__init__.py``,
an explicit subcommand list for the command line.

The import graph is built from the source with :mod:`ast` (nothing is
imported): the modules are ``hanparse/*.py`` and ``hanparse/*/*.py``; the
edges are their module-level imports (also inside top-level ``if`` / ``try``
blocks, but not under ``if TYPE_CHECKING:``), resolved to the hanparse
module they load.  Imports inside functions are deliberately lazy and not
counted, nor is the implicit import of a module's parent packages.
"""

from __future__ import annotations

import argparse
import ast
import importlib
from pathlib import Path
from typing import Dict, List, Set

import hanparse

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hanparse"

#: import cycles tolerated for now, each as the sorted list of the modules of
#: one strongly connected component.  Empty: tighten, never loosen.
ALLOWED_CYCLES: List[List[str]] = []


def _modules() -> Dict[str, Path]:
    """Dotted module name -> source file, for hanparse/*.py and hanparse/*/*.py."""
    out = {}
    for path in sorted(list(PACKAGE.glob("*.py")) + list(PACKAGE.glob("*/*.py"))):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _top_level_imports(tree: ast.Module) -> List[ast.stmt]:
    found: List[ast.stmt] = []
    stack: List[ast.stmt] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If):
            test = node.test
            type_checking = (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
                isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
            if not type_checking:
                stack.extend(node.body)
            stack.extend(node.orelse)
        elif isinstance(node, ast.Try):
            stack.extend(node.body)
            stack.extend(node.orelse)
            stack.extend(node.finalbody)
            for handler in node.handlers:
                stack.extend(handler.body)
    return found


def import_graph() -> Dict[str, Set[str]]:
    """Module -> the hanparse modules its module-level imports load."""
    modules = _modules()
    graph: Dict[str, Set[str]] = {}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        package = name.split(".") if is_package else name.split(".")[:-1]
        deps: Set[str] = set()
        for node in _top_level_imports(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                deps.update(a.name for a in node.names if a.name in modules)
                continue
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = "%s.%s" % (target, alias.name)
                deps.add(sub if sub in modules else target)
        graph[name] = {d for d in deps if d in modules and d != name}
    return graph


def cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def test_graph_sees_the_package():
    graph = import_graph()
    assert {"hanparse", "hanparse.security", "hanparse.dlms.ciphering", "hanparse.cli"} <= set(graph)
    assert "hanparse.security" in graph["hanparse"]
    # the checker does find a cycle when there is one
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    graph = import_graph()
    found = cycles(graph)
    unexpected = [c for c in found if c not in ALLOWED_CYCLES]
    detail = "; ".join(
        " / ".join("%s -> %s" % (m, ", ".join(sorted(graph[m] & set(c)))) for m in c) for c in unexpected)
    assert unexpected == [], "import cycles: %s" % detail
    stale = [c for c in ALLOWED_CYCLES if c not in found]
    assert stale == [], "cycles gone, remove them from ALLOWED_CYCLES: %s" % stale


def test_security_and_ciphering_share_a_leaf():
    graph = import_graph()
    assert "hanparse.security" not in graph["hanparse.dlms.ciphering"]
    assert "hanparse._gcm_header" in graph["hanparse.dlms.ciphering"]
    assert "hanparse._gcm_header" in graph["hanparse.security"]
    assert graph["hanparse._gcm_header"] <= {"hanparse.errors"}
    security = importlib.import_module("hanparse.security")
    ciphering = importlib.import_module("hanparse.dlms.ciphering")
    assert security.CipheredApdu is ciphering.CipheredApdu
    assert security.GENERAL_GLO_CIPHERING == ciphering.GENERAL_GLO_CIPHERING == 0xDB


def _init_tree() -> ast.Module:
    return ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))


def _all_of(tree: ast.Module) -> List[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            return list(ast.literal_eval(node.value))
    raise AssertionError("no __all__")


def test_package_init_only_reexports():
    tree = _init_tree()
    imported: List[str] = []
    for i, node in enumerate(tree.body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom):
            assert node.level == 1, "hanparse/__init__.py imports from outside the package: %s" % ast.dump(node)
            imported.extend(a.asname or a.name for a in node.names)
            continue
        if isinstance(node, ast.Import):
            imported.extend(a.asname or a.name for a in node.names)
            continue
        assert isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"], (
            "hanparse/__init__.py line %d: only imports and __all__ belong here" % node.lineno)
    names = _all_of(tree)
    assert len(names) == len(set(names)), "duplicates in hanparse.__all__"
    assert sorted(names) == sorted(imported), "hanparse.__all__ and the imported names differ"


def test_every_name_in_all_exists():
    for modname in ("hanparse", "hanparse.security", "hanparse.dlms.ciphering", "hanparse._gcm_header",
                    "hanparse._version", "hanparse.cli", "hanparse.cli._common", "hanparse.cli.frames",
                    "hanparse.cli.decode", "hanparse.cli.explain"):
        module = importlib.import_module(modname)
        missing = [n for n in module.__all__ if not hasattr(module, n)]
        assert missing == [], "%s.__all__ names missing: %s" % (modname, missing)


def test_one_version():
    import hanparse
    from hanparse import _version

    assert hanparse.__version__ is _version.__version__
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject
    assert 'version = { attr = "hanparse._version.__version__" }' in pyproject
    assert "\nversion = " not in pyproject.split("[tool.setuptools.dynamic]")[0]


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return actions[0]


def test_cli_subcommands_are_the_argparse_subparsers():
    from hanparse import cli

    names = [c.name for c in cli.SUBCOMMANDS]
    assert isinstance(cli.SUBCOMMANDS, tuple)
    assert len(names) == len(set(names))
    assert list(_subparsers(cli.build_parser()).choices) == names
    # one module per subcommand, holding it as COMMAND
    for cmd in cli.SUBCOMMANDS:
        module = importlib.import_module("hanparse.cli." + cmd.name)
        assert module.COMMAND is cmd


def test_cli_modules_do_not_import_the_package_that_lists_them():
    graph = import_graph()
    subcommand_modules = [m for m in graph if m.startswith("hanparse.cli.")]
    assert set(subcommand_modules) >= {"hanparse.cli._common", "hanparse.cli.frames", "hanparse.cli.decode",
                                       "hanparse.cli.explain"}
    for m in subcommand_modules:
        assert "hanparse.cli" not in graph[m], m
        assert "hanparse.__main__" not in graph[m], m
    assert graph["hanparse.cli._common"].isdisjoint(subcommand_modules)
    # the command line uses no private name of other modules (its own _common aside)
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if (node.level == 1 and node.module == "_common") or node.module == "__future__":
                    continue
                private = [a.name for a in node.names if a.name.startswith("_") and a.name != "__version__"]
                assert not private, "%s imports private names: %s" % (path.name, ast.dump(node))
                # private implementation modules only for what the package does not export
                if any(p.startswith("_") for p in (node.module or "").split(".")):
                    exported = set(hanparse.__all__)
                    assert not [a.name for a in node.names if a.name in exported], (
                        "%s imports from a private module what hanparse exports: %s" % (path.name, ast.dump(node)))
