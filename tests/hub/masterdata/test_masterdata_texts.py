"""Every message master data raises has its words in Chinese and English: the keys written in
hub/masterdata (MasterDataError, ScopeError, csv_import.FieldError and the field names they name) are
all registered, and no error is raised with a ready-made sentence instead of a key."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import hub.masterdata
from floorledger.base import i18n
from hub.masterdata import checks, csv_import, texts

SOURCES = sorted(Path(hub.masterdata.__file__).parent.glob("*.py"))
KEY = re.compile(r"md\.(data|err|csv|f)\.[a-z_]+")
ERRORS = {"MasterDataError", "ScopeError", "FieldError"}


def _keys_in_code() -> set[str]:
    keys = set()
    for path in SOURCES:
        if path.name == "texts.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY.fullmatch(node.value):
                keys.add(node.value)
    return keys


def test_every_key_raised_in_masterdata_is_registered_in_both_languages() -> None:
    keys = _keys_in_code()
    assert len(keys) > 40, "the scan found the keys"
    registered = i18n.keys()
    assert sorted(keys - registered) == []
    assert [k for k in sorted(keys) if not texts.TEXTS[k].get("en") or not texts.TEXTS[k].get("zh")] == []


def test_every_registered_text_names_the_same_values_in_both_languages() -> None:
    """A text's Chinese and English fill in the same values, so neither fails nor drops one."""
    for key, words in texts.TEXTS.items():
        fields = [{f for _, f, _, _ in string.Formatter().parse(words[lang]) if f} for lang in ("zh", "en")]
        assert fields[0] == fields[1], key


def test_errors_are_raised_with_keys_never_with_sentences() -> None:
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS and node.args:
                first = node.args[0]
                assert not isinstance(first, ast.JoinedStr), f"{path.name}:{node.lineno} raises a sentence"
                if isinstance(first, ast.Constant):
                    assert KEY.fullmatch(first.value), f"{path.name}:{node.lineno}: {first.value!r}"


def test_an_error_reads_in_each_language_with_its_values() -> None:
    err = checks.MasterDataError("md.data.unknown_inmate", inmate="P9")
    assert str(err) == "inmate: unknown inmate 'P9'"
    assert err.text("zh") == "没有这名服刑人员:P9"
    field = csv_import.FieldError("md.err.required", field="md.f.inmate_id")
    assert field.text("zh") == "请填写人员编号"
    assert str(field) == "Inmate id is required"
