"""Rule book version 2's capture on the dashboard (issue #14 items 3-4): daily grades of rated posts,
rejects and deductions with four eyes (docs/capture.md).

Rules (pure functions at the top, tested from tables):
- everything here belongs to a month computed under rule book v2, and nothing changes in a locked
  month (the area's last approval stands);
- an officer acts only on lines they may see (line officers their lines, area heads their area);
- a grade is one of the rule set's grades, for an inmate on a rated post that day, not a future day;
- a reject names an inmate's counted (product, step) of that day, whole units above 0, a reason;
- a deduction's category is one of the rule set's, its points inside the category's range (refused
  with the range named), a reason; evidence bytes are stored by their SHA-256; a second officer, not
  the proposer, confirms it, and only a confirmed deduction reaches the engine.

Every act is one transaction: the row (`hub.store.capture`) and its hub-signed ledger entry, whose
payload carries every compared column so `hub.masterdata.replay` rebuilds the row and `floorledger
verify` reports an SQL edit. The month input (`hub.results.inputs.load_capture`) reads the rows.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Protocol

import peewee as pw

from hub.accounts import Role
from hub.engine.exact import decimal_text
from hub.engine.model import Month, RuleParams
from hub.errors import HubError
from hub.masterdata import queries as md_queries
from hub.review import capture_texts
from hub.review.lock import is_locked
from hub.store import capture as cap
from hub.store.db import write_transaction
from hub.store.masterdata import Assignment, Inmate, Line

capture_texts.register()

log = logging.getLogger(__name__)

GRADE_SET, REJECT_ADD = "grade.set", "reject.add"
DEDUCTION_PROPOSE, DEDUCTION_CONFIRM = "deduction.propose", "deduction.confirm"
REJECT_WITHDRAW, DEDUCTION_WITHDRAW = "reject.withdraw", "deduction.withdraw"
MAX_REASON = 200
MAX_UNITS = 100_000
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024  # a phone photo or a scanned page; larger belongs elsewhere


class CaptureError(HubError):
    """An act refused; `key` is a `capture.err.` text (the page shows `text(lang)`)."""


class Officer(Protocol):
    """Who acts (`hub.accounts.Principal` fits)."""

    @property
    def username(self) -> str: ...

    def may_see_line(self, line: str, area_of_line: str | None) -> bool: ...


# --- pure rules ------------------------------------------------------------------------------------


def clean_reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise CaptureError("capture.err.reason_empty")
    if len(reason) > MAX_REASON:
        raise CaptureError("capture.err.reason_long", limit=MAX_REASON)
    return reason


def parse_units(text: str | int | None) -> int:
    raw = str(text if text is not None else "").strip()
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= MAX_UNITS:
        raise CaptureError("capture.err.units", limit=MAX_UNITS)
    return int(raw)


def parse_points(text: str | None) -> Fraction:
    """Deduction points as an exact decimal with at most one decimal place, above 0."""
    raw = (text or "").strip()
    try:
        value = Decimal(raw)
    except InvalidOperation as err:
        raise CaptureError("capture.err.points_format") from err
    exponent = value.as_tuple().exponent
    if not value.is_finite() or value <= 0 or not isinstance(exponent, int) or exponent < -1:
        raise CaptureError("capture.err.points_format")
    return Fraction(value)


def check_range(params: RuleParams, category: str, points: Fraction) -> None:
    """The category must be the rule set's and the points inside its range (the range is named)."""
    found = params.deduction_range(category)
    if found is None:
        known = ", ".join(r.category for r in params.deduction_categories)
        raise CaptureError("capture.err.category", category=category, known=known)
    if not found.min_points <= points <= found.max_points:
        raise CaptureError(
            "capture.err.range",
            points=decimal_text(points),
            category=category,
            low=decimal_text(found.min_points),
            high=decimal_text(found.max_points),
        )


def grades_of(params: RuleParams) -> tuple[str, ...]:
    """The rule set's grades, best first (A B C D by default)."""
    return tuple(g for g, _ in params.rating_pct)


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- reading ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class RatedDay:
    """An inmate on a rated post on a day, with the grade given so far (None: still missing)."""

    inmate: str
    number: str
    name: str
    line: str
    post: str
    grade: str | None
    source: str | None = None  # the kiosk record the grade came from (K01#42), None from the dashboard


def area_of(line: str) -> str | None:
    row = Line.get_or_none(Line.code == line)
    return None if row is None else str(row.area)


def params_for(day: date) -> RuleParams:
    return md_queries.rule_book().for_month(Month.of(day)).params


def rated_on(day: date, *, post: str | None = None, line: str | None = None) -> list[RatedDay]:
    """Every inmate rated on `post` (or on any post of `line`) on `day`, with the day's grade if given."""
    rows = list(cap.Grade.select().where(cap.Grade.day == day.isoformat()))
    given = {g.inmate: str(g.grade) for g in rows}
    sources = {g.inmate: g.source for g in rows}
    inmates = {i.id: i for i in Inmate.select()}
    out: list[RatedDay] = []
    for inmate, a in sorted(md_queries.posts_on(day).items()):
        if (
            a.mode != "rated"
            or (post is not None and a.post != post)
            or (line is not None and a.line != line)
        ):
            continue
        person = inmates.get(inmate)
        out.append(
            RatedDay(
                inmate=inmate,
                number=str(person.number) if person else inmate,
                name=str(person.name) if person else "",
                line=str(a.line),
                post=str(a.post or ""),
                grade=given.get(inmate),
                source=sources.get(inmate),
            )
        )
    return out


def missing_grades(first: date, last: date, days: list[date]) -> list[tuple[date, RatedDay]]:
    """The rated days in [first, last] (among `days`, the workdays) still without a grade."""
    return [(d, r) for d in sorted(days) if first <= d <= last for r in rated_on(d) if r.grade is None]


def evidence(sha256: str) -> cap.Evidence | None:
    found: cap.Evidence | None = cap.Evidence.get_or_none(cap.Evidence.sha256 == sha256)
    return found


def deductions_in(month: Month) -> list[cap.Deduction]:
    query = cap.Deduction.select().where(
        cap.Deduction.day.between(month.first_day.isoformat(), month.last_day.isoformat())
    )
    return list(query.order_by(cap.Deduction.day, cap.Deduction.id))


def rejects_on(line: str, day: date) -> list[cap.Reject]:
    query = cap.Reject.select().where((cap.Reject.line == line) & (cap.Reject.day == day.isoformat()))
    return list(query.order_by(cap.Reject.id))


# --- acts -------------------------------------------------------------------------------------------


class Capture:
    """The capture acts. `ledger.append(actor, action, subject, payload)` signs each one;
    `on_applied(day)` recomputes the day's results afterwards (e.g. `Results.request_day`)."""

    def __init__(
        self,
        db: pw.Database,
        ledger: Any,
        *,
        today: Callable[[], date],
        clock_ms: Callable[[], int],
        on_applied: Callable[[date], object] | None = None,
    ) -> None:
        self.db = db
        self.ledger = ledger
        self.today = today
        self.clock_ms = clock_ms
        self.on_applied = on_applied

    def _check(self, who: Officer, line: str, area: str | None, day: date) -> RuleParams:
        if not who.may_see_line(line, area):
            raise CaptureError("capture.err.scope")
        if day > self.today():
            raise CaptureError("capture.err.future")
        params = params_for(day)
        if not params.v2:
            raise CaptureError("capture.err.v1", month=str(Month.of(day)))
        if is_locked(self.db, Month.of(day), area or ""):
            raise CaptureError("capture.err.locked", month=str(Month.of(day)))
        return params

    def _applied(self, day: date) -> None:
        if self.on_applied is not None:
            self.on_applied(day)

    # grades -------------------------------------------------------------------------------------------

    def grade(self, who: Officer, day: date, grades: Mapping[str, str], *, source: str | None = None) -> int:
        """Save the day's grades of rated inmates at once (inmate id -> grade; empty text: left as is).
        All are checked before any is written; returns how many were saved. `source` names the kiosk
        record the grades came from (`hub.kiosks.capture`), signed into the act and kept on the row."""
        wanted = {k: v.strip().upper() for k, v in grades.items() if v and v.strip()}
        if not wanted:
            raise CaptureError("capture.err.no_grades")
        rated = {r.inmate: r for r in rated_on(day)}
        params: RuleParams | None = None
        for inmate, grade in sorted(wanted.items()):
            row = rated.get(inmate)
            if row is None:
                raise CaptureError("capture.err.not_rated", inmate=inmate, day=day.isoformat())
            params = self._check(who, row.line, area_of(row.line), day)
            if grade not in grades_of(params):
                raise CaptureError("capture.err.grade", grade=grade, known=" ".join(grades_of(params)))
        now = self.clock_ms()
        with write_transaction(self.db):
            for inmate, grade in sorted(wanted.items()):
                row = rated[inmate]
                values = {
                    "grade": grade,
                    "line": row.line,
                    "post": row.post,
                    "graded_by": who.username,
                    "graded_ms": now,
                    "source": source,
                }
                key = (cap.Grade.inmate == inmate) & (cap.Grade.day == day.isoformat())
                if cap.Grade.update(**values).where(key).execute() == 0:
                    cap.Grade.create(inmate=inmate, day=day.isoformat(), **values)
                payload = {"inmate": inmate, "day": day.isoformat(), **values}
                if source is None:  # a dashboard act's payload stays what it was before kiosk grades
                    payload.pop("source")
                self.ledger.append(who.username, GRADE_SET, f"{inmate}@{day.isoformat()}", payload)
        self._applied(day)
        return len(wanted)

    # rejects ------------------------------------------------------------------------------------------

    def reject(
        self,
        who: Officer,
        *,
        line: str,
        day: date,
        inmate: str,
        step: str,
        units: str | int,
        reason: str,
        source: str | None = None,
    ) -> cap.Reject:
        """Units of `inmate`'s work on `step` of `day` found faulty: they come off his credit that day.
        `source` names the kiosk record it came from, as for grades."""
        self._check(who, line, area_of(line), day)
        post: Assignment | None = md_queries.assignment_on(inmate, day)
        if post is None or post.mode == "rated" or post.line != line or post.step != step:
            raise CaptureError("capture.err.not_on_step", inmate=inmate, step=step, day=day.isoformat())
        count = parse_units(units)
        why = clean_reason(reason)
        now = self.clock_ms()
        with write_transaction(self.db):
            row = cap.Reject.create(
                inmate=inmate,
                day=day.isoformat(),
                line=line,
                product=str(post.product),
                step=step,
                units=str(count),
                reason=why,
                entered_by=who.username,
                created_ms=now,
                source=source,
            )
            payload: dict[str, Any] = {
                "id": row.id,
                "inmate": inmate,
                "day": day.isoformat(),
                "line": line,
                "product": str(post.product),
                "step": step,
                "units": str(count),
                "reason": why,
                "entered_by": who.username,
                "created_ms": now,
            }
            if source is not None:
                payload["source"] = source
            self.ledger.append(who.username, REJECT_ADD, f"{inmate}@{day.isoformat()}", payload)
        self._applied(day)
        return row

    # deductions ---------------------------------------------------------------------------------------

    def _inmate_place(self, inmate: str, day: date) -> tuple[str, str | None]:
        """The line the inmate worked on that day (else none) and the area that owns his month."""
        person = Inmate.get_or_none(Inmate.id == inmate)
        if person is None:
            raise CaptureError("capture.err.no_inmate", inmate=inmate)
        post = md_queries.assignment_on(inmate, day)
        line = "" if post is None else str(post.line)
        area = area_of(line) if line else None
        return line, area or (None if person.area is None else str(person.area))

    def propose_deduction(
        self,
        who: Officer,
        *,
        inmate: str,
        day: date,
        category: str,
        points: str,
        reason: str,
        evidence_name: str | None = None,
        evidence_bytes: bytes | None = None,
        evidence_type: str = "application/octet-stream",
    ) -> cap.Deduction:
        line, area = self._inmate_place(inmate, day)
        params = self._check(who, line, area, day)
        amount = parse_points(points)
        check_range(params, category, amount)
        why = clean_reason(reason)
        if any(i.id == inmate and i.exempt_on(day) for i in md_queries.engine_inmates()):
            raise CaptureError("capture.err.exempt", inmate=inmate, day=day.isoformat())
        digest = None
        if evidence_bytes:
            if len(evidence_bytes) > MAX_EVIDENCE_BYTES:
                raise CaptureError("capture.err.evidence_large", limit=MAX_EVIDENCE_BYTES // (1024 * 1024))
            digest = sha256_hex(evidence_bytes)
        now = self.clock_ms()
        with write_transaction(self.db):
            if digest is not None and evidence(digest) is None:
                cap.Evidence.create(
                    sha256=digest,
                    name=(evidence_name or digest)[:200],
                    media_type=evidence_type[:100],
                    content=evidence_bytes,
                    created_ms=now,
                )
            row = cap.Deduction.create(
                inmate=inmate,
                day=day.isoformat(),
                area=area or "",
                category=category,
                points=decimal_text(amount),
                reason=why,
                evidence=digest,
                proposed_by=who.username,
                proposed_ms=now,
            )
            self.ledger.append(
                who.username,
                DEDUCTION_PROPOSE,
                f"{inmate}@{day.isoformat()}",
                {
                    "id": row.id,
                    "inmate": inmate,
                    "day": day.isoformat(),
                    "area": area or "",
                    "category": category,
                    "points": decimal_text(amount),
                    "reason": why,
                    "evidence": digest,
                    "proposed_by": who.username,
                    "proposed_ms": now,
                },
            )
        return row

    def confirm_deduction(self, who: Officer, deduction_id: int) -> cap.Deduction:
        """The second officer's confirmation; from then on the deduction counts."""
        row = cap.Deduction.get_or_none(cap.Deduction.id == deduction_id)
        if row is None or row.status != cap.PROPOSED:
            raise CaptureError("capture.err.not_open")
        if row.proposed_by == who.username:
            raise CaptureError("capture.err.own")
        day = date.fromisoformat(row.day)
        line, area = self._inmate_place(str(row.inmate), day)
        self._check(who, line, row.area or area, day)
        now = self.clock_ms()
        with write_transaction(self.db):
            done = (
                cap.Deduction.update(status=cap.CONFIRMED, confirmed_by=who.username, confirmed_ms=now)
                .where((cap.Deduction.id == row.id) & (cap.Deduction.status == cap.PROPOSED))
                .execute()
            )
            if done != 1:  # another officer confirmed it a moment ago
                raise CaptureError("capture.err.not_open")
            self.ledger.append(
                who.username,
                DEDUCTION_CONFIRM,
                f"{row.inmate}@{row.day}",
                {"deduction": row.id, "confirmed_by": who.username, "confirmed_ms": now},
            )
        self._applied(day)
        return cap.Deduction.get_by_id(row.id)

    # withdrawing a wrong act -------------------------------------------------------------------------

    def withdraw_reject(self, who: Officer, reject_id: int, reason: str) -> cap.Reject:
        """A reject entered by mistake no longer counts: the row stays with who withdrew it, when and
        why, signed as `reject.withdraw` (the engine leaves it out). Refused in a locked month."""
        row = cap.Reject.get_or_none(cap.Reject.id == reject_id)
        if row is None or row.withdrawn_ms is not None:
            raise CaptureError("capture.err.not_withdrawable")
        day = date.fromisoformat(row.day)
        self._check(who, str(row.line), area_of(str(row.line)), day)
        done: cap.Reject = self._withdraw(who, cap.Reject, REJECT_WITHDRAW, row, clean_reason(reason), day)
        return done

    def withdraw_deduction(self, who: Officer, deduction_id: int, reason: str) -> cap.Deduction:
        """A deduction proposed by mistake is withdrawn by any officer in scope before it is
        confirmed; once confirmed it counts, and only the labor section withdraws it (the same
        authority that reopens a month). Signed as `deduction.withdraw`; refused in a locked month."""
        row = cap.Deduction.get_or_none(cap.Deduction.id == deduction_id)
        if row is None or row.status == cap.WITHDRAWN:
            raise CaptureError("capture.err.not_withdrawable")
        if row.status == cap.CONFIRMED and getattr(who, "role", None) != Role.LABOR_SECTION:
            raise CaptureError("capture.err.withdraw_confirmed")
        day = date.fromisoformat(row.day)
        line, area = self._inmate_place(str(row.inmate), day)
        self._check(who, line, row.area or area, day)
        done: cap.Deduction = self._withdraw(
            who, cap.Deduction, DEDUCTION_WITHDRAW, row, clean_reason(reason), day
        )
        return done

    def _withdraw(self, who: Officer, model: Any, action: str, row: Any, why: str, day: date) -> Any:
        now = self.clock_ms()
        changes: dict[str, Any] = {"withdrawn_by": who.username, "withdrawn_ms": now, "withdraw_reason": why}
        if model is cap.Deduction:
            changes["status"] = cap.WITHDRAWN
        with write_transaction(self.db):
            done = (
                model.update(**changes).where((model.id == row.id) & model.withdrawn_ms.is_null()).execute()
            )
            if done != 1:  # withdrawn a moment ago by another officer
                raise CaptureError("capture.err.not_withdrawable")
            payload = {
                "id": row.id,
                "withdrawn_by": who.username,
                "withdrawn_ms": now,
                "withdraw_reason": why,
            }
            self.ledger.append(who.username, action, f"{row.inmate}@{row.day}", payload)
        self._applied(day)
        return model.get_by_id(row.id)
