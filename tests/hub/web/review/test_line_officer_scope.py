"""A line officer reads only the inmates posted on their own lines on /weekly, /monthly and /trends
(docs/dashboard.md, roles: "own lines"), whatever the URL asks; issue #18 found line1 of the demo
reading the 20 inmates of L2 (same area A1) on /weekly and /monthly.

The site is the seeded demo month; `line1` is the demo's line officer of L1 (floorledger.demo.site).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing.user import User
from openpyxl import load_workbook

from hub.accounts import Role
from hub.store import review as review_tables
from hub.store.masterdata import Assignment
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.assessment import register_assessment
from hub.web.review.trends import register_trends
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.test_assessment_domain import NOW_MS, Site, open_copy
from tests.hub.web.review.test_assessment_pages import _two_downloads


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def ctx(site: Site) -> WebContext:
    prepare(site.db)
    context = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    context.accounts.create(
        username="line1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name="赵建国"
    )
    context.accounts.create(
        username="area1", password=PASSWORD, role=Role.AREA_HEAD, area="A1", display_name="李明华"
    )
    return context


def _posted(line: str) -> set[str]:
    return {a.inmate for a in Assignment.select().where(Assignment.line == line)}


def _table(user: User, marker: str) -> list[dict[str, object]]:
    [table] = user.find(marker=marker).elements
    assert isinstance(table, ui.table)
    return list(table.rows)


async def _settle(user: User, marker: str) -> None:
    await user.should_see(marker=marker, retries=100)
    await asyncio.sleep(0.05)


def _pages(ctx: WebContext) -> None:
    register_assessment(ctx)
    register_trends(ctx)


async def test_line1_reads_only_l1_inmates_on_weekly_monthly_trends_and_exports(ctx: WebContext) -> None:
    """line1 asking for area A1 (L1 and L2) sees L1's 20 inmates on each page, the explain picker
    offers only them, the CSV export holds only them, and /trends charts only L1; the area head of
    A1 still sees all 40 on the same URLs."""
    on_l1, on_l2 = _posted("L1"), _posted("L2") - _posted("L1")
    assert len(on_l1) == 20
    assert len(on_l2) == 20
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "line1")
        await user.open("/weekly?area=A1&week=2026-W43")
        await _settle(user, "week-table")
        assert {r["inmate"] for r in _table(user, "week-table")} == on_l1
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        assert {r["inmate"] for r in _table(user, "month-table")} == on_l1
        [picker] = user.find(marker="explain-inmate").elements
        assert isinstance(picker, ui.select)
        assert set(picker.options) == on_l1
        user.find(marker="export-draft").elements.pop().value = True  # type: ignore[attr-defined]  # not locked
        csv_file, _ = await _two_downloads(user, "export-csv")
        text = csv_file.content.decode("utf-8-sig")
        exported = {line.split(",")[0] for line in text.splitlines()[1:]}
        assert exported == on_l1
        xlsx_file, _ = await _two_downloads(user, "export-xlsx")
        sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
        assert sheet is not None
        assert {row[0] for row in list(sheet.iter_rows(values_only=True))[1:]} == on_l1
        await user.open("/trends?area=A1&month=2026-10")
        await _settle(user, "completion-chart")
        [chart] = user.find(marker="completion-chart").elements
        assert isinstance(chart, ui.echart)
        # the chart draws his line only, and its inmate picker offers L1's inmates only
        assert {s["name"].split()[0] for s in chart.options["series"]} == {"L1"}
        [picker] = user.find(marker="inmate-picker").elements
        assert set(picker.options) == on_l1  # type: ignore[attr-defined]
        await user.should_see(marker="output-chart-L1")
        await user.should_not_see(marker="output-chart-L2")
        below = {r["inmate"] for r in _table(user, "below-table")}
        assert below <= on_l1
        user.find(marker="logout").click()
        await login(user, "area1")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        assert {r["inmate"] for r in _table(user, "month-table")} == on_l1 | on_l2


async def test_line1_cannot_adjust_an_l2_inmate_but_still_approves_the_area(ctx: WebContext) -> None:
    """An inmate posted only on L2 is not even offered for an adjustment (the server refuses one as
    well: test_assessment_domain); the line-officer approval of A1 (the area's act, over the whole
    area's digest) still goes through."""
    l2_only = sorted(_posted("L2") - _posted("L1"))[0]
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "line1")
        await user.open("/monthly?area=A1&month=2026-10")
        await _settle(user, "month-table")
        [picker] = user.find(marker="adjust-inmate").elements
        assert isinstance(picker, ui.select)
        assert l2_only not in picker.options
        assert set(picker.options) <= _posted("L1")
        assert review_tables.Adjustment.select().count() == 0
        user.find(marker="override-reason").type("测试：月中审批")  # the month is still running
        user.find(marker="approve").click()
        await user.should_see(marker="approved-line_officer", retries=100)
    assert [a.stage for a in review_tables.MonthApproval.select()] == ["line_officer"]
