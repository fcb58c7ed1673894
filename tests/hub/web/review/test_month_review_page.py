"""An inmate's review request (复核) on the dashboard: it is in the line officer's work queue with a
link to the area's monthly page, where the officer answers it (kept, with a reason); the answer is
stored, ledgered and shown. NiceGUI's simulated browser on a copy of the seeded demo site, the
request a kiosk-signed record stored through the real ingest."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from nicegui import ui
from nicegui.testing.user import User

from hub.accounts import Role
from hub.review import month_publication as mp
from hub.seed import store_signed
from hub.store.ledger import LedgerEntry
from hub.store.review import MonthReviewAnswer
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.assessment import assessment_of, register_assessment
from hub.web.review.queue import register_queue
from protocol.records import MonthReview
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.test_assessment_domain import MONTH, Site, open_copy
from tests.hub.review.test_month_publication import HEAD_A2, LINE_L3, _kiosk_sign

NOV_3 = date(2026, 11, 3)
NOON = int(datetime(2026, 11, 3, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)
OVERRIDE = "测试：待办另行处理"


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def ctx(site: Site) -> WebContext:
    """A2's October approved by its line officer and area head on 3 November (published until the
    7th), and one inmate's review request stored from the L3 kiosk."""
    prepare(site.db)
    site.assessment.today = lambda: NOV_3
    for who in (LINE_L3, HEAD_A2):
        site.assessment.approve(who, MONTH, "A2", override=OVERRIDE)
    published = site.assessment.publication(MONTH, "A2")
    assert published is not None
    row = published.rows[0]
    body = MonthReview(
        person=str(row["inmate"]), month=str(MONTH), points=str(row["points"]), day=NOV_3.isoformat(),
        reason="deduction_wrong", text="",
    )  # fmt: skip
    store_signed(site.db, "demo", [_kiosk_sign("H-L3", body, NOV_3)], clock_ms=lambda: NOON)
    context = make_context(site.db, StepClock(NOON), ledger=site.ledger, results=site.results)
    context.accounts.create(
        username="off_l3", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L3"], display_name="孙志强"
    )
    return context


def _pages(ctx: WebContext) -> None:
    register_assessment(ctx)
    register_queue(ctx)


def _table_rows(user: User, marker: str) -> list[dict[str, object]]:
    [table] = user.find(marker=marker).elements
    assert isinstance(table, ui.table)
    return list(table.rows)


async def _wait_for(user: User, marker: str) -> None:
    await user.should_see(marker=marker, retries=150)  # pages compute the month in a worker thread
    await asyncio.sleep(0.05)


async def test_a_review_request_is_queued_and_answered_on_the_monthly_page(ctx: WebContext) -> None:
    """The queue lists the request (未答复复核申请) linking to /monthly of A2; there 公示与复核 shows the
    window, the request with its reason and 未答复; answering 维持 with a reason stores and signs the
    answer, the table shows it, and the approval guard no longer counts the request."""
    [request] = mp.review_requests(MONTH)
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "off_l3")
        await user.open("/queue?kind=month_review")
        await _wait_for(user, "queue-table")
        [queued] = _table_rows(user, "queue-table")
        assert queued["kind"] == "未答复复核申请"
        assert queued["href"] == "/monthly?area=A2&month=2026-10"
        assert queued["what"] == f"{request.kiosk}#{request.seq}"

        await user.open("/monthly?area=A2&month=2026-10")
        await _wait_for(user, "reviews-table")
        await user.should_see("公示期：2026-11-03 至 2026-11-07（head_a2 审批后公示）")
        [shown] = _table_rows(user, "reviews-table")
        assert (shown["reason"], shown["answer"]) == ("扣分不对", "未答复")
        mark = f"{request.kiosk}-{request.seq}"
        user.find(marker=f"answer-reason-{mark}").type("扣分依据已核对，维持原分")
        user.find(marker=f"answer-{mark}").click()
        for _ in range(150):  # the act runs in a worker thread
            if MonthReviewAnswer.select().count():
                break
            await asyncio.sleep(0.1)
        await user.open("/monthly?area=A2&month=2026-10")
        await _wait_for(user, "reviews-table")
        [answered] = _table_rows(user, "reviews-table")
        assert answered["answer"] == "维持：扣分依据已核对，维持原分（off_l3）"
        await user.should_not_see(marker=f"answer-{mark}")
    answer = MonthReviewAnswer.get()
    assert (answer.outcome, answer.officer, answer.reason) == ("kept", "off_l3", "扣分依据已核对，维持原分")
    act = LedgerEntry.select().where(LedgerEntry.action == mp.ANSWER).get()
    assert act.actor == "off_l3"
    assert "month_review" not in assessment_of(ctx).open_items(MONTH, "A2")
