"""The inmates' month (公示, 签名确认, 复核): publication to the boards, confirmation, review requests.

Once the area head approves an area's month (`hub.review.monthly.Assessment.approve`, stage
`area_head`), its rows (each inmate's number, name, workdays, completion and labor points) are
published to the area's and its lines' wall boards from that day for the site's
`month_publish_days` (a snapshot: what was published stays what the board shows), with the hub-signed
act `month.publish`. A reopen or an adjustment that voids the area head's approval withdraws the
publication (`withdrawn_ms`); the next area-head approval publishes again.

During the publication window an inmate confirms his result (`month_confirm`) or asks for a review
(`month_review`, with a reason) at his kiosk: both are kiosk-signed records, stored and chained like
every other. A review request is an open item (`hub.review.open_items`, kind `month_review`) until
an officer answers it (`kept` or `changed`, with a reason) by the hub-signed act
`month.review_answer`; the answer goes to his kiosk in the line plan.

The labor section's approval (the lock) is refused until the window has passed and every request
is answered (`hub.review.rules.check_guard` and `check_publication`), unless it
is given with an override reason.

Pure rules first (rows, windows, what the kiosk shows), then the reads and acts on the tables.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from hub.engine.exact import shown
from hub.engine.model import DailyRecord, Month, MonthResult, RatedRecord, iso_week_label
from hub.review.rules import AssessmentError, MonthRow, rows_digest
from hub.store.kiosks import KioskRecord
from hub.store.masterdata import Line
from hub.store.results import DailyResult
from hub.store.review import MonthReviewAnswer, PublishedMonth
from protocol.messages import MonthPublication, PeriodSummary

DEFAULT_MONTH_PUBLISH_DAYS = 5
PUBLISH = "month.publish"
ANSWER = "month.review_answer"
KEPT, CHANGED = "kept", "changed"
OUTCOMES = (KEPT, CHANGED)
CONFIRM_TYPE, REVIEW_TYPE = "month_confirm", "month_review"

RecordAct = Callable[[str, str, str, dict[str, Any]], None]


# --- pure rules ------------------------------------------------------------------------------------


def month_rows_shown(rows: Iterable[MonthRow]) -> list[dict[str, Any]]:
    """The published rows: what the board shows and what the publication act's digest covers.
    Points are None for an inmate not assessed this month (exempt on every workday)."""
    out = []
    for r in rows:
        pct = r.score.completion_pct
        out.append(
            {
                "inmate": r.inmate,
                "number": r.number,
                "name": r.name,
                "days": r.score.workdays,
                "completion_pct": None if pct is None else shown(pct),
                "points": shown(r.score.labor_points, 1) if r.score.labor_assessed else None,
            }
        )
    return out


def publication_window(today: date, days: int) -> tuple[date, date]:
    """First and last day (inclusive) of a publication made today for `days` days."""
    if days < 1:
        raise AssessmentError("bad_days", f"publish for at least one day, not {days}")
    return today, today + timedelta(days=days - 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Figures:
    """An inmate's days of a period (a week, a month so far) as the engine computed them."""

    days: int  # days with a quota (counted or rated)
    quota_std_seconds: Fraction
    earned_std_seconds: Fraction
    rated_days: int
    graded_days: int
    deduct_points: Fraction
    points: Fraction | None  # the month's labor points under the rule set (None for a week)

    def summary(self, period: str) -> PeriodSummary:
        pct = None
        if self.quota_std_seconds:
            pct = shown(100 * self.earned_std_seconds / self.quota_std_seconds)
        return PeriodSummary(
            period=period,
            days=self.days,
            completion_pct=pct,
            rated_days=self.rated_days,
            graded_days=self.graded_days,
            deduct_points=shown(self.deduct_points, 1),
            points=None if self.points is None else shown(self.points, 1),
        )


class MonthDays:
    """A month result's counted and rated days and scores, by inmate (read once per plan: a plan
    summarizes every inmate of a line)."""

    def __init__(self, result: MonthResult) -> None:
        self.month = result.month
        self.counted: dict[str, list[DailyRecord]] = {}
        self.rated: dict[str, list[RatedRecord]] = {}
        for r in result.daily:
            self.counted.setdefault(r.inmate, []).append(r)
        for g in result.rated:
            self.rated.setdefault(g.inmate, []).append(g)
        self.scores = {s.inmate: s for s in result.monthly}


def figures_of(days: MonthDays, inmate: str, first: date, last: date, *, points: bool) -> Figures | None:
    """The inmate's counted and rated days between `first` and `last`, his deductions of those days,
    and (with `points`) his monthly labor points; None without any day."""
    counted = [r for r in days.counted.get(inmate, ()) if first <= r.day <= last]
    rated = [r for r in days.rated.get(inmate, ()) if first <= r.day <= last]
    if not counted and not rated:
        return None
    score = days.scores.get(inmate)
    deductions = () if score is None else score.deductions
    quotas = [r.quota_std_seconds for r in counted] + [r.quota_std_seconds for r in rated]
    earned = [r.earned_std_seconds for r in counted] + [r.earned_std_seconds for r in rated]
    return Figures(
        days=sum(1 for q in quotas if q),
        quota_std_seconds=sum(quotas, Fraction(0)),
        earned_std_seconds=sum(earned, Fraction(0)),
        rated_days=len(rated),
        graded_days=sum(1 for r in rated if r.grade is not None),
        deduct_points=sum((d.points for d in deductions if first <= d.day <= last), Fraction(0)),
        points=None if score is None or not points or not score.labor_assessed else score.labor_points,
    )


def summaries(
    result: MonthResult | MonthDays, inmate: str, today: date
) -> tuple[PeriodSummary | None, PeriodSummary | None]:
    """The inmate's week so far (this ISO week's days of this month up to today) and month so far."""
    days = result if isinstance(result, MonthDays) else MonthDays(result)
    month = days.month
    monday = max(today - timedelta(days=today.weekday()), month.first_day)
    week = figures_of(days, inmate, monday, today, points=False)
    so_far = figures_of(days, inmate, month.first_day, today, points=True)
    return (
        None if week is None else week.summary(iso_week_label(today)),
        None if so_far is None else so_far.summary(str(month)),
    )


def status_of(confirmed: bool, review: tuple[str, str] | None, asked: bool) -> str:
    """An inmate's state of a published month: `open`, `confirmed`, `review` (asked, no answer yet),
    or the answer's outcome (`kept`, `changed`); `review` = (outcome, reason) of the answer."""
    if review is not None:
        return review[0]
    if asked:
        return "review"
    return "confirmed" if confirmed else "open"


# --- reads ------------------------------------------------------------------------------------------


def in_force(month: Month | str, area: str) -> PublishedMonth | None:
    """The area's publication of `month` in force (the latest not withdrawn), if any."""
    row: PublishedMonth | None = (
        PublishedMonth.select()
        .where(
            (PublishedMonth.month == str(month))
            & (PublishedMonth.area == area)
            & PublishedMonth.withdrawn_ms.is_null()
        )
        .order_by(PublishedMonth.id.desc())
        .first()
    )
    return row


def published_persons(month: Month | str, area: str) -> list[str]:
    """Every inmate any publication of the area's `month` listed, withdrawn ones included (a request
    asked under a publication since withdrawn still waits for its answer)."""
    query = PublishedMonth.select(PublishedMonth.rows).where(
        (PublishedMonth.month == str(month)) & (PublishedMonth.area == area)
    )
    return sorted({str(r.get("inmate")) for p in query for r in json.loads(p.rows)})


def area_of_person(month: Month | str, person: str) -> str | None:
    """The area whose latest publication of `month` listed `person` (withdrawn ones included)."""
    query = (
        PublishedMonth.select().where(PublishedMonth.month == str(month)).order_by(PublishedMonth.id.desc())
    )
    for p in query:
        if any(r.get("inmate") == person for r in json.loads(p.rows)):
            return str(p.area)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedMonthView:
    """A published month as the wall board reads it."""

    area: str
    month: str
    rows: tuple[dict[str, Any], ...]
    valid_from: date
    until: date


def published_months(area_or_line: str, today: date) -> list[PublishedMonthView]:
    """Monthly results published to `area_or_line`'s boards and in force today. A line's board shows
    only the rows of inmates who worked on that line in the month."""
    line = Line.get_or_none(Line.code == area_or_line)
    area = line.area if line is not None else area_or_line
    text = today.isoformat()
    query = PublishedMonth.select().where(
        (PublishedMonth.area == area)
        & PublishedMonth.withdrawn_ms.is_null()
        & (PublishedMonth.valid_from <= text)
        & (PublishedMonth.until >= text)
    )
    views = []
    for p in query.order_by(PublishedMonth.month.desc(), PublishedMonth.id.desc()):
        rows = tuple(json.loads(p.rows))
        if line is not None:
            on_line = _worked_on(line.code, Month.parse(p.month))
            rows = tuple(r for r in rows if r.get("inmate") in on_line)
        views.append(
            PublishedMonthView(
                area=p.area,
                month=p.month,
                rows=rows,
                valid_from=date.fromisoformat(p.valid_from),
                until=date.fromisoformat(p.until),
            )
        )
    return views


def _worked_on(line: str, month: Month) -> set[str]:
    query = DailyResult.select(DailyResult.inmate).where(
        (DailyResult.line == line)
        & (DailyResult.day >= month.first_day.isoformat())
        & (DailyResult.day <= month.last_day.isoformat())
    )
    return {r.inmate for r in query}


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewRequest:
    """An inmate's request for a review of his published month, with its answer once given."""

    kiosk: str
    seq: int
    person: str
    month: str
    day: str
    reason: str
    text: str
    points: str
    answer: MonthReviewAnswer | None


def _month_records(kind: str, persons: Sequence[str] | None = None) -> list[tuple[Any, dict[str, Any]]]:
    query = KioskRecord.select().where(KioskRecord.type == kind)
    if persons is not None:
        query = query.where(KioskRecord.person.in_(list(persons)))
    return [(r, json.loads(r.body)) for r in query.order_by(KioskRecord.id)]


def review_requests(month: Month | str, persons: Iterable[str] | None = None) -> list[ReviewRequest]:
    """The review requests of `month` (of `persons` only, when given), oldest first, with answers."""
    wanted = None if persons is None else sorted(set(persons))
    answers = {(a.ref_kiosk, int(a.ref_seq)): a for a in MonthReviewAnswer.select()}
    out = []
    for row, body in _month_records(REVIEW_TYPE, wanted):
        if body.get("month") != str(month):
            continue
        out.append(
            ReviewRequest(
                kiosk=row.kiosk,
                seq=int(row.seq),
                person=str(body.get("person")),
                month=str(month),
                day=str(body.get("day")),
                reason=str(body.get("reason")),
                text=str(body.get("text") or ""),
                points=str(body.get("points")),
                answer=answers.get((row.kiosk, int(row.seq))),
            )
        )
    return out


def confirmed_persons(month: Month | str, persons: Iterable[str]) -> set[str]:
    """Which of `persons` confirmed their published result of `month` (签名确认)."""
    return {
        str(body.get("person"))
        for _, body in _month_records(CONFIRM_TYPE, sorted(set(persons)))
        if body.get("month") == str(month)
    }


def unanswered_reviews(month: Month | str) -> list[Any]:
    """The stored `month_review` records of `month` that no officer has answered (for the queue)."""
    answered = {(a.ref_kiosk, int(a.ref_seq)) for a in MonthReviewAnswer.select()}
    return [
        row
        for row, body in _month_records(REVIEW_TYPE)
        if body.get("month") == str(month) and (row.kiosk, int(row.seq)) not in answered
    ]


def plan_publications(area: str, today: date) -> dict[str, MonthPublication]:
    """What the kiosks show each inmate of `area` of his published month, by inmate: the latest
    publication in force today (or whose answer he may still read: a week after the window) that
    lists him, his row, his state and the officers' answer to his review request. Read once per
    plan (a few queries for the whole area)."""
    text = today.isoformat()
    since = (today - timedelta(days=7)).isoformat()
    found = (
        PublishedMonth.select()
        .where(
            (PublishedMonth.area == area)
            & PublishedMonth.withdrawn_ms.is_null()
            & (PublishedMonth.valid_from <= text)
            & (PublishedMonth.until >= since)
        )
        .order_by(PublishedMonth.month.desc(), PublishedMonth.id.desc())
    )
    out: dict[str, MonthPublication] = {}
    for p in found:
        rows = {str(r.get("inmate")): r for r in json.loads(p.rows) if str(r.get("inmate")) not in out}
        if not rows:
            continue
        people = sorted(rows)
        confirmed = confirmed_persons(p.month, people)
        asked: dict[str, list[ReviewRequest]] = {}
        for request in review_requests(p.month, people):
            asked.setdefault(request.person, []).append(request)
        for person, row in rows.items():
            mine = asked.get(person, [])
            answer = next((a.answer for a in reversed(mine) if a.answer is not None), None)
            out[person] = MonthPublication(
                month=p.month,
                days=int(row.get("days") or 0),
                completion_pct=row.get("completion_pct"),
                points=row.get("points"),
                valid_from=p.valid_from,
                until=p.until,
                status=status_of(
                    person in confirmed,
                    None if answer is None else (answer.outcome, answer.reason),
                    bool(mine),
                ),
                answer=None if answer is None else str(answer.reason),
            )
    return out


# --- acts (inside the caller's transaction) --------------------------------------------------------


def publish(
    *,
    actor: str,
    month: Month,
    area: str,
    rows: Sequence[MonthRow],
    today: date,
    days: int,
    now_ms: int,
    record_act: RecordAct | None,
) -> PublishedMonth:
    """Publish the area's month (its approved rows) from today for `days` days, ledgered."""
    first, until = publication_window(today, days)
    shown_rows = month_rows_shown(rows)
    digest = rows_digest(shown_rows)
    row = PublishedMonth.create(
        month=str(month),
        area=area,
        rows=json.dumps(shown_rows, ensure_ascii=False),
        rows_digest=digest,
        published_by=actor,
        valid_from=first.isoformat(),
        until=until.isoformat(),
        created_ms=now_ms,
    )
    if record_act is not None:
        record_act(
            actor,
            PUBLISH,
            f"month:{area}:{month}",
            {"id": row.id, "from": first.isoformat(), "until": until.isoformat(), "rows_digest": digest},
        )
    return row


def withdraw(month: Month | str, area: str, now_ms: int) -> int:
    """Withdraw the area's publications of `month` in force (its area-head approval was voided)."""
    return int(
        PublishedMonth.update(withdrawn_ms=now_ms)
        .where(
            (PublishedMonth.month == str(month))
            & (PublishedMonth.area == area)
            & PublishedMonth.withdrawn_ms.is_null()
        )
        .execute()
    )


def request_of(kiosk: str, seq: int) -> ReviewRequest:
    """The review request `kiosk#seq`, or AssessmentError."""
    row = KioskRecord.get_or_none((KioskRecord.kiosk == kiosk) & (KioskRecord.seq == seq))
    if row is None or row.type != REVIEW_TYPE:
        raise AssessmentError("not_review", f"no review request {kiosk[:20]}#{seq}")
    body = json.loads(row.body)
    answer = MonthReviewAnswer.get_or_none(
        (MonthReviewAnswer.ref_kiosk == kiosk) & (MonthReviewAnswer.ref_seq == seq)
    )
    return ReviewRequest(
        kiosk=kiosk,
        seq=seq,
        person=str(body["person"]),
        month=str(body["month"]),
        day=str(body["day"]),
        reason=str(body["reason"]),
        text=str(body.get("text") or ""),
        points=str(body["points"]),
        answer=answer,
    )


def record_answer(
    *,
    request: ReviewRequest,
    area: str,
    outcome: str,
    reason: str,
    officer: str,
    now_ms: int,
    record_act: RecordAct | None,
) -> MonthReviewAnswer:
    """Store and ledger the answer to `request` (checked by the caller)."""
    if outcome not in OUTCOMES:
        raise AssessmentError("bad_outcome", f"not an outcome: {outcome[:20]!r}")
    answer = MonthReviewAnswer.create(
        ref_kiosk=request.kiosk,
        ref_seq=request.seq,
        person=request.person,
        month=request.month,
        area=area,
        outcome=outcome,
        reason=reason,
        officer=officer,
        answered_ms=now_ms,
    )
    if record_act is not None:
        record_act(
            officer,
            ANSWER,
            f"{request.kiosk}#{request.seq}",
            {
                "id": answer.id,
                "person": request.person,
                "month": request.month,
                "area": area,
                "outcome": outcome,
                "reason": reason,
            },
        )
    return answer
