"""The wall board with the whole floor running as real processes and a real browser watching it.

Mosquitto, the hub and two kiosk processes (simulated badge readers and scanners driven by the
demo's simulated operator) run as separate processes; headless Chromium shows the board at
1920x1080. Screenshots are saved under screenshots/system/ as test artefacts.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver

from floorledger.broker import free_port, free_ports
from floorledger.demo.orchestrator import Demo, DemoOptions
from floorledger.demo.site import pad_board
from hub.store.schema import prepare
from hub.store.web import BoardToken
from tests.system.browser_support import browser_fixture, shot, text_of, wait_for

pytestmark = pytest.mark.system

STRIP = re.compile(r"今日进度\s+[^\n]*?\s([\d.]+)/")  # "今日进度 <line name> <done>/<quota> (<pct>)"
CJK = re.compile(r"[\u4e00-\u9fff]")


browser = browser_fixture(size=(1920, 1080), exact_viewport=True)  # the board's screen, exactly


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Demo]:
    options = DemoOptions(
        data=tmp_path / "floor",
        speed=20,
        hub_port=(hub_port := free_port()),
        kiosk_port=free_ports(2, avoid=[hub_port]),
        kiosk_lines=("L1", "L2"),
    )
    demo = Demo(options)
    try:
        demo.start()
        yield demo
    finally:
        demo.stop()


def done_today(text: str) -> float:
    match = STRIP.search(text)
    return float(match.group(1)) if match else -1.0


def test_kiosk_activity_reaches_the_board_which_survives_a_hub_restart(
    floor: Demo, browser: webdriver.Chrome
) -> None:
    """Badge taps and ticket scans at two kiosk processes raise today's progress on the board without a
    reload; with the hub killed the board keeps its data marked 数据未更新; after the hub restarts it is
    live again by itself; a revoked token then shows nothing."""
    port = floor.options.hub_port
    url = f"http://127.0.0.1:{port}/board/L1?token={floor.tokens['L1']}"
    browser.get(url)
    first = wait_for(
        browser, lambda t: STRIP.search(t) is not None, 60, "the board did not show today's strip"
    )
    assert "服装一线" in first
    assert len(CJK.findall(first)) > 20  # the board speaks Chinese
    before = done_today(first)
    live = wait_for(
        browser, lambda t: done_today(t) > before, 150, "no count from the kiosks reached the board"
    )
    assert "数据未更新" not in live
    shot(browser, "board-live-1920x1080")

    hub_name, hub = next((n, p) for n, p in floor.children if n == "hub")
    os.killpg(hub.pid, signal.SIGKILL)
    hub.wait(10)
    floor.children.remove((hub_name, hub))
    stale = wait_for(
        browser, lambda t: "数据未更新" in t, 30, "the board was not marked stale without the hub"
    )
    assert STRIP.search(stale), "the last data must stay on screen while the hub is away"
    shot(browser, "board-stale-1920x1080")

    config = floor.data / "hub" / "hub.toml"
    floor.spawn(
        "hub", [sys.executable, "-m", "floorledger", "hub", "--config", str(config)], floor.data / "hub"
    )
    again = wait_for(
        browser,
        lambda t: "数据未更新" not in t and STRIP.search(t) is not None,
        90,
        "the board did not come back live after the hub restarted",
    )
    assert done_today(again) >= done_today(live)
    shot(browser, "board-recovered-1920x1080")

    from hub.store import db as hubdb
    from hub.web.board import tokens as boards

    db = hubdb.connect(str(floor.data / "hub" / "hub.sqlite3"))
    try:
        prepare(db)
        token = BoardToken.get(BoardToken.target == "L1")
        boards.BoardTokens(db).revoke(token.id, by="admin")
    finally:
        db.close()
    browser.get(url)
    time.sleep(3)
    revoked = text_of(browser)
    assert STRIP.search(revoked) is None
    assert "服装一线" not in revoked


def test_a_board_of_300_rows_pages_by_itself(floor: Demo, browser: webdriver.Chrome) -> None:
    """Area A1's board with 300 inmates shows 第 1/N 页 and turns to page 2 by itself."""
    pad_board(floor.data / "hub" / "hub.sqlite3", "A1", 300)
    browser.get(f"http://127.0.0.1:{floor.options.hub_port}/board/A1?token={floor.tokens['A1']}")
    first = wait_for(browser, lambda t: re.search(r"第 1/\d+ 页", t) is not None, 60, "no page counter")
    pages = int(re.search(r"第 1/(\d+) 页", first).group(1))  # type: ignore[union-attr]
    assert pages >= 300 // 20
    shot(browser, "board-300-rows-page-1")
    wait_for(browser, lambda t: f"第 2/{pages} 页" in t, 30, "the board did not turn to page 2")
    shot(browser, "board-300-rows-page-2")
