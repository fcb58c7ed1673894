"""The suggestions page (`/suggestions?area=A1`, 调岗与培训建议, #17 item 4): for the area, each line's
step short of people this week, who might do better on another step and who needs training, each
with its reason in figures (`hub.review.suggestions`). Nothing moves by itself: beside each
suggestion an officer records what he does (a post change through master data, or a training;
`hub.review.actions`), which the actions page then measures. The labor section keeps the thresholds
here, as dated versions (each a signed act).

Scope: the areas the officer may read; a line officer sees the suggestions of inmates posted on his
lines (and his lines' shortages); a post change needs the right to change the area's posts.
"""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import timedelta
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal, Role
from hub.errors import HubError
from hub.review import actions as act
from hub.review import suggestions as sg
from hub.store import analytics as an
from hub.store import masterdata as md
from hub.web import guard
from hub.web.actions import action_rows, action_table
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.inmate import add_section, inmate_link
from hub.web.masterdata.pages import masterdata_of
from hub.web.pickers import date_input
from hub.web.review.assessment import OFFICERS, _pick_area, actor_of, assessment_of
from hub.web.suggest_texts import sentence, t

PATH = "/suggestions"


def actions_of(ctx: WebContext) -> act.Actions:
    """The acts over the hub's ledger and master data (the hub's own, so its listeners hear them)."""
    return act.Actions(ctx.db, ctx.ledger, masterdata_of(ctx), clock_ms=ctx.clock)


def names(ctx: WebContext) -> tuple[dict[tuple[str, str], str], dict[str, str], dict[str, md.Line]]:
    """Step names, line names and line rows, for sentences and pickers."""
    steps = {(s.product, s.code): str(s.name) for s in md.Step.select()}
    lines = {x.code: x for x in md.Line.select()}
    return steps, {c: f"{c} {x.name}" for c, x in lines.items()}, lines


def _load(ctx: WebContext, who: Principal, area: str) -> dict[str, Any]:
    today = ctx.today()
    with ctx.db.connection_context():
        settings = act.settings_on(today)
        readable = assessment_of(ctx).readable_inmates(
            actor_of(who), area, today - timedelta(days=settings.window_days), today
        )
        found = act.area_suggestions(area, today, readable)
        if who.role is Role.LINE_OFFICER:
            found = [s for s in found if s.inmate is not None or s.line in who.lines]
        people = {
            i.id: i for i in md.Inmate.select().where(md.Inmate.id.in_([s.inmate for s in found if s.inmate]))
        }
        steps, line_names, lines = names(ctx)
        v = an.SuggestSettingsVersion
        versions = list(v.select().order_by(v.valid_from.desc(), v.id.desc()))
    return {
        "settings": settings,
        "found": found,
        "people": people,
        "steps": steps,
        "line_names": line_names,
        "lines": lines,
        "versions": versions,
        "today": today,
    }


def action_dialog(
    ctx: WebContext,
    who: Principal,
    lang: str,
    *,
    kind: str,
    inmate: md.Inmate,
    line: md.Line,
    step: str,
    reason: str,
    suggestion: str | None,
    steps: dict[tuple[str, str], str],
    done: str,
) -> ui.dialog:
    """The form that records a post change or a training of `inmate`; after saving, go to `done`."""
    product = str(line.product or "")
    choices = {code: name for (p, code), name in steps.items() if p == product}
    with ui.dialog() as dialog, ui.card().classes("w-[32rem]").mark("action-dialog"):
        ui.label(t(f"suggest.dialog.{kind}", lang, who=f"{inmate.number} {inmate.name}")).classes("text-h6")
        pick = ui.select(choices, value=step if step in choices else None, label=t("suggest.f.step", lang))
        pick.classes("w-64").mark("action-step")
        when = date_input(t("suggest.f.day", lang), lang, value=ctx.today().isoformat()).mark("action-day")
        officer = ui.input(t("suggest.f.officer", lang), value=who.display_name).mark("action-officer")
        what = ui.input(t("suggest.f.what", lang)).classes("w-full").mark("action-what")
        what.set_visibility(kind == an.TRAINING)
        why = ui.textarea(t("suggest.f.reason", lang), value=reason).classes("w-full").mark("action-reason")

        async def save(fresh: Principal) -> None:  # the session and role re-checked at the click
            try:
                await run.io_bound(
                    actions_of(ctx).record, fresh, kind=kind, inmate=inmate.id, line=line.code,
                    step=str(pick.value or ""), day=str(when.value or ""), officer=str(officer.value or ""),
                    reason=str(why.value or ""), what=str(what.value or ""), suggestion=suggestion,
                )  # fmt: skip
            except HubError as err:
                ui.notify(err.text(lang), type="negative")
                return
            ui.notify(t("suggest.saved", lang), type="positive")
            ui.navigate.to(done)  # before closing: the closed form is deleted, with this handler's slot
            dialog.close()

        with ui.row():
            ui.button(t("suggest.save", lang), on_click=guard.guarded_action(ctx, OFFICERS, save)).mark(
                "action-save"
            )
            ui.button(t("suggest.cancel", lang), on_click=dialog.close).props("flat")
    return dialog


def _settings_section(ctx: WebContext, who: Principal, lang: str, data: dict[str, Any], area: str) -> None:
    settings: sg.SuggestSettings = data["settings"]
    with ui.expansion(t("suggest.settings", lang)).classes("w-full").mark("suggest-settings"):
        values = "，".join(
            f"{t('suggest.p.' + f.name, lang)} {getattr(settings, f.name)}" for f in fields(settings)
        )
        ui.label(t("suggest.settings.in_force", lang, values=values)).classes("text-grey-8")
        rows = []
        for v in data["versions"]:
            changed = json.loads(v.parameters).items()
            params = "，".join(f"{t('suggest.p.' + k, lang)} {x}" for k, x in changed)
            rows.append(
                {"id": v.id, "version": v.version, "from": v.valid_from, "reason": v.reason,
                 "by": v.created_by, "params": params}
            )  # fmt: skip
        ui.table(
            columns=[
                {"name": n, "label": t(f"suggest.settings.{k}", lang), "field": n, "align": "left"}
                for n, k in (
                    ("version", "version"),
                    ("from", "from"),
                    ("params", "params"),
                    ("reason", "reason"),
                    ("by", "by"),
                )
            ],  # fmt: skip
            rows=rows,
            row_key="id",
        ).classes("w-full").mark("settings-table")
        if who.role is not Role.LABOR_SECTION:
            return
        with ui.row().classes("items-end"):
            version = ui.input(t("suggest.settings.version", lang)).classes("w-40").mark("settings-version")
            start = date_input(t("suggest.settings.from", lang), lang, value=data["today"].isoformat())
            start.classes("w-44")
            start.mark("settings-from")
        inputs = {}
        with ui.row():
            for f in fields(settings):
                inputs[f.name] = (
                    ui.input(t("suggest.p." + f.name, lang)).classes("w-40").mark(f"settings-{f.name}")
                )
        reason = ui.input(t("suggest.settings.reason", lang)).classes("w-96").mark("settings-reason")

        async def add(fresh: Principal) -> None:  # the session and role re-checked at the click
            try:
                typed = {k: v.value or "" for k, v in inputs.items()}
                await run.io_bound(
                    actions_of(ctx).add_settings,
                    fresh,
                    str(version.value or "").strip(),
                    valid_from=str(start.value or ""),
                    parameters=typed,
                    reason=str(reason.value or ""),
                )
            except HubError as err:
                ui.notify(err.text(lang), type="negative")
                return
            ui.notify(t("suggest.saved", lang), type="positive")
            ui.navigate.to(f"{PATH}?area={area}")

        labor_only = guard.guarded_action(ctx, {Role.LABOR_SECTION}, add)
        ui.button(t("suggest.settings.add", lang), on_click=labor_only).mark("settings-add")


def show_suggestions(
    ctx: WebContext, who: Principal, lang: str, found: list[sg.Suggestion], data: dict[str, Any], done: str
) -> None:
    """Each suggestion as a line of text with its buttons (the inmate page shows his the same way)."""
    if not found:
        ui.label(t("suggest.none", lang)).classes("text-grey-7").mark("suggest-none")
    for s in found:
        with ui.row().classes("items-center w-full").mark(f"suggestion-{s.kind}-{s.inmate or s.line}"):
            person: md.Inmate | None = data["people"].get(s.inmate) if s.inmate else None
            if person is not None:
                ui.link(f"{person.number} {person.name}", inmate_link(person.id)).classes("text-bold")
            ui.label(sentence(s, data["steps"], data["line_names"], lang)).mark("suggestion-text")
            line: md.Line | None = data["lines"].get(s.line)
            if person is None or line is None:
                continue
            # a post change is a master-data change: offered to who may make it (area heads, labor section)
            movable = s.kind == sg.MOVE and who.may_change_area(str(line.area))
            for kind in (an.POST_CHANGE, an.TRAINING) if movable else (an.TRAINING,):
                reason = (
                    f"{person.number} {person.name}：{sentence(s, data['steps'], data['line_names'], lang)}"
                )

                def open_form(
                    kind: str = kind,
                    person: md.Inmate = person,
                    line: md.Line = line,
                    s: sg.Suggestion = s,
                    reason: str = reason,
                ) -> None:
                    # built when asked for: one form on the page at a time, gone when closed
                    dialog = action_dialog(
                        ctx,
                        who,
                        lang,
                        kind=kind,
                        inmate=person,
                        line=line,
                        # a move's training is on the step he is on; anything else on its own step
                        step=(s.from_step or s.step)[1] if kind == an.TRAINING else s.step[1],
                        reason=reason,
                        suggestion=s.key,
                        steps=data["steps"],
                        done=done,
                    )
                    dialog.on_value_change(lambda e: None if e.value else dialog.delete())
                    dialog.open()

                ui.button(t(f"suggest.act_{kind}", lang), on_click=open_form).props("outline dense").mark(
                    f"act-{kind}-{person.id}"
                )


def _his(ctx: WebContext, inmate: md.Inmate) -> dict[str, Any]:
    today = ctx.today()
    with ctx.db.connection_context():
        found = act.inmate_suggestions(inmate.id, today)
        steps, line_names, lines = names(ctx)
        measured = act.measured(act.actions_in(inmate=inmate.id), today)
    return {"found": found, "people": {inmate.id: inmate}, "steps": steps, "line_names": line_names,
            "lines": lines, "measured": measured}  # fmt: skip


async def inmate_section(ctx: WebContext, who: Principal, inmate: md.Inmate, lang: str) -> None:
    """On his page: his suggestions (with the same buttons) and his actions with their effect."""
    data = await run.io_bound(_his, ctx, inmate)
    if data is None:
        return
    ui.label(t("inmate.suggestions", lang)).classes("text-h6")
    show_suggestions(ctx, who, lang, data["found"], data, inmate_link(inmate.id))
    ui.label(t("inmate.actions", lang)).classes("text-h6")
    rows = await run.io_bound(_rows_of, ctx, data["measured"], lang)
    if rows is not None:
        action_table(rows, lang).classes("w-full").mark("inmate-actions")


def _rows_of(ctx: WebContext, measured: list[act.Measured], lang: str) -> list[dict[str, Any]]:
    with ctx.db.connection_context():
        return action_rows(measured, lang)


def register_suggestions(ctx: WebContext) -> None:
    add_nav("suggest.nav", PATH, OFFICERS)
    add_section(inmate_section)

    @guard.dashboard_page(ctx, PATH, roles=OFFICERS, title_key="suggest.title")
    async def suggestions_page(who: Principal, area: str = "") -> None:
        lang = guard.language()
        visible, area = _pick_area(ctx, who, area)
        if area == "" or not visible:
            guard.refusal(lang)
            return
        pick = (
            ui.select(visible, value=area, label=t("suggest.area", lang)).classes("w-48").mark("suggest-area")
        )
        pick.on_value_change(lambda e: ui.navigate.to(f"{PATH}?area={e.value}"))
        data = await run.io_bound(_load, ctx, who, area)
        if data is None:
            return
        settings: sg.SuggestSettings = data["settings"]
        ui.label(t("suggest.hint", lang, window=settings.window_days, min_days=settings.min_days)).classes(
            "text-grey-7"
        )
        show_suggestions(ctx, who, lang, data["found"], data, f"/actions?area={area}")
        _settings_section(ctx, who, lang, data, area)
