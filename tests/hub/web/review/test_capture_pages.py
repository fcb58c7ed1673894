"""The capture pages (岗位评级, 扣分) through NiceGUI's simulated user, on the seeded site under rule
book v2 (`tests.hub.review.test_capture_domain.site`): every click goes through the page's guarded
actions and the server's capture service, so the refusals asserted here are the server's."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from nicegui.testing.user import User

from hub.accounts import Role
from hub.store import capture as cap
from hub.store.ledger import LedgerEntry
from hub.web import WebContext
from hub.web.review.capture import register_capture
from tests.hub.conftest_web import PASSWORD, StepClock, login, web_user
from tests.hub.review.test_capture_domain import GRADED_DAY, TODAY, Site, seeded_file, site  # noqa: F401

NOON_MS = int(
    datetime(TODAY.year, TODAY.month, TODAY.day, 12, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000
)


@pytest.fixture
def ctx(site: Site) -> WebContext:  # noqa: F811
    context = WebContext(db=site.db, clock=StepClock(NOON_MS), site="测试监狱", capture=site.desk)
    for username, lines in (("off1", ["L1"]), ("off2", ["L1"]), ("offx", ["L9"])):
        context.accounts.create(
            username=username, password=PASSWORD, role=Role.LINE_OFFICER, lines=lines, display_name=username
        )
    return context


def _user(ctx: WebContext, site: Site):  # type: ignore[no-untyped-def]  # noqa: F811
    return web_user(ctx, before=lambda: register_capture(ctx, site.desk))


def _set(user: User, marker: str, value: str) -> None:
    user.find(marker=marker).elements.pop().set_value(value)  # type: ignore[attr-defined]


async def _switch(user: User, username: str, page: str) -> None:
    user.find(marker="logout").click()
    await login(user, username)
    await user.open(page)


async def test_an_officer_grades_the_post_in_one_screen_and_the_missing_flag_goes(
    ctx: WebContext,
    site: Site,  # noqa: F811
) -> None:
    """off1 opens the kitchen post's day: P1001 is marked 未评 and counted as missing, and the month's
    missing days list it by the post's name, each day a link to its sheet; he picks B and saves: one
    signed grade, the day no longer missing."""
    page = f"/grades?post=KITCHEN&day={GRADED_DAY.isoformat()}"
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(page)
        await user.should_see("尚有 1 人未评级（未评当日按 0 计）")
        await user.should_see("未评")
        table = user.find(marker="grades-month-missing").elements.pop()
        rows = table.rows  # type: ignore[attr-defined]
        assert {"day": GRADED_DAY.isoformat(), "post": "厨房"} in [
            {"day": r["day"], "post": r["post"]} for r in rows
        ]
        assert rows[0]["day_href"] == f"/grades?line=L1&post=KITCHEN&day={rows[0]['day']}"  # one tap to it
        _set(user, "grade-P1001", "B")
        user.find(marker="grades-save").click()
        await user.should_see("已保存 1 人的评级")
        await user.should_see("当天评级已全部完成")
    [grade] = cap.Grade.select()
    assert (grade.inmate, grade.day, grade.grade, grade.graded_by) == ("P1001", "2026-10-12", "B", "off1")
    assert LedgerEntry.select().where(LedgerEntry.action == "grade.set").count() == 1


async def test_a_grade_given_at_a_kiosk_says_so_on_the_grading_page(
    ctx: WebContext,
    site: Site,  # noqa: F811
) -> None:
    """A grade the hub applied from kiosk K01's record (source K01#3) shows the grade and 终端 K01 评定;
    a dashboard grade shows no kiosk."""
    site.desk.grade(site.off1, GRADED_DAY, {"P1001": "A"}, source="K01#3")
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(f"/grades?post=KITCHEN&day={GRADED_DAY.isoformat()}")
        await user.should_see("终端 K01 评定")
        await user.should_see("当天评级已全部完成")
    site.desk.grade(site.off1, GRADED_DAY, {"P1001": "B"})
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(f"/grades?post=KITCHEN&day={GRADED_DAY.isoformat()}")
        await user.should_see(marker="grade-state-P1001")
        await user.should_not_see("终端 K01 评定")


async def test_an_officer_of_another_line_cannot_open_the_grading_of_l1(
    ctx: WebContext,
    site: Site,  # noqa: F811
) -> None:
    """offx (line L9) asking for L1's grading gets the refusal and no grade buttons."""
    async with _user(ctx, site) as user:
        await login(user, "offx")
        await user.open(f"/grades?line=L1&day={GRADED_DAY.isoformat()}")
        await user.should_see("没有该生产线或无权查看")
        await user.should_not_see(marker="grade-P1001")


async def test_a_deduction_outside_its_range_is_refused_and_a_second_officer_confirms(
    ctx: WebContext,
    site: Site,  # noqa: F811
) -> None:
    """12 safety points are refused with the range named; 4 are proposed by off1, whose own
    confirmation is refused; off2 confirms and the row says so."""
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open("/deductions?month=2026-10")
        _set(user, "deduct-inmate", "P1002")
        _set(user, "deduct-category", "safety")
        user.find(marker="deduct-points").type("12")
        user.find(marker="deduct-day").clear().type("2026-10-09")
        user.find(marker="deduct-reason").type("未戴护目镜")
        user.find(marker="deduct-propose").click()
        await user.should_see("分值 12 超出safety类别的范围 2..10")
        assert cap.Deduction.select().count() == 0
        user.find(marker="deduct-points").clear().type("4")
        user.find(marker="deduct-propose").click()
        await user.should_see("已提出，待另一名民警确认")
        [row] = cap.Deduction.select()
        await user.should_see("待确认")
        user.find(marker=f"confirm-{row.id}").click()
        await user.should_see("不能确认自己提出的扣分（须另一名民警确认）")
        assert cap.Deduction.get_by_id(row.id).status == cap.PROPOSED
        await _switch(user, "off2", "/deductions?month=2026-10")
        user.find(marker=f"confirm-{row.id}").click()
        await user.should_see("已由 off2（民警） 确认")
        # once confirmed, a line officer's 撤回 is refused by the server
        user.find(marker=f"withdraw-reason-deduction-{row.id}").type("复核")
        user.find(marker=f"withdraw-deduction-{row.id}").click()
        await user.should_see("已确认的扣分只能由劳改科撤回")
    assert cap.Deduction.get_by_id(row.id).status == cap.CONFIRMED


async def test_the_daily_review_shows_a_rated_days_grade_instead_of_units(
    site: Site,  # noqa: F811
) -> None:
    """L1's day on the daily review: P1001 on the kitchen post reads 尚未评级 until graded, then his
    grade."""
    from hub.ledger.entries import Ledger
    from hub.web.review.daily import register_review
    from tests.hub.review.test_capture_domain import HUB_KEY

    context = WebContext(
        db=site.db,
        clock=StepClock(NOON_MS),
        site="测试监狱",
        ledger=Ledger(site.db, HUB_KEY, lambda: NOON_MS),
    )
    context.accounts.create(
        username="off1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name="off1"
    )
    page = f"/review?line=L1&day={GRADED_DAY.isoformat()}"
    async with web_user(context, before=lambda: register_review(context)) as user:
        await login(user, "off1")
        await user.open(page)
        await user.should_see("岗位 厨房，尚未评级")  # the post by its name, not its code
        site.desk.grade(site.off1, GRADED_DAY, {"P1001": "C"})
        await user.open(page)
        await user.should_see("岗位 厨房，评级 C")


async def test_the_monthly_page_shows_additions_deductions_and_each_deduction(
    site: Site,  # noqa: F811
) -> None:
    """After a confirmed 4-point safety deduction, the monthly page's row of P1002 shows 4.0 deducted,
    the deduction's day, category and reason, the additions after the cap and 是 for assessed, and
    labor points = base + additions − 4 as the engine computes them."""
    from hub.results import worker as rs
    from hub.web.review.assessment import register_assessment

    row = site.desk.propose_deduction(
        site.off1, inmate="P1002", day=date(2026, 10, 9), category="safety", points="4", reason="未戴护目镜"
    )
    site.desk.confirm_deduction(site.off2, row.id)
    results = rs.Results(site.db, today=lambda: TODAY, clock_ms=lambda: NOON_MS)
    context = WebContext(db=site.db, clock=StepClock(NOON_MS), site="测试监狱", results=results)
    context.accounts.create(
        username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科"
    )
    async with web_user(context, before=lambda: register_assessment(context)) as user:
        await login(user, "labor")
        await user.open(f"/monthly?area={site.area}&month=2026-10")
        await user.should_see(marker="month-table", retries=100)
        await asyncio.sleep(0.05)
        [table] = user.find(marker="month-table").elements
        [line] = [r for r in table.rows if r["inmate"] == "P1002"]  # type: ignore[attr-defined]
    assert line["deduct"] == "4.0"
    assert line["deductions"] == "2026-10-09 安全生产 -4 未戴护目镜"
    assert line["assessed"] == "是"
    labor = max(Decimal(0), Decimal(line["base"]) + Decimal(line["additions"]) - 4)
    assert abs(Decimal(line["labor"]) - labor) <= Decimal("0.1")  # each shown rounded to 0.1


async def test_an_officer_records_rejects_of_a_counted_inmate_on_the_dashboard(
    ctx: WebContext,
    site: Site,  # noqa: F811
) -> None:
    """off1 picks an inmate counted on L1 that day, 2 units and a reason: one signed reject, listed
    on the page; 0 units are refused with the page's message and nothing more is written."""
    from tests.hub.review.test_capture_domain import _counted_on_l1

    day = date(2026, 10, 9)
    inmate, _ = _counted_on_l1(day)
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(f"/rejects?line=L1&day={day.isoformat()}")
        await user.should_see("当天没有次品记录")
        _set(user, "reject-inmate", inmate)
        user.find(marker="reject-units").type("0")
        user.find(marker="reject-reason").type("线头未剪")
        user.find(marker="reject-add").click()
        await user.should_see("件数应为 1 到 100000 的整数")
        user.find(marker="reject-units").clear().type("2")
        user.find(marker="reject-add").click()
        await user.should_see("已登记")
        [row] = cap.Reject.select()
        await user.should_see(marker=f"reject-{row.id}")
        # entered by mistake: 撤回 with a reason (an empty one is refused), then the row says so
        user.find(marker=f"withdraw-reject-{row.id}").click()
        await user.should_see("请填写理由")
        user.find(marker=f"withdraw-reason-reject-{row.id}").type("录错了人")
        user.find(marker=f"withdraw-reject-{row.id}").click()
        await user.should_see("已由 off1（民警） 撤回：录错了人")
    assert (row.inmate, row.units, row.entered_by) == (inmate, "2", "off1")
    assert LedgerEntry.select().where(LedgerEntry.action == "reject.add").count() == 1
    assert cap.Reject.get_by_id(row.id).withdraw_reason == "录错了人"
    assert LedgerEntry.select().where(LedgerEntry.action == "reject.withdraw").count() == 1


async def test_the_inmate_page_counts_rated_months_and_says_not_assessed(
    ctx: WebContext,
    site: Site,  # noqa: F811
) -> None:
    """A month of rated days has no stored daily result, and an exempt month none either: the inmate
    page still lists October for the cook P1001, with the engine's own days (his graded days count)
    and points, his post by its name (厨房); for P1002, exempt all October, it says 免考核."""
    from hub.app import assessment_service, masterdata_service
    from hub.engine.exact import shown
    from hub.engine.model import Month
    from hub.ledger.entries import Ledger
    from hub.results.worker import Results
    from hub.store.results import DailyResult
    from hub.web.inmate import PENDING
    from tests.hub.review.test_capture_domain import HUB_KEY, LABOR, NOW_MS

    october = Month.of(TODAY)
    ledger = Ledger(site.db, HUB_KEY, lambda: NOW_MS + 3000)
    data = masterdata_service(site.db, record_act=ledger.record_act, clock_ms=lambda: NOW_MS + 3000)
    data.add_exemption(LABOR, "P1002", valid_from=october.first_day, reference="医院鉴定 2026-90")
    site.desk.grade(site.off1, GRADED_DAY, {"P1001": "A"})
    Results(site.db, today=lambda: TODAY, follow_s=None).recompute_month(october)
    review = assessment_service(site.db, record_act=None, today=lambda: TODAY, clock_ms=lambda: NOW_MS)
    scores = {r.inmate: r.score for r in review.month_view(october, site.area).rows}
    cook = scores["P1001"]
    assert cook is not None
    assert cook.workdays > 0
    # the premise: all his October days are rated, so none has a stored daily result
    assert not DailyResult.select().where(DailyResult.inmate == "P1001").exists()
    ctx.accounts.create(username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科")

    async def october_row(user: User, inmate: str) -> dict[str, object]:
        await user.open(f"/inmate?id={inmate}")
        for _ in range(150):  # the points follow the page's first content (hub.web.inmate._scores)
            try:
                rows = user.find(marker="inmate-months").elements.pop().rows  # type: ignore[attr-defined]
            except AssertionError:
                rows = []
            row = next((r for r in rows if r["month"] == str(october)), None)
            if row is not None and row["labor"] != PENDING:
                return dict(row)
            await asyncio.sleep(0.1)
        raise AssertionError(f"{inmate}'s October never showed its points")

    async with web_user(ctx) as user:
        await login(user, "labor")
        row = await october_row(user, "P1001")
        assert (row["days"], row["met"], row["labor"]) == (
            cook.workdays,
            cook.days_met,
            shown(cook.labor_points, 1),
        )
        posts = user.find(marker="inmate-posts").elements.pop().rows  # type: ignore[attr-defined]
        assert "厨房" in [p["what"] for p in posts]
        exempt = await october_row(user, "P1002")
        assert exempt["labor"] == "免考核"
