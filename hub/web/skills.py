"""The skill matrix page (`/skills?area=A1`, 技能矩阵, #17 item 2): inmates by steps, each cell his
efficiency there (recent days weighted more), the days behind it and its trend; sortable,
searchable, exportable (CSV). A cell on too few days is marked uncertain (?). Scope: the areas the
officer may read, and a line officer only the inmates posted on his lines (as the monthly page).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal
from hub.engine.exact import shown
from hub.review import skills
from hub.store import masterdata as md
from hub.store.db import raw_rows
from hub.store.results import DailyResult
from hub.web import guard
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.inmate import inmate_link
from hub.web.review.assessment import OFFICERS, _pick_area, actor_of, assessment_of
from hub.web.skills_texts import t
from hub.web.tables import data_table

PATH = "/skills"
WINDOW_DAYS = 90


def _rows(area: str, today: date, readable: frozenset[str] | None) -> list[skills.StepDay]:
    lines = [x.code for x in md.Line.select().where(md.Line.area == area)]
    query = DailyResult.select(
        DailyResult.inmate, DailyResult.product, DailyResult.step, DailyResult.day,
        DailyResult.quota_std_seconds, DailyResult.earned_std_seconds,
    ).where(
        DailyResult.line.in_(lines)
        & DailyResult.day.between((today - timedelta(days=WINDOW_DAYS)).isoformat(), today.isoformat())
    )  # fmt: skip
    # plain tuples and cached parsing: an area's 90 days are tens of thousands of rows
    days: dict[str, date] = {}
    out = []
    for inmate, product, step, day, quota, earned in raw_rows(query):
        if readable is not None and inmate not in readable:
            continue
        when = days.get(day)
        if when is None:
            when = days[day] = date.fromisoformat(day)
        out.append(
            skills.StepDay(inmate=inmate, step=(product, step), day=when, quota_s=skills.exact(quota),
                           earned_s=skills.exact(earned))
        )  # fmt: skip
    return out


def cell_text(cell: skills.Cell | None, lang: str) -> str:
    """`112% · 20天 ↑` (a trend of 5 points or more shows an arrow), `?` after an uncertain cell."""
    if cell is None:
        return ""
    pct = "—" if cell.efficiency_pct is None else f"{shown(cell.efficiency_pct, 0)}%"
    arrow = ""
    if cell.trend_pct is not None and abs(cell.trend_pct) >= 5:
        arrow = " ↑" if cell.trend_pct > 0 else " ↓"
    return f"{pct} · {t('skills.days', lang, n=cell.days)}{arrow}{' ?' if cell.uncertain else ''}"


def _load(ctx: WebContext, who: Principal, area: str) -> tuple[skills.Matrix, dict[str, Any], dict[Any, str]]:
    today = ctx.today()
    with ctx.db.connection_context():
        readable = assessment_of(ctx).readable_inmates(
            actor_of(who), area, today - timedelta(days=WINDOW_DAYS), today
        )
        matrix = skills.skill_matrix(_rows(area, today, readable), today)
        people = {i.id: i for i in md.Inmate.select().where(md.Inmate.id.in_(list(matrix.inmates)))}
        steps = {(s.product, s.code): s.name for s in md.Step.select()}
    return matrix, people, steps


def register_skills(ctx: WebContext) -> None:
    add_nav("skills.nav", PATH, OFFICERS)

    @guard.dashboard_page(ctx, PATH, roles=OFFICERS, title_key="skills.title")
    async def skills_page(who: Principal, area: str = "") -> None:
        lang = guard.language()
        visible, area = _pick_area(ctx, who, area)
        if area == "" or not visible:
            guard.refusal(lang)
            return
        pick = (
            ui.select(visible, value=area, label=t("skills.area", lang)).classes("w-48").mark("skills-area")
        )
        pick.on_value_change(lambda e: ui.navigate.to(f"{PATH}?area={e.value}"))
        ui.label(t("skills.hint", lang, days=WINDOW_DAYS)).classes("text-grey-7")
        loaded = await run.io_bound(_load, ctx, who, area)
        if loaded is None:
            return
        matrix, people, names = loaded
        columns = [
            {"name": "number", "label": t("skills.number", lang), "field": "number"},
            {"name": "name", "label": t("skills.name", lang), "field": "name"},
            *(
                {"name": f"s{n}", "label": f"{names.get(step, step[1])}", "field": f"s{n}"}
                for n, step in enumerate(matrix.steps)
            ),
        ]
        rows = []
        for inmate in matrix.inmates:
            person = people.get(inmate)
            row: dict[str, Any] = {
                "inmate": inmate,
                "number": person.number if person else inmate,
                "name": person.name if person else "",
                "href": inmate_link(inmate),
            }
            for n, step in enumerate(matrix.steps):
                row[f"s{n}"] = cell_text(matrix.cell(inmate, step), lang)
            rows.append(row)
        data_table(columns=columns, rows=rows, lang=lang, row_key="inmate", links={"name": "href"}).classes(
            "w-full"
        ).mark("skills-table")

        def export() -> None:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow([c["label"] for c in columns])
            for row in rows:
                writer.writerow([row[c["field"]] for c in columns])
            ui.download.content(("\ufeff" + buffer.getvalue()).encode("utf-8"), f"skills-{area}.csv")

        ui.button(t("skills.export", lang), on_click=export).mark("skills-export")
