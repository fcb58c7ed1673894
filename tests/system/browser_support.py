"""Headless Chromium for the system tests, and the few Selenium moves they all make.

The system tests watch real processes (the hub's dashboard and board, a kiosk's touchscreen) through a
real browser. They used to carry each their own copy of these helpers, and the copies drifted: one
waited for the page's socket handshake before typing and another did not, so its logins were lost
under load. Here is one copy of each, with the reason it is written the way it is.

Everything the pages are read by is their text (`document.body.innerText`), as a person reads them;
elements are found by the label a person sees.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "screenshots" / "system"
CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium and its driver: no download, no Selenium Manager
CHROMEDRIVER = "/usr/bin/chromedriver"
REFUSED = "用户名或密码错误"  # the login page's notification for a refused name or password


# --- the browser -----------------------------------------------------------------------------------


@contextlib.contextmanager
def chromium(
    *,
    size: tuple[int, int] = (1280, 900),
    exact_viewport: bool = False,
    extra_args: Sequence[str] = (),
    page_load_timeout: float | None = None,
) -> Iterator[webdriver.Chrome]:
    """Headless Chromium in Chinese, quit however the test ends.

    Debian's binary and driver are named outright and `SE_OFFLINE` keeps Selenium from looking for
    browsers on the network (the test machines have none). `--no-sandbox` because the tests may run
    as root in a container; no GPU and no background networking, so that nothing but the page under
    test talks. `size` is the window; with `exact_viewport` the page itself is given exactly that
    size (the wall board is laid out for a 1920x1080 screen, and a headless window's page is smaller
    than the window). `extra_args` for what one test needs (a certificate to accept);
    `page_load_timeout` where a page may never load (plain HTTP on a TLS port)."""
    os.environ.setdefault("SE_OFFLINE", "true")
    width, height = size
    options = Options()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--lang=zh-CN", f"--window-size={width},{height}", *extra_args):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        if exact_viewport:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            )
        if page_load_timeout is not None:
            driver.set_page_load_timeout(page_load_timeout)
        yield driver
    finally:
        driver.quit()


def browser_fixture(**options: Any) -> Any:
    """A module's `browser` fixture in one line: `browser = browser_fixture(size=(1024, 600))` (the
    options are `chromium`'s). A fixture that needs another fixture's value writes `with chromium(...)`
    itself."""

    @pytest.fixture
    def browser() -> Iterator[webdriver.Chrome]:
        with chromium(**options) as driver:
            yield driver

    return browser


# --- reading and waiting ---------------------------------------------------------------------------


def text_of(driver: webdriver.Chrome) -> str:
    """The page's text as a person reads it ('' while the page has no body yet, between two pages)."""
    return str(driver.execute_script("return document.body ? document.body.innerText : ''"))


def shot(driver: webdriver.Chrome, name: str) -> None:
    """A screenshot at screenshots/system/NAME.png: the tests' artefacts, to be looked at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _fail(driver: webdriver.Chrome, what: str, timeout: float, failure_shot: str | None) -> None:
    """Fail the test, saying what did not happen and what the page showed instead."""
    if failure_shot:
        shot(driver, failure_shot)
    pytest.fail(f"{what} within {timeout:.0f} s; the page shows:\n{text_of(driver)[:1500]}")


def wait_for(
    driver: webdriver.Chrome,
    condition: Callable[[str], bool],
    timeout: float,
    what: str,
    *,
    failure_shot: str | None = None,
) -> str:
    """The page's text once `condition(text)` holds. The pages update themselves over their socket, so
    a test polls what is shown rather than sleeping; on timeout the test fails with the page's text
    (and, with `failure_shot`, a screenshot of that name), which is what one needs to see why."""
    deadline = time.monotonic() + timeout
    while True:
        text = text_of(driver)
        if condition(text):
            return text
        if time.monotonic() > deadline:
            _fail(driver, what, timeout, failure_shot)
        time.sleep(0.2)


def ready(driver: webdriver.Chrome, *, timeout: float = 60, failure_shot: str | None = None) -> None:
    """Wait until the page's socket has shaken hands with its server (NiceGUI sets
    `window.did_handshake`). The page's text is in its first HTML, but what is typed or clicked
    before the handshake never reaches the server: a login typed too early is refused, a form's
    field arrives empty. Call it after loading a page and before typing into it."""
    deadline = time.monotonic() + timeout
    while driver.execute_script("return window.did_handshake === true") is not True:
        if time.monotonic() > deadline:
            _fail(driver, "the page did not connect to its server", timeout, failure_shot)
        time.sleep(0.1)


# --- acting --------------------------------------------------------------------------------------


def click(driver: webdriver.Chrome, label: str, *, prefix: bool = False, timeout: float = 20) -> None:
    """Click the visible button with this label (or, with `prefix`, the one whose label starts with it,
    for a label that carries a count: 评分（1）). The pages redraw when data arrives, so a button found
    a moment ago may be gone before the click lands: it is looked for again until `timeout`, then
    NoSuchElementException."""
    test = f"starts-with(normalize-space(.), '{label}')" if prefix else f"normalize-space(.)='{label}'"
    click_visible(driver, f"//button[{test}]", timeout, f"no visible button {label!r}")


def click_visible(driver: webdriver.Chrome, xpath: str, timeout: float, missing: str) -> None:
    """Click the first displayed element `xpath` finds, looking again while the page redraws (a stale
    element is one the redraw replaced); NoSuchElementException(`missing`) after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            for element in driver.find_elements(By.XPATH, xpath):
                if element.is_displayed():
                    element.click()
                    return
        except StaleElementReferenceException:
            pass
        if time.monotonic() > deadline:
            raise NoSuchElementException(missing)
        time.sleep(0.2)


def field(driver: webdriver.Chrome, label: str) -> WebElement:
    """The input of the field whose label contains `label` (Quasar puts the label text in a div inside
    the field's <label>, the <input> beside it)."""
    return driver.find_element(By.XPATH, f"//label[.//*[contains(text(), '{label}')]]//input")


def choose(driver: webdriver.Chrome, label: str, option: str, *, timeout: float = 20) -> None:
    """Open the Quasar select (q-select) labelled `label` and pick the option containing `option`.
    Its menu is not inside the field but a q-menu at the page's end, and the previous select's menu
    takes a moment to close: a click meanwhile would land on it. Options are looked for again if the
    menu redraws; NoSuchElementException after `timeout`."""
    menu = "//div[contains(@class,'q-menu')]//div[contains(@class,'q-item')]"
    deadline = time.monotonic() + timeout
    open_menu = "return [...document.querySelectorAll('.q-menu')].some(e => e.offsetParent !== null)"
    while driver.execute_script(open_menu):  # the previous select's menu is still closing
        assert time.monotonic() < deadline, "a select's menu stays open"
        time.sleep(0.1)
    driver.find_element(By.XPATH, f"//label[.//*[contains(text(), '{label}')]]").click()
    left = max(0.0, deadline - time.monotonic())
    click_visible(
        driver,
        f"{menu}[contains(normalize-space(.), '{option}')]",
        left,
        f"no option {option!r} in {label!r}",
    )


def typed(driver: webdriver.Chrome, code: str) -> None:
    """A keyboard-wedge badge reader or scanner: the code, then Enter, typed at the page (not into a
    field: the kiosk listens to the whole page's keys, as it does on the floor)."""
    ActionChains(driver).send_keys(code + "\n").perform()


def shown(driver: webdriver.Chrome, xpath: str) -> list[WebElement]:
    """The visible elements at `xpath` ([] if the page redrew them while they were looked at)."""
    try:
        return [e for e in driver.find_elements(By.XPATH, xpath) if e.is_displayed()]
    except StaleElementReferenceException:  # the page redrew meanwhile: look again
        return []


def last_shown(driver: webdriver.Chrome, xpath: str, what: str, *, timeout: float = 30) -> WebElement:
    """The last visible element at `xpath`, once there is one: where a page repeats a form (an entry's
    own form above the new-entry form), the form being filled in is the page's last."""
    deadline = time.monotonic() + timeout
    while not (found := shown(driver, xpath)):
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} on the page within {timeout:.0f} s")
        time.sleep(0.5)
    return found[-1]


LABELLED = "//label[.//div[contains(@class, 'q-field__label')][normalize-space(.)='{label}']]"


def type_into(driver: webdriver.Chrome, label: str, text: str) -> None:
    """Replace what the (last) input labelled exactly `label` holds with `text`. Select-all then type:
    Selenium's clear() empties the DOM but not the Vue model behind it, which would keep the old
    value."""
    box = last_shown(driver, LABELLED.format(label=label) + "//input", f"input {label!r}")
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)


def sign_in(
    driver: webdriver.Chrome,
    base: str,
    username: str,
    password: str,
    *,
    timeout: float = 60,
    attempts: int = 1,
    failure_shot: str | None = None,
) -> None:
    """Sign in on the dashboard at `base` (cookies cleared first: whoever was signed in is gone).
    The login page is `ready` before anything is typed, or the name or password may be lost and the
    login refused; then the test waits for 退出 (signed in) or the refusal. With `attempts` > 1 a
    refused login is tried again from a fresh page."""
    for _ in range(attempts):
        driver.delete_all_cookies()
        driver.get(f"{base}/login")
        wait_for(driver, lambda t: "用户名" in t, timeout, "no login page", failure_shot=failure_shot)
        ready(driver, timeout=timeout, failure_shot=failure_shot)
        field(driver, "用户名").send_keys(username)
        field(driver, "密码").send_keys(password)
        click(driver, "登录")
        text = wait_for(
            driver,
            lambda t: "退出" in t or REFUSED in t,
            timeout,
            f"{username} was not signed in",
            failure_shot=failure_shot,
        )
        if "退出" in text:
            return
    if failure_shot:
        shot(driver, failure_shot)
    pytest.fail(f"{username} could not sign in: {REFUSED} ({attempts} tries)")
