"""The actions page (`/actions?area=A1`, 措施与效果, #17 item 5): every post change and training
recorded for the area's lines, newest first, with what, when, who, why and whether it answered a
suggestion, and its measured effect: the inmate's and his line's completion over the configured
number of workdays before and after (`hub.review.effects`); until that many workdays have passed,
how far it is. The inmate page shows his own the same way (`action_rows`).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal, Role
from hub.engine.exact import shown
from hub.review import actions as act
from hub.store import masterdata as md
from hub.web import guard
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.inmate import inmate_link
from hub.web.review.assessment import OFFICERS, _pick_area
from hub.web.suggest_texts import pct, t
from hub.web.tables import data_table

PATH = "/actions"


def _signed(value: Any) -> str:
    if value is None:
        return "—"
    return f"{'+' if value > 0 else ''}{shown(value, 0)}"


def action_rows(measured: list[act.Measured], lang: str) -> list[dict[str, Any]]:
    """One table row per action with its effect (people and step names read here)."""
    people = {
        i.id: i for i in md.Inmate.select().where(md.Inmate.id.in_([m.action.inmate for m in measured]))
    }
    rows = []
    for m in measured:
        a, e = m.action, m.effect
        person = people.get(a.inmate)
        rows.append(
            {
                "id": a.id,
                "day": a.day,
                "inmate": a.inmate,
                "number": person.number if person else a.inmate,
                "name": person.name if person else "",
                "href": inmate_link(a.inmate),
                "kind": t(f"actions.kind.{a.kind}", lang),
                "what": a.what,
                "officer": a.officer,
                "reason": a.reason,
                "suggested": t("actions.yes", lang) if a.suggestion else "",
                "before": pct(e.before_pct),
                "after": pct(e.after_pct),
                "change": _signed(e.change_pct) if e.ready else "—",
                "line_before": pct(e.line_before_pct),
                "line_after": pct(e.line_after_pct),
                "status": t("actions.ready", lang)
                if e.ready
                else t("actions.waiting", lang, done=e.after_days, n=m.workdays),
            }
        )
    return rows


def action_table(rows: list[dict[str, Any]], lang: str) -> ui.table:
    names = ("day", "number", "name", "kind", "what", "officer", "reason", "suggested", "before", "after",
             "change", "line_before", "line_after", "status")  # fmt: skip
    columns = [{"name": n, "label": t(f"actions.col.{n}", lang), "field": n} for n in names]
    return data_table(columns=columns, rows=rows, lang=lang, row_key="id", links={"name": "href"})


def register_actions(ctx: WebContext) -> None:
    add_nav("actions.nav", PATH, OFFICERS)

    @guard.dashboard_page(ctx, PATH, roles=OFFICERS, title_key="actions.title")
    async def actions_page(who: Principal, area: str = "") -> None:
        lang = guard.language()
        visible, area = _pick_area(ctx, who, area)
        if area == "" or not visible:
            guard.refusal(lang)
            return
        pick = (
            ui.select(visible, value=area, label=t("suggest.area", lang)).classes("w-48").mark("actions-area")
        )
        pick.on_value_change(lambda e: ui.navigate.to(f"{PATH}?area={e.value}"))
        loaded = await run.io_bound(_load_in, ctx, who, area, lang)
        if loaded is None:
            return
        rows, n = loaded
        ui.label(t("actions.hint", lang, n=n)).classes("text-grey-7")
        action_table(rows, lang).classes("w-full").mark("actions-table")


def _load_in(ctx: WebContext, who: Principal, area: str, lang: str) -> tuple[list[dict[str, Any]], int]:
    today: date = ctx.today()
    with ctx.db.connection_context():
        found = act.actions_in(area=area)
        if who.role is Role.LINE_OFFICER:
            found = [a for a in found if a.line in who.lines]
        return action_rows(act.measured(found, today), lang), act.settings_on(today).effect_workdays
