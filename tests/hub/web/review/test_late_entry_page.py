"""The daily review's late-entry form (补录) through NiceGUI's simulated user, on a real hub database.

The line-day is `tests.hub.review.test_corrections_domain.build_site`'s (records through the real
ingest, results by the real worker); every click goes through the page's guarded actions into
`hub.review.late.LateEntries`, so the refusals asserted here are the server's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing.user import User

from hub.accounts import Role
from hub.ledger.entries import LATE_ENTRY
from hub.store import review as review_tables
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.daily import register_review
from tests.hub.conftest_web import PASSWORD, login, web_user
from tests.hub.review.test_corrections_domain import DAY, Site, build_site, done_of

PAGE = f"/review?line=L1&day={DAY.isoformat()}"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path / "hub.db")


@pytest.fixture
def ctx(site: Site) -> WebContext:
    context = WebContext(
        db=site.db, clock=site.clock, site="测试监狱", ledger=site.ledger, results=site.results
    )
    prepare(site.db)
    for name, display in (("off1", "王警官"), ("off2", "赵警官")):
        context.accounts.create(
            username=name, password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name=display
        )
    return context


def _user(ctx: WebContext, site: Site):  # type: ignore[no-untyped-def]
    return web_user(ctx, before=lambda: register_review(ctx, site.desk))


def _pick(user: User, marker: str, value: str) -> None:
    user.find(kind=ui.select, marker=marker).elements.pop().set_value(value)  # type: ignore[attr-defined]


async def _switch(user: User, username: str) -> None:
    user.find(marker="logout").click()
    await login(user, username)
    await user.open(PAGE)


async def test_a_missed_count_entered_on_the_page_and_approved_by_another_officer(
    ctx: WebContext, site: Site
) -> None:
    """off1 enters a missed count of 10 for P1 with the form; his own approval is refused; off2
    approves; the row names who entered and who approved, and P1's result follows."""
    assert done_of("P1") == "50.00"
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        await user.should_see("当天没有补录")
        _pick(user, "late-kind", "unit_count")
        _pick(user, "late-person", "P1")
        user.find(marker="late-value").type("10")
        user.find(marker="late-reason").type("计数器故障，班组长手工登记")
        user.find(marker="late-propose").click()
        await user.should_see("补录人 王警官（民警），待审批")
        [entry] = review_tables.LateEntry.select()
        await user.should_see(marker=f"late-{entry.id}")
        user.find(marker=f"late-approve-{entry.id}").click()
        await user.should_see("不能批准本人提交的补录")
        assert review_tables.LateEntry.get_by_id(entry.id).status == review_tables.PROPOSED
        await _switch(user, "off2")
        user.find(marker=f"late-approve-{entry.id}").click()
        await user.should_see("补录人 王警官（民警），已由 赵警官（民警） 批准")
        assert site.results.flush()
    assert done_of("P1") == "60.00"
    assert LedgerEntry.select().where(LedgerEntry.action == LATE_ENTRY).count() == 1


async def test_a_day_after_today_is_refused_with_a_message(ctx: WebContext, site: Site) -> None:
    """A 入库数 typed for tomorrow is refused by the server with a Chinese message; nothing is stored."""
    async with _user(ctx, site) as user:
        await login(user, "off1")
        await user.open(PAGE)
        _pick(user, "late-product", "SHIRT")
        day = user.find(marker="late-day")
        day.clear()
        day.type("2026-10-06")
        user.find(marker="late-value").type("80")
        user.find(marker="late-reason").type("次日入库")
        user.find(marker="late-propose").click()
        await user.should_see("不能补录今天以后的日期")
    assert review_tables.LateEntry.select().count() == 0
