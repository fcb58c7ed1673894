"""THE engine input of a month: everything `compute_month` needs, read from the hub's tables.

Results, the review pages, the monthly assessment, `floorledger verify`, the evidence bundle and the
scenario export all compute a month from `month_input`, so they cannot drift apart. The pure half
(records and master data -> engine inputs) is `hub.results.facts`; this module reads the tables.

The inputs are pinned by a `Cut`, which an approval signs so that `verify` can re-derive it by one
recomputation (docs/audit.md):

- `through`: the site's local date for a month in progress (later days owe no quota yet);
- `heads`: each kiosk's chain head: the records counted are those with `seq <= heads[kiosk]`. Heads,
  not a receipt time or a checkpoint size, because a record's kiosk and seq are inside its signed
  frame (a receipt time is the hub's unsigned column) and a head moves only in the transaction that
  stored every record below it, so heads read once name exactly one set of records;
- `ledger_size`: the ledger's length when read; the dashboard corrections counted are the ledger's
  `record.correct` entries below it (ledger order is signed);
- `adjustment_ids`: the point adjustments in force (their points and reasons are in their signed acts);
- `rule_set`: the version of the rule set the month was computed under.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction
from typing import Any

import peewee as pw

from hub.engine.model import Adjustment as EngineAdjustment
from hub.engine.model import Month, MonthInput, RuleSet
from hub.engine.rules import RuleBook
from hub.ledger.entries import HUB_FACT_ACTIONS
from hub.masterdata import queries as md_queries
from hub.results import facts as fx
from hub.store import capture as cap
from hub.store import masterdata as md_tables
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.ledger import LedgerEntry
from hub.store.review import Adjustment
from hub.store.schema import bind_all

log = logging.getLogger(__name__)

Heads = Mapping[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class Cut:
    """What a month's numbers were computed from (see the module docstring); signed by approvals."""

    through: date | None
    heads: Mapping[str, int]
    ledger_size: int
    adjustment_ids: tuple[int, ...]
    rule_set: str

    def payload(self) -> dict[str, Any]:
        """The fields a ledger act carries (`inputs`)."""
        return {
            "through": None if self.through is None else self.through.isoformat(),
            "heads": dict(sorted(self.heads.items())),
            "ledger_size": self.ledger_size,
            "adjustment_ids": list(self.adjustment_ids),
            "rule_set": self.rule_set,
        }


def cut_of(payload: Mapping[str, Any]) -> Cut:
    """The `Cut` a ledger act's `inputs` names (raises KeyError, TypeError or ValueError otherwise)."""
    through = payload["through"]
    return Cut(
        through=None if through is None else date.fromisoformat(str(through)),
        heads={str(k): int(v) for k, v in dict(payload["heads"]).items()},
        ledger_size=int(payload["ledger_size"]),
        adjustment_ids=tuple(int(i) for i in payload["adjustment_ids"]),
        rule_set=str(payload["rule_set"]),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthInputs:
    """A month's engine input (adjustments included), the rule set and book, and the cut it was read at."""

    inputs: MonthInput
    rule_set: RuleSet
    rule_book: RuleBook
    cut: Cut | None  # None where the caller's own facts were used: nothing to sign
    ignored: tuple[str, ...] = ()


def month_input(
    db: pw.Database,
    month: Month,
    *,
    through: date | None = None,
    as_of: Heads | None = None,
    ledger_below: int | None = None,
    facts: fx.Facts | None = None,
    adjustments: Sequence[tuple[int, EngineAdjustment]] | None = None,
    rule_book: Callable[[], RuleBook] | None = None,
) -> MonthInputs:
    """The engine input of `month` from the bound tables.

    `through` cuts a month in progress at the site's local date; `as_of` counts only the records
    below those kiosk heads (default: the heads now) and only the dashboard corrections up to ledger
    entry `ledger_below` (default: the ledger now). `facts` are the month's facts already derived
    by the caller from the same records (the results worker's cache), so nothing is read twice;
    `adjustments` (id, adjustment) replace the table's (an audit takes them from the signed ledger).
    """
    if Kiosk._meta.database is not db:  # an audit reads a copy of the hub's database
        bind_all(db)
    own = facts is None
    heads = dict(as_of) if as_of is not None else read_heads() if own else {}
    size = (
        ledger_size() if ledger_below is None else ledger_below
    )  # read before the corrections: one committed meanwhile is left out of both
    if facts is None:
        facts = fx.derive(load_records(month.first_day, month.last_day, heads), month)
    master = load_master(month, ledger_below=size)
    if adjustments is None:
        adjustments = in_force_adjustments(month)
    book = (rule_book or md_queries.rule_book)()
    rule_set = book.for_month(month)
    inputs = assemble(month, master, facts, through=through, adjustments=[a for _, a in adjustments])
    cut = (
        Cut(
            through=through,
            heads=heads,
            ledger_size=size,
            adjustment_ids=tuple(i for i, _ in adjustments),
            rule_set=rule_set.version,
        )
        if own
        else None
    )
    return MonthInputs(inputs=inputs, rule_set=rule_set, rule_book=book, cut=cut, ignored=facts.ignored)


def assemble(
    month: Month,
    master: fx.MasterSnapshot,
    facts: fx.Facts,
    *,
    through: date | None,
    adjustments: Sequence[EngineAdjustment],
) -> MonthInput:
    """The pure step every reader shares: facts and master data, then the officers' adjustments (加扣分)."""
    return replace(fx.month_input(month, master, facts, through=through), adjustments=tuple(adjustments))


# --- reading the tables --------------------------------------------------------------------------------


def read_heads() -> dict[str, int]:
    """Each kiosk's chain head now (kiosks without records left out)."""
    query = Kiosk.select(Kiosk.id, Kiosk.head_seq).where(Kiosk.head_seq > 0)
    return {str(k.id): int(k.head_seq) for k in query}


def ledger_size() -> int:
    """The index of the ledger's last entry (0 for an empty or absent ledger)."""
    if LedgerEntry._meta.database is None or LedgerEntry._meta.database is not md_tables.Line._meta.database:
        return 0
    last = LedgerEntry.select(pw.fn.MAX(LedgerEntry.entry_index)).scalar()
    return int(last or 0)


def in_force_adjustments(month: Month) -> list[tuple[int, EngineAdjustment]]:
    """The month's point adjustments in force, by id, as the engine takes them."""
    query = Adjustment.select().where((Adjustment.month == str(month)) & Adjustment.voided_ms.is_null())
    return [
        (a.id, EngineAdjustment(inmate=a.inmate, points=Fraction(a.points), reason=a.reason))
        for a in query.order_by(Adjustment.id)
    ]


def load_master(month: Month, *, ledger_below: int | None = None) -> fx.MasterSnapshot:
    """Master data for a month from the bound `hub.masterdata.service` tables, with the dashboard
    corrections in the ledger (those with an entry index up to `ledger_below`, if given)."""
    first, last = month.first_day, month.last_day
    lines = md_queries.engine_lines()
    workdays = {x.code: frozenset(md_queries.line_workdays(first, last, x.code)) for x in lines}
    return fx.MasterSnapshot(
        lines=lines,
        products=md_queries.engine_products(),
        standard_times=md_queries.engine_standard_times(),
        inmates=md_queries.engine_inmates(),
        assignments=tuple(
            md_queries.engine_assignment(a) for a in md_queries.assignments_between(first, last)
        ),
        workdays=workdays,
        all_workdays=tuple(md_queries.line_workdays(first, last)),
        hub_corrections=load_hub_corrections(first, last, ledger_below=ledger_below),
        **load_capture(first, last),
    )


def load_capture(first: date, last: date) -> dict[str, Any]:
    """Rule book v2's dashboard capture of days in [first, last] (`hub.store.capture`): the grades of
    rated days, the rejects and the confirmed deductions (a proposed one is not in force yet).

    Read only where these tables live in the master data's database, like the hub corrections.
    """
    if cap.Grade._meta.database is None or cap.Grade._meta.database is not md_tables.Line._meta.database:
        return {}
    if not cap.Grade.table_exists():  # type: ignore[no-untyped-call]  # an audited copy from before m005
        return {}
    span = (first.isoformat(), last.isoformat())
    grades = cap.Grade.select().where(cap.Grade.day.between(*span)).order_by(cap.Grade.day, cap.Grade.inmate)
    rejects = cap.Reject.select().where(cap.Reject.day.between(*span)).order_by(cap.Reject.id)
    deductions = cap.Deduction.select().where(cap.Deduction.day.between(*span)).order_by(cap.Deduction.id)
    return fx.capture_inputs(
        (g.__data__ for g in grades), (r.__data__ for r in rejects), (d.__data__ for d in deductions)
    )


def load_hub_corrections(
    first: date, last: date, *, ledger_below: int | None = None
) -> tuple[fx.HubCorrection, ...]:
    """Approved dashboard corrections of records dated in [first, last] and approved late entries
    (a day each) in it, in ledger order.

    Read only where the ledger's table lives in the master data's database (a hub, or an audited
    copy of one): a ledger bound elsewhere belongs to something else.
    """
    database = LedgerEntry._meta.database
    if database is None or database is not md_tables.Line._meta.database:
        return ()
    query = LedgerEntry.select(LedgerEntry.payload).where(LedgerEntry.action.in_(sorted(HUB_FACT_ACTIONS)))
    if ledger_below is not None:
        query = query.where(LedgerEntry.entry_index <= ledger_below)
    out: list[fx.HubCorrection] = []
    for entry in query.order_by(LedgerEntry.entry_index):
        try:
            changes = fx.hub_changes(json.loads(entry.payload))
        except (ValueError, KeyError, TypeError) as err:
            log.warning("ledger correction not understood: %s", err)
            continue
        out.extend(c for c in changes if first <= c.day <= last)
    return tuple(out)


def load_records(first: date, last: date, heads: Heads | None = None) -> list[fx.FactRecord]:
    """Stored records of engine types whose day is in [first, last], and every correction, by commit;
    only those below `heads` if given.

    Corrections carry no day of their own, so all of them are read; they are few.
    """
    query = (
        KioskRecord.select(
            KioskRecord.id,
            KioskRecord.kiosk,
            KioskRecord.seq,
            KioskRecord.hash,
            KioskRecord.type,
            KioskRecord.wall_ms,
            KioskRecord.body,
        )
        .where(
            (KioskRecord.type.in_(sorted(fx.ENGINE_TYPES)) & (KioskRecord.day >= first.isoformat()))
            & (KioskRecord.day <= last.isoformat())
            | (KioskRecord.type == "correction")
        )
        .order_by(KioskRecord.id)
    )
    facts = [fx.as_fact(row) for row in query]
    if heads is None:
        return facts
    return [f for f in facts if f.seq <= heads.get(f.kiosk, 0)]
