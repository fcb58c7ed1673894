"""Steps of an existing product: a process change adds a step from a date on (its first standard time
from that date, at a chosen place among the steps), and a step's name is corrected. Both are ledgered;
a step added from a date changes no result before it, and a post on it cannot start earlier.

Domain tests run on SQLite and PostgreSQL (`hub_db`); page tests use the simulated `user` on the
products page (/masterdata) as tests/hub/test_masterdata_pages_products.py does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from hub.engine.model import Month
from hub.masterdata import checks as md_checks
from hub.masterdata import service as md
from hub.masterdata.queries import assignment_on, engine_products, engine_standard_times, step_names, steps_of
from hub.results import worker as rs
from hub.store.masterdata import StandardTime
from hub.store.schema import MASTERDATA_MODELS
from hub.store.web import User as Account
from tests.hub.conftest_web import login
from tests.hub.masterdata import test_masterdata_store as store
from tests.hub.masterdata.test_masterdata_locks import _lock
from tests.hub.web.masterdata.test_masterdata_pages_products import (
    Site,
    choose,
    click_and_see,
    fill,
    open_site,
    rows,
    settle,
    times,
    web,
)

hub_url = store.hub_url  # the shared database fixtures
hub_db = store.hub_db
Acts = store.Acts
small_site = store.small_site

OCT = Month.parse("2026-10")
LOCKED = "2026-10 月 A1 的月考核已审批锁定"


def _snapshot() -> list[list[tuple[Any, ...]]]:
    return [list(model.select().order_by(model._meta.primary_key).tuples()) for model in MASTERDATA_MODELS]


def _refused(acts: Acts, change: Callable[[], Any], match: str, lang: str = "en") -> None:
    """The change raises MasterDataError whose text in `lang` matches `match`, leaves every table as it
    was, ledgers nothing."""
    before, entries = _snapshot(), len(acts.acts)
    with pytest.raises(md_checks.MasterDataError) as refused:
        change()
    assert re.search(match, refused.value.text(lang)), refused.value.text(lang)
    assert _snapshot() == before, "a refused change left a row behind"
    assert len(acts.acts) == entries, "a refused change reached the ledger"


def _results(month: Month) -> dict[tuple[str, str], tuple[str, ...]]:
    """What the board shows of each stored day: (inmate, day) -> post and numbers."""
    return {
        (r.inmate, r.day): (
            r.line,
            r.product,
            r.step,
            r.standard_seconds,
            r.standard_from,
            r.quota_units,
            r.done_units,
        )
        for r in rs.month_rows(month)
    }


def _step_codes(product: str = "SHIRT") -> list[str]:
    return [s.code for s in steps_of(product)]


# --- domain ------------------------------------------------------------------------------------------


def test_a_step_added_from_the_15th_gives_results_from_the_15th_and_changes_nothing_before(
    hub_db: pw.Database,
) -> None:
    """A 质检 step from 2026-10-15 with P3 posted to it from the 15th: P3's results from the 15th are on
    the new step with its standard time; every result before the 15th (and other inmates') is unchanged."""
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db))
    small_site(data)
    results = rs.Results(hub_db, today=lambda: date(2026, 10, 31))
    results.recompute_month(OCT)
    before = _results(OCT)
    assert before[("P3", "2026-10-14")][2:6] == ("S1", "60", "2026-10-01", "480.00")

    data.add_step(
        "LS1", "SHIRT", "QC", "质检", "48", valid_from="2026-10-15", reason="新增质检工序", after="S1"
    )
    data.assign("LS1", "P3", line="L1", product="SHIRT", step="QC", valid_from="2026-10-15")
    results.recompute_month(OCT)
    after = _results(OCT)

    assert _step_codes() == ["S1", "QC", "S2"]
    assert set(after) == set(before)
    assert {k: v for k, v in after.items() if k[1] < "2026-10-15"} == {
        k: v for k, v in before.items() if k[1] < "2026-10-15"
    }
    assert {k: v for k, v in after.items() if k[0] != "P3"} == {
        k: v for k, v in before.items() if k[0] != "P3"
    }
    # 480 min x 60 s / 48 s per unit = 600 units a day on the new step
    assert after[("P3", "2026-10-15")] == ("L1", "SHIRT", "QC", "48", "2026-10-15", "600.00", "0.00")
    assert after[("P3", "2026-10-30")][2:6] == ("QC", "48", "2026-10-15", "600.00")


def test_a_post_on_a_step_cannot_start_before_its_first_standard_time(hub_db: pw.Database) -> None:
    """A post on the new step from the 14th (one day before its standard time) is refused and stores
    nothing, as is a post on an original step before the product's first date: on such a day the engine
    could not compute the line at all. From the step's first day the post is accepted."""
    acts = Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    small_site(data)
    data.add_step("LS1", "SHIRT", "QC", "质检", "48", valid_from="2026-10-15", reason="新增质检工序")
    _refused(
        acts,
        lambda: data.assign("LS1", "P3", line="L1", product="SHIRT", step="QC", valid_from="2026-10-14"),
        "standard time only from 2026-10-15",
    )
    _refused(
        acts,
        lambda: data.assign("LS1", "P3", line="L1", product="SHIRT", step="S1", valid_from="2026-09-30"),
        "standard time only from 2026-10-01",
    )
    data.assign("LS1", "P3", line="L1", product="SHIRT", step="QC", valid_from="2026-10-15")
    assert assignment_on("P3", date(2026, 10, 15)).step == "QC"
    assert assignment_on("P3", date(2026, 10, 14)).step == "S1"


def test_adding_a_step_is_ledgered_with_what_replays_it_and_goes_last_by_default(hub_db: pw.Database) -> None:
    """The act `step.add` carries product, code, name, seconds, date, reason, place and time; without `after`
    the step goes last; listeners hear of it; the first standard time is stored with the reason."""
    acts = Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    heard: list[str] = []
    data.on_change(heard.append)
    small_site(data)
    data.add_step("LS1", "SHIRT", "PK", " 包装 ", "30.50", valid_from=date(2026, 10, 15), reason="新增包装")
    assert acts.acts[-1] == (
        "LS1",
        "step.add",
        "SHIRT/PK",
        {
            "product": "SHIRT",
            "code": "PK",
            "name": "包装",
            "seconds": "30.5",
            "from": "2026-10-15",
            "reason": "新增包装",
            "after": None,
            "position": 2,
            # the time the version row stores, so `floorledger verify` rebuilds the row exactly
            "created_ms": StandardTime.get(StandardTime.step == "PK").created_ms,
        },
    )
    assert heard[-1] == "step.add"
    assert _step_codes() == ["S1", "S2", "PK"]
    assert step_names()[("SHIRT", "PK")] == "包装"
    versions = [(s.valid_from.isoformat(), str(s.seconds)) for s in engine_standard_times() if s.step == "PK"]
    assert versions == [("2026-10-15", "61/2")]
    assert [p.steps for p in engine_products()] == [("S1", "S2", "PK")]
    # A step placed first-after-S1 moves S2 and PK one place down.
    data.add_step("LS1", "SHIRT", "QC", "质检", "48", valid_from="2026-10-15", reason="r", after="S1")
    assert _step_codes() == ["S1", "QC", "S2", "PK"]
    assert acts.acts[-1][3]["after"] == "S1"


def test_bad_new_steps_are_refused_and_change_nothing(hub_db: pw.Database) -> None:
    """Unknown product, a code the product already has, a bad or zero time, no reason, no name, a bad
    date or an unknown `after`: each is refused with a message naming the field, and nothing is stored."""
    acts = Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    small_site(data)

    def add(**given: Any) -> Callable[[], None]:
        values: dict[str, Any] = {
            "product": "SHIRT",
            "code": "QC",
            "name": "质检",
            "seconds": "48",
            "valid_from": "2026-10-15",
            "reason": "新增质检工序",
        }
        values.update(given)
        product, code, name, seconds = (values.pop(k) for k in ("product", "code", "name", "seconds"))
        return lambda: data.add_step("LS1", product, code, name, seconds, **values)

    _refused(acts, add(product="PANTS"), "product: unknown product 'PANTS'")
    _refused(acts, add(code="S2"), "code: product 'SHIRT' already has a step 'S2'")
    _refused(acts, add(code=" "), "code: a step needs a code")
    _refused(acts, add(code="Q C"), "code: at most 64 characters, no spaces")
    _refused(acts, add(seconds="0"), "seconds: must be a positive number")
    _refused(acts, add(seconds="abc"), "seconds: not a number")
    _refused(acts, add(reason="  "), "reason: a new step needs a reason")
    _refused(acts, add(name=""), "name: a step needs a name")
    _refused(acts, add(valid_from="2026/10/15"), "valid_from: not a date")
    _refused(acts, add(after="S9"), "after: unknown step 'S9'")


def test_a_step_dated_in_a_locked_month_is_refused_and_after_it_accepted(hub_db: pw.Database) -> None:
    """With October locked for A1 (whose line L1 makes SHIRT), a SHIRT step from 2026-10-15 is refused
    with the locked message; from November it goes through; a product no locked area makes is free."""
    acts = Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    small_site(data)
    data.add_product("admin", "PANTS", "裤子", [("T1", "裁片", "50")], valid_from="2026-10-01")
    _lock(hub_db, OCT, "A1")
    _refused(
        acts,
        lambda: data.add_step("LS1", "SHIRT", "QC", "质检", "48", valid_from="2026-10-15", reason="新增质检"),
        LOCKED,
        "zh",
    )
    _refused(
        acts,
        lambda: data.add_step("LS1", "SHIRT", "QC", "质检", "48", valid_from="2026-09-01", reason="新增质检"),
        LOCKED,
        "zh",
    )
    data.add_step("LS1", "SHIRT", "QC", "质检", "48", valid_from="2026-11-01", reason="新增质检")
    data.add_step("LS1", "PANTS", "T2", "锁边", "40", valid_from="2026-10-15", reason="新增工序")
    assert [a[1] for a in acts.acts[-2:]] == ["step.add", "step.add"]
    assert _step_codes() == ["S1", "S2", "QC"]
    # A name is display only: renaming in the locked month is not refused.
    data.rename_step("LS1", "SHIRT", "S1", "裁片（新）")
    assert step_names()[("SHIRT", "S1")] == "裁片（新）"


def test_renaming_a_step_changes_its_name_only_and_is_ledgered(hub_db: pw.Database) -> None:
    """`step.rename` records the new and old name; code, place, standard times and results stay; the
    same name again records nothing; an unknown step or an empty name is refused."""
    acts = Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    small_site(data)
    results = rs.Results(hub_db, today=lambda: date(2026, 10, 31))
    results.recompute_month(OCT)
    before, versions = _results(OCT), engine_standard_times()

    data.rename_step("LS1", "SHIRT", "S2", " 做领（翻领） ")
    assert acts.acts[-1] == (
        "LS1",
        "step.rename",
        "SHIRT/S2",
        {"product": "SHIRT", "step": "S2", "name": "做领（翻领）", "old": "做领"},
    )
    assert step_names()[("SHIRT", "S2")] == "做领（翻领）"
    assert _step_codes() == ["S1", "S2"]
    assert engine_standard_times() == versions
    results.recompute_month(OCT)
    assert _results(OCT) == before

    entries = len(acts.acts)
    data.rename_step("LS1", "SHIRT", "S2", "做领（翻领）")
    assert len(acts.acts) == entries
    _refused(acts, lambda: data.rename_step("LS1", "SHIRT", "S9", "x"), "step: unknown step 'S9'")
    _refused(acts, lambda: data.rename_step("LS1", "PANTS", "S1", "x"), "step: unknown step 'S1'")
    _refused(acts, lambda: data.rename_step("LS1", "SHIRT", "S1", " "), "name: a step needs a name")


# --- the products page ---------------------------------------------------------------------------------


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from open_site(tmp_path)


def _options(user: Any, marker: str) -> dict[str, str]:
    return dict(user.find(marker=marker).elements.pop().options)


async def test_labor_section_adds_a_step_after_a_chosen_step_and_it_is_shown_and_ledgered(site: Site) -> None:
    """Product P1, after S1, a 质检 step from 2025-12-01: the products table lists it between S1 and S2,
    its standard time appears in the history with the reason, the act is ledgered, and the rename
    choice offers the new step at once."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        choose(user, "step-product", "P1")
        assert _options(user, "step-after") == {
            "*": "排在最后",
            "S1": "排在 S1 缝裤腰 之后",
            "S2": "排在 S2 锁边 之后",
        }
        choose(user, "step-after", "S1")
        fill(
            user,
            step_code="QC",
            step_name="质检",
            step_seconds="30",
            step_from="2025-12-01",
            step_reason="新增质检",
        )
        await click_and_see(user, "step-save", "已保存")
        assert rows(user, "md-products") == [
            {"code": "P1", "name": "工装裤", "steps": "S1 缝裤腰 / QC 质检 / S2 锁边"}
        ]
        history = [
            (r["step"], r["valid_from"], r["seconds"], r["reason"]) for r in rows(user, "md-standard-times")
        ]
        assert ("QC 质检", "2025-12-01", "30", "新增质检") in history
        assert "P1/QC" in _options(user, "rename-step")
    assert times("P1", "QC") == [("2025-12-01", "30", "新增质检")]
    assert site.actions() == ["step.add"]
    entry = site.ledger.entries()[-1]
    assert (entry.actor, entry.subject) == ("labor", "P1/QC")


async def test_labor_section_renames_a_step(site: Site) -> None:
    """Choosing P1 · S2 and a new name: the products table shows the new name, the act is ledgered with
    the old one; saving the same name again says there is nothing to change and records nothing."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        choose(user, "rename-step", "P1/S2")
        fill(user, rename_name="锁边（包缝）")
        await click_and_see(user, "rename-save", "已保存")
        assert rows(user, "md-products")[0]["steps"] == "S1 缝裤腰 / S2 锁边（包缝）"
        choose(user, "rename-step", "P1/S2")
        await click_and_see(user, "rename-save", "没有需要保存的修改")
    assert site.actions() == ["step.rename"]
    assert "锁边" in site.ledger.entries()[-1].payload


async def test_refused_step_inputs_show_a_clear_message_and_change_nothing(site: Site) -> None:
    """A code P1 already has, a zero time, a bad date, no product, no reason, no step or name to rename,
    and a date in a locked month: each shows why, nothing is stored, nothing is ledgered."""
    from hub.review import monthly as assessment

    _lock(site.db, Month.parse("2025-12"), "A")  # lines A1 and A2 of area A make P1
    assert assessment.is_locked(site.db, Month.parse("2025-12"), "A")
    good = {
        "step_code": "QC",
        "step_name": "质检",
        "step_seconds": "30",
        "step_from": "2026-01-05",
        "step_reason": "r",
    }
    cases = [
        ({"step_code": "S1"}, "编号 S1 已存在"),
        ({"step_seconds": "0"}, "标准工时必须大于 0"),
        ({"step_from": "2026/01/05"}, "生效日期格式错误"),
        ({"step_reason": ""}, "请填写原因"),
        ({"step_code": "Q C"}, "工序编号只能包含字母"),
        ({"step_from": "2025-12-10"}, "2025-12 月 A 的月考核已审批锁定"),
    ]
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        fill(user, **good)
        await click_and_see(user, "step-save", "请填写产品")
        choose(user, "step-product", "P1")
        for change, message in cases:
            fill(user, **{**good, **change})
            await click_and_see(user, "step-save", message)
        await click_and_see(user, "rename-save", "请填写工序")
        choose(user, "rename-step", "P1/S1")
        fill(user, rename_name=" ")
        await click_and_see(user, "rename-save", "请填写新名称")
    assert [s.code for s in steps_of("P1")] == ["S1", "S2"]
    assert step_names()[("P1", "S1")] == "缝裤腰"
    assert site.actions() == []


async def test_an_area_head_is_not_offered_the_step_forms(site: Site) -> None:
    """Only the labor section changes products: an area head sees the products but no step form."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata")
        await user.should_see(marker="md-products")
        for marker in ("step-save", "rename-save"):
            await user.should_not_see(marker=marker)


async def test_a_role_that_may_not_change_products_is_refused_on_the_server(site: Site) -> None:
    """A labor officer made line officer after opening the page is refused by the server on click (not
    by a hidden button): no step is added, no name changes, nothing is ledgered."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        Account.update(role="line_officer", lines="A1").where(Account.username == "labor").execute()
        choose(user, "step-product", "P1")
        fill(
            user, step_code="QC", step_name="质检", step_seconds="30", step_from="2026-01-05", step_reason="r"
        )
        await click_and_see(user, "step-save", "无权访问")
        choose(user, "rename-step", "P1/S1")
        fill(user, rename_name="改名")
        await click_and_see(user, "rename-save", "无权访问")
        await settle()
    assert [s.code for s in steps_of("P1")] == ["S1", "S2"]
    assert step_names()[("P1", "S1")] == "缝裤腰"
    assert site.actions() == []
