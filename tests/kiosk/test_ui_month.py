"""The inmate's month at the kiosk: his week and month so far, his published monthly result (公示),
its confirmation (签名确认) and a request for its review (复核) with a reason, each behind a
confirmation step; the officers' answer as the hub-signed plan brings it. Real store, simulated
badge reader, NiceGUI's simulated user; the state machine's rules from tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from nicegui.testing import user_simulation

from devices.api import BadgeReaderConfig, BadgeReaderSimulation, CodeScannerConfig, CodeScannerSimulation
from kiosk import inputs
from kiosk import session as s
from kiosk.ui import kiosk_page
from protocol.messages import LinePlan, MonthPublication, PeriodSummary, open_frame, seal
from protocol.records import MonthConfirm, MonthReview
from protocol.signing import Signer, Verifier
from tests.kiosk.conftest import (
    DAY,
    KIOSK,
    LINE,
    FakeTime,
    KioskHarness,
    build_controller,
    make_plan,
    make_records,
)

HUB = Signer(b"\x07" * 32)
WEEK = PeriodSummary(
    period="2026-W41", days=1, completion_pct="91.67", rated_days=0, graded_days=0, deduct_points="0.0",
    points=None,
)  # fmt: skip
SO_FAR = PeriodSummary(
    period="2026-10", days=3, completion_pct="97.50", rated_days=1, graded_days=1, deduct_points="2.0",
    points="7.5",
)  # fmt: skip


def published(status: str = "open", answer: str | None = None, until: str = "2026-10-07") -> MonthPublication:
    return MonthPublication(
        month="2026-09", days=21, completion_pct="102.30", points="10.5", valid_from="2026-10-03",
        until=until, status=status, answer=answer,
    )  # fmt: skip


def plan_with(month: MonthPublication | None) -> LinePlan:
    """The plan as the uplink opens it (sealed by the hub): 1001 has his week, month and publication."""
    plan = make_plan()
    people = tuple(
        replace(p, week=WEEK, month_so_far=SO_FAR, published=month) if p.id == "1001" else p
        for p in plan.people
    )
    opened = open_frame(seal(replace(plan, people=people), HUB), Verifier(HUB.public_key), LinePlan)
    assert isinstance(opened, LinePlan)
    return opened


@pytest.fixture
async def month_kiosk(tmp_path: Path) -> AsyncIterator[KioskHarness]:
    fake = FakeTime()
    ctrl, store = build_controller(tmp_path, fake, plan=plan_with(published()))
    badge = BadgeReaderSimulation(
        BadgeReaderConfig(name="badge0", url="sim://badge0"),
        clock=fake.seconds,
        on_event=ctrl.post_device_event,
    )
    scanner = CodeScannerSimulation(
        CodeScannerConfig(name="qr0", url="sim://qr0"), clock=fake.seconds, on_event=ctrl.post_device_event
    )
    try:
        async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
            await user.open("/")
            badge.start()
            yield KioskHarness(user, ctrl, store, fake, badge, scanner)
            badge.stop()
    finally:
        store.close()


# --- the state machine --------------------------------------------------------------------------------


def _ctx(plan: LinePlan, bodies: tuple[object, ...] = (), day: str = DAY) -> s.Context:
    return s.Context(kiosk=KIOSK, line=LINE, day=day, now_ms=1, plan=plan, records=make_records(bodies))  # type: ignore[arg-type]


def _on_screen() -> s.State:
    return s.State(screen=s.Screen.INMATE, person="1001")


@pytest.mark.parametrize(
    ("month", "bodies", "day", "allowed"),
    [
        (published(), (), DAY, True),
        (published(), (), "2026-10-08", False),  # after the window
        (published(), (), "2026-10-02", False),  # before it
        (published(status="confirmed"), (), DAY, False),  # the hub knows he confirmed
        (published(status="kept", answer="无误"), (), DAY, False),
        (published(), (MonthConfirm(person="1001", month="2026-09", points="10.5", day=DAY),), DAY, False),
        (published(), (MonthConfirm(person="1001", month="2026-08", points="9.0", day=DAY),), DAY, True),
        (replace(published(), points=None), (), DAY, False),  # not assessed: nothing to confirm
        (None, (), DAY, False),
    ],
)
def test_he_may_answer_his_month_once_and_in_its_window(
    month: MonthPublication | None, bodies: tuple[object, ...], day: str, allowed: bool
) -> None:
    """Confirm or review is offered only while the month is published for him, today is in the
    window, and neither the hub nor this kiosk has his answer to that month yet."""
    plan = plan_with(month)
    person = s.find_person(plan, "1001")
    assert person is not None
    assert s.may_answer_month(person, make_records(bodies), day) is allowed  # type: ignore[arg-type]


def test_confirming_waits_for_yes_and_records_the_points_he_saw() -> None:
    """确认月度结果 opens the confirmation; only 确认 records `month_confirm` with month and points."""
    ctx = _ctx(plan_with(published()))
    opened = s.step(_on_screen(), inputs.MonthConfirmPressed(), ctx)
    assert opened.bodies == ()
    assert opened.state.pending == s.Pending(kind="month_confirm")
    done = s.step(opened.state, inputs.YesPressed(), ctx)
    assert done.bodies == (MonthConfirm(person="1001", month="2026-09", points="10.5", day=DAY),)
    assert done.state.message is not None
    assert done.state.message.key == "month_confirmed"


@pytest.mark.parametrize(
    ("event", "error"),
    [
        (inputs.MonthReviewPressed(reason="bogus"), "choose_reason"),
        (inputs.MonthReviewPressed(reason="other"), "explain_other"),
        (inputs.MonthReviewPressed(reason="other", text="\x07"), "invalid_entry"),
    ],
)
def test_a_review_needs_a_known_reason(event: inputs.MonthReviewPressed, error: str) -> None:
    """A reason not offered, 其他 without what is wrong, or text the hub would refuse: nothing waits."""
    out = s.step(_on_screen(), event, _ctx(plan_with(published())))
    assert out.bodies == ()
    assert out.state.pending is None
    assert out.state.message is not None
    assert out.state.message.key == error


def test_outside_the_window_nothing_is_recorded() -> None:
    """After the window (or once answered), both buttons are refused with 不在公示期."""
    ctx = _ctx(plan_with(published(until="2026-10-04")))
    for event in (inputs.MonthConfirmPressed(), inputs.MonthReviewPressed(reason="points_wrong")):
        out = s.step(_on_screen(), event, ctx)
        assert out.bodies == ()
        assert out.state.message is not None
        assert out.state.message.key == "month_closed"


# --- the screen -----------------------------------------------------------------------------------------


async def test_he_sees_his_week_month_and_published_result_and_confirms_it(month_kiosk: KioskHarness) -> None:
    """Tapping shows his week and month so far (completion, graded days, deductions, points) and his
    published month with 确认月度结果 and 申请复核 (big enough for gloves); confirming asks first,
    then records it, and neither button is offered again."""
    kiosk = month_kiosk
    await kiosk.tap("B1001")
    await kiosk.user.should_see("本周（2026-W41）：1 天，完成率 91.67%，扣分 0.0")
    await kiosk.user.should_see(
        "本月（2026-10）至今：3 天，完成率 97.50%，评级 1/1 天，扣分 2.0，劳动改造分 7.5"
    )
    await kiosk.user.should_see("2026-09 月度公示：21 天，完成率 102.30%，劳动改造分 10.5")
    await kiosk.user.should_see("请于 2026-10-07 前确认或申请复核")
    for marker in ("month-confirm", "month-review"):
        button = kiosk.user.find(marker=marker).elements.pop()
        assert "kbtn" in button.classes  # the kiosk's touch size: at least 60 px high
    await kiosk.click("month-confirm")
    await kiosk.user.should_see("确认签名：2026-09 劳动改造分 10.5？")
    assert kiosk.bodies() == []  # nothing before 确认
    await kiosk.click("confirm-yes")
    await kiosk.user.should_see("月度结果已确认")
    assert kiosk.bodies() == [MonthConfirm(person="1001", month="2026-09", points="10.5", day=DAY)]
    await kiosk.user.should_see("已签名确认")
    await kiosk.user.should_not_see(marker="month-confirm")
    await kiosk.user.should_not_see(marker="month-review")


async def test_he_asks_for_a_review_with_a_reason_picked_on_screen(month_kiosk: KioskHarness) -> None:
    """申请复核 lists the reasons with pictograms; 其他 lists explanations (no keyboard); 取消 on the
    confirmation records nothing; 确认 records `month_review` with reason and explanation in Chinese."""
    kiosk = month_kiosk
    await kiosk.tap("B1001")
    await kiosk.click("month-review")
    await kiosk.user.should_see("请选择复核原因")
    icons = kiosk.user.find(marker="month-reason-deduction_wrong").elements.pop()
    assert icons.props.get("icon")  # a pictogram beside the words
    await kiosk.click("month-reason-other")
    await kiosk.click("month-note-deduction_unknown")
    await kiosk.user.should_see("确认申请复核 2026-09：其他（不清楚扣分原因）？")
    await kiosk.click("confirm-no")
    await kiosk.user.should_not_see(marker="confirm-question")
    assert kiosk.bodies() == []
    await kiosk.click("month-review")
    await kiosk.click("month-reason-points_wrong")
    await kiosk.click("confirm-yes")
    await kiosk.user.should_see("复核申请已提交")
    assert kiosk.bodies() == [
        MonthReview(person="1001", month="2026-09", points="10.5", day=DAY, reason="points_wrong", text="")
    ]
    await kiosk.user.should_see("已申请复核，等待答复")


async def test_the_officers_answer_arrives_with_the_plan(month_kiosk: KioskHarness) -> None:
    """A new plan carrying the answer (kept, with the reason) shows it at his next tap."""
    kiosk = month_kiosk
    kiosk.ctrl.post_plan(plan_with(published(status="kept", answer="核对出勤与产量，分数无误")))
    await kiosk.tap("B1001")
    await kiosk.user.should_see("复核结果：维持")
    await kiosk.user.should_see("复核答复：核对出勤与产量，分数无误")
    await kiosk.user.should_not_see(marker="month-confirm")
