"""Master data · officers (民警): the people who witness check-ins, countersign and enter warehoused
counts at the kiosks, found there by their badges in the line plans. List, add, correct (name, role,
area, line), issue and revoke badges.

These rows are not the dashboard's accounts (`hub.web.auth.User`, managed with `floorledger users`):
they are what the kiosks know. The line plans choose witnesses by them (hub/kiosks/plans.py): a line officer
on their line, an area head on their area's lines, the labor section and admins on every line. So
who may change them is decided by how far the change reaches:

- the labor section lists, adds and corrects every officer of any role and issues and revokes any
  officer's badge;
- an area head sees their own area's officers, adds and corrects line officers of their own area's
  lines only (making or changing an area head, the labor section or an admin, or moving an officer
  out of their area, would widen who may witness beyond their area), and issues and revokes badges
  of their own area's officers (as the badges page already allows);
- a line officer reads the officers of their own lines and changes nothing;
- admins are refused, like on every master-data page.
The role is re-checked at each click (`guard.guarded_action`), the scope by each handler, before the
row and after the change. Officers change no result, so no locked month (月考核) refuses them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import ui

from hub.accounts import SITE_WIDE_ROLES, Principal, Role
from hub.masterdata import csv_import as check
from hub.masterdata import service as md
from hub.masterdata.checks import OFFICER_ROLES
from hub.masterdata.queries import active_badges, area_of_line
from hub.store.masterdata import Area, Badge, Inmate, Line, Officer
from hub.web import guard
from hub.web.context import WebContext
from hub.web.masterdata.common import (
    EDIT_ROLES,
    READ_ROLES,
    problem,
    read_only_note,
    refuse_scope,
    save,
    table,
    tabs,
)
from hub.web.masterdata.texts import t

TITLE_OFFICERS = "md.title.officers"
ROLE_KEYS = {role.value: f"md.role.{role.value}" for role in Role}


# --- scope (`hub.accounts` over the rows) ------------------------------------------------------------


def visible_officers(who: Principal) -> list[Officer]:
    """Officers `who` may read (`Principal.may_see_officer`)."""
    return [o for o in Officer.select().order_by(Officer.id) if who.may_see_officer(o.area, o.line)]


def entered(name: Any, role: Any, area: Any, line: Any) -> tuple[str, str, str | None, str | None]:
    """Name, role, area and line as the form holds them, checked (raises check.FieldError)."""
    officer_name = check.name(name.value, "md.f.name")
    officer_role = role_choice(role.value)
    officer_area, officer_line = placement(officer_role, area.value, line.value)
    return officer_name, officer_role, officer_area, officer_line


def role_choice(value: Any) -> str:
    if value not in OFFICER_ROLES:
        raise check.FieldError("md.err.required", field="md.f.role")
    return str(value)


def placement(role: str, area: str | None, line: str | None) -> tuple[str | None, str | None]:
    """`officer_placement` told in the officer's words before saving (the store checks it again)."""
    if line:
        if role != Role.LINE_OFFICER:
            raise check.FieldError("md.err.officer_line")
        line_area = area_of_line(line)
        if line_area is None:
            raise check.FieldError("md.err.unknown", field="md.f.line", value=line)
        if area and area != line_area:
            raise check.FieldError("md.err.line_area", line=line, area=line_area)
        return line_area, line
    if role == Role.LINE_OFFICER:
        raise check.FieldError("md.err.required", field="md.f.line")
    if role in SITE_WIDE_ROLES:
        if area:
            raise check.FieldError("md.err.officer_site_wide")
        return None, None
    if not area:
        raise check.FieldError("md.err.required", field="md.f.area")
    return area, None


# --- page ---------------------------------------------------------------------------------------------


def register_masterdata_officers(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/officers", roles=READ_ROLES, title_key=TITLE_OFFICERS)
    def officers_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        read_only_note(who, lang)
        ui.label(t("md.officers.hint", lang)).classes("text-grey-7")

        @ui.refreshable
        def listing() -> None:
            badges = active_badges()
            ui.label(t("md.officers", lang)).classes("text-h6")
            table(
                "md-officers",
                [
                    ("id", "md.f.officer_id"),
                    ("name", "md.f.name"),
                    ("role", "md.f.role"),
                    ("area", "md.f.area"),
                    ("line", "md.f.line"),
                    ("badges", "md.f.badges"),
                ],
                [
                    {
                        "id": o.id,
                        "name": o.name,
                        "role": t(ROLE_KEYS.get(o.role, o.role), lang),
                        "area": o.area or "",
                        "line": o.line or "",
                        "badges": " ".join(badges.get(o.id, ())),
                    }
                    for o in visible_officers(who)
                ],
                lang,
            )

        listing()
        if who.role in EDIT_ROLES:
            _OfficerForms(ctx, store, who, lang, listing.refresh).build()


class _OfficerForms:
    """The add, correct and badge forms of one page; their officer lists follow every saved change."""

    def __init__(
        self, ctx: WebContext, store: md.MasterData, who: Principal, lang: str, refresh: Callable[[], Any]
    ) -> None:
        self.ctx, self.store, self.who, self.lang, self.refresh = ctx, store, who, lang, refresh
        self.roles = {
            r: t(key, lang)
            for r, key in ROLE_KEYS.items()
            if who.role is Role.LABOR_SECTION or r == Role.LINE_OFFICER
        }
        self.areas = {
            a.code: f"{a.code} {a.name}"
            for a in Area.select().order_by(Area.code)
            if who.may_change_area(a.code)
        }
        self.lines = {
            x.code: f"{x.code} {x.name}"
            for x in Line.select().order_by(Line.code)
            if who.may_change_area(x.area)
        }
        self.selects: list[tuple[ui.select, Callable[[], dict[str, str]]]] = []

    def build(self) -> None:
        self._add_form()
        self._update_form()
        self._badge_forms()

    def _officer_options(self, keep: Callable[[Any], bool]) -> Callable[[], dict[str, str]]:
        return lambda: {o.id: f"{o.id} {o.name}" for o in visible_officers(self.who) if keep(o)}

    def _officer_select(self, marker: str, keep: Callable[[Any], bool]) -> ui.select:
        options = self._officer_options(keep)
        select = ui.select(options(), label=t("md.f.officer", self.lang)).classes("w-48").mark(marker)
        self.selects.append((select, options))
        return select

    def _saved(self) -> None:
        self.refresh()
        for select, options in self.selects:
            select.set_options(options())

    def _button(self, key: str, marker: str, handler: Callable[[Principal], Any]) -> None:
        ui.button(t(key, self.lang), on_click=guard.guarded_action(self.ctx, EDIT_ROLES, handler)).mark(
            marker
        )

    def _placement_inputs(self, prefix: str) -> tuple[ui.select, ui.select, ui.select]:
        """Role, area and line; choosing a line brings its area, a role clears what it cannot have."""
        lang = self.lang
        role = ui.select(self.roles, label=t("md.f.role", lang)).classes("w-40").mark(f"{prefix}-role")
        area = ui.select(self.areas, label=t("md.f.area", lang), clearable=True).classes("w-40")
        line = ui.select(self.lines, label=t("md.f.line", lang), clearable=True).classes("w-40")
        area.mark(f"{prefix}-area")
        line.mark(f"{prefix}-line")

        def role_changed(event: Any) -> None:
            if event.value != Role.LINE_OFFICER:
                line.set_value(None)
            if event.value in SITE_WIDE_ROLES:
                area.set_value(None)

        def line_changed(event: Any) -> None:
            line_area = None if event.value is None else area_of_line(event.value)
            if line_area in self.areas:
                area.set_value(line_area)

        role.on_value_change(role_changed)
        line.on_value_change(line_changed)
        return role, area, line

    def _add_form(self) -> None:
        lang = self.lang
        ui.label(t("md.add_officer", lang)).classes("text-h6")
        with ui.row().classes("items-end"):
            ident = ui.input(t("md.f.officer_id", lang)).mark("officer-id")
            name = ui.input(t("md.f.name", lang)).mark("officer-name")
            role, area, line = self._placement_inputs("officer")
            role.set_value(Role.LINE_OFFICER.value)

            async def add(actor: Principal) -> None:
                try:
                    officer = check.code(ident.value, "md.f.officer_id")
                    officer_name, officer_role, officer_area, officer_line = entered(name, role, area, line)
                except check.FieldError as err:
                    problem(lang, err)
                    return
                if not actor.may_manage_officer(officer_role, officer_area):
                    refuse_scope(actor, lang, f"officer.add {officer}")
                    return
                if (
                    Officer.get_or_none(Officer.id == officer) is not None
                    or Inmate.get_or_none(Inmate.id == officer) is not None
                ):
                    problem(lang, check.FieldError("md.err.exists", value=officer))
                    return
                if await save(
                    lang,
                    self.store.add_officer,
                    actor,
                    officer,
                    name=officer_name,
                    role=officer_role,
                    area=officer_area,
                    line=officer_line,
                ):
                    self._saved()

            self._button("md.add_officer", "officer-save", add)

    def _update_form(self) -> None:
        lang = self.lang
        ui.label(t("md.update_officer", lang)).classes("text-h6")
        with ui.row().classes("items-end"):
            which = self._officer_select(
                "edit-officer", lambda o: self.who.may_manage_officer(o.role, o.area)
            )
            name = ui.input(t("md.f.name", lang)).mark("edit-name")
            role, area, line = self._placement_inputs("edit")

            def chosen(event: Any) -> None:
                row = None if event.value is None else Officer.get_or_none(Officer.id == event.value)
                if row is None:
                    return
                name.set_value(row.name)
                role.set_value(row.role if row.role in self.roles else None)
                area.set_value(row.area if row.area in self.areas else None)
                line.set_value(row.line if row.line in self.lines else None)

            which.on_value_change(chosen)

            async def update(actor: Principal) -> None:
                try:
                    officer = check.code(which.value, "md.f.officer")
                    officer_name, officer_role, officer_area, officer_line = entered(name, role, area, line)
                except check.FieldError as err:
                    problem(lang, err)
                    return
                row = Officer.get_or_none(Officer.id == officer)
                if row is None:
                    problem(lang, check.FieldError("md.err.unknown", field="md.f.officer", value=officer))
                    return
                # Both the officer as they are and as they would be must be in the actor's scope.
                before_ok = actor.may_manage_officer(row.role, row.area)
                if not (before_ok and actor.may_manage_officer(officer_role, officer_area)):
                    refuse_scope(actor, lang, f"officer.update {officer}")
                    return
                if (officer_name, officer_role, officer_area, officer_line) == (
                    row.name,
                    row.role,
                    row.area,
                    row.line,
                ):
                    ui.notify(t("md.unchanged", lang), type="info")
                    return
                if await save(
                    lang,
                    self.store.update_officer,
                    actor,
                    officer,
                    name=officer_name,
                    role=officer_role,
                    area=officer_area or "",
                    line=officer_line or "",
                ):
                    self._saved()

            self._button("md.update_officer", "edit-save", update)

    def _badge_forms(self) -> None:
        lang = self.lang
        ui.label(t("md.officer_badges", lang)).classes("text-h6")
        with ui.row().classes("items-end"):
            # Badges follow the badges page's rule: the officers of the area one may change.
            holder = self._officer_select("badge-officer", lambda o: self.who.may_change_area(o.area))
            badge = ui.input(t("md.f.badge", lang)).mark("officer-badge-id")

            async def issue(actor: Principal) -> None:
                try:
                    officer = check.code(holder.value, "md.f.officer")
                    badge_id = check.code(badge.value, "md.f.badge")
                except check.FieldError as err:
                    problem(lang, err)
                    return
                row = Officer.get_or_none(Officer.id == officer)
                if row is None:
                    problem(lang, check.FieldError("md.err.unknown", field="md.f.officer", value=officer))
                    return
                if not actor.may_change_area(row.area):
                    refuse_scope(actor, lang, f"badge.issue {badge_id}")
                    return
                if await save(lang, self.store.issue_badge, actor, badge_id, officer):
                    self._saved()

            self._button("md.issue_badge", "officer-badge-issue", issue)
        with ui.row().classes("items-end"):
            revoke_id = ui.input(t("md.f.badge", lang)).mark("officer-revoke-id")
            reason = ui.input(t("md.f.reason", lang)).classes("w-64").mark("officer-revoke-reason")

            async def revoke(actor: Principal) -> None:
                try:
                    badge_id = check.code(revoke_id.value, "md.f.badge")
                    why = check.reason(reason.value)
                except check.FieldError as err:
                    problem(lang, err)
                    return
                found = Badge.get_or_none((Badge.badge == badge_id) & Badge.revoked_ms.is_null())
                row = None if found is None else Officer.get_or_none(Officer.id == found.person)
                if row is None:  # inmates' badges are revoked on the badges page
                    problem(lang, check.FieldError("md.err.not_officer_badge", value=badge_id))
                    return
                if not actor.may_change_area(row.area):
                    refuse_scope(actor, lang, f"badge.revoke {badge_id}")
                    return
                if await save(lang, self.store.revoke_badge, actor, badge_id, reason=why):
                    self._saved()

            self._button("md.revoke_badge", "officer-badge-revoke", revoke)
