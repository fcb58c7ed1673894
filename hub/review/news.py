"""What a line plan tells inmates about upheld disputes (a rejected one's reason is the plan's
`notice`, `hub.review.corrections.notice_for`): the days of their record re-counted after an
upheld dispute, their own (`upheld`) or a line-mate's (`linemate`).

An upheld dispute proposes a correction linked to it (`CorrectionProposal.dispute`); once another
officer approves it, the line-day is recomputed, and every inmate with a result on that line-day
may see a different credit (the counts of a step share the warehoused units). Each of them gets the
day and his done figure now in his plan entry for `days_back` days, so the next tap at the kiosk
shows it; before the approval nothing has changed and nothing is said.
"""

from __future__ import annotations

from datetime import date, timedelta

from hub.store.results import DailyResult
from hub.store.review import APPROVED, CorrectionProposal, DisputeAnswer
from protocol.messages import MAX_CHANGES, CreditChange

UPHELD, LINEMATE = "upheld", "linemate"


def credit_changes(day: date, days_back: int = 7) -> dict[str, tuple[CreditChange, ...]]:
    """Inmate id -> the re-counted days in [day - days_back, day] (oldest first, one per day and
    cause), from approved corrections that answered a dispute."""
    first = (day - timedelta(days=days_back)).isoformat()
    approved = CorrectionProposal.select().where(
        (CorrectionProposal.status == APPROVED)
        & CorrectionProposal.dispute.is_null(False)
        & CorrectionProposal.day.between(first, day.isoformat())
    )
    found: dict[str, dict[tuple[str, str], CreditChange]] = {}
    for proposal in approved:
        answer = DisputeAnswer.get_or_none(DisputeAnswer.proposal == proposal.id)
        disputer = None if answer is None else str(answer.person)
        rows = DailyResult.select(DailyResult.inmate, DailyResult.done_units).where(
            (DailyResult.line == proposal.line) & (DailyResult.day == proposal.day)
        )
        done = {str(row.inmate): str(row.done_units) for row in rows}
        people = set(done) | ({disputer} if disputer else set())
        for person in people:
            cause = UPHELD if person == disputer else LINEMATE
            change = CreditChange(day=str(proposal.day), cause=cause, done_units=done.get(person))
            found.setdefault(person, {})[(change.day, cause)] = change
    return {
        person: tuple(sorted(changes.values(), key=lambda c: (c.day, c.cause)))[-MAX_CHANGES:]
        for person, changes in found.items()
    }
