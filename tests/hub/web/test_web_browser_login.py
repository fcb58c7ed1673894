"""Login and the live floor in real headless Chromium, with screenshots (screenshots/dashboard/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nicegui.testing import Screen

from hub.store.schema import prepare
from hub.web import register_pages
from tests.hub.conftest_web import PASSWORD, StepClock, add_officers, hub_db, make_context, seed_site
from tests.hub.web.screen_support import full_hd, log_in

SHOTS = Path("screenshots") / "dashboard"


@pytest.mark.nicegui_main_file("")
def test_login_in_a_real_browser_opens_the_floor_and_a_wrong_password_does_not(
    screen: Screen, tmp_path: Path
) -> None:
    """A wrong password shows 用户名或密码错误; the right one opens 现场 with the officer's name."""
    database = hub_db(tmp_path / "hub.db")
    seed_site(3)
    ctx = make_context(database, StepClock())
    prepare(database)
    add_officers(ctx)
    register_pages(ctx)
    full_hd(screen, "login test")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        log_in(screen, "head_a", "wrong password")
        screen.should_contain("用户名或密码错误")
        screen.selenium.save_screenshot(str(SHOTS / "login-refused.png"))
        log_in(screen, "head_a", PASSWORD)
        screen.should_contain("甲监区长 · 监区长")
        screen.should_contain("服装二线")
        screen.should_not_contain("电子一线")
        screen.selenium.save_screenshot(str(SHOTS / "floor-area-head.png"))
    finally:
        screen.selenium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        screen.selenium.set_page_load_timeout(4)
        database.close()
