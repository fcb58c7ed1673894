"""The inmates' month over real processes: Mosquitto, the hub and a kiosk process (the demo's floor,
its simulated people slowed right down), walked in headless Chromium.

The line officer and the area head approve last month on the dashboard (with an override: the
seeded month has open items), which publishes it; at the kiosk one inmate confirms his monthly
result and another asks for a review; the request reaches the hub as a signed record, the line
officer answers it on the monthly page, and the answer appears at the inmate's kiosk through the
hub-signed plan. Screenshots are saved under screenshots/system/.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from floorledger.broker import free_port, free_ports
from floorledger.demo.orchestrator import Demo, DemoOptions
from hub.store import db as hubdb
from hub.store.kiosks import KioskRecord

pytestmark = pytest.mark.system

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "system"
PASSWORD = "demo-2026"
OVERRIDE = "系统测试：待办另行处理"
ANSWER = "已调阅出勤与产量记录，分数无误"


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    os.environ.setdefault("SE_OFFLINE", "true")
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--lang=zh-CN", "--window-size=1280,900"):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))
    try:
        yield driver
    finally:
        driver.quit()


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


def text_of(driver: webdriver.Chrome) -> str:
    return str(driver.execute_script("return document.body ? document.body.innerText : ''"))


def wait_for(driver: webdriver.Chrome, condition: Callable[[str], bool], timeout: float, what: str) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = text_of(driver)
        if condition(text):
            return text
        if time.monotonic() > deadline:
            shot(driver, "month-failed")
            pytest.fail(f"{what} within {timeout:.0f} s; the page shows:\n{text[:1200]}")
        time.sleep(0.25)


def shot(driver: webdriver.Chrome, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def click(driver: webdriver.Chrome, label: str) -> None:
    """Click the visible button with this label, finding it again if the page redrew it."""
    deadline = time.monotonic() + 20
    while True:
        try:
            for element in driver.find_elements(By.XPATH, f"//button[normalize-space(.)='{label}']"):
                if element.is_displayed():
                    element.click()
                    return
        except StaleElementReferenceException:
            pass
        if time.monotonic() > deadline:
            raise NoSuchElementException(f"no visible button {label!r}")
        time.sleep(0.2)


def field(driver: webdriver.Chrome, label: str) -> webdriver.remote.webelement.WebElement:
    return driver.find_element(By.XPATH, f"//label[.//*[contains(text(), '{label}')]]//input")


def sign_in(driver: webdriver.Chrome, base: str, username: str) -> None:
    driver.delete_all_cookies()
    driver.get(f"{base}/login")
    wait_for(driver, lambda t: "用户名" in t, 60, "no login page")
    # what is typed before the page's socket shook hands with the hub never reaches it (the login
    # would be refused under load)
    deadline = time.monotonic() + 60
    while driver.execute_script("return window.did_handshake === true") is not True:
        if time.monotonic() > deadline:
            pytest.fail("the login page did not connect to the hub")
        time.sleep(0.1)
    field(driver, "用户名").send_keys(username)
    field(driver, "密码").send_keys(PASSWORD)
    click(driver, "登录")
    wait_for(driver, lambda t: "退出" in t, 60, f"{username} was not signed in")


def monthly(driver: webdriver.Chrome, base: str, month: str) -> str:
    driver.get(f"{base}/monthly?area=A1&month={month}")
    return wait_for(
        driver, lambda t: "审批状态" in t and "公示与复核" in t, 180, "the monthly page did not load"
    )


def tap(driver: webdriver.Chrome, badge: str, name_shown: Callable[[str], bool]) -> str:
    """A badge reader that types (keyboard wedge): the number, then Enter; tapped again if the
    simulated floor's own tap took the screen meanwhile."""
    for _ in range(3):
        wait_for(driver, lambda t: "请刷卡" in t or "签到" in t, 60, "no kiosk screen")
        ActionChains(driver).send_keys(badge + "\n").perform()
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
