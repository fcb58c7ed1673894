"""Rule book v2 at the kiosk (#14): an officer grades the line's rated posts on one screen and
records rejects from a scanned bundle ticket; an inmate sees his grade, his training quota, or that
he is exempt. Real store, simulated badge reader and scanner, NiceGUI's `user` fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from protocol.records import Grade, Reject, UnitCount
from tests.kiosk.conftest import DAY, LINE, YESTERDAY, KioskHarness, kiosk_harness, make_v2_plan


@pytest.fixture
async def floor(tmp_path: Path) -> AsyncIterator[KioskHarness]:
    async with kiosk_harness(tmp_path, make_v2_plan()) as harness:
        yield harness


async def test_an_officer_grades_the_rated_posts_and_a_missing_grade_shows_until_given(
    floor: KioskHarness,
) -> None:
    """The officer's 评分 shows one missing grade (1004's today); tapping B records a signed grade
    of 1004's day by the officer, and the screen then says all are graded; yesterday shows the grade
    the dashboard gave (B), and a C for yesterday replaces it on screen."""
    user = floor.user
    await floor.tap("B9007")
    await user.should_see("评分（1）")
    await floor.click("grade")
    await user.should_see("尚有 1 人未评")
    await user.should_see(marker="ungraded-1004")
    await floor.click("grade-1004-B")
    await user.should_see("已评 钱六：B")
    assert floor.bodies() == [
        Grade(person="1004", line=LINE, day=DAY, post="KITCHEN", grade="B", officer="O7")
    ]
    await user.should_see("已全部评级")
    await user.should_not_see(marker="ungraded-1004")

    await floor.click("grade-day-yesterday")
    await user.should_see(f"岗位评级 {YESTERDAY}")
    await user.should_see("已全部评级")  # the dashboard's B of yesterday, from the plan
    await floor.click("grade-1004-C")
    await user.should_see("已评 钱六：C")
    assert [r.body for r in floor.store.records_for_day(YESTERDAY)] == [
        Grade(person="1004", line=LINE, day=YESTERDAY, post="KITCHEN", grade="C", officer="O7")
    ]
    await user.should_see("已全部评级")


async def test_the_grade_buttons_are_big_enough_for_gloves(floor: KioskHarness) -> None:
    """Every grade button carries the kiosk's big-button classes (at least 56 px tall)."""
    await floor.tap("B9007")
    await floor.click("grade")
    await floor.user.should_see(marker="grade-1004-A")
    button = floor.user.find(marker="grade-1004-A").elements.pop()
    assert {"kbtn", "kgrade"} <= set(button.classes)


async def test_a_rated_inmate_sees_his_grade_and_cannot_report_units(floor: KioskHarness) -> None:
    """1004 on the kitchen post: his post, 今日尚未评级 until the officer grades him, then his grade;
    checked in he is offered no 报数."""
    user = floor.user
    await floor.tap("B1004")
    await user.should_see("钱六")
    await user.should_see("岗位：厨房")
    await user.should_see("今日尚未评级")
    await floor.click("check-in")
    await user.should_see("签到成功")
    await user.should_not_see(marker="report")
    await floor.click("done")
    await floor.tap("B9007")
    await floor.click("grade")
    await floor.click("grade-1004-A")
    await user.should_see("已评 钱六：A")
    await floor.click("key-cancel")
    await floor.click("done")
    await floor.tap("B1004")
    await user.should_see("今日评级 A")


async def test_a_trainee_sees_his_training_quota_and_an_exempt_inmate_owes_nothing(
    floor: KioskHarness,
) -> None:
    """1005 reads 培训期定额 60 件; 1006 reads 免考核 and no quota or units."""
    user = floor.user
    await floor.tap("B1005")
    await user.should_see("培训期定额 60 件")
    await floor.click("done")
    await floor.tap("B1006")
    await user.should_see("免考核：今日无定额")
    await user.should_not_see("今日定额")


async def test_an_inspector_records_rejects_from_a_scanned_ticket(floor: KioskHarness) -> None:
    """1001 counted bundle B000123 from its ticket; the officer scans the same ticket: the reject
    panel opens on 1001 and the ticket's day, he picks 缝制不良 and types 3: a signed reject of 3
    units of 1001's S2 with the bundle as reference."""
    user = floor.user
    await floor.tap("B1001")
    await floor.click("check-in")
    await floor.scan(
        lambda: floor.scanner.scan_ticket(product="P1", step="S2", bundle_id="B000123", units=20)
    )
    await user.should_see("已记录 20 件")
    await floor.click("done")

    await floor.tap("B9007")
    await floor.scan(
        lambda: floor.scanner.scan_ticket(product="P1", step="S2", bundle_id="B000123", units=20)
    )
    await user.should_see("扎票 B000123：请登记次品件数")
    await user.should_see("人员：1001 张三")
    await user.should_see("扎票 B000123：缝裤腰")
    await floor.click("reject-sewing")
    await floor.type_units("3")
    await user.should_see("已登记 张三 次品 3 件")
    assert floor.bodies()[-1] == Reject(
        person="1001",
        line=LINE,
        day=DAY,
        product="P1",
        step="S2",
        units=3,
        reason="sewing",
        officer="O7",
        ref="B000123",
    )
    assert floor.ctrl.state.ticket is None


async def test_a_ticket_of_a_step_two_people_hold_asks_whom_and_a_reject_needs_a_reason(
    floor: KioskHarness,
) -> None:
    """A ticket of S3 (1002 and 1005 hold it, nobody counted it here): the officer picks 1005; without
    a reason nothing is recorded; with one the reject is 1005's of today, without a ticket count."""
    user = floor.user
    await floor.tap("B9007")
    await floor.scan(
        lambda: floor.scanner.scan_ticket(product="P1", step="S3", bundle_id="B000200", units=10)
    )
    await user.should_see("请选择本线人员")
    await floor.click("pick-1005")
    await floor.type_units("2")
    await user.should_see("请选择原因")
    assert [b for b in floor.bodies() if isinstance(b, Reject)] == []
    await floor.click("reject-stain")
    await floor.type_units("2")
    await user.should_see("已登记 孙七 次品 2 件")
    [reject] = [b for b in floor.bodies() if isinstance(b, Reject)]
    assert (reject.person, reject.step, reject.day, reject.ref) == ("1005", "S3", DAY, "B000200")
    assert not any(isinstance(b, UnitCount) for b in floor.bodies())


async def test_rejects_without_a_ticket_pick_the_inmate_and_his_step(floor: KioskHarness) -> None:
    """次品登记 without a ticket: pick 1002, choose 返工, type 1: a reject of 1002's S3 today."""
    user = floor.user
    await floor.tap("B9007")
    await floor.click("reject")
    await user.should_see("请扫描扎票，或选择人员（当日本人工序）")
    await user.should_not_see(marker="pick-1004")  # a rated post has no step to reject
    await floor.click("pick-1002")
    await floor.click("reject-rework")
    await floor.type_units("1")
    await user.should_see("已登记 李四 次品 1 件")
    assert floor.bodies()[-1] == Reject(
        person="1002", line=LINE, day=DAY, product="P1", step="S3", units=1, reason="rework", officer="O7"
    )


async def test_a_ticket_nobody_here_holds_is_refused(floor: KioskHarness) -> None:
    """A ticket of a step nobody on this line holds: a message, no reject panel, nothing recorded."""
    await floor.tap("B9007")
    await floor.scan(lambda: floor.scanner.scan_ticket(product="P9", step="S1", bundle_id="B000300", units=5))
    await floor.user.should_see("本线今日无人做此扎票的工序")
    assert floor.bodies() == []
