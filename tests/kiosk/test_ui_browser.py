"""The kiosk in a real headless Chromium at the 800x480 panel size: layout, fonts, touch targets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from devices.api import BadgeReaderConfig, BadgeReaderSimulation
from kiosk.ui import KioskController, kiosk_page
from tests.kiosk.conftest import FakeTime, build_controller, make_plan

WIDTH, HEIGHT = 800, 480


@pytest.fixture
def panel(screen: Screen, tmp_path: Path) -> Iterator[tuple[Screen, KioskController, BadgeReaderSimulation]]:
    """The kiosk page served to Chromium, its viewport set to the kiosk panel's 800x480."""
    fake = FakeTime()
    ctrl, store = build_controller(tmp_path, fake, plan=make_plan())
    reader = BadgeReaderSimulation(
        BadgeReaderConfig(name="badge0", url="sim://badge0"),
        clock=time.monotonic,
        on_event=ctrl.post_device_event,
    )
    screen.ui_run_kwargs.update(root=lambda: kiosk_page(ctrl), language="zh-CN", title="车间终端")
    screen.selenium.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    reader.start()
    try:
        yield screen, ctrl, reader
    finally:
        reader.stop()
        screen.selenium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        screen.stop_server()
        store.close()


def _layout(screen: Screen) -> dict[str, float]:
    return screen.selenium.execute_script(  # type: ignore[no-any-return]
        """
        const buttons = [...document.querySelectorAll('.kbtn, .kkey')].filter(b => b.offsetParent !== null);
        const heights = buttons.map(b => b.getBoundingClientRect().height);
        return {
          width: window.innerWidth,
          height: window.innerHeight,
          scrollHeight: document.documentElement.scrollHeight,
          smallestButton: Math.min(...heights),
        };
        """
    )


@pytest.mark.nicegui_main_file("")  # no main file: the screen fixture serves `ui_run_kwargs["root"]`
def test_kiosk_renders_chinese_at_800x480_with_glove_sized_buttons(
    panel: tuple[Screen, KioskController, BadgeReaderSimulation],
) -> None:
    """At 800x480 the idle, inmate, keypad and officer screens (and at 1024x600 the correction panel)
    fit without scrolling, show Chinese, and every button is at least 64 px tall; screenshots of each
    are saved under screenshots/ for a person to look at."""
    screen, ctrl, reader = panel
    screen.open("/")
    screen.should_contain("请刷卡或扫码")
    screen.should_contain("今日进度 0 / 200 件")
    idle = _layout(screen)
    assert (idle["width"], idle["height"]) == (WIDTH, HEIGHT)
    assert idle["scrollHeight"] <= HEIGHT
    screen.selenium.save_screenshot(str(Screen.SCREENSHOT_DIR / "kiosk_idle_800x480.png"))

    reader.present("B1001")  # from this (non-UI) thread, as a driver thread would
    screen.should_contain("1001 张三")
    screen.should_contain("今日定额 120 件")
    inmate = _layout(screen)
    assert inmate["scrollHeight"] <= HEIGHT
    assert inmate["smallestButton"] >= 64
    screen.selenium.save_screenshot(str(Screen.SCREENSHOT_DIR / "kiosk_inmate_800x480.png"))

    _button(screen, "签到").click()
    screen.should_contain("签到成功")
    assert ctrl.state.person == "1001"
    _button(screen, "报数").click()
    screen.should_contain("确定")
    keypad = _layout(screen)
    assert keypad["scrollHeight"] <= HEIGHT
    assert keypad["smallestButton"] >= 64
    screen.selenium.save_screenshot(str(Screen.SCREENSHOT_DIR / "kiosk_keypad_800x480.png"))

    reader.present("B9007")
    screen.should_contain("管理员 赵警官")
    officer = _layout(screen)
    assert officer["scrollHeight"] <= HEIGHT
    assert officer["smallestButton"] >= 64
    screen.selenium.save_screenshot(str(Screen.SCREENSHOT_DIR / "kiosk_officer_800x480.png"))

    screen.selenium.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1024, "height": 600, "deviceScaleFactor": 1, "mobile": False},
    )
    _button(screen, "更正数量").click()
    screen.should_contain("更正为")
    assert _layout(screen)["scrollHeight"] <= 600
    screen.selenium.save_screenshot(str(Screen.SCREENSHOT_DIR / "kiosk_correct_1024x600.png"))


def _button(screen: Screen, label: str) -> WebElement:
    return screen.selenium.find_element(By.XPATH, f"//button[normalize-space()='{label}']")
