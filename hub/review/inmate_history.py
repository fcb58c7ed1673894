"""One inmate's history across months, for the inmate page (#17): what he did, where, and what
became of it.

Read from the stored daily results (exact fractions), master data and the review's tables; the
months' points come from the caller (the monthly assessment computes them, `score_of`), so this
module adds nothing of its own to the arithmetic: a month's completion here is Σearned / Σquota
standard seconds of his stored days, the rule book's monthly completion.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from hub.engine.model import Month, MonthlyScore
from hub.store import masterdata as md
from hub.store.kiosks import KioskRecord
from hub.store.results import DailyResult
from hub.store.review import Adjustment, DisputeAnswer


@dataclass(frozen=True, slots=True, kw_only=True)
class DayPoint:
    day: date
    completion_pct: Fraction | None


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthLine:
    """A month of his: stored days, days the quota was met, completion, and the month's score."""

    month: Month
    days: int
    days_met: int
    completion_pct: Fraction | None
    score: MonthlyScore | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Post:
    line: str
    what: str  # product/step, or the post of a rated assignment
    valid_from: str
    valid_to: str | None
    training: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DisputeLine:
    day: str
    reason: str
    outcome: str | None  # None: not answered yet
    answer: str


def daily_points(inmate: str, first: date, last: date) -> list[DayPoint]:
    """His daily completion from `first` to `last` (a day on two steps: their exact sum)."""
    quota: dict[str, Fraction] = {}
    earned: dict[str, Fraction] = {}
    query = DailyResult.select(
        DailyResult.day, DailyResult.quota_std_seconds, DailyResult.earned_std_seconds
    ).where((DailyResult.inmate == inmate) & DailyResult.day.between(first.isoformat(), last.isoformat()))
    for row in query:
        quota[row.day] = quota.get(row.day, Fraction(0)) + Fraction(row.quota_std_seconds)
        earned[row.day] = earned.get(row.day, Fraction(0)) + Fraction(row.earned_std_seconds)
    return [
        DayPoint(day=date.fromisoformat(d), completion_pct=100 * earned[d] / quota[d] if quota[d] else None)
        for d in sorted(quota)
    ]


def months_held(inmate: str, first: date, last: date) -> set[Month]:
    """The months from `first` to `last` in which he held a post: a month of rated days or of an
    exemption has no stored daily result (rule book v2), and is his month all the same."""
    rows = md.Assignment.select(md.Assignment.valid_from, md.Assignment.valid_to).where(
        (md.Assignment.inmate == inmate)
        & (md.Assignment.valid_from <= last.isoformat())
        & (md.Assignment.valid_to.is_null() | (md.Assignment.valid_to >= first.isoformat()))
    )
    out: set[Month] = set()
    for row in rows:
        start = max(first, date.fromisoformat(str(row.valid_from)))
        end = min(last, date.fromisoformat(str(row.valid_to))) if row.valid_to else last
        month = Month.of(start)
        while month.first_day <= end:
            out.add(month)
            month = Month.of(month.last_day + timedelta(days=1))
    return out


def months_of(
    inmate: str,
    points: list[DayPoint],
    score_of: Callable[[Month], MonthlyScore | None],
    held: Iterable[Month] = (),
) -> list[MonthLine]:
    """The months his days fall in, and those `held` (months_held), newest first, with
    `score_of(month)` (None: not scored)."""
    by_month: dict[Month, list[DayPoint]] = {month: [] for month in held}
    for p in points:
        by_month.setdefault(Month.of(p.day), []).append(p)
    lines = []
    for month in sorted(by_month, key=str, reverse=True):
        days = by_month[month]
        assessed = [p for p in days if p.completion_pct is not None]
        lines.append(
            MonthLine(
                month=month,
                days=len(assessed),
                days_met=sum(1 for p in assessed if p.completion_pct is not None and p.completion_pct >= 100),
                completion_pct=month_completion(inmate, month),
                score=score_of(month),
            )
        )
    return lines


def month_completion(inmate: str, month: Month) -> Fraction | None:
    """Σearned / Σquota standard seconds of his stored days in `month`, x100; None without a quota."""
    quota = Fraction(0)
    earned = Fraction(0)
    query = DailyResult.select(DailyResult.quota_std_seconds, DailyResult.earned_std_seconds).where(
        (DailyResult.inmate == inmate)
        & DailyResult.day.between(month.first_day.isoformat(), month.last_day.isoformat())
    )
    for row in query:
        quota += Fraction(row.quota_std_seconds)
        earned += Fraction(row.earned_std_seconds)
    return 100 * earned / quota if quota else None


def posts(inmate: str) -> list[Post]:
    """Every post he held, newest first."""
    rows = (
        md.Assignment.select().where(md.Assignment.inmate == inmate).order_by(md.Assignment.valid_from.desc())
    )
    steps = {(s.product, s.code): s.name for s in md.Step.select()}
    products = {str(p.code): str(p.name) for p in md.Product.select()}
    names = {str(p.code): str(p.name) for p in md.Post.select()}  # a post by its name: 厨房
    out = []
    for a in rows:
        rated = getattr(a, "mode", "counted") == "rated"
        product = products.get(str(a.product), str(a.product))
        what = (
            names.get(str(a.post), str(a.post))
            if rated
            else f"{product} {steps.get((a.product, a.step), a.step)}"
        )
        out.append(
            Post(line=a.line, what=what, valid_from=a.valid_from, valid_to=a.valid_to,
                 training=bool(getattr(a, "training", False)))
        )  # fmt: skip
    return out


def disputes(inmate: str) -> list[DisputeLine]:
    """His disputes (申辩), newest first, with the officers' answers."""
    answers = {
        (a.ref_kiosk, int(a.ref_seq)): a for a in DisputeAnswer.select().where(DisputeAnswer.person == inmate)
    }
    records = KioskRecord.select().where((KioskRecord.type == "dispute") & (KioskRecord.person == inmate))
    out = []
    for r in sorted(records, key=lambda r: (r.day or "", r.seq), reverse=True):
        answer = answers.get((r.kiosk, int(r.seq)))
        out.append(
            DisputeLine(
                day=r.day or "",
                reason=_dispute_reason(r.body),
                outcome=None if answer is None else answer.outcome,
                answer="" if answer is None else answer.reason,
            )
        )
    return out


def _dispute_reason(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    return str(data.get("reason", "")) + (f" {data['text']}" if data.get("text") else "")


def adjustments(inmate: str) -> list[Adjustment]:
    """His adjustments in force, newest month first."""
    query = Adjustment.select().where((Adjustment.inmate == inmate) & Adjustment.voided_ms.is_null())
    return list(query.order_by(Adjustment.month.desc(), Adjustment.id))
