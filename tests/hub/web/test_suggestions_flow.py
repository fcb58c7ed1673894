"""From a suggestion to a recorded post change to its measured effect (#17 items 4-5), in the
simulated browser: the suggestion names the inmate by prison number and name with its reason; the
labor section sets the effect's workdays as a new thresholds version; the post change becomes his
post through master data, both signed; after the workdays the actions page compares before and
after for him and his line. And what the signed acts say is what `floorledger verify` checks."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path

import peewee
import pytest
from nicegui.testing.user import User

from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.engine.exact import shown
from hub.ledger.entries import EntryContent, Ledger, parse_entry
from hub.masterdata import queries
from hub.masterdata.replay import replay
from hub.review.actions import Actions
from hub.store import analytics as an
from hub.store.ledger import LedgerEntry
from hub.store.results import DailyResult
from hub.web import WebContext
from tests.hub.conftest_web import PASSWORD, StepClock, hub_db, login, make_context, web_user
from tests.hub.review.test_assessment_domain import HUB_KEY

START = StepClock().ms
DAY_MS = 86_400_000
STEPS = (("S1", "上领", "60"), ("S2", "上袖", "60"), ("S3", "做袖", "60"))


@pytest.fixture
def db(tmp_path: Path) -> Iterator[peewee.Database]:
    database = hub_db(tmp_path / "hub.db")
    yield database
    database.close()


def _result(inmate: str, step: str, day: date, pct: int) -> None:
    """One stored day: a quota of 100 pieces of 60 s, `pct` of it done."""
    quota = Fraction(6000)
    DailyResult.create(
        inmate=inmate, day=day.isoformat(), line="L1", product="SHIRT", step=step, mode="counted",
        standard_seconds="60", standard_from="2025-01-01", quota_std_seconds=str(quota),
        earned_std_seconds=str(quota * pct / 100), done_units_exact=str(pct), quota_units="100",
        done_units=str(pct), diff_units=str(pct - 100), completion_pct=str(pct), rule_set_version="test",
        rule_set_digest="0" * 64, computed_ms=START,
    )  # fmt: skip


def _steady(k: int) -> int:
    return 95 + (7 * k) % 16


@pytest.fixture
def ctx(db: peewee.Database) -> WebContext:
    return planted_site(db)


def planted_site(db: peewee.Database) -> WebContext:
    """L1 (一监区) makes shirts: 上领 held by 3, 上袖 by 4 (P1014 among them), 做袖 by 4 over the last
    60 days. P1014 (32101014 张建国) did 128 % on 上领 for 20 days, then 72 % on 上袖 for 18."""
    clock = StepClock(START)
    context = make_context(db, clock, ledger=Ledger(db, HUB_KEY, clock))
    today = context.today()
    data = masterdata_service(db, record_act=context.record_act, clock_ms=clock)
    data.add_area("seed", "A", "一监区")
    data.add_product("seed", "SHIRT", "衬衫", STEPS, valid_from="2025-01-01")
    data.add_line("seed", "L1", "服装一线", area="A", shift_minutes=480, product="SHIRT")
    crew = {
        "S1": ["P2001", "P2002", "P2003"],
        "S2": ["P2011", "P2012", "P2013"],
        "S3": ["P2021", "P2022", "P2023", "P2024"],
    }
    for step, inmates in crew.items():
        for inmate in inmates:
            data.add_inmate("seed", inmate, number=f"3210{inmate[1:]}", name=f"王{inmate[-2:]}", area="A")
            data.assign("seed", inmate, line="L1", product="SHIRT", step=step, valid_from="2025-01-01")
    data.add_inmate("seed", "P1014", number="32101014", name="张建国", area="A")
    data.assign("seed", "P1014", line="L1", product="SHIRT", step="S2", valid_from="2025-01-01")
    with db.atomic():
        for n in range(1, 61):
            day = today - timedelta(days=n)
            for step, inmates in crew.items():
                for inmate in inmates:
                    _result(inmate, step, day, _steady(n + int(inmate[-1])))
            if n <= 18:
                _result("P1014", "S2", day, 72)
            elif n <= 38:
                _result("P1014", "S1", day, 128)
    for user, role, area in (("labor", Role.LABOR_SECTION, None), ("head", Role.AREA_HEAD, "A")):
        context.accounts.create(
            username=user, password=PASSWORD, role=role, area=area, display_name=f"{user}民警"
        )
    context.accounts.create(
        username="line1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name="赵警官"
    )
    return context


async def _until(user: User, marker: str) -> None:
    for _ in range(100):
        try:
            if user.find(marker=marker).elements:
                return
        except AssertionError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{marker} never showed; notes: {user.notify.messages}; at {user.back_history[-3:]}")


async def _went(user: User, path: str, times: int) -> None:
    """Wait until the page has navigated to `path` (the `times`-th visit of it in this browser)."""
    for _ in range(100):
        if user.back_history.count(path) >= times:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"never went to {path}: {user.back_history}, {user.notify.messages}")


async def _actions_rows(user: User) -> list[dict[str, str]]:
    await user.open("/actions?area=A")
    await _until(user, "actions-table")
    return user.find(marker="actions-table").elements.pop().rows  # type: ignore[attr-defined,no-any-return]


async def test_from_a_suggestion_to_a_post_change_to_its_effect(ctx: WebContext, db: peewee.Database) -> None:
    """The whole flow, each step as an officer sees it (see the module's text)."""
    clock = ctx.clock
    assert isinstance(clock, StepClock)
    today = ctx.today()
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/suggestions?area=A")
        await _until(user, "suggestion-move-P1014")
        await user.should_see("32101014 张建国")
        await user.should_see("在上领上 128%（20天），在上袖上仅 72%（18天）：建议调至上领，上领本周缺 1 人")
        await user.should_see("服装一线：上领本周缺 1 人")
        # the labor section: the effect is measured over 3 workdays from today on (a signed version)
        user.find(marker="settings-version").type("effect-3")
        user.find(marker="settings-effect_workdays").type("3")
        user.find(marker="settings-reason").type("试行：3 个工作日即比较")
        user.find(marker="settings-add").click()
        await _went(user, "/suggestions?area=A", 2)
        await _until(user, "settings-table")
        versions = user.find(marker="settings-table").elements.pop().rows  # type: ignore[attr-defined]
        assert [(v["version"], v["params"], v["from"]) for v in versions] == [
            ("effect-3", "效果比较工作日 3", today.isoformat())
        ]
        # the post change, from the suggestion's button; its reason is the suggestion's
        user.find(marker="act-post-P1014").click()
        reason = user.find(marker="action-reason").elements.pop()
        assert "建议调至上领" in reason.value  # type: ignore[attr-defined]
        user.find(marker="action-save").click()
        await _went(user, "/actions?area=A", 1)
        await _until(user, "actions-table")
        rows = user.find(marker="actions-table").elements.pop().rows  # type: ignore[attr-defined]
        assert [
            (r["number"], r["name"], r["kind"], r["suggested"], r["before"], r["status"]) for r in rows
        ] == [("32101014", "张建国", "调岗", "是", "72%", "已 0/3 个工作日")]
        # the post is his through master data, and both acts are signed
        with db.connection_context():
            post = queries.assignment_on("P1014", today)
            assert post is not None
            assert (post.line, post.step, post.valid_from) == ("L1", "S1", today.isoformat())
            action = an.Action.get()
            assert (action.assignment, action.suggestion) == (post.id, "move:P1014:SHIRT/S1")
            acts = [e.action for e in LedgerEntry.select().order_by(LedgerEntry.entry_index)]
            assert acts[-3:] == ["suggest_settings.add", "assignment.add", "action.record"]
            # three workdays on 上领 for him, the line as before
            for n in range(3):
                _result("P1014", "S1", today + timedelta(days=n), 128)
                for inmate in (
                    "P2001",
                    "P2002",
                    "P2003",
                    "P2011",
                    "P2012",
                    "P2013",
                    "P2021",
                    "P2022",
                    "P2023",
                ):
                    _result(inmate, "S1", today + timedelta(days=n), 100)
        clock.advance(3 * DAY_MS / 1000)
        await login(user, "head")  # three days later the area head looks (the old session expired)
        rows = await _actions_rows(user)
        row = rows.pop()
        assert (row["before"], row["after"], row["change"], row["status"]) == (
            "72%",
            "128%",
            "+56",
            "已可比较",
        )
        # the line: the three workdays before (steady, with his 72 %) against the three after
        assert row["line_after"] == f"{shown(Fraction(100 * 10 + 128, 11), 0)}%"
        # the inmate page shows the action too
        await user.open("/inmate?id=P1014")
        await _until(user, "inmate-actions")
        mine = user.find(marker="inmate-actions").elements.pop().rows  # type: ignore[attr-defined]
        assert [r["status"] for r in mine] == ["已可比较"]


async def test_a_line_officer_is_offered_training_but_not_the_post_change(ctx: WebContext) -> None:
    """The officer of L1 sees P1014's suggestion and may record a training; the post change is a
    master-data change he may not make, so it is not offered."""
    async with web_user(ctx) as user:
        await login(user, "line1")
        await user.open("/suggestions?area=A")
        await _until(user, "suggestion-move-P1014")
        await user.should_see(marker="act-training-P1014")
        await user.should_not_see(marker="act-post-P1014")


def test_the_signed_acts_rebuild_the_rows_verify_compares(ctx: WebContext, db: peewee.Database) -> None:
    """What replay makes of the ledger equals the stored action and thresholds rows, and an action
    edited in SQL no longer does (floorledger verify reports it)."""
    service = Actions(db, ctx.ledger, masterdata_service(db, record_act=ctx.record_act, clock_ms=ctx.clock),
                      clock_ms=ctx.clock)  # fmt: skip
    labor = Principal(username="labor", role=Role.LABOR_SECTION, display_name="劳改科")
    service.add_settings(
        labor, "v-min", valid_from="2025-11-01", parameters={"min_days": "12"}, reason="试行"
    )
    service.record(labor, kind="training", inmate="P2021", line="L1", step="S3", day=ctx.today(),
                   officer="李警官", reason="做袖针距不稳", what="做袖针距专项培训")  # fmt: skip
    state = replay(_entries())
    models: tuple[type[peewee.Model], ...] = (an.SuggestSettingsVersion, an.Action)
    for model in models:
        table = model._meta.table_name
        stored = {row["id"]: row for row in model.select().dicts().iterator()}
        signed = {key[0]: dict(row.values) for key, row in state.rows(table).items()}
        assert stored == signed, table
    an.Action.update(reason="改过的理由").execute()
    signed_reason = next(iter(replay(_entries()).rows("an_action").values())).values["reason"]
    assert signed_reason == "做袖针距不稳" != an.Action.get().reason


def _entries() -> list[EntryContent]:
    return [parse_entry(e.frame)[0] for e in LedgerEntry.select().order_by(LedgerEntry.entry_index)]
