"""Master data · inmates (quota levels with reasons and history), badges with their A4 QR sheet, and
posts (岗位调整) with history: scope per role, every change ledgered, bad input refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.masterdata import badge_sheet
from hub.store.masterdata import Assignment, Inmate
from protocol.codes import encode_person_code, parse_person_code
from tests.hub.web.masterdata.test_masterdata_pages_products import (
    Site,
    choose,
    click_and_see,
    fill,
    html_elements,
    login,
    open_site,
    rows,
    web,
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from open_site(tmp_path)


async def test_inmates_are_listed_by_scope(site: Site) -> None:
    """Line officer A1: the inmates posted to A1 today (and no forms); area head A: area A's inmates."""
    async with web(site) as user:
        await login(user, "off_a1")
        await user.open("/masterdata/inmates")
        assert [r["id"] for r in rows(user, "md-inmates")] == ["A1001", "A1002"]
        await user.should_not_see(marker="inmate-save")
        user.find(marker="logout").click()
        await login(user, "head_a")
        await user.open("/masterdata/inmates")
        assert [r["id"] for r in rows(user, "md-inmates")] == ["A1001", "A1002", "A2001", "A2002"]


async def test_an_inmate_is_added_with_an_html_name_shown_as_text(site: Site) -> None:
    """A new inmate is saved and ledgered; `<script>` in the name is kept and shown only as text."""
    name = "<script>alert(1)</script>张三"
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/inmates")
        fill(user, inmate_id="A1009", inmate_number="A1009", inmate_name=name, inmate_pct="90")
        choose(user, "inmate-area", "A")
        await click_and_see(user, "inmate-save", "已保存")
        assert {"id": "A1009", "number": "A1009", "name": name, "quota_pct": "90", "area": "A"} in rows(
            user, "md-inmates"
        )
        assert not any("script" in e.content for e in html_elements(user))
    assert Inmate.get_by_id("A1009").name == name
    assert site.actions() == ["inmate.add"]


async def test_bad_inmates_are_refused_with_a_message_and_change_nothing(site: Site) -> None:
    """Empty and oversize fields, a bad id, an existing id, a quota level out of range or not a number."""
    cases = [
        ({"inmate_id": ""}, "请填写人员编号"),
        ({"inmate_id": "X" * 41}, "人员编号过长"),
        ({"inmate_id": "<b>"}, "人员编号只能包含字母"),
        ({"inmate_id": "A1001"}, "编号 A1001 已存在"),
        ({"inmate_name": ""}, "请填写名称"),
        ({"inmate_name": "名" * 101}, "名称过长"),
        ({"inmate_pct": "250"}, "个人定额(%)必须在 0 到 200 之间"),
        ({"inmate_pct": "-1"}, "个人定额(%)必须在 0 到 200 之间"),
        ({"inmate_pct": "九十"}, "个人定额(%)必须是数字"),
    ]
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/inmates")
        choose(user, "inmate-area", "A")
        for change, message in cases:
            fill(
                user,
                **{
                    "inmate_id": "A1009",
                    "inmate_number": "A1009",
                    "inmate_name": "赵六",
                    "inmate_pct": "100",
                },
            )
            fill(user, **change)
            await click_and_see(user, "inmate-save", message)
    assert Inmate.select().count() == 6
    assert site.actions() == []


async def test_a_quota_level_change_needs_a_reason_and_shows_in_the_history(site: Site) -> None:
    """No reason or an out-of-range level is refused; a valid change is saved, ledgered and listed."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/inmates")
        fill(user, quota_inmate="A1001", quota_pct="80", quota_reason="")
        await click_and_see(user, "quota-save", "请填写原因")
        fill(user, quota_pct="201", quota_reason="病后恢复")
        await click_and_see(user, "quota-save", "必须在 0 到 200 之间")
        assert site.actions() == []
        fill(user, quota_pct="80")
        await click_and_see(user, "quota-save", "已保存")
        history = rows(user, "md-quota-history")
        assert [(r["inmate"], r["quota_pct"], r["reason"], r["actor"]) for r in history] == [
            ("A1001", "80", "病后恢复", "甲监区长（监区长）")  # the officer by name and rank
        ]
    assert Inmate.get_by_id("A1001").quota_pct == "80"
    assert site.actions() == ["inmate.quota_pct"]


async def test_an_area_head_cannot_change_another_areas_inmate(site: Site) -> None:
    """Head of area A typing an inmate of area B: the server refuses, the level stays."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/inmates")
        fill(user, quota_inmate="B1001", quota_pct="50", quota_reason="试图越权")
        await click_and_see(user, "quota-save", "无权修改此数据")
    assert Inmate.get_by_id("B1001").quota_pct == "100"
    assert site.actions() == []


async def test_badges_are_issued_revoked_and_printed_one_qr_per_active_badge(site: Site) -> None:
    """Issue two badges, revoke one: both acts ledgered; the A4 sheet has one card per active badge
    whose QR encodes that person's code."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/badges")
        for badge, person in (("BG-1", "A1001"), ("BG-2", "A1002"), ("BG-3", "A2001")):
            fill(user, badge_id=badge, badge_person=person)
            await click_and_see(user, "badge-issue", "已保存")
        fill(user, badge_id="BG-9", badge_person="B1001")
        await click_and_see(user, "badge-issue", "无权修改此数据")
        fill(user, badge_id="BG-1", badge_person="A1002")
        await click_and_see(user, "badge-issue", "已发给 A1001")
        fill(user, revoke_badge_id="BG-2", revoke_badge_reason="丢失")
        await click_and_see(user, "badge-revoke", "已保存")
        states = {r["badge"]: r["state"] for r in rows(user, "md-badges")}
        assert states == {"BG-1": "有效", "BG-2": "已注销", "BG-3": "有效"}

        await user.open("/masterdata/badges/sheet")
        await user.should_see(marker="badge-card-BG-1")
        await user.should_see(marker="badge-card-BG-3")
        await user.should_not_see(marker="badge-card-BG-2")
        qrs = {
            marker.removeprefix("badge-qr-"): e.content
            for e in html_elements(user)
            for marker in e._markers
            if marker.startswith("badge-qr-")
        }
        assert qrs == {
            "BG-1": badge_sheet.qr_svg(encode_person_code("A1001")),
            "BG-3": badge_sheet.qr_svg(encode_person_code("A2001")),
        }
        await user.should_see("张某某")
    assert site.actions() == ["badge.issue", "badge.issue", "badge.issue", "badge.revoke"]
    card = badge_sheet.cards([("BG-1", "A1001", "张某某", "A1001")])[0]
    assert (
        parse_person_code(badge_sheet.qr_code(card.payload).data_list[0].data.decode()).person_id == "A1001"
    )


async def test_posts_are_assigned_with_dates_ended_and_kept_as_history(site: Site) -> None:
    """岗位调整: a new post from a date, then ended; both versions stay listed; bad dates are refused."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/assignments")
        choose(user, "assign-line", "A2")
        choose(user, "assign-step", "P1/S2")
        fill(user, assign_inmate="A1001", assign_from="2025/12/01")
        await click_and_see(user, "assign-save", "生效日期格式错误")
        fill(user, assign_from="2025-12-01", assign_to="2025-11-01")
        await click_and_see(user, "assign-save", "早于生效日期")
        assert site.actions() == []
        fill(user, assign_to="")
        await click_and_see(user, "assign-save", "已保存")
        new_id = Assignment.select().order_by(Assignment.id.desc()).first().id
        fill(user, end_assignment=str(new_id), end_day="2025-12-31")
        await click_and_see(user, "end-save", "已保存")
        history = [r for r in rows(user, "md-assignments") if r["inmate"] == "A1001"]
        assert [(r["line"], r["step"], r["valid_from"], r["valid_to"]) for r in history] == [
            ("A2", "P1/S2 锁边", "2025-12-01", "2025-12-31"),
            ("A1", "P1/S1 缝裤腰", "2025-11-01", "至今"),
        ]
    assert site.actions() == ["assignment.add", "assignment.end"]


async def test_a_line_officer_reads_posts_of_their_line_only(site: Site) -> None:
    """A line officer sees only posts on their own line and is offered no post changes."""
    async with web(site) as user:
        await login(user, "off_b1")
        await user.open("/masterdata/assignments")
        assert [r["inmate"] for r in rows(user, "md-assignments")] == ["B1001"]
        await user.should_not_see(marker="assign-save")


async def test_a_chinese_officer_reads_the_services_refusal_in_chinese(site: Site) -> None:
    """The service refuses a post for an inmate it does not know; the page says so in the officer's
    language (Chinese), not in the English the command line prints, and nothing is saved."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/assignments")
        choose(user, "assign-line", "A2")
        choose(user, "assign-step", "P1/S2")
        fill(user, assign_inmate="X9999", assign_from="2025-12-01")
        await click_and_see(user, "assign-save", "未保存:没有这名服刑人员:X9999")
        assert not any("unknown inmate" in m for m in user.notify.messages)
    assert site.actions() == []
