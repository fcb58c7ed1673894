"""No intra-project import hides inside a function: the import direction is visible at the top of
each module, where `lint-imports` (pyproject `[tool.importlinter]`) checks it.

An import inside a function is how a cycle gets dodged instead of removed. Two kinds stay allowed:
- command-line modules (`cli.py`, `*_cli.py`, `hub/cli/*`, `floorledger/demo/__init__.py`) load a
  subcommand's implementation only when it runs, so `floorledger --help` stays fast;
- an import of a module that needs an optional dependency, listed in `OPTIONAL` with its reason.
Third-party imports are not this test's business.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("floorledger", "protocol", "devices", "kiosk", "hub")

# "path/of/module.py -> imported.module": why it may only be imported when the function runs.
# Nothing needs it today; an entry that no longer matches an import fails the second test.
OPTIONAL: dict[str, str] = {}


def _is_command_module(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return (
        path.name == "cli.py"
        or path.name.endswith("_cli.py")
        or relative.startswith("hub/cli/")
        or relative == "floorledger/demo/__init__.py"
    )


def _imported(node: ast.Import | ast.ImportFrom, package: str) -> list[str]:
    """The intra-project modules `node` imports (relative imports resolved against `package`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] in PACKAGES]
    if node.level:
        base = package.split(".")[: len(package.split(".")) - node.level + 1]
        return [".".join([*base, node.module] if node.module else base)]
    module = node.module or ""
    return [module] if module.split(".")[0] in PACKAGES else []


def _package_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1])


def _function_imports(source: str, package: str) -> list[tuple[int, str]]:
    """(line, module) of each intra-project import made inside a function (or method) of `source`."""
    found: set[tuple[int, str]] = set()
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.update((node.lineno, module) for module in _imported(node, package))
    return sorted(found)


def _project_modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _hidden_imports() -> dict[str, list[int]]:
    """ "path -> module" of every function-level intra-project import outside command modules."""
    hidden: dict[str, list[int]] = {}
    for path in _project_modules():
        if _is_command_module(path):
            continue
        for line, module in _function_imports(path.read_text(encoding="utf-8"), _package_of(path)):
            hidden.setdefault(f"{path.relative_to(ROOT).as_posix()} -> {module}", []).append(line)
    return hidden


def test_no_intra_project_import_inside_a_function() -> None:
    offenders = [
        f"{key} (line {', '.join(map(str, lines))})"
        for key, lines in _hidden_imports().items()
        if key not in OPTIONAL
    ]
    assert not offenders, (
        "imports inside functions (move them to the top, inject a callable, or move the code to its "
        "layer):\n" + "\n".join(offenders)
    )


def test_every_allowed_optional_import_still_exists() -> None:
    stale = sorted(set(OPTIONAL) - set(_hidden_imports()))
    assert not stale, f"OPTIONAL lists imports that are gone: {stale}"


def test_the_rule_sees_imports_in_methods_and_nested_functions() -> None:
    """The checker itself: imports in a method or a nested function count, module-level and
    third-party ones do not, and a relative import is resolved to its module."""
    source = (
        "import kiosk.store\n"
        "class A:\n"
        "    def f(self):\n"
        "        from protocol import records\n"
        "def g():\n"
        "    def h():\n"
        "        import hub.errors\n"
        "    from . import texts\n"
        "    from .ui import page\n"
        "    import json\n"
    )
    assert _function_imports(source, "kiosk") == [
        (4, "protocol"),
        (7, "hub.errors"),
        (8, "kiosk"),
        (9, "kiosk.ui"),
    ]
