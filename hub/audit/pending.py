"""Which daily results `floorledger verify` reports as pending (still being computed), not as findings.

The rule (docs/audit.md, "Pending results"): the results worker writes, after storing the rows, how
far it has computed each kiosk's records (`results_progress`: every record up to `seq`). In verify's
snapshot a record beyond its kiosk's progress is not computed yet, and every line-day it feeds is
pending: its stored rows are not compared. Two bounds keep "pending" from hiding anything for long:

- only records received within `PENDING_WINDOW_MS` of the newest record in the snapshot count; an
  older record the worker has still not computed is reported (the worker is stuck or was stopped),
  and the line-days it feeds are compared as usual;
- a database without any progress row (no worker has recorded one: an old database, a copy made by
  the seed) has nothing pending: every stored row must match every record.

The ledger's acts that change results go the same way (the progress row `*ledger`: acts up to that
entry are computed): a dashboard correction beyond it makes its line-day pending, a master-data
change the whole month of the newest results (the worker recomputes the current month), each only
within `PENDING_WINDOW_MS` of the newest record or act.

A line-day is fed by a record through the person's post that day (check-in, check-out, individual
count, excused absence, confirm) or the line it names (a line's count or warehoused count); a kiosk
correction feeds the line-day of the record it corrects, before and after the correction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from hub.engine.compute import MonthIndex
from hub.results.facts import FactRecord

PENDING_WINDOW_MS = 120_000  # far above the worker's lag on a busy floor (under a second or two)
LineDay = tuple[str, date]


@dataclass(frozen=True, slots=True, kw_only=True)
class Progress:
    """The worker's progress as the snapshot holds it; `heads` None when no worker recorded any."""

    heads: Mapping[str, int] | None
    newest_ms: int  # the newest receipt time (or act time) in the snapshot
    ledger: int | None = None  # acts up to this ledger entry are computed; None: every act is

    def computed(self, kiosk: str, seq: int) -> bool:
        return self.heads is None or seq <= self.heads.get(kiosk, 0)

    def pending(self, kiosk: str, seq: int, received_ms: int) -> bool:
        """Not computed yet, and received recently enough to be still on its way."""
        return not self.computed(kiosk, seq) and received_ms >= self.newest_ms - PENDING_WINDOW_MS

    def act_pending(self, index: int, hub_ms: int) -> bool:
        """A ledger act (master data, dashboard correction) the worker has not computed yet, recent."""
        return (
            self.ledger is not None and index > self.ledger and hub_ms >= self.newest_ms - PENDING_WINDOW_MS
        )


NOTHING_PENDING = Progress(heads=None, newest_ms=0)


def fed_line_days(
    index: MonthIndex, records: Iterable[FactRecord], known: Mapping[tuple[str, int], FactRecord]
) -> set[LineDay]:
    """The line-days of `index` the `records` feed (`known`: the records a correction may name)."""
    bodies: list[Mapping[str, Any]] = []
    for r in records:
        if r.type == "correction":
            target = known.get((str(r.body.get("ref_kiosk")), _int(r.body.get("ref_seq"))))
            if target is not None:
                values = r.body.get("values")
                bodies.append(target.body)
                bodies.append({**target.body, **(dict(values) if isinstance(values, Mapping) else {})})
        else:
            bodies.append(r.body)
    found: set[LineDay] = set()
    for body in bodies:
        try:
            day = date.fromisoformat(str(body.get("day")))
        except ValueError:
            continue
        if "person" in body:
            n = index.assignment_index(str(body["person"]), day)
            if n is not None:
                found.add((index.inputs.assignments[n].line, day))
        elif "line" in body and (str(body["line"]), day) in index.groups:
            found.add((str(body["line"]), day))
    return found


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1
