"""Master-data pages of rule book version 2 (#14 item 2), with NiceGUI's simulated user on a real
SQLite hub with a signed ledger: the v2 parameters on the rule-set form, posts without quotas, a
rated post and the training flag on the assignments page, and labor exemptions per inmate; each
change ledgered, each refusal explained in the officer's language, and the role scope held."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.store.masterdata import Assignment, Exemption, Post, RuleSetVersion
from tests.hub.conftest_web import login
from tests.hub.web.masterdata.test_masterdata_pages_products import (
    Site,
    choose,
    click_and_see,
    fill,
    open_site,
    rows,
    settle,
    web,
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from open_site(tmp_path)


def _v2_from_november(site: Site) -> None:
    site.store.add_rule_set_version(
        "admin", "JX-V2", valid_from="2025-11", parameters={"rule_book": "v2"}, reason="新规"
    )


async def test_the_labor_section_sets_v2_parameters_on_the_rule_set_page(site: Site) -> None:
    """Book, grades, ramp, cap and categories typed into their fields are stored as the rules file
    form; a malformed ramp or only some grades are refused in Chinese and store nothing."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata")
        fill(user, rs_version="JX-2025-12", rs_month="2025-12", rs_reason="第二版规则", rs_ramp="7 50")
        choose(user, "rs-book", "v2")
        await click_and_see(user, "rs-save", "培训期定额格式应为 天数:百分比")
        fill(user, rs_ramp="7:50, 14:80", rs_grade_A="100", rs_grade_B="90")
        await click_and_see(user, "rs-save", "四个等级的完成率须全部填写")
        assert RuleSetVersion.select().count() == 0
        fill(user, rs_grade_C="70", rs_grade_D="40", rs_cap="40", rs_categories="safety 2-8\nquality 1-4")
        await click_and_see(user, "rs-save", "已保存")
        assert [r["version"] for r in rows(user, "md-rule-sets")] == ["JX-2025-12"]
    stored = json.loads(RuleSetVersion.get().parameters)
    assert stored == {
        "rule_book": "v2",
        "rating_pct": {"A": "100", "B": "90", "C": "70", "D": "40"},
        "training_ramp": [{"days": 7, "pct": "50"}, {"days": 14, "pct": "80"}],
        "additions_cap_pct": "40",
        "deduction_categories": {"safety": {"min": "2", "max": "8"}, "quality": {"min": "1", "max": "4"}},
    }
    assert site.actions() == ["rule_set.add"]


async def test_an_area_head_adds_a_post_and_puts_an_inmate_on_it_rated_and_marks_training(site: Site) -> None:
    """岗位: a post on an own line; a rated assignment to it shown with the post's name; a new step's
    post is training by default and the flag is turned off on the page; only own lines are offered."""
    _v2_from_november(site)
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/posts")
        fill(user, post_code="KITCHEN", post_name="厨房", post_shift="白班")
        assert set(user.find(marker="post-line").elements.pop().options) == {"A1", "A2"}  # own lines only
        choose(user, "post-line", "A1")
        await click_and_see(user, "post-save", "已保存")
        assert [(r["code"], r["name"], r["line"], r["shift"]) for r in rows(user, "md-posts")] == [
            ("KITCHEN", "厨房", "A1", "白班")
        ]
        await user.open("/masterdata/assignments")
        choose(user, "assign-post", "KITCHEN")
        fill(user, assign_inmate="A1001", assign_from="2025-12-01")
        await click_and_see(user, "assign-save", "已保存")
        rated = Assignment.select().order_by(Assignment.id.desc()).first()
        assert (rated.mode, rated.post, rated.line) == ("rated", "KITCHEN", "A1")
        choose(user, "assign-post", "")
        choose(user, "assign-line", "A1")
        choose(user, "assign-step", "P1/S2")
        fill(user, assign_inmate="A1002", assign_from="2025-12-01")
        await click_and_see(user, "assign-save", "已保存")
        trainee = Assignment.select().order_by(Assignment.id.desc()).first()
        assert trainee.training is True  # A1002 never held S2
        listed = {r["id"]: r for r in rows(user, "md-assignments")}
        assert listed[rated.id]["step"] == "岗位 KITCHEN 厨房"
        assert listed[trainee.id]["training"] == "是"
        fill(user, training_assignment=str(trainee.id))
        choose(user, "training-flag", "no")
        await click_and_see(user, "training-save", "已保存")
        assert Assignment.get_by_id(trainee.id).training is False
    assert site.actions() == [
        "rule_set.add",
        "post.add",
        "assignment.add",
        "assignment.add",
        "assignment.training",
    ]


async def test_exemptions_are_entered_per_inmate_and_ended_and_refusals_are_explained(site: Site) -> None:
    """免于劳动考核: an area head enters a period with the hospital's reference (shown with the
    inmate's number and who entered it), an overlapping one is refused, the period is ended; a
    period under rule book version 1 is refused; a line officer gets no form."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/exemptions")
        fill(user, exempt_inmate="A1001", exempt_from="2025-10-01", exempt_reference="医鉴 2025-9")
        await click_and_see(user, "exempt-save", "须第 2 版规则")
        assert Exemption.select().count() == 0
        _v2_from_november(site)
        fill(user, exempt_from="2025-11-10")
        await click_and_see(user, "exempt-save", "已保存")
        fill(user, exempt_from="2025-11-20", exempt_reference="医鉴 2025-10")
        await click_and_see(user, "exempt-save", "重叠")
        period = Exemption.get()
        fill(user, exempt_end_id=str(period.id), exempt_end_day="2025-11-30")
        await click_and_see(user, "exempt-end-save", "已保存")
        assert [
            (r["number"], r["valid_from"], r["valid_to"], r["reference"], r["entered_by"])
            for r in rows(user, "md-exemptions")
        ] == [("A1001", "2025-11-10", "2025-11-30", "医鉴 2025-9", "head_a")]
        fill(user, exempt_inmate="B1001", exempt_from="2025-12-01", exempt_reference="医鉴 2025-11")
        await click_and_see(user, "exempt-save", "无权修改此数据")
    async with web(site) as user:
        await login(user, "off_a1")
        await user.open("/masterdata/exemptions")
        assert [r["number"] for r in rows(user, "md-exemptions")] == ["A1001"]
        await user.should_not_see(marker="exempt-save")
        await settle()
    assert site.actions() == ["rule_set.add", "exemption.add", "exemption.end"]
    assert Post.select().count() == 0
