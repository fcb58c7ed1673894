"""The monthly assessment in real headless Chromium, with screenshots (screenshots/assessment/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from nicegui.testing import Screen

from hub.accounts import Role
from hub.review import lock
from hub.store.schema import prepare
from hub.web import register_pages
from hub.web.review.assessment import register_assessment
from hub.web.review.trends import register_trends
from tests.hub.conftest_web import PASSWORD, StepClock, make_context
from tests.hub.review.test_assessment_domain import MONTH, NOW_MS, open_copy
from tests.hub.web.screen_support import full_hd, log_in, type_into

SHOTS = Path("screenshots") / "assessment"


@pytest.mark.nicegui_main_file("")
def test_line_officer_approves_the_month_in_a_real_browser(
    screen: Screen, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The officer of L1 signs in, opens 月考核 for A1, sees the scores and the open items, and approves
    as 分监区民警 with an override reason (the month is still running)."""
    site = open_copy(tmp_path_factory, tmp_path / "hub.db")
    prepare(site.db)
    ctx = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    ctx.accounts.create(
        username="off_l1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["L1"], display_name="王警官"
    )
    register_pages(ctx)
    register_assessment(ctx)
    register_trends(ctx)
    full_hd(screen, "assessment test")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        log_in(screen, "off_l1", PASSWORD)
        screen.should_contain("王警官 · 分监区民警")
        screen.open("/monthly?area=A1&month=2026-10")
        screen.should_contain("审批状态：未审批")
        screen.should_contain("劳动得分")
        screen.should_contain("尚有")  # the month runs with open items: listed above the button
        screen.selenium.save_screenshot(str(SHOTS / "monthly-open.png"))
        type_into(screen, "越级审批理由（月未结束或有待办时填写）", "测试：月中审批")
        screen.click("审批通过")
        screen.should_contain("审批状态：分监区民警已审")
        screen.selenium.save_screenshot(str(SHOTS / "monthly-approved.png"))
    finally:
        screen.selenium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        screen.selenium.set_page_load_timeout(4)
        site.db.close()
    assert lock.active_stages(MONTH, "A1") == ["line_officer"]
