"""Master data (基础数据): products, steps and standard times (with their history), rule sets, areas,
lines and shifts, and workdays. Inmates, badges and posts are in `masterdata_people`, officers in
`masterdata_officers`, CSV import in `masterdata_import`, adding and renaming steps in `masterdata_steps`.

Every change goes through `hub.masterdata.service.MasterData` with the signed-in officer as the actor, so it
is recorded in the hub's ledger in the same transaction; values are checked first with the same
rules as the CSV import (`hub.masterdata.csv_import`), and a refused value changes nothing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from nicegui import ui

from hub.accounts import Principal
from hub.app import masterdata_service
from hub.masterdata import csv_import as check
from hub.masterdata import service as md
from hub.masterdata.queries import area_of_line, step_names
from hub.store.masterdata import Area, Line, Product, RuleSetVersion, StandardTime, Step, Workday
from hub.store.review import Adjustment, MonthApproval, PublishedWeek, WeekSignoff
from hub.web import guard
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.masterdata.common import (
    EDIT_ROLES,
    LABOR_ONLY,
    READ_ROLES,
    ms_text,
    problem,
    read_only_note,
    refuse_scope,
    save,
    table,
    tabs,
    visible_lines,
)
from hub.web.masterdata.csv_page import register_masterdata_import
from hub.web.masterdata.officers import register_masterdata_officers
from hub.web.masterdata.people import register_masterdata_people
from hub.web.masterdata.posts import register_masterdata_posts
from hub.web.masterdata.rule_params import v2_fields
from hub.web.masterdata.steps import step_forms
from hub.web.masterdata.texts import t
from hub.web.pickers import date_input, month_input

NAV_KEY = "md.nav"
LOCK_TABLES = (WeekSignoff, PublishedWeek, MonthApproval, Adjustment)  # what hub.review.lock reads
TITLE_PRODUCTS = "md.title.products"
TITLE_LINES = "md.title.lines"
WORKDAYS_BACK_DAYS = 7
WORKDAYS_AHEAD_DAYS = 62


def masterdata_of(ctx: WebContext, data: md.MasterData | None = None) -> md.MasterData:
    """The hub's MasterData (so its listeners refresh plans and results), or one on the context's db."""
    if data is not None:
        return data
    found = getattr(ctx, "masterdata", None)
    if isinstance(found, md.MasterData):
        return found
    return masterdata_service(ctx.db, record_act=ctx.record_act, clock_ms=ctx.clock)


def register_masterdata(context: WebContext, data: md.MasterData | None = None) -> None:
    """Mount every master-data page under /masterdata (pass the hub's `MasterData` as `data`)."""
    store = masterdata_of(context, data)
    add_nav(NAV_KEY, "/masterdata", READ_ROLES)
    _register_products(context, store)
    _register_lines(context, store)
    register_masterdata_people(context, store)
    register_masterdata_posts(context, store)
    register_masterdata_officers(context, store)
    register_masterdata_import(context, store)


# --- products, standard times, rule sets --------------------------------------------------------------


def _register_products(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata", roles=READ_ROLES, title_key=TITLE_PRODUCTS)
    def products_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)

        @ui.refreshable
        def listing() -> None:
            ui.label(t("md.products", lang)).classes("text-h6")
            steps: dict[str, list[str]] = {}
            for s in Step.select().order_by(Step.product, Step.position):
                steps.setdefault(s.product, []).append(f"{s.code} {s.name}")
            table(
                "md-products",
                [("code", "md.f.code"), ("name", "md.f.name"), ("steps", "md.f.step")],
                [
                    {"code": p.code, "name": p.name, "steps": " / ".join(steps.get(p.code, []))}
                    for p in Product.select().order_by(Product.code)
                ],
                lang,
            )
            ui.label(t("md.standard_times", lang)).classes("text-h6")
            names = step_names()
            table(
                "md-standard-times",
                [
                    ("product", "md.f.product"),
                    ("step", "md.f.step"),
                    ("valid_from", "md.f.valid_from"),
                    ("seconds", "md.f.seconds"),
                    ("reason", "md.f.reason"),
                    ("created", "md.f.created"),
                ],
                [
                    {
                        "product": s.product,
                        "step": f"{s.step} {names.get((s.product, s.step), '')}".strip(),
                        "valid_from": s.valid_from,
                        "seconds": s.seconds,
                        "reason": s.reason,
                        "created": ms_text(s.created_ms, ctx.zone),
                    }
                    for s in StandardTime.select().order_by(
                        StandardTime.product, StandardTime.step, StandardTime.valid_from.desc()
                    )
                ],
                lang,
            )
            ui.label(t("md.rule_sets", lang)).classes("text-h6")
            table(
                "md-rule-sets",
                [
                    ("version", "md.f.version"),
                    ("valid_from", "md.f.month"),
                    ("parameters", "md.f.parameters"),
                    ("reason", "md.f.reason"),
                ],
                [
                    {
                        "version": r.version,
                        "valid_from": r.valid_from,
                        "parameters": r.parameters,
                        "reason": r.reason,
                    }
                    for r in RuleSetVersion.select().order_by(RuleSetVersion.valid_from)
                ],
                lang,
            )

        listing()
        if who.role in LABOR_ONLY:
            _standard_time_form(ctx, store, lang, listing.refresh)
            _product_form(ctx, store, lang, listing.refresh)
            step_forms(ctx, store, lang, listing.refresh)
            _rule_set_form(ctx, store, lang, listing.refresh)


def _standard_time_form(ctx: WebContext, store: md.MasterData, lang: str, refresh: object) -> None:
    ui.label(t("md.set_time", lang)).classes("text-h6")
    products = {p.code: f"{p.code} {p.name}" for p in Product.select().order_by(Product.code)}
    with ui.row().classes("items-end"):
        product = ui.select(products, label=t("md.f.product", lang)).classes("w-48").mark("st-product")
        step = ui.input(t("md.f.step", lang)).mark("st-step")
        seconds = ui.input(t("md.f.seconds", lang)).mark("st-seconds")
        valid_from = date_input(t("md.f.valid_from", lang), lang).mark("st-from")
        reason = ui.input(t("md.f.reason", lang)).classes("w-64").mark("st-reason")

        async def submit(who: Principal) -> None:
            try:
                product_code = check.code(product.value, "md.f.product")
                step_code = check.code(step.value, "md.f.step")
                value = check.standard_seconds(seconds.value)
                start = check.day(valid_from.value, "md.f.valid_from")
                why = check.reason(reason.value)
            except check.FieldError as err:
                problem(lang, err)
                return
            if await save(
                lang,
                store.set_standard_time,
                who,
                product_code,
                step_code,
                value,
                valid_from=start,
                reason=why,
            ):
                refresh()  # type: ignore[operator]

        ui.button(t("md.set_time", lang), on_click=guard.guarded_action(ctx, LABOR_ONLY, submit)).mark(
            "st-save"
        )


def _product_form(ctx: WebContext, store: md.MasterData, lang: str, refresh: object) -> None:
    ui.label(t("md.add_product", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        code = ui.input(t("md.f.code", lang)).mark("product-code")
        name = ui.input(t("md.f.name", lang)).mark("product-name")
        valid_from = date_input(t("md.f.valid_from", lang), lang).mark("product-from")
        reason = ui.input(t("md.f.reason", lang)).mark("product-reason")
    steps = ui.textarea(t("md.f.steps", lang)).classes("w-96").mark("product-steps")

    async def submit(who: Principal) -> None:
        try:
            product_code = check.code(code.value, "md.f.code")
            product_name = check.name(name.value, "md.f.name")
            start = check.day(valid_from.value, "md.f.valid_from")
            why = check.reason(reason.value)
            parsed = _steps(steps.value or "")
        except check.FieldError as err:
            problem(lang, err)
            return
        if Product.get_or_none(Product.code == product_code) is not None:
            problem(lang, check.FieldError("md.err.exists", value=product_code))
            return
        if await save(
            lang,
            store.add_product,
            who,
            product_code,
            product_name,
            parsed,
            valid_from=start,
            reason=why,
        ):
            refresh()  # type: ignore[operator]

    ui.button(t("md.add_product", lang), on_click=guard.guarded_action(ctx, LABOR_ONLY, submit)).mark(
        "product-save"
    )


def _steps(text: str) -> list[tuple[str, str, str]]:
    """`code,name,seconds` per line (the product form's step list)."""
    out: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace(",", ",").split(",")]
        if len(parts) != 3:
            raise check.FieldError("md.err.required", field="md.f.steps")
        step = check.code(parts[0], "md.f.step")
        if step in seen:
            raise check.FieldError("md.err.exists", value=step)
        seen.add(step)
        out.append((step, check.name(parts[1], "md.f.name"), check.standard_seconds(parts[2])))
    if not out:
        raise check.FieldError("md.err.required", field="md.f.steps")
    return out


def _rule_set_form(ctx: WebContext, store: md.MasterData, lang: str, refresh: object) -> None:
    ui.label(t("md.add_rule_set", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        version = ui.input(t("md.f.version", lang)).mark("rs-version")
        month = month_input(t("md.f.month", lang), lang).mark("rs-month")
        reason = ui.input(t("md.f.reason", lang)).mark("rs-reason")
    parameters = ui.textarea(t("md.f.parameters", lang)).classes("w-96").mark("rs-parameters")
    read_v2 = v2_fields(lang)

    async def submit(who: Principal) -> None:
        try:
            name = check.code(version.value, "md.f.version")
            why = check.reason(reason.value)
            values: dict[str, Any] = read_v2()
            for line in (parameters.value or "").splitlines():
                if line.strip():
                    key, sep, value = line.partition("=")
                    if not sep or not key.strip() or not value.strip():
                        raise check.FieldError("md.err.parameter")
                    values[key.strip()] = value.strip()
            if not values:
                raise check.FieldError("md.err.required", field="md.f.parameters")
        except check.FieldError as err:
            problem(lang, err)
            return
        if RuleSetVersion.get_or_none(RuleSetVersion.version == name) is not None:
            problem(lang, check.FieldError("md.err.exists", value=name))
            return
        if await save(
            lang,
            store.add_rule_set_version,
            who,
            name,
            valid_from=(month.value or "").strip(),
            parameters=values,
            reason=why,
        ):
            refresh()  # type: ignore[operator]

    ui.button(t("md.add_rule_set", lang), on_click=guard.guarded_action(ctx, LABOR_ONLY, submit)).mark(
        "rs-save"
    )


# --- areas, lines, shifts, workdays ---------------------------------------------------------------------


def _register_lines(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/lines", roles=READ_ROLES, title_key=TITLE_LINES)
    def lines_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)
        today = ctx.today()

        @ui.refreshable
        def listing() -> None:
            lines = visible_lines(who)
            ui.label(t("md.areas", lang)).classes("text-h6")
            areas = {line.area for line in lines}
            table(
                "md-areas",
                [("code", "md.f.code"), ("name", "md.f.name")],
                [
                    {"code": a.code, "name": a.name}
                    for a in Area.select().order_by(Area.code)
                    if who.sees_everything or a.code in areas or a.code == who.area
                ],
                lang,
            )
            ui.label(t("md.lines", lang)).classes("text-h6")
            table(
                "md-lines",
                [
                    ("code", "md.f.code"),
                    ("name", "md.f.name"),
                    ("area", "md.f.area"),
                    ("shift", "md.f.shift"),
                    ("product", "md.f.product"),
                ],
                [
                    {
                        "code": x.code,
                        "name": x.name,
                        "area": x.area,
                        "shift": x.shift_minutes,
                        "product": x.product or "",
                    }
                    for x in lines
                ],
                lang,
            )
            ui.label(t("md.workdays", lang)).classes("text-h6")
            codes = {line.code for line in lines}
            first, last = (
                today - timedelta(days=WORKDAYS_BACK_DAYS),
                today + timedelta(days=WORKDAYS_AHEAD_DAYS),
            )
            query = Workday.select().where(
                (Workday.day >= first.isoformat()) & (Workday.day <= last.isoformat())
            )
            table(
                "md-workdays",
                [("day", "md.f.day"), ("line", "md.f.line")],
                [
                    {"day": w.day, "line": w.line or t("md.f.site_wide", lang)}
                    for w in query.order_by(Workday.day, Workday.line)
                    if w.line is None or w.line in codes
                ],
                lang,
            )

        listing()
        if who.role in LABOR_ONLY:
            _area_form(ctx, store, lang, listing.refresh)
        if who.role in EDIT_ROLES:
            _line_forms(ctx, store, who, lang, listing.refresh)
            _workday_form(ctx, store, who, lang, listing.refresh)


def _area_form(ctx: WebContext, store: md.MasterData, lang: str, refresh: object) -> None:
    with ui.row().classes("items-end"):
        code = ui.input(t("md.f.code", lang)).mark("area-code")
        name = ui.input(t("md.f.name", lang)).mark("area-name")

        async def submit(who: Principal) -> None:
            try:
                area = check.code(code.value, "md.f.code")
                area_name = check.name(name.value, "md.f.name")
            except check.FieldError as err:
                problem(lang, err)
                return
            if Area.get_or_none(Area.code == area) is not None:
                problem(lang, check.FieldError("md.err.exists", value=area))
                return
            if await save(lang, store.add_area, who, area, area_name):
                refresh()  # type: ignore[operator]

        ui.button(t("md.add_area", lang), on_click=guard.guarded_action(ctx, LABOR_ONLY, submit)).mark(
            "area-save"
        )


def _line_forms(ctx: WebContext, store: md.MasterData, who: Principal, lang: str, refresh: object) -> None:
    areas = {a.code: a.name for a in Area.select().order_by(Area.code) if who.may_change_area(a.code)}
    products = {p.code: p.code for p in Product.select().order_by(Product.code)}
    ui.label(t("md.add_line", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        code = ui.input(t("md.f.code", lang)).mark("line-code")
        name = ui.input(t("md.f.name", lang)).mark("line-name")
        area = ui.select(areas, label=t("md.f.area", lang)).classes("w-40").mark("line-area")
        shift = ui.input(t("md.f.shift", lang)).mark("line-shift")
        product = ui.select(products, label=t("md.f.product", lang)).classes("w-40").mark("line-product")

        async def add(actor: Principal) -> None:
            try:
                line = check.code(code.value, "md.f.code")
                line_name = check.name(name.value, "md.f.name")
                area_code = check.code(area.value, "md.f.area")
                minutes = check.shift_minutes(shift.value)
            except check.FieldError as err:
                problem(lang, err)
                return
            if not actor.may_change_area(area_code):
                refuse_scope(actor, lang, f"line.add {line}")
                return
            if Line.get_or_none(Line.code == line) is not None:
                problem(lang, check.FieldError("md.err.exists", value=line))
                return
            if await save(
                lang,
                store.add_line,
                actor,
                line,
                line_name,
                area=area_code,
                shift_minutes=minutes,
                product=product.value or None,
            ):
                refresh()  # type: ignore[operator]

        ui.button(t("md.add_line", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, add)).mark(
            "line-save"
        )
    ui.label(t("md.update_line", lang)).classes("text-h6")
    lines = {x.code: f"{x.code} {x.name}" for x in visible_lines(who)}
    with ui.row().classes("items-end"):
        which = ui.select(lines, label=t("md.f.line", lang)).classes("w-48").mark("shift-line")
        minutes_in = ui.input(t("md.f.shift", lang)).mark("shift-minutes")

        async def update(actor: Principal) -> None:
            try:
                line = check.code(which.value, "md.f.line")
                minutes = check.shift_minutes(minutes_in.value)
            except check.FieldError as err:
                problem(lang, err)
                return
            if not actor.may_change_area(area_of_line(line)):
                refuse_scope(actor, lang, f"line.update {line}")
                return
            if await save(lang, store.update_line, actor, line, shift_minutes=minutes):
                refresh()  # type: ignore[operator]

        ui.button(t("md.update_line", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, update)).mark(
            "shift-save"
        )


def _workday_form(ctx: WebContext, store: md.MasterData, who: Principal, lang: str, refresh: object) -> None:
    options = {x.code: f"{x.code} {x.name}" for x in visible_lines(who)}
    if who.role in LABOR_ONLY:
        options = {"*": t("md.f.site_wide", lang), **options}
    ui.label(t("md.workdays", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        day = date_input(t("md.f.day", lang), lang).mark("workday-day")
        line = ui.select(options, label=t("md.f.line", lang)).classes("w-48").mark("workday-line")

        async def change(actor: Principal, add: bool) -> None:
            try:
                when = check.day(day.value, "md.f.day")
                target = check.code(line.value, "md.f.line") if line.value != "*" else None
            except check.FieldError as err:
                problem(lang, err)
                return
            area = None if target is None else area_of_line(target)
            if target is not None and area is None:
                problem(lang, check.FieldError("md.err.unknown", field="md.f.line", value=target))
                return
            if not actor.may_change_area(area):
                refuse_scope(actor, lang, f"workday {target or '*'}")
                return
            method = store.add_workdays if add else store.remove_workdays
            if await save(lang, method, actor, [when], line=target):
                refresh()  # type: ignore[operator]

        async def add(actor: Principal) -> None:
            await change(actor, True)

        async def remove(actor: Principal) -> None:
            await change(actor, False)

        ui.button(t("md.add_workday", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, add)).mark(
            "workday-add"
        )
        ui.button(t("md.remove_workday", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, remove)).mark(
            "workday-remove"
        )
