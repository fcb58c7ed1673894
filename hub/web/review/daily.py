"""Daily review (日审核): one line-day's kiosk records, daily results with their explanation,
counts-vs-warehouse discrepancies, countersign state, disputes and four-eyes corrections.

Line officers see their own lines, area heads their area, the labor section everything; each act
goes through `hub.review.corrections.Corrections`, which re-checks scope, window and four-eyes on the server
and signs the act into the ledger. Everything users typed is shown with `ui.label` (text, never HTML).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from nicegui import run, ui

from floorledger.base import i18n
from floorledger.base.pieces import whole_pieces
from hub.accounts import Principal, Role
from hub.app import corrections_service
from hub.engine.compute import MonthIndex
from hub.engine.errors import EngineError
from hub.engine.explain import explain_daily
from hub.engine.model import Month
from hub.errors import HubError
from hub.masterdata import queries as md_queries
from hub.paper import sources as paper_sources
from hub.paper.daily import diff as daily_diff
from hub.paper.daily import render_daily
from hub.paper.daily import status as daily_status
from hub.paper.texts import t as paper_t
from hub.results.facts import HUB_CORRECTABLE
from hub.results.inputs import month_input
from hub.review import capture as cx_capture
from hub.review import corrections as cx
from hub.review import late as lx
from hub.store import masterdata as md_tables
from hub.store import review as review_tables
from hub.store.results import DiscrepancyFlag
from hub.web import guard
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.inmate_texts import reason_label
from hub.web.people import inmate_href, inmate_labels, officer_labels
from hub.web.pickers import date_input
from hub.web.review.daily_texts import t
from hub.web.review.late_section import LateSection, late_desk
from hub.web.tables import data_table

log = logging.getLogger(__name__)

REVIEW_ROLES = frozenset({Role.LINE_OFFICER, Role.AREA_HEAD, Role.LABOR_SECTION})
PATH = "/review"


def review_desk(
    ctx: WebContext, *, on_answer: Callable[[str], object] | None = None
) -> cx.Corrections | None:
    """The corrections service for the dashboard from the hub's context (None without a ledger).

    An approval asks the results worker to recompute the record's day (`Results.request_day`);
    `on_answer(line)` is called after a rejected dispute (give `PlanPublisher.refresh` a line list).
    """
    if ctx.corrections is not None and on_answer is None:
        return ctx.corrections
    if ctx.ledger is None:
        return None
    window = int(getattr(ctx.config, "correction_window_days", 7) if ctx.config is not None else 7)
    results = ctx.results
    return corrections_service(
        ctx.db,
        ctx.ledger,
        today=ctx.today,
        clock_ms=ctx.clock,
        window_days=window,
        on_applied=None if results is None else results.request_day,
        on_answer=on_answer,
    )


def register_review(
    context: WebContext, desk: cx.Corrections | None = None, late: lx.LateEntries | None = None
) -> None:
    """Mount /review?line=CODE&day=YYYY-MM-DD."""
    service = desk if desk is not None else review_desk(context)
    late_service = late if late is not None else late_desk(context)
    add_nav("review.nav", PATH, REVIEW_ROLES)

    @guard.dashboard_page(context, PATH, roles=REVIEW_ROLES, title_key="review.title")
    def review_page(who: Principal, line: str = "", day: str = "") -> None:
        lang = guard.language()
        visible = _visible_lines(who)
        if not line and not day:
            # An officer's own line (or the one line they may see) opens at once, for today.
            own = [code for code in who.lines if code in visible] or list(visible)
            if len(own) == 1:
                line, day = own[0], context.today().isoformat()
        _picker(lang, visible, line, day or context.today().isoformat())
        if not line and not day:
            ui.label(t("review.pick", lang)).mark("review-pick")
            return
        try:
            the_day = date.fromisoformat(day)
        except ValueError:
            ui.label(t("review.err.day", lang)).classes("text-negative").mark("review-error")
            return
        if line not in visible:
            log.warning("refused %s (%s) review of line %r", who.username, who.role, line)
            ui.label(t("review.err.line", lang)).classes("text-negative").mark("review-error")
            return
        if service is None:
            ui.label(t("review.unavailable", lang)).mark("review-unavailable")
            return
        _LineDay(context, service, lang, line, the_day, late_service).build()


def _visible_lines(who: Principal) -> dict[str, str]:
    lines = md_tables.Line.select().order_by(md_tables.Line.code)
    return {x.code: f"{x.name} ({x.code})" for x in lines if who.may_see_line(x.code, x.area)}


def _picker(lang: str, visible: dict[str, str], line: str, day: str) -> None:
    with ui.row().classes("items-end"):
        pick_line = ui.select(visible, value=line if line in visible else None, label=t("review.line", lang))
        pick_line.classes("w-48").mark("review-line")
        pick_day = date_input(t("review.day", lang), lang, value=day).props("maxlength=10").mark("review-day")

        def go() -> None:
            ui.navigate.to(f"{PATH}?line={pick_line.value or ''}&day={(pick_day.value or '').strip()}")

        ui.button(t("review.open", lang), on_click=go).mark("review-open")


def _type(code: str, lang: str) -> str:
    """A record type as the officer reads it (签到, 报数 …; the code in English)."""
    return i18n.Label("verify.type", code).text(lang)


def _field(code: str, lang: str) -> str:
    """A record field as the officer reads it (件数 …; the code in English)."""
    return i18n.Label("verify.col", code).text(lang)


def _time(ms: int, ctx: WebContext) -> str:
    return datetime.fromtimestamp(ms / 1000, ctx.zone).strftime("%H:%M:%S")


class _LineDay:
    """The sections of one line-day; `refresh` rebuilds them after an act."""

    def __init__(
        self,
        ctx: WebContext,
        desk: cx.Corrections,
        lang: str,
        line: str,
        day: date,
        late: lx.LateEntries | None = None,
    ) -> None:
        self.ctx, self.desk, self.lang, self.line, self.day = ctx, desk, lang, line, day
        self.late = late

    def build(self) -> None:
        ui.button(
            t("review.print", self.lang), on_click=guard.guarded_action(self.ctx, REVIEW_ROLES, self._print)
        ).props("outline icon=print").mark("print-daily")
        self.sections = ui.refreshable(self._sections)
        self.sections()

    async def _print(self, who: Principal) -> None:
        """The line-day's 日记载 sheet as a PDF download; the line is checked against the officer's
        scope again at the click (the page may have been open while the account's lines changed)."""
        if self.line not in _visible_lines(who):
            log.warning("refused %s (%s) daily sheet of line %r", who.username, who.role, self.line)
            ui.notify(t("review.err.line", self.lang), type="negative")
            return
        try:
            data = await run.io_bound(self._sheet, who.display_name)
        except HubError as err:
            ui.notify(err.text(self.lang), type="negative")
            return
        if data is not None:  # None: the page was left while printing
            name = paper_sources.file_name("daily", self.line, self.day.isoformat())
            ui.download.content(data, name, "application/pdf")

    def _sheet(self, printed_by: str) -> bytes:
        printed_at = self.ctx.now().strftime("%Y-%m-%d %H:%M")
        sheet = paper_sources.daily_sheet(
            self.line, self.day, printed_by=printed_by, printed_at=printed_at, lang=self.lang
        )
        return render_daily(sheet)

    def _records(self) -> list[Any]:
        return cx.line_day_records(self.line, self.day)

    def _sections(self) -> None:
        records = self._records()
        names = inmate_labels()  # id -> "prison number name": no internal id on screen
        self.names = names
        self.officers = officer_labels(self.lang)
        # the day's people and numbers first, then what is open; the raw record log one click away
        self._results_section(names)
        self._discrepancy_section()
        self._dispute_section(records, names)
        self._countersign_section(records)
        self._corrections_section(records)
        if self.late is not None:
            LateSection(self.ctx, self.late, self.lang, self.line, self.day, self._act).build(names)
        with (
            ui.expansion(t("review.records_log", self.lang, n=len(records)))
            .classes("w-full")
            .mark("records-log")
        ):
            self._records_section(records)

    def _act(self, action: Callable[[Principal], object]) -> Callable[[], Any]:
        """A guarded click: refusals of the domain become a notification, success refreshes the page."""

        def handler(who: Principal) -> None:
            try:
                action(who)
            except cx.CorrectionError as err:
                ui.notify(err.text(self.lang), type="negative")
                return
            ui.notify(t("review.saved", self.lang), type="positive")
            self.sections.refresh()

        return guard.guarded_action(self.ctx, REVIEW_ROLES, handler)

    # --- sections -----------------------------------------------------------------------------------

    def _records_section(self, records: list[Any]) -> None:
        ui.label(t("review.records", self.lang)).classes("text-h6")
        if not records:
            ui.label(t("review.no_records", self.lang)).mark("no-records")
        for r in records:
            body = json.loads(r.body)
            amount = body.get("units", body.get("minutes", ""))
            kind = _type(r.type, self.lang)
            person = self._person(r.person) if r.person else ""
            text = f"{_time(r.wall_ms, self.ctx)} {kind} {person} {amount} {r.kiosk}#{r.seq}"
            ui.label(text).mark(f"rec-{r.kiosk}-{r.seq}")

    def _results_section(self, names: dict[str, str]) -> None:
        """The day's table first: every inmate by prison number and name (a link to his page), step,
        quota, done, difference and status in whole pieces as on the board, and his flags; below it,
        the explanation of any one inmate's day."""
        ui.label(t("review.results", self.lang)).classes("text-h6")
        try:
            sheet = paper_sources.daily_sheet(self.line, self.day, printed_by="", printed_at="")
            rows = list(sheet.rows)
        except HubError:  # no results yet for this line-day
            rows = []
        if not rows:
            ui.label(t("review.no_results", self.lang)).mark("no-results")
        else:
            lang = self.lang
            columns = [
                {"name": key, "field": key, "label": paper_t(f"paper.daily.col.{key}", lang)}
                for key in ("number", "name", "step", "quota", "done", "diff", "status", "flags")
            ]
            table_rows = [
                {
                    "id": f"{r.inmate}|{r.step}",
                    "number": r.number,
                    "name": r.name,
                    "href": inmate_href(r.inmate),
                    "step": r.step,
                    "quota": "—" if r.quota_units is None else whole_pieces(r.quota_units),
                    "done": "—" if r.done_units is None else whole_pieces(r.done_units),
                    "diff": "—" if daily_diff(r) is None else f"{daily_diff(r):+d}",
                    "status": paper_t(f"paper.status.{daily_status(r)}", lang),
                    "flags": "、".join(paper_t(f"paper.flag.{f}", lang) for f in r.flags),
                }
                for r in rows
            ]
            data_table(columns=columns, rows=table_rows, lang=lang, links={"name": "href"}).classes(
                "w-full"
            ).mark("results-table")
            people = {r.inmate: f"{r.number} {r.name}" for r in rows}
            with ui.row().classes("items-end"):
                pick = (
                    ui.select(people, label=t("review.explain_who", lang), value=rows[0].inmate)
                    .classes("w-64")
                    .mark("explain-inmate")
                )
                shown = ui.label().style("white-space: pre-line").mark("explanation")

                async def explain() -> None:
                    if pick.value:
                        shown.set_text(str(await run.io_bound(self._explain, str(pick.value))))

                ui.button(t("review.explain", lang), on_click=explain).props("flat").mark("explain")
        self._rated_section(names)

    def _rated_section(self, names: dict[str, str]) -> None:
        """Rule book v2: inmates on posts without quotas show their grade (or that it is missing), not
        units: a post has none."""
        posts = md_queries.post_names()
        for rated in cx_capture.rated_on(self.day, line=self.line):
            if rated.grade is None:
                text = t(
                    "review.rated_missing",
                    self.lang,
                    person=names.get(rated.inmate, rated.inmate),
                    post=posts.get(rated.post, rated.post),
                )
            else:
                text = t(
                    "review.rated_row",
                    self.lang,
                    person=names.get(rated.inmate, rated.inmate),
                    post=posts.get(rated.post, rated.post),
                    grade=rated.grade,
                )
            ui.label(text).mark(f"rated-{rated.inmate}")

    def _person(self, inmate: str) -> str:
        """An inmate as people know him: prison number and name (the id only if the site lost him)."""
        return self.names.get(inmate, inmate)

    def _officer(self, name: str) -> str:
        """An officer (login name or master-data id) as "name (rank)"."""
        return self.officers.get(name, name)

    def _explain(self, inmate: str) -> str:
        month = Month.of(self.day)
        read = month_input(self.ctx.db, month, through=self.ctx.today())
        index = MonthIndex(read.inputs, read.rule_set)
        try:
            return explain_daily(index, inmate, self.day).render("en" if self.lang == "en" else "zh")
        except EngineError as err:
            return str(err)

    def _discrepancy_section(self) -> None:
        ui.label(t("review.discrepancies", self.lang)).classes("text-h6")
        flags = list(
            DiscrepancyFlag.select().where(
                (DiscrepancyFlag.line == self.line) & (DiscrepancyFlag.day == self.day.isoformat())
            )
        )
        notes = {(n.product, n.step): n for n in cx.notes_for(self.line, self.day)}
        if not flags and not notes:
            ui.label(t("review.no_discrepancies", self.lang)).mark("no-discrepancies")
        products = {p.code: p.name for p in md_tables.Product.select()}
        steps = {(x.product, x.code): x.name for x in md_tables.Step.select()}
        for flag in flags:
            key = f"{flag.product}-{flag.step}"
            ui.label(
                t(
                    "review.flag_row",
                    self.lang,
                    product=products.get(flag.product, flag.product),
                    step=steps.get((flag.product, flag.step), flag.step),
                    counted=whole_pieces(flag.counted_units),
                    warehoused=whole_pieces(flag.warehoused_units),
                )
            ).mark(f"flag-{key}")
            note = notes.get((flag.product, flag.step))
            if note is not None:
                continue
            with ui.row().classes("items-end"):
                text = ui.input(t("review.note", self.lang)).classes("w-96").mark(f"flag-note-{key}")

                def resolve(who: Principal, f: int = flag.id, box: ui.input = text) -> object:
                    return self.desk.resolve_discrepancy(who, f, box.value or "")

                ui.button(t("review.resolve", self.lang), on_click=self._act(resolve)).mark(
                    f"flag-resolve-{key}"
                )
        for n in notes.values():
            ui.label(t("review.resolved", self.lang, officer=self._officer(n.officer), note=n.note)).mark(
                f"flag-resolved-{n.product}-{n.step}"
            )

    def _countersign_section(self, records: list[Any]) -> None:
        ui.label(t("review.countersign", self.lang)).classes("text-h6")
        signs = [r for r in records if r.type == "countersign"]
        if not signs:
            ui.label(t("review.not_countersigned", self.lang)).mark("countersign")
        for r in signs:
            officer = json.loads(r.body).get("officer", "")
            ui.label(
                t(
                    "review.countersigned",
                    self.lang,
                    officer=self._officer(officer),
                    time=_time(r.wall_ms, self.ctx),
                )
            ).mark("countersign")

    def _correctable(self, records: list[Any], person: str | None = None) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in records:
            if r.type in HUB_CORRECTABLE and (person is None or r.person == person):
                body = json.loads(r.body)
                field = HUB_CORRECTABLE[r.type]
                kind, name = _type(r.type, self.lang), _field(field, self.lang)
                person = self._person(r.person) if r.person else ""
                out[f"{r.kiosk}#{r.seq}"] = f"{r.kiosk}#{r.seq} {kind} {person} {name}={body[field]}"
        return out

    def _dispute_section(self, records: list[Any], names: dict[str, str]) -> None:
        ui.label(t("review.disputes", self.lang)).classes("text-h6")
        disputes = [r for r in records if r.type == "dispute"]
        if not disputes:
            ui.label(t("review.no_disputes", self.lang)).mark("no-disputes")
        answers = cx.answers_by_dispute()
        for r in disputes:
            body = json.loads(r.body)
            who_text = self._person(r.person or "")
            ui.label(
                t(
                    "review.dispute_row",
                    self.lang,
                    person=who_text,
                    reason=reason_label(str(body.get("reason", "")), self.lang),
                    text=body.get("text", ""),
                )
            ).mark(f"dispute-{r.kiosk}-{r.seq}")
            answer = answers.get((r.kiosk, r.seq))
            if answer is not None:
                outcome = t(f"review.outcome.{answer.outcome}", self.lang)
                ui.label(
                    t(
                        "review.answered",
                        self.lang,
                        outcome=outcome,
                        officer=self._officer(answer.officer),
                        reason=answer.reason,
                    )
                ).mark(f"dispute-answer-{r.kiosk}-{r.seq}")
                continue
            mark = f"{r.kiosk}-{r.seq}"
            with ui.row().classes("items-end"):
                reason = (
                    ui.input(t("review.answer_reason", self.lang))
                    .classes("w-96")
                    .mark(f"dispute-reason-{mark}")
                )
                target = (
                    ui.select(self._correctable(records, r.person), label=t("review.record", self.lang))
                    .classes("w-72")
                    .mark(f"dispute-record-{mark}")
                )
                value = ui.input(t("review.value", self.lang)).classes("w-24").mark(f"dispute-value-{mark}")

                def uphold(
                    who: Principal, r: Any = r, reason: Any = reason, target: Any = target, value: Any = value
                ) -> None:
                    picked = _ref(target.value)
                    correct = None if picked is None else (picked[0], picked[1], value.value or "")
                    self.desk.answer_dispute(
                        who, r.kiosk, r.seq, upheld=True, reason_text=reason.value or "", correct=correct
                    )

                def reject(who: Principal, r: Any = r, reason: Any = reason) -> None:
                    self.desk.answer_dispute(
                        who, r.kiosk, r.seq, upheld=False, reason_text=reason.value or ""
                    )

                ui.button(t("review.uphold", self.lang), on_click=self._act(uphold)).mark(
                    f"dispute-uphold-{mark}"
                )
                ui.button(t("review.reject", self.lang), on_click=self._act(reject)).mark(
                    f"dispute-reject-{mark}"
                )

    def _corrections_section(self, records: list[Any]) -> None:
        ui.label(t("review.corrections", self.lang)).classes("text-h6")
        proposals = cx.proposals_for(self.line, self.day)
        if not proposals:
            ui.label(t("review.no_corrections", self.lang)).mark("no-corrections")
        stored = {(r.kiosk, r.seq): json.loads(r.body) for r in records}
        for p in proposals:
            original = stored.get((p.ref_kiosk, p.ref_seq), {}).get(p.field, "?")
            state = (
                t("review.state.approved", self.lang, approver=self._officer(str(p.approver)))
                if p.status == review_tables.APPROVED
                else t("review.state.proposed", self.lang)
            )
            with ui.column().classes("gap-0"):
                ui.label(
                    t(
                        "review.correction_row",
                        self.lang,
                        ref=f"{p.ref_kiosk}#{p.ref_seq}",
                        type=_type(p.type, self.lang),
                        field=_field(p.field, self.lang),
                        original=original,
                        old=p.old,
                        new=p.new,
                        proposer=self._officer(p.proposer),
                        state=state,
                    )
                ).mark(f"correction-{p.id}")
                ui.label(t("review.correction_reason", self.lang, reason=p.reason)).mark(
                    f"correction-reason-{p.id}"
                )
                if p.status == review_tables.PROPOSED:
                    self._preview_label(
                        str(p.ref_kiosk), int(p.ref_seq), str(p.new), f"correction-preview-{p.id}"
                    )

                    def approve(who: Principal, pid: int = p.id) -> object:
                        return self.desk.approve(who, pid)

                    ui.button(t("review.approve", self.lang), on_click=self._act(approve)).mark(
                        f"approve-{p.id}"
                    )
        ui.label(t("review.propose", self.lang)).classes("text-subtitle1")
        with ui.row().classes("items-end"):
            target = ui.select(self._correctable(records), label=t("review.record", self.lang)).classes(
                "w-72"
            )
            target.mark("propose-record")
            value = ui.input(t("review.value", self.lang)).classes("w-24").mark("propose-value")
            reason = ui.input(t("review.reason", self.lang)).classes("w-96").mark("propose-reason")

            def propose(who: Principal) -> None:
                picked = _ref(target.value)
                if picked is None:
                    raise cx.CorrectionError("review.err.pick_record")
                self.desk.propose(who, picked[0], picked[1], value.value or "", reason.value or "")

            ui.button(t("review.propose", self.lang), on_click=self._act(propose)).mark("propose")
            shown = ui.label().style("white-space: pre-line").mark("propose-preview")

            def preview() -> None:
                picked = _ref(target.value)
                if picked is None or not (value.value or "").strip():
                    shown.set_text(t("review.preview_pick", self.lang))
                    return
                try:
                    shown.set_text(self._preview_text(picked[0], picked[1], str(value.value)))
                except cx.CorrectionError as err:
                    shown.set_text(err.text(self.lang))

            ui.button(t("review.preview", self.lang), on_click=preview).props("outline").mark("preview")

    def _preview_text(self, kiosk: str, seq: int, value: str) -> str:
        """Every inmate whose credit that day the correction would move, by prison number and name."""
        changes = self.desk.preview(kiosk, seq, value)
        if not changes:
            return t("review.preview_none", self.lang)
        lines = [
            t(
                "review.preview_row",
                self.lang,
                person=self._person(c.inmate),
                before=whole_pieces(c.before),
                after=whole_pieces(c.after),
            )
            for c in changes
        ]
        return "\n".join([t("review.preview_title", self.lang, n=len(changes)), *lines])

    def _preview_label(self, kiosk: str, seq: int, value: str, mark: str) -> None:
        try:
            text = self._preview_text(kiosk, seq, value)
        except cx.CorrectionError as err:
            text = err.text(self.lang)
        ui.label(text).style("white-space: pre-line").classes("text-warning").mark(mark)


def _ref(value: object) -> tuple[str, int] | None:
    """("kiosk", seq) from a select's "kiosk#seq" value."""
    if not isinstance(value, str) or "#" not in value:
        return None
    kiosk, _, seq = value.rpartition("#")
    return (kiosk, int(seq)) if seq.isdigit() else None
