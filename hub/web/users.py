"""Users (admin only): every account with role, scope and state, and managing them: add, change the
role, name and scope, reset the password, unlock, disable and enable.

The first admin is made on the hub machine with `floorledger users add` (there is no dashboard
before it); every other account can be managed here. Each change is an admin's act in the hub's
ledger (`user.add`, `user.update`, `user.password`, `user.unlock`, `user.disable`, `user.enable`;
never a password). Accounts are never deleted, only disabled: the ledger names them. The last
active admin can be neither disabled nor given another role. A changed or disabled account takes
effect on its open sessions at their next request (the guards re-read the account every time).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal, Role
from hub.store.masterdata import Area, Line
from hub.web import guard
from hub.web.auth import AuthError, parse_role
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.tables import data_table
from hub.web.texts import t

ADMIN_ONLY = frozenset({Role.ADMIN})
USER_UNLOCK = "user.unlock"


def _scope_choices() -> tuple[dict[str, str], dict[str, str]]:
    lines = {line.code: f"{line.code} {line.name}" for line in Line.select().order_by(Line.code)}
    areas = {area.code: f"{area.code} {area.name}" for area in Area.select().order_by(Area.code)}
    return lines, areas


def register_users(ctx: WebContext) -> None:
    add_nav("web.nav.users", "/users", ADMIN_ONLY)

    @guard.dashboard_page(ctx, "/users", roles=ADMIN_ONLY, title_key="web.users.title")
    def users_page(who: Principal) -> None:
        lang = guard.language()
        line_choices, area_choices = _scope_choices()
        roles = {r.value: t(f"web.role.{r.value}", lang) for r in Role}

        by_name: dict[str, tuple[Principal, bool]] = {}

        def done(actor: Principal, action: str, username: str, payload: dict[str, Any], text: str) -> None:
            ctx.record_act(actor.username, action, f"user:{username}", {"user": username, **payload})
            ui.notify(t(text, lang, user=username), type="positive")
            listing.refresh()  # the table and the editor's choices; the editor keeps its selection

        async def attempt(call: Callable[[], object]) -> bool:
            try:
                await run.io_bound(call)
            except AuthError as err:
                ui.notify(err.text(lang), type="negative")
                return False
            return True

        def _user_choices() -> dict[str, str]:
            return {u: f"{u} · {p.display_name}" for u, (p, _) in by_name.items()}

        editor_pick: list[ui.select] = []

        @ui.refreshable
        def listing() -> None:
            accounts = ctx.accounts.list()
            by_name.clear()
            by_name.update((p.username, (p, locked)) for p, locked in accounts)
            if editor_pick:
                editor_pick[0].set_options(_user_choices())
            rows = []
            for p, locked in accounts:
                active = ctx.accounts.is_active(p.username)
                state = (
                    "web.users.disabled" if not active else ("web.users.locked" if locked else "web.users.ok")
                )
                rows.append(
                    {
                        "username": p.username,
                        "name": p.display_name,
                        "role": t(f"web.role.{p.role.value}", lang),
                        "scope": ",".join(p.lines) or p.area or t("web.users.all", lang),
                        "state": t(state, lang),
                    }
                )
            data_table(
                lang=lang,
                columns=[
                    {"name": "username", "label": t("web.users.username", lang), "field": "username"},
                    {"name": "name", "label": t("web.users.name", lang), "field": "name"},
                    {"name": "role", "label": t("web.users.role", lang), "field": "role"},
                    {"name": "scope", "label": t("web.users.scope", lang), "field": "scope"},
                    {"name": "state", "label": t("web.users.state", lang), "field": "state"},
                ],
                rows=rows,
                row_key="username",
            ).classes("w-full").mark("users-table")

        def _editor() -> None:
            with ui.card().classes("w-full").mark("user-edit"):
                ui.label(t("web.users.edit", lang)).classes("text-h6")
                pick = (
                    ui.select(_user_choices(), label=t("web.users.username", lang), with_input=True)
                    .classes("w-64")
                    .mark("edit-user")
                )
                editor_pick.append(pick)
                name_in = ui.input(t("web.users.name", lang)).props("maxlength=64").mark("edit-name")
                role_in = ui.select(roles, label=t("web.users.role", lang)).classes("w-64").mark("edit-role")
                lines_in = (
                    ui.select(line_choices, multiple=True, label=t("web.users.lines", lang))
                    .classes("w-96")
                    .mark("edit-lines")
                )
                area_in = (
                    ui.select(area_choices, label=t("web.users.area", lang)).classes("w-64").mark("edit-area")
                )
                lines_in.bind_visibility_from(role_in, "value", value=Role.LINE_OFFICER.value)
                area_in.bind_visibility_from(role_in, "value", value=Role.AREA_HEAD.value)

                def fill() -> None:
                    person = by_name.get(str(pick.value))
                    if person is None:
                        return
                    p, _ = person
                    name_in.value = p.display_name
                    role_in.value = p.role.value
                    lines_in.value = list(p.lines)
                    area_in.value = p.area

                pick.on_value_change(fill)

                async def save(actor: Principal) -> None:
                    username = str(pick.value or "")
                    role = parse_role(str(role_in.value or ""))
                    lines = [str(x) for x in lines_in.value or []]
                    area = str(area_in.value) if area_in.value else None
                    name = str(name_in.value or "").strip()
                    if await attempt(
                        lambda: ctx.accounts.update(
                            username, role=role, display_name=name, lines=lines, area=area
                        )
                    ):
                        scope = {"lines": lines if role is Role.LINE_OFFICER else [],
                                 "area": area if role is Role.AREA_HEAD else None}  # fmt: skip
                        done(actor, "user.update", username, {"role": role.value, "name": name, **scope},
                             "web.users.saved")  # fmt: skip

                def active_action(active: bool) -> Callable[[Principal], Any]:
                    async def handler(actor: Principal) -> None:
                        username = str(pick.value or "")
                        if username == actor.username and not active:
                            ui.notify(t("web.users.not_self", lang), type="negative")
                            return
                        if await attempt(lambda: ctx.accounts.set_active(username, active)):
                            action = "user.enable" if active else "user.disable"
                            done(
                                actor,
                                action,
                                username,
                                {},
                                "web.users.enabled" if active else "web.users.disabled_now",
                            )

                    return handler

                async def unlock(actor: Principal) -> None:
                    username = str(pick.value or "")
                    if await attempt(lambda: ctx.accounts.unlock(username)):
                        done(actor, USER_UNLOCK, username, {}, "web.users.unlocked")

                password_in = (
                    ui.input(t("web.users.new_password", lang), password=True, password_toggle_button=True)
                    .props("autocomplete=new-password")
                    .mark("edit-password")
                )

                async def reset(actor: Principal) -> None:
                    username = str(pick.value or "")
                    password = str(password_in.value or "")
                    if await attempt(lambda: ctx.accounts.set_password(username, password)):
                        password_in.value = ""
                        done(actor, "user.password", username, {}, "web.users.password_set")

                with ui.row():
                    for key, handler, marker in (
                        ("web.users.save", save, "edit-save"),
                        ("web.users.unlock", unlock, "edit-unlock"),
                        ("web.users.disable", active_action(False), "edit-disable"),
                        ("web.users.enable", active_action(True), "edit-enable"),
                        ("web.users.set_password", reset, "edit-set-password"),
                    ):
                        ui.button(t(key, lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, handler)).mark(
                            marker
                        )

        def _adder() -> None:
            with ui.card().classes("w-full").mark("user-add"):
                ui.label(t("web.users.add", lang)).classes("text-h6")
                with ui.row().classes("items-end"):
                    user_in = (
                        ui.input(t("web.users.username", lang)).props("maxlength=64").mark("add-username")
                    )
                    name_in = ui.input(t("web.users.name", lang)).props("maxlength=64").mark("add-name")
                    role_in = (
                        ui.select(roles, value=Role.LINE_OFFICER.value, label=t("web.users.role", lang))
                        .classes("w-48")
                        .mark("add-role")
                    )
                    lines_in = (
                        ui.select(line_choices, multiple=True, label=t("web.users.lines", lang))
                        .classes("w-64")
                        .mark("add-lines")
                    )
                    area_in = (
                        ui.select(area_choices, label=t("web.users.area", lang))
                        .classes("w-48")
                        .mark("add-area")
                    )
                    lines_in.bind_visibility_from(role_in, "value", value=Role.LINE_OFFICER.value)
                    area_in.bind_visibility_from(role_in, "value", value=Role.AREA_HEAD.value)
                    password_in = (
                        ui.input(t("web.users.first_password", lang), password=True)
                        .props("autocomplete=new-password")
                        .mark("add-password")
                    )

                async def add(actor: Principal) -> None:
                    username = str(user_in.value or "").strip()
                    role = Role(str(role_in.value)) if role_in.value in roles else Role.LINE_OFFICER
                    lines = [str(x) for x in lines_in.value or []] if role is Role.LINE_OFFICER else []
                    area = str(area_in.value) if area_in.value and role is Role.AREA_HEAD else None
                    name = str(name_in.value or "").strip()
                    password = str(password_in.value or "")

                    def create() -> object:
                        return ctx.accounts.create(
                            username=username, password=password, role=role, display_name=name,
                            lines=lines, area=area,
                        )  # fmt: skip

                    if await attempt(create):
                        for field in (user_in, name_in, password_in):
                            field.value = ""
                        done(actor, "user.add", username, {"role": role.value, "name": name, "lines": lines,
                             "area": area}, "web.users.added")  # fmt: skip

                ui.button(t("web.users.add", lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, add)).mark(
                    "add-save"
                )

        listing()
        _editor()
        _adder()
