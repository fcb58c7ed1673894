"""Late entries (补录) with four eyes: what nobody recorded in time, entered on the dashboard for a day
of an open month and approved by a second officer.

What can be entered (`hub.results.facts.LATE_TYPES`): the 入库数 (warehoused units) of a (line,
product), a missed count of an inmate, an excused absence of an inmate over a range of days (one
month at most) with its minutes per day, and a missed check-in or check-out at a time of that day.
An approved entry is a hub-signed ledger act (`record.late`) that every reader of the month applies
with the dashboard corrections (`hub.results.facts.hub_changes`), so results, `floorledger verify`
and evidence bundles re-derive it from the signed ledger; nothing is written into kiosk records.

Rules (pure functions at the top):
- a reason is required (as for corrections); values are whole numbers within the corrections' limits;
- no day after today, and an excused range lies in one month;
- the officer sees every line the entry touches (an inmate's lines: his posts on those days);
- never in a locked month (`hub.review.lock.is_locked`, checked at the proposal and the approval);
- any officer role may propose; the approver is another officer, and past the correction window
  (`window_days` from the entry's first day) only the labor section may approve.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw

from hub.engine.model import Month
from hub.ledger.entries import LATE_ENTRY
from hub.masterdata import queries as md_queries
from hub.results import facts as fx
from hub.review import texts
from hub.review.corrections import (
    ANYTIME_ROLES,
    WINDOW_ROLES,
    CorrectionError,
    Officer,
    area_of,
    clean_reason,
    may_act,
    parse_value,
)
from hub.review.lock import is_locked
from hub.store.db import write_transaction
from hub.store.masterdata import Inmate, Line, Product
from hub.store.review import APPROVED, PROPOSED, LateEntry

texts.register()

PROPOSE = "late.propose"
CHECKS = ("check_in", "check_out")
PERSON_TYPES = frozenset({"unit_count", "excused_absence", *CHECKS})
_TIME_RE = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


# --- pure rules ------------------------------------------------------------------------------------


def check_days(first: date, last: date, today: date) -> None:
    """An entry's days: none after today, an excused range within one month."""
    if last < first or Month.of(first) != Month.of(last):
        raise CorrectionError("review.err.late_range")
    if last > today:
        raise CorrectionError("review.err.late_future")


def parse_time(text: str | None) -> time:
    match = _TIME_RE.fullmatch((text or "").strip())
    if match is None:
        raise CorrectionError("review.err.late_time")
    return time(int(match[1]), int(match[2]))


def days_of(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def may_propose(role: str) -> bool:
    return role in WINDOW_ROLES or role in ANYTIME_ROLES


@dataclass(frozen=True, slots=True, kw_only=True)
class Draft:
    """What an officer typed, before any check (the page's form)."""

    type: str
    day: date
    last_day: date | None = None
    line: str = ""
    product: str = ""
    person: str = ""
    value: str = ""  # units or minutes
    at: str = ""  # HH:MM of a check
    reason: str = ""


# --- the acts --------------------------------------------------------------------------------------


class LateEntries:
    """Propose and approve late entries; `ledger.append(actor, action, subject, payload)` signs each
    act in the transaction of its row, `on_applied(day)` recomputes a day after an approval."""

    def __init__(
        self,
        db: pw.Database,
        ledger: Any,
        *,
        today: Callable[[], date],
        clock_ms: Callable[[], int],
        zone: ZoneInfo,
        window_days: int = 7,
        on_applied: Callable[[date], object] | None = None,
    ) -> None:
        self.db = db
        self.ledger = ledger
        self.today = today
        self.clock_ms = clock_ms
        self.zone = zone
        self.window_days = window_days
        self.on_applied = on_applied

    def lines_of(self, person: str, first: date, last: date) -> list[str]:
        """The lines `person` is posted on from `first` to `last` (the first day's post first)."""
        out: list[str] = []
        for day in days_of(first, last):
            post = md_queries.assignment_on(person, day)
            if post is not None and str(post.line) not in out:
                out.append(str(post.line))
        return out

    def _scope(self, who: Officer, lines: Sequence[str], first: date) -> None:
        for line in lines:
            if not who.may_see_line(line, area_of(line)):
                raise CorrectionError("review.err.scope")
            if is_locked(self.db, Month.of(first), area_of(line) or ""):
                raise CorrectionError("review.err.locked")

    def propose(self, who: Officer, draft: Draft) -> LateEntry:
        if not may_propose(str(who.role)):
            raise CorrectionError("review.err.late_role")
        kind = draft.type
        if kind not in fx.LATE_TYPES:
            raise CorrectionError("review.err.late_type")
        last = draft.last_day if kind == "excused_absence" and draft.last_day is not None else draft.day
        check_days(draft.day, last, self.today())
        person, product, line = draft.person.strip(), draft.product.strip(), draft.line.strip()
        if kind in PERSON_TYPES:
            if Inmate.get_or_none(Inmate.id == person) is None:
                raise CorrectionError("review.err.late_person")
            lines = self.lines_of(person, draft.day, last)
            if not lines:
                raise CorrectionError("review.err.late_unposted")
            line, product = lines[0], ""
        else:
            known = Line.get_or_none(Line.code == line) and Product.get_or_none(Product.code == product)
            if not known:
                raise CorrectionError("review.err.late_line")
            lines, person = [line], ""
        self._scope(who, lines, draft.day)
        reason = clean_reason(draft.reason)
        value, at_ms = 0, None
        if kind in CHECKS:
            at = datetime.combine(draft.day, parse_time(draft.at), tzinfo=self.zone)
            at_ms = int(at.timestamp() * 1000)
        else:
            value = parse_value(draft.value, "minutes" if kind == "excused_absence" else "units")
            if value == 0:
                raise CorrectionError("review.err.late_zero")
        with write_transaction(self.db):
            entry = LateEntry.create(
                type=kind,
                line=line,
                day=draft.day.isoformat(),
                last_day=last.isoformat(),
                person=person or None,
                product=product or None,
                value=value,
                at_ms=at_ms,
                reason=reason,
                proposer=who.username,
                proposed_ms=self.clock_ms(),
            )
            self.ledger.append(who.username, PROPOSE, f"late#{entry.id}", payload(entry))
        return entry

    def approve(self, who: Officer, entry_id: int) -> LateEntry:
        entry = LateEntry.get_or_none(LateEntry.id == entry_id)
        if entry is None or entry.status != PROPOSED:
            raise CorrectionError("review.err.not_open")
        if entry.proposer == who.username:
            raise CorrectionError("review.err.late_own")
        first, last = date.fromisoformat(entry.day), date.fromisoformat(entry.last_day)
        lines = self.lines_of(entry.person, first, last) if entry.person else [str(entry.line)]
        self._scope(who, lines or [str(entry.line)], first)
        if not may_act(str(who.role), first, self.today(), self.window_days):
            raise CorrectionError("review.err.window", days=self.window_days)
        now = self.clock_ms()
        with write_transaction(self.db):
            updated = (
                LateEntry.update(status=APPROVED, approver=who.username, approved_ms=now)
                .where((LateEntry.id == entry.id) & (LateEntry.status == PROPOSED))
                .execute()
            )
            if updated != 1:  # another officer approved it a moment ago
                raise CorrectionError("review.err.not_open")
            act = payload(entry)
            act["proposer"] = entry.proposer
            self.ledger.append(who.username, LATE_ENTRY, f"late#{entry.id}", act)
        if self.on_applied is not None:
            for day in days_of(first, last):
                self.on_applied(day)
        return LateEntry.get_by_id(entry.id)


def payload(entry: LateEntry) -> dict[str, Any]:
    """The ledger payload of an entry: what `hub.results.facts.hub_changes` reads back."""
    kind = str(entry.type)
    field = fx.LATE_TYPES[kind]
    return {
        "late": entry.id,
        "type": kind,
        "day": entry.day,
        "last_day": entry.last_day,
        "line": entry.line,
        "person": entry.person or "",
        "product": entry.product or "",
        field: int(entry.at_ms or 0) if kind in CHECKS else int(entry.value),
        "reason": entry.reason,
    }


# --- queries for the pages -------------------------------------------------------------------------


def entries_for(line: str, day: date) -> list[LateEntry]:
    """Late entries touching `line` on `day`: the line's own, and a person's whose range holds `day`."""
    text = day.isoformat()
    query = LateEntry.select().where(
        (LateEntry.line == line) & (LateEntry.day <= text) & (LateEntry.last_day >= text)
    )
    return list(query.order_by(LateEntry.id))


def open_entries(lines: Sequence[str], first: date, last: date) -> list[LateEntry]:
    """Proposals not yet approved on `lines` with a day in [first, last]."""
    query = LateEntry.select().where(
        LateEntry.line.in_(list(lines))
        & (LateEntry.status == PROPOSED)
        & (LateEntry.day <= last.isoformat())
        & (LateEntry.last_day >= first.isoformat())
    )
    return list(query.order_by(LateEntry.id))
