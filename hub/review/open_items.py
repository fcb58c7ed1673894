"""The open items of a month in a set of lines: what must be dealt with before the month is approved.

Counted per kind (the keys are texts `assess.open.<kind>`):
- `dispute`: dispute records (申辩) of the month on those lines with no answer;
- `discrepancy`: counts-vs-warehouse flags with no officer's note for that line, day, product and step;
- `correction`, `late`: correction and late-entry proposals not yet approved;
- `warehoused`: worked line-days (someone present on a production post) with no 入库数 at all, so
  the line's credit that day would be 0;
- `grade` (rule book v2): a rated post's workday with a quota and no grade yet (it earns 0 until
  graded), as the engine lists it (`missing_ratings`);
- `month_review`: an inmate's request for a review (复核) of his published monthly result with no
  answer (`hub.review.month_publication`); its day is the day he asked (in the next month).

Read from the review's tables and THE month input (`hub.results.inputs.month_input`); the guard that
refuses an approval is `hub.review.rules.check_guard`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hub.engine.compute import MonthIndex, compute_line_day
from hub.engine.model import MissingRating, Month
from hub.results import inputs as mi
from hub.review import late
from hub.review.corrections import line_of
from hub.review.month_publication import unanswered_reviews
from hub.store.kiosks import KioskRecord
from hub.store.results import DiscrepancyFlag
from hub.store.review import PROPOSED, CorrectionProposal, DiscrepancyNote, DisputeAnswer

KINDS = ("dispute", "discrepancy", "correction", "late", "warehoused", "grade", "month_review")
# The work queue shows one more kind, never counted against an approval (the month is locked by
# then): a push to the scoring database that keeps failing (`hub.review.push.failing_items`).
QUEUE_KINDS = (*KINDS, "delivery")


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenItem:
    """One thing an officer must deal with, where it is dealt with: the review page of `line` on `day`.

    `who` is the inmate it concerns (None for a line-day's item), `what` a short detail in data
    terms (a product/step, a record reference), shown by the work queue."""

    kind: str
    line: str
    day: date
    who: str | None = None
    what: str = ""
    month: str | None = None  # the month a `month_review` questions (answered on the monthly page)


def list_open(read: mi.MonthInputs, month: Month, lines: Sequence[str]) -> list[OpenItem]:
    """Every open item of `month` on `lines`, by day, line and kind."""
    wanted = set(lines)
    first, last = month.first_day.isoformat(), month.last_day.isoformat()
    items: list[OpenItem] = []

    disputes = KioskRecord.select().where(
        (KioskRecord.type == "dispute") & KioskRecord.day.between(first, last)
    )
    answered = {
        (a.ref_kiosk, int(a.ref_seq))
        for a in DisputeAnswer.select(DisputeAnswer.ref_kiosk, DisputeAnswer.ref_seq)
    }
    for r in disputes:
        line = line_of(r)
        if (r.kiosk, int(r.seq)) not in answered and line in wanted and r.day:
            items.append(
                OpenItem(kind="dispute", line=str(line), day=date.fromisoformat(r.day), who=r.person,
                         what=f"{r.kiosk}#{r.seq}")
            )  # fmt: skip

    notes = {
        (n.line, n.day, n.product, n.step)
        for n in DiscrepancyNote.select().where(DiscrepancyNote.day.between(first, last))
    }
    flags = DiscrepancyFlag.select().where(
        DiscrepancyFlag.line.in_(sorted(wanted)) & DiscrepancyFlag.day.between(first, last)
    )
    for f in flags:
        if (f.line, f.day, f.product, f.step) not in notes:
            items.append(
                OpenItem(
                    kind="discrepancy",
                    line=f.line,
                    day=date.fromisoformat(f.day),
                    what=f"{f.product}/{f.step}",
                )
            )

    proposals = CorrectionProposal.select().where(
        CorrectionProposal.line.in_(sorted(wanted))
        & (CorrectionProposal.status == PROPOSED)
        & CorrectionProposal.day.between(first, last)
    )
    for c in proposals:
        items.append(
            OpenItem(
                kind="correction",
                line=c.line,
                day=date.fromisoformat(c.day),
                what=f"{c.ref_kiosk}#{c.ref_seq}",
            )
        )
    for e in late.open_entries(sorted(wanted), month.first_day, month.last_day):
        items.append(
            OpenItem(kind="late", line=e.line, day=date.fromisoformat(e.day), who=e.person, what=e.type)
        )
    index = MonthIndex(read.inputs, read.rule_set)
    for line, day in missing_warehoused(read, wanted, index):
        items.append(OpenItem(kind="warehoused", line=line, day=day))
    for m in missing_ratings(index, wanted):
        items.append(OpenItem(kind="grade", line=m.line, day=m.day, who=m.inmate, what=m.post))
    for r in unanswered_reviews(month):
        line = line_of(r)
        if line in wanted and r.day:
            items.append(
                OpenItem(kind="month_review", line=line, day=date.fromisoformat(r.day), who=r.person,
                         what=f"{r.kiosk}#{r.seq}", month=str(month))
            )  # fmt: skip
    return sorted(items, key=lambda i: (i.day, i.line, KINDS.index(i.kind), i.what))


def open_items(read: mi.MonthInputs, month: Month, lines: Sequence[str]) -> dict[str, int]:
    """How many items of each kind are open on `lines` in `month` (kinds with none left out)."""
    counts = Counter(item.kind for item in list_open(read, month, lines))
    return {kind: counts[kind] for kind in KINDS if counts[kind]}


def missing_ratings(index: MonthIndex, lines: set[str]) -> list[MissingRating]:
    """Rule book v2: the rated days of `lines` that have a quota and no grade yet (the engine's own
    `missing_ratings`, so the queue and the score agree on what is missing)."""
    if not index.v2:
        return []
    out: list[MissingRating] = []
    for line, day in sorted(index.rated, key=lambda key: (key[1], key[0])):
        if line in lines:
            out.extend(compute_line_day(index, line, day).missing_ratings)
    return out


def missing_warehoused(
    read: mi.MonthInputs, lines: set[str], index: MonthIndex | None = None
) -> list[tuple[str, date]]:
    """Line-days of `lines` where someone was present on a production post and no 入库数 was entered."""
    index = MonthIndex(read.inputs, read.rule_set) if index is None else index
    stored = {(w.line, w.day) for w in read.inputs.warehoused}
    worked: set[tuple[str, date]] = set()
    for a in read.inputs.attendance:
        if not a.present_minutes:
            continue
        n = index.assignment_index(a.inmate, a.day)
        if n is None:
            continue
        line = read.inputs.assignments[n].line
        if line in lines and (line, a.day) in index.groups:
            worked.add((line, a.day))
    return sorted(worked - stored, key=lambda key: (key[1], key[0]))
