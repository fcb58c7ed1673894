"""The inmate page (`/inmate?id=P1001`, #17): one inmate's months, one click from his name.

Who he is (prison number, name, area, personal quota share), a chart of his daily completion over
the last twelve months, each month's days, days met, completion and points (the monthly
assessment's own numbers), the posts he held with their dates and training periods, his disputes
with the officers' answers, and the adjustments in force. Scope on the server as everywhere: an
area head his area's inmates, a line officer those posted on his lines, the labor section all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal
from hub.engine.exact import shown
from hub.engine.model import Month, MonthlyScore
from hub.errors import HubError
from hub.paper.report import render_report
from hub.review import inmate_history as ih
from hub.review import inmate_report, report_signature
from hub.store import masterdata as md
from hub.web import guard
from hub.web.context import WebContext
from hub.web.inmate_texts import reason_label, t
from hub.web.people import officer_labels
from hub.web.review.assessment import OFFICERS, assessment_of
from hub.web.review.daily_texts import t as review_t
from hub.web.tables import data_table

PATH = "/inmate"
HISTORY_DAYS = 366
PENDING = "…"  # a month's points while the assessment computes them

Section = Callable[[WebContext, Principal, md.Inmate, str], Awaitable[None]]
SECTIONS: list[Section] = []
"""More sections at the end of the page, added by other page modules (the suggestions and actions
for him), as `add_nav` adds menu entries: this module needs none of theirs."""


def add_section(section: Section) -> None:
    if section not in SECTIONS:
        SECTIONS.append(section)


def inmate_link(inmate: str) -> str:
    return f"{PATH}?id={inmate}"


def _posted_line(inmate: str, today: date) -> str | None:
    a = md.Assignment
    text = today.isoformat()
    row = (
        a.select()
        .where((a.inmate == inmate) & (a.valid_from <= text) & (a.valid_to.is_null() | (a.valid_to >= text)))
        .order_by(a.id.desc())
        .first()
    )
    return None if row is None else str(row.line)


def _load(ctx: WebContext, inmate: md.Inmate) -> dict[str, Any]:
    """Everything but the months' points, which `_scores` adds after the page shows (each month's
    points are the monthly assessment's: the whole site's month through the engine, about a quarter
    of a second a month on a 2,000-inmate site, so twelve of them would hold the page for seconds)."""
    today = ctx.today()
    with ctx.db.connection_context():
        first = today - timedelta(days=HISTORY_DAYS)
        points = ih.daily_points(inmate.id, first, today)
        held = ih.months_held(inmate.id, first, today)
        return {
            "points": points,
            "months": ih.months_of(inmate.id, points, lambda month: None, held),
            "posts": ih.posts(inmate.id),
            "disputes": ih.disputes(inmate.id),
            "adjustments": ih.adjustments(inmate.id),
        }


def _report(
    ctx: WebContext, who: Principal, inmate: md.Inmate, first: Month, last: Month, lang: str
) -> tuple[str, bytes, bytes]:
    """(file name, PDF, signed companion) of the inmate's report over `first`..`last`, signed with the
    hub's key and recorded in the ledger (`report.issue`)."""
    if ctx.ledger is None:
        raise HubError("inmate.print_report.no_key")
    with ctx.db.connection_context():
        # scope again at the click, as at the page's load: a session may have changed since
        if not who.may_see_inmate(inmate.area, _posted_line(inmate.id, ctx.today())):
            raise HubError("web.refused")
        issue = inmate_report.Issue(by=who.display_name, at=ctx.now(), zone_name=str(ctx.zone), lang=lang)
        document = inmate_report.report_document(
            assessment_of(ctx), inmate.number, first, last, issue=issue, zone=ctx.zone
        )
        sealed = report_signature.seal(document, ctx.ledger.signer)
        inmate_report.record_issue(ctx.record_act, who.username, document, sealed)
    return (
        f"report-{inmate.number}-{first}-{last}",
        render_report(document, sealed),
        report_signature.companion(document, sealed),
    )


def _report_controls(ctx: WebContext, inmate: md.Inmate, lang: str) -> None:
    """Month range and the print button; the report is made in a worker thread (font subsetting)."""
    first, last = inmate_report.first_and_last(ctx.today())
    choices = [str(m) for m in inmate_report.months_between(*inmate_report.first_and_last(ctx.today(), 36))]
    with ui.row().classes("items-center"):
        start = ui.select(choices, value=str(first), label=t("inmate.print_report.from", lang)).mark(
            "report-from"
        )
        end = ui.select(choices, value=str(last), label=t("inmate.print_report.to", lang)).mark("report-to")

        async def print_report(who: Principal) -> None:
            try:
                made = await run.io_bound(
                    _report,
                    ctx,
                    who,
                    inmate,
                    Month.parse(str(start.value)),
                    Month.parse(str(end.value)),
                    lang,
                )
            except HubError as err:
                ui.notify(err.text(lang), type="negative")
                return
            if made is not None:  # None: the page was left while printing
                ui.download.content(made[1], f"{made[0]}.pdf", "application/pdf")
                ui.download.content(made[2], f"{made[0]}.json", "application/json")

        ui.button(
            t("inmate.print_report", lang), on_click=guard.guarded_action(ctx, OFFICERS, print_report)
        ).props("outline icon=print").mark("print-report")


def _scores(ctx: WebContext, inmate: md.Inmate, months: list[Month]) -> dict[str, MonthlyScore | None]:
    """His labor points month by month, as the monthly assessment computes them."""
    if not inmate.area:
        return {str(m): None for m in months}
    with ctx.db.connection_context():
        assessment = assessment_of(ctx)
        out: dict[str, MonthlyScore | None] = {}
        for month in months:
            view = assessment.month_view(month, inmate.area)
            out[str(month)] = next((r.score for r in view.rows if r.inmate == inmate.id), None)
        return out


def _pct(value: Any) -> str:
    return "—" if value is None else f"{shown(value, 1)}%"


def register_inmate_page(ctx: WebContext) -> None:
    @guard.dashboard_page(ctx, PATH, roles=OFFICERS, title_key="inmate.title")
    async def inmate_page(who: Principal, id: str = "") -> None:  # noqa: A002 - the address's name
        lang = guard.language()
        inmate = md.Inmate.get_or_none(md.Inmate.id == id)
        if inmate is None or not who.may_see_inmate(inmate.area, _posted_line(inmate.id, ctx.today())):
            guard.refusal(lang)  # the same answer for "no such inmate" and "not yours"
            return
        ui.label(
            t("inmate.header", lang, number=inmate.number, name=inmate.name, area=inmate.area or "—",
              quota=inmate.quota_pct)
        ).classes("text-h5").mark("inmate-header")  # fmt: skip
        _report_controls(ctx, inmate, lang)
        data = await run.io_bound(_load, ctx, inmate)
        if data is None:
            return
        points: list[ih.DayPoint] = data["points"]
        if points:
            ui.echart(
                {
                    "tooltip": {"trigger": "axis"},
                    "xAxis": {"type": "category", "data": [p.day.isoformat() for p in points]},
                    "yAxis": {"type": "value", "name": "%"},
                    "series": [
                        {
                            "name": t("inmate.daily_pct", lang),
                            "type": "line",
                            "data": [None if p.completion_pct is None else float(shown(p.completion_pct, 1))
                                     for p in points],
                            "markLine": {"data": [{"yAxis": 100}]},
                        }
                    ],
                }
            ).classes("w-full h-64").mark("inmate-chart")  # fmt: skip
        ui.label(t("inmate.months", lang)).classes("text-h6")
        months_table = data_table(
            lang=lang,
            columns=[
                {"name": "month", "label": t("inmate.col.month", lang), "field": "month"},
                {"name": "days", "label": t("inmate.col.days", lang), "field": "days"},
                {"name": "met", "label": t("inmate.col.met", lang), "field": "met"},
                {"name": "pct", "label": t("inmate.col.pct", lang), "field": "pct"},
                {"name": "labor", "label": t("inmate.col.labor", lang), "field": "labor"},
            ],
            rows=[
                {
                    "month": str(m.month),
                    "days": m.days,
                    "met": m.days_met,
                    "pct": _pct(m.completion_pct),
                    "labor": PENDING,  # filled in below, once the page shows
                }
                for m in data["months"]
            ],
            row_key="month",
        )
        months_table.classes("w-full").mark("inmate-months")
        ui.label(t("inmate.posts", lang)).classes("text-h6")
        data_table(
            lang=lang,
            columns=[
                {"name": "line", "label": review_t("review.line", lang), "field": "line"},
                {"name": "what", "label": t("inmate.col.post", lang), "field": "what"},
                {"name": "from", "label": t("inmate.col.from", lang), "field": "from"},
                {"name": "to", "label": t("inmate.col.to", lang), "field": "to"},
                {"name": "training", "label": t("inmate.col.training", lang), "field": "training"},
            ],
            rows=[
                {
                    "n": n,
                    "line": p.line,
                    "what": p.what,
                    "from": p.valid_from,
                    "to": p.valid_to or t("inmate.open", lang),
                    "training": t("inmate.yes", lang) if p.training else "",
                }
                for n, p in enumerate(data["posts"])
            ],
            row_key="n",
        ).classes("w-full").mark("inmate-posts")
        ui.label(t("inmate.disputes", lang)).classes("text-h6")
        if not data["disputes"]:
            ui.label(t("inmate.none", lang)).classes("text-grey-7")
        for d in data["disputes"]:
            outcome = (
                t("inmate.unanswered", lang) if d.outcome is None else t(f"inmate.outcome.{d.outcome}", lang)
            )
            code, _, text = d.reason.partition(" ")
            said = f"{reason_label(code, lang)} {text}".strip()
            ui.label(f"{d.day} · {said} · {outcome} {d.answer}").mark("inmate-dispute")
        ui.label(t("inmate.adjustments", lang)).classes("text-h6")
        if not data["adjustments"]:
            ui.label(t("inmate.none", lang)).classes("text-grey-7")
        officers = officer_labels(lang)
        for a in data["adjustments"]:
            by = officers.get(a.created_by, a.created_by)
            ui.label(f"{a.month} · {a.points} · {a.reason}（{by}）").mark("inmate-adjustment")
        scores = await run.io_bound(_scores, ctx, inmate, [m.month for m in data["months"]])
        if scores is None:
            return
        for row in months_table.rows:
            score = scores.get(row["month"])
            if score is None:
                row["labor"] = "—"
                continue
            # the engine's month: its days include rated days (graded, no stored daily result)
            quota, earned = score.quota_std_seconds, score.earned_std_seconds
            row["days"], row["met"] = score.workdays, score.days_met
            row["pct"] = _pct(100 * earned / quota if quota else None)
            row["labor"] = (
                shown(score.labor_points, 1) if score.labor_assessed else t("inmate.not_assessed", lang)
            )
        months_table.update()
        for section in SECTIONS:
            await section(ctx, who, inmate, lang)
