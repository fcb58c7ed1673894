"""The kiosk's touchscreen flows, as a person uses them, on a real store and simulated devices."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui
from nicegui.testing import user_simulation

from kiosk import inputs
from kiosk.errors import StorageFull
from kiosk.ui import Enrollment, kiosk_page
from protocol.records import (
    CheckIn,
    CheckOut,
    Confirm,
    Correction,
    Countersign,
    DeviceFault,
    Dispute,
    ExcusedAbsence,
    UnitCount,
    WarehousedCount,
)
from tests.kiosk.conftest import (
    DAY,
    KIOSK,
    LINE,
    YESTERDAY,
    FakeTime,
    KioskHarness,
    build_controller,
    make_plan,
)


async def test_idle_screen_shows_prompt_line_progress_and_link_state(kiosk: KioskHarness) -> None:
    """Idle: the prompt, the line and product, offline with records waiting, today's line progress."""
    user = kiosk.user
    await user.should_see("请刷卡或扫码")
    await user.should_see("一号线 · 工装裤")
    await user.should_see("离线")
    await user.should_see("待上传 0 条")
    await user.should_see("今日进度 0 / 201 件")
    await user.should_see("2026-10-05 09:00:00")
    kiosk.ctrl.post_link(connected=True, pending=3, clock_offset_ms=0)
    await user.should_see("在线")
    await user.should_see("待上传 3 条")


async def test_inmate_badge_check_in_keypad_count_and_check_out(kiosk: KioskHarness) -> None:
    """An inmate taps, checks in, types 40 on the keypad and checks out; each is on disk when shown."""
    user = kiosk.user
    await kiosk.tap("B1001")
    await user.should_see("1001 张三")
    await user.should_see("工序：缝裤腰")
    await user.should_see("今日定额 120 件")
    await user.should_see("未签到")
    await kiosk.click("check-in")
    await user.should_see("签到成功")
    assert kiosk.bodies() == [CheckIn(person="1001", line=LINE, day=DAY, method="badge")]
    await user.should_see("已签到")
    await kiosk.click("report")
    await kiosk.type_units("40")
    await user.should_see("已记录 40 件")
    await user.should_see("已完成 40 件")
    assert kiosk.bodies()[-1] == UnitCount(
        person="1001", line=LINE, day=DAY, product="P1", step="S2", units=40, source="manual"
    )
    await kiosk.click("check-out")
    await user.should_see("签退成功")
    assert kiosk.bodies()[-1] == CheckOut(person="1001", line=LINE, day=DAY, method="badge")
    await user.should_see("待上传 3 条")


async def test_only_the_sensible_buttons_are_offered(kiosk: KioskHarness) -> None:
    """Before a check-in only 签到 (no 签退, no 报数); checked in 签退 and 报数 but no second 签到, also
    at the next tap; after 签退 no 报数."""
    user = kiosk.user
    await kiosk.tap("B1001")
    await user.should_see(marker="check-in")
    await user.should_not_see(marker="check-out")
    await user.should_not_see(marker="report")
    await kiosk.click("check-in")
    await user.should_see("签到成功")
    await kiosk.tap("B1001")
    await user.should_see(marker="check-out")
    await user.should_see(marker="report")
    await user.should_not_see(marker="check-in")
    await kiosk.click("check-out")
    await user.should_see("签退成功")
    await user.should_not_see(marker="report")
    await user.should_see(marker="check-in")
    assert len(kiosk.bodies()) == 2


async def test_unknown_badge_and_badge_of_another_line_are_refused(kiosk: KioskHarness) -> None:
    """An unknown badge and a person without a post on this line get a message; nothing is stored."""
    await kiosk.tap("NOBODY")
    await kiosk.user.should_see("无法识别此卡")
    await kiosk.tap("B1003")
    await kiosk.user.should_see("王五 不属于本生产线")
    await kiosk.user.should_see("请刷卡或扫码")
    assert kiosk.bodies() == []


async def test_implausible_count_is_refused(kiosk: KioskHarness) -> None:
    """A count over max_units_per_entry (500 here) is refused with the limit shown."""
    await kiosk.tap("B1001")
    await kiosk.click("check-in")
    await kiosk.user.should_see("签到成功")
    await kiosk.click("report")
    await kiosk.type_units("9999")
    await kiosk.user.should_see("数量过大（上限 500）")
    assert len(kiosk.bodies()) == 1


async def test_keypad_ok_without_digits_says_enter_a_number(kiosk: KioskHarness) -> None:
    """OK on an empty keypad is not a number: a message, nothing stored."""
    await kiosk.tap("B1001")
    await kiosk.click("check-in")
    await kiosk.user.should_see("签到成功")
    await kiosk.click("report")
    await kiosk.click("key-ok")
    await kiosk.user.should_see("请输入数字")
    assert len(kiosk.bodies()) == 1


async def test_person_qr_and_bundle_ticket_from_the_scanner(kiosk: KioskHarness) -> None:
    """A person code opens the screen; a bundle ticket of the person's step counts its units once."""
    user = kiosk.user
    await kiosk.scan(lambda: kiosk.scanner.scan_person("1001"))
    await user.should_see("1001 张三")
    await kiosk.click("check-in")
    await user.should_see("签到成功")
    await kiosk.scan(
        lambda: kiosk.scanner.scan_ticket(product="P1", step="S2", bundle_id="B000123", units=20)
    )
    await user.should_see("已记录 20 件")
    assert kiosk.bodies()[-1] == UnitCount(
        person="1001", line=LINE, day=DAY, product="P1", step="S2", units=20, source="ticket", ref="B000123"
    )
    await kiosk.scan(
        lambda: kiosk.scanner.scan_ticket(product="P1", step="S2", bundle_id="B000123", units=20)
    )
    await user.should_see("扎票 B000123 已记录过")
    await kiosk.scan(
        lambda: kiosk.scanner.scan_ticket(product="P1", step="S9", bundle_id="B000124", units=20)
    )
    await user.should_see("扎票不属于您的工序")
    assert kiosk.bodies()[0] == CheckIn(person="1001", line=LINE, day=DAY, method="qr")
    assert len(kiosk.bodies()) == 2


async def test_keyboard_wedge_scanner_works_on_the_page(kiosk: KioskHarness) -> None:
    """Keys typed by a keyboard-wedge scanner, ended by Enter, act like a serial scanner's code."""
    wedge = kiosk.user.find(marker="wedge")
    for key in [*"FLP1|person=1002", "Enter"]:
        wedge.trigger(
            "key",
            {
                "action": "keydown",
                "repeat": False,
                "altKey": False,
                "ctrlKey": False,
                "metaKey": False,
                "shiftKey": False,
                "key": key,
                "code": "",
                "location": 0,
            },
        )
    await kiosk.user.should_see("1002 李四")


async def test_confirm_yesterday(kiosk: KioskHarness) -> None:
    """The inmate confirms yesterday's record (确认); it is stored for yesterday's day."""
    await kiosk.tap("B1001")
    await kiosk.user.should_see("昨日(2026-10-04)完成 110 件，定额 120 件")
    await kiosk.click("confirm")
    await kiosk.user.should_see("已确认昨日记录")
    await kiosk.user.should_see("昨日记录已确认")
    assert [r.body for r in kiosk.store.records_for_day(YESTERDAY)] == [Confirm(person="1001", day=YESTERDAY)]


async def test_dispute_yesterday_with_a_reason(kiosk: KioskHarness) -> None:
    """The inmate disputes yesterday's record (申辩) choosing the reason 数量不对."""
    await kiosk.tap("B1001")
    await kiosk.click("dispute")
    await kiosk.click("reason-count_wrong")
    await kiosk.user.should_see("确认提交申辩：数量不对？")
    assert kiosk.store.records_for_day(YESTERDAY) == []  # nothing before 确认
    await kiosk.click("confirm-yes")
    await kiosk.user.should_see("申辩已提交")
    assert [r.body for r in kiosk.store.records_for_day(YESTERDAY)] == [
        Dispute(person="1001", day=YESTERDAY, reason="count_wrong")
    ]


async def test_dispute_other_with_an_explanation_picked_on_screen(kiosk: KioskHarness) -> None:
    """其他 opens a list of explanations (no keyboard); the one picked is confirmed and recorded in
    Chinese even on the English screen; 取消 on the confirmation records nothing."""
    kiosk.ctrl.set_language("en")
    await kiosk.tap("B1001")
    await kiosk.click("dispute")
    await kiosk.click("reason-other")
    await kiosk.click("note-ticket_missed")
    await kiosk.user.should_see("File the dispute: Other（扎票未计入）?")
    await kiosk.click("confirm-no")
    await kiosk.user.should_not_see(marker="confirm-question")
    await kiosk.user.should_see(marker="check-in")  # back to the main panel
    assert kiosk.store.records_for_day(YESTERDAY) == []
    await kiosk.click("dispute")
    await kiosk.click("reason-other")
    await kiosk.click("note-ticket_missed")
    await kiosk.click("confirm-yes")
    await kiosk.user.should_see("Dispute filed")
    assert [r.body for r in kiosk.store.records_for_day(YESTERDAY)] == [
        Dispute(person="1001", day=YESTERDAY, reason="other", text="扎票未计入")
    ]
    await kiosk.user.should_not_see(marker="dispute")  # answered: no second dispute offered


async def test_officer_roster_and_warehoused_count(kiosk: KioskHarness) -> None:
    """An officer sees the line's people with state and counts, and enters the warehoused count
    seeing what was already booked today."""
    user = kiosk.user
    await kiosk.tap("B1001")
    await kiosk.click("check-in")
    await user.should_see("签到成功")
    await kiosk.tap("B9007")
    await user.should_see("民警 赵警官")
    table = user.find(marker="roster").elements.pop()
    assert isinstance(table, ui.table)
    assert [(r["id"], r["state"], r["units"]) for r in table.rows] == [
        ("1001", "已签到", 0),
        ("1002", "未签到", 0),
    ]  # 1003 is in the plan only to be told "other line": not on this line's roster
    await kiosk.click("warehoused")
    await user.should_see("今日已入库 0 件")
    await kiosk.type_units("350")
    await user.should_see("入库数 350 已记录")
    assert kiosk.bodies()[-1] == WarehousedCount(line=LINE, product="P1", day=DAY, units=350, officer="O7")
    await kiosk.click("warehoused")  # a second entry: the first one is shown before adding more
    await user.should_see("今日已入库 350 件")


async def test_officer_registers_an_excused_absence(kiosk: KioskHarness) -> None:
    """The officer picks a person of this line from a grid (not 1003 of another line), then the
    reason, and types the minutes."""
    await kiosk.tap("B9007")
    await kiosk.click("excuse")
    await kiosk.user.should_see(marker="pick-1001")
    await kiosk.user.should_not_see(marker="pick-1003")
    await kiosk.click("pick-1002")
    await kiosk.user.should_see("人员：1002 李四")
    await kiosk.click("excuse-medical")
    await kiosk.type_units("120")
    await kiosk.user.should_see("已为 李四 登记请假")
    assert kiosk.bodies() == [
        ExcusedAbsence(person="1002", day=DAY, minutes=120, reason="medical", officer="O7")
    ]


async def test_officer_corrects_a_count_with_a_reason_and_the_original_stays(kiosk: KioskHarness) -> None:
    """A correction without a reason is refused; with one it is a new record, the original kept."""
    user = kiosk.user
    await kiosk.tap("B1001")
    await kiosk.click("check-in")
    await kiosk.click("report")
    await kiosk.type_units("50")
    await user.should_see("已记录 50 件")
    await kiosk.tap("B9007")
    await kiosk.click("correct")
    await kiosk.click("count-2")
    await kiosk.type_units("45")
    await user.should_see("必须填写更正原因")
    await kiosk.click("preset-duplicate")  # one tap instead of typing with gloves on
    await kiosk.type_units("45")
    await user.should_see("已更正：50 → 45")
    records = kiosk.store.records_for_day(DAY)
    assert records[1].body == UnitCount(
        person="1001", line=LINE, day=DAY, product="P1", step="S2", units=50, source="manual"
    )
    correction = records[-1].body
    assert isinstance(correction, Correction)
    assert (correction.ref_kiosk, correction.ref_seq, correction.values) == (KIOSK, 2, {"units": 45})
    assert correction.reason == "重复录入"


async def test_officer_checks_in_and_out_for_a_lost_badge(kiosk: KioskHarness) -> None:
    """The officer checks an inmate in and out; the records name the officer as witness."""
    await kiosk.tap("B9007")
    await kiosk.click("officer-check")
    await kiosk.click("pick-1002")
    await kiosk.click("officer-check-in")
    await kiosk.user.should_see("签到成功")
    await kiosk.click("officer-check")
    await kiosk.click("pick-1002")
    await kiosk.click("officer-check-out")
    await kiosk.user.should_see("签退成功")
    assert kiosk.bodies() == [
        CheckIn(person="1002", line=LINE, day=DAY, method="officer", witness="O7"),
        CheckOut(person="1002", line=LINE, day=DAY, method="officer", witness="O7"),
    ]


async def test_officer_countersigns_the_line_day_once(kiosk: KioskHarness) -> None:
    """审核签名 asks for 确认 (取消 records nothing), then records a countersign; a second is refused."""
    await kiosk.tap("B9007")
    await kiosk.click("countersign")
    await kiosk.user.should_see(f"确认对 {DAY} 的记录审核签名？")
    await kiosk.click("confirm-no")
    await kiosk.user.should_see(marker="roster")
    assert kiosk.bodies() == []
    await kiosk.click("countersign")
    await kiosk.click("confirm-yes")
    await kiosk.user.should_see("审核签名完成")
    await kiosk.click("countersign")
    await kiosk.user.should_see("今日已审核签名")
    assert kiosk.bodies() == [Countersign(officer="O7", line=LINE, day=DAY)]


async def test_screen_returns_to_idle_after_idle_seconds(kiosk: KioskHarness) -> None:
    """With nobody touching the screen for 20 s the inmate's screen goes back to the prompt."""
    await kiosk.tap("B1001")
    await kiosk.user.should_see("1001 张三")
    kiosk.time.advance(21_000)
    await kiosk.ctrl.tick()
    await kiosk.user.should_see("请刷卡或扫码")
    await kiosk.user.should_not_see("1001 张三")


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs of this test's own (the tests run as root), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs: {done.stderr.decode()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


async def test_storage_full_is_shown_and_nothing_is_confirmed(tiny_disk: Path) -> None:
    """With the disk full the screen says 存储空间不足, never OK, and works again once space returns."""
    ctrl, store = build_controller(tiny_disk, FakeTime(), plan=make_plan())
    filler = tiny_disk / "filler"
    try:
        async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
            await user.open("/")
            await ctrl.handle(inputs.BadgeTapped(badge="B1001"))
            await user.should_see("1001 张三")
            fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
            with contextlib.suppress(OSError):
                while os.write(fd, b"\0" * 512):
                    pass
            os.close(fd)
            for _ in range(400):  # pages SQLite already holds may take a few more records
                try:
                    store.append(DeviceFault(device="disk", fault="fill"))
                except StorageFull:
                    break
            before = store.head()
            user.find(marker="check-in").click()
            await user.should_see("存储空间不足，未保存")
            await user.should_see(marker="storage-full")
            await user.should_see("未签到")
            assert store.head() == before
            filler.unlink()
            user.find(marker="check-in").click()
            await user.should_see("签到成功")
            await user.should_see("已签到")
            assert store.records_for_day(DAY)[-1].body == CheckIn(
                person="1001", line=LINE, day=DAY, method="badge"
            )
    finally:
        store.close()


async def test_english_switch(kiosk: KioskHarness) -> None:
    """The language button switches every text to English and back."""
    await kiosk.click("lang")
    await kiosk.user.should_see("Tap your badge or scan your code")
    await kiosk.click("lang")
    await kiosk.user.should_see("请刷卡或扫码")


async def test_clock_warning_when_hub_time_differs_by_more_than_a_minute(kiosk: KioskHarness) -> None:
    """When the hub's clock is 2 minutes ahead of ours the screen warns about the clock."""
    kiosk.ctrl.clock.set_hub_time(kiosk.time.wall_ns // 1_000_000 + 120_000)  # type: ignore[attr-defined]
    kiosk.ctrl.post_link(connected=True, pending=0, clock_offset_ms=120_000)
    await kiosk.user.should_see("时钟偏差 120 秒，请告知民警")


async def test_enrollment_screen_shows_kiosk_fingerprint_and_qr(tmp_path: Path) -> None:
    """On first start the kiosk id, key fingerprint and the enrollment QR code are shown."""
    enrollment = Enrollment(kiosk=KIOSK, fingerprint="5647-5aa7-5463-474c-0285", public_key_b64="A" * 43)
    ctrl, store = build_controller(tmp_path, FakeTime(), plan=make_plan(), enrollment=enrollment)
    try:
        async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
            await user.open("/")
            await user.should_see("终端编号 K01")
            await user.should_see("公钥指纹 5647-5aa7-5463-474c-0285")
            qr = user.find(marker="enroll-qr").elements.pop()
            assert "<svg" in qr.content  # type: ignore[attr-defined]
            assert enrollment.qr_text == f"floorledger-enroll:1:K01:{'A' * 43}"
            user.find(marker="enroll-done").click()
            await user.should_see("请刷卡或扫码")
    finally:
        store.close()


async def test_without_a_plan_the_kiosk_says_so_and_identifies_nobody(tmp_path: Path) -> None:
    """Before any line plan arrives, the idle screen says so and a badge is refused."""
    ctrl, store = build_controller(tmp_path, FakeTime())
    try:
        async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
            await user.open("/")
            await user.should_see("尚未收到生产计划")
            await ctrl.handle(inputs.BadgeTapped(badge="B1001"))
            await user.should_see("尚未收到生产计划，无法识别")
    finally:
        store.close()


async def test_correction_reason_the_protocol_cannot_carry_is_refused(kiosk: KioskHarness) -> None:
    """A reason longer than a record may hold is refused on screen; no record that the hub would
    reject (and so block the kiosk's chain) is ever stored."""
    await kiosk.tap("B1001")
    await kiosk.click("check-in")
    await kiosk.click("report")
    await kiosk.type_units("50")
    await kiosk.user.should_see("已记录 50 件")
    await kiosk.tap("B9007")
    await kiosk.click("correct")
    await kiosk.click("count-2")
    kiosk.user.find(marker="correction-reason").type("太长" * 300)
    await kiosk.type_units("45")
    await kiosk.user.should_see("更正原因最多500个字，且不能含控制字符")
    assert len(kiosk.bodies()) == 2


async def test_unplugged_reader_is_recorded_once_per_loss(kiosk: KioskHarness) -> None:
    """Pulling the badge reader's cable stores one device_fault record; plugging it back and pulling
    it again stores another. The screen keeps working."""
    kiosk.badge.unplug("cable pulled")
    await kiosk.ctrl.settle()
    kiosk.badge.replug()
    await kiosk.ctrl.settle()
    kiosk.badge.unplug("cable pulled again")
    await kiosk.ctrl.settle()
    assert [r.body for r in kiosk.store.records_for_day(DAY)] == [
        DeviceFault(device="badge0", fault="disconnected", detail="cable pulled"),
        DeviceFault(device="badge0", fault="disconnected", detail="cable pulled again"),
    ]
    await kiosk.user.should_see("待上传 2 条")


async def test_next_person_replaces_the_screen_and_idle_shows_the_new_progress(kiosk: KioskHarness) -> None:
    """One inmate's badge after another's shows only the second person's facts (no yesterday to
    answer for 1002); back on idle, the line progress includes the units just reported."""
    user = kiosk.user
    await kiosk.tap("B1001")
    await kiosk.click("check-in")
    await kiosk.click("report")
    await kiosk.type_units("40")
    await user.should_see("已完成 40 件")
    await kiosk.tap("B1002")
    await user.should_see("1002 李四")
    await user.should_see("已完成 0 件")
    await user.should_see("未签到")
    await user.should_not_see("1001 张三")
    await user.should_not_see(marker="confirm")
    await user.should_not_see(marker="yesterday")
    await kiosk.click("done")
    await user.should_see("今日进度 40 / 201 件")
