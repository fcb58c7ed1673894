"""Every dashboard page in real headless Chromium, in Chinese and then in English (#19): each opens
as the role that may read it, shows its title and no error, and is saved as a screenshot at
1920x1080 (screenshots/dashboard/<lang>/) for a person to look at. The words themselves are checked
page by page by tests/hub/web/test_pages_speak_chinese.py; this walk is about what a browser shows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from hub.accounts import Role
from hub.store.schema import prepare
from hub.web import register_pages
from hub.web.review.assessment import register_assessment
from hub.web.review.trends import register_trends
from tests.hub.conftest_web import PASSWORD, StepClock, make_context
from tests.hub.review.test_assessment_domain import NOW_MS, open_copy
from tests.hub.web.test_pages_speak_chinese import PAGES

SHOTS = Path("screenshots") / "dashboard"
LOGOUT = {"zh": "退出", "en": "Sign out"}


def _type(screen: Screen, label: str, text: str) -> None:
    screen.selenium.find_element(By.XPATH, f"//label[.//*[text()='{label}']]//input").send_keys(text)


def _sign_in(screen: Screen, username: str) -> None:
    screen.open("/login")
    _type(screen, "用户名", username)
    _type(screen, "密码", PASSWORD)
    screen.click("登录")
    screen.should_contain("退出")


def _name(path: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "root"


@pytest.mark.nicegui_main_file("")
def test_every_dashboard_page_opens_in_chinese_and_in_english(
    screen: Screen, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """As the labor section and as the admin, every page of the crawler's list opens in a real
    browser in both languages, with the header's sign-out in that language and no server error."""
    site = open_copy(tmp_path_factory, tmp_path / "hub.db")
    prepare(site.db)
    ctx = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    ctx.accounts.create(username="admin", password=PASSWORD, role=Role.ADMIN, display_name="管理员")
    ctx.accounts.create(username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科")
    register_pages(ctx)
    register_assessment(ctx)
    register_trends(ctx)
    screen.ui_run_kwargs.update(storage_secret="dashboard walk", language="zh-CN")
    screen.selenium.set_page_load_timeout(30)
    screen.selenium.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    seen: list[str] = []
    try:
        for username, paths in PAGES.items():
            _sign_in(screen, username)
            for lang in ("zh", "en"):
                folder = SHOTS / lang
                folder.mkdir(parents=True, exist_ok=True)
                for path in paths:
                    screen.open(path)
                    screen.should_contain(LOGOUT[lang])  # the page and its frame, in this language
                    text = str(screen.selenium.execute_script("return document.body.innerText"))
                    assert "Traceback" not in text, path
                    assert "Internal Server Error" not in text, path
                    screen.wait(1.0)  # pages that compute in a worker thread fill in
                    screen.selenium.save_screenshot(str(folder / f"{username}-{_name(path)}.png"))
                    seen.append(f"{lang}{path}")
                if lang == "zh":
                    screen.click("English")  # the header's language switch
                    screen.should_contain(LOGOUT["en"])
            screen.click("中文")  # back to Chinese, then out: the next user signs in on a Chinese page
            screen.should_contain(LOGOUT["zh"])
            screen.click(LOGOUT["zh"])
            screen.should_contain("用户名")
    finally:
        screen.selenium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        screen.selenium.set_page_load_timeout(4)
        site.db.close()
    assert len(seen) == 2 * sum(len(p) for p in PAGES.values())
