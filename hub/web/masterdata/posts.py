"""Master data of rule book version 2 (docs/masterdata.md): posts without quotas (无定额岗位) on
`/masterdata/posts`, and inmates' labor-exemption periods (免于劳动考核) on `/masterdata/exemptions`.

Who may change what is as for posts (岗位调整): an area head for their own area's lines and inmates,
the labor section everywhere; line officers read their own lines' posts and the exemptions of the
inmates they see; admins are refused. Each button re-reads the role (`guard.guarded_action`), the
handler checks the scope first to explain, and the service checks it again and ledgers the change.
Rated posts and the training flag are set on the assignments page (hub/web/masterdata/people.py).
"""

from __future__ import annotations

from typing import Any

from nicegui import ui

from hub.accounts import Principal
from hub.masterdata import csv_import as check
from hub.masterdata import service as md
from hub.masterdata.queries import area_of_line, person_id
from hub.store.masterdata import Exemption, Inmate, Post
from hub.web import guard
from hub.web.context import WebContext
from hub.web.masterdata.common import (
    EDIT_ROLES,
    READ_ROLES,
    ms_text,
    problem,
    read_only_note,
    refuse_scope,
    save,
    table,
    tabs,
    visible_inmates,
    visible_lines,
)
from hub.web.masterdata.texts import t
from hub.web.pickers import date_input

TITLE_POSTS = "md.title.posts"
TITLE_EXEMPTIONS = "md.title.exemptions"
SHIFT_MAX = 100


def register_masterdata_posts(ctx: WebContext, store: md.MasterData) -> None:
    _register_posts(ctx, store)
    _register_exemptions(ctx, store)


# --- posts without quotas -------------------------------------------------------------------------------


def _register_posts(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/posts", roles=READ_ROLES, title_key=TITLE_POSTS)
    def posts_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)

        @ui.refreshable
        def listing() -> None:
            lines = {x.code for x in visible_lines(who)}
            ui.label(t("md.posts", lang)).classes("text-h6")
            table(
                "md-posts",
                [
                    ("code", "md.f.post_code"),
                    ("name", "md.f.name"),
                    ("line", "md.f.line"),
                    ("shift", "md.f.shift_label"),
                    ("created", "md.f.created"),
                ],
                [
                    {
                        "code": p.code,
                        "name": p.name,
                        "line": p.line,
                        "shift": p.shift,
                        "created": ms_text(p.created_ms, ctx.zone),
                    }
                    for p in Post.select().order_by(Post.code)
                    if p.line in lines
                ],
                lang,
            )

        listing()
        if who.role in EDIT_ROLES:
            _post_forms(ctx, store, who, lang, listing.refresh)


def _post_forms(ctx: WebContext, store: md.MasterData, who: Principal, lang: str, refresh: Any) -> None:
    lines = {x.code: f"{x.code} {x.name}" for x in visible_lines(who) if who.may_change_area(x.area)}
    ui.label(t("md.add_post", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        code_in = ui.input(t("md.f.post_code", lang)).mark("post-code")
        name_in = ui.input(t("md.f.name", lang)).mark("post-name")
        line_in = ui.select(lines, label=t("md.f.line", lang)).classes("w-40").mark("post-line")
        shift_in = ui.input(t("md.f.shift_label", lang)).mark("post-shift")

        async def add(actor: Principal) -> None:
            try:
                code = check.code(code_in.value, "md.f.post_code")
                name = check.name(name_in.value, "md.f.name")
                line = check.code(line_in.value, "md.f.line")
                shift = (shift_in.value or "").strip()
                if shift:
                    shift = check.name(shift, "md.f.shift_label", max_len=SHIFT_MAX)
            except check.FieldError as err:
                problem(lang, err)
                return
            if not actor.may_change_area(area_of_line(line)):
                refuse_scope(actor, lang, f"post.add {code}")
                return
            if await save(lang, store.add_post, actor, code, name, line=line, shift=shift):
                refresh()

        ui.button(t("md.add_post", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, add)).mark(
            "post-save"
        )
    ui.label(t("md.update_post", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        which = ui.input(t("md.f.post_code", lang)).mark("post-update-code")
        new_name = ui.input(t("md.f.name", lang)).mark("post-update-name")
        new_shift = ui.input(t("md.f.shift_label", lang)).mark("post-update-shift")

        async def update(actor: Principal) -> None:
            try:
                code = check.code(which.value, "md.f.post_code")
                name = check.name(new_name.value, "md.f.name") if (new_name.value or "").strip() else None
                shift = (
                    check.name(new_shift.value, "md.f.shift_label", max_len=SHIFT_MAX)
                    if (new_shift.value or "").strip()
                    else None
                )
            except check.FieldError as err:
                problem(lang, err)
                return
            row = Post.get_or_none(Post.code == code)
            if row is None:
                problem(lang, check.FieldError("md.err.unknown", field="md.f.post", value=code))
                return
            if not actor.may_change_area(area_of_line(row.line)):
                refuse_scope(actor, lang, f"post.update {code}")
                return
            if await save(lang, store.update_post, actor, code, name=name, shift=shift):
                refresh()

        ui.button(t("md.update_post", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, update)).mark(
            "post-update-save"
        )


# --- labor exemptions -----------------------------------------------------------------------------------


def _register_exemptions(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/exemptions", roles=READ_ROLES, title_key=TITLE_EXEMPTIONS)
    def exemptions_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)

        @ui.refreshable
        def listing() -> None:
            inmates = {i.id: i for i in visible_inmates(who, ctx.today())}
            ui.label(t("md.exemptions", lang)).classes("text-h6")
            table(
                "md-exemptions",
                [
                    ("id", "md.f.exemption"),
                    ("number", "md.f.number"),
                    ("name", "md.f.name"),
                    ("valid_from", "md.f.valid_from"),
                    ("valid_to", "md.f.valid_to"),
                    ("reference", "md.f.reference"),
                    ("entered_by", "md.f.entered_by"),
                    ("created", "md.f.created"),
                ],
                [
                    {
                        "id": x.id,
                        "number": inmates[x.inmate].number,
                        "name": inmates[x.inmate].name,
                        "valid_from": x.valid_from,
                        "valid_to": x.valid_to or t("md.open_ended", lang),
                        "reference": x.reference,
                        "entered_by": x.entered_by,
                        "created": ms_text(x.created_ms, ctx.zone),
                    }
                    for x in Exemption.select().order_by(Exemption.inmate, Exemption.valid_from.desc())
                    if x.inmate in inmates
                ],
                lang,
            )

        listing()
        if who.role in EDIT_ROLES:
            _exemption_forms(ctx, store, lang, listing.refresh)


def _exemption_forms(ctx: WebContext, store: md.MasterData, lang: str, refresh: Any) -> None:
    ui.label(t("md.add_exemption", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        inmate_in = ui.input(t("md.f.inmate_pick", lang)).mark("exempt-inmate")
        start_in = date_input(t("md.f.valid_from", lang), lang).mark("exempt-from")
        end_in = date_input(t("md.f.valid_to", lang), lang).mark("exempt-to")
        ref_in = ui.input(t("md.f.reference", lang)).classes("w-64").mark("exempt-reference")

        async def add(actor: Principal) -> None:
            try:
                inmate = person_id(check.code(inmate_in.value, "md.f.inmate_pick"))
                start = check.day(start_in.value, "md.f.valid_from")
                end = check.day(end_in.value, "md.f.valid_to") if (end_in.value or "").strip() else None
                reference = check.name(ref_in.value, "md.f.reference", max_len=check.REASON_MAX)
            except check.FieldError as err:
                problem(lang, err)
                return
            row = Inmate.get_or_none(Inmate.id == inmate)
            if row is None:
                problem(lang, check.FieldError("md.err.unknown", field="md.f.inmate_pick", value=inmate))
                return
            if not actor.may_change_area(row.area):
                refuse_scope(actor, lang, f"exemption.add {inmate}")
                return
            if await save(
                lang, store.add_exemption, actor, inmate, valid_from=start, valid_to=end, reference=reference
            ):
                refresh()

        ui.button(t("md.add_exemption", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, add)).mark(
            "exempt-save"
        )
    ui.label(t("md.end_exemption", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        which = ui.input(t("md.f.exemption", lang)).mark("exempt-end-id")
        end_day = date_input(t("md.f.valid_to", lang), lang).mark("exempt-end-day")

        async def end(actor: Principal) -> None:
            text = (which.value or "").strip()
            try:
                if not text.isdigit():
                    raise check.FieldError("md.err.number", field="md.f.exemption")
                last = check.day(end_day.value, "md.f.valid_to")
            except check.FieldError as err:
                problem(lang, err)
                return
            row = Exemption.get_or_none(Exemption.id == int(text))
            person = None if row is None else Inmate.get_or_none(Inmate.id == row.inmate)
            if row is None or person is None:
                problem(lang, check.FieldError("md.err.unknown", field="md.f.exemption", value=text))
                return
            if not actor.may_change_area(person.area):
                refuse_scope(actor, lang, f"exemption.end {text}")
                return
            if await save(lang, store.end_exemption, actor, int(text), last):
                refresh()

        ui.button(t("md.end_exemption", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, end)).mark(
            "exempt-end-save"
        )
