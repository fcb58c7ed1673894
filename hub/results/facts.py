"""Stored kiosk records + master data -> the rules engine's inputs for a month.

The decisions this module makes (docs/hub.md repeats them for officers and auditors):

- **Corrections** apply their `values` to the body of the record they name (`ref_kiosk`, `ref_seq`),
  only when `ref_hash` is that record's hash, in commit order (a later correction of the same
  field wins). Only fields the body has are changed. The original record stays in the database as
  it was; only the derived inputs change. A correction naming a record with another hash than the
  record has is ignored and listed in `Facts.ignored`; one naming a correction changes nothing.
- **Presence** (`check_in` / `check_out`): per person and day (the body's `day`), the records are
  ordered by the kiosk's `wall_ms` (then kiosk, seq). A check-in opens a stay, a second check-in
  while open is a double tap and changes nothing; a check-out closes the open stay and adds its
  length; a check-out with nothing open is ignored. **An open check-in at the end of the day counts
  nothing**: presence is only credited between two recorded events, so a forgotten check-out is
  fixed by an officer checking the person out (method `officer`), never guessed. The day's total
  milliseconds become whole minutes, rounded half up (scenario files keep exact decimals, and a
  minute is the resolution the rule book works in).
- **Counts** (`unit_count`): every entry is one `Count`; entries of a person and day add up (rule
  book). Product and step in the record are what the kiosk's plan showed and are not re-checked.
- **Warehoused units** (`warehoused_count`): entries add up (an officer may enter a day's units in
  several lots); a mistaken entry is fixed by a correction, which replaces that entry's units.
- **Excused absences**: minutes of a person and day add up.
- `confirm`, `dispute`, `countersign`, `device_fault` are states shown to officers, not inputs.
- **Officers' corrections on the dashboard** (`hub.review.corrections`, four-eyes) are not kiosk records: an
  approved one is a hub-signed ledger entry (`record.correct`) naming the record, the field
  (`units` of a count or warehouse entry, `minutes` of an excused absence), the value it had when
  approved (`old`) and the new one. They are read with the master data (`hub.results.inputs.load_master`, the
  ledger's own table, which `floorledger verify` trusts like master data) and applied to the
  derived inputs in ledger order by `apply_hub_corrections`: the one count (warehouse entry) of
  that person (line, product) and day with units `old` becomes `new`; excused minutes change by
  `new - old`. Entries add up, so this equals changing that record; a hub correction whose `old`
  value is no longer there (a kiosk correction changed the record since) is ignored and listed.
- **Late entries** (补录, `hub.review.late`, four-eyes) are approved hub-signed ledger entries
  (`record.late`) standing for a record nobody made in time: a warehouse entry or a count adds its
  units, an excused absence adds its minutes on every day of its range, a check-in or check-out
  joins the person-day's check records at its time and the minutes present are computed again from
  all of them (same pairing as above). They travel with the dashboard corrections
  (`MasterSnapshot.hub_corrections`, `hub_changes`), in ledger order, so every reader applies both.

Only records of known inmates, lines and products, on days of the month, become inputs.

Rule book version 2's master data passes through as the hub stores it: rated and training posts
(a training post cut to the month's pieces keeps its first day as `training_from`, so the ramp
counts from it), and each inmate's labor-exemption periods that reach into the month.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Any

from hub.engine.model import (
    GRADES,
    ZERO,
    Attendance,
    Count,
    Deduction,
    Inmate,
    Line,
    Month,
    MonthInput,
    Product,
    Rating,
    Reject,
    StandardTime,
    Warehoused,
)
from hub.engine.model import Assignment as EngineAssignment
from protocol.records import Record, body_to_dict, record_hash

log = logging.getLogger(__name__)

ENGINE_TYPES = frozenset({"check_in", "check_out", "unit_count", "warehoused_count", "excused_absence"})
MS_PER_MINUTE = 60_000


@dataclass(frozen=True, slots=True, kw_only=True)
class FactRecord:
    """The parts of a stored record the rules need; `order` is its commit order (KioskRecord.id)."""

    kiosk: str
    seq: int
    hash: str
    type: str
    wall_ms: int
    body: Mapping[str, Any]
    order: int = 0


def as_fact(obj: Any, order: int = 0) -> FactRecord:
    """A FactRecord from a stored row (`hub.store.kiosks.KioskRecord`), a `SignedRecord` or a `Record`."""
    if isinstance(obj, FactRecord):
        return obj
    inner = getattr(obj, "record", None)
    if isinstance(inner, Record):  # protocol.records.SignedRecord
        return FactRecord(
            kiosk=inner.kiosk,
            seq=inner.seq,
            hash=obj.hash,
            type=inner.type,
            wall_ms=inner.wall_ms,
            body=body_to_dict(inner.body),
            order=order,
        )
    if isinstance(obj, Record):
        return FactRecord(
            kiosk=obj.kiosk,
            seq=obj.seq,
            hash=record_hash(obj.canonical_bytes()),
            type=obj.type,
            wall_ms=obj.wall_ms,
            body=body_to_dict(obj.body),
            order=order,
        )
    body = obj.body
    if isinstance(body, bytes | memoryview):
        body = bytes(body).decode()
    if isinstance(body, str):
        body = json.loads(body)
    row_id = getattr(obj, "id", None)
    return FactRecord(
        kiosk=str(obj.kiosk),
        seq=int(obj.seq),
        hash=str(obj.hash),
        type=str(obj.type),
        wall_ms=int(obj.wall_ms),
        body=body,
        order=int(row_id) if isinstance(row_id, int) else order,
    )


def apply_corrections(records: Sequence[FactRecord]) -> tuple[list[FactRecord], list[str]]:
    """Records with corrections applied (corrections themselves dropped), and why any were ignored.

    `records` must be in commit order; corrections apply in that order.
    """
    by_ref: dict[tuple[str, int], FactRecord] = {}
    corrected: dict[tuple[str, int], dict[str, Any]] = {}
    ignored: list[str] = []
    for r in records:
        if r.type != "correction":
            by_ref[(r.kiosk, r.seq)] = r
    for r in records:
        if r.type != "correction":
            continue
        ref = (str(r.body["ref_kiosk"]), int(r.body["ref_seq"]))
        target = by_ref.get(ref)
        where = f"correction {r.kiosk}#{r.seq}"
        if target is None:  # outside the records read (another month), or a correction of a correction
            log.debug("%s: %s#%s is not among the records read", where, ref[0], ref[1])
            continue
        if target.hash != r.body["ref_hash"]:
            ignored.append(f"{where}: {ref[0]}#{ref[1]} has another hash than the correction names")
            continue
        body = corrected.setdefault(ref, dict(target.body))
        for key, value in dict(r.body["values"]).items():
            if key in body:
                body[key] = value
    out = [
        replace(r, body=corrected[(r.kiosk, r.seq)]) if (r.kiosk, r.seq) in corrected else r
        for r in records
        if r.type != "correction"
    ]
    return out, ignored


def _day(body: Mapping[str, Any]) -> date | None:
    try:
        return date.fromisoformat(str(body["day"]))
    except (KeyError, ValueError):
        return None


def _minutes_of(events: list[FactRecord]) -> Fraction:
    """Whole minutes present from one person-day's check records (see the module docstring)."""
    events.sort(key=lambda r: (r.wall_ms, r.kiosk, r.seq))
    opened: int | None = None
    total_ms = 0
    for r in events:
        if r.type == "check_in":
            if opened is None:
                opened = r.wall_ms
        elif opened is not None:
            total_ms += max(0, r.wall_ms - opened)
            opened = None
    return Fraction((total_ms * 2 + MS_PER_MINUTE) // (2 * MS_PER_MINUTE))


def present_minutes(records: Iterable[FactRecord]) -> dict[tuple[str, date], Fraction]:
    """Whole minutes present per (person, day) from check-in/out pairs (see the module docstring)."""
    builder = FactsBuilder()
    builder.add(r for r in records if r.type in ("check_in", "check_out"))
    return dict(builder.present)


@dataclass(frozen=True, slots=True, kw_only=True)
class Facts:
    """The engine inputs derived from a set of records, before filtering to master data."""

    attendance: tuple[Attendance, ...]
    counts: tuple[Count, ...]
    warehoused: tuple[Warehoused, ...]
    ignored: tuple[str, ...] = ()
    # each person-day's check-ins and check-outs: a late check entry (`apply_hub_corrections`) pairs
    # with them, so the minutes present are computed again from the same events
    checks: Mapping[tuple[str, date], tuple[FactRecord, ...]] = field(default_factory=dict, compare=False)


class FactsBuilder:
    """Engine inputs accumulated record by record (records with corrections already applied).

    The results worker keeps one per month and adds each new record, so a new record costs work on
    its own person-day, not on the whole month; a correction makes it start over from all records.
    """

    def __init__(self) -> None:
        self.events: dict[tuple[str, date], list[FactRecord]] = {}
        self.present: dict[tuple[str, date], Fraction] = {}
        self.excused: dict[tuple[str, date], Fraction] = {}
        self.counts: list[Count] = []
        self.warehoused: list[Warehoused] = []

    def add(self, records: Iterable[FactRecord]) -> None:
        dirty: set[tuple[str, date]] = set()
        for r in records:
            day = _day(r.body)
            if day is None:
                continue
            if r.type in ("check_in", "check_out"):
                key = (str(r.body["person"]), day)
                self.events.setdefault(key, []).append(r)
                dirty.add(key)
            elif r.type == "excused_absence":
                key = (str(r.body["person"]), day)
                self.excused[key] = self.excused.get(key, ZERO) + Fraction(int(r.body["minutes"]))
            elif r.type == "unit_count":
                units = Fraction(int(r.body["units"]))
                self.counts.append(Count(inmate=str(r.body["person"]), day=day, units=units))
            elif r.type == "warehoused_count":
                line, product = str(r.body["line"]), str(r.body["product"])
                units = Fraction(int(r.body["units"]))
                self.warehoused.append(Warehoused(line=line, product=product, day=day, units=units))
        for key in dirty:
            self.present[key] = _minutes_of(self.events[key])

    def facts(self, month: Month | None = None, ignored: Sequence[str] = ()) -> Facts:
        def wanted(day: date) -> bool:
            return month is None or month.contains(day)

        attendance = [
            Attendance(
                inmate=person,
                day=day,
                present_minutes=self.present.get((person, day), ZERO),
                excused_minutes=self.excused.get((person, day), ZERO),
            )
            for person, day in sorted(set(self.present) | set(self.excused))
            if wanted(day)
        ]
        return Facts(
            attendance=tuple(attendance),
            counts=tuple(c for c in self.counts if wanted(c.day)),
            warehoused=tuple(w for w in self.warehoused if wanted(w.day)),
            ignored=tuple(ignored),
            checks={key: tuple(events) for key, events in self.events.items() if wanted(key[1])},
        )


def derive(records: Sequence[FactRecord], month: Month | None = None) -> Facts:
    """Engine inputs from records in commit order (corrections applied); only `month`'s days if given."""
    effective, ignored = apply_corrections(records)
    builder = FactsBuilder()
    builder.add(effective)
    return builder.facts(month, ignored)


@dataclass(frozen=True, slots=True, kw_only=True)
class MasterSnapshot:
    """The master data a month is computed with.

    `assignments` are in creation order (the later wins); `workdays` maps a line to its dates
    (site-wide dates included), and `all_workdays` is every date on which any line works.
    """

    lines: tuple[Line, ...]
    products: tuple[Product, ...]
    standard_times: tuple[StandardTime, ...]
    inmates: tuple[Inmate, ...]
    assignments: tuple[EngineAssignment, ...]
    workdays: Mapping[str, frozenset[date]] = field(default_factory=dict)
    all_workdays: tuple[date, ...] = ()
    hub_corrections: tuple[HubCorrection, ...] = ()
    # rule book v2, captured on the dashboard (hub.review.capture): grades of rated days, rejects and
    # confirmed deductions, each from a hub-signed act
    ratings: tuple[Rating, ...] = ()
    rejects: tuple[Reject, ...] = ()
    deductions: tuple[Deduction, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class HubCorrection:
    """An approved dashboard correction of one record's value (see the module docstring).

    `type` is the corrected record's type: `unit_count` (person, day, units), `warehoused_count`
    (line, product, day, units) or `excused_absence` (person, day, minutes).
    """

    type: str
    day: date
    old: int
    new: int
    person: str = ""
    line: str = ""
    product: str = ""
    ref: str = ""  # "kiosk#seq", for the notes; "late#<id>" for a late entry
    # A late entry (补录, `hub.review.late`): no record to change, `new` is added as a record of `type`
    # would add it (units, excused minutes); a late `check_in` / `check_out` happens at `at_ms`.
    late: bool = False
    at_ms: int = 0


HUB_CORRECTABLE = {"unit_count": "units", "warehoused_count": "units", "excused_absence": "minutes"}
# what a late entry may add, and the payload field holding its value
LATE_TYPES = {
    "unit_count": "units",
    "warehoused_count": "units",
    "excused_absence": "minutes",
    "check_in": "at_ms",
    "check_out": "at_ms",
}
MAX_LATE_DAYS = 31  # an excused absence's range: one month at most


def apply_hub_corrections(facts: Facts, corrections: Sequence[HubCorrection]) -> Facts:
    """`facts` with approved dashboard corrections applied in order; unmatched ones listed in `ignored`."""
    if not corrections:
        return facts
    counts, warehoused = list(facts.counts), list(facts.warehoused)
    attendance = list(facts.attendance)
    ignored = list(facts.ignored)
    checks = dict(facts.checks)
    resort = False
    for c in corrections:
        if c.late:
            resort = _add_late(c, counts, warehoused, attendance, checks) or resort
            continue
        old, new = Fraction(c.old), Fraction(c.new)
        done = False
        if c.type == "unit_count":
            want = Count(inmate=c.person, day=c.day, units=old)
            if want in counts:
                counts[counts.index(want)] = replace(want, units=new)
                done = True
        elif c.type == "warehoused_count":
            lot = Warehoused(line=c.line, product=c.product, day=c.day, units=old)
            if lot in warehoused:
                warehoused[warehoused.index(lot)] = replace(lot, units=new)
                done = True
        elif c.type == "excused_absence":
            for n, a in enumerate(attendance):
                if a.inmate == c.person and a.day == c.day and a.excused_minutes >= old:
                    attendance[n] = replace(a, excused_minutes=a.excused_minutes - old + new)
                    done = True
                    break
        if not done:
            ignored.append(f"hub correction of {c.ref}: its {c.type} of {c.old} is no longer there")
    if resort:  # attendance is in (inmate, day) order, as `FactsBuilder.facts` writes it
        attendance.sort(key=lambda a: (a.inmate, a.day))
    return replace(
        facts,
        attendance=tuple(attendance),
        counts=tuple(counts),
        warehoused=tuple(warehoused),
        ignored=tuple(ignored),
        checks=checks,
    )


def _add_late(
    c: HubCorrection,
    counts: list[Count],
    warehoused: list[Warehoused],
    attendance: list[Attendance],
    checks: dict[tuple[str, date], tuple[FactRecord, ...]],
) -> bool:
    """Add one late entry to the lists, as the record it stands for would have; True when it added a
    person-day to `attendance` (which must then be sorted again)."""
    if c.type == "unit_count":
        counts.append(Count(inmate=c.person, day=c.day, units=Fraction(c.new)))
        return False
    if c.type == "warehoused_count":
        warehoused.append(Warehoused(line=c.line, product=c.product, day=c.day, units=Fraction(c.new)))
        return False
    at = next((n for n, a in enumerate(attendance) if a.inmate == c.person and a.day == c.day), None)
    if c.type == "excused_absence":
        if at is not None:
            a = attendance[at]
            attendance[at] = replace(a, excused_minutes=a.excused_minutes + Fraction(c.new))
            return False
        attendance.append(
            Attendance(inmate=c.person, day=c.day, present_minutes=ZERO, excused_minutes=Fraction(c.new))
        )
        return True
    # a check-in or check-out: the person-day's minutes present again, from its events and this one
    key = (c.person, c.day)
    event = FactRecord(
        kiosk="", seq=0, hash="", type=c.type, wall_ms=c.at_ms, body={"person": c.person, "day": str(c.day)}
    )
    events = (*checks.get(key, ()), event)
    checks[key] = events
    present = _minutes_of(list(events))
    if at is not None:
        attendance[at] = replace(attendance[at], present_minutes=present)
        return False
    attendance.append(Attendance(inmate=c.person, day=c.day, present_minutes=present, excused_minutes=ZERO))
    return True


def resolve_assignments(master: MasterSnapshot) -> tuple[EngineAssignment, ...]:
    """One non-overlapping assignment per run of days an inmate holds the same post.

    The later created assignment wins a day; a day on which the winner's line does not work (a
    line-specific calendar) gives no post. The engine has one calendar for the month, so this is
    where line calendars are applied; the result is also what a scenario export lists.
    """
    days = master.all_workdays
    by_inmate: dict[str, list[int]] = {}
    for n, a in enumerate(master.assignments):
        by_inmate.setdefault(a.inmate, []).append(n)
    out: list[EngineAssignment] = []
    for inmate in sorted(by_inmate):
        numbers = by_inmate[inmate]
        run: tuple[int, date, date] | None = None
        for day in days:
            winner: int | None = None
            for n in reversed(numbers):
                if master.assignments[n].covers(day):
                    winner = n
                    break
            if winner is not None and day not in master.workdays.get(
                master.assignments[winner].line, frozenset()
            ):
                winner = None
            if run is not None and run[0] == winner:
                run = (run[0], run[1], day)
                continue
            if run is not None:
                out.append(_piece(master.assignments[run[0]], run[1], run[2]))
            run = None if winner is None else (winner, day, day)
        if run is not None:
            out.append(_piece(master.assignments[run[0]], run[1], run[2]))
    return tuple(out)


def _piece(a: EngineAssignment, first: date, last: date) -> EngineAssignment:
    """The days [first, last] of post `a`; a training post keeps the day its ramp counts from."""
    piece = replace(a, valid_from=first, valid_to=last)
    if a.training and a.ramp_from < first:
        piece = replace(piece, training_from=a.ramp_from)
    return piece


def month_input(
    month: Month, master: MasterSnapshot, facts: Facts, *, through: date | None = None
) -> MonthInput:
    """The engine's inputs for `month`: master data, resolved posts, and facts of known people.

    `through` (the site's today) cuts a month in progress: days after it are not workdays yet, so
    nobody owes a quota for a day that has not come.
    """
    if through is not None and through < month.last_day:
        master = replace(master, all_workdays=tuple(d for d in master.all_workdays if d <= through))
    facts = apply_hub_corrections(facts, master.hub_corrections)
    inmates = {i.id for i in master.inmates}
    lines = {x.code for x in master.lines}
    products = {p.code for p in master.products}
    return MonthInput(
        month=month,
        workdays=tuple(d for d in master.all_workdays if month.contains(d)),
        lines=master.lines,
        products=master.products,
        standard_times=master.standard_times,
        inmates=tuple(_exempt_in(i, month) for i in master.inmates),
        assignments=resolve_assignments(master),
        attendance=tuple(a for a in facts.attendance if a.inmate in inmates and month.contains(a.day)),
        counts=tuple(c for c in facts.counts if c.inmate in inmates and month.contains(c.day)),
        warehoused=tuple(
            w for w in facts.warehoused if w.line in lines and w.product in products and month.contains(w.day)
        ),
        ratings=tuple(r for r in master.ratings if r.inmate in inmates and month.contains(r.day)),
        rejects=tuple(r for r in master.rejects if r.inmate in inmates and month.contains(r.day)),
        deductions=tuple(d for d in master.deductions if d.inmate in inmates and month.contains(d.day)),
    )


def capture_inputs(
    grades: Iterable[Mapping[str, Any]],
    rejects: Iterable[Mapping[str, Any]],
    deductions: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """Rule book v2's dashboard capture as the engine takes it, from rows as `hub.store.capture`
    stores them (or as `hub.masterdata.replay` rebuilds them): every grade of a known grade, every
    reject not withdrawn, and only the confirmed deductions (a withdrawn one is `withdrawn`).
    Keyword arguments of `MasterSnapshot`."""
    return {
        "ratings": tuple(
            Rating(inmate=str(g["inmate"]), day=date.fromisoformat(str(g["day"])), grade=g["grade"])
            for g in grades
            if g["grade"] in GRADES  # the service writes no other; verify reports a row edited to one
        ),
        "rejects": tuple(
            Reject(
                inmate=str(r["inmate"]),
                day=date.fromisoformat(str(r["day"])),
                product=str(r["product"]),
                step=str(r["step"]),
                units=Fraction(str(r["units"])),
            )
            for r in rejects
            if r.get("withdrawn_ms") is None  # withdrawn as entered by mistake: it never counted
        ),
        "deductions": tuple(
            Deduction(
                inmate=str(d["inmate"]),
                day=date.fromisoformat(str(d["day"])),
                category=str(d["category"]),
                points=Fraction(str(d["points"])),
                reason=str(d["reason"]),
            )
            for d in deductions
            if d["status"] == "confirmed"
        ),
    }


def _exempt_in(inmate: Inmate, month: Month) -> Inmate:
    """The inmate with only the labor-exemption periods that reach into `month`: the month's input
    lists what concerns it (and a version-1 month before an inmate's first exemption stays valid)."""
    if not inmate.labor_exempt:
        return inmate
    kept = tuple(
        p
        for p in inmate.labor_exempt
        if p.valid_from <= month.last_day and (p.valid_to is None or p.valid_to >= month.first_day)
    )
    return replace(inmate, labor_exempt=kept)


def hub_correction(payload: Mapping[str, Any]) -> HubCorrection:
    """The correction an approved `record.correct` ledger payload describes (raises on anything else)."""
    kind = str(payload["type"])
    if kind not in HUB_CORRECTABLE:
        raise ValueError(f"a {kind} cannot be corrected on the dashboard")
    return HubCorrection(
        type=kind,
        day=date.fromisoformat(str(payload["day"])),
        old=int(payload["old"]),
        new=int(payload["new"]),
        person=str(payload.get("person") or ""),
        line=str(payload.get("line") or ""),
        product=str(payload.get("product") or ""),
        ref=f"{payload['ref_kiosk']}#{payload['ref_seq']}",
    )


def hub_changes(payload: Mapping[str, Any]) -> tuple[HubCorrection, ...]:
    """What an approved `record.correct` or `record.late` ledger payload changes, one per day (an
    excused absence may span days); raises ValueError, KeyError or TypeError on anything else."""
    if "late" not in payload:
        return (hub_correction(payload),)
    kind = str(payload["type"])
    if kind not in LATE_TYPES:
        raise ValueError(f"a {kind} cannot be entered late")
    first = date.fromisoformat(str(payload["day"]))
    last = date.fromisoformat(str(payload.get("last_day") or payload["day"]))
    if not 0 <= (last - first).days < MAX_LATE_DAYS:
        raise ValueError(f"a late entry's days run from {first} to {last}")
    value = int(payload[LATE_TYPES[kind]])
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    return tuple(
        HubCorrection(
            type=kind,
            day=day,
            old=0,
            new=0 if kind in ("check_in", "check_out") else value,
            person=str(payload.get("person") or ""),
            line=str(payload.get("line") or ""),
            product=str(payload.get("product") or ""),
            ref=f"late#{payload['late']}",
            late=True,
            at_ms=value if kind in ("check_in", "check_out") else 0,
        )
        for day in days
    )
