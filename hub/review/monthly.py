"""Weekly review (周评议) and monthly assessment (月考核): sign-offs, publication, approvals, lock.

Pure rules first (who may do what, the approval chain, parsing an ISO week or a point value), then
the peewee tables, then `Assessment`, the I/O side: it reads the engine's results, writes the tables
and records every officer's act in the hub's ledger inside the same transaction, so a failing ledger
write undoes the act.

- **Weekly review**: per area and ISO week (`2026-W40`), each inmate's quota, earned and completion,
  summed by the engine (`hub.engine.compute.weekly_lines`) from the stored daily results. Officers in
  scope sign off; once signed off it can be published to the area's wall boards for a number of days
  (`PublishedWeek`, a snapshot of the rows: what was published stays what the board shows).
- **Monthly assessment**: the engine's monthly labor scores (`compute_month`) with this module's
  adjustments fed in. Approval chain per area and month: line officer -> area head -> labor section,
  each by its own role and scope, in order. The labor section's approval locks the month
  (`is_locked`): no adjustment here, and no correction or master-data change elsewhere, may alter
  it. Reopening (labor section only, with a reason) voids the approval of the chosen stage and of
  every stage after it; earlier approvals stay.
- **Adjustments** (加扣分) are entered per inmate and month with a reason; a new adjustment (or the
  voiding of one) changes the numbers, so it voids any approvals already given for that area and
  month. Nothing is deleted: an adjustment is voided by a new recorded act.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import peewee as pw

from hub.engine.compute import MonthIndex, compute_month, weekly_lines
from hub.engine.exact import shown
from hub.engine.explain import explain_monthly
from hub.engine.model import Adjustment as EngineAdjustment
from hub.engine.model import DailyRecord, Month, MonthlyScore, RuleSet
from hub.review.lock import STAGES as STAGES
from hub.review.lock import _ensure_bound
from hub.review.lock import active_stages as active_stages
from hub.review.lock import is_locked as is_locked
from hub.store.db import write_transaction
from hub.store.review import Adjustment as Adjustment
from hub.store.review import MonthApproval as MonthApproval
from hub.store.review import PublishedWeek as PublishedWeek
from hub.store.review import WeekSignoff as WeekSignoff

"""The approval chain, in order; each stage is approved by the role of the same name."""

DEFAULT_PUBLISH_DAYS = 7
MAX_PUBLISH_DAYS = 31
REASON_MAX = 200
MAX_ADJUST_POINTS = Fraction(100)
RecordAct = Callable[[str, str, str, dict[str, Any]], None]

_WEEK_RE = re.compile(r"(\d{4})-W(\d{2})")
_POINTS_RE = re.compile(r"[+-]?\d{1,3}(\.\d)?")


class AssessmentError(ValueError):
    """An act refused by the rules; `code` names the reason (the dashboard translates it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# --- pure rules ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who acts, with their scope: a line officer's lines, an area head's area."""

    username: str
    role: str
    lines: tuple[str, ...] = ()
    area: str | None = None


def in_scope(actor: Actor, area: str, area_lines: Iterable[str]) -> bool:
    """Whether `actor` may see and act on `area` (whose lines are `area_lines`)."""
    if actor.role in ("labor_section", "admin"):
        return True
    if actor.role == "area_head":
        return actor.area == area
    if actor.role == "line_officer":
        return any(line in actor.lines for line in area_lines)
    return False


def parse_week(text: str) -> tuple[date, date]:
    """`2026-W40` -> (Monday, Sunday) of that ISO week; AssessmentError for anything else."""
    match = _WEEK_RE.fullmatch(text.strip())
    if not match:
        raise AssessmentError("bad_week", f"not an ISO week (YYYY-Www): {text[:20]!r}")
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError as err:
        raise AssessmentError("bad_week", f"no such ISO week: {text[:20]!r}") from err
    return monday, monday + timedelta(days=6)


def parse_month(text: str) -> Month:
    try:
        return Month.parse(text.strip())
    except ValueError as err:
        raise AssessmentError("bad_month", f"not a month (YYYY-MM): {text[:20]!r}") from err


def parse_points(text: str) -> Fraction:
    """Points with at most one decimal, non-zero, within ±100: "-2", "+1.5"."""
    value = text.strip()
    if not _POINTS_RE.fullmatch(value):
        raise AssessmentError("bad_points", f"not a point value (e.g. -2 or 1.5): {value[:20]!r}")
    try:
        points = Fraction(Decimal(value))
    except InvalidOperation as err:  # pragma: no cover - the pattern admits only decimals
        raise AssessmentError("bad_points", f"not a point value: {value[:20]!r}") from err
    if not points or abs(points) > MAX_ADJUST_POINTS:
        raise AssessmentError("bad_points", "points must be non-zero and within ±100")
    return points


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise AssessmentError("no_reason", "a reason is required")
    if len(text) > REASON_MAX:
        raise AssessmentError("long_reason", f"the reason is longer than {REASON_MAX} characters")
    return text


def next_stage(approved: Sequence[str]) -> str | None:
    """The stage whose approval is due after the `approved` stages (in chain order); None when done."""
    for stage in STAGES:
        if stage not in approved:
            return stage
    return None


def month_state(approved: Sequence[str]) -> str:
    """`open`, `line_officer`, `area_head` (the last stage approved so far), or `locked`."""
    done = [s for s in STAGES if s in approved]
    if not done:
        return "open"
    return "locked" if done[-1] == STAGES[-1] else done[-1]


def check_approval(actor: Actor, area: str, area_lines: Iterable[str], approved: Sequence[str]) -> str:
    """The stage `actor` approves now, or AssessmentError saying why they may not."""
    stage = next_stage(approved)
    if stage is None:
        raise AssessmentError("locked", "the month is already approved and locked")
    if actor.role not in STAGES:
        raise AssessmentError("role", "this role takes no part in the approval chain")
    if not in_scope(actor, area, area_lines):
        raise AssessmentError("scope", f"area {area} is not in your scope")
    if actor.role != stage:
        if STAGES.index(actor.role) > STAGES.index(stage):
            raise AssessmentError("order", f"the {stage} stage must approve first")
        raise AssessmentError("done", f"the {actor.role} stage has already approved")
    return stage


def check_reopen(actor: Actor, approved: Sequence[str], stage: str, reason: str) -> tuple[str, list[str]]:
    """The reason and the stages a reopen at `stage` voids (that stage and every later approved one)."""
    if actor.role != "labor_section":
        raise AssessmentError("role", "only the labor section may reopen a month")
    if stage not in STAGES:
        raise AssessmentError("bad_stage", f"no such stage: {stage[:20]!r}")
    text = check_reason(reason)
    voided = [s for s in STAGES[STAGES.index(stage) :] if s in approved]
    if not voided:
        raise AssessmentError("nothing", "there is no approval to void at or after that stage")
    return text, voided


def check_publish_days(days: int) -> int:
    if not 1 <= days <= MAX_PUBLISH_DAYS:
        raise AssessmentError("bad_days", f"publish for 1 to {MAX_PUBLISH_DAYS} days")
    return days


def below_threshold(
    daily: Iterable[tuple[str, date, Fraction | None]], *, pct: Fraction = Fraction(80), days: int = 5
) -> list[tuple[str, int]]:
    """Inmates with completion below `pct` on at least `days` days: [(inmate, days below)], most first.

    Days without a quota (completion None, fully excused) are not counted either way.
    """
    counts: dict[str, int] = {}
    for inmate, _, completion in daily:
        if completion is not None and completion < pct:
            counts[inmate] = counts.get(inmate, 0) + 1
    found = [(inmate, n) for inmate, n in counts.items() if n >= days]
    return sorted(found, key=lambda item: (-item[1], item[0]))


# --- rows the pages, the board and the exports show -------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekRow:
    """One inmate's ISO week: quota and earned in standard seconds (exact), units as shown."""

    inmate: str
    number: str
    name: str
    days: int
    quota_std_seconds: Fraction
    earned_std_seconds: Fraction
    quota_units: Fraction
    done_units: Fraction

    @property
    def completion_pct(self) -> Fraction | None:
        if not self.quota_std_seconds:
            return None
        return 100 * self.earned_std_seconds / self.quota_std_seconds

    def shown(self) -> dict[str, Any]:
        pct = self.completion_pct
        return {
            "inmate": self.inmate,
            "number": self.number,
            "name": self.name,
            "days": self.days,
            "quota_hours": shown(self.quota_std_seconds / 3600),
            "earned_hours": shown(self.earned_std_seconds / 3600),
            "quota_units": shown(self.quota_units),
            "done_units": shown(self.done_units),
            "completion_pct": None if pct is None else shown(pct),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthRow:
    """One inmate's monthly labor score as the engine computed it, with who they are and where."""

    inmate: str
    number: str
    name: str
    area: str
    score: MonthlyScore


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthView:
    """An area's month: the scores, the rule set, and the approval chain's state."""

    month: Month
    area: str
    rows: tuple[MonthRow, ...]
    rule_set: RuleSet
    approvals: tuple[tuple[str, str, int], ...]  # (stage, approver, approved_ms), active only
    state: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PublishedView:
    """A published weekly review as the wall board reads it."""

    area: str
    week: str
    rows: tuple[dict[str, Any], ...]
    published_by: str
    valid_from: date
    until: date


# --- tables -----------------------------------------------------------------------------------------


MODELS: tuple[type[pw.Model], ...] = (WeekSignoff, PublishedWeek, MonthApproval, Adjustment)


def bind(db: pw.Database) -> None:
    from hub.store.db import bind as bind_models

    bind_models(db, MODELS)


def engine_adjustments(db: pw.Database, month: Month) -> tuple[EngineAdjustment, ...]:
    """The month's adjustments in force, as the engine takes them (`MonthInput.adjustments`)."""
    _ensure_bound(db)
    query = Adjustment.select().where((Adjustment.month == str(month)) & Adjustment.voided_ms.is_null())
    return tuple(
        EngineAdjustment(inmate=a.inmate, points=Fraction(a.points), reason=a.reason)
        for a in query.order_by(Adjustment.id)
    )


def published_weeks(db: pw.Database, area_or_line: str, today: date) -> list[PublishedView]:
    """Weekly reviews published to `area_or_line`'s boards (a line shows its area's) and in force today."""
    from hub.store.masterdata import Line

    _ensure_bound(db)
    line = Line.get_or_none(Line.code == area_or_line)
    area = line.area if line is not None else area_or_line
    text = today.isoformat()
    query = PublishedWeek.select().where(
        (PublishedWeek.area == area) & (PublishedWeek.valid_from <= text) & (PublishedWeek.until >= text)
    )
    return [
        PublishedView(
            area=p.area,
            week=p.week,
            rows=tuple(json.loads(p.rows)),
            published_by=p.published_by,
            valid_from=date.fromisoformat(p.valid_from),
            until=date.fromisoformat(p.until),
        )
        for p in query.order_by(PublishedWeek.week.desc(), PublishedWeek.id.desc())
    ]


def score_areas(
    result: Any,
    line_area: Mapping[str, str],
    person_area: Mapping[str, str | None],
    adjusted: Mapping[str, str],
) -> dict[str, str]:
    """The area whose monthly assessment lists each inmate's score: the area of the line they worked
    last in the month, else the area of an adjustment entered for them, else their own area ("" when
    none). `floorledger verify` uses the same rule to re-derive approved digests."""
    last_line_area: dict[str, str] = {}
    for r in result.daily:  # in day order: the last one wins
        last_line_area[r.inmate] = line_area.get(r.line, "")
    return {
        s.inmate: last_line_area.get(s.inmate) or adjusted.get(s.inmate) or person_area.get(s.inmate) or ""
        for s in result.monthly
    }


def week_rows_of(records: Iterable[DailyRecord], people: Mapping[str, tuple[str, str]]) -> list[WeekRow]:
    """Each inmate's week from their daily records (`people`: inmate -> number, name); what officers
    sign off and publish, and what `floorledger verify` re-derives."""
    records = list(records)
    units: dict[str, tuple[Fraction, Fraction]] = {}
    for r in records:
        quota, done = units.get(r.inmate, (Fraction(0), Fraction(0)))
        units[r.inmate] = (quota + r.quota_units, done + r.done_units)
    by_inmate: dict[str, list[Any]] = {}
    for line in weekly_lines(records):  # a week spanning two months is one ISO week here
        by_inmate.setdefault(line.inmate, []).append(line)
    out: list[WeekRow] = []
    for inmate, parts in sorted(by_inmate.items()):
        number, name = people.get(inmate, (inmate, ""))
        out.append(
            WeekRow(
                inmate=inmate,
                number=number,
                name=name,
                days=sum(p.days for p in parts),
                quota_std_seconds=sum((p.quota_std_seconds for p in parts), Fraction(0)),
                earned_std_seconds=sum((p.earned_std_seconds for p in parts), Fraction(0)),
                quota_units=units[inmate][0],
                done_units=units[inmate][1],
            )
        )
    return out


def rows_digest(rows: Iterable[Any]) -> str:
    """A fingerprint of the numbers an officer signed or approved (kept in the ledger entry)."""
    return hashlib.sha256(json.dumps(list(rows), sort_keys=True, default=str).encode()).hexdigest()


def score_key(score: MonthlyScore) -> list[str]:
    return [
        score.inmate,
        str(score.quota_std_seconds),
        str(score.earned_std_seconds),
        str(score.workdays),
        str(score.days_met),
        str(score.base_points),
        str(score.bonus_points),
        str(score.adjust_points),
        str(score.labor_points),
    ]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class Assessment:
    """The weekly and monthly acts on a bound hub database.

    `results` is the hub's `hub.results.worker.Results` (for the month's engine inputs); `record_act`
    appends to the hub's ledger; `today()` is the site's local date (for publication windows).
    """

    def __init__(
        self,
        db: pw.Database,
        *,
        results: Any,
        record_act: RecordAct | None = None,
        today: Callable[[], date] = date.today,
        clock_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self.db = db
        self.results = results
        self.record_act = record_act
        self.today = today
        self.clock_ms = clock_ms
        _ensure_bound(db)

    # --- scope ---------------------------------------------------------------------------------------

    def areas(self) -> dict[str, str]:
        from hub.store.masterdata import Area

        return {a.code: a.name for a in Area.select().order_by(Area.code)}

    def area_lines(self, area: str) -> list[str]:
        from hub.store.masterdata import Line

        return [x.code for x in Line.select().where(Line.area == area).order_by(Line.code)]

    def visible_areas(self, actor: Actor) -> list[str]:
        return [a for a in self.areas() if in_scope(actor, a, self.area_lines(a))]

    def require_area(self, actor: Actor, area: str) -> list[str]:
        if area not in self.areas():
            raise AssessmentError("no_area", f"no such area: {area[:20]!r}")
        lines = self.area_lines(area)
        if not in_scope(actor, area, lines):
            raise AssessmentError("scope", f"area {area} is not in your scope")
        return lines

    def _act(self, actor: Actor, action: str, subject: str, payload: dict[str, Any]) -> None:
        if self.record_act is not None:
            self.record_act(actor.username, action, subject, payload)

    # --- weekly review -------------------------------------------------------------------------------

    def week_rows(self, area: str, week: str) -> list[WeekRow]:
        """Each inmate's week on the area's lines, summed by the engine from the stored daily results."""
        from hub.results import worker as rs
        from hub.store.masterdata import Inmate

        first, last = parse_week(week)
        lines = self.area_lines(area)
        stored = rs.DailyResult.select().where(
            (rs.DailyResult.day >= first.isoformat())
            & (rs.DailyResult.day <= last.isoformat())
            & rs.DailyResult.line.in_(lines)
        )
        records = [_daily_record(r) for r in stored]
        inmates = list({r.inmate for r in records})
        people = {i.id: (i.number, i.name) for i in Inmate.select().where(Inmate.id.in_(inmates))}
        return week_rows_of(records, people)

    def week_signoffs(self, area: str, week: str) -> list[WeekSignoff]:
        query = WeekSignoff.select().where((WeekSignoff.area == area) & (WeekSignoff.week == week))
        return list(query.order_by(WeekSignoff.id))

    def sign_off_week(self, actor: Actor, area: str, week: str) -> None:
        parse_week(week)
        self.require_area(actor, area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not sign off weekly reviews")
        if any(s.signed_by == actor.username for s in self.week_signoffs(area, week)):
            raise AssessmentError("signed", "you have already signed off this week")
        rows = [r.shown() for r in self.week_rows(area, week)]
        if not rows:
            raise AssessmentError("empty", "there is nothing to sign off for this week")
        digest = rows_digest(rows)
        with write_transaction(self.db):
            WeekSignoff.create(
                area=area,
                week=week,
                signed_by=actor.username,
                role=actor.role,
                rows_digest=digest,
                signed_ms=self.clock_ms(),
            )
            self._act(actor, "week.signoff", f"week:{area}:{week}", {"rows_digest": digest})

    def publish_week(self, actor: Actor, area: str, week: str, days: int = DEFAULT_PUBLISH_DAYS) -> date:
        """Publish the signed-off week to the area's boards from today for `days` days; returns until."""
        parse_week(week)
        check_publish_days(days)
        self.require_area(actor, area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not publish weekly reviews")
        if not self.week_signoffs(area, week):
            raise AssessmentError("unsigned", "sign the week off before publishing it")
        rows = [r.shown() for r in self.week_rows(area, week)]
        start = self.today()
        until = start + timedelta(days=days - 1)
        with write_transaction(self.db):
            PublishedWeek.create(
                area=area,
                week=week,
                rows=json.dumps(rows, ensure_ascii=False),
                published_by=actor.username,
                valid_from=start.isoformat(),
                until=until.isoformat(),
                created_ms=self.clock_ms(),
            )
            self._act(
                actor,
                "week.publish",
                f"week:{area}:{week}",
                {"from": start.isoformat(), "until": until.isoformat(), "rows_digest": rows_digest(rows)},
            )
        return until

    # --- monthly assessment --------------------------------------------------------------------------

    def month_result(self, month: Month) -> tuple[Any, RuleSet, Any]:
        """(MonthResult, rule set, MonthInput) of the whole site, adjustments included."""
        inputs, book = self.results.month_input(month)
        inputs = replace(inputs, adjustments=engine_adjustments(self.db, month))
        rule_set = book.for_month(month)
        return compute_month(inputs, rule_set), rule_set, inputs

    def month_view(self, month: Month, area: str) -> MonthView:
        from hub.store.masterdata import Inmate, Line

        result, rule_set, _ = self.month_result(month)
        line_area = {x.code: x.area for x in Line.select()}
        people = {i.id: i for i in Inmate.select()}
        adjusted = {a.inmate: a.area for a in Adjustment.select().where(Adjustment.month == str(month))}
        areas = score_areas(result, line_area, {i: p.area for i, p in people.items()}, adjusted)
        rows = []
        for score in result.monthly:
            person = people.get(score.inmate)
            where = areas[score.inmate]
            if where != area:
                continue
            rows.append(
                MonthRow(
                    inmate=score.inmate,
                    number=person.number if person else score.inmate,
                    name=person.name if person else "",
                    area=where or "",
                    score=score,
                )
            )
        approvals = (
            MonthApproval.select()
            .where(
                (MonthApproval.month == str(month))
                & (MonthApproval.area == area)
                & MonthApproval.voided_ms.is_null()
            )
            .order_by(MonthApproval.id)
        )
        active = tuple((a.stage, a.approver, a.approved_ms) for a in approvals)
        return MonthView(
            month=month,
            area=area,
            rows=tuple(rows),
            rule_set=rule_set,
            approvals=active,
            state=month_state([a[0] for a in active]),
        )

    def explain(self, month: Month, inmate: str, lang: str = "zh") -> str:
        """The engine's explanation of one inmate's monthly score, adjustments included."""
        _, rule_set, inputs = self.month_result(month)
        return explain_monthly(MonthIndex(inputs, rule_set), inmate).render("en" if lang == "en" else "zh")

    def approve(self, actor: Actor, month: Month, area: str) -> str:
        lines = self.area_lines(area)
        if area not in self.areas():
            raise AssessmentError("no_area", f"no such area: {area[:20]!r}")
        check_approval(actor, area, lines, active_stages(month, area))  # refuse before computing the month
        view = self.month_view(month, area)
        digest = rows_digest(score_key(r.score) for r in view.rows)
        with write_transaction(self.db):
            stage = check_approval(actor, area, lines, active_stages(month, area))
            MonthApproval.create(
                month=str(month),
                area=area,
                stage=stage,
                approver=actor.username,
                rows_digest=digest,
                approved_ms=self.clock_ms(),
            )
            self._act(
                actor,
                "month.approve",
                f"month:{area}:{month}",
                {"stage": stage, "rows_digest": digest, "rule_set": view.rule_set.version},
            )
        return stage

    def reopen(self, actor: Actor, month: Month, area: str, reason: str, stage: str = STAGES[0]) -> list[str]:
        """Void the approval of `stage` and every later stage (labor section only); returns them."""
        self.require_area(actor, area)
        with write_transaction(self.db):
            text, voided = check_reopen(actor, active_stages(month, area), stage, reason)
            self._void(month, area, voided, f"reopen: {text}")
            self._act(actor, "month.reopen", f"month:{area}:{month}", {"stages": voided, "reason": text})
        return voided

    def _void(self, month: Month, area: str, stages: Sequence[str], reason: str) -> None:
        MonthApproval.update(voided_ms=self.clock_ms(), void_reason=reason).where(
            (MonthApproval.month == str(month))
            & (MonthApproval.area == area)
            & MonthApproval.stage.in_(list(stages))
            & MonthApproval.voided_ms.is_null()
        ).execute()

    def adjustments(self, month: Month, area: str) -> list[Adjustment]:
        query = Adjustment.select().where((Adjustment.month == str(month)) & (Adjustment.area == area))
        return list(query.order_by(Adjustment.id))

    def add_adjustment(
        self, actor: Actor, month: Month, area: str, inmate: str, points: str, reason: str
    ) -> Adjustment:
        """Add or deduct points; voids approvals already given (the numbers change); refused when locked."""
        from hub.store.masterdata import Inmate

        self.require_area(actor, area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not enter adjustments")
        value = parse_points(points)
        text = check_reason(reason)
        if Inmate.get_or_none(Inmate.id == inmate.strip()) is None:
            raise AssessmentError("no_inmate", f"no such inmate: {inmate[:20]!r}")
        with write_transaction(self.db):
            approved = active_stages(month, area)
            if STAGES[-1] in approved:
                raise AssessmentError("locked", "the month is approved and locked; reopen it first")
            row = Adjustment.create(
                month=str(month),
                inmate=inmate.strip(),
                area=area,
                points=str(Decimal(value.numerator) / Decimal(value.denominator)),
                reason=text,
                created_by=actor.username,
                created_ms=self.clock_ms(),
            )
            if approved:
                self._void(month, area, approved, "adjustment changed the month")
            self._act(
                actor,
                "month.adjust",
                f"month:{area}:{month}",
                {
                    "id": row.id,
                    "inmate": row.inmate,
                    "points": row.points,
                    "reason": text,
                    "voided": approved,
                },
            )
        return row

    def void_adjustment(self, actor: Actor, adjustment_id: int, reason: str) -> None:
        row = Adjustment.get_or_none(Adjustment.id == adjustment_id)
        if row is None or row.voided_ms is not None:
            raise AssessmentError("no_adjustment", "no such adjustment in force")
        self.require_area(actor, row.area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not enter adjustments")
        text = check_reason(reason)
        month = Month.parse(row.month)
        with write_transaction(self.db):
            approved = active_stages(month, row.area)
            if STAGES[-1] in approved:
                raise AssessmentError("locked", "the month is approved and locked; reopen it first")
            Adjustment.update(voided_ms=self.clock_ms(), voided_by=actor.username, void_reason=text).where(
                Adjustment.id == adjustment_id
            ).execute()
            if approved:
                self._void(month, row.area, approved, "adjustment voided")
            self._act(
                actor,
                "month.adjust_void",
                f"month:{row.area}:{month}",
                {"id": adjustment_id, "reason": text, "voided": approved},
            )


def _daily_record(row: Any) -> DailyRecord:
    return DailyRecord(
        inmate=row.inmate,
        day=date.fromisoformat(row.day),
        line=row.line,
        product=row.product,
        step=row.step,
        mode=row.mode,
        standard_seconds=Fraction(row.standard_seconds),
        standard_from=date.fromisoformat(row.standard_from),
        quota_std_seconds=Fraction(row.quota_std_seconds),
        earned_std_seconds=Fraction(row.earned_std_seconds),
        done_units=Fraction(row.done_units_exact),
    )


def daily_completions(area_lines: Sequence[str], month: Month) -> list[DailyRecord]:
    """The stored daily results of the month on the given lines, as engine records (for the trends)."""
    from hub.results import worker as rs

    stored = rs.DailyResult.select().where(
        (rs.DailyResult.day >= month.first_day.isoformat())
        & (rs.DailyResult.day <= month.last_day.isoformat())
        & rs.DailyResult.line.in_(list(area_lines))
    )
    return [_daily_record(r) for r in stored.order_by(rs.DailyResult.day, rs.DailyResult.inmate)]
