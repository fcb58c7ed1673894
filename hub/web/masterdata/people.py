"""Master data about people: inmates and their personal quota levels (with the reason and the history
of each change), badges (issue, revoke, print an A4 sheet of QR cards) and posts (岗位调整) with their
history and effective dates: counted on a step, or (rule book v2) rated on a post without a quota, and
the training flag (培训期; by default set when the inmate starts a step he never held).

Quota-level history is read back from the hub's ledger (each `inmate.quota_pct` act carries its
reason); post history is the assignment table itself, which keeps every post with its dates.
"""

from __future__ import annotations

import json
from typing import Any

from nicegui import ui

from hub.accounts import Principal
from hub.masterdata import badge_sheet
from hub.masterdata import csv_import as check
from hub.masterdata import queries as md_queries
from hub.masterdata import service as md
from hub.masterdata.queries import area_of_line, area_of_person, person_id, step_names
from hub.store.ledger import LedgerEntry
from hub.store.masterdata import Area, Assignment, Badge, Inmate, Officer, Post, Step
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
from hub.web.people import officer_labels
from hub.web.pickers import date_input
from protocol.codes import CodeFormatError

TITLE_INMATES = "md.title.inmates"
TITLE_BADGES = "md.title.badges"
TITLE_SHEET = "md.title.sheet"
TITLE_ASSIGNMENTS = "md.title.assignments"
QUOTA_ACTION = "inmate.quota_pct"


def register_masterdata_people(ctx: WebContext, store: md.MasterData) -> None:
    _register_inmates(ctx, store)
    _register_badges(ctx, store)
    _register_assignments(ctx, store)


# --- inmates ----------------------------------------------------------------------------------------


def quota_history(ctx: WebContext, inmates: set[str], lang: str = "zh") -> list[dict[str, Any]]:
    """Each recorded change of a personal quota level, newest first, from the ledger."""
    if ctx.ledger is None:
        return []
    query = (
        LedgerEntry.select()
        .where(LedgerEntry.action == QUOTA_ACTION)
        .order_by(LedgerEntry.entry_index.desc())
    )
    rows = []
    people, officers = md_queries.people(), officer_labels(lang)
    for entry in query:
        if entry.subject not in inmates:
            continue
        payload = json.loads(entry.payload)
        rows.append(
            {
                "inmate": people[entry.subject].number if entry.subject in people else entry.subject,
                "name": people[entry.subject].name if entry.subject in people else "",
                "quota_pct": payload.get("quota_pct", ""),
                "reason": payload.get("reason", ""),
                "actor": officers.get(entry.actor, entry.actor),
                "created": ms_text(entry.hub_ms, ctx.zone),
            }
        )
    return rows


def _register_inmates(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/inmates", roles=READ_ROLES, title_key=TITLE_INMATES)
    def inmates_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)

        @ui.refreshable
        def listing() -> None:
            inmates = visible_inmates(who, ctx.today())
            ui.label(t("md.inmates", lang)).classes("text-h6")
            table(
                "md-inmates",
                [
                    ("id", "md.f.inmate_id"),
                    ("number", "md.f.number"),
                    ("name", "md.f.name"),
                    ("quota_pct", "md.f.quota_pct"),
                    ("area", "md.f.area"),
                ],
                [
                    {
                        "id": i.id,
                        "number": i.number,
                        "name": i.name,
                        "quota_pct": i.quota_pct,
                        "area": i.area or "",
                    }
                    for i in inmates
                ],
                lang,
            )
            ui.label(t("md.quota_history", lang)).classes("text-h6")
            table(
                "md-quota-history",
                [
                    ("inmate", "md.f.number"),
                    ("name", "md.f.name"),
                    ("quota_pct", "md.f.quota_pct"),
                    ("reason", "md.f.reason"),
                    ("actor", "md.f.actor"),
                    ("created", "md.f.created"),
                ],
                quota_history(ctx, {i.id for i in inmates}, lang),
                lang,
            )

        listing()
        if who.role in EDIT_ROLES:
            _inmate_forms(ctx, store, who, lang, listing.refresh)


def _inmate_forms(ctx: WebContext, store: md.MasterData, who: Principal, lang: str, refresh: Any) -> None:
    areas = {
        a.code: f"{a.code} {a.name}" for a in Area.select().order_by(Area.code) if who.may_change_area(a.code)
    }
    ui.label(t("md.add_inmate", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        ident = ui.input(t("md.f.inmate_id", lang)).mark("inmate-id")
        number = ui.input(t("md.f.number", lang)).mark("inmate-number")
        name = ui.input(t("md.f.name", lang)).mark("inmate-name")
        pct = ui.input(t("md.f.quota_pct", lang), value="100").mark("inmate-pct")
        area = ui.select(areas, label=t("md.f.area", lang)).classes("w-40").mark("inmate-area")

        async def add(actor: Principal) -> None:
            try:
                inmate = check.code(ident.value, "md.f.inmate_id")
                number_text = check.code(number.value, "md.f.number")
                name_text = check.name(name.value, "md.f.name")
                level = check.quota_pct(pct.value)
                area_code = check.code(area.value, "md.f.area")
            except check.FieldError as err:
                problem(lang, err)
                return
            if not actor.may_change_area(area_code):
                refuse_scope(actor, lang, f"inmate.add {inmate}")
                return
            if Inmate.get_or_none(Inmate.id == inmate) is not None:
                problem(lang, check.FieldError("md.err.exists", value=inmate))
                return
            if await save(
                lang,
                store.add_inmate,
                actor,
                inmate,
                number=number_text,
                name=name_text,
                quota_pct=level,
                area=area_code,
            ):
                refresh()

        ui.button(t("md.add_inmate", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, add)).mark(
            "inmate-save"
        )
    ui.label(t("md.set_quota", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        target = ui.input(t("md.f.inmate_pick", lang)).mark("quota-inmate")
        level_in = ui.input(t("md.f.quota_pct", lang)).mark("quota-pct")
        reason = ui.input(t("md.f.reason", lang)).classes("w-64").mark("quota-reason")

        async def set_level(actor: Principal) -> None:
            try:
                inmate = person_id(check.code(target.value, "md.f.inmate_pick"))
                level = check.quota_pct(level_in.value)
                why = check.reason(reason.value)
            except check.FieldError as err:
                problem(lang, err)
                return
            row = Inmate.get_or_none(Inmate.id == inmate)
            if row is None:
                problem(lang, check.FieldError("md.err.unknown", field="md.f.inmate_pick", value=inmate))
                return
            if not actor.may_change_area(row.area):
                refuse_scope(actor, lang, f"inmate.quota_pct {inmate}")
                return
            if await save(lang, store.set_quota_pct, actor, inmate, level, reason=why):
                refresh()

        ui.button(t("md.set_quota", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, set_level)).mark(
            "quota-save"
        )


# --- badges -----------------------------------------------------------------------------------------


def _visible_badges(who: Principal, ctx: WebContext) -> list[Any]:
    badges = list(Badge.select().order_by(Badge.badge))
    if who.sees_everything:
        return badges
    inmates = {i.id for i in visible_inmates(who, ctx.today())}
    officers = {o.id for o in Officer.select() if who.area is not None and o.area == who.area}
    return [b for b in badges if b.person in inmates or b.person in officers]


def sheet_cards(who: Principal, ctx: WebContext) -> list[badge_sheet.BadgeCard]:
    """One card per active badge the officer may see, in badge order."""
    people = md_queries.people()
    rows = []
    for b in _visible_badges(who, ctx):
        if b.revoked_ms is not None:
            continue
        person = people.get(b.person)
        rows.append((b.badge, b.person, person.name if person else "", person.number if person else ""))
    return badge_sheet.cards(rows)


def _register_badges(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/badges", roles=READ_ROLES, title_key=TITLE_BADGES)
    def badges_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)
        ui.link(t("md.print_sheet", lang), "/masterdata/badges/sheet").mark("md-sheet-link")

        @ui.refreshable
        def listing() -> None:
            people = md_queries.people()
            table(
                "md-badges",
                [
                    ("badge", "md.f.badge"),
                    ("person", "md.f.person"),
                    ("name", "md.f.name"),
                    ("state", "md.f.state"),
                    ("issued", "md.f.created"),
                ],
                [
                    {
                        "badge": b.badge,
                        "person": people[b.person].number if b.person in people else b.person,
                        "name": people[b.person].name if b.person in people else "",
                        "state": t("md.badge.active" if b.revoked_ms is None else "md.badge.revoked", lang),
                        "issued": ms_text(b.issued_ms, ctx.zone),
                    }
                    for b in _visible_badges(who, ctx)
                ],
                lang,
            )

        listing()
        if who.role not in EDIT_ROLES:
            return
        with ui.row().classes("items-end"):
            badge = ui.input(t("md.f.badge", lang)).mark("badge-id")
            person = ui.input(t("md.f.person", lang)).mark("badge-person")

            async def issue(actor: Principal) -> None:
                try:
                    badge_id = check.code(badge.value, "md.f.badge")
                    holder = person_id(check.code(person.value, "md.f.person"))
                except check.FieldError as err:
                    problem(lang, err)
                    return
                if not actor.may_change_area(area_of_person(holder)):
                    refuse_scope(actor, lang, f"badge.issue {badge_id}")
                    return
                if await save(lang, store.issue_badge, actor, badge_id, holder):
                    listing.refresh()

            ui.button(t("md.issue_badge", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, issue)).mark(
                "badge-issue"
            )
        with ui.row().classes("items-end"):
            revoke_id = ui.input(t("md.f.badge", lang)).mark("revoke-badge-id")
            reason = ui.input(t("md.f.reason", lang)).mark("revoke-badge-reason")

            async def revoke(actor: Principal) -> None:
                try:
                    badge_id = check.code(revoke_id.value, "md.f.badge")
                    why = check.reason(reason.value)
                except check.FieldError as err:
                    problem(lang, err)
                    return
                row = Badge.get_or_none(Badge.badge == badge_id)
                if row is not None and not actor.may_change_area(area_of_person(row.person)):
                    refuse_scope(actor, lang, f"badge.revoke {badge_id}")
                    return
                if await save(lang, store.revoke_badge, actor, badge_id, reason=why):
                    listing.refresh()

            ui.button(
                t("md.revoke_badge", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, revoke)
            ).mark("badge-revoke")

    @guard.dashboard_page(ctx, "/masterdata/badges/sheet", roles=READ_ROLES, title_key=TITLE_SHEET)
    def sheet_page(who: Principal) -> None:
        lang = guard.language()
        ui.add_css(badge_sheet.PRINT_CSS)
        with ui.row().classes("fl-no-print items-center"):
            ui.label(t("md.sheet.hint", lang)).classes("text-grey-7")
            ui.button(t("md.print", lang), on_click=lambda: ui.run_javascript("window.print()")).mark(
                "sheet-print"
            )
        try:
            cards = sheet_cards(who, ctx)
        except CodeFormatError as err:
            problem(lang, err)
            return
        with ui.element("div").classes("fl-sheet").mark("badge-sheet"):
            for card in cards:
                with ui.element("div").classes("fl-card").mark(f"badge-card-{card.badge}"):
                    # The SVG is drawn by our own generator from the person code (path data only);
                    # every name and number is a text label, never HTML.
                    ui.html(card.svg, sanitize=False).classes("fl-qr").mark(f"badge-qr-{card.badge}")
                    ui.label(card.name).classes("fl-name")
                    ui.label(card.number).classes("fl-line")
                    ui.label(f"{t('md.f.badge', lang)} {card.badge}").classes("fl-line")


# --- assignments --------------------------------------------------------------------------------------


def _register_assignments(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/assignments", roles=READ_ROLES, title_key=TITLE_ASSIGNMENTS)
    def assignments_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)

        @ui.refreshable
        def listing() -> None:
            lines = {x.code for x in visible_lines(who)}
            names = step_names()
            posts = {p.code: p.name for p in Post.select()}
            everyone = md_queries.people()
            table(
                "md-assignments",
                [
                    ("id", "md.f.assignment"),
                    ("inmate", "md.f.number"),
                    ("name", "md.f.name"),
                    ("line", "md.f.line"),
                    ("step", "md.f.step"),
                    ("valid_from", "md.f.valid_from"),
                    ("valid_to", "md.f.valid_to"),
                    ("training", "md.f.training"),
                ],
                [
                    {
                        "id": a.id,
                        "inmate": who_is.number if (who_is := everyone.get(a.inmate)) else a.inmate,
                        "name": who_is.name if who_is else "",
                        "line": a.line,
                        "step": (
                            f"{t('md.f.post', lang)} {a.post} {posts.get(a.post or '', '')}".strip()
                            if a.mode == "rated"
                            else f"{a.product}/{a.step} {names.get((a.product, a.step), '')}".strip()
                        ),
                        "valid_from": a.valid_from,
                        "valid_to": a.valid_to or t("md.open_ended", lang),
                        "training": t("md.f.yes", lang) if a.training else "",
                    }
                    for a in Assignment.select().order_by(Assignment.inmate, Assignment.id.desc())
                    if a.line in lines
                ],
                lang,
            )

        listing()
        if who.role in EDIT_ROLES:
            _assignment_forms(ctx, store, who, lang, listing.refresh)


def _assignment_forms(ctx: WebContext, store: md.MasterData, who: Principal, lang: str, refresh: Any) -> None:
    lines = {x.code: f"{x.code} {x.name}" for x in visible_lines(who) if who.may_change_area(x.area)}
    steps = {f"{s.product}/{s.code}": f"{s.product}/{s.code} {s.name}" for s in Step.select()}
    # "" is a counted post on a step; a post code makes it rated (rule book v2), on the post's line
    posts = {"": t("md.f.counted", lang)} | {
        p.code: f"{p.code} {p.name} ({p.line})" for p in Post.select().order_by(Post.code) if p.line in lines
    }
    trainings = {"": t("md.f.training_default", lang), "yes": t("md.f.yes", lang), "no": t("md.f.no", lang)}
    ui.label(t("md.assign", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        inmate_in = ui.input(t("md.f.inmate_pick", lang)).mark("assign-inmate")
        post_in = ui.select(posts, value="", label=t("md.f.post", lang)).classes("w-48").mark("assign-post")
        line_in = ui.select(lines, label=t("md.f.line", lang)).classes("w-40").mark("assign-line")
        step_in = ui.select(steps, label=t("md.f.step", lang)).classes("w-48").mark("assign-step")
        start_in = date_input(t("md.f.valid_from", lang), lang).mark("assign-from")
        end_in = date_input(t("md.f.valid_to", lang), lang).mark("assign-to")
        training_in = (
            ui.select(trainings, value="", label=t("md.f.training", lang))
            .classes("w-56")
            .mark("assign-training")
        )

        async def assign(actor: Principal) -> None:
            post = post_in.value or None
            try:
                inmate = person_id(check.code(inmate_in.value, "md.f.inmate_pick"))
                if post is None:
                    line = check.code(line_in.value, "md.f.line")
                    product, _, step = (step_in.value or "").partition("/")
                    product = check.code(product, "md.f.product")
                    step = check.code(step, "md.f.step")
                else:
                    held = Post.get_or_none(Post.code == post)
                    if held is None:
                        raise check.FieldError("md.err.unknown", field="md.f.post", value=post)
                    line = str(held.line)
                start = check.day(start_in.value, "md.f.valid_from")
                end = check.day(end_in.value, "md.f.valid_to") if (end_in.value or "").strip() else None
            except check.FieldError as err:
                problem(lang, err)
                return
            if not actor.may_change_area(area_of_line(line)):
                refuse_scope(actor, lang, f"assignment.add {inmate}")
                return
            training = {"yes": True, "no": False}.get(training_in.value or "")
            where: dict[str, Any] = (
                {"post": post} if post else {"line": line, "product": product, "step": step}
            )
            if await save(
                lang, store.assign, actor, inmate, valid_from=start, valid_to=end, training=training, **where
            ):
                refresh()

        ui.button(t("md.assign", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, assign)).mark(
            "assign-save"
        )
    ui.label(t("md.end_assignment", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        which = ui.input(t("md.f.assignment", lang)).mark("end-assignment")
        end_day = date_input(t("md.f.valid_to", lang), lang).mark("end-day")

        async def end(actor: Principal) -> None:
            text = (which.value or "").strip()
            try:
                if not text.isdigit():
                    raise check.FieldError("md.err.number", field="md.f.assignment")
                last = check.day(end_day.value, "md.f.valid_to")
            except check.FieldError as err:
                problem(lang, err)
                return
            row = Assignment.get_or_none(Assignment.id == int(text))
            if row is None:
                problem(lang, check.FieldError("md.err.unknown", field="md.f.assignment", value=text))
                return
            if not actor.may_change_area(area_of_line(row.line)):
                refuse_scope(actor, lang, f"assignment.end {text}")
                return
            if await save(lang, store.end_assignment, actor, int(text), last):
                refresh()

        ui.button(t("md.end_assignment", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, end)).mark(
            "end-save"
        )
    ui.label(t("md.set_training", lang)).classes("text-h6")
    with ui.row().classes("items-end"):
        which_post = ui.input(t("md.f.assignment", lang)).mark("training-assignment")
        flag = ui.select(
            {"yes": t("md.f.yes", lang), "no": t("md.f.no", lang)},
            value="yes",
            label=t("md.f.training", lang),
        ).mark("training-flag")

        async def set_training(actor: Principal) -> None:
            text = (which_post.value or "").strip()
            if not text.isdigit():
                problem(lang, check.FieldError("md.err.number", field="md.f.assignment"))
                return
            row = Assignment.get_or_none(Assignment.id == int(text))
            if row is None:
                problem(lang, check.FieldError("md.err.unknown", field="md.f.assignment", value=text))
                return
            if not actor.may_change_area(area_of_line(row.line)):
                refuse_scope(actor, lang, f"assignment.training {text}")
                return
            if await save(lang, store.set_training, actor, int(text), flag.value == "yes"):
                refresh()

        ui.button(
            t("md.set_training", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, set_training)
        ).mark("training-save")
