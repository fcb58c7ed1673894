"""The line's bottleneck page (`/bottleneck?line=L1&month=2026-10`, 瓶颈工序, #17 item 3).

Per day of the month: the line's 入库数, each step's capacity (pieces its holders' quotas call for),
and which step was the thinnest; above, how many days each step was the bottleneck
(`hub.review.bottleneck`). Capacities come from the stored daily results, the 入库数 from the month
input the results are computed from (corrections and late entries included).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal
from hub.engine.exact import shown
from hub.engine.model import Month
from hub.results.inputs import month_input
from hub.review import bottleneck as bn
from hub.review.rules import last_complete_month
from hub.store import masterdata as md
from hub.store.results import DailyResult
from hub.web import guard
from hub.web.context import WebContext
from hub.web.floor import visible_lines
from hub.web.frame import add_nav
from hub.web.review.assessment import OFFICERS
from hub.web.skills_texts import t
from hub.web.tables import data_table

PATH = "/bottleneck"


def _load(ctx: WebContext, line: md.Line, month: Month) -> tuple[list[bn.LineDay], dict[str, str], list[str]]:
    with ctx.db.connection_context():
        rows = DailyResult.select(DailyResult.day, DailyResult.step, DailyResult.quota_units).where(
            (DailyResult.line == line.code)
            & DailyResult.day.between(month.first_day.isoformat(), month.last_day.isoformat())
        )
        loads = [bn.StepLoad(day=date.fromisoformat(r.day), step=r.step, quota_units=Fraction(r.quota_units))
                 for r in rows]  # fmt: skip
        read = month_input(ctx.db, month, through=min(ctx.today(), month.last_day))
        warehoused: dict[date, Fraction] = {}
        for w in read.inputs.warehoused:
            if w.line == line.code:
                warehoused[w.day] = warehoused.get(w.day, Fraction(0)) + w.units
        steps = list(md.Step.select().where(md.Step.product == line.product).order_by(md.Step.position))
        names = {s.code: s.name for s in steps}
        order = [s.code for s in steps]
    return bn.line_days(loads, warehoused, order), names, order


def register_bottleneck(ctx: WebContext) -> None:
    add_nav("bottleneck.nav", PATH, OFFICERS)

    @guard.dashboard_page(ctx, PATH, roles=OFFICERS, title_key="bottleneck.title")
    async def bottleneck_page(who: Principal, line: str = "", month: str = "") -> None:
        lang = guard.language()
        lines = visible_lines(who, None) or []
        chosen = next((x for x in lines if x.code == line), lines[0] if lines else None)
        if chosen is None:
            guard.refusal(lang)
            return
        try:
            period = Month.parse(month) if month else last_complete_month(ctx.today())
        except ValueError:
            period = last_complete_month(ctx.today())
        with ui.row().classes("items-end"):
            choices = {x.code: f"{x.code} {x.name}" for x in lines}
            pick = ui.select(choices, value=chosen.code, label=t("bottleneck.line", lang)).classes("w-56")
            pick.mark("bottleneck-line")
            when = (
                ui.input(t("bottleneck.month", lang), value=str(period))
                .classes("w-32")
                .mark("bottleneck-month")
            )
            ui.button(
                t("bottleneck.show", lang),
                on_click=lambda: ui.navigate.to(
                    f"{PATH}?line={pick.value}&month={(when.value or '').strip()}"
                ),
            ).mark("bottleneck-show")
        loaded = await run.io_bound(_load, ctx, chosen, period)
        if loaded is None:
            return
        days, names, order = loaded
        counts = bn.bottleneck_days(days)
        ui.label(
            "；".join(t("bottleneck.count", lang, step=names.get(s, s), n=n) for s, n in counts.most_common())
            or t("bottleneck.none", lang)
        ).classes("text-h6").mark("bottleneck-summary")
        steps = [s for s in order if any(s in d.capacity for d in days)]
        rows: list[dict[str, Any]] = []
        for d in days:
            row: dict[str, Any] = {
                "day": d.day.isoformat(),
                "warehoused": "—" if d.warehoused is None else shown(d.warehoused, 0),
                "neck": names.get(d.bottleneck or "", d.bottleneck or "—"),
            }
            for s in steps:
                row[s] = shown(d.capacity[s], 0) if s in d.capacity else ""
            rows.append(row)
        data_table(
            lang=lang,
            columns=[
                {"name": "day", "label": t("bottleneck.day", lang), "field": "day"},
                {"name": "warehoused", "label": t("bottleneck.warehoused", lang), "field": "warehoused"},
                *({"name": s, "label": names.get(s, s), "field": s} for s in steps),
                {"name": "neck", "label": t("bottleneck.neck", lang), "field": "neck"},
            ],
            rows=rows,
            row_key="day",
        ).classes("w-full").mark("bottleneck-table")
