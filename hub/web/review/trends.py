"""Trends (/trends): the area's lines' daily completion (and the few inmates an officer picks beside
them), each line's output against quota, and the inmates below the low-completion threshold on five
or more days (to adjust posts or arrange skills training).

Charts are ECharts through `ui.echart`; the series come from the stored daily results (the engine's
rows), so the charts show exactly what the board and the monthly assessment are computed from.
The completion chart never holds more than the area's lines and `MAX_PICKED` inmates: forty lines
in one chart were unreadable and their legend paged. The low-completion threshold is the one the
suggestions page uses (`SuggestSettings.low_pct`, versioned by the labor section), so a person the
suggestions call low is low here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from fractions import Fraction
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal
from hub.engine.exact import shown
from hub.engine.model import DailyRecord, Month
from hub.review import actions, rules, weekly
from hub.store import masterdata as md_tables
from hub.web import guard
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.inmate import inmate_link
from hub.web.review.assessment import OFFICERS, actor_of, area_period_form, assessment_of
from hub.web.review.assessment_texts import tr
from hub.web.tables import data_table

THRESHOLD_PCT = Fraction(80)  # only if no settings can be read (the suggestions' default is the same)
THRESHOLD_DAYS = 5
ZERO = Fraction(0)
MAX_PICKED = 5  # inmates drawn beside the lines: more would make the chart unreadable again


def pct_text(value: Fraction) -> str:
    """A threshold as an officer writes it: 80, 72.5 (never 80.00)."""
    return shown(value).rstrip("0").rstrip(".")


def _pct(earned: Fraction, quota: Fraction) -> float | None:
    return None if not quota else float(shown(100 * earned / quota))


def completion_chart(
    records: Sequence[DailyRecord],
    *,
    lines: Mapping[str, str],
    picked: Sequence[str],
    names: Mapping[str, str],
    title: str,
    threshold: Fraction,
) -> dict[str, Any]:
    """ECharts options: each line's completion (its day's output over its quota) and each picked inmate's.

    `lines` maps a line code to its shown name, `names` an inmate to "number name"; percentages are
    rounded to 0.01 for drawing only; a day without quota is a gap. The threshold is a dashed mark."""
    days = sorted({r.day for r in records})
    quota: dict[tuple[str, date], Fraction] = {}
    earned: dict[tuple[str, date], Fraction] = {}
    mine: dict[str, dict[date, float | None]] = {inmate: {} for inmate in picked}
    for r in records:
        key = (r.line, r.day)
        quota[key] = quota.get(key, Fraction(0)) + r.quota_std_seconds
        earned[key] = earned.get(key, Fraction(0)) + r.earned_std_seconds
        if r.inmate in mine:
            pct = r.completion_pct
            mine[r.inmate][r.day] = None if pct is None else float(shown(pct))
    series: list[dict[str, Any]] = [
        {
            "name": lines[line],
            "type": "line",
            "lineStyle": {"width": 3},
            "data": [
                _pct(earned.get((line, d), Fraction(0)), quota.get((line, d), Fraction(0))) for d in days
            ],
        }
        for line in lines
    ]
    series += [
        {"name": names.get(inmate, "?"), "type": "line", "data": [values.get(d) for d in days]}
        for inmate, values in mine.items()
    ]
    if series:
        series[0]["markLine"] = {
            "symbol": "none",
            "silent": True,
            "lineStyle": {"type": "dashed", "color": "#c10015"},
            "label": {"formatter": f"{pct_text(threshold)}%"},
            "data": [{"yAxis": float(shown(threshold))}],
        }
    return {
        "title": {"text": title},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"bottom": 60},
        "xAxis": {"type": "category", "data": [d.isoformat() for d in days]},
        "yAxis": {"type": "value", "name": "%"},
        "series": series,
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


def picked_from(text: str, known: Iterable[str]) -> list[str]:
    """The inmates named in `text` (comma-separated; the page's `inmates`): known ones, at most five."""
    allowed = set(known)
    out: list[str] = []
    for part in text.split(","):
        inmate = part.strip()
        if inmate in allowed and inmate not in out:
            out.append(inmate)
    return out[:MAX_PICKED]


def _read(lines: list[str], month: Month, today: date) -> tuple[list[DailyRecord], Fraction, dict[str, str]]:
    """The month's rows, the low-completion threshold in force at its end (or today), the line names."""
    records = weekly.daily_completions(lines, month)
    threshold = actions.settings_on(min(month.last_day, today)).low_pct
    names = {
        x.code: f"{x.code} {x.name}" for x in md_tables.Line.select().where(md_tables.Line.code.in_(lines))
    }
    return records, threshold, {line: names.get(line, line) for line in lines}


def register_trends(ctx: WebContext) -> None:
    add_nav("trends.nav", "/trends", OFFICERS)

    @guard.dashboard_page(ctx, "/trends", roles=OFFICERS, title_key="trends.title")
    async def trends_page(who: Principal, area: str = "", month: str = "", inmates: str = "") -> None:
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
        found = await run.io_bound(_read, lines, parsed, ctx.today())
        if found is None:  # the page was left (or the hub is stopping) while reading
            return
        rows, threshold, line_names = found
        allowed = assessment.readable_inmates(actor, area, parsed.first_day, parsed.last_day)
        records = [r for r in rows if allowed is None or r.inmate in allowed]
        present = {r.inmate for r in records}
        people = {i.id: i for i in md_tables.Inmate.select() if i.id in present}
        names = {
            k: f"{p.number} {p.name}" for k, p in sorted(people.items(), key=lambda kv: str(kv[1].number))
        }
        title = tr("trends.completion", lang)

        def options(picked: Sequence[str]) -> dict[str, Any]:
            return completion_chart(
                records, lines=line_names, picked=picked, names=names, title=title, threshold=threshold
            )

        chosen = picked_from(inmates, names)
        picker = (
            ui.select(
                names,
                value=chosen,
                multiple=True,
                with_input=True,
                clearable=True,
                label=tr("trends.pick", lang, n=MAX_PICKED),
            )
            .props(f"use-chips max-values={MAX_PICKED}")
            .classes("w-[40rem]")
            .mark("inmate-picker")
        )
        chart = ui.echart(options(chosen)).classes("w-full h-96").mark("completion-chart")

        def redraw() -> None:
            chart.options.clear()
            chart.options.update(options(picked_from(",".join(picker.value or []), names)))
            chart.update()

        picker.on_value_change(redraw)
        pct = pct_text(threshold)
        ui.label(tr("trends.below", lang, pct=pct, days=THRESHOLD_DAYS)).classes("text-h6").mark(
            "below-title"
        )
        below = rules.below_threshold(
            ((r.inmate, r.day, r.completion_pct) for r in records), pct=threshold, days=THRESHOLD_DAYS
        )
        if not below:
            ui.label(tr("trends.none_below", lang, pct=pct, days=THRESHOLD_DAYS)).mark("none-below")
        data_table(
            lang=lang,
            columns=[
                {
                    "name": "number",
                    "label": tr("assess.col.number", lang),
                    "field": "number",
                    "align": "left",
                },  # a prison number, not a quantity,
                {"name": "name", "label": tr("assess.col.name", lang), "field": "name"},
                {"name": "days", "label": tr("trends.col.days_below", lang, pct=pct), "field": "days"},
            ],
            rows=[
                {
                    "inmate": inmate,
                    "number": people[inmate].number if inmate in people else "?",
                    "name": people[inmate].name if inmate in people else "",
                    "days": n,
                    "href": inmate_link(inmate),
                }
                for inmate, n in below
            ],
            row_key="inmate",
            links={"number": "href", "name": "href"},
        ).classes("w-full").mark("below-table")
        labels = (tr("trends.output", lang), tr("trends.quota", lang), tr("trends.earned", lang))
        for line in lines:
            ui.echart(output_chart(records, line, labels)).classes("w-full h-80").mark(f"output-chart-{line}")
