"""Weekly review (周评议): each inmate's ISO week, sign-off and publication to the wall boards.

Per area and ISO week (`2026-W40`), each inmate's quota, earned and completion, summed by the engine
(`hub.engine.compute.weekly_lines`) from the daily results. Officers in scope sign off; once signed
off it can be published to the area's wall boards for a number of days (`PublishedWeek`, a snapshot
of the rows: what was published stays what the board shows).

A sign-off and a publication sign their inputs: the rows are computed from THE month input
(`hub.results.inputs.month_input`) at one `Cut` (kiosk heads, ledger size, local date), the act's
ledger entry carries that cut (`inputs`), and the digest the page showed must be the digest of those
rows, or the act is refused (`stale`): an officer never signs numbers they did not see, and
`floorledger verify` re-derives the act by one recomputation.

`WeeklyReview` also holds the scope questions both reviews ask (`areas`, `require_area`);
`hub.review.monthly.Assessment` extends it with the monthly acts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import peewee as pw

from hub.engine.compute import MonthIndex
from hub.engine.model import DailyRecord, Month
from hub.results import inputs as mi
from hub.review.lock import STAGES
from hub.review.rules import (
    DEFAULT_PUBLISH_DAYS,
    Actor,
    AssessmentError,
    PublishedView,
    WeekRow,
    check_publish_days,
    in_scope,
    parse_week,
    reads_whole_area,
    rows_digest,
    week_months,
    week_records,
    week_rows_of,
)
from hub.store.db import write_transaction
from hub.store.masterdata import Area, Assignment, Inmate, Line
from hub.store.results import DailyResult
from hub.store.review import PublishedWeek, WeekSignoff

RecordAct = Callable[[str, str, str, dict[str, Any]], None]


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class WeeklyReview:
    """The weekly acts on a bound hub database.

    `record_act` appends to the hub's ledger; `today()` is the site's local date (for publication
    windows and the last day of a month in progress).
    """

    def __init__(
        self,
        db: pw.Database,
        *,
        record_act: RecordAct | None = None,
        today: Callable[[], date] = date.today,
        clock_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self.db = db
        self.record_act = record_act
        self.today = today
        self.clock_ms = clock_ms

    # --- scope ---------------------------------------------------------------------------------------

    def areas(self) -> dict[str, str]:
        return {a.code: a.name for a in Area.select().order_by(Area.code)}

    def area_lines(self, area: str) -> list[str]:
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

    def readable_lines(self, actor: Actor, area: str) -> list[str]:
        """The area's lines whose charts and rows `actor` reads: all, or a line officer's own."""
        lines = self.area_lines(area)
        return lines if reads_whole_area(actor) else [x for x in lines if x in actor.lines]

    def readable_inmates(self, actor: Actor, area: str, first: date, last: date) -> frozenset[str] | None:
        """The inmates of the area's rows between `first` and `last` that `actor` may read: None for
        all of them; for a line officer, those with a post on one of their own lines on a day of it."""
        if reads_whole_area(actor):
            return None
        lines = self.readable_lines(actor, area)
        if not lines:
            return frozenset()
        posts = Assignment.select(Assignment.inmate).where(
            Assignment.line.in_(lines)
            & (Assignment.valid_from <= last.isoformat())
            & (Assignment.valid_to.is_null() | (Assignment.valid_to >= first.isoformat()))
        )
        return frozenset(p.inmate for p in posts)

    def _act(self, actor: Actor, action: str, subject: str, payload: dict[str, Any]) -> None:
        if self.record_act is not None:
            self.record_act(actor.username, action, subject, payload)

    # --- weekly review -------------------------------------------------------------------------------

    def week_rows(self, area: str, week: str) -> list[WeekRow]:
        """Each inmate's week on the area's lines, summed by the engine from the stored daily results
        (what the page shows; the acts recompute it, see `signed_week`)."""
        first, last = parse_week(week)
        lines = self.area_lines(area)
        stored = DailyResult.select().where(
            (DailyResult.day >= first.isoformat())
            & (DailyResult.day <= last.isoformat())
            & DailyResult.line.in_(lines)
        )
        records = [daily_record(r) for r in stored]
        return week_rows_of(records, self._people({r.inmate for r in records}))

    def signed_week(self, area: str, week: str) -> tuple[list[WeekRow], dict[str, Any]]:
        """The area's week rows recomputed from THE month input of each month the week touches, at
        one cut (the heads and the ledger read once), and that cut as an act's `inputs` carry it."""
        monday, sunday = parse_week(week)
        through = self.today()
        heads, size = mi.read_heads(), mi.ledger_size()
        indexes, cuts = [], []
        for month in week_months(monday, sunday):
            read = mi.month_input(self.db, month, through=through, as_of=heads, ledger_below=size)
            indexes.append(MonthIndex(read.inputs, read.rule_set))
            assert read.cut is not None
            cuts.append(read.cut)
        records = week_records(indexes, self.area_lines(area), monday, sunday)
        rows = week_rows_of(records, self._people({r.inmate for r in records}))
        inputs = cuts[0].payload()
        inputs["rule_set"] = [c.rule_set for c in cuts]
        del inputs["adjustment_ids"]  # adjustments are monthly points: no week row counts them
        return rows, inputs

    def _people(self, inmates: set[str]) -> dict[str, tuple[str, str]]:
        query = Inmate.select().where(Inmate.id.in_(sorted(inmates)))
        return {i.id: (i.number, i.name) for i in query}

    def week_signoffs(self, area: str, week: str) -> list[WeekSignoff]:
        query = WeekSignoff.select().where((WeekSignoff.area == area) & (WeekSignoff.week == week))
        return list(query.order_by(WeekSignoff.id))

    def sign_off_week(self, actor: Actor, area: str, week: str, shown_digest: str | None = None) -> None:
        """Sign the week off; `shown_digest` is the digest of the rows the page showed (refused if the
        rows recomputed now differ)."""
        parse_week(week)
        self.require_area(actor, area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not sign off weekly reviews")
        if any(s.signed_by == actor.username for s in self.week_signoffs(area, week)):
            raise AssessmentError("signed", "you have already signed off this week")
        found, inputs = self.signed_week(area, week)
        rows = [r.shown() for r in found]
        if not rows:
            raise AssessmentError("empty", "there is nothing to sign off for this week")
        digest = rows_digest(rows)
        _check_shown(shown_digest, digest)
        with write_transaction(self.db):
            WeekSignoff.create(
                area=area,
                week=week,
                signed_by=actor.username,
                role=actor.role,
                rows_digest=digest,
                signed_ms=self.clock_ms(),
            )
            self._act(actor, "week.signoff", f"week:{area}:{week}", {"rows_digest": digest, "inputs": inputs})

    def publish_week(
        self,
        actor: Actor,
        area: str,
        week: str,
        days: int = DEFAULT_PUBLISH_DAYS,
        shown_digest: str | None = None,
    ) -> date:
        """Publish the signed-off week to the area's boards from today for `days` days; returns until."""
        parse_week(week)
        check_publish_days(days)
        self.require_area(actor, area)
        if actor.role not in STAGES:
            raise AssessmentError("role", "this role does not publish weekly reviews")
        if not self.week_signoffs(area, week):
            raise AssessmentError("unsigned", "sign the week off before publishing it")
        found, inputs = self.signed_week(area, week)
        rows = [r.shown() for r in found]
        digest = rows_digest(rows)
        _check_shown(shown_digest, digest)
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
                {
                    "from": start.isoformat(),
                    "until": until.isoformat(),
                    "rows_digest": digest,
                    "inputs": inputs,
                },
            )
        return until


def _check_shown(shown: str | None, digest: str) -> None:
    if shown is not None and shown != digest:
        raise AssessmentError("stale", "the numbers changed after the page was shown")


def published_weeks(db: pw.Database, area_or_line: str, today: date) -> list[PublishedView]:
    """Weekly reviews published to `area_or_line`'s boards and in force today. An area's reviews are
    published per area; a line's board shows only the rows of inmates who worked on that line in
    the week (a line's wall is no place for the rest of the area)."""
    line = Line.get_or_none(Line.code == area_or_line)
    area = line.area if line is not None else area_or_line
    text = today.isoformat()
    query = PublishedWeek.select().where(
        (PublishedWeek.area == area) & (PublishedWeek.valid_from <= text) & (PublishedWeek.until >= text)
    )
    views = []
    for p in query.order_by(PublishedWeek.week.desc(), PublishedWeek.id.desc()):
        rows = tuple(json.loads(p.rows))
        if line is not None:
            on_line = _worked_on(line.code, p.week)
            rows = tuple(r for r in rows if r.get("inmate") in on_line)
        views.append(
            PublishedView(
                area=p.area,
                week=p.week,
                rows=rows,
                published_by=p.published_by,
                valid_from=date.fromisoformat(p.valid_from),
                until=date.fromisoformat(p.until),
            )
        )
    return views


def _worked_on(line: str, week: str) -> set[str]:
    """The inmates with a daily result on `line` in ISO `week`."""
    monday, sunday = parse_week(week)
    query = DailyResult.select(DailyResult.inmate).where(
        (DailyResult.line == line)
        & (DailyResult.day >= monday.isoformat())
        & (DailyResult.day <= sunday.isoformat())
    )
    return {r.inmate for r in query}


def daily_record(row: DailyResult) -> DailyRecord:
    """A stored daily result as the engine's record."""
    return DailyRecord(
        inmate=row.inmate,
        day=date.fromisoformat(row.day),
        line=row.line,
        product=row.product,
        step=row.step,
        mode="counted" if row.mode == "counted" else "time",  # the column holds the engine's Mode
        standard_seconds=Fraction(row.standard_seconds),
        standard_from=date.fromisoformat(row.standard_from),
        quota_std_seconds=Fraction(row.quota_std_seconds),
        earned_std_seconds=Fraction(row.earned_std_seconds),
        done_units=Fraction(row.done_units_exact),
    )


def daily_completions(area_lines: Sequence[str], month: Month) -> list[DailyRecord]:
    """The stored daily results of the month on the given lines, as engine records (for the trends)."""
    stored = DailyResult.select().where(
        (DailyResult.day >= month.first_day.isoformat())
        & (DailyResult.day <= month.last_day.isoformat())
        & DailyResult.line.in_(list(area_lines))
    )
    return [daily_record(r) for r in stored.order_by(DailyResult.day, DailyResult.inmate)]
