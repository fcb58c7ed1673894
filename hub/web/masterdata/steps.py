"""Master data · products page: adding a step to an existing product and correcting a step's name.

A process change adds a step (e.g. a new 质检 step) from a date on, with its first standard time from
that date and its place among the product's steps; a name typed wrong is corrected. Both go through
`hub.masterdata.service.MasterData` (`add_step`, `rename_step`), which ledgers them; the labor section alone
changes products, as for standard times. Values are checked first with the CSV import's rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from hub.accounts import Principal
from hub.masterdata import csv_import as check
from hub.masterdata import service as md
from hub.masterdata.queries import steps_of
from hub.store.masterdata import Product, Step
from hub.web import guard
from hub.web.context import WebContext
from hub.web.masterdata.common import LABOR_ONLY, problem, save
from hub.web.masterdata.texts import t
from hub.web.pickers import date_input

LAST = "*"  # the position choice "after the last step"
_SEP = "/"  # product/step in the rename choice; codes typed on these pages cannot hold it


def step_forms(ctx: WebContext, store: md.MasterData, lang: str, refresh: Callable[[], Any]) -> None:
    """The add-step and rename-step forms (shown to the labor section; every click is checked again)."""
    products = {p.code: f"{p.code} {p.name}" for p in Product.select().order_by(Product.code)}

    def positions(product: str | None) -> dict[str, str]:
        after = {
            s.code: t("md.f.after_step", lang, step=f"{s.code} {s.name}") for s in steps_of(product or "")
        }
        return {LAST: t("md.f.last", lang), **after}

    def all_steps() -> dict[str, str]:
        names = {p.code: p.name for p in Product.select()}
        query = Step.select().order_by(Step.product, Step.position)
        return {
            f"{s.product}{_SEP}{s.code}": f"{s.product} {names.get(s.product, '')} · {s.code} {s.name}"
            for s in query
        }

    ui.label(t("md.add_step", lang)).classes("text-h6")
    ui.label(t("md.add_step.hint", lang)).classes("text-grey-7")
    with ui.row().classes("items-end"):
        product = ui.select(products, label=t("md.f.product", lang)).classes("w-48").mark("step-product")
        after = ui.select(positions(None), value=LAST, label=t("md.f.position", lang)).classes("w-48")
        after.mark("step-after")
        code = ui.input(t("md.f.step_code", lang)).mark("step-code")
        name = ui.input(t("md.f.name", lang)).mark("step-name")
        seconds = ui.input(t("md.f.seconds", lang)).mark("step-seconds")
        valid_from = date_input(t("md.f.valid_from", lang), lang).mark("step-from")
        reason = ui.input(t("md.f.reason", lang)).classes("w-64").mark("step-reason")
        product.on_value_change(lambda event: after.set_options(positions(event.value), value=LAST))
        add_button = ui.button(t("md.add_step", lang)).mark("step-save")

    ui.label(t("md.rename_step", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        which = ui.select(all_steps(), label=t("md.f.step", lang)).classes("w-72").mark("rename-step")
        new_name = ui.input(t("md.f.new_name", lang)).mark("rename-name")
        rename_button = ui.button(t("md.rename_step", lang)).mark("rename-save")

    def saved() -> None:
        refresh()
        after.set_options(positions(product.value), value=LAST)
        which.set_options(all_steps())

    async def add(who: Principal) -> None:
        try:
            product_code = check.code(product.value, "md.f.product")
            step_code = check.code(code.value, "md.f.step_code")
            step_name = check.name(name.value, "md.f.name")
            value = check.standard_seconds(seconds.value)
            start = check.day(valid_from.value, "md.f.valid_from")
            why = check.reason(reason.value)
        except check.FieldError as err:
            problem(lang, err)
            return
        if Step.get_or_none((Step.product == product_code) & (Step.code == step_code)) is not None:
            problem(lang, check.FieldError("md.err.exists", value=step_code))
            return
        if await save(
            lang,
            store.add_step,
            who,
            product_code,
            step_code,
            step_name,
            value,
            valid_from=start,
            reason=why,
            after=None if after.value in (None, LAST) else str(after.value),
        ):
            saved()

    async def rename(who: Principal) -> None:
        try:
            if not which.value:
                raise check.FieldError("md.err.required", field="md.f.step")
            chosen = str(which.value)
            step_name = check.name(new_name.value, "md.f.new_name")
        except check.FieldError as err:
            problem(lang, err)
            return
        product_code, _, step_code = chosen.partition(_SEP)
        row = Step.get_or_none((Step.product == product_code) & (Step.code == step_code))
        if row is not None and row.name == step_name:
            ui.notify(t("md.unchanged", lang), type="info")
            return
        if await save(lang, store.rename_step, who, product_code, step_code, step_name):
            saved()

    add_button.on_click(guard.guarded_action(ctx, LABOR_ONLY, add))
    rename_button.on_click(guard.guarded_action(ctx, LABOR_ONLY, rename))
