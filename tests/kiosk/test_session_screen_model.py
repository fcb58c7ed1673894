"""The kiosk's screen model for gloves and low literacy (issue #19): whoever is not recognised closes
the previous screen, an idle screen closes itself, only the actions that make sense are offered,
disputes and countersigns wait for 确认, and pieces are whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.web.board import model as board_model
from kiosk import inputs
from kiosk import session as s
from protocol.records import Countersign, Dispute, ExcusedAbsence, WarehousedCount
from tests.kiosk.conftest import DAY, LINE, YESTERDAY
from tests.kiosk.test_session_machine import IN, OFFICER, Run


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (inputs.BadgeTapped(badge="NOPE"), "unknown_badge"),
        (inputs.BadgeTapped(badge="B1003"), "other_line"),
        (inputs.PersonCodeScanned(person="9999"), "unknown_badge"),
        (inputs.BadCode(code="B77777"), "code_unreadable"),  # a wedge reader typing an unknown badge
        (inputs.BadCode(code="FLP1|nonsense"), "code_unreadable"),  # a malformed person code
    ],
)
@pytest.mark.parametrize("first", [IN, OFFICER])
def test_an_unrecognised_badge_closes_the_previous_persons_screen(
    first: inputs.Input, event: inputs.Input, message: str
) -> None:
    """Whatever identifies nobody here returns to idle with its message: the previous inmate's (or
    officer's) screen, its buttons and a confirmation waiting on it are gone."""
    run = Run()(first, inputs.CheckInPressed() if first == IN else inputs.CountersignPressed())
    if first == IN:
        run(inputs.DisputePressed(reason="count_wrong"))
    assert run.state.pending is not None
    run(event)
    assert run.state.screen is s.Screen.IDLE
    assert run.state.person is None
    assert run.state.pending is None
    assert run.message == message
    run(inputs.YesPressed(), inputs.CheckOutPressed())
    assert not any(isinstance(b, Dispute | Countersign) for b in run.bodies)
    assert run.state.screen is s.Screen.IDLE


def test_without_a_plan_a_badge_closes_the_screen_too() -> None:
    """A plan that went away (or another line's) closes the open screen on the next tap."""
    run = Run()(IN)
    run.plan = None  # type: ignore[assignment]
    run(inputs.BadgeTapped(badge="B1002"))
    assert (run.state.screen, run.state.person, run.message) == (s.Screen.IDLE, None, "no_plan")


def test_a_torn_bundle_ticket_keeps_the_inmate_who_scanned_it() -> None:
    """A malformed bundle ticket is the inmate's own scan: he stays, told the code is unreadable."""
    run = Run()(IN, inputs.BadCode(code="FLB1|product=P1", ticket=True))
    assert (run.state.screen, run.state.person, run.message) == (s.Screen.INMATE, "1001", "code_unreadable")


@pytest.mark.parametrize("idle_seconds", [5, 20])
@pytest.mark.parametrize("first", [IN, OFFICER])
def test_the_screen_goes_idle_after_the_configured_time_even_mid_confirmation(
    idle_seconds: int, first: inputs.Input
) -> None:
    """No touch for `idle_seconds` closes the inmate's or officer's screen and drops a confirmation
    that was waiting: nothing is recorded for it."""
    run = Run(idle_seconds=idle_seconds)(first)
    run(inputs.DisputePressed(reason="count_wrong") if first == IN else inputs.CountersignPressed())
    assert run.state.pending is not None
    run(inputs.Tick(), advance_ms=idle_seconds * 1000 - 1)
    assert run.state.screen is not s.Screen.IDLE
    run(inputs.Tick(), advance_ms=1)
    assert run.state == s.State(last_ms=run.now)
    run(inputs.YesPressed())
    assert run.bodies == []


def _status(run: Run) -> s.PersonStatus:
    person = s.find_person(run.plan, "1001")
    assert person is not None
    return s.person_status(person, run.records, "K01", DAY)


def test_only_the_actions_that_make_sense_are_offered() -> None:
    """签到 before a check-in, 签退 and 报数 while checked in, after 签退 签到 again but no 报数;
    a count typed after 签退 is refused."""
    run = Run()(IN)
    assert s.inmate_actions(_status(run)) == ("check_in", "done")
    run(inputs.CheckInPressed())
    assert s.inmate_actions(_status(run)) == ("check_out", "report", "done")
    run(inputs.CheckOutPressed())
    assert s.inmate_actions(_status(run)) == ("check_in", "done")
    run(inputs.UnitsEntered(text="5"))
    assert run.message == "check_in_first"
    assert len(run.bodies) == 2


def test_yesterday_can_be_answered_once() -> None:
    """确认/申辩 are offered while yesterday's record waits for an answer, not after."""
    run = Run()(IN)
    assert s.may_answer(_status(run))
    run(inputs.ConfirmPressed())
    assert not s.may_answer(_status(run))


def test_a_dispute_waits_for_confirmation_and_can_be_cancelled() -> None:
    """Choosing a reason records nothing; 取消 drops it; 确认 records it once."""
    run = Run()(IN, inputs.DisputePressed(reason="count_wrong"))
    assert run.bodies == []
    assert run.state.pending == s.Pending(kind="dispute", reason="count_wrong")
    run(inputs.NoPressed())
    assert run.state.pending is None
    assert run.bodies == []
    assert run.state.screen is s.Screen.INMATE
    run(inputs.DisputePressed(reason="count_wrong"), inputs.YesPressed())
    assert run.bodies == [Dispute(person="1001", day=YESTERDAY, reason="count_wrong")]
    assert run.message == "disputed"
    run(inputs.YesPressed())
    assert run.message == "nothing_pending"
    assert len(run.bodies) == 1


def test_other_needs_an_explanation_which_is_recorded() -> None:
    """其他 without an explanation is refused; with the one picked on screen it is the record's text."""
    run = Run()(IN, inputs.DisputePressed(reason="other"))
    assert run.message == "explain_other"
    assert run.state.pending is None
    run(inputs.DisputePressed(reason="other", text="扎票未计入"), inputs.YesPressed())
    assert run.bodies == [Dispute(person="1001", day=YESTERDAY, reason="other", text="扎票未计入")]


def test_another_input_abandons_a_waiting_confirmation() -> None:
    """A confirmation belongs to the step right after it: any other touch drops it."""
    run = Run()(IN, inputs.DisputePressed(reason="quota_wrong"), inputs.CheckInPressed(), inputs.YesPressed())
    assert run.message == "nothing_pending"
    assert not any(isinstance(b, Dispute) for b in run.bodies)


def test_a_countersign_waits_for_confirmation() -> None:
    """审核签名 records nothing until 确认; 取消 drops it."""
    run = Run()(OFFICER, inputs.CountersignPressed())
    assert run.state.pending == s.Pending(kind="countersign")
    assert run.bodies == []
    run(inputs.NoPressed())
    assert run.bodies == []
    run(inputs.CountersignPressed(), inputs.YesPressed())
    assert run.bodies == [Countersign(officer="O7", line=LINE, day=DAY)]


@pytest.mark.parametrize(
    ("text", "done", "quota"),
    [
        ("376.96", 377, 377),
        ("120", 120, 120),
        ("80.5", 81, 81),
        ("80.49", 80, 80),
        ("0.01", 0, 0),
        ("0", 0, 0),
        (None, None, None),
        ("x", None, None),
    ],
)
def test_whole_pieces_are_rounded_half_up_as_on_the_wall_board(
    text: str | None, done: int | None, quota: int | None
) -> None:
    """Done and quota are whole pieces by the wall board's rule (half up), so the kiosk and the board
    show an inmate the same numbers."""
    assert s.whole_done(text) == done
    assert s.whole_quota(text) == quota


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False))
def test_whole_pieces_are_the_nearest_integer_and_the_board_s(value: Decimal) -> None:
    """For any decimal figure: the kiosk's whole pieces are at most half a piece away, and equal to the
    wall board's."""
    done, quota = s.whole_done(str(value)), s.whole_quota(str(value))
    assert done is not None
    assert done == quota
    assert abs(value - done) <= Decimal("0.5")
    assert done == board_model.whole_pieces(value)


def test_warehoused_today_adds_up_todays_entries_for_the_plans_product() -> None:
    """What the 入库数 keypad shows as already booked: today's entries of this line's product."""
    run = Run(
        [
            WarehousedCount(line=LINE, product="P1", day=DAY, units=300, officer="O7"),
            WarehousedCount(line=LINE, product="P1", day=YESTERDAY, units=999, officer="O7"),
            WarehousedCount(line=LINE, product="P2", day=DAY, units=7, officer="O7"),
        ]
    )(OFFICER, inputs.WarehousedEntered(text="50"))
    assert s.warehoused_today(run.ctx()) == 350


def test_an_excused_absence_is_only_for_an_inmate_of_this_line() -> None:
    """1003 is listed (other line) but has no post here: the officer cannot excuse him from this kiosk."""
    run = Run()(OFFICER, inputs.ExcuseEntered(person="1003", minutes="60", reason="medical"))
    assert run.message == "choose_person"
    run(inputs.ExcuseEntered(person="1001", minutes="60", reason="medical"))
    assert run.bodies == [ExcusedAbsence(person="1001", day=DAY, minutes=60, reason="medical", officer="O7")]
    assert [st.person.id for st in s.roster(run.ctx())] == ["1001", "1002"]
