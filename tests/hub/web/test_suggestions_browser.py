"""The suggestion flow in real headless Chromium, with screenshots (screenshots/dashboard/): the area
head opens the suggestions, records the suggested post change in its form, and lands on the actions
page with the action listed and waiting for its workdays."""

from __future__ import annotations

from pathlib import Path

import peewee
import pytest
from nicegui.testing import Screen

from hub.store import analytics as an
from hub.web import WebContext, register_pages
from tests.hub.conftest_web import PASSWORD
from tests.hub.web.screen_support import full_hd, log_in
from tests.hub.web.test_suggestions_flow import ctx, db  # noqa: F401  (fixtures)

SHOTS = Path("screenshots") / "dashboard"


@pytest.mark.nicegui_main_file("")
def test_a_suggested_post_change_recorded_in_a_real_browser(
    screen: Screen,
    ctx: WebContext,  # noqa: F811
    db: peewee.Database,  # noqa: F811
) -> None:
    """32101014 张建国's suggestion with its reason; 登记调岗 opens the form with the reason filled in;
    保存 records it and the actions page lists it (调岗, 已 0/10 个工作日)."""
    register_pages(ctx)
    full_hd(screen, "suggestions test")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        log_in(screen, "head", PASSWORD)
        screen.should_contain("head民警")
        screen.open("/suggestions?area=A")
        screen.should_contain("32101014 张建国")
        screen.should_contain("建议调至上领，上领本周缺 1 人")
        screen.should_contain("服装一线：上领本周缺 1 人")
        screen.selenium.save_screenshot(str(SHOTS / "suggestions.png"))
        screen.click("登记调岗")
        screen.should_contain("登记调岗：32101014 张建国")
        screen.selenium.save_screenshot(str(SHOTS / "suggestion-post-change-form.png"))
        screen.click("保存")
        screen.should_contain("已 0/10 个工作日")
        screen.should_contain("调岗与培训措施及效果")
        screen.selenium.save_screenshot(str(SHOTS / "actions.png"))
        with db.connection_context():
            assert [(a.kind, a.inmate, a.step) for a in an.Action.select()] == [("post", "P1014", "S1")]
    finally:
        screen.selenium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        screen.selenium.set_page_load_timeout(4)
