"""Weekly review, monthly assessment and export-token pages in NiceGUI's simulated browser.

The site is the seeded demo month (real records, results, ledger); every action is clicked as an
officer would, including the refusals, and the outcome is checked on the page and in the tables.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from nicegui import ui
from nicegui.testing.user import User
from openpyxl import load_workbook

from hub.accounts import Role
from hub.results.worker import DailyResult
from hub.review import export_signature, exports, lock, rules, weekly
from hub.review import monthly as asm
from hub.store import masterdata as md
from hub.store import review as review_tables
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.assessment import assessment_of, board_published, register_assessment
from hub.web.review.trends import register_trends
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.test_assessment_domain import HUB_KEY, LINE_L1, MONTH, NOW_MS, Site, open_copy

# approvals before the month has ended (or with items open) need an override since the guard
# (hub.review.rules.check_guard); these tests are about other rules
MID_MONTH = "测试：月中审批，待办另行处理"


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    """A private copy of the seeded demo month (see tests/hub/test_assessment_domain.py)."""
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def ctx(site: Site) -> Iterator[WebContext]:

    prepare(site.db)
    context = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    accounts = context.accounts
    accounts.create(username="admin", password=PASSWORD, role=Role.ADMIN, display_name="管理员")
    accounts.create(username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科")
    accounts.create(username="head_a1", password=PASSWORD, role=Role.AREA_HEAD, area="A1", display_name="甲")
    accounts.create(
        username="off_l1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name="王警官"
    )
    accounts.create(
        username="off_l3", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L3"], display_name="李警官"
    )
    return context


def _pages(ctx: WebContext) -> None:
    register_assessment(ctx)
    register_trends(ctx)


async def _as(user: User, username: str) -> None:
    """Sign out whoever is signed in, then sign in as `username`."""
    if user.back_history and user.back_history[-1] != "/login":
        found = user.find(marker="logout").elements
        if found:
            user.find(marker="logout").click()
    await login(user, username)


def _table_rows(user: User, marker: str) -> list[dict[str, object]]:
    [table] = user.find(marker=marker).elements
    assert isinstance(table, ui.table)
    return list(table.rows)


async def _settle(user: User, marker: str = "page-title") -> None:
    await user.should_see(marker=marker, retries=100)  # a month is computed in a worker thread
    await asyncio.sleep(0.05)


async def test_weekly_page_shows_the_area_week_and_signs_off_and_publishes(ctx: WebContext) -> None:
    """The officer of L1 sees the 20 inmates of A1's week 2026-W43 posted on L1 (their own line), signs
    the week off and publishes it for 7 days: the act covers the area, so the area's board shows all
    40, and L1's board the 20 who worked on L1."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "off_l1")
        await user.open("/weekly?area=A1&week=2026-W43")
        await _settle(user, "week-table")
        rows = _table_rows(user, "week-table")
        assert len(rows) == 20
        assert all(r["completion_pct"] for r in rows)
        await user.should_see("尚未签认", retries=100)
        user.find(marker="publish").click()
        await user.should_see("请先签认再公示", retries=100)
        user.find(marker="signoff").click()
        await user.should_see("已签认：王警官（民警）", retries=100)
        user.find(marker="publish").click()
        await user.should_see("已公示至 2026-11-04", retries=100)
    [published] = weekly.published_weeks(ctx.db, "L2", ctx.today())
    [on_board] = board_published(ctx.db)("A1", ctx.today())  # what the area's wall board is given
    assert on_board.title == "2026-W43"
    assert len(on_board.rows) == 40
    assert all(r.completion_pct is not None for r in on_board.rows)
    [on_line] = board_published(ctx.db)("L1", ctx.today())
    assert {r.number for r in on_line.rows} == {r["number"] for r in rows}
    assert published.week == "2026-W43"
    assert published.published_by == "off_l1"


async def test_a_line_officer_never_sees_another_areas_week(ctx: WebContext) -> None:
    """The officer of L3 asking for A1 gets their own area A2 instead; a bad week is a clear message."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "off_l3")
        await user.open("/weekly?area=A1&week=2026-W43")
        await _settle(user, "week-table")
        rows = _table_rows(user, "week-table")
        on_l3 = {r.inmate for r in DailyResult.select().where(DailyResult.line == "L3")}
        assert rows
        assert {r["inmate"] for r in rows} <= on_l3
        await user.open("/weekly?area=A2&week=41")
        await user.should_see("周的格式应为 2026-W40", retries=100)
        await user.should_not_see(marker="week-table")


async def test_admin_has_no_weekly_or_monthly_page(ctx: WebContext) -> None:
    """An admin opening /monthly or /weekly sees the refusal, no table, no approve button."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "admin")
        for path in ("/monthly", "/weekly", "/trends"):
            await user.open(path)
            await user.should_see(marker="refused")
            await user.should_not_see(marker="approve")


async def test_monthly_chain_in_the_browser_locks_and_refuses_edits(ctx: WebContext) -> None:
    """Head first is refused; officer, head, labor approve by clicking; the locked month offers no
    approval or adjustment any more (it says why), and the hub refuses an adjustment anyway."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "head_a1")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        assert len(_table_rows(user, "month-table")) == 40
        await user.should_see("审批状态：未审批", retries=100)
        user.find(marker="approve").click()
        await user.should_see("须先由前一环节审批", retries=100)
        for name, state in (
            ("off_l1", "分监区民警已审"),
            ("head_a1", "监区长已审"),
            ("labor", "劳改科已审，已锁定"),
        ):
            await _as(user, name)
            await user.open("/monthly?area=A1&month=2026-10")
            await _settle(user, "month-table")
            user.find(marker="override-reason").type(MID_MONTH)
            user.find(marker="approve").click()
            await user.should_see(f"审批状态：{state}", retries=100)
        await user.should_see(marker="locked-note", retries=100)
        await user.should_not_see(marker="approve")
        await user.should_not_see(marker="adjust")
    assert lock.is_locked(ctx.db, MONTH, "A1")
    with pytest.raises(rules.AssessmentError) as err:
        assessment_of(ctx).add_adjustment(LINE_L1, MONTH, "A1", "P1001", "-2", "质量扣分")
    assert err.value.code == "locked"
    assert review_tables.Adjustment.select().count() == 0


async def test_approving_numbers_that_changed_after_the_page_was_shown_is_refused(ctx: WebContext) -> None:
    """The page sends the digest of the rows it shows: an adjustment entered by another officer after
    the page rendered makes the hub refuse the approval with a message in Chinese; nothing is approved."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "off_l1")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        other = asm.Assessment(ctx.db, record_act=ctx.record_act, today=ctx.today)
        other.add_adjustment(
            rules.Actor(username="head_a1", role="area_head", area="A1"),
            MONTH,
            "A1",
            "P1002",
            "-2",
            "质量扣分",
        )
        user.find(marker="override-reason").type(MID_MONTH)
        user.find(marker="approve").click()
        await user.should_see("页面显示后数据已变化，请刷新后核对再审批", retries=100)
    assert lock.active_stages(MONTH, "A1") == []


async def test_labor_section_reopens_with_a_reason_and_later_approvals_are_void(ctx: WebContext) -> None:
    """Reopen without a reason is refused; with one at 监区长 it voids head and labor, keeps the officer's.
    The overrides of the approvals in force are shown with their reasons."""
    a = asm.Assessment(ctx.db, record_act=ctx.record_act)
    for who in (
        LINE_L1,
        rules.Actor(username="head_a1", role="area_head", area="A1"),
        rules.Actor(username="labor", role="labor_section"),
    ):
        a.approve(who, MONTH, "A1", override=MID_MONTH)
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "labor")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        # the approvals were given mid-month: every later approver reads each override's reason
        await user.should_see(f"分监区民警（王警官）为越级审批，理由：{MID_MONTH}", retries=100)
        await user.should_see(marker="override-area_head")
        user.find(marker="reopen").click()
        await user.should_see("必须填写理由", retries=100)
        assert lock.is_locked(ctx.db, MONTH, "A1")
        user.find(marker="reopen-stage").elements.pop().set_value("area_head")
        user.find(marker="reopen-reason").type("复核质量扣分")
        user.find(marker="reopen").click()
        await user.should_see("审批状态：分监区民警已审", retries=100)
        await user.should_see(marker="approved-line_officer")
        await user.should_not_see(marker="approved-area_head")
    assert lock.active_stages(MONTH, "A1") == ["line_officer"]


async def test_an_adjustment_shows_in_the_scores_and_the_explanation(ctx: WebContext) -> None:
    """A -2 deduction entered on the page appears in 加扣分 of that inmate and in the engine's explanation;
    HTML in the reason is shown as text."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "off_l1")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        user.find(marker="adjust-inmate").elements.pop().value = "P1002"  # type: ignore[attr-defined]
        user.find(marker="adjust-points").type("abc")
        user.find(marker="adjust-reason").type("<b>返工</b>")
        user.find(marker="adjust").click()
        await user.should_see("分值应为非零数，最多一位小数，±100 以内", retries=100)
        assert review_tables.Adjustment.select().count() == 0
        user.find(marker="adjust-points").clear().type("-2")
        user.find(marker="adjust").click()
        await _settle(user, "adjustment-1")
        p1002 = md.Inmate.get_by_id("P1002")  # by prison number and name, the officer by name and rank
        await user.should_see(
            f"{p1002.number} {p1002.name} -2 分：<b>返工</b>（王警官（民警））", retries=100
        )
        rows = {r["inmate"]: r for r in _table_rows(user, "month-table")}
        assert rows["P1002"]["adjust"] == "-2.0"
        user.find(marker="explain-inmate").elements.pop().set_value("P1002")
        user.find(marker="explain").click()
        await user.should_see("<b>返工</b>", marker="explanation", retries=100)


async def _two_downloads(user: User, marker: str) -> tuple[httpx.Response, httpx.Response]:
    """Click `marker` and wait for the file and its signature (both downloads of one click)."""
    before = len(user.download.http_responses)  # type: ignore[attr-defined]
    user.find(marker=marker).click()
    for _ in range(100):
        got = user.download.http_responses[before:]  # type: ignore[attr-defined]
        if len(got) >= 2:
            return got[0], got[1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"{marker}: not two downloads")


async def test_exports_download_from_the_monthly_page(ctx: WebContext) -> None:
    """October is not locked: 导出 is refused until 草稿 is ticked; then the XLSX (named 草稿) has the
    page's labor points and comes with the hub's signature, which verifies; the CSV speaks Chinese."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "head_a1")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        shown = {r["inmate"]: r["labor"] for r in _table_rows(user, "month-table")}
        user.find(marker="export-xlsx").click()
        await user.should_see("只能导出草稿", retries=100)
        user.find(marker="export-draft").elements.pop().value = True  # type: ignore[attr-defined]
        response, signature = await _two_downloads(user, "export-xlsx")
        facts, problems = export_signature.check(response.content, signature.content, HUB_KEY.public_key)
        assert problems == []
        assert facts is not None
        assert (facts.file, facts.release) == ("labor-A1-2026-10-草稿.xlsx", "draft")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        table = list(sheet.iter_rows(values_only=True))
        labor = exports.COLUMNS.index("labor_points")
        got = {row[0]: f"{row[labor]:.1f}" for row in table[1:]}
        assert got == shown
        csv_file, _ = await _two_downloads(user, "export-csv")
        text = csv_file.content.decode("utf-8-sig")
        assert text.splitlines()[0] == ",".join(exports.header_row("zh"))  # the officer's language


async def test_admin_creates_an_export_token_shown_once(ctx: WebContext) -> None:
    """The admin creates a token: shown once, only its hash stored; a line officer cannot open the page."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await _as(user, "admin")
        await user.open("/export-tokens")
        user.find(marker="token-name").type("")
        user.find(marker="token-create").click()
        await user.should_see("令牌名称应为 1 到 64 个字符", retries=100)
        user.find(marker="token-name").type("计分考核数据库")
        user.find(marker="token-create").click()
        await user.should_see("新令牌（只显示这一次）：", retries=100)
        [label] = user.find(marker="new-token").elements
        token = str(label.text).split()[-1]  # type: ignore[attr-defined]
        assert exports.token_valid(token)
        assert exports.ApiToken.get().token_hash != token
        await _as(user, "off_l1")
        await user.open("/export-tokens")
        await user.should_see(marker="refused")
