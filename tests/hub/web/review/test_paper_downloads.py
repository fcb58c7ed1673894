"""The dashboard's print buttons: 打印日记载 on 日审核 and 打印月考核 on 月考核 download A4 PDFs, within
the officer's scope as checked on the server at the click (NiceGUI's simulated user, seeded site)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing.user import User

from hub.accounts import Role
from hub.store.masterdata import Assignment, Inmate
from hub.store.schema import prepare
from hub.store.web import User as Account
from hub.web import WebContext
from hub.web.review.assessment import register_assessment
from hub.web.review.daily import register_review
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.paper.pdf_tools import fonts_of, text_of
from tests.hub.review.test_assessment_domain import NOW_MS, Site, open_copy


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
        username="line3", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L3"], display_name="钱卫东"
    )
    return context


def _pages(ctx: WebContext) -> None:
    register_review(ctx)
    register_assessment(ctx)


async def _download(user: User, marker: str, tmp_path: Path) -> Path:
    before = len(user.download.http_responses)  # type: ignore[attr-defined]
    user.find(marker=marker).click()
    for _ in range(200):  # the PDF is made in a worker thread (the font is subset: about 2 s)
        got = user.download.http_responses[before:]  # type: ignore[attr-defined]
        if got:
            path = tmp_path / f"{marker}.pdf"
            path.write_bytes(got[0].content)
            return path
        await asyncio.sleep(0.1)
    raise AssertionError(f"{marker}: no download")


def _names(line: str) -> tuple[set[str], set[str]]:
    people = {i.id: i.name for i in Inmate.select()}
    on = {a.inmate for a in Assignment.select().where(Assignment.line == line)}
    return {people[i] for i in on}, on


async def test_a_line_officer_prints_their_lines_daily_and_monthly_sheets(
    ctx: WebContext, tmp_path: Path
) -> None:
    """line1 prints L1's 日记载 of 28 October (their name as the printer, the inmates' names, the CJK
    font embedded), A1's 月考核 of October holding only L1's inmates, marked as a draft, and A1's
    周评议 of week 43 holding only L1's inmates."""
    l1_names, _ = _names("L1")
    l2_names = _names("L2")[0] - l1_names
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "line1")
        await user.open("/review?line=L1&day=2026-10-28")
        await user.should_see(marker="print-daily", retries=100)
        daily = await _download(user, "print-daily", tmp_path)
        text = text_of(daily)
        assert "劳动日记载" in text
        assert "打印：赵建国" in text
        assert all(name in text for name in l1_names)
        assert any("NotoSansCJKSC" in f.name and f.embedded for f in fonts_of(daily))

        await user.open("/monthly?area=A1&month=2026-10")
        await user.should_see(marker="month-table", retries=100)
        monthly = await _download(user, "print-monthly", tmp_path)
        text = text_of(monthly)
        assert "草稿/未审批" in text
        assert all(name in text for name in l1_names)
        assert not any(name in text for name in l2_names)

        await user.open("/weekly?area=A1&week=2026-W43")
        await user.should_see(marker="week-table", retries=100)
        weekly = await _download(user, "print-weekly", tmp_path)
        text = text_of(weekly)
        assert "劳动改造周评议表" in text
        assert all(name in text for name in l1_names)
        assert not any(name in text for name in l2_names)


async def test_another_lines_sheet_is_refused_on_the_server(ctx: WebContext, tmp_path: Path) -> None:
    """line3 asking for L1's day gets no print button; and when line1's account loses L1 while the
    page is open, the click is refused with no download."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "line3")
        await user.open("/review?line=L1&day=2026-10-28")
        await user.should_see(marker="review-error", retries=100)
        await user.should_not_see(marker="print-daily")
        user.find(marker="logout").click()
        await login(user, "line1")
        await user.open("/review?line=L1&day=2026-10-28")
        await user.should_see(marker="print-daily", retries=100)
        Account.update(lines="L3").where(Account.username == "line1").execute()
        before = len(user.download.http_responses)  # type: ignore[attr-defined]
        user.find(marker="print-daily").click()
        await user.should_see("没有该生产线或无权查看", retries=100)
        await asyncio.sleep(0.5)
        assert len(user.download.http_responses) == before  # type: ignore[attr-defined]
