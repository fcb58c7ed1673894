"""Weekly review (/weekly), monthly assessment (/monthly) and export API tokens (/export-tokens).

Every action goes through `guard.guarded_action` (session and role re-checked at each click) and
then through `hub.review.monthly.Assessment`, which checks scope and the approval chain again and
records the act in the ledger. A refused act shows a notification and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import peewee
from nicegui import run, ui

from hub.accounts import Principal, Role
from hub.app import assessment_service
from hub.engine.exact import decimal_text, shown
from hub.engine.model import Month
from hub.errors import HubError
from hub.paper import sources as paper_sources
from hub.paper.monthly import render_monthly
from hub.paper.weekly import render_weekly
from hub.review import exports, month_publication, push, rules, weekly
from hub.review.capture_texts import category_text
from hub.review.export_make import make_export
from hub.review.lock import STAGES
from hub.review.monthly import Assessment
from hub.review.push_transport import error_kind
from hub.review.texts import PUBLICATION_TEXTS
from hub.store.delivery import CANCELLED, DELIVERED
from hub.web import api, guard
from hub.web.board.model import Published, PublishedRow
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.people import officer_labels, officer_names
from hub.web.review.assessment_texts import tr
from hub.web.tables import data_table

OFFICERS = frozenset({Role.LINE_OFFICER, Role.AREA_HEAD, Role.LABOR_SECTION})
ADMIN_ONLY = frozenset({Role.ADMIN})


def actor_of(who: Principal) -> rules.Actor:
    return rules.Actor(username=who.username, role=who.role, lines=tuple(who.lines), area=who.area)


def assessment_of(ctx: WebContext) -> Assessment:
    """The hub's own service, or one wired by the app's factory over the context (pages without a hub)."""
    if ctx.assessment is not None:
        return ctx.assessment
    return assessment_service(ctx.db, record_act=ctx.record_act, today=ctx.today, clock_ms=ctx.clock)


# the reasons an inmate may give for a review (`kiosk.session.MONTH_REVIEW_REASONS`), as texts here
REVIEW_REASONS = frozenset(
    k.removeprefix("month.reason.") for k in PUBLICATION_TEXTS if k.startswith("month.reason.")
)


def board_published(db: peewee.Database) -> Callable[[str, date], list[Published]]:
    """`published(target, today)` for `WebContext(published=...)`: the weekly reviews and monthly
    results (公示) on a board now."""

    def published(target: str, today: date) -> list[Published]:
        out = []
        for view in weekly.published_weeks(db, target, today):
            rows = tuple(
                PublishedRow(
                    number=str(r["number"]),
                    name=r["name"] or None,
                    days=r.get("days"),
                    quota_hours=_number(r.get("quota_hours")),
                    earned_hours=_number(r.get("earned_hours")),
                    completion_pct=_number(r["completion_pct"]),
                )
                for r in view.rows
            )
            out.append(Published(title=view.week, until=view.until, rows=rows))
        for month in month_publication.published_months(target, today):
            month_rows = tuple(
                PublishedRow(
                    number=str(r["number"]),
                    name=r["name"] or None,
                    days=r.get("days"),
                    completion_pct=_number(r.get("completion_pct")),
                    points=_number(r.get("points")),
                )
                for r in month.rows
            )
            out.append(Published(title=month.month, until=month.until, rows=month_rows, kind="month"))
        return out

    return published


def _number(text: Any) -> Any:
    return None if text is None else Decimal(str(text))


def _refuse(err: rules.AssessmentError, lang: str) -> None:
    ui.notify(err.text(lang), type="negative")


def area_period_form(path: str, visible: list[str], area: str, period: str, value: str, lang: str) -> None:
    """The area and week/month chooser at the top of the weekly, monthly and trends pages."""
    with ui.row().classes("items-end"):
        area_in = ui.select(visible, value=area, label=tr("assess.area", lang)).classes("w-32").mark("area")
        period_in = ui.input(tr(f"assess.{period}", lang), value=value).mark(period)
        ui.button(
            tr("assess.show", lang),
            on_click=lambda: ui.navigate.to(
                f"{path}?area={area_in.value}&{period}={period_in.value.strip()}"
            ),
        ).mark("show")


def _pick_area(ctx: WebContext, who: Principal, area: str) -> tuple[list[str], str]:
    visible = assessment_of(ctx).visible_areas(actor_of(who))
    chosen = area if area in visible else (visible[0] if visible else "")
    return visible, chosen


def register_assessment(ctx: WebContext) -> None:
    """Mount /weekly, /monthly, /export-tokens and GET /api/month/{month}."""
    add_nav("assess.nav.weekly", "/weekly", OFFICERS)
    add_nav("assess.nav.monthly", "/monthly", OFFICERS)
    add_nav("assess.nav.tokens", "/export-tokens", ADMIN_ONLY)
    _register_weekly(ctx)
    _register_monthly(ctx)
    _register_tokens(ctx)
    api.register_api(lambda: assessment_of(ctx), ctx.now)


# --- weekly review ------------------------------------------------------------------------------------


def _register_weekly(ctx: WebContext) -> None:
    @guard.dashboard_page(ctx, "/weekly", roles=OFFICERS, title_key="assess.weekly.title")
    async def weekly_page(who: Principal, area: str = "", week: str = "") -> None:
        lang = guard.language()
        visible, area = _pick_area(ctx, who, area)
        if area == "" or not visible:
            guard.refusal(lang)
            return
        week = week or rules.last_complete_week(ctx.today())
        area_period_form("/weekly", visible, area, "week", week, lang)
        assessment = assessment_of(ctx)
        try:
            rules.parse_week(week)
        except rules.AssessmentError as err:
            ui.label(err.text(lang)).classes("text-negative").mark("error")
            return
        area_rows = await run.io_bound(assessment.week_rows, area, week)
        if area_rows is None:  # the page was left (or the hub is stopping) while computing
            return
        monday, sunday = rules.parse_week(week)
        allowed = assessment.readable_inmates(actor_of(who), area, monday, sunday)
        rows = [r for r in area_rows if allowed is None or r.inmate in allowed]
        data_table(
            lang=lang,
            columns=[
                {"name": k, "label": tr(f"assess.col.{label}", lang), "field": k}
                for k, label in (
                    ("number", "number"),
                    ("name", "name"),
                    ("days", "days"),
                    ("quota_hours", "quota_h"),
                    ("earned_hours", "earned_h"),
                    ("completion_pct", "pct"),
                )
            ],
            rows=[{**r.shown(), "href": f"/inmate?id={r.inmate}"} for r in rows],
            row_key="inmate",
            links={"name": "href"},
        ).classes("w-full").mark("week-table")
        # the acts refuse if the week differs now; they cover the area, a line officer's rows are theirs
        shown = rules.rows_digest(r.shown() for r in area_rows)
        signoffs = assessment.week_signoffs(area, week)
        officers = officer_labels(lang)
        ui.label(
            tr("assess.signed", lang, who="、".join(officers.get(x.signed_by, x.signed_by) for x in signoffs))
            if signoffs
            else tr("assess.unsigned", lang)
        ).mark("signoffs")

        async def sign_off(actor: Principal) -> None:
            try:
                await run.io_bound(assessment_of(ctx).sign_off_week, actor_of(actor), area, week, shown)
            except rules.AssessmentError as err:
                _refuse(err, lang)
                return
            ui.notify(tr("assess.done", lang), type="positive")
            ui.navigate.to(f"/weekly?area={area}&week={week}")

        days_in = ui.number(tr("assess.publish_days", lang), value=rules.DEFAULT_PUBLISH_DAYS, precision=0)
        days_in.mark("publish-days")

        async def publish(actor: Principal) -> None:
            try:
                days = int(days_in.value or 0)
                until = await run.io_bound(
                    assessment_of(ctx).publish_week, actor_of(actor), area, week, days, shown
                )
            except rules.AssessmentError as err:
                _refuse(err, lang)
                return
            if until is not None:
                ui.notify(tr("assess.published", lang, until=until.isoformat()), type="positive")

        with ui.row():
            ui.button(
                tr("assess.signoff", lang), on_click=guard.guarded_action(ctx, OFFICERS, sign_off)
            ).mark("signoff")
            ui.button(tr("assess.publish", lang), on_click=guard.guarded_action(ctx, OFFICERS, publish)).mark(
                "publish"
            )

            async def print_sheet(actor: Principal) -> None:
                try:
                    made = await run.io_bound(_week_sheet, ctx, actor, area, week, lang)
                except HubError as err:
                    ui.notify(err.text(lang), type="negative")
                    return
                if made is not None:  # None: the page was left while printing
                    ui.download.content(made[1], made[0], "application/pdf")

            ui.button(
                tr("assess.print_week", lang), on_click=guard.guarded_action(ctx, OFFICERS, print_sheet)
            ).props("outline icon=print").mark("print-weekly")


# --- monthly assessment -------------------------------------------------------------------------------


def month_table_rows(view: rules.MonthView, lang: str = "zh") -> list[dict[str, Any]]:
    """The month's rows as the table shows them. An inmate exempt all month (`labor_assessed` false)
    shows 不考核 instead of points; each deduction is listed with its category, day and reason."""
    out = []
    for row in view.rows:
        s = row.score
        pct = s.completion_pct
        assessed = s.labor_assessed
        skipped = tr("assess.not_assessed", lang)
        out.append(
            {
                "inmate": row.inmate,
                "number": row.number,
                "name": row.name,
                "workdays": s.workdays,
                "days_met": s.days_met,
                "completion_pct": "—" if pct is None else shown(pct, 2),
                "assessed": tr("assess.yes" if assessed else "assess.no", lang),
                "base": shown(s.base_points, 1) if assessed else skipped,
                "bonus": shown(s.bonus_points, 1) if assessed else skipped,
                "additions": shown(s.additions_points, 1) if assessed else skipped,
                "adjust": shown(s.adjust_points, 1),
                "deduct": shown(s.deduct_points, 1),
                "deductions": "；".join(
                    tr(
                        "assess.deduction",
                        lang,
                        category=category_text(d.category, lang),
                        points=decimal_text(d.points),
                        day=d.day.isoformat(),
                        reason=d.reason,
                    )
                    for d in s.deductions
                ),
                "labor": shown(s.labor_points, 1) if assessed else skipped,
                "href": f"/inmate?id={row.inmate}",  # the name opens his page
            }
        )
    return out


def _register_monthly(ctx: WebContext) -> None:
    @guard.dashboard_page(ctx, "/monthly", roles=OFFICERS, title_key="assess.monthly.title")
    async def monthly_page(who: Principal, area: str = "", month: str = "") -> None:
        lang = guard.language()
        visible, area = _pick_area(ctx, who, area)
        if area == "" or not visible:
            guard.refusal(lang)
            return
        month = month or str(rules.last_complete_month(ctx.today()))
        area_period_form("/monthly", visible, area, "month", month, lang)
        try:
            parsed = rules.parse_month(month)
        except rules.AssessmentError as err:
            ui.label(err.text(lang)).classes("text-negative").mark("error")
            return
        if ctx.results is None:
            ui.label(tr("assess.no_results", lang)).mark("error")
            return
        assessment = assessment_of(ctx)
        view = await run.io_bound(assessment.month_view, parsed, area)
        if view is None:  # the page was left (or the hub is stopping) while computing
            return
        _month_body(ctx, who, view, lang)


def _month_body(ctx: WebContext, who: Principal, whole: rules.MonthView, lang: str) -> None:
    """The month as `who` may read it; the approval sends the whole area's digest (its act covers
    the area), so a line officer's approval is refused as stale like anyone's when the month moved."""
    view = assessment_of(ctx).readable_view(actor_of(who), whole)
    readable = {r.inmate for r in view.rows}
    month, area = view.month, view.area
    here = f"/monthly?area={area}&month={month}"
    ui.label(tr("assess.state", lang, state=tr(f"assess.state.{view.state}", lang))).mark("state")
    officers = officer_names()  # by name, not login name: the stage beside it says the rank
    for stage, approver, _ in view.approvals:
        who_text = officers.get(approver, approver)
        ui.label(tr("assess.approval", lang, stage=tr(f"assess.stage.{stage}", lang), who=who_text)).mark(
            f"approved-{stage}"
        )
    desk = assessment_of(ctx)
    for stage, approver, reason in desk.overrides(month, area):  # every later approver reads why
        ui.label(
            tr(
                "assess.overridden",
                lang,
                stage=tr(f"assess.stage.{stage}", lang),
                who=officers.get(approver, approver),
                reason=reason,
            )
        ).classes("text-warning").mark(f"override-{stage}")
    if desk.today() <= month.last_day:
        ui.label(tr("assess.err.running", lang)).classes("text-negative").mark("month-running")
    items = desk.open_items(month, area)
    if items:
        ui.label(rules.OpenItems(items).text(lang)).classes("text-negative").mark("open-items")
    ui.label(tr("assess.rule_set", lang, version=view.rule_set.version)).classes("text-grey-7")
    columns = [
        ("number", "number"),
        ("name", "name"),
        ("workdays", "workdays"),
        ("days_met", "days_met"),
        ("completion_pct", "pct"),
        ("assessed", "assessed"),
        ("base", "base"),
        ("bonus", "bonus"),
        ("additions", "additions"),
        ("adjust", "adjust"),
        ("deduct", "deduct"),
        ("deductions", "deductions"),
        ("labor", "labor"),
    ]
    data_table(
        lang=lang,
        columns=[{"name": k, "label": tr(f"assess.col.{label}", lang), "field": k} for k, label in columns],
        rows=month_table_rows(view, lang),
        row_key="inmate",
        links={"name": "href"},
    ).classes("w-full").mark("month-table")

    explanation = ui.label("").classes("whitespace-pre-wrap").mark("explanation")
    with ui.row().classes("items-end"):
        pick = ui.select(
            {r.inmate: f"{r.number} {r.name}" for r in view.rows},
            label=tr("assess.inmate", lang),
            with_input=True,
        ).mark("explain-inmate")

        async def explain(actor: Principal) -> None:
            if pick.value and str(pick.value) in readable:
                text = await run.io_bound(assessment_of(ctx).explain, month, str(pick.value), lang)
                if text is not None:
                    explanation.set_text(text)

        ui.button(tr("assess.explain", lang), on_click=guard.guarded_action(ctx, OFFICERS, explain)).mark(
            "explain"
        )

    def act(do: Callable[[Assessment, rules.Actor], object]) -> Callable[[Principal], Any]:
        async def handler(actor: Principal) -> None:
            try:
                await run.io_bound(do, assessment_of(ctx), actor_of(actor))
            except rules.AssessmentError as err:
                _refuse(err, lang)
                return
            ui.notify(tr("assess.done", lang), type="positive")
            ui.navigate.to(here)

        return handler

    locked = whole.state == "locked"
    if locked:  # nothing to approve or adjust until the labor section reopens the month
        ui.label(tr("assess.locked_note", lang)).classes("text-grey-7").mark("locked-note")
    with ui.row().classes("items-end") as approve_row:
        approve_row.set_visibility(not locked)
        override_in = (
            ui.input(tr("assess.override", lang))
            .props("maxlength=200")
            .classes("w-96")
            .mark("override-reason")
        )
        ui.button(
            tr("assess.approve", lang),
            on_click=guard.guarded_action(
                ctx,
                OFFICERS,
                act(
                    lambda a, who_: a.approve(
                        who_, month, area, whole.digest, override=str(override_in.value or "") or None
                    )
                ),
            ),
        ).mark("approve")

    _publication_section(ctx, view, readable, lang, act, locked)

    ui.label(tr("assess.adjustments", lang)).classes("text-h6")
    _adjustment_list(ctx, view, lang, act)
    with ui.row().classes("items-end") as adjust_row:
        adjust_row.set_visibility(not locked)
        # the inmate by prison number and name (the id stays internal)
        inmate_in = (
            ui.select({r.inmate: f"{r.number} {r.name}" for r in view.rows}, label=tr("assess.inmate", lang),
                      with_input=True)
            .classes("w-64")
            .mark("adjust-inmate")
        )  # fmt: skip
        points_in = ui.input(tr("assess.points", lang)).mark("adjust-points")
        reason_in = ui.input(tr("assess.reason", lang)).props("maxlength=400").mark("adjust-reason")
        ui.button(
            tr("assess.adjust", lang),
            on_click=guard.guarded_action(
                ctx,
                OFFICERS,
                act(
                    lambda a, who_: a.add_adjustment(
                        who_, month, area, str(inmate_in.value or ""), points_in.value, reason_in.value
                    )
                ),
            ),
        ).mark("adjust")

    if who.role is Role.LABOR_SECTION:
        with ui.row().classes("items-end"):
            stage_in = ui.select(
                {s: tr(f"assess.stage.{s}", lang) for s in STAGES},
                value=STAGES[0],
                label=tr("assess.reopen_stage", lang),
            ).mark("reopen-stage")
            why_in = ui.input(tr("assess.reason", lang)).props("maxlength=400").mark("reopen-reason")
            ui.button(
                tr("assess.reopen", lang),
                on_click=guard.guarded_action(
                    ctx,
                    {Role.LABOR_SECTION},
                    act(lambda a, who_: a.reopen(who_, month, area, why_in.value, str(stage_in.value))),
                ),
            ).mark("reopen")

    async def download(actor: Principal, kind: str) -> None:
        try:
            made = await run.io_bound(
                _export_files, ctx, actor, month, area, kind, lang, bool(draft_in.value), bool(daily_in.value)
            )
        except rules.AssessmentError as err:
            _refuse(err, lang)
            return
        if made is not None:
            name, data, signature = made
            ui.download.content(data, name)
            if signature is not None:  # the hub's detached signature, beside the file
                ui.download.content(signature, f"{name}.sig")

    with ui.row().classes("items-center"):
        # an unlocked month leaves only as an explicit draft (草稿), marked so in every row and its name
        draft_in = ui.checkbox(tr("assess.draft", lang), value=False).mark("export-draft")
        draft_in.set_visibility(whole.state != "locked")
        daily_in = ui.checkbox(tr("assess.daily_detail", lang), value=False).mark("export-daily")
        ui.button(
            tr("assess.csv", lang),
            on_click=guard.guarded_action(ctx, OFFICERS, lambda a: download(a, "csv")),
        ).mark("export-csv")
        ui.button(
            tr("assess.xlsx", lang),
            on_click=guard.guarded_action(ctx, OFFICERS, lambda a: download(a, "xlsx")),
        ).mark("export-xlsx")

        async def print_sheet(actor: Principal) -> None:
            try:
                made = await run.io_bound(_month_sheet, ctx, actor, month, area, lang)
            except HubError as err:
                ui.notify(err.text(lang), type="negative")
                return
            if made is not None:  # None: the page was left while printing
                ui.download.content(made[1], made[0], "application/pdf")

        ui.button(tr("assess.print", lang), on_click=guard.guarded_action(ctx, OFFICERS, print_sheet)).props(
            "outline icon=print"
        ).mark("print-monthly")
    _push_state(ctx, whole, lang)


def push_rows(deliveries: list[Any], zone: Any, lang: str) -> list[dict[str, Any]]:
    """Deliveries (`hub.review.push.deliveries`) as the page's table shows them, in the reader's
    language: the error's kind in words, not the receiver's or the socket's own text."""
    rows = []
    for d in deliveries:
        kind = error_kind(d.last_error)
        error = "" if kind is None else tr(f"push.err.{kind}", lang, status=d.last_status or "")
        when = d.delivered_ms if d.delivered_ms is not None else d.created_ms
        rows.append(
            {
                "id": d.id,
                "target": tr(f"push.target.{d.target}", lang),
                "file": d.file_name,
                "state": tr(f"push.state.{d.state}", lang),
                "attempts": d.attempts,
                "error": error if d.state != DELIVERED else "",
                "when": datetime.fromtimestamp(when / 1000, zone).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return rows


def _push_state(ctx: WebContext, whole: rules.MonthView, lang: str) -> None:
    """Where the month's push stands: not configured, not locked (never pushed), waiting, or each
    delivery with its state, attempts and last error."""
    config = ctx.config.export if ctx.config is not None else None
    deliveries = push.deliveries(whole.month, whole.area)
    rows = push_rows(deliveries, ctx.zone, lang)
    with ui.column().classes("w-full").mark("push-state"):
        ui.label(tr("push.title", lang)).classes("text-h6")
        if config is None or not config.push.enabled:
            ui.label(tr("push.off", lang)).classes("text-grey-7").mark("push-off")
        elif whole.state != "locked":
            ui.label(tr("push.open", lang)).classes("text-grey-7").mark("push-open")
        elif all(d.state == CANCELLED for d in deliveries):  # locked, not taken up yet
            day = config.push.day
            if day and not push.due(whole.month, ctx.today(), day):
                first = (whole.month.last_day + timedelta(days=1)).replace(day=day)
                ui.label(tr("push.scheduled", lang, day=first.isoformat())).mark("push-waiting")
            else:
                ui.label(tr("push.waiting", lang)).mark("push-waiting")
        if rows:
            data_table(
                lang=lang,
                columns=[
                    {"name": k, "label": tr(f"push.col.{k}", lang), "field": k}
                    for k in ("target", "file", "state", "attempts", "error", "when")
                ],
                rows=rows,
                row_key="id",
            ).classes("w-full").mark("push-table")


def _publication_section(
    ctx: WebContext,
    view: rules.MonthView,
    readable: set[str],
    lang: str,
    act: Callable[[Callable[[Assessment, rules.Actor], object]], Callable[[Principal], Any]],
    locked: bool,
) -> None:
    """The month's publication (公示) and its inmates' review requests (复核), each answered here
    (kept or changed, with a reason their kiosk shows); only the rows `readable` to the officer."""
    desk = assessment_of(ctx)
    ui.label(tr("assess.pub.title", lang)).classes("text-h6")
    published = desk.publication(view.month, view.area)
    if published is None:
        ui.label(tr("assess.pub.none", lang, days=desk.month_publish_days)).classes("text-grey-7").mark(
            "publication"
        )
    else:
        row = month_publication.in_force(view.month, view.area)
        by = "" if row is None else str(row.published_by)
        first, until = published.valid_from.isoformat(), published.until.isoformat()
        ui.label(tr("assess.pub.window", lang, first=first, until=until, by=by)).mark("publication")
    requests = [r for r in desk.review_requests(view.month, view.area) if r.person in readable]
    people = {r.inmate: (r.number, r.name) for r in view.rows}
    confirmed = month_publication.confirmed_persons(
        view.month, [r.inmate for r in view.rows if r.inmate in readable]
    )
    if published is None and not requests:
        return
    ui.label(
        tr("assess.pub.counts", lang, confirmed=len(confirmed), asked=len({r.person for r in requests}),
           open=len({r.person for r in requests if r.answer is None}))
    ).mark("publication-counts")  # fmt: skip
    if not requests:
        ui.label(tr("assess.pub.empty", lang)).classes("text-grey-7").mark("reviews-empty")
        return
    rows = []
    for r in requests:
        number, name = people.get(r.person, (r.person, ""))
        reason = tr(f"month.reason.{r.reason}", lang) if r.reason in REVIEW_REASONS else r.reason
        answer = tr("assess.pub.unanswered", lang)
        if r.answer is not None:
            outcome = tr(f"month.outcome.{r.answer.outcome}", lang)
            answer = tr(
                "assess.pub.answered", lang, outcome=outcome, reason=r.answer.reason, officer=r.answer.officer
            )
        rows.append(
            {
                "key": f"{r.kiosk}#{r.seq}",
                "number": number,
                "name": name,
                "asked": r.day,
                "reason": f"{reason}（{r.text}）" if r.text else reason,
                "points": r.points,
                "answer": answer,
            }
        )
    data_table(
        lang=lang,
        columns=[
            {"name": "number", "label": tr("assess.col.number", lang), "field": "number"},
            {"name": "name", "label": tr("assess.col.name", lang), "field": "name"},
            {"name": "asked", "label": tr("assess.pub.col.asked", lang), "field": "asked"},
            {"name": "reason", "label": tr("assess.pub.col.reason", lang), "field": "reason"},
            {"name": "points", "label": tr("assess.pub.col.points", lang), "field": "points"},
            {"name": "answer", "label": tr("assess.pub.col.answer", lang), "field": "answer"},
        ],
        rows=rows,
        row_key="key",
    ).classes("w-full").mark("reviews-table")
    open_requests = [r for r in requests if r.answer is None]
    if locked or not open_requests:
        return
    ui.label(tr("assess.pub.changed_hint", lang)).classes("text-grey-7")
    for r in open_requests:
        number, name = people.get(r.person, (r.person, ""))
        mark = f"{r.kiosk}-{r.seq}"
        with ui.row().classes("items-end"):
            ui.label(f"{number} {name}").classes("w-40")
            outcome_in = (
                ui.select(
                    {o: tr(f"month.outcome.{o}", lang) for o in month_publication.OUTCOMES},
                    value=month_publication.KEPT,
                    label=tr("assess.pub.outcome", lang),
                )
                .classes("w-32")
                .mark(f"answer-outcome-{mark}")
            )
            why_in = (
                ui.input(tr("assess.pub.reason", lang))
                .props("maxlength=200")
                .classes("w-96")
                .mark(f"answer-reason-{mark}")
            )
            ui.button(
                tr("assess.pub.answer", lang),
                on_click=guard.guarded_action(
                    ctx,
                    OFFICERS,
                    act(_answerer(r.kiosk, r.seq, outcome_in, why_in)),
                ),
            ).mark(f"answer-{mark}")


def _answerer(
    kiosk: str, seq: int, outcome_in: ui.select, why_in: ui.input
) -> Callable[[Assessment, rules.Actor], object]:
    def do(a: Assessment, who: rules.Actor) -> object:
        return a.answer_review(who, kiosk, seq, str(outcome_in.value or ""), str(why_in.value or ""))

    return do


def _adjustment_list(
    ctx: WebContext,
    view: rules.MonthView,
    lang: str,
    act: Callable[[Callable[[Assessment, rules.Actor], object]], Callable[[Principal], Any]],
) -> None:
    readable = {r.inmate: f"{r.number} {r.name}" for r in view.rows}
    officers = officer_labels(lang)
    rows = [r for r in assessment_of(ctx).adjustments(view.month, view.area) if r.inmate in readable]
    if not rows:
        ui.label(tr("assess.empty", lang)).classes("text-grey-7").mark("adjustments-empty")
    for row in rows:
        with ui.row().classes("items-center"):
            text = tr(
                "assess.adjust_row",
                lang,
                inmate=readable[row.inmate],
                points=row.points,
                reason=row.reason,
                who=officers.get(row.created_by, row.created_by),
            )
            if row.voided_ms is not None:
                text += tr("assess.voided", lang)
            ui.label(text).mark(f"adjustment-{row.id}")
            if row.voided_ms is None:
                why = ui.input(tr("assess.reason", lang)).mark(f"void-reason-{row.id}")
                ui.button(
                    tr("assess.adjust_void", lang),
                    on_click=guard.guarded_action(
                        ctx,
                        OFFICERS,
                        act(_voider(int(row.id), why)),
                    ),
                ).mark(f"void-{row.id}")


def _voider(adjustment: int, why: ui.input) -> Callable[[Assessment, rules.Actor], object]:
    def do(a: Assessment, who: rules.Actor) -> None:
        a.void_adjustment(who, adjustment, str(why.value))

    return do


def _export_files(
    ctx: WebContext,
    who: Principal,
    month: Month,
    area: str,
    kind: str,
    lang: str,
    draft: bool,
    daily: bool = False,
) -> tuple[str, bytes, bytes | None]:
    """(file name, file, the hub's detached signature) in the officer's language (Chinese headers, or
    English: the column codes) and the site's column mapping (`[export]`); `daily` adds each inmate's
    day rows. A month not locked is refused unless `draft`; the export is ledgered (`export.file`,
    with the file's SHA-256)."""
    assessment = assessment_of(ctx)
    actor = actor_of(who)
    assessment.require_area(actor, area)
    whole = assessment.month_view(month, area)
    release = exports.require_release(whole, draft=draft)
    view = assessment.readable_view(actor, whole)
    layout = exports.layout(ctx.config.export) if ctx.config is not None else exports.DEFAULT_LAYOUT
    made = make_export(
        assessment, view, release=release, kind=kind, lang=lang, layout=layout, daily=daily,
        export_time=ctx.now(), zone=ctx.zone, signer=ctx.ledger.signer if ctx.ledger is not None else None,
        signed_ms=ctx.clock(),
    )  # fmt: skip
    ctx.record_act(who.username, "export.file", f"month:{area}:{month}", made.act())
    return made.name, made.data, made.signature


def _week_sheet(ctx: WebContext, who: Principal, area: str, week: str, lang: str) -> tuple[str, bytes]:
    """(file name, PDF) of the 周评议 sheet as `who` may read it (area checked again at the click; a
    line officer's sheet holds the inmates of their lines, as the page's table)."""
    assessment = assessment_of(ctx)
    actor = actor_of(who)
    assessment.require_area(actor, area)
    sheet = paper_sources.weekly_sheet(
        assessment, actor, area, week, zone=ctx.zone, printed_by=who.display_name,
        printed_at=ctx.now().strftime("%Y-%m-%d %H:%M"), lang=lang,
    )  # fmt: skip
    return paper_sources.file_name("weekly", area, week), render_weekly(sheet)


def _month_sheet(ctx: WebContext, who: Principal, month: Month, area: str, lang: str) -> tuple[str, bytes]:
    """(file name, PDF) of the 月考核 sheet as `who` may read it: the area is checked again at the
    click and a line officer's sheet holds the inmates of their lines only (the page's rows); a month
    not locked prints as a draft (草稿/未审批 on every page and in the file name)."""
    assessment = assessment_of(ctx)
    actor = actor_of(who)
    assessment.require_area(actor, area)
    sheet = paper_sources.monthly_sheet(
        assessment, actor, month, area, zone=ctx.zone, printed_by=who.display_name,
        printed_at=ctx.now().strftime("%Y-%m-%d %H:%M"), lang=lang,
    )  # fmt: skip
    name = paper_sources.file_name("monthly", area, str(month), draft=sheet.draft)
    return name, render_monthly(sheet)


# --- export API tokens (admin) ------------------------------------------------------------------------


def _register_tokens(ctx: WebContext) -> None:
    @guard.dashboard_page(ctx, "/export-tokens", roles=ADMIN_ONLY, title_key="assess.tokens.title")
    def tokens_page(who: Principal) -> None:
        lang = guard.language()

        @ui.refreshable
        def listing() -> None:
            for token in exports.tokens():
                with ui.row().classes("items-center"):
                    state = tr("assess.token_revoked", lang) if token.revoked_ms else ""
                    ui.label(f"{token.name} · {token.created_by} {state}").mark(f"token-{token.name}")
                    if not token.revoked_ms:

                        def revoke(actor: Principal, name: str = token.name) -> None:
                            try:
                                exports.revoke_token(actor.username, name, record_act=ctx.record_act)
                            except rules.AssessmentError as err:
                                _refuse(err, lang)
                                return
                            listing.refresh()

                        ui.button(
                            tr("assess.token_revoke", lang),
                            on_click=guard.guarded_action(ctx, ADMIN_ONLY, revoke),
                        ).mark(f"revoke-{token.name}")

        listing()
        shown_token = ui.label("").mark("new-token")
        with ui.row().classes("items-end"):
            name_in = ui.input(tr("assess.token_name", lang)).mark("token-name")

            def create(actor: Principal) -> None:
                try:
                    token = exports.create_token(actor.username, name_in.value, record_act=ctx.record_act)
                except rules.AssessmentError as err:
                    _refuse(err, lang)
                    return
                shown_token.set_text(f"{tr('assess.token_shown', lang)} {token}")
                listing.refresh()

            ui.button(
                tr("assess.token_create", lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, create)
            ).mark("token-create")
