"""The kiosk's pure interaction state machine, from tables: what each input shows and records."""

from __future__ import annotations

import inspect
import re
from collections.abc import Sequence

import pytest

from floorledger.base import i18n
from kiosk import inputs, texts
from kiosk import session as s
from protocol.records import (
    Body,
    CheckIn,
    CheckOut,
    Confirm,
    Correction,
    Countersign,
    Dispute,
    ExcusedAbsence,
    Record,
    UnitCount,
    WarehousedCount,
    record_hash,
)
from tests.kiosk.conftest import DAY, KIOSK, LINE, YESTERDAY, make_plan, make_records


class Run:
    """Feeds inputs one by one, appending the returned bodies as records the way the kiosk does."""

    def __init__(self, records: Sequence[Body] = (), **limits: float) -> None:
        self.plan = make_plan()
        self.bodies: list[Body] = list(records)
        self.state = s.State()
        self.now = 0
        self.limits = s.Limits(**limits)  # type: ignore[arg-type]
        self.last: tuple[Body, ...] = ()

    @property
    def records(self) -> list[Record]:
        return make_records(self.bodies)

    def ctx(self) -> s.Context:
        return s.Context(
            kiosk=KIOSK,
            line=LINE,
            day=DAY,
            now_ms=self.now,
            plan=self.plan,
            records=self.records,
            limits=self.limits,
        )

    def __call__(self, *events: inputs.Input, advance_ms: int = 1000) -> Run:
        for event in events:
            self.now += advance_ms
            out = s.step(self.state, event, self.ctx())
            self.state = out.state
            self.last = out.bodies
            self.bodies.extend(out.bodies)
        return self

    @property
    def message(self) -> str | None:
        return None if self.state.message is None else self.state.message.key


IN = inputs.BadgeTapped(badge="B1001")
OFFICER = inputs.BadgeTapped(badge="B9007")


def test_inmate_badge_shows_their_screen_and_records_nothing() -> None:
    """A known inmate's badge opens their screen; identifying alone writes no record."""
    run = Run()(IN)
    assert run.state.screen is s.Screen.INMATE
    assert run.state.person == "1001"
    assert run.bodies == []


def test_person_qr_code_identifies_like_a_badge_and_check_in_records_method_qr() -> None:
    """Scanning a person code opens the inmate's screen and a check-in from it says method qr."""
    run = Run()(inputs.PersonCodeScanned(person="1002"), inputs.CheckInPressed())
    assert run.bodies == [CheckIn(person="1002", line=LINE, day=DAY, method="qr")]
    assert run.message == "checked_in"


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (inputs.BadgeTapped(badge="NOPE"), "unknown_badge"),
        (inputs.BadgeTapped(badge="B1003"), "other_line"),
        (inputs.PersonCodeScanned(person="9999"), "unknown_badge"),
        (inputs.BadCode(code="hello"), "code_unreadable"),
        (inputs.TicketScanned(product="P1", step="S2", bundle="X1", units=5), "identify_first"),
        (inputs.CheckInPressed(), "identify_first"),
    ],
)
def test_errors_on_the_idle_screen_change_nothing(event: inputs.Input, message: str) -> None:
    """Unknown badges, another line's people, unreadable codes and early actions only show a message."""
    run = Run()(event)
    assert run.state.screen is s.Screen.IDLE
    assert run.message == message
    assert run.state.message is not None
    assert not run.state.message.ok
    assert run.bodies == []


def test_without_a_plan_for_this_line_nobody_is_identified() -> None:
    """A plan of another line (or none) identifies nobody: the kiosk says it has no plan."""
    run = Run()
    run.plan = make_plan(line="L9")
    run(IN)
    assert (run.state.screen, run.message) == (s.Screen.IDLE, "no_plan")


def test_check_in_then_second_check_in_is_refused_and_check_out_works() -> None:
    """A second check-in is refused with a message and no record; check-out then records."""
    run = Run()(IN, inputs.CheckInPressed())
    assert run.bodies == [CheckIn(person="1001", line=LINE, day=DAY, method="badge")]
    run(IN, inputs.CheckInPressed())
    assert run.message == "already_checked_in"
    assert len(run.bodies) == 1
    run(inputs.CheckOutPressed())
    assert run.bodies[-1] == CheckOut(person="1001", line=LINE, day=DAY, method="badge")
    run(inputs.CheckOutPressed())
    assert run.message == "not_checked_in"
    assert len(run.bodies) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not_a_number"),
        ("12a", "not_a_number"),
        ("-5", "not_a_number"),
        ("１２", "not_a_number"),
        ("0", "count_zero"),
        ("2001", "count_too_large"),
    ],
)
def test_bad_keypad_counts_are_refused(text: str, message: str) -> None:
    """A count that is not a whole number, zero or over the configured limit records nothing."""
    run = Run()(IN, inputs.CheckInPressed(), inputs.UnitsEntered(text=text))
    assert run.message == message
    assert len(run.bodies) == 1


def test_keypad_count_is_recorded_and_adds_to_units_so_far() -> None:
    """Units typed on the keypad become a manual unit count of the person's product and step."""
    run = Run()(
        IN, inputs.CheckInPressed(), inputs.UnitsEntered(text="40"), inputs.UnitsEntered(text=" 2000 ")
    )
    assert run.bodies[1] == UnitCount(
        person="1001", line=LINE, day=DAY, product="P1", step="S2", units=40, source="manual"
    )
    assert run.message == "units_saved"
    person = s.find_person(run.plan, "1001")
    assert person is not None
    assert s.person_status(person, run.records, KIOSK, DAY).units == 2040


def test_counting_requires_check_in() -> None:
    """Units cannot be reported by someone not checked in."""
    run = Run()(IN, inputs.UnitsEntered(text="5"))
    assert run.message == "check_in_first"
    assert run.bodies == []


def test_bundle_ticket_counts_once_and_only_for_the_persons_step() -> None:
    """A ticket of the person's step counts its units once; another step's or a repeat is refused."""
    ticket = inputs.TicketScanned(product="P1", step="S2", bundle="B000123", units=20)
    run = Run()(IN, inputs.CheckInPressed(), ticket)
    assert run.bodies[-1] == UnitCount(
        person="1001", line=LINE, day=DAY, product="P1", step="S2", units=20, source="ticket", ref="B000123"
    )
    run(ticket)
    assert run.message == "ticket_already_counted"
    run(inputs.TicketScanned(product="P1", step="S3", bundle="B000124", units=20))
    assert run.message == "ticket_other_step"
    run(inputs.TicketScanned(product="P2", step="S2", bundle="B000125", units=20))
    assert run.message == "ticket_other_step"
    assert len(run.bodies) == 2


def test_confirm_yesterday_once() -> None:
    """Confirming yesterday records it for yesterday's day; a second answer is refused."""
    run = Run()(IN, inputs.ConfirmPressed())
    assert run.bodies == [Confirm(person="1001", day=YESTERDAY)]
    run(inputs.DisputePressed(reason="count_wrong"))
    assert run.message == "already_answered"
    assert len(run.bodies) == 1


def test_dispute_needs_a_known_reason_and_a_yesterday() -> None:
    """A dispute names one of the reasons; someone with no yesterday has nothing to answer."""
    run = Run()(IN, inputs.DisputePressed(reason="bogus"))
    assert run.message == "choose_reason"
    run(inputs.DisputePressed(reason="quota_wrong"), inputs.YesPressed())
    assert run.bodies == [Dispute(person="1001", day=YESTERDAY, reason="quota_wrong")]
    run(inputs.BadgeTapped(badge="B1002"), inputs.ConfirmPressed())
    assert run.message == "nothing_to_confirm"


def test_officer_actions_are_refused_on_an_inmate_screen_and_vice_versa() -> None:
    """An inmate cannot enter the warehoused count; an officer cannot report units as himself."""
    run = Run()(IN, inputs.WarehousedEntered(text="100"))
    assert run.message == "officer_only"
    run(OFFICER, inputs.UnitsEntered(text="5"))
    assert run.message == "inmate_only"
    assert run.bodies == []


def test_officer_warehoused_excuse_and_countersign() -> None:
    """The officer's entries become records naming the officer; a second countersign is refused."""
    run = Run()(OFFICER)
    assert run.state.screen is s.Screen.OFFICER
    run(inputs.WarehousedEntered(text="350"))
    assert run.bodies[-1] == WarehousedCount(line=LINE, product="P1", day=DAY, units=350, officer="O7")
    run(inputs.WarehousedEntered(text="lots"))
    assert run.message == "not_a_number"
    run(inputs.ExcuseEntered(person="1002", minutes="120", reason="medical"))
    assert run.bodies[-1] == ExcusedAbsence(
        person="1002", day=DAY, minutes=120, reason="medical", officer="O7"
    )
    run(inputs.ExcuseEntered(person="1002", minutes="2000", reason="medical"))
    assert run.message == "minutes_invalid"
    run(inputs.ExcuseEntered(person="O7", minutes="10", reason="medical"))
    assert run.message == "choose_person"
    run(inputs.CountersignPressed(), inputs.YesPressed())
    assert run.bodies[-1] == Countersign(officer="O7", line=LINE, day=DAY)
    run(inputs.CountersignPressed())
    assert run.message == "already_countersigned"
    assert len(run.bodies) == 3


def test_officer_checks_in_a_person_without_badge_as_witness() -> None:
    """An officer checks an inmate in and out; the records name the officer as witness."""
    run = Run()(OFFICER, inputs.OfficerCheckPressed(person="1002", check_in=True))
    assert run.bodies == [CheckIn(person="1002", line=LINE, day=DAY, method="officer", witness="O7")]
    run(inputs.OfficerCheckPressed(person="1002", check_in=True))
    assert run.message == "already_checked_in"
    run(inputs.OfficerCheckPressed(person="1002", check_in=False))
    assert run.bodies[-1] == CheckOut(person="1002", line=LINE, day=DAY, method="officer", witness="O7")
    statuses = {st.person.id: st.checked_in for st in s.roster(run.ctx())}
    assert statuses == {"1001": False, "1002": False}  # 1003 has no post on this line today


def test_correction_references_the_original_and_needs_a_reason() -> None:
    """A correction is a new record naming the original's seq and hash; the original stays."""
    run = Run()(IN, inputs.CheckInPressed(), inputs.UnitsEntered(text="50"), OFFICER)
    original = run.records[1]
    run(inputs.CorrectionEntered(ref_seq=2, units="45", reason="  "))
    assert run.message == "reason_required"
    run(inputs.CorrectionEntered(ref_seq=1, units="45", reason="typo"))
    assert run.message == "choose_count"
    for bad in ("多报\x85了", "多报\x9b2J", "多报\x7f", "多报\x1b", "多" * 501):
        run(inputs.CorrectionEntered(ref_seq=2, units="45", reason=bad))
        assert run.message == "reason_invalid", bad  # told, not signed: the hub would refuse it
    assert not any(isinstance(b, Correction) for b in run.bodies)
    run(inputs.CorrectionEntered(ref_seq=2, units="45", reason="多报了5件"))
    assert run.bodies[-1] == Correction(
        ref_kiosk=KIOSK,
        ref_seq=2,
        ref_hash=record_hash(original.canonical_bytes()),
        officer="O7",
        reason="多报了5件",
        values={"units": 45},
    )
    assert run.bodies[1] == original.body
    entries = s.count_entries(run.records, KIOSK, DAY)
    assert [(e.seq, e.units) for e in entries] == [(2, 45)]
    assert s.line_progress(run.ctx()) == (45, 201)  # quotas 120 and 80.5 -> 81 whole pieces


def test_screen_returns_to_idle_after_idle_seconds() -> None:
    """With no input for the configured idle time, the inmate's screen goes back to idle."""
    run = Run(idle_seconds=20)(IN)
    run(inputs.Tick(), advance_ms=19_000)
    assert run.state.screen is s.Screen.INMATE
    run(inputs.Tick(), advance_ms=1_000)
    assert run.state.screen is s.Screen.IDLE
    assert run.state.person is None


def test_idle_message_fades() -> None:
    """An error shown on the idle screen disappears after a few seconds."""
    run = Run()(inputs.BadgeTapped(badge="NOPE"))
    run(inputs.Tick(), advance_ms=s.MESSAGE_SECONDS * 1000)
    assert run.state.message is None


def test_done_returns_to_idle() -> None:
    """The done button leaves the person's screen at once."""
    run = Run()(IN, inputs.DonePressed())
    assert run.state == s.State(last_ms=run.now)


def test_every_message_the_machine_can_show_has_chinese_and_english_text() -> None:
    """Each message key the session returns, and each choice it offers, is in the translation table."""
    source = inspect.getsource(s)
    call = r'_(?:error|ok)\(\s*(?:state|idle|State\(last_ms=ctx\.now_ms\)),\s*ctx,\s*"(\w+)"'
    keys = set(re.findall(call, source))
    keys |= {"not_a_number", "count_zero", "count_too_large", "storage_full", "store_error"}
    assert len(keys) > 25
    for key in sorted(keys):
        for lang in ("zh", "en"):
            assert i18n.t(f"msg.{key}", lang) != f"msg.{key}", key
    for reason in s.DISPUTE_REASONS:
        assert f"reason.{reason}" in texts.TEXTS
    assert not [k for k, v in texts.TEXTS.items() if not v.get("en")]


def test_bundle_id_the_protocol_cannot_carry_is_refused() -> None:
    """A ticket whose bundle id is not a protocol id (e.g. with '/') is refused, never recorded."""
    run = Run()(
        IN, inputs.CheckInPressed(), inputs.TicketScanned(product="P1", step="S2", bundle="B/001", units=5)
    )
    assert run.message == "code_unreadable"
    assert len(run.bodies) == 1
