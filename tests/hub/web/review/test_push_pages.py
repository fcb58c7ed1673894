"""The push on the dashboard: the monthly page says, in Chinese, where the month's delivery to the
scoring database stands (never pushed while open; failing with its attempts and error; delivered),
a failing push is in the officers' work queue and opens that month, and the page's 附日明细 box
adds each inmate's day rows to the downloaded file."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing.user import User

from hub.accounts import Role
from hub.config import parse_config
from hub.review import export_signature, push
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.assessment import register_assessment
from hub.web.review.queue import register_queue
from tests.hub.audit.test_verify_language import english_words
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.https_receiver import Receiver, serve
from tests.hub.review.test_assessment_domain import HUB_KEY, NOW_MS, Site, open_copy
from tests.hub.review.test_push import Clock, lock, pusher
from tests.hub.web.test_pages_speak_chinese import ALLOWED, texts_of

MONTHLY = "/monthly?area=A1&month=2026-10"


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def failing_receiver(tmp_path: Path) -> Iterator[Receiver]:
    """A receiver that answers 503 for a long time."""
    found, server = serve(tmp_path, fail_first=100)
    yield found
    server.shutdown()
    server.server_close()


def context(site: Site, tmp_path: Path, receiver: Receiver, **more: object) -> WebContext:
    prepare(site.db)
    raw = {
        "site": "t",
        "key_file": "hub.key",
        "database": "hub.db",
        "export": {"push": {"url": receiver.url, "ca_file": str(receiver.ca_file), "retry_s": 30, **more}},
    }
    ctx = make_context(
        site.db,
        StepClock(NOW_MS),
        ledger=site.ledger,
        results=site.results,
        config=parse_config(raw, tmp_path),
    )
    ctx.accounts.create(username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科")
    ctx.accounts.create(
        username="head_a1", password=PASSWORD, role=Role.AREA_HEAD, area="A1", display_name="甲"
    )
    return ctx


def _has(user: User, marker: str) -> bool:
    try:
        return bool(user.find(marker=marker).elements)
    except AssertionError:  # `find` insists on a match
        return False


async def _wait_for(user: User, marker: str) -> None:
    for _ in range(200):  # a month is computed in a worker thread
        if _has(user, marker):
            await asyncio.sleep(0.05)
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{marker} never showed")


def _rows(user: User, marker: str) -> list[dict[str, object]]:
    [table] = user.find(marker=marker).elements
    assert isinstance(table, ui.table)
    return list(table.rows)


async def test_the_monthly_page_and_the_queue_show_a_failing_push(
    site: Site, tmp_path: Path, failing_receiver: Receiver
) -> None:
    """Open October: 本月未锁定，不推送. Locked and refused by the receiver: the page's push table
    says 推送失败，重试中 with the attempts and 接收方答复 503; the labor section's queue lists one
    推送失败 item that links to the month's page."""
    ctx = context(site, tmp_path, failing_receiver)

    def pages() -> None:
        register_assessment(ctx)
        register_queue(ctx)

    async with web_user(ctx, before=pages) as user:
        await login(user, "labor")
        await user.open(MONTHLY)
        await _wait_for(user, "push-state")
        assert _has(user, "push-open")
        lock(site)
        assert ctx.config is not None
        worker = pusher(site, ctx.config.export, Clock())
        await asyncio.to_thread(worker.run_once)
        await user.open(MONTHLY)
        await _wait_for(user, "push-table")
        [row] = _rows(user, "push-table")
        assert (row["target"], row["state"], row["attempts"]) == ("接收方接口", "推送失败，重试中", 1)
        assert row["error"] == "接收方答复 503"
        words = {w for text in texts_of(user.current_layout) for w in english_words(text, ALLOWED)}
        assert words == set()  # the state, the error and the headers speak Chinese
        await user.open("/queue")
        await _wait_for(user, "queue-table")
        pushes = [r for r in _rows(user, "queue-table") if r["kind"] == "推送失败"]
        assert [(r["line"], r["href"]) for r in pushes] == [("A1", MONTHLY)]
        assert pushes[0]["what"] == "labor-A1-2026-10.csv → 接收方接口，已尝试 1 次：接收方答复 503"
        words = {w for text in texts_of(user.current_layout) for w in english_words(text, ALLOWED)}
        assert words == set()


async def test_the_daily_detail_box_adds_the_day_rows_to_the_download(
    site: Site, tmp_path: Path, failing_receiver: Receiver
) -> None:
    """Tick 草稿 and 附日明细, download the CSV: its last column 日明细 holds the day rows, and the
    file still verifies against the hub's key."""
    ctx = context(site, tmp_path, failing_receiver)
    async with web_user(ctx, before=lambda: register_assessment(ctx)) as user:
        await login(user, "head_a1")
        await user.open(MONTHLY)
        await _wait_for(user, "export-daily")
        user.find(marker="export-draft").elements.pop().value = True  # type: ignore[attr-defined]
        user.find(marker="export-daily").elements.pop().value = True  # type: ignore[attr-defined]
        before = len(user.download.http_responses)  # type: ignore[attr-defined]
        user.find(marker="export-csv").click()
        for _ in range(100):
            got = user.download.http_responses[before:]  # type: ignore[attr-defined]
            if len(got) >= 2:
                break
            await asyncio.sleep(0.1)
        data, signature = got[0].content, got[1].content
        assert export_signature.check(data, signature, HUB_KEY.public_key)[1] == []
        read = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert read[0][-1] == "日明细"
        assert any("2026-10-" in row[-1] for row in read[1:])


async def test_a_locked_month_waiting_for_its_push_day_says_when(
    site: Site, tmp_path: Path, failing_receiver: Receiver
) -> None:
    """With `day = 5`, a month locked on 29 October waits: the page says it goes on 2026-11-05, and
    the worker sends nothing before."""
    ctx = context(site, tmp_path, failing_receiver, day=5)
    lock(site)
    assert ctx.config is not None
    await asyncio.to_thread(pusher(site, ctx.config.export, Clock()).run_once)
    assert failing_receiver.requests == []
    async with web_user(ctx, before=lambda: register_assessment(ctx)) as user:
        await login(user, "labor")
        await user.open(MONTHLY)
        await _wait_for(user, "push-waiting")
        await user.should_see("已锁定，将于 2026-11-05 推送")


def test_deliveries_are_listed_for_their_month_and_area_only(site: Site, tmp_path: Path) -> None:
    """`push.deliveries` of another area or month is empty (the page shows only its own)."""
    raw = {"site": "t", "key_file": "k", "database": "d", "export": {"push": {"drop_folder": "drop"}}}
    worker = pusher(site, parse_config(raw, tmp_path).export, Clock())
    lock(site)
    worker.run_once()
    assert [d.state for d in push.deliveries("2026-10", "A1")] == ["delivered"]
    assert push.deliveries("2026-10", "A2") == []
    assert push.deliveries("2026-09", "A1") == []
