"""Master data · lines, shifts and workdays: each officer sees their scope, changes are ledgered, bad
values and changes outside an officer's area are refused and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.store import masterdata as md_store
from hub.store.masterdata import Workday
from tests.hub.web.masterdata.test_masterdata_pages_products import (
    Site,
    choose,
    click_and_see,
    fill,
    login,
    open_site,
    rows,
    web,
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from open_site(tmp_path)


async def test_each_officer_sees_the_lines_of_their_scope(site: Site) -> None:
    """Line officer: their line; area head: their area's lines; labor section: every line."""
    expected = {"off_a1": ["A1"], "head_a": ["A1", "A2"], "labor": ["A1", "A2", "B1"]}
    async with web(site) as user:
        for username, lines in expected.items():
            await login(user, username)
            await user.open("/masterdata/lines")
            assert [r["code"] for r in rows(user, "md-lines")] == lines
            user.find(marker="logout").click()


async def test_an_area_head_adds_a_line_and_changes_its_shift(site: Site) -> None:
    """A new line in the head's own area, then a longer shift: both shown and both ledgered."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/lines")
        fill(user, line_code="A3", line_name="服装三线", line_shift="480")
        choose(user, "line-area", "A")
        await click_and_see(user, "line-save", "已保存")
        assert {"code": "A3", "name": "服装三线", "area": "A", "shift": "480", "product": ""} in rows(
            user, "md-lines"
        )
        await user.open("/masterdata/lines")
        choose(user, "shift-line", "A3")
        fill(user, shift_minutes="510")
        await click_and_see(user, "shift-save", "已保存")
    assert md_store.Line.get_by_id("A3").shift_minutes == "510"
    assert site.actions() == ["line.add", "line.update"]
    assert {e.actor for e in site.ledger.entries()} == {"head_a"}


async def test_a_bad_line_is_refused_and_changes_nothing(site: Site) -> None:
    """Empty or oversize fields, a bad code, a shift out of range, an existing code: refused."""
    cases = [
        ("", "服装三线", "480", "请填写编号"),
        ("A3", "", "480", "请填写名称"),
        ("A3", "线" * 101, "480", "名称过长"),
        ("A 3", "服装三线", "480", "编号只能包含字母"),
        ("A3", "服装三线", "0", "班次时长(分钟)必须在 0 到 1440 之间"),
        ("A3", "服装三线", "2000", "必须在 0 到 1440 之间"),
        ("A1", "重复", "480", "编号 A1 已存在"),
    ]
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/lines")
        choose(user, "line-area", "A")
        for code, name, shift, message in cases:
            fill(user, line_code=code, line_name=name, line_shift=shift)
            await click_and_see(user, "line-save", message)
    assert md_store.Line.select().count() == 3
    assert site.actions() == []


async def test_workdays_are_added_and_removed_and_ledgered(site: Site) -> None:
    """An area head marks a workday for their line and takes it back; the list follows, both ledgered."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/lines")
        fill(user, workday_day="2025-12-01")
        choose(user, "workday-line", "A1")
        await click_and_see(user, "workday-add", "已保存")
        assert rows(user, "md-workdays") == [{"day": "2025-12-01", "line": "A1"}]
        await click_and_see(user, "workday-remove", "已保存")
        assert rows(user, "md-workdays") == []
    assert site.actions() == ["workday.add", "workday.remove"]


async def test_a_workday_in_the_wrong_format_is_refused(site: Site) -> None:
    """12/01/2025 is not a date an officer may type: refused with the format to use."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/lines")
        fill(user, workday_day="12/01/2025")
        choose(user, "workday-line", "*")
        await click_and_see(user, "workday-add", "日期格式错误,应为 YYYY-MM-DD")
    assert Workday.select().count() == 0
    assert site.actions() == []


async def test_only_the_labor_section_sets_site_wide_workdays_and_areas(site: Site) -> None:
    """Labor section: a site-wide workday and a new area are saved; an area head is offered neither."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/lines")
        fill(user, workday_day="2025-12-02")
        choose(user, "workday-line", "*")
        await click_and_see(user, "workday-add", "已保存")
        fill(user, area_code="C", area_name="三监区")
        await click_and_see(user, "area-save", "已保存")
        user.find(marker="logout").click()
        await login(user, "head_a")
        await user.open("/masterdata/lines")
        await user.should_not_see(marker="area-save")
    assert Workday.get(Workday.day == "2025-12-02").line is None
    assert site.actions() == ["workday.add", "area.add"]
