"""Signed line plans: what a line's kiosks need to work offline for the day.

A plan lists everyone the kiosk may recognise (the line's inmates of the day with their post,
today's quota, yesterday's record, the answer to a rejected dispute and the days re-counted after
an upheld one; the officers who may witness on the line) with their active
badges, signed by the hub and published retained on the line's plan topic. `PlanPublisher.refresh`
rebuilds the plans and publishes a plan only when its content changed (a new result, a master-data
change, a new day); the plan's `revision` rises with every published change and survives restarts
(`LinePlanState`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from fractions import Fraction

import peewee as pw

from hub.engine.compute import compute_month
from hub.engine.errors import EngineError
from hub.engine.exact import shown
from hub.engine.model import Month, MonthResult
from hub.masterdata import queries as md_queries
from hub.masterdata.checks import fraction
from hub.results import inputs as mi
from hub.results import worker as rs
from hub.review import corrections, month_publication, news
from hub.store.capture import Grade
from hub.store.db import write_transaction
from hub.store.kiosks import LinePlanState
from hub.store.masterdata import Area, Inmate, Line, Officer, Product, StandardTime
from hub.store.results import DailyResult
from protocol import canonical
from protocol.messages import DayResult, LinePlan, PlanPerson, seal
from protocol.signing import Signer
from protocol.topics import Topics

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes], None]
"""`publish(topic, frame)`: sends a plan retained (the app wires `HubMqtt.publish(..., retain=True)`)."""

SITE_WIDE_ROLES = ("labor_section", "admin")


def _full_quota_units(line: Line, inmate: Inmate, seconds: Fraction, efficiency: Fraction) -> Fraction:
    """Quota units of a day without excused minutes (when no result exists yet for today)."""
    shift = fraction(line.shift_minutes)
    return max(Fraction(0), shift) * 60 * efficiency / 100 * fraction(inmate.quota_pct) / 100 / seconds


def _standard_seconds(product: str, step: str, day: date) -> Fraction | None:
    version = (
        StandardTime.select()
        .where(
            (StandardTime.product == product)
            & (StandardTime.step == step)
            & (StandardTime.valid_from <= day.isoformat())
        )
        .order_by(StandardTime.valid_from.desc())
        .first()
    )
    return None if version is None else fraction(version.seconds)


def day_result(row: DailyResult) -> DayResult:
    return DayResult(
        day=row.day,
        quota_units=row.quota_units,
        done_units=row.done_units,
        diff_units=row.diff_units,
        completion_pct=row.completion_pct,
    )


def notice_for(person: str, day: date) -> str | None:
    return corrections.notice_for(person, day)


def grades_given(inmates: Iterable[str], days: Iterable[date]) -> dict[str, tuple[tuple[str, str], ...]]:
    """The grades given so far (dashboard or kiosk) of these inmates on these days: the kiosk's
    grading screen shows them, and a missing one stays marked until given."""
    wanted, on = sorted(inmates), sorted(d.isoformat() for d in days)
    if not wanted:
        return {}
    out: dict[str, list[tuple[str, str]]] = {}
    query = Grade.select(Grade.inmate, Grade.day, Grade.grade).where(
        Grade.inmate.in_(wanted) & Grade.day.in_(on)
    )
    for inmate, day, grade in query.order_by(Grade.day).tuples().iterator():
        out.setdefault(str(inmate), []).append((str(day), str(grade)))
    return {k: tuple(v) for k, v in out.items()}


NO_POST: tuple[str | None, str | None] = (None, None)  # (code, name): held no rated post


def previous_workday(line: str, day: date) -> date:
    """The line's previous workday, the other day its kiosk grades: the latest day before `day` with
    results on the line (the day its board shows), else the line's latest calendar workday of the two
    weeks before, else the day before. Rated days have no results, so a line of rated posts only goes
    by its calendar."""
    since = (day - timedelta(days=31)).isoformat()
    latest = (
        DailyResult.select(pw.fn.MAX(DailyResult.day))
        .where((DailyResult.line == line) & (DailyResult.day < day.isoformat()) & (DailyResult.day >= since))
        .scalar()
    )
    if latest:
        return date.fromisoformat(str(latest))
    calendar = md_queries.line_workdays(day - timedelta(days=14), day - timedelta(days=1), line)
    return max(calendar) if calendar else day - timedelta(days=1)


def month_so_far(db: pw.Database, day: date) -> MonthResult | None:
    """The month of `day` so far as the engine computes it (the inmates' week and month at the kiosk);
    None when it cannot be computed (logged: the plans still go out, without the summaries)."""
    try:
        read = mi.month_input(db, Month.of(day), through=day)
        return compute_month(read.inputs, read.rule_set)
    except EngineError:
        log.warning("the month of %s cannot be computed: plans go out without week and month", day)
        return None


def build_plan(
    *,
    hub: str,
    line: str,
    day: date,
    hub_ms: int,
    revision: int,
    month: MonthResult | None = None,
) -> LinePlan:
    """The plan of `line` for `day` from master data and stored results (no signing, no I/O beyond
    reads); `month` is the month so far (`month_so_far`), whose week and month each inmate sees."""
    line_row = Line.get_by_id(line)
    area = Area.get_or_none(Area.code == line_row.area)
    product = None if line_row.product is None else Product.get_or_none(Product.code == line_row.product)
    badges = md_queries.active_badges()
    names = md_queries.step_names()
    post_names = md_queries.post_names()
    posts = {inmate: a for inmate, a in md_queries.posts_on(day).items() if a.line == line}
    working = md_queries.is_workday(day, line)
    today = {row.inmate: row for row in rs.line_day_rows(line, day)}
    yesterday = rs.latest_before(sorted(posts), day)
    params = md_queries.rule_book().for_month(Month.of(day)).params
    efficiency = params.target_efficiency_pct
    # Rule book v2 (#14): an exempt inmate owes nothing today, a trainee's quota is the training
    # quota, and a rated post shows its grades (today's and yesterday's, both gradable at the kiosk).
    exempt = {i.id for i in md_queries.engine_inmates() if i.exempt_on(day)} if params.v2 else set()
    previous = previous_workday(line, day) if params.v2 else None
    # who held a rated post here on the previous workday (graded at the kiosk on that day's screen,
    # whatever he holds today); none in a v1 month, whose days take no grade
    held_before = (
        {
            i: a
            for i, a in md_queries.posts_on(previous).items()
            if a.line == line and a.mode == "rated" and a.post
        }
        if previous is not None and md_queries.rule_book().for_month(Month.of(previous)).params.v2
        else {}
    )
    before: dict[str, tuple[str | None, str | None]] = {
        i: (str(a.post), post_names.get(str(a.post), str(a.post))) for i, a in held_before.items()
    }
    rated = sorted({i for i, a in posts.items() if a.mode == "rated"} | set(held_before))
    graded = grades_given(rated, (previous, day)) if previous is not None else {}
    inmates = {i.id: i for i in Inmate.select().where(Inmate.id.in_(sorted(posts)))} if posts else {}
    days = None if month is None else month_publication.MonthDays(month)  # his week and month so far
    published = month_publication.plan_publications(line_row.area, day)  # 公示 (the area's month)
    recounted = news.credit_changes(day)  # days re-counted after upheld disputes (hub.review.news)
    people: list[PlanPerson] = []
    for inmate_id in sorted(posts):
        post, inmate = posts[inmate_id], inmates.get(inmate_id)
        if inmate is None:
            continue
        quota: str | None = None
        training = params.v2 and bool(post.training)
        if not working or inmate_id in exempt:
            quota = None
        elif inmate_id in today:
            quota = today[inmate_id].quota_units
        elif post.mode != "rated":
            seconds = _standard_seconds(post.product, post.step, day)
            if seconds is not None:
                full = _full_quota_units(line_row, inmate, seconds, efficiency)
                if training:  # the engine's ramp, as today's result will have it
                    ramp = md_queries.engine_assignment(post).ramp_from
                    full = full * params.training_pct((day - ramp).days) / 100
                quota = shown(full)
        last = yesterday.get(inmate_id)
        week, so_far = (None, None) if days is None else month_publication.summaries(days, inmate_id, day)
        people.append(
            PlanPerson(
                id=inmate_id,
                name=inmate.name,
                role="inmate",
                badges=tuple(badges.get(inmate_id, ())),
                # a rated post (rule book v2) has no product or step: the kiosk offers it no count;
                # how a grade is shown at the kiosk is #14 item 4
                product=None if post.mode == "rated" else post.product,
                step=None if post.mode == "rated" else post.step,
                step_name=post_names.get(post.post or "")
                if post.mode == "rated"
                else names.get((post.product, post.step)),
                quota_units=quota,
                yesterday=None if last is None else day_result(last),
                notice=notice_for(inmate_id, day),  # a rejected dispute's reason (hub.review.corrections)
                changes=recounted.get(inmate_id, ()),
                number=inmate.number or None,
                post=str(post.post) if post.mode == "rated" and post.post else None,
                previous_post=before.get(inmate_id, NO_POST)[0],
                previous_post_name=before.get(inmate_id, NO_POST)[1],
                grades=graded.get(inmate_id, ()),
                training=training,
                exempt=inmate_id in exempt,
                week=week,
                month_so_far=so_far,
                published=published.get(inmate_id),
            )
        )
    # The area's other inmates, without a post here: the kiosk then tells a person tapping at the
    # wrong line "不属于本生产线" instead of "unknown badge".
    elsewhere = Inmate.select().where((Inmate.area == line_row.area) & Inmate.id.not_in(sorted(posts)))
    for inmate in sorted(elsewhere, key=lambda i: i.id):
        if badges.get(inmate.id):
            people.append(
                PlanPerson(
                    id=inmate.id,
                    name=inmate.name,
                    role="inmate",
                    badges=tuple(badges[inmate.id]),
                    number=inmate.number or None,
                    # moved off the line today from a rated post here: his previous day is graded here
                    previous_post=before.get(inmate.id, NO_POST)[0],
                    previous_post_name=before.get(inmate.id, NO_POST)[1],
                    grades=graded.get(inmate.id, ()),
                )
            )
    officers = Officer.select().where(
        (Officer.line == line)
        | ((Officer.role == "area_head") & (Officer.area == line_row.area))
        | Officer.role.in_(SITE_WIDE_ROLES)
    )
    for officer in sorted(officers, key=lambda o: o.id):
        people.append(
            PlanPerson(
                id=officer.id, name=officer.name, role="officer", badges=tuple(badges.get(officer.id, ()))
            )
        )
    return LinePlan(
        hub=hub,
        line=line,
        line_name=line_row.name,
        area_name="" if area is None else area.name,
        day=day.isoformat(),
        hub_ms=hub_ms,
        revision=revision,
        product=None if product is None else product.code,
        product_name=None if product is None else product.name,
        people=tuple(people),
        grades=tuple(g for g, _ in params.rating_pct) if params.v2 else (),
        previous_day=None if previous is None else previous.isoformat(),
    )


def content_digest(plan: LinePlan) -> str:
    """What identifies a plan's content: everything but the hub's clock and the revision."""
    data = plan.to_dict()
    data.pop("hub_ms")
    data.pop("revision")
    return hashlib.sha256(canonical.encode(data)).hexdigest()


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class PlanPublisher:
    """Builds, signs and publishes line plans; `refresh()` is cheap when nothing changed."""

    def __init__(
        self,
        db: pw.Database,
        *,
        hub: str,
        signer: Signer,
        topics: Topics,
        publish: Publish,
        today: Callable[[], date],
        clock_ms: Callable[[], int] = _now_ms,
    ) -> None:
        self.db = db
        self.hub = hub
        self.signer = signer
        self.topics = topics
        self.publish = publish
        self.today = today
        self.clock_ms = clock_ms
        self._lock = threading.Lock()

    def build(
        self, line: str, day: date | None = None, month: MonthResult | None = None
    ) -> tuple[str, bytes, LinePlan]:
        """The plan of a line as it would be published now: (topic, signed frame, plan); `month` is
        the month so far when the caller computed it already (else it is computed here)."""
        day = day or self.today()
        if month is None:
            month = month_so_far(self.db, day)
        state = LinePlanState.get_or_none(LinePlanState.line == line)
        plan = build_plan(hub=self.hub, line=line, day=day, hub_ms=self.clock_ms(), revision=0, month=month)
        digest = content_digest(plan)
        revision = 1 if state is None else state.revision + (0 if state.digest == digest else 1)
        plan = dataclasses.replace(plan, revision=revision)
        return self.topics.plan(line), seal(plan, self.signer), plan

    def refresh(self, lines: Iterable[str] | None = None, *, force: bool = False) -> list[str]:
        """Publish the plans of `lines` (default: all) whose content changed; returns those lines.

        `force` republishes unchanged plans too (with a fresh `hub_ms`), e.g. after a reconnect.
        """
        published: list[str] = []
        with self._lock:
            wanted = (
                sorted(lines) if lines is not None else [x.code for x in Line.select().order_by(Line.code)]
            )
            month = month_so_far(self.db, self.today()) if wanted else None  # once for every line
            for line in wanted:
                if Line.get_or_none(Line.code == line) is None:
                    continue
                topic, frame, plan = self.build(line, month=month)
                digest = content_digest(plan)
                state = LinePlanState.get_or_none(LinePlanState.line == line)
                if state is not None and state.digest == digest and not force:
                    continue
                with write_transaction(self.db):
                    LinePlanState.insert(
                        line=line, revision=plan.revision, digest=digest, day=plan.day
                    ).on_conflict(
                        conflict_target=[LinePlanState.line],
                        update={
                            LinePlanState.revision: plan.revision,
                            LinePlanState.digest: digest,
                            LinePlanState.day: plan.day,
                        },
                    ).execute()
                self.publish(topic, frame)
                published.append(line)
        if published:
            log.info("published plans of %s", ", ".join(published))
        return published

    def on_results(self, changed: list[tuple[str, date]]) -> None:
        """Results listener: plans show today's quota and yesterday's record (an inmate may have
        moved lines since yesterday, so every line is rebuilt; unchanged plans are not republished)."""
        self.refresh()

    def on_master_change(self, action: str) -> None:
        self.refresh()
