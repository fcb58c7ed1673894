"""The content of an inmate's labor assessment report over a range of months (for a parole file), as
one canonical JSON document the hub signs (`hub.review.report_signature`) and the paper prints
(`hub.paper.report`).

Every number is the monthly assessment's own: the engine's month computed from THE month input
(`Assessment.month_result`, adjustments included), rounded as the exports round it, and the engine's
explanation of the month's score (`hub.engine.explain`). Beside the numbers: grades on rated posts,
training days, exempt days, deductions and adjustments with their reasons, the inmate's disputes with
the officers' answers, and the reviews (weekly sign-offs of his area, the monthly approval chain).
Codes (states, stages, deduction categories, dispute reasons) stay codes in the document; the paper
and `verify-report` name them in the reader's language.

A line-mate appears nowhere in the document: the explanation names the group's members by internal
id only where the engine's arithmetic needs them (counts shared on a line-day).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from fractions import Fraction
from typing import Any

from hub.engine.compute import MonthIndex
from hub.engine.errors import EngineError
from hub.engine.exact import shown
from hub.engine.explain import explain_monthly
from hub.engine.model import Month, MonthlyScore
from hub.review import exports
from hub.review import inmate_history as ih
from hub.review.lock import STAGES
from hub.review.monthly import Assessment
from hub.review.report_signature import FORMAT, Seal
from hub.review.report_texts import TEXTS as _TEXTS  # noqa: F401 - registers the refusals' words
from hub.review.rules import AssessmentError, month_state, score_areas
from hub.store import masterdata as md
from hub.store.ledger import StoredCheckpoint
from hub.store.review import Adjustment, MonthApproval, WeekSignoff
from hub.store.web import User

MOST_MONTHS = 36


@dataclass(frozen=True, slots=True, kw_only=True)
class Issue:
    """Who issues the report, when, in which time zone and language."""

    by: str
    at: datetime  # aware, in the site's zone
    zone_name: str
    lang: str = "zh"


def months_between(first: Month, last: Month) -> list[Month]:
    """`first` .. `last` inclusive; refused when reversed or longer than MOST_MONTHS."""
    out: list[Month] = []
    month = first
    while month <= last and len(out) <= MOST_MONTHS:
        out.append(month)
        month = Month.of(month.last_day + timedelta(days=1))
    if not out or len(out) > MOST_MONTHS:
        raise AssessmentError("report_range", f"bad month range {first} to {last}")
    return out


def _points(value: Fraction, assessed: bool) -> str | None:
    return shown(value, 1) if assessed else None


def _score_fields(score: MonthlyScore | None) -> dict[str, Any]:
    if score is None:
        return {"scored": False}
    assessed = score.labor_assessed
    pct = score.completion_pct
    return {
        "scored": True,
        "assessed": assessed,
        "workdays": score.workdays,
        "days_met": score.days_met,
        "completion_pct": None if pct is None else shown(pct, 2),
        "base_points": _points(score.base_points, assessed),
        "bonus_points": _points(score.bonus_points, assessed),
        "additions_points": _points(score.additions_points, assessed),
        "adjust_points": _points(score.adjust_points, assessed),
        "deduct_points": _points(score.deduct_points, assessed),
        "labor_points": _points(score.labor_points, assessed),
    }


def _stamp(ms: int, zone: tzinfo | None) -> str:
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%Y-%m-%d %H:%M")


def _weeks_of(month: Month) -> list[str]:
    """The ISO weeks whose Thursday falls in the month (each week belongs to one month)."""
    weeks = []
    day = month.first_day
    while day <= month.last_day:
        if day.isoweekday() == 4:
            year, week, _ = day.isocalendar()
            weeks.append(f"{year:04d}-W{week:02d}")
        day += timedelta(days=1)
    return weeks


def _month(
    assessment: Assessment,
    inmate: md.Inmate,
    month: Month,
    *,
    zone: tzinfo | None,
    lang: str,
    names: Callable[[str], str],
    disputes: list[ih.DisputeLine],
) -> dict[str, Any]:
    result, read = assessment.month_result(month)
    score = next((s for s in result.monthly if s.inmate == inmate.id), None)
    line_area = {x.code: x.area for x in md.Line.select()}
    adjusted = {
        a.inmate: a.area
        for a in Adjustment.select().where(
            (Adjustment.month == str(month)) & (Adjustment.inmate == inmate.id)
        )
    }
    area = score_areas(result, line_area, {inmate.id: inmate.area}, adjusted).get(inmate.id) or (
        inmate.area or ""
    )
    ma = MonthApproval
    approvals = list(
        ma.select()
        .where((ma.month == str(month)) & (ma.area == area) & ma.voided_ms.is_null())
        .order_by(ma.id)
    )
    approved = {a.stage: a for a in approvals}
    state = month_state([a.stage for a in approvals])
    index = MonthIndex(read.inputs, read.rule_set)
    explanation = None
    if score is not None:
        try:
            explanation = explain_monthly(index, inmate.id).render("en" if lang == "en" else "zh")
            # the paper names a person by prison number, never by the hub's internal id
            explanation = explanation.replace(f" {inmate.id} ", f" {inmate.number} ", 1)
        except EngineError:
            explanation = None
    rated = sorted((r for r in result.rated if r.inmate == inmate.id), key=lambda r: r.day)
    counted = [r for r in result.daily if r.inmate == inmate.id]
    training = sorted(
        {(r.day, r.training_pct) for r in counted if r.training_pct is not None}
        | {(r.day, r.training_pct) for r in rated if r.training_pct is not None}
    )
    area_row = md.Area.get_or_none(md.Area.code == area)
    signoffs = []
    for week in _weeks_of(month):
        for s in (
            WeekSignoff.select()
            .where((WeekSignoff.area == area) & (WeekSignoff.week == week))
            .order_by(WeekSignoff.id)
        ):
            signoffs.append(
                {
                    "week": week,
                    "officer": names(s.signed_by),
                    "role": s.role,
                    "time": _stamp(s.signed_ms, zone),
                }
            )
    return {
        "month": str(month),
        "area": area,
        "area_name": area_row.name if area_row is not None else area,
        "state": state,
        "final": state == "locked",
        "rule_set": read.rule_set.version,
        **_score_fields(score),
        "grades": [{"day": r.day.isoformat(), "post": r.post, "grade": r.grade} for r in rated],
        "training": [{"day": d.isoformat(), "pct": shown(p, 0)} for d, p in training],
        "exempt_days": [d.isoformat() for d in index.days if index.exempt_on(inmate.id, d)],
        "deductions": [
            {
                "day": d.day.isoformat(),
                "category": d.category,
                "points": shown(d.points, 1),
                "reason": d.reason,
            }
            for d in (score.deductions if score is not None else ())
        ],
        "adjustments": [
            {"day": a.day, "points": a.points, "reason": a.reason, "by": names(a.by)}
            for a in exports.adjustment_items(str(month), area, zone).get(inmate.id, [])
        ],
        "disputes": [
            {
                "day": d.day,
                "reason": d.reason.partition(" ")[0],
                "text": d.reason.partition(" ")[2],
                "outcome": d.outcome,
                "answer": d.answer,
            }
            for d in sorted(disputes, key=lambda d: d.day)
            if d.day[:7] == str(month)
        ],
        "approvals": [
            {
                "stage": stage,
                "officer": names(approved[stage].approver) if stage in approved else None,
                "time": _stamp(approved[stage].approved_ms, zone) if stage in approved else None,
            }
            for stage in STAGES
        ],
        "weekly_signoffs": signoffs,
        "explanation": explanation,
    }


def report_document(
    assessment: Assessment, number: str, first: Month, last: Month, *, issue: Issue, zone: tzinfo | None
) -> dict[str, Any]:
    """The report of the inmate with prison number (or id) `number` over `first`..`last`."""
    months = months_between(first, last)
    inmate = md.Inmate.get_or_none(md.Inmate.number == number) or md.Inmate.get_or_none(
        md.Inmate.id == number
    )
    if inmate is None:
        raise AssessmentError("no_inmate", f"no inmate {number[:20]!r}")
    officers = {u.username: u.display_name for u in User.select(User.username, User.display_name)}

    def names(username: str) -> str:
        return officers.get(username) or username

    disputes = ih.disputes(inmate.id)
    lines = [
        _month(assessment, inmate, m, zone=zone, lang=issue.lang, names=names, disputes=disputes)
        for m in months
    ]
    assessed = [m for m in lines if m.get("scored") and m.get("assessed")]
    total = sum((Fraction(m["labor_points"]) for m in assessed), Fraction(0))
    area = md.Area.get_or_none(md.Area.code == inmate.area)
    cp = StoredCheckpoint
    checkpoint = cp.select(cp.root, cp.tree_size).order_by(cp.tree_size.desc(), cp.id.desc()).first()
    return {
        "format": FORMAT,
        "lang": issue.lang,
        "inmate": {
            "number": inmate.number,
            "name": inmate.name,
            "area": inmate.area or "",
            "area_name": area.name if area is not None else (inmate.area or ""),
        },
        "from": str(first),
        "to": str(last),
        "issued_by": issue.by,
        "issued_at": issue.at.strftime("%Y-%m-%d %H:%M"),
        "zone": issue.zone_name,
        "checkpoint": None
        if checkpoint is None
        else {"root": str(checkpoint.root), "tree_size": int(checkpoint.tree_size)},
        "months": lines,
        "totals": {"months_assessed": len(assessed), "labor_points": shown(total, 1)},
    }


def record_issue(
    record_act: Callable[[str, str, str, dict[str, Any]], object],
    actor: str,
    document: dict[str, Any],
    sealed: Seal,
) -> None:
    """The issue of a report in the hub's ledger (`report.issue`): whose, which months, its digest and
    verification code, so the hub can later say which reports it issued."""
    number = document["inmate"]["number"]
    person = md.Inmate.get_or_none(md.Inmate.number == number)
    record_act(
        actor,
        "report.issue",
        number if person is None else str(person.id),  # the subject names an inmate as other acts do
        {"from": document["from"], "to": document["to"], "digest": sealed.digest, "code": sealed.code},
    )


def first_and_last(today: date, months: int = 6) -> tuple[Month, Month]:
    """The default range of a report printed on `today`: the `months` months up to this one."""
    last = Month.of(today)
    first = last
    for _ in range(months - 1):
        first = Month.of(first.first_day - timedelta(days=1))
    return first, last
