"""Officers' corrections (four-eyes), dispute answers and discrepancy notes of the daily review.

Rules (pure functions at the top, tested from tables):
- a reason is required, at most `MAX_REASON` characters (it may reach the kiosk as a plan notice);
- only what the rules engine reads per record can be corrected here: the `units` of a unit count or
  a warehouse entry, the `minutes` of an excused absence (`hub.results.facts.HUB_CORRECTABLE`);
- within `window_days` of the record's day line officers and area heads may propose and approve;
  after it only the labor section; everyone only on lines they may see;
- the officer who proposed a correction can never approve it.

Every act is one transaction: the row here and its hub-signed ledger entry. An approval writes the
`record.correct` entry that `hub.results.facts` applies to the engine inputs (the original kiosk record is
never touched), then asks for the day to be recomputed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

import peewee as pw

from hub.accounts import Role
from hub.engine.model import Month
from hub.errors import HubError
from hub.ledger.entries import CORRECTION
from hub.masterdata import queries as md_queries
from hub.results import facts as fx
from hub.results.inputs import month_input
from hub.review import texts
from hub.review.correction_preview import CreditChange, credit_changes
from hub.review.lock import is_locked
from hub.store.db import write_transaction
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.masterdata import Line
from hub.store.results import DiscrepancyFlag
from hub.store.review import (
    APPROVED,
    MAX_REASON,
    PROPOSED,
    CorrectionProposal,
    DiscrepancyNote,
    DisputeAnswer,
)

texts.register()

log = logging.getLogger(__name__)

MAX_VALUE = {"units": 100_000, "minutes": 24 * 60}
PROPOSE = "correction.propose"
DISPUTE_ANSWER = "dispute.answer"
DISCREPANCY_RESOLVE = "discrepancy.resolve"

UPHELD, REJECTED = "upheld", "rejected"
WINDOW_ROLES = frozenset({Role.LINE_OFFICER, Role.AREA_HEAD})  # bound by the correction window
ANYTIME_ROLES = frozenset({Role.LABOR_SECTION})


class CorrectionError(HubError):
    """An act refused; `key` is a `review.err.` text of `hub.review.texts` (the page shows `text(lang)`)."""


class Officer(Protocol):
    """Who acts (`hub.web.auth.Principal` fits)."""

    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...

    def may_see_line(self, line: str, area_of_line: str | None) -> bool: ...


# --- pure rules ------------------------------------------------------------------------------------


def clean_reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise CorrectionError("review.err.reason_empty")
    if len(reason) > MAX_REASON:
        raise CorrectionError("review.err.reason_long", limit=MAX_REASON)
    return reason


def parse_value(text: str | None, field: str) -> int:
    raw = (text or "").strip()
    if not raw.isascii() or not raw.isdigit():
        raise CorrectionError("review.err.value", limit=MAX_VALUE[field])
    value = int(raw)
    if value > MAX_VALUE[field]:
        raise CorrectionError("review.err.value", limit=MAX_VALUE[field])
    return value


def within_window(record_day: date, today: date, window_days: int) -> bool:
    return today <= record_day + timedelta(days=window_days)


def may_act(role: str, record_day: date, today: date, window_days: int) -> bool:
    """Whether `role` may propose or approve a correction of a record of `record_day` now."""
    if role in ANYTIME_ROLES:
        return True
    return role in WINDOW_ROLES and within_window(record_day, today, window_days)


# --- tables ----------------------------------------------------------------------------------------


# --- reading records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Target:
    """A correctable record as it stands: its stored value and its value now (after corrections)."""

    kiosk: str
    seq: int
    hash: str
    type: str
    line: str
    day: date
    person: str
    product: str
    field: str
    original: int
    current: int


def _record(kiosk: str, seq: int) -> Any:
    return KioskRecord.get_or_none((KioskRecord.kiosk == kiosk) & (KioskRecord.seq == seq))


def target_of(kiosk: str, seq: int) -> Target:
    """The record `kiosk#seq` with its value after kiosk corrections and approved hub corrections."""
    row = _record(kiosk, seq)
    if row is None or row.type not in fx.HUB_CORRECTABLE:
        raise CorrectionError("review.err.not_correctable")
    field = fx.HUB_CORRECTABLE[row.type]
    body = json.loads(row.body)
    kiosk_fixes = KioskRecord.select().where(KioskRecord.type == "correction").order_by(KioskRecord.id)
    facts = [fx.as_fact(row)] + [
        fx.as_fact(c)
        for c in kiosk_fixes
        if json.loads(c.body).get("ref_kiosk") == kiosk and json.loads(c.body).get("ref_seq") == seq
    ]
    effective, _ = fx.apply_corrections(facts)
    current = int(effective[0].body[field])
    approved = (
        CorrectionProposal.select()
        .where(
            (CorrectionProposal.ref_kiosk == kiosk)
            & (CorrectionProposal.ref_seq == seq)
            & (CorrectionProposal.status == APPROVED)
        )
        .order_by(CorrectionProposal.approved_ms.desc(), CorrectionProposal.id.desc())
        .first()
    )
    if approved is not None:
        current = int(approved.new)
    return Target(
        kiosk=kiosk,
        seq=seq,
        hash=row.hash,
        type=row.type,
        line=line_of(row),
        day=date.fromisoformat(row.day),
        person=str(body.get("person") or ""),
        product=str(body.get("product") or ""),
        field=field,
        original=int(body[field]),
        current=current,
    )


def line_of(row: Any) -> str:
    """The line a stored record belongs to: its body's line, else the person's post that day, else
    the line its kiosk is bound to (check-ins, disputes and excused absences name no line)."""
    if row.line:
        return str(row.line)
    if row.person and row.day:
        post = md_queries.assignment_on(str(row.person), date.fromisoformat(row.day))
        if post is not None:
            return str(post.line)
    kiosk = Kiosk.get_or_none(Kiosk.id == row.kiosk)
    return "" if kiosk is None or kiosk.line is None else str(kiosk.line)


def line_day_records(line: str, day: date) -> list[Any]:
    """Every stored record of `line` on `day` (by `line_of`), in the kiosks' time order."""
    kiosks = [k.id for k in Kiosk.select(Kiosk.id).where(Kiosk.line == line)]
    people = [p for p, a in md_queries.posts_on(day).items() if a.line == line]
    query = KioskRecord.select().where(
        (KioskRecord.day == day.isoformat())
        & ((KioskRecord.line == line) | KioskRecord.kiosk.in_(kiosks) | KioskRecord.person.in_(people))
    )
    rows = [r for r in query if line_of(r) == line]
    return sorted(rows, key=lambda r: (r.wall_ms, r.kiosk, r.seq))


def area_of(line: str) -> str | None:
    row = Line.get_or_none(Line.code == line)
    return None if row is None else str(row.area)


def notice_for(person: str, day: date, days_back: int = 7) -> str | None:
    """The latest rejected-dispute reason of `person` for a day in [day - days_back, day], if any
    (the line plan's notice)."""
    first = (day - timedelta(days=days_back)).isoformat()
    row = (
        DisputeAnswer.select()
        .where(
            (DisputeAnswer.person == person)
            & (DisputeAnswer.outcome == REJECTED)
            & DisputeAnswer.day.between(first, day.isoformat())
        )
        .order_by(DisputeAnswer.answered_ms.desc(), DisputeAnswer.id.desc())
        .first()
    )
    return None if row is None else str(row.reason)[:MAX_REASON]


# --- acts -------------------------------------------------------------------------------------------


class Corrections:
    """The review's acts. `ledger.append(actor, action, subject, payload)` signs each one;
    `on_applied(day)` recomputes a day after an approval (e.g. `Results.recompute_day`);
    `on_answer(line)` republishes a line's plan after a dispute answer (e.g. `PlanPublisher.refresh`)."""

    def __init__(
        self,
        db: pw.Database,
        ledger: Any,
        *,
        today: Callable[[], date],
        clock_ms: Callable[[], int],
        window_days: int = 7,
        on_applied: Callable[[date], object] | None = None,
        on_answer: Callable[[str], object] | None = None,
    ) -> None:
        self.db = db
        self.ledger = ledger
        self.today = today
        self.clock_ms = clock_ms
        self.window_days = window_days
        self.on_applied = on_applied
        self.on_answer = on_answer

    def _check(self, who: Officer, line: str, day: date) -> None:
        if not who.may_see_line(line, area_of(line)):
            raise CorrectionError("review.err.scope")
        if is_locked(self.db, Month.of(day), area_of(line) or ""):
            raise CorrectionError("review.err.locked")
        if not may_act(str(who.role), day, self.today(), self.window_days):
            raise CorrectionError("review.err.window", days=self.window_days)

    def propose(
        self,
        who: Officer,
        kiosk: str,
        seq: int,
        new_text: str,
        reason_text: str,
        *,
        dispute: str | None = None,
    ) -> CorrectionProposal:
        target = target_of(kiosk, seq)
        self._check(who, target.line, target.day)
        reason = clean_reason(reason_text)
        new = parse_value(new_text, target.field)
        if new == target.current:
            raise CorrectionError("review.err.same")
        with write_transaction(self.db):
            # one open proposal per record: a second one (approved as well) would correct it twice
            waiting = CorrectionProposal.get_or_none(
                (CorrectionProposal.ref_kiosk == kiosk)
                & (CorrectionProposal.ref_seq == seq)
                & (CorrectionProposal.status == PROPOSED)
            )
            if waiting is not None:
                raise CorrectionError("review.err.pending", proposal=waiting.id, proposer=waiting.proposer)
            proposal = CorrectionProposal.create(
                ref_kiosk=kiosk,
                ref_seq=seq,
                ref_hash=target.hash,
                type=target.type,
                line=target.line,
                day=target.day.isoformat(),
                person=target.person or None,
                product=target.product or None,
                field=target.field,
                old=target.current,
                new=new,
                reason=reason,
                dispute=dispute,
                proposer=who.username,
                proposed_ms=self.clock_ms(),
            )
            self.ledger.append(
                who.username,
                PROPOSE,
                f"{kiosk}#{seq}",
                {
                    "proposal": proposal.id,
                    "field": target.field,
                    "old": target.current,
                    "new": new,
                    "reason": reason,
                    "dispute": dispute,
                },
            )
        return proposal

    def preview(self, kiosk: str, seq: int, new_text: str) -> list[CreditChange]:
        """Whose credit on the record's line-day would move if `kiosk#seq` took the value `new_text`
        (the corrected inmate and every line-mate sharing the step's warehoused units); raises
        CorrectionError for a value the proposal itself would refuse."""
        target = target_of(kiosk, seq)
        new = parse_value(new_text, target.field)
        if new == target.current:
            return []
        read = month_input(self.db, Month.of(target.day), through=self.today())
        change = fx.HubCorrection(
            type=target.type,
            day=target.day,
            old=target.current,
            new=new,
            person=target.person,
            line=target.line,
            product=target.product,
            ref=f"{kiosk}#{seq}",
        )
        return credit_changes(read.inputs, read.rule_set, target.line, target.day, change)

    def approve(self, who: Officer, proposal_id: int) -> CorrectionProposal:
        proposal = CorrectionProposal.get_or_none(CorrectionProposal.id == proposal_id)
        if proposal is None or proposal.status != PROPOSED:
            raise CorrectionError("review.err.not_open")
        if proposal.proposer == who.username:
            raise CorrectionError("review.err.own")
        target = target_of(proposal.ref_kiosk, int(proposal.ref_seq))
        self._check(who, target.line, target.day)
        now = self.clock_ms()
        with write_transaction(self.db):
            updated = (
                CorrectionProposal.update(status=APPROVED, approver=who.username, approved_ms=now)
                .where((CorrectionProposal.id == proposal.id) & (CorrectionProposal.status == PROPOSED))
                .execute()
            )
            if updated != 1:  # another officer approved it a moment ago
                raise CorrectionError("review.err.not_open")
            self.ledger.append(
                who.username,
                CORRECTION,
                f"{target.kiosk}#{target.seq}",
                {
                    "proposal": proposal.id,
                    "ref_kiosk": target.kiosk,
                    "ref_seq": target.seq,
                    "ref_hash": target.hash,
                    "type": target.type,
                    "day": target.day.isoformat(),
                    "person": target.person,
                    "line": target.line,
                    "product": target.product,
                    "field": target.field,
                    "old": target.current,
                    "new": int(proposal.new),
                    "reason": proposal.reason,
                    "proposer": proposal.proposer,
                    "dispute": proposal.dispute,
                },
            )
        if self.on_applied is not None:
            self.on_applied(target.day)
        return CorrectionProposal.get_by_id(proposal.id)

    def answer_dispute(
        self,
        who: Officer,
        kiosk: str,
        seq: int,
        *,
        upheld: bool,
        reason_text: str,
        correct: tuple[str, int, str] | None = None,
    ) -> DisputeAnswer:
        """Answer the dispute `kiosk#seq`. Upheld: `correct` = (kiosk, seq, new value) of the record to
        correct, proposed in the same act; rejected: the reason becomes the inmate's plan notice."""
        row = _record(kiosk, seq)
        if row is None or row.type != "dispute":
            raise CorrectionError("review.err.not_dispute")
        day = date.fromisoformat(row.day)
        line = line_of(row)
        if not who.may_see_line(line, area_of(line)):
            raise CorrectionError("review.err.scope")
        reason = clean_reason(reason_text)
        if DisputeAnswer.get_or_none((DisputeAnswer.ref_kiosk == kiosk) & (DisputeAnswer.ref_seq == seq)):
            raise CorrectionError("review.err.answered")
        if upheld and correct is None:
            raise CorrectionError("review.err.pick_record")
        with write_transaction(self.db):
            proposal = None
            if upheld and correct is not None:
                proposal = self.propose(
                    who, correct[0], correct[1], correct[2], reason, dispute=f"{kiosk}#{seq}"
                )
            answer = DisputeAnswer.create(
                ref_kiosk=kiosk,
                ref_seq=seq,
                person=str(row.person or ""),
                line=line,
                day=day.isoformat(),
                outcome=UPHELD if upheld else REJECTED,
                reason=reason,
                officer=who.username,
                answered_ms=self.clock_ms(),
                proposal=None if proposal is None else proposal.id,
            )
            self.ledger.append(
                who.username,
                DISPUTE_ANSWER,
                f"{kiosk}#{seq}",
                {
                    "outcome": answer.outcome,
                    "reason": reason,
                    "person": answer.person,
                    "proposal": answer.proposal,
                },
            )
        if not upheld and self.on_answer is not None:
            self.on_answer(line)
        return answer

    def resolve_discrepancy(self, who: Officer, flag_id: int, note_text: str) -> DiscrepancyNote:
        flag = DiscrepancyFlag.get_or_none(DiscrepancyFlag.id == flag_id)
        if flag is None:
            raise CorrectionError("review.err.not_open")
        if not who.may_see_line(flag.line, area_of(flag.line)):
            raise CorrectionError("review.err.scope")
        note = clean_reason(note_text)
        with write_transaction(self.db):
            row = DiscrepancyNote.create(
                line=flag.line,
                day=flag.day,
                product=flag.product,
                step=flag.step,
                counted_units=flag.counted_units,
                warehoused_units=flag.warehoused_units,
                note=note,
                officer=who.username,
                resolved_ms=self.clock_ms(),
            )
            self.ledger.append(
                who.username,
                DISCREPANCY_RESOLVE,
                f"{flag.line}@{flag.day}",
                {
                    "product": flag.product,
                    "step": flag.step,
                    "counted": flag.counted_units,
                    "warehoused": flag.warehoused_units,
                    "note": note,
                },
            )
        return row


# --- queries for the page ---------------------------------------------------------------------------


def proposals_for(line: str, day: date) -> list[CorrectionProposal]:
    query = CorrectionProposal.select().where(
        (CorrectionProposal.line == line) & (CorrectionProposal.day == day.isoformat())
    )
    return list(query.order_by(CorrectionProposal.id))


def answers_by_dispute() -> dict[tuple[str, int], DisputeAnswer]:
    return {(a.ref_kiosk, int(a.ref_seq)): a for a in DisputeAnswer.select()}


def notes_for(line: str, day: date) -> list[DiscrepancyNote]:
    query = DiscrepancyNote.select().where(
        (DiscrepancyNote.line == line) & (DiscrepancyNote.day == day.isoformat())
    )
    return list(query.order_by(DiscrepancyNote.id))
