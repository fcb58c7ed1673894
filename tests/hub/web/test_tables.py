"""Every dashboard list sorts numbers as numbers, filters on a search and pages, in real Chromium;
the default week and month of the review pages are the last complete ones."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import Screen
from selenium.webdriver.common.by import By

from hub.engine.model import Month
from hub.review.rules import last_complete_month, last_complete_week
from hub.web.tables import data_table, is_numeric

SHOTS = Path("screenshots") / "dashboard"


def test_numeric_columns_are_told_apart_from_text() -> None:
    """Numbers, percentages, signed numbers and "—" make a numeric column; any word makes it text."""
    assert is_numeric(["27.0", "100.0", "—", "+3", "96%", 4])
    assert not is_numeric(["27.0", "张三"])
    assert not is_numeric(["—", ""])  # nothing to sort by number
    assert not is_numeric([True, False])


def test_review_pages_open_on_the_last_complete_week_and_month() -> None:
    """On Wednesday 2026-12-02 the week in progress is W49 and the month December: the pages open on
    2026-W48 and 2026-11; on 1 January, on the previous year's last week and month."""
    assert last_complete_week(date(2026, 12, 2)) == "2026-W48"
    assert last_complete_week(date(2026, 12, 6)) == "2026-W48"  # Sunday: W49 is not over yet
    assert last_complete_week(date(2026, 12, 7)) == "2026-W49"
    assert last_complete_month(date(2026, 12, 2)) == Month(year=2026, month=11)
    assert last_complete_month(date(2027, 1, 1)) == Month(year=2026, month=12)
    assert last_complete_week(date(2027, 1, 1)) == "2026-W52"


def _rows(screen: Screen) -> list[list[str]]:
    return [
        [c.text for c in tr.find_elements(By.CSS_SELECTOR, "td")]
        for tr in screen.selenium.find_elements(By.CSS_SELECTOR, ".q-table tbody tr")
    ]


@pytest.mark.nicegui_main_file("")
def test_a_list_sorts_numbers_as_numbers_searches_and_pages(screen: Screen) -> None:
    """60 inmates: 50 on the first page; sorting 劳动分 puts 9.5 before 27.0 before 100.0 (not as
    text); searching a name leaves that row only."""
    names = ["张三", "李四", "王五"] + [f"犯{n:02d}" for n in range(57)]
    points = ["100.0", "9.5", "27.0"] + [str(30 + n) for n in range(57)]

    @ui.page("/list")
    def page() -> None:
        data_table(
            columns=[
                {"name": "name", "label": "姓名", "field": "name"},
                {"name": "points", "label": "劳动分", "field": "points"},
            ],
            rows=[{"inmate": f"P{n}", "name": names[n], "points": points[n]} for n in range(60)],
            lang="zh",
            row_key="inmate",
        ).mark("list")

    screen.open("/list")
    screen.should_contain("张三")
    assert len(_rows(screen)) == 50
    screen.should_contain("每页行数")
    screen.find("劳动分").click()
    screen.wait(0.5)
    assert [r[1] for r in _rows(screen)[:3]] == ["9.5", "27.0", "30"]
    search = screen.selenium.find_element(By.CSS_SELECTOR, "input[placeholder^='搜索']")
    search.send_keys("李四")
    screen.wait(0.5)
    assert _rows(screen) == [["李四", "9.5"]]
    SHOTS.mkdir(parents=True, exist_ok=True)
    screen.selenium.save_screenshot(str(SHOTS / "list-search.png"))
