"""The kiosk's interaction state machine: pure, no I/O, no clock.

`step(state, event, ctx)` takes what is on screen, one input (`kiosk.inputs`: a badge, a scan, a
button, a keypad entry, a tick of the clock) and the facts it may need (the line plan, the records
of today and of the days being confirmed, the limits, the time as a number) and returns the next
screen state and the record bodies to append. The caller appends them *before* it shows the new
state; if the store refuses (disk full) it keeps the old state and shows `storage_full` instead, so
an OK on screen always means the record is on disk.

An input that is wrong (a second check-in, a count that is not a number or is implausibly large, a
ticket for another step) returns the same screen with an error message and no bodies: nothing
changes. A badge or code that identifies nobody here (unknown, another line's, no plan yet) is the
exception: it returns to the idle screen with its message, so the previous person's screen and
buttons never stay open for whoever tapped next.

Acts that cannot be taken back by the person who did them (a dispute, a countersign, the
confirmation of a published monthly result or a request for its review) wait in `State.pending` for
确认 (`YesPressed`) or 取消 (`NoPressed`); only 确认 records them.

The inmate's month (公示): while the plan says his monthly result is published and today is in its
window, he may confirm it (`month_confirm`) or ask for a review (`month_review`) once, whichever comes
first (`month_state`: the plan's state, or what this kiosk recorded since).

Pieces are whole on the kiosk (`whole_done`, `whole_quota`), rounded half up by the one rule the wall
board uses too (`floorledger.base.pieces`), so an inmate reads the same numbers at his kiosk and on
the wall.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from floorledger.base.pieces import whole_pieces_of_text
from kiosk.inputs import (
    BadCode,
    BadgeTapped,
    CheckInPressed,
    CheckOutPressed,
    ConfirmPressed,
    CorrectionEntered,
    CountersignPressed,
    CounterUnits,
    DisputePressed,
    DonePressed,
    ExcuseEntered,
    GradePressed,
    Input,
    MonthConfirmPressed,
    MonthReviewPressed,
    NoPressed,
    OfficerCheckPressed,
    PersonCodeScanned,
    RejectEntered,
    Tick,
    TicketScanned,
    UnitsEntered,
    WarehousedEntered,
    YesPressed,
)
from protocol.errors import Malformed
from protocol.fields import MAX_TEXT, REFUSED_CHARS_RE, clean_text, ident
from protocol.messages import LinePlan, PlanPerson
from protocol.records import (
    EXCUSE_REASONS,
    REJECT_REASONS,
    Body,
    CheckIn,
    CheckOut,
    Confirm,
    Correction,
    Countersign,
    DeviceFault,
    Dispute,
    ExcusedAbsence,
    Grade,
    MonthConfirm,
    MonthReview,
    Record,
    Reject,
    UnitCount,
    WarehousedCount,
    record_hash,
)

DISPUTE_REASONS = ("count_wrong", "quota_wrong", "attendance_wrong", "other")
MONTH_REVIEW_REASONS = (
    "points_wrong",
    "days_wrong",
    "output_wrong",
    "grade_wrong",
    "deduction_wrong",
    "other",
)
MESSAGE_SECONDS = 6  # an idle-screen message (e.g. "unknown badge") fades after this


class Screen(enum.Enum):
    IDLE = "idle"
    INMATE = "inmate"
    OFFICER = "officer"


@dataclass(frozen=True, slots=True, kw_only=True)
class Limits:
    """Plausibility limits and timers from the kiosk config."""

    max_units_per_entry: int = 2000
    max_warehoused_units: int = 100_000
    idle_seconds: float = 20.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """A text key of kiosk.texts with its values; `ok` chooses the green or the red flash and tone."""

    key: str
    ok: bool
    values: tuple[tuple[str, str], ...] = ()

    def params(self) -> dict[str, str]:
        return dict(self.values)


@dataclass(frozen=True, slots=True, kw_only=True)
class Pending:
    """An act chosen but not yet confirmed: a dispute (its reason and explanation) or a countersign."""

    kind: str  # "dispute" | "countersign" | "month_confirm" | "month_review"
    reason: str = ""
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    screen: Screen = Screen.IDLE
    person: str | None = None  # the inmate or officer on screen
    method: str = "badge"  # how they identified: badge or qr (recorded on check-in/out)
    message: Message | None = None
    last_ms: int = 0  # monotonic ms of the last input, for the return to idle
    message_ms: int = 0
    pending: Pending | None = None  # waiting for 确认 or 取消
    ticket: TicketScanned | None = None  # a bundle ticket an officer scanned: rejects of it wait


@dataclass(frozen=True, slots=True, kw_only=True)
class Context:
    """What the machine may look at. `records` are today's records and those of yesterday's days."""

    kiosk: str
    line: str
    day: str
    now_ms: int
    plan: LinePlan | None
    records: Sequence[Record]
    limits: Limits = Limits()


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    state: State
    bodies: tuple[Body, ...] = ()


# ---- views: what the screens show, derived from the plan and the records ------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonStatus:
    person: PlanPerson
    checked_in: bool
    units: int
    answered: str | None  # "confirm" or "dispute" once yesterday's record was answered


@dataclass(frozen=True, slots=True, kw_only=True)
class CountEntry:
    """One unit count of today, as an officer may correct it (units after any correction)."""

    seq: int
    hash: str
    person: str
    units: int
    source: str
    ref: str | None


def is_ident(text: str) -> bool:
    try:
        ident(text, "id")
    except Malformed:
        return False
    return True


def usable_plan(ctx: Context) -> LinePlan | None:
    plan = ctx.plan
    return plan if plan is not None and plan.line == ctx.line else None


def find_person(plan: LinePlan | None, person_id: str) -> PlanPerson | None:
    if plan is None:
        return None
    return next((p for p in plan.people if p.id == person_id), None)


def find_badge(plan: LinePlan | None, badge: str) -> PlanPerson | None:
    if plan is None:
        return None
    return next((p for p in plan.people if badge in p.badges), None)


def _corrected_units(records: Iterable[Record], kiosk: str) -> dict[int, int]:
    latest: dict[int, int] = {}
    for rec in records:
        body = rec.body
        if isinstance(body, Correction) and body.ref_kiosk == kiosk:
            units = body.values.get("units")
            if isinstance(units, int):
                latest[body.ref_seq] = units
    return latest


def count_entries(records: Sequence[Record], kiosk: str, day: str) -> list[CountEntry]:
    corrected = _corrected_units(records, kiosk)
    out = []
    for rec in records:
        body = rec.body
        if isinstance(body, UnitCount) and body.day == day and rec.kiosk == kiosk:
            out.append(
                CountEntry(
                    seq=rec.seq,
                    hash=record_hash(rec.canonical_bytes()),
                    person=body.person,
                    units=corrected.get(rec.seq, body.units),
                    source=body.source,
                    ref=body.ref,
                )
            )
    return out


def person_status(person: PlanPerson, records: Sequence[Record], kiosk: str, day: str) -> PersonStatus:
    checked_in = False
    answered: str | None = None
    yesterday = person.yesterday.day if person.yesterday is not None else None
    for rec in records:
        body = rec.body
        if isinstance(body, CheckIn | CheckOut) and body.person == person.id and body.day == day:
            checked_in = isinstance(body, CheckIn)
        elif isinstance(body, Confirm | Dispute) and body.person == person.id and body.day == yesterday:
            answered = body.TYPE
    units = sum(e.units for e in count_entries(records, kiosk, day) if e.person == person.id)
    return PersonStatus(person=person, checked_in=checked_in, units=units, answered=answered)


def roster(ctx: Context) -> list[PersonStatus]:
    """This line's inmates of today: those with a post here (the plan also lists the area's others,
    only so that their badge is answered with "other line")."""
    plan = usable_plan(ctx)
    if plan is None:
        return []
    return [
        person_status(p, ctx.records, ctx.kiosk, ctx.day)
        for p in plan.people
        if p.role == "inmate" and (p.step is not None or p.post is not None)
    ]


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def whole_done(text: str | None) -> int | None:
    """A done figure in whole pieces, half up, as the wall board shows it (376.96 -> 377)."""
    return whole_pieces_of_text(text)


def whole_quota(text: str | None) -> int | None:
    """A quota in whole pieces, half up, as the wall board shows it (80.5 -> 81, 80.4 -> 80)."""
    return whole_pieces_of_text(text)


def line_progress(ctx: Context) -> tuple[int, int]:
    """Units counted today on this kiosk and the sum of today's quotas, each in whole pieces as the
    inmates see them (`whole_quota`)."""
    people = roster(ctx)
    quota = sum(whole_quota(st.person.quota_units) or 0 for st in people)
    return sum(st.units for st in people), quota


INMATE_ACTIONS = ("check_in", "check_out", "report", "done")


def inmate_actions(status: PersonStatus) -> tuple[str, ...]:
    """The buttons that make sense now: 签到 before a check-in; 签退 and 报数 while checked in; after
    签退 no 报数 (a count needs a check-in) but 签到 again (back from a break). 完成 always. A rated
    post (rule book v2) is graded by an officer, never counted: no 报数."""
    if status.checked_in:
        return ("check_out", "done") if status.person.post is not None else ("check_out", "report", "done")
    return ("check_in", "done")


def may_answer(status: PersonStatus) -> bool:
    """Whether yesterday's record waits for 确认 or 申辩."""
    return status.person.yesterday is not None and status.answered is None


def month_state(person: PlanPerson, records: Sequence[Record]) -> str | None:
    """His published month's state (`protocol.messages.MONTH_STATES`), None when nothing is published
    for him: the plan's, unless this kiosk recorded his confirmation or request since it was built."""
    published = person.published
    if published is None:
        return None
    if published.status == "open":
        for rec in records:
            body = rec.body
            mine = isinstance(body, MonthConfirm | MonthReview) and body.person == person.id
            if mine and body.month == published.month:  # type: ignore[union-attr]
                return "confirmed" if isinstance(body, MonthConfirm) else "review"
    return published.status


def may_answer_month(person: PlanPerson, records: Sequence[Record], day: str) -> bool:
    """Whether he may still confirm his published month or ask for its review today: once, in the
    window, and only with points to confirm (an inmate not assessed this month has none)."""
    published = person.published
    return (
        published is not None
        and published.points is not None
        and published.valid_from <= day <= published.until
        and month_state(person, records) == "open"
    )


def warehoused_today(ctx: Context) -> int:
    """Warehoused units already booked today for the plan's product on this line (entries add up,
    docs/rules.md), so an officer sees them before adding more."""
    plan = usable_plan(ctx)
    product = None if plan is None else plan.product
    return sum(
        r.body.units
        for r in ctx.records
        if isinstance(r.body, WarehousedCount)
        and r.body.line == ctx.line
        and r.body.day == ctx.day
        and r.body.product == product
    )


def countersigned(ctx: Context, officer: str) -> bool:
    return any(
        isinstance(r.body, Countersign)
        and r.body.officer == officer
        and r.body.line == ctx.line
        and r.body.day == ctx.day
        for r in ctx.records
    )


# ---- the machine ----------------------------------------------------------------------------------


def step(state: State, event: Input, ctx: Context) -> Outcome:
    if isinstance(event, Tick):
        return Outcome(state=_tick(state, ctx))
    if isinstance(event, CounterUnits):
        # A machine counting is not a touch: the screen, its message and its idle timer stay as they are.
        return Outcome(state=state, bodies=counter_bodies(event, ctx))
    state = dataclasses.replace(state, last_ms=ctx.now_ms)
    if state.pending is not None and not isinstance(event, YesPressed | NoPressed):
        state = dataclasses.replace(state, pending=None)  # anything else abandons the confirmation
    if state.ticket is not None and not isinstance(event, RejectEntered | TicketScanned):
        state = dataclasses.replace(state, ticket=None)  # likewise the scanned ticket's reject
    match event:
        case BadgeTapped(badge=badge):
            return _identify(state, ctx, find_badge(usable_plan(ctx), badge), "badge")
        case PersonCodeScanned(person=person_id):
            return _identify(state, ctx, find_person(usable_plan(ctx), person_id), "qr")
        case BadCode(code=code, ticket=ticket):
            # A keyboard-wedge badge reader types the badge number like any other code.
            badge_holder = find_badge(usable_plan(ctx), code)
            if badge_holder is not None:
                return _identify(state, ctx, badge_holder, "badge")
            if ticket and state.screen is Screen.INMATE:
                # A torn or misprinted bundle ticket: the inmate on screen scanned it, he stays.
                return _error(state, ctx, "code_unreadable")
            # Anything else may be a badge nobody here knows: whoever holds it is not the person
            # on screen, so that screen closes.
            return _error(State(last_ms=ctx.now_ms), ctx, "code_unreadable")
        case DonePressed():
            return Outcome(state=State(last_ms=ctx.now_ms))
        case NoPressed():
            return Outcome(state=dataclasses.replace(state, pending=None, message=None))
        case YesPressed():
            return _confirm_pending(state, ctx)
    if state.screen is Screen.INMATE:
        return _inmate(state, event, ctx)
    if state.screen is Screen.OFFICER:
        return _officer(state, event, ctx)
    return _error(state, ctx, "identify_first")


def _tick(state: State, ctx: Context) -> State:
    if state.screen is not Screen.IDLE and ctx.now_ms - state.last_ms >= ctx.limits.idle_seconds * 1000:
        return State(last_ms=ctx.now_ms)
    if state.message is not None and ctx.now_ms - state.message_ms >= MESSAGE_SECONDS * 1000:
        return dataclasses.replace(state, message=None)
    return state


def _msg(state: State, ctx: Context, key: str, ok: bool, **values: object) -> State:
    message = Message(key=key, ok=ok, values=tuple((k, str(v)) for k, v in values.items()))
    return dataclasses.replace(state, message=message, message_ms=ctx.now_ms)


def _error(state: State, ctx: Context, key: str, **values: object) -> Outcome:
    return Outcome(state=_msg(state, ctx, key, False, **values))


def _ok(state: State, ctx: Context, key: str, bodies: tuple[Body, ...], **values: object) -> Outcome:
    return Outcome(state=_msg(state, ctx, key, True, **values), bodies=bodies)


def _identify(state: State, ctx: Context, person: PlanPerson | None, method: str) -> Outcome:
    # Whoever tapped is not the person on screen: a refusal also closes the previous screen.
    idle = State(last_ms=ctx.now_ms)
    if usable_plan(ctx) is None:
        return _error(idle, ctx, "no_plan")
    if person is None:
        return _error(idle, ctx, "unknown_badge")
    if person.role == "inmate" and person.step is None and person.post is None:
        # The plan lists them but gives them no post on this line today: they belong elsewhere.
        return _error(idle, ctx, "other_line", name=person.name)
    screen = Screen.OFFICER if person.role == "officer" else Screen.INMATE
    return Outcome(state=State(screen=screen, person=person.id, method=method, last_ms=ctx.now_ms))


def parse_units(text: str, limit: int, *, allow_zero: bool = False) -> tuple[int | None, str | None]:
    """The number typed on a keypad, or the key of the error message."""
    text = text.strip()
    if not text or not text.isascii() or not text.isdigit():
        return None, "not_a_number"
    value = int(text)
    if value == 0 and not allow_zero:
        return None, "count_zero"
    if value > limit:
        return None, "count_too_large"
    return value, None


def _inmate(state: State, event: Input, ctx: Context) -> Outcome:
    person = find_person(usable_plan(ctx), state.person or "")
    if person is None:  # the plan changed under us: start over
        return _error(State(last_ms=ctx.now_ms), ctx, "unknown_badge")
    status = person_status(person, ctx.records, ctx.kiosk, ctx.day)
    limit = ctx.limits.max_units_per_entry
    match event:
        case CheckInPressed():
            if status.checked_in:
                return _error(state, ctx, "already_checked_in")
            body = CheckIn(person=person.id, line=ctx.line, day=ctx.day, method=state.method)
            return _ok(state, ctx, "checked_in", (body,))
        case CheckOutPressed():
            if not status.checked_in:
                return _error(state, ctx, "not_checked_in")
            out = CheckOut(person=person.id, line=ctx.line, day=ctx.day, method=state.method)
            return _ok(state, ctx, "checked_out", (out,))
        case UnitsEntered() if person.post is not None:
            return _error(state, ctx, "rated_no_count")
        case UnitsEntered(text=text):
            units, problem = parse_units(text, limit)
            if problem is not None or units is None:
                return _error(state, ctx, problem or "not_a_number", limit=limit)
            if not status.checked_in:
                return _error(state, ctx, "check_in_first")
            return _ok(state, ctx, "units_saved", (_count(person, ctx, units, "manual", None),), units=units)
        case TicketScanned(product=product, step=step_id, bundle=bundle, units=units):
            if not is_ident(bundle):  # a bundle id the record cannot carry (e.g. with "/")
                return _error(state, ctx, "code_unreadable")
            if product != person.product or step_id != person.step:
                return _error(state, ctx, "ticket_other_step")
            if units > limit:
                return _error(state, ctx, "count_too_large", limit=limit)
            if any(
                e.ref == bundle and e.source == "ticket"
                for e in count_entries(ctx.records, ctx.kiosk, ctx.day)
            ):
                return _error(state, ctx, "ticket_already_counted", bundle=bundle)
            if not status.checked_in:
                return _error(state, ctx, "check_in_first")
            return _ok(
                state, ctx, "units_saved", (_count(person, ctx, units, "ticket", bundle),), units=units
            )
        case ConfirmPressed() | DisputePressed():
            if person.yesterday is None:
                return _error(state, ctx, "nothing_to_confirm")
            if status.answered is not None:
                return _error(state, ctx, "already_answered")
            day = person.yesterday.day
            if isinstance(event, ConfirmPressed):
                return _ok(state, ctx, "confirmed", (Confirm(person=person.id, day=day),))
            if event.reason not in DISPUTE_REASONS:
                return _error(state, ctx, "choose_reason")
            text = event.text.strip()
            if event.reason == "other" and not text:
                return _error(state, ctx, "explain_other")
            if len(text) > MAX_TEXT or REFUSED_CHARS_RE.search(text):
                return _error(state, ctx, "invalid_entry")
            pending = Pending(kind="dispute", reason=event.reason, text=text)
            return Outcome(state=dataclasses.replace(state, pending=pending, message=None))
        case MonthConfirmPressed() | MonthReviewPressed():
            if not may_answer_month(person, ctx.records, ctx.day):
                return _error(state, ctx, "month_closed")
            if isinstance(event, MonthConfirmPressed):
                waiting = Pending(kind="month_confirm")
                return Outcome(state=dataclasses.replace(state, pending=waiting, message=None))
            if event.reason not in MONTH_REVIEW_REASONS:
                return _error(state, ctx, "choose_reason")
            text = event.text.strip()
            if event.reason == "other" and not text:
                return _error(state, ctx, "explain_other")
            if len(text) > MAX_TEXT or REFUSED_CHARS_RE.search(text):
                return _error(state, ctx, "invalid_entry")
            waiting = Pending(kind="month_review", reason=event.reason, text=text)
            return Outcome(state=dataclasses.replace(state, pending=waiting, message=None))
    return _error(state, ctx, "officer_only")


def _confirm_pending(state: State, ctx: Context) -> Outcome:
    """确认 pressed: record the act that waited for it (its checks are made again: records may have
    arrived meanwhile)."""
    pending = state.pending
    state = dataclasses.replace(state, pending=None)
    if pending is None:
        return _error(state, ctx, "nothing_pending")
    person = find_person(usable_plan(ctx), state.person or "")
    if person is None:
        return _error(State(last_ms=ctx.now_ms), ctx, "unknown_badge")
    if pending.kind == "dispute" and state.screen is Screen.INMATE:
        status = person_status(person, ctx.records, ctx.kiosk, ctx.day)
        if person.yesterday is None:
            return _error(state, ctx, "nothing_to_confirm")
        if status.answered is not None:
            return _error(state, ctx, "already_answered")
        body = Dispute(person=person.id, day=person.yesterday.day, reason=pending.reason, text=pending.text)
        return _ok(state, ctx, "disputed", (body,))
    if pending.kind in ("month_confirm", "month_review") and state.screen is Screen.INMATE:
        published = person.published
        if (
            published is None
            or published.points is None
            or not may_answer_month(person, ctx.records, ctx.day)
        ):
            return _error(state, ctx, "month_closed")
        if pending.kind == "month_confirm":
            confirm = MonthConfirm(
                person=person.id, month=published.month, points=published.points, day=ctx.day
            )
            return _ok(state, ctx, "month_confirmed", (confirm,))
        review = MonthReview(
            person=person.id,
            month=published.month,
            points=published.points,
            day=ctx.day,
            reason=pending.reason,
            text=pending.text,
        )
        return _ok(state, ctx, "month_review_sent", (review,))
    if pending.kind == "countersign" and state.screen is Screen.OFFICER:
        if countersigned(ctx, person.id):
            return _error(state, ctx, "already_countersigned")
        return _ok(state, ctx, "countersigned", (Countersign(officer=person.id, line=ctx.line, day=ctx.day),))
    return _error(state, ctx, "nothing_pending")


def _count(person: PlanPerson, ctx: Context, units: int, source: str, ref: str | None) -> UnitCount:
    return UnitCount(
        person=person.id,
        line=ctx.line,
        day=ctx.day,
        product=person.product or "",
        step=person.step or "",
        units=units,
        source=source,
        ref=ref,
    )


def counter_bodies(event: CounterUnits, ctx: Context) -> tuple[Body, ...]:
    """The records for a counter's units: unit counts of the one checked-in holder of the step, or
    one `unattributed_units` device fault saying why nobody could be credited.

    A counter counts a workstation, not a person, so it is credited only when exactly one inmate
    of today's plan holds that step and is checked in. Anyone else (nobody, several people sharing
    the step, a holder not checked in) would be a guess: the units go to the officers' daily review
    as a fault instead, where they are entered by hand or corrected. A count above
    `max_units_per_entry` is split, not refused: a device count is evidence (e.g. units made while
    the kiosk was down), not a typing error.
    """
    if event.units <= 0:
        return ()
    holder, reason = _step_holder(event.step, ctx)
    if holder is None:
        detail = f"{event.units} units at step {event.step}: {reason}"
        return (DeviceFault(device=event.device, fault="unattributed_units", detail=clean_text(detail)),)
    limit = ctx.limits.max_units_per_entry
    plan = usable_plan(ctx)
    product = holder.product or (plan.product if plan is not None else None) or ""
    bodies: list[Body] = []
    left = event.units
    while left > 0:
        units = min(left, limit)
        bodies.append(
            UnitCount(
                person=holder.id,
                line=ctx.line,
                day=ctx.day,
                product=product,
                step=event.step,
                units=units,
                source="device",
                ref=event.device,
            )
        )
        left -= units
    return tuple(bodies)


def _step_holder(step_id: str, ctx: Context) -> tuple[PlanPerson | None, str]:
    """The one checked-in inmate holding `step_id` today, or None and why not."""
    plan = usable_plan(ctx)
    if plan is None:
        return None, "no line plan"
    holders = [p for p in plan.people if p.role == "inmate" and p.step == step_id]
    if not holders:
        return None, "nobody holds this step today"
    if len(holders) > 1:
        return None, f"{len(holders)} people hold this step ({', '.join(p.id for p in holders)})"
    (holder,) = holders
    if not (holder.product or plan.product):
        return None, f"the plan names no product for {holder.id}"
    if not person_status(holder, ctx.records, ctx.kiosk, ctx.day).checked_in:
        return None, f"{holder.id} is not checked in"
    return holder, ""


def _officer(state: State, event: Input, ctx: Context) -> Outcome:
    plan = usable_plan(ctx)
    officer = state.person or ""
    match event:
        case WarehousedEntered(text=text):
            limit = ctx.limits.max_warehoused_units
            units, problem = parse_units(text, limit, allow_zero=True)
            if problem is not None or units is None:
                return _error(state, ctx, problem or "not_a_number", limit=limit)
            if plan is None or plan.product is None:
                return _error(state, ctx, "no_product")
            body = WarehousedCount(
                line=ctx.line, product=plan.product, day=ctx.day, units=units, officer=officer
            )
            return _ok(state, ctx, "warehoused_saved", (body,), units=units)
        case ExcuseEntered(person=person_id, minutes=minutes, reason=reason):
            inmate = _inmate_of(plan, person_id)
            if inmate is None:
                return _error(state, ctx, "choose_person")
            value, problem = parse_units(minutes, 24 * 60)
            if problem is not None or value is None:
                return _error(state, ctx, "minutes_invalid")
            if reason not in EXCUSE_REASONS:
                return _error(state, ctx, "choose_reason")
            excuse = ExcusedAbsence(
                person=inmate.id, day=ctx.day, minutes=value, reason=reason, officer=officer
            )
            return _ok(state, ctx, "excuse_saved", (excuse,), name=inmate.name)
        case CorrectionEntered(ref_seq=ref_seq, units=text, reason=reason):
            entry = next(
                (e for e in count_entries(ctx.records, ctx.kiosk, ctx.day) if e.seq == ref_seq), None
            )
            if entry is None:
                return _error(state, ctx, "choose_count")
            limit = ctx.limits.max_units_per_entry
            units, problem = parse_units(text, limit, allow_zero=True)
            if problem is not None or units is None:
                return _error(state, ctx, problem or "not_a_number", limit=limit)
            if not reason.strip():
                return _error(state, ctx, "reason_required")
            if len(reason.strip()) > MAX_TEXT or REFUSED_CHARS_RE.search(reason):
                # typed or pasted text the hub would refuse as malformed: say so, sign nothing
                return _error(state, ctx, "reason_invalid", max=MAX_TEXT)
            correction = Correction(
                ref_kiosk=ctx.kiosk,
                ref_seq=entry.seq,
                ref_hash=entry.hash,
                officer=officer,
                reason=reason.strip(),
                values={"units": units},
            )
            return _ok(state, ctx, "correction_saved", (correction,), before=entry.units, after=units)
        case OfficerCheckPressed(person=person_id, check_in=check_in):
            inmate = _inmate_of(plan, person_id)
            if inmate is None:
                return _error(state, ctx, "choose_person")
            status = person_status(inmate, ctx.records, ctx.kiosk, ctx.day)
            if check_in and status.checked_in:
                return _error(state, ctx, "already_checked_in")
            if not check_in and not status.checked_in:
                return _error(state, ctx, "not_checked_in")
            cls = CheckIn if check_in else CheckOut
            check = cls(person=inmate.id, line=ctx.line, day=ctx.day, method="officer", witness=officer)
            return _ok(state, ctx, "checked_in" if check_in else "checked_out", (check,))
        case GradePressed(person=person_id, day=day, grade=grade):
            return _grade(state, ctx, officer, person_id, day, grade)
        case TicketScanned(bundle=bundle):
            if not is_ident(bundle):
                return _error(state, ctx, "code_unreadable")
            if not ticket_makers(ctx, event):
                return _error(state, ctx, "ticket_nobody")
            scanned = dataclasses.replace(state, ticket=event)
            return Outcome(state=_msg(scanned, ctx, "ticket_for_reject", True, bundle=bundle))
        case RejectEntered(person=person_id, units=text, reason=reason):
            return _reject(state, ctx, officer, person_id, text, reason)
        case CountersignPressed():
            if countersigned(ctx, officer):
                return _error(state, ctx, "already_countersigned")
            waiting = Pending(kind="countersign")
            return Outcome(state=dataclasses.replace(state, pending=waiting, message=None))
    return _error(state, ctx, "inmate_only")


def _inmate_of(plan: LinePlan | None, person_id: str) -> PlanPerson | None:
    """An inmate with a post on this line today (an officer here acts for this line only)."""
    person = find_person(plan, person_id)
    if person is None or person.role != "inmate" or (person.step is None and person.post is None):
        return None
    return person


# ---- rule book v2 at the kiosk: grades of rated posts, rejects from a bundle ticket ----------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RatedStatus:
    """A rated inmate's day on the grading screen: the grade given so far (None: still missing)."""

    person: PlanPerson
    day: str
    grade: str | None
    post_name: str = ""  # the rated post he held that day


@dataclass(frozen=True, slots=True, kw_only=True)
class Maker:
    """Who a bundle ticket's rejects belong to: the inmate and the day of his work on its step."""

    person: PlanPerson
    day: str


def grading_days(ctx: Context) -> tuple[str, ...]:
    """The days an officer may grade here: today and the previous workday (`previous_day`)."""
    return (ctx.day, previous_day(usable_plan(ctx), ctx.day))


def previous_day(plan: LinePlan | None, today: str) -> str:
    """The line's previous workday: the plan's (the hub's: the day the board shows), else the latest
    day before today with a record in the plan, else the calendar day before."""
    if plan is not None and plan.previous_day is not None and plan.previous_day < today:
        return plan.previous_day
    earlier = sorted(
        {p.yesterday.day for p in (plan.people if plan else ()) if p.yesterday and p.yesterday.day < today}
    )
    if earlier:
        return earlier[-1]
    return (date.fromisoformat(today) - timedelta(days=1)).isoformat()


def given_grade(ctx: Context, person: PlanPerson, day: str) -> str | None:
    """The grade of `person`'s `day` as far as this kiosk knows: its own latest grade record, unless
    the plan is newer and says otherwise (a grade given on the dashboard since)."""
    plan = usable_plan(ctx)
    mine: tuple[int, str] | None = None
    for rec in ctx.records:
        body = rec.body
        if isinstance(body, Grade) and body.person == person.id and body.day == day:
            mine = (rec.wall_ms, body.grade)
    planned = dict(person.grades).get(day)
    if mine is None:
        return planned
    if planned is not None and plan is not None and plan.hub_ms > mine[0]:
        return planned
    return mine[1]


def rated_post(plan: LinePlan, person: PlanPerson, today: str, day: str) -> tuple[str, str] | None:
    """The rated post (code, name) `person` held on `day`, today or the previous workday: today's
    from his post (not while exempt), the previous day's from what the plan says he held then (a
    plan from before `previous_post` was sent: his post of today)."""
    if day == today:
        if person.post is None or person.exempt:
            return None
        return person.post, person.step_name or person.post
    if plan.previous_day is None:
        return None if person.post is None else (person.post, person.step_name or person.post)
    if person.previous_post is None:
        return None
    return person.previous_post, person.previous_post_name or person.previous_post


def rated_roster(ctx: Context, day: str) -> list[RatedStatus]:
    """This line's inmates on rated posts (the plan's) with their grade of `day`, missing ones first."""
    plan = usable_plan(ctx)
    if plan is None:
        return []
    held = [
        (p, post) for p in plan.people if p.role == "inmate" and (post := rated_post(plan, p, ctx.day, day))
    ]
    rows = [
        RatedStatus(person=p, day=day, grade=given_grade(ctx, p, day), post_name=post[1]) for p, post in held
    ]
    return sorted(rows, key=lambda r: (r.grade is not None, r.person.shown_number))


def ticket_makers(ctx: Context, ticket: TicketScanned) -> list[Maker]:
    """Who made the ticket's bundle: whoever counted this ticket at this kiosk (on the day he did),
    else whoever holds the ticket's step today."""
    plan = usable_plan(ctx)
    if plan is None:
        return []
    counted = [
        Maker(person=p, day=r.body.day)
        for r in ctx.records
        if isinstance(r.body, UnitCount)
        and r.body.source == "ticket"
        and r.body.ref == ticket.bundle
        and r.body.product == ticket.product
        and r.body.step == ticket.step
        and (p := find_person(plan, r.body.person)) is not None
    ]
    if counted:
        return counted[-1:]
    return [
        Maker(person=p, day=ctx.day)
        for p in plan.people
        if p.role == "inmate" and p.product == ticket.product and p.step == ticket.step
    ]


def _grade(state: State, ctx: Context, officer: str, person_id: str, day: str, grade: str) -> Outcome:
    plan = usable_plan(ctx)
    person = find_person(plan, person_id)
    if plan is None or person is None or person.role != "inmate":
        return _error(state, ctx, "not_rated")
    if not plan.grades:
        return _error(state, ctx, "no_grades")
    if day not in grading_days(ctx):
        return _error(state, ctx, "grade_day")
    post = rated_post(plan, person, ctx.day, day)
    if post is None:
        return _error(state, ctx, "not_rated")
    if grade not in plan.grades:
        return _error(state, ctx, "choose_grade")
    body = Grade(person=person.id, line=ctx.line, day=day, post=post[0], grade=grade, officer=officer)
    return _ok(state, ctx, "grade_saved", (body,), name=person.name, grade=grade)


def _reject(state: State, ctx: Context, officer: str, person_id: str, text: str, reason: str) -> Outcome:
    """A reject of the scanned ticket's maker (or, without a ticket, of the picked inmate's step today)."""
    ticket = state.ticket
    maker: Maker | None
    if ticket is not None:
        maker = next((m for m in ticket_makers(ctx, ticket) if m.person.id == person_id), None)
    else:
        person = _inmate_of(usable_plan(ctx), person_id)
        maker = None if person is None or person.step is None else Maker(person=person, day=ctx.day)
    if maker is None:
        return _error(state, ctx, "choose_person")
    limit = ctx.limits.max_units_per_entry
    units, problem = parse_units(text, limit)
    if problem is not None or units is None:
        return _error(state, ctx, problem or "not_a_number", limit=limit)
    if reason not in REJECT_REASONS:
        return _error(state, ctx, "choose_reason")
    plan = usable_plan(ctx)
    product = ticket.product if ticket else (maker.person.product or (plan.product if plan else None) or "")
    body = Reject(
        person=maker.person.id,
        line=ctx.line,
        day=maker.day,
        product=product,
        step=ticket.step if ticket else (maker.person.step or ""),
        units=units,
        reason=reason,
        officer=officer,
        ref=ticket.bundle if ticket else None,
    )
    done = dataclasses.replace(state, ticket=None)
    return _ok(done, ctx, "reject_saved", (body,), name=maker.person.name, units=units)
