"""What the kiosk's state machine (`kiosk.session.step`) takes in: one input at a time, from a
badge reader, a scanner, a unit counter, a button or keypad of the touchscreen, or the clock."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class BadgeTapped:
    badge: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonCodeScanned:
    person: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TicketScanned:
    product: str
    step: str
    bundle: str
    units: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BadCode:
    """A scanned code the kiosk cannot use (malformed ticket, someone else's barcode, a badge number
    typed by a keyboard-wedge reader that no plan knows)."""

    code: str
    ticket: bool = False  # it claims to be a bundle ticket (FLB1|...) but is malformed


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckInPressed:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOutPressed:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitsEntered:
    text: str  # as typed on the keypad: validated here


@dataclass(frozen=True, slots=True, kw_only=True)
class ConfirmPressed:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class DisputePressed:
    """A dispute reason chosen (and for 其他 the explanation picked on screen): the session then
    asks for 确认 before anything is recorded."""

    reason: str
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthConfirmPressed:
    """签名确认 of the published monthly result; asks for 确认 before anything is recorded."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthReviewPressed:
    """申请复核 of the published monthly result with a reason (and for 其他 what is wrong); asks for
    确认 before anything is recorded."""

    reason: str
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class YesPressed:
    """确认 on a confirmation step (a dispute, a countersign): record the act waiting for it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NoPressed:
    """取消 on a confirmation step: drop the act waiting for it, record nothing."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WarehousedEntered:
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExcuseEntered:
    person: str
    minutes: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CorrectionEntered:
    ref_seq: int
    units: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class OfficerCheckPressed:
    person: str
    check_in: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class GradePressed:
    """An officer's grade of a rated inmate's day (rule book v2), one tap on the grading screen."""

    person: str
    day: str
    grade: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RejectEntered:
    """Units found faulty at inspection: of the scanned ticket (`State.ticket`) or, without one, of
    the picked inmate's step today; `units` as typed on the keypad."""

    person: str
    units: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CountersignPressed:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class DonePressed:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class Tick:
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class CounterUnits:
    """A unit counter at the workstation of `step` (config `[counter_steps]`) counted `units`.

    It belongs to whoever holds that step today, never to the person on screen, and it changes
    nothing on screen (see `counter_bodies`).
    """

    device: str
    step: str
    units: int
    total: int | None = None  # the counter's reading after these units (saved to resume after a restart)


Input = (
    BadgeTapped
    | PersonCodeScanned
    | TicketScanned
    | BadCode
    | CheckInPressed
    | CheckOutPressed
    | UnitsEntered
    | ConfirmPressed
    | DisputePressed
    | MonthConfirmPressed
    | MonthReviewPressed
    | YesPressed
    | NoPressed
    | WarehousedEntered
    | ExcuseEntered
    | CorrectionEntered
    | OfficerCheckPressed
    | GradePressed
    | RejectEntered
    | CountersignPressed
    | DonePressed
    | Tick
    | CounterUnits
)
