"""The printed documents' data from the hub: the tables the board and the reviews read, turned into the
plain sheets `hub.paper.daily` and `hub.paper.monthly` lay out.

The caller binds the database (the dashboard's and the command line's hub) and decides scope: the
monthly sheet is built from the view the caller may read (`Assessment.readable_view`), so a line
officer's sheet holds the inmates of their lines only, as the monthly page does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation

from hub.engine.exact import shown
from hub.engine.model import Month
from hub.paper.canvas import PaperError
from hub.paper.daily import Checkpoint, DailyRow, DailySheet
from hub.paper.monthly import AdjustmentLine, ApprovalLine, MonthlyRow, MonthlySheet
from hub.paper.weekly import SignoffLine, WeeklyRow, WeeklySheet
from hub.review import corrections as cx
from hub.review import exports
from hub.review.lock import STAGES
from hub.review.monthly import Assessment
from hub.review.rules import Actor, parse_week
from hub.store import masterdata as md
from hub.store.ledger import StoredCheckpoint
from hub.store.results import DailyResult, DiscrepancyFlag
from hub.store.review import APPROVED
from hub.store.web import User


def _decimal(text: str | None) -> Decimal | None:
    if text is None or text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def latest_checkpoint() -> Checkpoint | None:
    """The latest signed checkpoint (the largest tree), as the wall board's fingerprint reads it."""
    sc = StoredCheckpoint
    found = sc.select(sc.root, sc.tree_size).order_by(sc.tree_size.desc(), sc.id.desc()).first()
    return None if found is None else Checkpoint(root=str(found.root), tree_size=int(found.tree_size))


def officer_names() -> dict[str, str]:
    """username -> display name, so paper names the officer as people know them."""
    return {u.username: u.display_name for u in User.select(User.username, User.display_name)}


def daily_sheet(
    line_code: str, day: date, *, printed_by: str, printed_at: str, lang: str = "zh"
) -> DailySheet:
    """Every inmate's result on `line_code` that `day`, by prison number, with the day's flags:
    a count that differs from the warehouse on the row's step (计数差异), a dispute the inmate
    raised that day (申辩), an approved correction of one of the inmate's records (已更正)."""
    line = md.Line.get_or_none(md.Line.code == line_code)
    if line is None:
        raise PaperError("paper.err.no_line", line=line_code)
    area = md.Area.get_or_none(md.Area.code == line.area)
    dr = DailyResult
    results = list(dr.select().where((dr.line == line_code) & (dr.day == day.isoformat())))
    if not results:
        raise PaperError("paper.err.no_results", line=line_code, day=day.isoformat())
    people = {i.id: i for i in md.Inmate.select().where(md.Inmate.id.in_([r.inmate for r in results]))}
    steps = {(s.product, s.code): s.name for s in md.Step.select()}
    flagged = {
        (f.product, f.step)
        for f in DiscrepancyFlag.select().where(
            (DiscrepancyFlag.line == line_code) & (DiscrepancyFlag.day == day.isoformat())
        )
    }
    records = cx.line_day_records(line_code, day)
    disputed = {r.person for r in records if r.type == "dispute"}
    person_of = {(r.kiosk, int(r.seq)): r.person for r in records}
    corrected = {
        person_of.get((p.ref_kiosk, int(p.ref_seq)))
        for p in cx.proposals_for(line_code, day)
        if p.status == APPROVED
    }
    rows = []
    for r in results:
        person = people.get(r.inmate)
        flags = []
        if (r.product, r.step) in flagged:
            flags.append("discrepancy")
        if r.inmate in disputed:
            flags.append("dispute")
        if r.inmate in corrected:
            flags.append("corrected")
        rows.append(
            DailyRow(
                number=person.number if person is not None else r.inmate,
                name=person.name if person is not None else "",
                step=steps.get((r.product, r.step), r.step),
                inmate=str(r.inmate),
                quota_units=_decimal(r.quota_units),
                done_units=_decimal(r.done_units),
                completion_pct=_decimal(r.completion_pct),
                flags=tuple(flags),
            )
        )
    rows.sort(key=lambda row: (row.number, row.step))
    return DailySheet(
        area_name=area.name if area is not None else line.area,
        line_code=line_code,
        line_name=line.name,
        day=day,
        rows=tuple(rows),
        checkpoint=latest_checkpoint(),
        printed_by=printed_by,
        printed_at=printed_at,
        lang=lang,
    )


def monthly_sheet(
    assessment: Assessment,
    actor: Actor | None,
    month: Month,
    area: str,
    *,
    zone: tzinfo | None,
    printed_by: str,
    printed_at: str,
    lang: str = "zh",
    time_text: Callable[[int], str] | None = None,
) -> MonthlySheet:
    """The area's month as `actor` may read it (None: the whole area, for the command line on the hub
    machine); the caller has checked that `actor` may open the area."""
    whole = assessment.month_view(month, area)
    view = whole if actor is None else assessment.readable_view(actor, whole)
    names = officer_names()

    def stamp(ms: int) -> str:
        if time_text is not None:
            return time_text(ms)
        return datetime.fromtimestamp(ms / 1000, zone).strftime("%Y-%m-%d %H:%M")

    rows = []
    for row in view.rows:
        s = row.score
        assessed = s.labor_assessed
        rows.append(
            MonthlyRow(
                number=row.number,
                name=row.name,
                workdays=s.workdays,
                days_met=s.days_met,
                completion_pct=None if s.completion_pct is None else shown(s.completion_pct, 2),
                base_points=shown(s.base_points, 1) if assessed else None,
                bonus_points=shown(s.bonus_points, 1) if assessed else None,
                adjust_points=shown(s.adjust_points, 1) if assessed else None,
                labor_points=shown(s.labor_points, 1) if assessed else None,
            )
        )
    readable = {r.inmate: r for r in view.rows}
    adjustments = []
    for inmate, items in exports.adjustment_items(str(month), area, zone).items():
        who = readable.get(inmate)
        if who is None:
            continue  # another line's inmate: not on a line officer's sheet
        for item in items:
            points = item.points if item.points.startswith("-") else "+" + item.points
            adjustments.append(
                AdjustmentLine(
                    number=who.number,
                    name=who.name,
                    points=points,
                    reason=item.reason,
                    day=item.day,
                    by=names.get(item.by, item.by),
                )
            )
    approved = {stage: (approver, ms) for stage, approver, ms in view.approvals}
    approvals = tuple(
        ApprovalLine(
            stage=stage,
            officer=None if stage not in approved else names.get(approved[stage][0], approved[stage][0]),
            time=None if stage not in approved else stamp(approved[stage][1]),
        )
        for stage in STAGES
    )
    area_row = md.Area.get_or_none(md.Area.code == area)
    return MonthlySheet(
        area_code=area,
        area_name=area_row.name if area_row is not None else area,
        month=str(month),
        state=view.state,
        rule_set_version=view.rule_set.version,
        rows=tuple(rows),
        adjustments=tuple(adjustments),
        approvals=approvals,
        area_rows=len(whole.rows),
        printed_by=printed_by,
        printed_at=printed_at,
        lang=lang,
    )


def weekly_sheet(
    assessment: Assessment,
    actor: Actor | None,
    area: str,
    week: str,
    *,
    zone: tzinfo | None,
    printed_by: str,
    printed_at: str,
    lang: str = "zh",
) -> WeeklySheet:
    """The area's week as the weekly page shows it to `actor` (None: the whole area), with the
    sign-offs given on the dashboard; the caller has checked that `actor` may open the area."""
    monday, sunday = parse_week(week)
    area_rows = assessment.week_rows(area, week)
    allowed = None if actor is None else assessment.readable_inmates(actor, area, monday, sunday)
    names = officer_names()
    rows = []
    for r in area_rows:
        if allowed is not None and r.inmate not in allowed:
            continue
        shown_row = r.shown()
        rows.append(
            WeeklyRow(
                number=r.number,
                name=r.name,
                days=r.days,
                quota_hours=str(shown_row["quota_hours"]),
                earned_hours=str(shown_row["earned_hours"]),
                completion_pct=None
                if shown_row["completion_pct"] is None
                else str(shown_row["completion_pct"]),
            )
        )
    signoffs = tuple(
        SignoffLine(
            officer=names.get(s.signed_by, s.signed_by),
            role=s.role,
            time=datetime.fromtimestamp(s.signed_ms / 1000, zone).strftime("%Y-%m-%d %H:%M"),
        )
        for s in assessment.week_signoffs(area, week)
    )
    area_row = md.Area.get_or_none(md.Area.code == area)
    return WeeklySheet(
        area_code=area,
        area_name=area_row.name if area_row is not None else area,
        week=week,
        first_day=monday.isoformat(),
        last_day=sunday.isoformat(),
        rows=tuple(rows),
        signoffs=signoffs,
        area_rows=len(area_rows),
        printed_by=printed_by,
        printed_at=printed_at,
        lang=lang,
    )


def file_name(kind: str, code: str, period: str, *, draft: bool = False) -> str:
    """`daily-L1-2026-10-28.pdf`, `monthly-A1-2026-10.pdf`; a draft month `monthly-A1-2026-10-草稿.pdf`."""
    return f"{kind}-{code}-{period}{'-草稿' if draft else ''}.pdf"
