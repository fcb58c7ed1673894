"""The kiosk in a real headless Chromium at the 800x480 panel size, walked as an inmate with gloves
and as an officer, in Chinese and in English: every visible button is at least 48 px each way, no
screen scrolls past the fold, and a screenshot of each screen is saved for a person to look at."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nicegui.testing import Screen
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from devices.api import BadgeReaderConfig, BadgeReaderSimulation, CodeScannerConfig, CodeScannerSimulation
from kiosk.texts import text
from kiosk.ui import KioskController, kiosk_page
from protocol.messages import MonthPublication, PeriodSummary, PlanPerson
from protocol.records import Countersign, Dispute, ExcusedAbsence, MonthReview
from tests.kiosk.conftest import DAY, YESTERDAY, FakeTime, build_controller, make_plan

WIDTH, HEIGHT = 800, 480
MIN_TARGET = 48  # px: a gloved fingertip (issue #19)
GRADES = ("A", "B", "C", "D")
NOTICE = "已复核扎票，数量维持 110 件"


def line_plan() -> Any:
    """The test plan with a dispute answer for 1001 and 18 more inmates on the line (20 in all, as
    on a real line), so the officer's person grid is measured at its real size."""
    plan = make_plan()
    people = list(plan.people)
    people[0] = dataclasses.replace(people[0], notice=NOTICE)
    more = [
        PlanPerson(
            id=f"{2001 + i}",
            name=f"队员{i + 1:02d}",
            role="inmate",
            badges=(f"B{2001 + i}",),
            product="P1",
            step="S4",
            step_name="包装",
            quota_units="99.5",
        )
        for i in range(18)
    ]
    return dataclasses.replace(plan, people=(*people[:2], *more, *people[2:]))


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go (printed, so a person can open them)."""
    folder = tmp_path_factory.mktemp("kiosk-screens")
    print(f"kiosk screenshots in {folder}")  # noqa: T201
    return folder


@pytest.fixture
def panel(screen: Screen, tmp_path: Path) -> Iterator[tuple[Screen, KioskController, BadgeReaderSimulation]]:
    """The kiosk page served to Chromium, its viewport set to the kiosk panel's 800x480."""
    fake = FakeTime()
    ctrl, store = build_controller(tmp_path, fake, plan=line_plan())
    reader = BadgeReaderSimulation(
        BadgeReaderConfig(name="badge0", url="sim://badge0"),
        clock=time.monotonic,
        on_event=ctrl.post_device_event,
    )
    screen.ui_run_kwargs.update(root=lambda: kiosk_page(ctrl), language="zh-CN", title="车间终端")
    screen.selenium.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    reader.start()
    try:
        yield screen, ctrl, reader
    finally:
        reader.stop()
        screen.selenium.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        screen.stop_server()
        store.close()


# Every visible button: its size, and whether it ends below the fold outside a box that scrolls
# on its own (a long list of people may scroll inside its box; the page itself never scrolls).
MEASURE = """
const inScrollBox = (el) => {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const o = getComputedStyle(p).overflowY;
    if ((o === 'auto' || o === 'scroll') && p.scrollHeight > p.clientHeight) return true;
  }
  return false;
};
const buttons = [...document.querySelectorAll('button')].filter(b => b.offsetParent !== null);
return {
  width: window.innerWidth,
  height: window.innerHeight,
  scrollHeight: document.documentElement.scrollHeight,
  buttons: buttons.map(b => {
    const r = b.getBoundingClientRect();
    return {text: b.innerText.replace(/\\s+/g, ' ').trim(), w: r.width, h: r.height, bottom: r.bottom,
            right: r.right, scrolls: inScrollBox(b)};
  }),
};
"""


# Records the pitch of every tone the page starts (Web Audio: no sound file, nothing to hear here).
SPY_TONES = """
window.flTones = [];
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) {
  window.flTones.push(this.frequency.value);
  return start.apply(this, args);
};
"""


def tones(screen: Screen) -> list[float]:
    return list(screen.selenium.execute_script("return window.flTones || []"))


def check_screen(screen: Screen, shots: Path, name: str) -> dict[str, Any]:
    """Screenshot the screen, then assert the panel size, no page scrolling and glove-sized buttons."""
    time.sleep(0.3)  # let the tap's flash animation end before the picture
    screen.selenium.save_screenshot(str(shots / f"{name}.png"))
    layout: dict[str, Any] = screen.selenium.execute_script(MEASURE)
    assert (layout["width"], layout["height"]) == (WIDTH, HEIGHT)
    assert layout["scrollHeight"] <= HEIGHT, f"{name}: the page is {layout['scrollHeight']} px tall"
    assert layout["buttons"], name
    small = [b for b in layout["buttons"] if b["w"] < MIN_TARGET or b["h"] < MIN_TARGET]
    assert not small, f"{name}: buttons under {MIN_TARGET} px: {small}"
    below = [
        b for b in layout["buttons"] if not b["scrolls"] and (b["bottom"] > HEIGHT or b["right"] > WIDTH)
    ]
    assert not below, f"{name}: buttons past the panel's edge: {below}"
    if name.startswith("zh-"):  # pictograms are drawn, not icon-font words: no English on a Chinese button
        latin = [
            b["text"]
            for b in layout["buttons"]
            # the rule set's grades are letters in the rule book itself (A 好 … D 差), not English
            if re.search("[A-Za-z]", b["text"]) and b["text"] != "English" and b["text"] not in GRADES
        ]
        assert not latin, f"{name}: English on buttons: {latin}"
    return layout


def button(screen: Screen, label: str) -> WebElement:
    """The visible button with this label (its pictogram's ligature text is not part of the label)."""
    xpath = f"//button[.//span[contains(@class, 'block') and normalize-space()='{label}']]"
    for _ in range(20):
        try:
            for element in screen.selenium.find_elements(By.XPATH, xpath):
                if element.is_displayed():
                    return element
        except StaleElementReferenceException:
            pass  # a panel was being rebuilt: look again
        time.sleep(0.1)
    raise AssertionError(f"no visible button {label!r}")


def press(screen: Screen, label: str) -> None:
    """Tap the button; again if the panel was rebuilt between finding and tapping it."""
    for _ in range(5):
        try:
            button(screen, label).click()
            return
        except StaleElementReferenceException:
            time.sleep(0.1)
    raise AssertionError(f"button {label!r} kept going stale")


def visible_labels(screen: Screen) -> list[str]:
    return [b["text"] for b in screen.selenium.execute_script(MEASURE)["buttons"]]


def has_button(screen: Screen, label: str) -> bool:
    return any(label in t.split(" ") or t.endswith(label) for t in visible_labels(screen))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.nicegui_main_file("")  # no main file: the screen fixture serves `ui_run_kwargs["root"]`
def test_inmate_walks_check_in_count_check_out_and_a_dispute_at_800x480(
    panel: tuple[Screen, KioskController, BadgeReaderSimulation], shots: Path, lang: str
) -> None:
    """An inmate taps in, sees the answer to his dispute, checks in (only 签到 offered), counts 40 on
    the phone-order keypad, checks out (no 报数 after), files a dispute through its confirmation,
    and an unknown badge then closes his screen; each screen fits 800x480 with buttons >= 48 px."""
    screen, ctrl, reader = panel
    ctrl.language = lang

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    screen.open("/")
    screen.should_contain(t("kiosk.prompt"))
    screen.should_contain(t("kiosk.progress", done=0, quota=120 + 81 + 18 * 100))  # whole pieces, rounded up
    check_screen(screen, shots, f"{lang}-1-idle")
    screen.selenium.execute_script(SPY_TONES)

    reader.present("B1001")  # from this (non-UI) thread, as a driver thread would
    screen.should_contain("1001 张三")
    screen.should_contain(t("inmate.notice", notice=NOTICE))  # the dispute's answer, at his next tap
    screen.should_contain(t("inmate.yesterday", day=YESTERDAY, done=110, quota=120))
    assert has_button(screen, t("inmate.check_in"))
    assert not has_button(screen, t("inmate.check_out"))
    assert not has_button(screen, t("inmate.report"))
    check_screen(screen, shots, f"{lang}-2-inmate")

    press(screen, t("inmate.check_in"))
    screen.should_contain(t("msg.checked_in"))
    screen.wait_for(lambda: tones(screen)[-2:] == [880, 1320])  # saved: two rising notes
    screen.wait_for(lambda: has_button(screen, t("inmate.check_out")))
    assert not has_button(screen, t("inmate.check_in"))
    check_screen(screen, shots, f"{lang}-3-checked-in")

    press(screen, t("inmate.report"))
    screen.should_contain(t("keypad.ok"))
    keys = {k: button(screen, k).rect for k in "1234567890"}
    assert keys["1"]["y"] < keys["4"]["y"] < keys["7"]["y"] < keys["0"]["y"]  # phone order, 0 at the bottom
    assert keys["1"]["x"] < keys["2"]["x"] < keys["3"]["x"]
    assert keys["0"]["x"] == keys["8"]["x"]
    check_screen(screen, shots, f"{lang}-4-keypad")
    for key in ("4", "0", t("keypad.ok")):
        press(screen, key)
    screen.should_contain(t("msg.units_saved", units=40))
    screen.should_contain(t("inmate.units", units=40))

    screen.wait_for(lambda: has_button(screen, t("inmate.check_out")))
    press(screen, t("inmate.check_out"))
    screen.should_contain(t("msg.checked_out"))
    screen.wait_for(lambda: has_button(screen, t("inmate.check_in")))
    assert not has_button(screen, t("inmate.report"))  # no 报数 after 签退
    check_screen(screen, shots, f"{lang}-5-checked-out")

    confirm, dispute = button(screen, t("inmate.confirm")).rect, button(screen, t("inmate.dispute")).rect
    gap = dispute["x"] - (confirm["x"] + confirm["width"])
    assert gap >= 200, f"确认 and 申辩 are only {gap} px apart"
    assert min(confirm["height"], dispute["height"]) >= 64
    press(screen, t("inmate.dispute"))
    screen.should_contain(t("dispute.choose"))
    check_screen(screen, shots, f"{lang}-6-dispute-reasons")
    press(screen, t("reason.count_wrong"))
    question = t("confirm.dispute", reason=t("reason.count_wrong"))
    screen.should_contain(question)
    assert ctrl.store.records_for_day(YESTERDAY) == []
    check_screen(screen, shots, f"{lang}-7-dispute-confirm")
    press(screen, t("confirm.yes"))
    screen.should_contain(t("msg.disputed"))
    assert [r.body for r in ctrl.store.records_for_day(YESTERDAY)] == [
        Dispute(person="1001", day=YESTERDAY, reason="count_wrong")
    ]
    check_screen(screen, shots, f"{lang}-8-disputed")

    reader.present("NOPE")
    screen.should_contain(t("msg.unknown_badge"))
    screen.wait_for(lambda: tones(screen)[-2:] == [330, 220])  # refused: two low falling notes
    screen.should_contain(t("kiosk.prompt"))
    screen.should_not_contain("1001 张三")
    assert not has_button(screen, t("inmate.check_in"))
    assert not has_button(screen, t("inmate.dispute"))
    check_screen(screen, shots, f"{lang}-9-unknown-badge")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.nicegui_main_file("")
def test_officer_excused_absence_warehoused_and_countersign_fit_800x480(
    panel: tuple[Screen, KioskController, BadgeReaderSimulation], shots: Path, lang: str
) -> None:
    """An officer (民警 and name) sees the roster in large text, picks an inmate of this line from a
    grid (not the other line's), then the reason and minutes; sees today's booked 入库数 before
    adding more; countersigns through a confirmation. No form scrolls past 480 px."""
    screen, ctrl, reader = panel
    ctrl.language = lang

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    screen.open("/")
    screen.should_contain(t("kiosk.prompt"))
    reader.present("B9007")
    screen.should_contain(t("officer.title", name="赵警官"))
    roster_px = screen.selenium.execute_script(
        "return Math.min(...[...document.querySelectorAll('.kroster td')]"
        ".map(td => parseFloat(getComputedStyle(td).fontSize)))"
    )
    assert roster_px >= 18
    check_screen(screen, shots, f"{lang}-o1-officer")

    press(screen, t("officer.excuse"))
    screen.should_contain(t("officer.pick_inmate"))
    labels = visible_labels(screen)
    assert "1002 李四" in labels
    assert "2018 队员18" in labels  # all 20 of this line, within the panel
    assert not any("王五" in label for label in labels)  # 1003 works on another line today
    check_screen(screen, shots, f"{lang}-o2-excuse-pick")
    press(screen, "1002 李四")
    screen.should_contain(t("officer.chosen", name="1002 李四"))
    check_screen(screen, shots, f"{lang}-o3-excuse-form")
    for key in (t("excuse.medical"), "6", "0", t("keypad.ok")):
        press(screen, key)
    screen.should_contain(t("msg.excuse_saved", name="李四"))

    press(screen, t("officer.warehoused"))
    screen.should_contain(t("officer.booked_today", units=0))
    for key in ("3", "0", "0", t("keypad.ok")):
        press(screen, key)
    screen.should_contain(t("msg.warehoused_saved", units=300))
    press(screen, t("officer.warehoused"))
    screen.should_contain(t("officer.booked_today", units=300))
    check_screen(screen, shots, f"{lang}-o4-warehoused")
    press(screen, t("keypad.cancel"))

    screen.wait_for(lambda: has_button(screen, t("officer.check_in")))
    press(screen, t("officer.check_in"))
    screen.should_contain(t("officer.pick_inmate"))
    press(screen, "1001 张三")
    screen.should_contain(t("officer.chosen", name="1001 张三"))
    check_screen(screen, shots, f"{lang}-o5-officer-check")
    press(screen, t("keypad.cancel"))

    screen.wait_for(lambda: has_button(screen, t("officer.countersign")))
    press(screen, t("officer.countersign"))
    screen.should_contain(t("confirm.countersign", day=DAY))
    check_screen(screen, shots, f"{lang}-o6-countersign-confirm")
    press(screen, t("confirm.yes_sign"))
    screen.should_contain(t("msg.countersigned"))
    bodies = [r.body for r in ctrl.store.records_for_day(DAY)]
    assert bodies[0] == ExcusedAbsence(person="1002", day=DAY, minutes=60, reason="medical", officer="O7")
    assert bodies[-1] == Countersign(officer="O7", line="L1", day=DAY)

    screen.wait_for(lambda: has_button(screen, t("officer.correct")))
    press(screen, t("officer.correct"))
    screen.should_contain(t("officer.new_units"))
    check_screen(screen, shots, f"{lang}-o7-correct")


def v2_plan() -> Any:
    """The 20-inmate line in a rule book v2 month, with six inmates on rated posts (kitchen,
    cleaning...), one in a training period and the rule set's grades: the grading screen is
    measured at a real size."""
    plan = line_plan()
    rated = [
        PlanPerson(
            id=f"{3001 + i}",
            name=f"岗位{i + 1:02d}",
            role="inmate",
            badges=(f"B{3001 + i}",),
            step_name=("厨房", "保洁", "维修", "质检", "组长", "仓管")[i],
            post=f"POST{i + 1}",
            grades=((YESTERDAY, "B"),) if i % 2 else (),
        )
        for i in range(6)
    ]
    people = list(plan.people)
    people[1] = dataclasses.replace(people[1], training=True)
    return dataclasses.replace(plan, people=(*people, *rated), grades=("A", "B", "C", "D"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.nicegui_main_file("")
def test_officer_grades_and_rejects_from_a_ticket_fit_800x480(
    panel: tuple[Screen, KioskController, BadgeReaderSimulation], shots: Path, lang: str
) -> None:
    """Rule book v2 at the kiosk: the officer's screen with 评分 and 次品登记, the grading screen of six
    rated posts (missing ones marked), a grade tapped, and the reject panel a scanned ticket opens:
    every button glove-sized, nothing past the 800x480 panel."""
    screen, ctrl, reader = panel
    ctrl.language = lang
    ctrl.post_plan(v2_plan())

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    screen.open("/")
    screen.should_contain(t("kiosk.prompt"))
    reader.present("B9007")
    screen.should_contain(t("officer.title", name="赵警官"))
    check_screen(screen, shots, f"{lang}-v1-officer")
    press(screen, t("officer.grade") + "（9）")  # missing: today's six and the previous day's three
    screen.should_contain(t("grade.missing", n=6))
    check_screen(screen, shots, f"{lang}-v2-grades")
    buttons = [b for b in screen.selenium.execute_script(MEASURE)["buttons"] if b["text"] in "ABCD"]
    assert len(buttons) == 6 * 4
    assert min(b["h"] for b in buttons) >= 56
    grade_b = screen.selenium.find_elements(By.XPATH, "//button[normalize-space()='B']")
    next(e for e in grade_b if e.is_displayed()).click()
    screen.should_contain(t("grade.missing", n=5))
    press(screen, t("grade.yesterday"))
    screen.should_contain(t("grade.missing", n=3))
    check_screen(screen, shots, f"{lang}-v3-grades-yesterday")
    press(screen, t("keypad.cancel"))

    scanner = CodeScannerSimulation(
        CodeScannerConfig(name="qr0", url="sim://qr0"), clock=time.monotonic, on_event=ctrl.post_device_event
    )
    scanner.start()
    try:
        scanner.scan_ticket(product="P1", step="S2", bundle_id="B000777", units=20)
        screen.should_contain(t("msg.ticket_for_reject", bundle="B000777"))
        screen.should_contain(t("officer.chosen", name="1001 张三"))
        check_screen(screen, shots, f"{lang}-v4-reject-ticket")
        for key in (t("reject.reason.sewing"), "2", t("keypad.ok")):
            press(screen, key)
        screen.should_contain(t("msg.reject_saved", name="张三", units=2))
    finally:
        scanner.stop()
    bodies = [r.body for r in ctrl.store.records_for_day(DAY)]
    assert [type(b).__name__ for b in bodies] == ["Grade", "Reject"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.nicegui_main_file("")
def test_inmate_sees_his_month_and_asks_for_a_review_at_800x480(
    panel: tuple[Screen, KioskController, BadgeReaderSimulation], shots: Path, lang: str
) -> None:
    """With his week, month so far, published month (公示), yesterday's record and a notice all on
    screen, the inmate's screen still fits 800x480; 确认月度结果 and 申请复核 are at the two ends of
    their row; the reasons (with pictograms) and the confirmation fit as well, and 确认 records it."""
    screen, ctrl, reader = panel
    ctrl.language = lang
    plan = ctrl.plan
    assert plan is not None
    people = tuple(
        dataclasses.replace(p, week=MONTH_WEEK, month_so_far=MONTH_SO_FAR, published=MONTH_PUBLISHED)
        if p.id == "1001"
        else p
        for p in plan.people
    )
    ctrl.post_plan(dataclasses.replace(plan, people=people, revision=2))

    def t(key: str, **values: object) -> str:
        return text(key, lang, **values)

    screen.open("/")
    screen.should_contain(t("kiosk.prompt"))
    reader.present("B1001")
    screen.should_contain("1001 张三")
    screen.should_contain(t("month.state.open", until=MONTH_PUBLISHED.until))
    check_screen(screen, shots, f"{lang}-m1-month")
    confirm, review = button(screen, t("month.confirm")).rect, button(screen, t("month.review")).rect
    assert review["x"] - (confirm["x"] + confirm["width"]) >= 200
    press(screen, t("month.review"))
    screen.should_contain(t("month.review_choose"))
    check_screen(screen, shots, f"{lang}-m2-month-reasons")
    press(screen, t("month.reason.points_wrong"))
    screen.should_contain(t("confirm.month_review", month="2026-09", reason=t("month.reason.points_wrong")))
    check_screen(screen, shots, f"{lang}-m3-month-confirm")
    press(screen, t("confirm.yes"))
    screen.should_contain(t("msg.month_review_sent"))
    assert [r.body for r in ctrl.store.records_for_day(DAY)] == [
        MonthReview(person="1001", month="2026-09", points="10.5", day=DAY, reason="points_wrong", text="")
    ]
    check_screen(screen, shots, f"{lang}-m4-month-asked")


MONTH_WEEK = PeriodSummary(
    period="2026-W41", days=1, completion_pct="91.67", rated_days=0, graded_days=0, deduct_points="0.0",
    points=None,
)  # fmt: skip
MONTH_SO_FAR = PeriodSummary(
    period="2026-10", days=3, completion_pct="97.50", rated_days=1, graded_days=1, deduct_points="2.0",
    points="7.5",
)  # fmt: skip
MONTH_PUBLISHED = MonthPublication(
    month="2026-09", days=21, completion_pct="102.30", points="10.5", valid_from="2026-10-03",
    until="2026-10-07", status="open",
)  # fmt: skip
