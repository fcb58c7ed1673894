"""The hub's one error tree: every exception it defines is a `HubError`, and every key it raises is
registered in Chinese and English, so an officer reads every refusal in the chosen language and the
command line prints it in English."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import hub
from floorledger.base import i18n
from hub.errors import HubError

HUB_DIR = Path(hub.__file__).parent
KEY_RE = re.compile(r"[a-z0-9_]+(\.[a-z0-9_]+)+")

# Private classes that only carry control flow inside their module and never reach a user: the JSON
# hook's duplicate key (turned into a CliError by `read_json`), SIGTERM turned into a clean stop, and a
# bundle part that is not a proof (turned into a finding of verify-bundle's report).
CONTROL_FLOW = {
    "hub.cli.scenario._DuplicateKeyError",
    "hub.cli.hub._Terminated",
    "hub.audit.bundle._Broken",
    "hub.masterdata.replay._Refused",  # an act replay cannot apply: becomes a finding
}


def _hub_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages([str(HUB_DIR)], prefix="hub."))


def _exception_classes() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for name in _hub_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, BaseException):
                found.append(cls)
    return found


def test_every_exception_class_of_the_hub_is_a_hub_error() -> None:
    """Each exception class defined under hub/ derives from HubError (private control flow aside)."""
    strays = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _exception_classes()
        if not issubclass(cls, HubError) and f"{cls.__module__}.{cls.__qualname__}" not in CONTROL_FLOW
    )
    assert strays == []


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _is_super_init(node: ast.Call) -> bool:
    func = node.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr == "__init__"
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def _raised_keys() -> tuple[set[tuple[str, int, str]], list[str]]:
    """(file, line, key) of every literal key given to a HubError class, and every call that gives a
    finished sentence (an f-string or a text with spaces) where a key belongs."""
    classes = [c for c in _exception_classes() if issubclass(c, HubError)] + [HubError]
    key_first = {c.__name__ for c in classes if c.__init__ is HubError.__init__}
    all_names = {c.__name__ for c in classes}
    keys: set[tuple[str, int, str]] = set()
    sentences: list[str] = []
    for path in sorted(HUB_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(HUB_DIR.parent))
        hub_error_classes = {
            c.name for c in ast.walk(tree) if isinstance(c, ast.ClassDef) and c.name in all_names
        }
        for cls_node in ast.walk(tree):
            if isinstance(cls_node, ast.ClassDef) and cls_node.name in hub_error_classes:
                for node in ast.walk(cls_node):
                    if isinstance(node, ast.Call) and _is_super_init(node) and node.args:
                        first = node.args[0]
                        if isinstance(first, ast.Constant) and isinstance(first.value, str):
                            keys.add((where, node.lineno, first.value))
                    if isinstance(node, ast.FunctionDef) and node.name == "__init__":
                        for default in (*node.args.defaults, *node.args.kw_defaults):
                            # an empty default is an absent detail, not a key
                            if (
                                isinstance(default, ast.Constant)
                                and isinstance(default.value, str)
                                and default.value
                            ):
                                keys.add((where, node.lineno, default.value))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _call_name(node)
            if name not in all_names:
                continue
            for kw in node.keywords:
                if kw.arg == "key" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    keys.add((where, node.lineno, kw.value.value))
            if name not in key_first or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                keys.add((where, node.lineno, first.value))
            elif isinstance(first, ast.JoinedStr | ast.BinOp):
                sentences.append(f"{where}:{node.lineno}: {name}(<a sentence, not a key>)")
    return keys, sentences


def test_every_key_raised_in_the_hub_is_registered_in_chinese_and_english() -> None:
    """Every literal key handed to a HubError is key-shaped and has a Chinese and an English text."""
    for name in _hub_modules():  # the texts register when the modules that raise them are imported
        importlib.import_module(name)
    keys, sentences = _raised_keys()
    assert keys, "the scan found no keys at all: it is broken"
    known = i18n.keys()
    no_english = set(i18n.missing_english())
    problems: list[str] = []
    for where, line, key in sorted(keys):
        if not KEY_RE.fullmatch(key):
            problems.append(f"{where}:{line}: {key!r} is a sentence, not a key")
        elif key not in known:
            problems.append(f"{where}:{line}: {key!r} is not registered")
        elif key in no_english:
            problems.append(f"{where}:{line}: {key!r} has no English")
    assert problems + sentences == []


@pytest.mark.parametrize(
    ("error", "english"),
    [
        (
            "hub.kiosks.enrollment:EnrollmentError:kiosks.enroll.no_hello",
            "kiosk K1 has not said hello; start it and check the network",
        ),
        ("hub.ledger.merkle:ProofError:proof.leaf_outside", "leaf 4 is outside a tree of 3"),
    ],
)
def test_an_error_reads_in_english_on_the_command_line_and_in_chinese_on_the_dashboard(
    error: str, english: str
) -> None:
    """`str(err)` is the English line the CLI prints; `text("zh")` is what an officer sees by default."""
    module, cls_name, key = error.split(":")
    cls = getattr(importlib.import_module(module), cls_name)
    err = cls(key, kiosk="K1", index=4, size=3)
    assert str(err) == english
    assert err.text("zh") not in (english, key)
