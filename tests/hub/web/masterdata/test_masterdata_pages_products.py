"""Master data · products and standard times: the history is shown, each change has a reason and is
ledgered, bad values are refused with a clear message, and only the labor section may change times.

The helpers at the top are shared by the other master-data page tests (imported by name).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nicegui import ui
from nicegui.testing.user import User

from hub.ledger import entries as ledger
from hub.masterdata import service as md
from hub.store.masterdata import Assignment, Product, RuleSetVersion, StandardTime
from hub.store.schema import prepare
from hub.store.web import User as Account
from hub.web.masterdata.pages import register_masterdata
from protocol.signing import Signer
from tests.hub.conftest_web import StepClock, add_officers, hub_db, login, make_context, seed_site, web_user
from tests.hub.masterdata import test_masterdata_store as store


class Site:
    """A real SQLite hub with a signed ledger, the seeded site and the officers of conftest_web."""

    def __init__(self, tmp_path: Path) -> None:
        self.db = hub_db(tmp_path / "hub.db")
        seed_site(2)
        self.clock = StepClock()
        self.ledger = ledger.Ledger(self.db, Signer.generate(), self.clock)
        self.ctx = make_context(self.db, self.clock, ledger=self.ledger)
        # The hub's own MasterData, built as hub/app.py builds it (ledger hook, hub clock).
        self.store = md.MasterData(
            self.db,
            month_locked=store.month_lock(self.db),
            record_act=self.ledger.record_act,
            clock_ms=self.clock,
        )

        prepare(self.db)
        add_officers(self.ctx)
        with self.db.atomic():  # one fsync
            for step, seconds in (("S1", "60"), ("S2", "45")):
                StandardTime.create(
                    product="P1",
                    step=step,
                    valid_from="2025-01-01",
                    seconds=seconds,
                    reason="初始",
                    created_ms=1,
                )
            # Today's posts (2025-11-29 in Shanghai): what a line officer's scope is made of.
            for inmate, line in (("A1001", "A1"), ("A1002", "A1"), ("A2001", "A2"), ("B1001", "B1")):
                Assignment.create(
                    inmate=inmate, line=line, product="P1", step="S1", valid_from="2025-11-01", created_ms=1
                )

    def actions(self) -> list[str]:
        return [e.action for e in self.ledger.entries()]

    def close(self) -> None:
        self.db.close()


def open_site(tmp_path: Path) -> Iterator[Site]:
    site = Site(tmp_path)
    yield site
    site.close()


def web(site: Site) -> Any:
    return web_user(site.ctx, before=lambda: register_masterdata(site.ctx, site.store))


def rows(user: User, marker: str) -> list[dict[str, Any]]:
    """The rows of the newest table with `marker` (a refreshed table replaces the old element)."""
    newest = max(user.find(kind=ui.table, marker=marker).elements, key=lambda e: e.id)
    return list(newest.rows)  # type: ignore[attr-defined]


def choose(user: User, marker: str, value: str) -> None:
    user.find(kind=ui.select, marker=marker).elements.pop().set_value(value)  # type: ignore[attr-defined]


def fill(user: User, **fields: str) -> None:
    """Set inputs by marker (underscores in the keyword become dashes), replacing what is there."""
    for marker, value in fields.items():
        element = user.find(marker=marker.replace("_", "-")).elements.pop()
        element.set_value(value)  # type: ignore[attr-defined]


def html_elements(user: User) -> list[Any]:
    """Every raw-HTML element on the page (names must never be in one)."""
    return [e for e in user.client.elements.values() if isinstance(e, ui.html)]  # type: ignore[union-attr]


async def click_and_see(user: User, button: str, text: str) -> None:
    """Click and wait for a new notification holding `text` (earlier ones do not count)."""
    before = len(user.notify.messages)
    user.find(marker=button).click()
    for _ in range(100):
        if any(text in m for m in user.notify.messages[before:]):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"no notification with {text!r}; got {user.notify.messages[before:]}")


async def settle() -> None:
    """Let an action that was refused (or saved in a worker thread) finish before asserting."""
    await asyncio.sleep(0.1)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from open_site(tmp_path)


def times(product: str = "P1", step: str = "S1") -> list[tuple[str, str, str]]:
    query = StandardTime.select().where((StandardTime.product == product) & (StandardTime.step == step))
    return sorted((s.valid_from, s.seconds, s.reason) for s in query)


async def test_products_page_shows_products_steps_and_standard_time_history(site: Site) -> None:
    """Any officer in scope sees the products, their steps and every standard-time version with its reason."""
    async with web(site) as user:
        await login(user, "off_a1")
        await user.open("/masterdata")
        assert rows(user, "md-products") == [{"code": "P1", "name": "工装裤", "steps": "S1 缝裤腰 / S2 锁边"}]
        history = rows(user, "md-standard-times")
        assert [(r["step"], r["valid_from"], r["seconds"], r["reason"]) for r in history] == [
            ("S1 缝裤腰", "2025-01-01", "60", "初始"),
            ("S2 锁边", "2025-01-01", "45", "初始"),
        ]
        await user.should_see("您的角色只能查看本页数据。")
        await user.should_not_see(marker="st-save")


async def test_labor_section_changes_a_standard_time_with_a_reason_and_it_is_ledgered(site: Site) -> None:
    """A new version from a date on: both versions stay visible, the act is in the ledger with its reason."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        choose(user, "st-product", "P1")
        fill(user, st_step="S1", st_seconds="55.5", st_from="2025-12-01", st_reason="工艺改进")
        await click_and_see(user, "st-save", "已保存")
        history = [(r["step"], r["valid_from"], r["seconds"]) for r in rows(user, "md-standard-times")]
        assert ("S1 缝裤腰", "2025-12-01", "55.5") in history
        assert ("S1 缝裤腰", "2025-01-01", "60") in history
    assert times() == [("2025-01-01", "60", "初始"), ("2025-12-01", "55.5", "工艺改进")]
    entry = site.ledger.entries()[-1]
    assert (entry.action, entry.actor, entry.subject) == ("standard_time.set", "labor", "P1/S1")
    assert "工艺改进" in entry.payload


async def test_a_bad_standard_time_is_refused_with_a_message_and_changes_nothing(site: Site) -> None:
    """0, negative, not a number, empty, a date in the wrong format, no or an oversize reason: refused."""
    cases = [
        ("0", "2025-12-01", "原因", "标准工时必须大于 0"),
        ("-5", "2025-12-01", "原因", "标准工时必须大于 0"),
        ("abc", "2025-12-01", "原因", "标准工时(秒)必须是数字"),
        ("", "2025-12-01", "原因", "请填写标准工时(秒)"),
        ("60", "2025/12/01", "原因", "生效日期格式错误"),
        ("60", "20251201", "原因", "生效日期格式错误"),
        ("60", "2025-02-30", "原因", "生效日期格式错误"),
        ("60", "2025-12-01", "", "请填写原因"),
        ("60", "2025-12-01", "理" * 201, "原因过长"),
    ]
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        choose(user, "st-product", "P1")
        for seconds, day, reason, message in cases:
            fill(user, st_step="S1", st_seconds=seconds, st_from=day, st_reason=reason)
            await click_and_see(user, "st-save", message)
    assert times() == [("2025-01-01", "60", "初始")]
    assert site.actions() == []


async def test_an_unknown_step_is_refused_by_the_master_data(site: Site) -> None:
    """A step the product does not have: the reason from the master data is shown, nothing is stored."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        choose(user, "st-product", "P1")
        fill(user, st_step="S9", st_seconds="50", st_from="2025-12-01", st_reason="测试")
        await click_and_see(user, "st-save", "未保存")
    assert StandardTime.select().count() == 2
    assert site.actions() == []


async def test_a_line_officer_cannot_change_a_standard_time_even_with_the_form_open(site: Site) -> None:
    """The server refuses the click: the labor officer's account became a line officer's after the
    page was opened, and the change is refused by the guard, not by a hidden button."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        Account.update(role="line_officer", lines="A1").where(Account.username == "labor").execute()
        choose(user, "st-product", "P1")
        fill(user, st_step="S1", st_seconds="30", st_from="2025-12-01", st_reason="想改")
        await click_and_see(user, "st-save", "无权访问")
    assert times() == [("2025-01-01", "60", "初始")]
    assert site.actions() == []


async def test_area_heads_and_line_officers_get_no_standard_time_form(site: Site) -> None:
    """Only the labor section is offered the standard-time, product and rule-set forms."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata")
        await user.should_see(marker="md-standard-times")
        for marker in ("st-save", "product-save", "rs-save"):
            await user.should_not_see(marker=marker)


async def test_an_admin_is_refused_the_master_data_pages(site: Site) -> None:
    """Admins manage users and kiosks, not master data: every master-data page refuses them."""
    async with web(site) as user:
        await login(user, "admin")
        for path in ("/masterdata", "/masterdata/lines", "/masterdata/inmates", "/masterdata/import"):
            await user.open(path)
            await user.should_see(marker="refused")


async def test_labor_section_adds_a_product_with_steps_and_the_name_stays_text(site: Site) -> None:
    """A product with two steps and their standard times; HTML in its name is stored and shown as text."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        fill(
            user,
            product_code="P2",
            product_name="<b>马甲</b>",
            product_from="2025-12-01",
            product_reason="新订单",
            product_steps="T1,裁剪,30\nT2,缝合,90.5",
        )
        await click_and_see(user, "product-save", "已保存")
        assert {"code": "P2", "name": "<b>马甲</b>", "steps": "T1 裁剪 / T2 缝合"} in rows(
            user, "md-products"
        )
        assert not any("<b>" in e.content for e in html_elements(user))
    assert times("P2", "T2") == [("2025-12-01", "90.5", "新订单")]
    assert site.actions() == ["product.add"]


async def test_a_product_with_bad_steps_is_refused(site: Site) -> None:
    """No steps, a zero standard time, a short line or a bad step code: refused, nothing stored."""
    cases = [
        ("", "请填写工序"),
        ("T1,裁剪,0", "标准工时必须大于 0"),
        ("T1,裁剪", "请填写工序"),
        ("T 1,裁剪,5", "工序只能包含字母"),
    ]
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        fill(user, product_code="P2", product_name="马甲", product_from="2025-12-01", product_reason="x")
        for steps, message in cases:
            fill(user, product_steps=steps)
            await click_and_see(user, "product-save", message)
    assert Product.select().count() == 1
    assert site.actions() == []


async def test_labor_section_adds_a_rule_set_version_and_a_bad_month_is_refused(site: Site) -> None:
    """A rule-set version from a month on is ledgered; a month in the wrong format changes nothing."""
    from hub.engine.rules import PARAM_NAMES

    name = next(iter(PARAM_NAMES))
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        fill(user, rs_version="site-1", rs_month="2025/12", rs_reason="上级文件", rs_parameters=f"{name}=95")
        await click_and_see(user, "rs-save", "未保存")
        assert RuleSetVersion.select().count() == 0
        fill(user, rs_month="2025-12")
        await click_and_see(user, "rs-save", "已保存")
        assert [r["version"] for r in rows(user, "md-rule-sets")] == ["site-1"]
    assert site.actions() == ["rule_set.add"]


def test_every_master_data_text_key_used_exists_in_chinese_and_english() -> None:
    """No master-data page or import error falls back to a bare key or to Chinese in English."""
    import re

    from floorledger.base import i18n
    from hub.masterdata import csv_import
    from hub.web.masterdata import csv_page as masterdata_import
    from hub.web.masterdata import texts as masterdata_texts

    assert all(words["zh"] and words.get("en") for words in masterdata_texts.TEXTS.values())
    sources = [Path(masterdata_texts.__file__).parent.glob("*.py"), [Path(csv_import.__file__)]]
    used: set[str] = set()
    for group in sources:
        for path in group:
            used |= set(re.findall(r"""["'](md\.[a-z_]+(?:\.[a-z_]+)+)["']""", path.read_text()))
    assert len(used) > 70
    # the import preview's column titles are built from the CSV columns
    used |= {f"md.f.{masterdata_import._label(c)}" for c in csv_import.INMATE_COLUMNS}
    used |= {f"md.f.{masterdata_import._label(c)}" for c in csv_import.STANDARD_TIME_COLUMNS}
    assert sorted(used - i18n.keys()) == []
