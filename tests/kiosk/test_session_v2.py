"""The kiosk's state machine for rule book v2 (#14): grades of rated posts and rejects, from tables."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk import inputs, texts
from kiosk import session as s
from protocol.records import REJECT_REASONS, Grade, Reject, UnitCount
from tests.kiosk.conftest import DAY, LINE, YESTERDAY, make_plan, make_v2_plan
from tests.kiosk.test_session_machine import OFFICER, Run

TICKET = inputs.TicketScanned(product="P1", step="S2", bundle="B000123", units=20)


def _run() -> Run:
    run = Run()
    run.plan = make_v2_plan()
    return run


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (inputs.GradePressed(person="1001", day=DAY, grade="A"), "not_rated"),  # a counted step
        (inputs.GradePressed(person="nobody", day=DAY, grade="A"), "not_rated"),
        (inputs.GradePressed(person="1004", day="2026-10-01", grade="A"), "grade_day"),
        (inputs.GradePressed(person="1004", day="2026-10-06", grade="A"), "grade_day"),  # tomorrow
        (inputs.GradePressed(person="1004", day=DAY, grade="E"), "choose_grade"),
    ],
)
def test_a_grade_the_kiosk_cannot_give_is_refused_and_records_nothing(
    event: inputs.Input, message: str
) -> None:
    """Only a rated inmate of the plan, today or the previous workday, with one of the plan's grades."""
    run = _run()(OFFICER, event)
    assert (run.message, run.last) == (message, ())


def test_grades_are_refused_in_a_v1_month() -> None:
    """A plan without the rule set's grades (a v1 month) grades nobody."""
    run = _run()
    run.plan = dataclasses.replace(run.plan, grades=())
    run(OFFICER, inputs.GradePressed(person="1004", day=DAY, grade="A"))
    assert run.message == "no_grades"


def test_an_officer_grade_of_today_and_yesterday_and_what_the_screen_reads() -> None:
    """Each grade is one record; the roster shows the latest grade of the kiosk's own records, or
    the plan's (the dashboard's) where the kiosk gave none; a missing one is listed first."""
    run = _run()(OFFICER)
    assert [(r.person.id, r.grade) for r in s.rated_roster(run.ctx(), DAY)] == [("1004", None)]
    assert [(r.person.id, r.grade) for r in s.rated_roster(run.ctx(), YESTERDAY)] == [("1004", "B")]
    run(
        inputs.GradePressed(person="1004", day=DAY, grade="C"),
        inputs.GradePressed(person="1004", day=DAY, grade="A"),
    )
    assert run.bodies[-1] == Grade(person="1004", line=LINE, day=DAY, post="KITCHEN", grade="A", officer="O7")
    assert [r.grade for r in s.rated_roster(run.ctx(), DAY)] == ["A"]
    assert s.grading_days(run.ctx()) == (DAY, YESTERDAY)


def test_the_previous_workday_is_the_plans_and_graded_on_the_post_held_then() -> None:
    """With the hub's previous workday in the plan (Friday 10-02 on Monday 10-05), the kiosk grades
    that day, not the calendar's; that day's roster is who held a rated post then: 1001 (counted
    today, on the kitchen on Friday), graded with the kitchen's code, while 1004 (on the kitchen
    from today only) is not rated on Friday."""
    friday = "2026-10-02"
    run = _run()
    people = tuple(
        dataclasses.replace(p, previous_post="KITCHEN", previous_post_name="厨房") if p.id == "1001" else p
        for p in run.plan.people
    )
    run.plan = dataclasses.replace(run.plan, people=people, previous_day=friday)
    run(OFFICER)
    assert s.grading_days(run.ctx()) == (DAY, friday)
    assert [(r.person.id, r.post_name) for r in s.rated_roster(run.ctx(), friday)] == [("1001", "厨房")]
    assert [r.person.id for r in s.rated_roster(run.ctx(), DAY)] == ["1004"]
    run(inputs.GradePressed(person="1004", day=friday, grade="A"))
    assert (run.message, run.last) == ("not_rated", ())
    run(inputs.GradePressed(person="1001", day=friday, grade="B"))
    assert run.bodies[-1] == Grade(
        person="1001", line=LINE, day=friday, post="KITCHEN", grade="B", officer="O7"
    )
    assert [r.grade for r in s.rated_roster(run.ctx(), friday)] == ["B"]


def test_an_inmate_on_a_rated_post_may_not_report_units() -> None:
    """A rated post is graded: 报数 is not offered and a typed count is refused."""
    run = _run()(inputs.BadgeTapped(badge="B1004"), inputs.CheckInPressed(), inputs.UnitsEntered(text="5"))
    assert run.message == "rated_no_count"
    status = s.person_status(s.find_person(run.plan, "1004"), run.records, "K01", DAY)  # type: ignore[arg-type]
    assert "report" not in s.inmate_actions(status)


def test_a_ticket_resolves_to_whoever_counted_it_else_to_the_steps_holders() -> None:
    """Counted here by 1001 yesterday: the reject is 1001's of yesterday. Not counted: the holders of
    the step today (S3: 1002 and 1005)."""
    counted = UnitCount(
        person="1001",
        line=LINE,
        day=YESTERDAY,
        product="P1",
        step="S2",
        units=20,
        source="ticket",
        ref="B000123",
    )
    run = _run()
    run.bodies.append(counted)
    assert [(m.person.id, m.day) for m in s.ticket_makers(run.ctx(), TICKET)] == [("1001", YESTERDAY)]
    other = dataclasses.replace(TICKET, step="S3", bundle="B9")
    assert [m.person.id for m in s.ticket_makers(run.ctx(), other)] == ["1002", "1005"]
    run(OFFICER, TICKET, inputs.RejectEntered(person="1001", units="4", reason="size"))
    assert run.last == (
        Reject(
            person="1001",
            line=LINE,
            day=YESTERDAY,
            product="P1",
            step="S2",
            units=4,
            reason="size",
            officer="O7",
            ref="B000123",
        ),
    )
    assert run.state.ticket is None


@pytest.mark.parametrize(
    ("person", "units", "reason", "message"),
    [
        ("1002", "3", "sewing", "choose_person"),  # not the ticket's maker
        ("1001", "0", "sewing", "count_zero"),
        ("1001", "x", "sewing", "not_a_number"),
        ("1001", "9999", "sewing", "count_too_large"),
        ("1001", "3", "", "choose_reason"),
    ],
)
def test_a_bad_reject_is_refused_and_the_ticket_waits(
    person: str, units: str, reason: str, message: str
) -> None:
    """A reject of someone the ticket does not name, of no units or without a reason records
    nothing, and the scanned ticket stays for the corrected entry."""
    run = _run()(OFFICER, TICKET, inputs.RejectEntered(person=person, units=units, reason=reason))
    assert (run.message, run.last) == (message, ())
    assert run.state.ticket == TICKET


def test_anything_else_drops_the_scanned_ticket() -> None:
    """取消 (or any other act) forgets the ticket: a later reject needs a ticket or a picked step."""
    run = _run()(OFFICER, TICKET, inputs.NoPressed())
    assert run.state.ticket is None


def test_on_a_v1_plan_a_rated_inmate_is_unknown_to_the_old_screens() -> None:
    """Nothing changes for a v1 plan: the person without a post on this line is another line's."""
    run = Run()
    run.plan = make_plan()
    run(inputs.BadgeTapped(badge="B1003"))
    assert run.message == "other_line"


def test_every_reject_reason_has_a_label() -> None:
    """Each reason the protocol allows is a labelled button in Chinese and English."""
    for reason in REJECT_REASONS:
        assert {"zh", "en"} <= set(texts.TEXTS[f"reject.reason.{reason}"])
