"""The inmates' month over real processes: Mosquitto, the hub and a kiosk process (the demo's floor,
its simulated people slowed right down), walked in headless Chromium.

The line officer and the area head approve last month on the dashboard (with an override: the
seeded month has open items), which publishes it; at the kiosk one inmate confirms his monthly
result and another asks for a review; the request reaches the hub as a signed record, the line
officer answers it on the monthly page, and the answer appears at the inmate's kiosk through the
hub-signed plan. Screenshots are saved under screenshots/system/.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium import webdriver

from floorledger.broker import free_port, free_ports
from floorledger.demo.orchestrator import ADMIN_PASSWORD, Demo, DemoOptions
from hub.store import db as hubdb
from hub.store.kiosks import KioskRecord
from tests.system import browser_support
from tests.system.browser_support import browser_fixture, click, field, ready, shot, text_of, typed

pytestmark = pytest.mark.system

PASSWORD = ADMIN_PASSWORD  # the demo seeds every officer with it
FAILED = "month-failed"  # the screenshot a failed wait leaves
OVERRIDE = "系统测试：待办另行处理"
ANSWER = "已调阅出勤与产量记录，分数无误"


browser = browser_fixture()


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Demo]:
    options = DemoOptions(
        data=tmp_path / "floor",
        speed=0.1,  # the simulated people act every 40 s: the test's inmates have the kiosk to themselves
        hub_port=(hub_port := free_port()),
        kiosk_port=free_ports(1, avoid=[hub_port]),
        kiosk_lines=("L1",),
    )
    demo = Demo(options)
    try:
        demo.start()
        yield demo
    finally:
        demo.stop()


def wait_for(driver: webdriver.Chrome, condition: Callable[[str], bool], timeout: float, what: str) -> str:
    """`browser_support.wait_for`, leaving screenshots/system/month-failed.png when it fails."""
    return browser_support.wait_for(driver, condition, timeout, what, failure_shot=FAILED)


def sign_in(driver: webdriver.Chrome, base: str, username: str) -> None:
    """An officer of the demo site signs in (its officers share the demo's password)."""
    browser_support.sign_in(driver, base, username, PASSWORD, failure_shot=FAILED)


def monthly(driver: webdriver.Chrome, base: str, month: str) -> str:
    driver.get(f"{base}/monthly?area=A1&month={month}")
    text = wait_for(
        driver, lambda t: "审批状态" in t and "公示与复核" in t, 180, "the monthly page did not load"
    )
    ready(driver)  # the officer types his answer next: not before the page is connected
    return text


def tap(driver: webdriver.Chrome, badge: str, name_shown: Callable[[str], bool]) -> str:
    """A badge reader that types (keyboard wedge): the number, then Enter; tapped again if the
    simulated floor's own tap took the screen meanwhile."""
    for _ in range(3):
        wait_for(driver, lambda t: "请刷卡" in t or "签到" in t, 60, "no kiosk screen")
        typed(driver, badge)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            text = text_of(driver)
            if name_shown(text):
                return text
            time.sleep(0.2)
    pytest.fail(f"badge {badge} was not recognised; the kiosk shows:\n{text_of(driver)[:800]}")


def month_records(floor: Demo, kind: str) -> int:
    db = hubdb.connect(f"sqlite:///{floor.data / 'hub' / 'hub.sqlite3'}")
    db.bind([KioskRecord])
    try:
        return int(KioskRecord.select().where(KioskRecord.type == kind).count())
    finally:
        db.close()


def test_inmates_confirm_and_question_their_month_and_the_answer_reaches_the_kiosk(
    floor: Demo, browser: webdriver.Chrome
) -> None:
    """Approved by the line officer and the area head, last month is published; 0000100001 confirms
    it at the kiosk, 0000100002 asks for a review (分数不对); the line officer answers it (维持) on the
    monthly page; at his next tap 0000100002 reads the answer."""
    base = f"http://127.0.0.1:{floor.options.hub_port}"
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    month = (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")

    for username, state in (("line1", "分监区民警已审"), ("area1", "监区长已审")):
        sign_in(browser, base, username)
        monthly(browser, base, month)
        field(browser, "越级审批理由").send_keys(OVERRIDE)
        click(browser, "审批通过")
        approved = f"审批状态：{state}"
        wait_for(browser, lambda t: approved in t, 180, f"{username}'s approval")  # noqa: B023 (used at once)
    published = wait_for(browser, lambda t: "公示期：" in t, 60, "the month was not published")
    shot(browser, "month-published-dashboard")
    assert f"公示期：{today.isoformat()}" in published

    kiosk = floor.kiosks[0]
    browser.get(f"http://127.0.0.1:{kiosk.port}/")
    wait_for(browser, lambda t: "请刷卡" in t or "继续" in t, 120, "no kiosk screen")
    if "继续" in text_of(browser):
        click(browser, "继续")
    tap(browser, "0000100001", lambda t: "月度公示" in t and "确认月度结果" in t)
    shot(browser, "month-kiosk-published")
    click(browser, "确认月度结果")
    wait_for(browser, lambda t: "确认签名：" in t, 30, "no confirmation step")
    click(browser, "确认签名")
    wait_for(browser, lambda t: "月度结果已确认" in t, 30, "the confirmation was not saved")

    click(browser, "完成")  # his screen closes; the next inmate taps
    wait_for(browser, lambda t: "请刷卡" in t, 30, "the kiosk did not return to idle")
    tap(browser, "0000100002", lambda t: "确认月度结果" in t)  # offered to one who has not answered
    click(browser, "申请复核")
    click(browser, "分数不对")
    wait_for(browser, lambda t: "确认申请复核" in t, 30, "no confirmation step for the review")
    click(browser, "确认提交")
    wait_for(browser, lambda t: "复核申请已提交" in t, 30, "the review request was not saved")
    shot(browser, "month-kiosk-review-asked")
    deadline = time.monotonic() + 90
    while month_records(floor, "month_review") < 1 or month_records(floor, "month_confirm") < 1:
        assert time.monotonic() < deadline, "the hub did not store the kiosk's month records"
        time.sleep(0.5)

    sign_in(browser, base, "line1")
    page = monthly(browser, base, month)
    assert "未答复" in page
    field(browser, "答复理由").send_keys(ANSWER)
    click(browser, "答复")
    wait_for(browser, lambda t: f"维持：{ANSWER}" in t, 120, "the answer was not recorded")
    shot(browser, "month-answered-dashboard")

    browser.get(f"http://127.0.0.1:{kiosk.port}/")
    answered = ""
    for _ in range(6):  # the hub republishes the plan at once; the screen closes after 20 s idle
        answered = tap(browser, "0000100002", lambda t: "复核答复" in t or "已申请复核" in t)
        deadline = time.monotonic() + 15
        while f"复核答复：{ANSWER}" not in answered and time.monotonic() < deadline:
            time.sleep(0.5)
            answered = text_of(browser)
        if f"复核答复：{ANSWER}" in answered:
            break
    shot(browser, "month-kiosk-answer")
    assert f"复核答复：{ANSWER}" in answered, answered[:800]
    assert "复核结果：维持" in answered
