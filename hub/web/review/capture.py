"""Rule book v2 capture pages: daily grades of rated posts (/grades), rejects (/rejects) and
deductions with four eyes (/deductions).

Line officers act on their lines, area heads on their area, the labor section everywhere; every act
goes through `hub.review.capture.Capture`, which re-checks scope, rule book, lock and four eyes on the
server and signs the act into the ledger. What officers typed is shown with `ui.label` (never HTML).
The grading page is one screen per post and day: a row per rated inmate with A/B/C/D buttons big
enough for a finger, saved at once; a day not graded yet is marked until it is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from nicegui import events, run, ui

from hub.accounts import Principal, Role
from hub.engine.exact import decimal_text
from hub.engine.model import Month
from hub.ledger.entries import LedgerError
from hub.masterdata import queries as md_queries
from hub.review import capture as cx
from hub.review.capture_texts import category_text
from hub.store import capture as cap
from hub.store import masterdata as md_tables
from hub.web import guard
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.people import inmate_href, officer_labels
from hub.web.review.capture_texts import t
from hub.web.tables import data_table

log = logging.getLogger(__name__)

CAPTURE_ROLES = frozenset({Role.LINE_OFFICER, Role.AREA_HEAD, Role.LABOR_SECTION})
GRADES_PATH, REJECTS_PATH, DEDUCT_PATH = "/grades", "/rejects", "/deductions"


def capture_desk(ctx: WebContext) -> cx.Capture | None:
    """The capture service from the hub's context (None without a ledger to sign its acts)."""
    if ctx.capture is not None:
        return ctx.capture
    if ctx.ledger is None:
        return None
    results = ctx.results
    return cx.Capture(
        ctx.db,
        ctx.ledger,
        today=ctx.today,
        clock_ms=ctx.clock,
        on_applied=None if results is None else results.request_day,
    )


def register_capture(context: WebContext, desk: cx.Capture | None = None) -> None:
    """Mount /grades?post=&line=&day=, /rejects?line=&day= and /deductions?month=."""
    service = desk if desk is not None else capture_desk(context)
    add_nav("grades.nav", GRADES_PATH, CAPTURE_ROLES)
    add_nav("rejects.nav", REJECTS_PATH, CAPTURE_ROLES)
    add_nav("deduct.nav", DEDUCT_PATH, CAPTURE_ROLES)

    @guard.dashboard_page(context, GRADES_PATH, roles=CAPTURE_ROLES, title_key="grades.title")
    def grades_page(who: Principal, line: str = "", post: str = "", day: str = "") -> None:
        lang = guard.language()
        visible = _visible_lines(who)
        posts = _visible_posts(visible)
        if not line and not post:
            own = [code for code in who.lines if code in visible] or list(visible)
            line = own[0] if len(own) == 1 else ""
        the_day = _day(lang, day or context.today().isoformat())
        _grade_picker(lang, visible, posts, line, post, the_day)
        if the_day is None:
            return
        if post and post not in posts:
            ui.label(t("capture.no_line", lang)).classes("text-negative").mark("capture-error")
            return
        if line and line not in visible:
            ui.label(t("capture.no_line", lang)).classes("text-negative").mark("capture-error")
            return
        if not line and not post:
            return
        if service is None:
            ui.label(t("capture.unavailable", lang)).mark("capture-unavailable")
            return
        _GradeSheet(context, service, lang, who, line=line or None, post=post or None, day=the_day).build()

    @guard.dashboard_page(context, REJECTS_PATH, roles=CAPTURE_ROLES, title_key="rejects.title")
    def rejects_page(who: Principal, line: str = "", day: str = "") -> None:
        lang = guard.language()
        visible = _visible_lines(who)
        if not line:
            own = [code for code in who.lines if code in visible] or list(visible)
            line = own[0] if len(own) == 1 else ""
        the_day = _day(lang, day or context.today().isoformat())
        _line_picker(lang, REJECTS_PATH, visible, line, the_day)
        if the_day is None or not line:
            return
        if line not in visible:
            ui.label(t("capture.no_line", lang)).classes("text-negative").mark("capture-error")
            return
        if service is None:
            ui.label(t("capture.unavailable", lang)).mark("capture-unavailable")
            return
        _rejects(context, service, lang, line, the_day)

    @guard.dashboard_page(context, DEDUCT_PATH, roles=CAPTURE_ROLES, title_key="deduct.title")
    def deductions_page(who: Principal, month: str = "") -> None:
        lang = guard.language()
        try:
            the_month = Month.parse(month) if month else Month.of(context.today())
        except ValueError:
            ui.label(t("capture.bad_month", lang)).classes("text-negative").mark("capture-error")
            return
        with ui.row().classes("items-end"):
            pick = ui.input(t("deduct.month", lang), value=str(the_month)).props("maxlength=7")
            pick.mark("deduct-month")
            ui.button(
                t("capture.open", lang),
                on_click=lambda: ui.navigate.to(f"{DEDUCT_PATH}?month={(pick.value or '').strip()}"),
            ).mark("deduct-open")
        if service is None:
            ui.label(t("capture.unavailable", lang)).mark("capture-unavailable")
            return
        _Deductions(context, service, lang, who, the_month).build()


# --- shared pieces ---------------------------------------------------------------------------------------


def _visible_lines(who: Principal) -> dict[str, str]:
    lines = md_tables.Line.select().order_by(md_tables.Line.code)
    return {x.code: f"{x.name} ({x.code})" for x in lines if who.may_see_line(x.code, x.area)}


def _visible_posts(visible: dict[str, str]) -> dict[str, str]:
    posts = md_tables.Post.select().order_by(md_tables.Post.code)
    return {p.code: f"{p.name} ({p.code})" for p in posts if p.line in visible}


def _day(lang: str, text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        ui.label(t("capture.bad_day", lang)).classes("text-negative").mark("capture-error")
        return None


def _line_picker(lang: str, path: str, visible: dict[str, str], line: str, day: date | None) -> None:
    with ui.row().classes("items-end"):
        pick_line = ui.select(visible, value=line if line in visible else None, label=t("capture.line", lang))
        pick_line.classes("w-48").mark("capture-line")
        pick_day = ui.input(t("capture.day", lang), value="" if day is None else day.isoformat())
        pick_day.props("maxlength=10").mark("capture-day")

        def go() -> None:
            ui.navigate.to(f"{path}?line={pick_line.value or ''}&day={(pick_day.value or '').strip()}")

        ui.button(t("capture.open", lang), on_click=go).mark("capture-open")


def _grade_picker(
    lang: str, visible: dict[str, str], posts: dict[str, str], line: str, post: str, day: date | None
) -> None:
    with ui.row().classes("items-end"):
        pick_line = ui.select(visible, value=line if line in visible else None, label=t("capture.line", lang))
        pick_line.classes("w-48").mark("grades-line")
        choices = {"": t("grades.all_posts", lang), **posts}
        pick_post = ui.select(choices, value=post if post in posts else "", label=t("grades.post", lang))
        pick_post.classes("w-48").mark("grades-post")
        pick_day = ui.input(t("capture.day", lang), value="" if day is None else day.isoformat())
        pick_day.props("maxlength=10").mark("grades-day")

        def go() -> None:
            ui.navigate.to(
                f"{GRADES_PATH}?line={pick_line.value or ''}&post={pick_post.value or ''}"
                f"&day={(pick_day.value or '').strip()}"
            )

        ui.button(t("capture.open", lang), on_click=go).mark("grades-open")


def _refused(lang: str, err: Exception) -> None:
    text = err.text(lang) if isinstance(err, cx.CaptureError) else str(err)
    ui.notify(text, type="negative")


# --- grades ----------------------------------------------------------------------------------------------


class _GradeSheet:
    """One post's (or line's) rated inmates on one day, graded and saved at once."""

    def __init__(
        self,
        ctx: WebContext,
        desk: cx.Capture,
        lang: str,
        who: Principal,
        *,
        line: str | None,
        post: str | None,
        day: date,
    ) -> None:
        self.ctx, self.desk, self.lang, self.who = ctx, desk, lang, who
        self.line, self.post, self.day = line, post, day
        self.chosen: dict[str, str] = {}

    def build(self) -> None:
        self.sheet()
        self.month_missing()

    def _rows(self) -> list[cx.RatedDay]:
        rows = cx.rated_on(self.day, post=self.post, line=self.line)
        return [r for r in rows if self.who.may_see_line(r.line, cx.area_of(r.line))]

    @ui.refreshable_method
    def sheet(self) -> None:
        lang = self.lang
        rows = self._rows()
        if not rows:
            ui.label(t("grades.none", lang)).mark("grades-none")
            return
        grades = cx.grades_of(cx.params_for(self.day))
        missing = [r for r in rows if r.grade is None]
        if missing:
            ui.label(t("grades.missing_count", lang, count=len(missing))).classes("text-warning").mark(
                "grades-missing-count"
            )
        else:
            ui.label(t("grades.all_given", lang)).mark("grades-complete")
        self.chosen = {r.inmate: r.grade or "" for r in rows}
        names = md_queries.post_names()
        with ui.column().classes("gap-2"):
            for row in rows:
                with ui.row().classes("items-center gap-4"):
                    ui.label(f"{row.number} {row.name}").classes("w-48 text-lg")
                    ui.label(names.get(row.post, row.post)).classes("w-24")
                    state = ui.label(row.grade or t("grades.missing", lang))
                    state.classes("w-16" + ("" if row.grade else " text-negative")).mark(
                        f"grade-state-{row.inmate}"
                    )
                    kiosk = (row.source or "").partition("#")[0]  # given at that kiosk (officer mode)
                    ui.label(t("grades.from_kiosk", lang, kiosk=kiosk) if kiosk else "").classes(
                        "w-24 text-caption"
                    ).mark(f"grade-source-{row.inmate}")
                    toggle = ui.toggle(list(grades), value=row.grade)
                    toggle.props("size=lg").mark(f"grade-{row.inmate}")
                    toggle.on_value_change(
                        lambda e, inmate=row.inmate: self.chosen.__setitem__(inmate, e.value or "")
                    )
        ui.button(
            t("grades.save", lang), on_click=guard.guarded_action(self.ctx, CAPTURE_ROLES, self.save)
        ).props("size=lg").mark("grades-save")

    async def save(self, who: Principal) -> None:
        wanted = {k: v for k, v in self.chosen.items() if v}
        try:
            count = await run.io_bound(self.desk.grade, who, self.day, wanted)
        except (cx.CaptureError, LedgerError) as err:
            _refused(self.lang, err)
            return
        if count is None:  # shutting down
            return
        ui.notify(t("grades.saved", self.lang, count=count), type="positive")
        self.sheet.refresh()
        self.month_missing.refresh()

    @ui.refreshable_method
    def month_missing(self) -> None:
        """The month's rated days so far still without a grade (the flag until each is given)."""
        lang = self.lang
        month = Month.of(self.day)
        last = min(month.last_day, self.ctx.today())
        lines = [self.line] if self.line else sorted({r.line for r in self._rows()})
        days = sorted({d for line in lines for d in md_queries.line_workdays(month.first_day, last, line)})
        missing = [
            (d, r)
            for d, r in cx.missing_grades(month.first_day, last, days)
            if (self.post is None or r.post == self.post)
            and (self.line is None or r.line == self.line)
            and self.who.may_see_line(r.line, cx.area_of(r.line))
        ]
        ui.label(t("grades.month_missing", lang)).classes("text-h6 mt-4")
        if not missing:
            ui.label(t("grades.month_missing_none", lang)).mark("grades-month-complete")
            return
        names = md_queries.post_names()
        rows = [
            {
                "id": f"{d.isoformat()}:{r.inmate}",
                "day": d.isoformat(),
                "day_href": f"{GRADES_PATH}?line={r.line}&post={r.post}&day={d.isoformat()}",
                "post": names.get(r.post, r.post),
                "number": r.number,
                "name": r.name,
                "name_href": inmate_href(r.inmate),
            }
            for d, r in missing
        ]
        data_table(
            columns=[
                {"name": "day", "label": t("grades.col_day", lang), "field": "day"},
                {"name": "post", "label": t("grades.post", lang), "field": "post"},
                {"name": "number", "label": t("grades.col_number", lang), "field": "number"},
                {"name": "name", "label": t("grades.col_name", lang), "field": "name"},
            ],
            rows=rows,
            lang=lang,
            links={"day": "day_href", "name": "name_href"},
        ).mark("grades-month-missing")


# --- rejects ---------------------------------------------------------------------------------------------


def _rejects(ctx: WebContext, desk: cx.Capture, lang: str, line: str, day: date) -> None:
    people = {i.id: i for i in md_tables.Inmate.select()}
    counted = {
        inmate: a
        for inmate, a in sorted(md_queries.posts_on(day).items())
        if a.line == line and a.mode != "rated"
    }
    options = {
        inmate: f"{people[inmate].number if inmate in people else inmate} "
        f"{people[inmate].name if inmate in people else ''} ({a.product}/{a.step})"
        for inmate, a in counted.items()
    }

    @ui.refreshable
    def listing() -> None:
        rows = cx.rejects_on(line, day)
        if not rows:
            ui.label(t("rejects.none", lang)).mark("rejects-none")
            return
        officers = officer_labels(lang)
        for r in rows:
            person = people.get(r.inmate)
            with ui.row().classes("items-center gap-4"):
                ui.label(
                    t(
                        "rejects.row",
                        lang,
                        number=person.number if person else r.inmate,
                        name=person.name if person else "",
                        step=f"{r.product}/{r.step}",
                        units=r.units,
                        reason=r.reason,
                        officer=officers.get(r.entered_by, r.entered_by),
                    )
                ).mark(f"reject-{r.id}")
                if r.withdrawn_ms is not None:
                    by = officers.get(str(r.withdrawn_by), str(r.withdrawn_by))
                    ui.label(t("capture.withdrawn", lang, officer=by, reason=r.withdraw_reason)).classes(
                        "text-grey-7"
                    ).mark(f"reject-withdrawn-{r.id}")
                else:
                    _withdraw_control(
                        ctx,
                        lang,
                        f"reject-{r.id}",
                        partial(_withdraw_reject, desk, int(r.id)),
                        listing.refresh,
                    )

    with ui.row().classes("items-end"):
        pick = ui.select(options, label=t("rejects.inmate", lang)).classes("w-72").mark("reject-inmate")
        units = ui.input(t("rejects.units", lang)).props("maxlength=6 inputmode=numeric").mark("reject-units")
        reason = ui.input(t("capture.reason", lang)).props(f"maxlength={cx.MAX_REASON}").mark("reject-reason")

        async def add(who: Principal) -> None:
            inmate = str(pick.value or "")
            step = str(counted[inmate].step) if inmate in counted else ""
            try:
                row = await run.io_bound(
                    lambda: desk.reject(
                        who,
                        line=line,
                        day=day,
                        inmate=inmate,
                        step=step,
                        units=str(units.value or ""),
                        reason=str(reason.value or ""),
                    )
                )
            except (cx.CaptureError, LedgerError) as err:
                _refused(lang, err)
                return
            if row is None:
                return
            ui.notify(t("rejects.added", lang), type="positive")
            units.value, reason.value = "", ""
            listing.refresh()

        ui.button(t("rejects.add", lang), on_click=guard.guarded_action(ctx, CAPTURE_ROLES, add)).mark(
            "reject-add"
        )
    listing()


def _withdraw_reject(desk: cx.Capture, reject: int, who: Principal, why: str) -> object:
    return desk.withdraw_reject(who, reject, why)


def _withdraw_deduction(desk: cx.Capture, deduction: int, who: Principal, why: str) -> object:
    return desk.withdraw_deduction(who, deduction, why)


def _withdraw_control(
    ctx: WebContext,
    lang: str,
    mark: str,
    withdraw: Callable[[Principal, str], object],
    done: Callable[[], object],
) -> None:
    """撤回 with its reason, for an entry made by mistake; the service checks scope, lock and (for a
    confirmed deduction) the labor section again at the click."""
    why = (
        ui.input(t("capture.withdraw_reason", lang)).props(f"maxlength={cx.MAX_REASON} dense").classes("w-56")
    )
    why.mark(f"withdraw-reason-{mark}")

    async def act(who: Principal) -> None:
        try:
            await run.io_bound(withdraw, who, str(why.value or ""))
        except (cx.CaptureError, LedgerError) as err:
            _refused(lang, err)
            return
        ui.notify(t("capture.withdrawn_ok", lang), type="positive")
        done()

    ui.button(t("capture.withdraw", lang), on_click=guard.guarded_action(ctx, CAPTURE_ROLES, act)).props(
        "outline color=negative"
    ).mark(f"withdraw-{mark}")


# --- deductions ------------------------------------------------------------------------------------------


class _Deductions:
    """A month's deductions in the officer's scope: propose (with evidence), confirm others'."""

    def __init__(self, ctx: WebContext, desk: cx.Capture, lang: str, who: Principal, month: Month) -> None:
        self.ctx, self.desk, self.lang, self.who, self.month = ctx, desk, lang, who, month
        self.people = {i.id: i for i in md_tables.Inmate.select().order_by(md_tables.Inmate.number)}
        self.upload: tuple[str, str, bytes] | None = None

    def _in_scope(self, inmate: str, area: str) -> bool:
        if self.who.sees_everything or (self.who.role is Role.AREA_HEAD and area == self.who.area):
            return True
        posts = md_queries.assignments_between(self.month.first_day, self.month.last_day)
        return any(a.inmate == inmate and self.who.may_see_line(a.line, cx.area_of(a.line)) for a in posts)

    def build(self) -> None:
        self.form()
        ui.separator()
        self.listing()

    def form(self) -> None:
        lang = self.lang
        params = cx.params_for(self.month.first_day)
        if not params.v2:
            ui.label(cx.CaptureError("capture.err.v1", month=str(self.month)).text(lang)).mark("deduct-v1")
            return
        posts = md_queries.assignments_between(self.month.first_day, self.month.last_day)
        mine = {a.inmate for a in posts if self.who.may_see_line(a.line, cx.area_of(a.line))}
        options = {
            i: f"{p.number} {p.name}"
            for i, p in self.people.items()
            if i in mine
            or self.who.sees_everything
            or (self.who.role is Role.AREA_HEAD and p.area == self.who.area)
        }
        categories = {
            r.category: t(
                "deduct.range",
                lang,
                category=category_text(r.category, lang),
                low=decimal_text(r.min_points),
                high=decimal_text(r.max_points),
            )
            for r in params.deduction_categories
        }
        with ui.column().classes("gap-2"):
            with ui.row().classes("items-end"):
                inmate = ui.select(options, label=t("deduct.inmate", lang), with_input=True)
                inmate.classes("w-56").mark("deduct-inmate")
                category = ui.select(categories, label=t("deduct.category", lang)).classes("w-56")
                category.mark("deduct-category")
                points = ui.input(t("deduct.points", lang)).props("maxlength=6").mark("deduct-points")
            with ui.row().classes("items-end"):
                day = ui.input(t("deduct.day", lang), value=self.ctx.today().isoformat()).props(
                    "maxlength=10"
                )
                day.mark("deduct-day")
                reason = (
                    ui.input(t("capture.reason", lang)).props(f"maxlength={cx.MAX_REASON}").classes("w-96")
                )
                reason.mark("deduct-reason")
            chosen = ui.label("").mark("deduct-evidence-chosen")

            async def uploaded(event: events.UploadEventArguments) -> None:
                data = await event.file.read()
                self.upload = (event.file.name, event.file.content_type or "application/octet-stream", data)
                chosen.text = t("deduct.evidence_ready", lang, name=event.file.name)

            ui.upload(
                label=t("deduct.evidence", lang),
                auto_upload=True,
                max_file_size=cx.MAX_EVIDENCE_BYTES,
                on_upload=uploaded,
            ).props('accept="image/*,.pdf"').mark("deduct-upload")

            async def propose(who: Principal) -> None:
                try:
                    the_day = date.fromisoformat(str(day.value or "").strip())
                except ValueError:
                    ui.notify(t("capture.bad_day", lang), type="negative")
                    return
                name, kind, data = self.upload if self.upload is not None else (None, "", None)
                try:
                    row = await run.io_bound(
                        lambda: self.desk.propose_deduction(
                            who,
                            inmate=str(inmate.value or ""),
                            day=the_day,
                            category=str(category.value or ""),
                            points=str(points.value or ""),
                            reason=str(reason.value or ""),
                            evidence_name=name,
                            evidence_bytes=data,
                            evidence_type=kind or "application/octet-stream",
                        )
                    )
                except (cx.CaptureError, LedgerError) as err:
                    _refused(lang, err)
                    return
                if row is None:
                    return
                ui.notify(t("deduct.proposed", lang), type="positive")
                points.value, reason.value, chosen.text, self.upload = "", "", "", None
                self.listing.refresh()

            submit = ui.button(
                t("deduct.propose", lang), on_click=guard.guarded_action(self.ctx, CAPTURE_ROLES, propose)
            )
            submit.mark("deduct-propose")

    @ui.refreshable_method
    def listing(self) -> None:
        lang = self.lang
        rows = [d for d in cx.deductions_in(self.month) if self._in_scope(str(d.inmate), str(d.area))]
        if not rows:
            ui.label(t("deduct.none", lang)).mark("deduct-none")
            return
        officers = officer_labels(lang)
        for d in rows:
            person = self.people.get(d.inmate)
            with ui.row().classes("items-center gap-4"):
                ui.label(
                    t(
                        "deduct.row",
                        lang,
                        day=d.day,
                        number=person.number if person else d.inmate,
                        name=person.name if person else "",
                        category=category_text(d.category, lang),
                        points=d.points,
                        reason=d.reason,
                        proposer=officers.get(d.proposed_by, d.proposed_by),
                    )
                ).mark(f"deduction-{d.id}")
                if d.status == cap.WITHDRAWN:
                    by = officers.get(str(d.withdrawn_by), str(d.withdrawn_by))
                    ui.label(t("capture.withdrawn", lang, officer=by, reason=d.withdraw_reason)).classes(
                        "text-grey-7"
                    ).mark(f"deduction-state-{d.id}")
                elif d.status == cap.CONFIRMED:
                    ui.label(
                        t(
                            "deduct.state_done",
                            lang,
                            officer=officers.get(str(d.confirmed_by), str(d.confirmed_by)),
                        )
                    ).mark(f"deduction-state-{d.id}")
                else:
                    ui.label(t("deduct.state_open", lang)).classes("text-warning").mark(
                        f"deduction-state-{d.id}"
                    )
                    ui.button(
                        t("deduct.confirm", lang),
                        on_click=guard.guarded_action(self.ctx, CAPTURE_ROLES, self._confirm(int(d.id))),
                    ).mark(f"confirm-{d.id}")
                if d.status != cap.WITHDRAWN:
                    _withdraw_control(
                        self.ctx,
                        lang,
                        f"deduction-{d.id}",
                        partial(_withdraw_deduction, self.desk, int(d.id)),
                        self.listing.refresh,
                    )
                if d.evidence:
                    ui.button(
                        t("deduct.show_evidence", lang), on_click=lambda sha=d.evidence: _show_evidence(sha)
                    ).props("flat").mark(f"evidence-{d.id}")

    def _confirm(self, deduction: int) -> Any:
        async def confirm(who: Principal) -> None:
            try:
                await run.io_bound(self.desk.confirm_deduction, who, deduction)
            except (cx.CaptureError, LedgerError) as err:
                _refused(self.lang, err)
                return
            ui.notify(t("deduct.confirmed", self.lang), type="positive")
            self.listing.refresh()

        return confirm


def _show_evidence(sha256: str) -> None:
    """Hand the evidence to the reviewer's browser as stored (its bytes hash to the key it is kept under)."""
    row = cx.evidence(sha256)
    if row is None:
        return
    ui.download.content(bytes(row.content), str(row.name), media_type=str(row.media_type))
