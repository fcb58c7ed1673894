"""Trends (/trends): each inmate's daily completion over the month, each line's output against quota,
and the inmates below 80 % on five or more days (to adjust posts or arrange skills training).

Charts are ECharts through `ui.echart`; the series come from the stored daily results (the engine's
rows), so the charts show exactly what the board and the monthly assessment are computed from.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal
from hub.engine.exact import shown
from hub.engine.model import DailyRecord, Month
from hub.review import rules, weekly
from hub.store import masterdata as md_tables
from hub.web import guard
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.review.assessment import OFFICERS, actor_of, area_period_form, assessment_of
from hub.web.review.assessment_texts import tr
from hub.web.tables import data_table

THRESHOLD_PCT = Fraction(80)
THRESHOLD_DAYS = 5


def completion_chart(records: list[DailyRecord], names: dict[str, str], title: str) -> dict[str, Any]:
    """ECharts options: one line per inmate, completion % (rounded to 0.01) per day; gaps where no quota."""
    days = sorted({r.day for r in records})
    by_inmate: dict[str, dict[date, float | None]] = {}
    for r in records:
        pct = r.completion_pct
        by_inmate.setdefault(r.inmate, {})[r.day] = None if pct is None else float(shown(pct))
    return {
        "title": {"text": title},
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "bottom": 0},
        "xAxis": {"type": "category", "data": [d.isoformat() for d in days]},
        "yAxis": {"type": "value", "name": "%"},
        "series": [
            {
                "name": names.get(inmate, inmate),
                "type": "line",
                "data": [values.get(d) for d in days],
            }
            for inmate, values in sorted(by_inmate.items())
        ],
    }


def output_chart(records: list[DailyRecord], line: str, labels: tuple[str, str, str]) -> dict[str, Any]:
    """ECharts options: a line's daily quota and output in standard hours (bars), exact sums rounded."""
    title, quota_label, earned_label = labels
    quota: dict[date, Fraction] = {}
    earned: dict[date, Fraction] = {}
    for r in records:
        if r.line == line:
            quota[r.day] = quota.get(r.day, Fraction(0)) + r.quota_std_seconds
            earned[r.day] = earned.get(r.day, Fraction(0)) + r.earned_std_seconds
    days = sorted(quota)
    return {
        "title": {"text": f"{title} · {line}"},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "xAxis": {"type": "category", "data": [d.isoformat() for d in days]},
        "yAxis": {"type": "value", "name": "h"},
        "series": [
            {"name": quota_label, "type": "bar", "data": [float(shown(quota[d] / 3600)) for d in days]},
            {"name": earned_label, "type": "bar", "data": [float(shown(earned[d] / 3600)) for d in days]},
        ],
    }


def register_trends(ctx: WebContext) -> None:
    add_nav("trends.nav", "/trends", OFFICERS)

    @guard.dashboard_page(ctx, "/trends", roles=OFFICERS, title_key="trends.title")
    async def trends_page(who: Principal, area: str = "", month: str = "") -> None:
        lang = guard.language()
        assessment = assessment_of(ctx)
        visible = assessment.visible_areas(actor_of(who))
        area = area if area in visible else (visible[0] if visible else "")
        if not area:
            guard.refusal(lang)
            return
        month = month or str(Month.of(ctx.today()))
        area_period_form("/trends", visible, area, "month", month, lang)
        try:
            parsed = rules.parse_month(month)
        except rules.AssessmentError as err:
            ui.label(err.text(lang)).classes("text-negative").mark("error")
            return
        actor = actor_of(who)
        lines = assessment.readable_lines(actor, area)  # a line officer: their own lines only
        found = await run.io_bound(weekly.daily_completions, lines, parsed)
        if found is None:  # the page was left (or the hub is stopping) while reading
            return
        allowed = assessment.readable_inmates(actor, area, parsed.first_day, parsed.last_day)
        records = [r for r in found if allowed is None or r.inmate in allowed]
        people = {i.id: i for i in md_tables.Inmate.select()}
        names = {k: f"{p.number} {p.name}" for k, p in people.items()}
        ui.echart(completion_chart(records, names, tr("trends.completion", lang))).classes(
            "w-full h-96"
        ).mark("completion-chart")
        labels = (tr("trends.output", lang), tr("trends.quota", lang), tr("trends.earned", lang))
        for line in lines:
            ui.echart(output_chart(records, line, labels)).classes("w-full h-80").mark(f"output-chart-{line}")
        ui.label(tr("trends.below", lang)).classes("text-h6")
        below = rules.below_threshold(
            ((r.inmate, r.day, r.completion_pct) for r in records), pct=THRESHOLD_PCT, days=THRESHOLD_DAYS
        )
        if not below:
            ui.label(tr("trends.none_below", lang)).mark("none-below")
        data_table(
            lang=lang,
            columns=[
                {"name": "number", "label": tr("assess.col.number", lang), "field": "number"},
                {"name": "name", "label": tr("assess.col.name", lang), "field": "name"},
                {"name": "days", "label": tr("trends.col.days_below", lang), "field": "days"},
            ],
            rows=[
                {
                    "inmate": inmate,
                    "number": people[inmate].number if inmate in people else inmate,
                    "name": people[inmate].name if inmate in people else "",
                    "days": n,
                }
                for inmate, n in below
            ],
            row_key="inmate",
        ).classes("w-full").mark("below-table")
