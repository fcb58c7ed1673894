"""The work queue (待办): every open item of this month and the last on the officer's lines, the same
items that hold up a month's approval, each one click from the page where it is resolved; a line
officer never sees another line's items (checked on the server)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing.user import User

from hub.accounts import Role
from hub.results.inputs import month_input
from hub.review.open_items import list_open, open_items
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.queue import months_to_show
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.test_assessment_domain import MONTH, NOW_MS, TODAY, Site, open_copy


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
        username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科"
    )
    context.accounts.create(
        username="line3", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L3"], display_name="孙志强"
    )
    return context


def _rows(user: User) -> list[dict[str, object]]:
    return list(user.find(marker="queue-table").elements.pop().rows)  # type: ignore[attr-defined]


def _has(user: User, marker: str) -> bool:
    try:
        return bool(user.find(marker=marker).elements)
    except AssertionError:  # `find` insists on a match
        return False


async def _settle(user: User) -> None:
    """Wait for the queue (computed in a worker thread) to show its table or its empty note."""
    for _ in range(100):
        if _has(user, "queue-table") or _has(user, "queue-empty"):
            return
        await asyncio.sleep(0.1)
    raise AssertionError("the queue never showed")


def test_the_queue_lists_exactly_what_the_approval_guard_counts(site: Site) -> None:
    """Item by item, the queue's list adds up to the open-item counts that refuse an approval."""
    read = month_input(site.db, MONTH, through=TODAY)
    items = list_open(read, MONTH, ["L1", "L2", "L3"])
    assert items, "the seeded month has open items (a dispute, discrepancies, missing 入库数)"
    assert dict(Counter(i.kind for i in items)) == open_items(read, MONTH, ["L1", "L2", "L3"])
    assert {i.line for i in list_open(read, MONTH, ["L3"])} <= {"L3"}


async def test_the_labor_section_sees_every_item_and_opens_its_review_page(ctx: WebContext) -> None:
    """As the labor section: the page's rows are this month's and last month's open items of every
    line, each links to /review of its line and day; choosing a kind, or a day, narrows the list."""
    expected = []
    for month in months_to_show(ctx.today()):
        read = month_input(ctx.db, month, through=min(ctx.today(), month.last_day))
        expected.extend(list_open(read, month, ["L1", "L2", "L3"]))
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/queue")
        await _settle(user)
        rows = _rows(user)
        assert len(rows) == len(expected)
        assert {r["href"] for r in rows} == {
            f"/review?line={i.line}&day={i.day.isoformat()}" for i in expected
        }
        await user.should_see(f"共 {len(expected)} 项待办")
        kinds = Counter(i.kind for i in expected)
        kind = next(iter(kinds))
        await user.open(f"/queue?kind={kind}")
        await _settle(user)
        assert len(_rows(user)) == kinds[kind]
        days = Counter(i.day.isoformat() for i in expected)  # and choosing a day narrows it to that day
        day = max(days)
        await user.open(f"/queue?day={day}")
        await _settle(user)
        assert [r["day"] for r in _rows(user)] == [day] * days[day]


async def test_a_line_officer_sees_only_his_lines_items(ctx: WebContext) -> None:
    """The officer of L3 gets L3's items only, even when he asks for L1 by address."""
    async with web_user(ctx) as user:
        await login(user, "line3")
        await user.open("/queue?line=L1")
        await _settle(user)
        if _has(user, "queue-table"):
            assert {r["line"] for r in _rows(user)} <= {"L3"}
        await user.open("/queue")
        await _settle(user)
        assert _has(user, "queue-table")  # L3 has open work in the seeded month (missing 入库数 at least)
        assert {r["line"] for r in _rows(user)} == {"L3"}


async def test_the_menu_counts_open_items_and_follows_a_new_one_without_a_reload(
    ctx: WebContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 待办 entry of the menu carries the number of open items on any page; when the results
    worker flags a new discrepancy (and its feed moves) the open page's count rises by itself."""
    from hub.store.results import DiscrepancyFlag
    from hub.web import frame

    monkeypatch.setattr(frame, "BADGE_SECONDS", 0.3)
    expected = 0
    for month in months_to_show(ctx.today()):
        read = month_input(ctx.db, month, through=min(ctx.today(), month.last_day))
        expected += len(list_open(read, month, ["L1", "L2", "L3"]))
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.open("/floor")
        await user.should_see(str(expected), marker="badge-queue", retries=100)
        DiscrepancyFlag.create(
            day="2026-10-28", line="L2", product="SHIRT", step="S9", counted_units="10", warehoused_units="2"
        )
        ctx.feed.notify()
        await user.should_see(str(expected + 1), marker="badge-queue", retries=100)
