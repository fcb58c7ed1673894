"""The trends page in real headless Chromium at 1920x1080, in Chinese and English, with screenshots
(screenshots/trends/): the completion chart holds the area's lines and a picked inmate, its legend one
row that never pages, and the below-threshold list's names open the inmate page."""

from __future__ import annotations

from pathlib import Path

import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from hub.accounts import Role
from hub.store import masterdata as md
from hub.store.schema import prepare
from hub.web import register_pages
from hub.web.review.assessment import register_assessment
from hub.web.review.trends import register_trends
from tests.hub.conftest_web import PASSWORD, StepClock, make_context
from tests.hub.review.test_assessment_domain import NOW_MS, open_copy
from tests.hub.web.screen_support import full_hd, log_in, type_into

SHOTS = Path("screenshots") / "trends"


def _series_names(screen: Screen) -> list[str]:
    """The names ECharts itself draws in the completion chart (its live options, not ours)."""
    return list(
        screen.selenium.execute_script(
            "const el = document.querySelector('.nicegui-echart');"  # the first chart: completion
            "return getElement(el).chart.getOption().series.map(s => s.name);"
        )
    )


@pytest.mark.nicegui_main_file("")
def test_trends_in_a_real_browser_both_languages(
    screen: Screen, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The area head opens 趋势 for A1: two line series, a plain legend; typing a prison number in the
    picker and choosing him adds his series; the English page says the same; a name in the list links to
    /inmate?id=."""
    site = open_copy(tmp_path_factory, tmp_path / "hub.db")
    prepare(site.db)
    ctx = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    ctx.accounts.create(
        username="head_a1", password=PASSWORD, role=Role.AREA_HEAD, area="A1", display_name="张监区长"
    )
    register_pages(ctx)
    register_assessment(ctx)
    register_trends(ctx)
    full_hd(screen, "trends test")
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        log_in(screen, "head_a1", PASSWORD)
        screen.should_contain("张监区长")
        screen.open("/trends?area=A1&month=2026-10")
        screen.should_contain("完成率低于 80% 达 5 天及以上")
        screen.wait(1.0)  # the chart's first draw
        assert [n.split()[0] for n in _series_names(screen)] == ["L1", "L2"]
        screen.selenium.save_screenshot(str(SHOTS / "trends-zh.png"))
        with site.db.connection_context():
            person = md.Inmate.select().order_by(md.Inmate.number).get()
        type_into(screen, "在图中显示罪犯（按囚号或姓名查找，最多 5 人）", str(person.number))
        label = f"{person.number} {person.name}"
        screen.wait(0.5)  # the filtered menu opens
        screen.selenium.find_element(By.XPATH, f"//*[@role='option'][contains(., '{label}')]").click()
        screen.wait(1.0)
        drawn = _series_names(screen)
        assert len(drawn) == 3
        assert drawn[2] == label
        screen.selenium.save_screenshot(str(SHOTS / "trends-zh-picked.png"))
        links = screen.selenium.find_elements(By.CSS_SELECTOR, "a[href^='/inmate?id=']")
        assert links
        screen.click("English")
        screen.should_contain("on 5 or more days")
        screen.wait(1.0)
        screen.selenium.save_screenshot(str(SHOTS / "trends-en.png"))
    finally:
        screen.selenium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        screen.selenium.set_page_load_timeout(4)
        site.db.close()
