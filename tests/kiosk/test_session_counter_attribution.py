"""Whose units a counter counted: the session's rule for `CounterUnits`, from tables.

Line L1 (tests/kiosk/conftest.py): inmate 1001 holds step S2, inmate 1002 holds S3, inmate 1003 has
no post, officer O7. A counter at a workstation credits the one checked-in holder of its step, and
anything it cannot credit becomes an `unattributed_units` fault for the officers' daily review.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from kiosk import inputs
from kiosk import session as s
from protocol.messages import LinePlan, PlanPerson
from protocol.records import Body, CheckIn, CheckOut, DeviceFault, UnitCount
from tests.kiosk.conftest import DAY, KIOSK, LINE, make_plan, make_records


def _ctx(bodies: Sequence[Body] = (), *, plan: LinePlan | None = None, limit: int = 500) -> s.Context:
    return s.Context(
        kiosk=KIOSK,
        line=LINE,
        day=DAY,
        now_ms=50_000,
        plan=make_plan() if plan is None else plan,
        records=make_records(bodies),
        limits=s.Limits(max_units_per_entry=limit),
    )


def _checked_in(person: str) -> CheckIn:
    return CheckIn(person=person, line=LINE, day=DAY, method="badge")


def _with_extra_holder_of_s3() -> LinePlan:
    plan = make_plan()
    extra = PlanPerson(
        id="1004", name="孙六", role="inmate", badges=("B1004",), product="P1", step="S3", step_name="锁边"
    )
    return dataclasses.replace(plan, people=(*plan.people, extra))


def _count(person: str, step: str, units: int) -> UnitCount:
    return UnitCount(
        person=person,
        line=LINE,
        day=DAY,
        product="P1",
        step=step,
        units=units,
        source="device",
        ref="counter0",
    )


def _fault(detail: str) -> DeviceFault:
    return DeviceFault(device="counter0", fault="unattributed_units", detail=detail)


CASES = [
    pytest.param(
        [_checked_in("1002")],
        None,
        "S3",
        12,
        (_count("1002", "S3", 12),),
        id="one-holder-checked-in-is-credited",
    ),
    pytest.param(
        [],
        None,
        "S3",
        12,
        (_fault("12 units at step S3: 1002 is not checked in"),),
        id="holder-not-checked-in-is-a-fault",
    ),
    pytest.param(
        [_checked_in("1002"), CheckOut(person="1002", line=LINE, day=DAY, method="badge")],
        None,
        "S3",
        3,
        (_fault("3 units at step S3: 1002 is not checked in"),),
        id="holder-checked-out-is-a-fault",
    ),
    pytest.param(
        [_checked_in("1002"), _checked_in("1004")],
        _with_extra_holder_of_s3(),
        "S3",
        7,
        (_fault("7 units at step S3: 2 people hold this step (1002, 1004)"),),
        id="two-holders-is-ambiguous",
    ),
    pytest.param(
        [_checked_in("1002")],
        _with_extra_holder_of_s3(),
        "S3",
        7,
        (_fault("7 units at step S3: 2 people hold this step (1002, 1004)"),),
        id="two-holders-one-checked-in-is-still-ambiguous",
    ),
    pytest.param(
        [_checked_in("1001"), _checked_in("1002")],
        None,
        "S9",
        5,
        (_fault("5 units at step S9: nobody holds this step today"),),
        id="no-holder-is-a-fault",
    ),
    pytest.param(
        [_checked_in("1002")],
        make_plan(line="L2"),
        "S3",
        4,
        (_fault("4 units at step S3: no line plan"),),
        id="no-plan-for-this-line-is-a-fault",
    ),
    pytest.param(
        [_checked_in("1002")],
        None,
        "S3",
        1234,
        (_count("1002", "S3", 500), _count("1002", "S3", 500), _count("1002", "S3", 234)),
        id="above-the-entry-limit-is-split-not-refused",
    ),
    pytest.param(
        [_checked_in("1002")],
        None,
        "S3",
        1000,
        (_count("1002", "S3", 500), _count("1002", "S3", 500)),
        id="exact-multiple-of-the-limit",
    ),
    pytest.param([_checked_in("1002")], None, "S3", 0, (), id="zero-units-record-nothing"),
]


@pytest.mark.parametrize(("records", "plan", "step_id", "units", "expected"), CASES)
def test_counter_units_go_to_the_one_checked_in_holder_of_the_step_or_become_a_fault(
    records: list[Body], plan: LinePlan | None, step_id: str, units: int, expected: tuple[Body, ...]
) -> None:
    """What an officer later sees in the records for one counter event: the holder's unit counts
    (split at max_units_per_entry, nothing refused) or one fault naming units, step and reason."""
    out = s.step(
        s.State(), inputs.CounterUnits(device="counter0", step=step_id, units=units), _ctx(records, plan=plan)
    )
    assert out.bodies == expected
    assert sum(b.units for b in out.bodies if isinstance(b, UnitCount)) in (0, units)


def test_counter_units_never_go_to_the_person_on_screen_and_leave_the_screen_alone() -> None:
    """Inmate 1001 (step S2) is on screen with a message when S3's counter counts: the units go to
    1002, who holds S3, and the screen (person, message, idle timer) is exactly as it was."""
    on_screen = s.State(
        screen=s.Screen.INMATE,
        person="1001",
        message=s.Message(key="checked_in", ok=True),
        last_ms=40_000,
        message_ms=40_000,
    )
    ctx = _ctx([_checked_in("1001"), _checked_in("1002")])
    out = s.step(on_screen, inputs.CounterUnits(device="counter0", step="S3", units=6), ctx)
    assert out.state == on_screen
    assert out.bodies == (_count("1002", "S3", 6),)


def test_counter_units_add_to_the_holders_units_so_far_and_the_line_progress() -> None:
    """After the counter's records are stored, 1002's screen and the idle screen show them."""
    bodies: list[Body] = [_checked_in("1002")]
    bodies += s.step(
        s.State(), inputs.CounterUnits(device="counter0", step="S3", units=30), _ctx(bodies)
    ).bodies
    ctx = _ctx(bodies)
    (status,) = [p for p in s.roster(ctx) if p.person.id == "1002"]
    assert status.units == 30
    assert s.line_progress(ctx) == (30, 201)  # quotas 120 and 80.5 -> 81 whole pieces
    assert [(e.person, e.units, e.source, e.ref) for e in s.count_entries(ctx.records, KIOSK, DAY)] == [
        ("1002", 30, "device", "counter0")
    ]
