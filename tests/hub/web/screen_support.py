"""The dashboard in NiceGUI's `screen` fixture (real Chromium): the set-up and login its browser
tests all make, in one place so that they cannot drift apart."""

from __future__ import annotations

from nicegui.testing import Screen
from selenium.webdriver.common.by import By


def full_hd(screen: Screen, storage_secret: str) -> None:
    """Serve the pages in Chinese and give the page exactly 1920x1080, the officers' screens (a
    headless window's page is smaller than the window); a page that never loads fails in 30 s."""
    screen.ui_run_kwargs.update(storage_secret=storage_secret, language="zh-CN")
    screen.selenium.set_page_load_timeout(30)
    screen.selenium.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )


def type_into(screen: Screen, label: str, text: str) -> None:
    """Type into the field whose label reads exactly `label`."""
    screen.selenium.find_element(By.XPATH, f"//label[.//*[text()='{label}']]//input").send_keys(text)


def log_in(screen: Screen, username: str, password: str) -> None:
    """The login page, the name and password typed, 登录 clicked (the caller checks what follows)."""
    screen.open("/login")
    type_into(screen, "用户名", username)
    type_into(screen, "密码", password)
    screen.click("登录")
