"""Every dashboard and board text exists in Chinese and English, and every key the code uses exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from floorledger.base import i18n
from hub.accounts import Role
from hub.web import texts
from hub.web.board import page as board
from hub.web.board.model import Status

WEB = Path(texts.__file__).parent


def test_every_web_text_has_chinese_and_english() -> None:
    """No dashboard or board text falls back to a key or to Chinese on the English switch."""
    assert all(words["zh"] and words.get("en") for words in texts.TEXTS.values())


def test_every_key_the_pages_use_is_registered() -> None:
    """Literal keys in the page modules, and the keys built from columns, statuses and roles."""
    for path in WEB.rglob("*_texts.py"):  # every page family registers its own table on import
        importlib.import_module(".".join(("hub", "web", *path.relative_to(WEB).with_suffix("").parts)))
    used = set()
    for path in WEB.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']((?:web|board)\.[a-z_.]*[a-z_])["']""", path.read_text()))
        used |= set(re.findall(r"""add_nav\(\s*["']([a-z_.]+)["']""", path.read_text()))
        used |= set(re.findall(r"""title_key=["']([a-z_.]+)["']""", path.read_text()))
    used |= {f"board.col.{c}" for c in board.COLUMNS}
    used |= {f"board.status.{s.value}" for s in Status}
    used |= {f"web.role.{r.value}" for r in Role}
    used.add("web.login.expired")
    assert len(used) > 60
    assert sorted(used - i18n.keys()) == []
