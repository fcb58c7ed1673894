"""Users (admin only): every account with role, scope and lock state, and unlocking a locked one.

Accounts are created on the hub machine with `floorledger users add` (the first admin has no
dashboard yet); an unlock here is an admin's act and goes into the hub's ledger.
"""

from __future__ import annotations

from nicegui import run, ui

from hub.accounts import Principal, Role
from hub.errors import HubError
from hub.web import guard
from hub.web.auth import AuthError
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.texts import t

ADMIN_ONLY = frozenset({Role.ADMIN})
USER_UNLOCK = "user.unlock"


def register_users(ctx: WebContext) -> None:
    add_nav("web.nav.users", "/users", ADMIN_ONLY)

    @guard.dashboard_page(ctx, "/users", roles=ADMIN_ONLY, title_key="web.users.title")
    def users_page(who: Principal) -> None:
        lang = guard.language()
        ui.label(t("web.users.hint", lang)).classes("text-grey-7")

        @ui.refreshable
        def listing() -> None:
            accounts = ctx.accounts.list()
            ui.table(
                columns=[
                    {"name": "username", "label": t("web.users.username", lang), "field": "username"},
                    {"name": "name", "label": t("web.users.name", lang), "field": "name"},
                    {"name": "role", "label": t("web.users.role", lang), "field": "role"},
                    {"name": "scope", "label": t("web.users.scope", lang), "field": "scope"},
                    {"name": "state", "label": t("web.users.state", lang), "field": "state"},
                ],
                rows=[
                    {
                        "username": p.username,
                        "name": p.display_name,
                        "role": t(f"web.role.{p.role.value}", lang),
                        "scope": ",".join(p.lines) or p.area or t("web.users.all", lang),
                        "state": t("web.users.locked" if locked else "web.users.ok", lang),
                    }
                    for p, locked in accounts
                ],
                row_key="username",
            ).classes("w-full").mark("users-table")
            for person, locked in accounts:
                if not locked:
                    continue

                async def unlock(actor: Principal, username: str = person.username) -> None:
                    try:
                        await run.io_bound(ctx.accounts.unlock, username)
                    except AuthError as err:
                        # AuthError joins the HubError tree with the accounts' texts; until then, its English
                        ui.notify(err.text(lang) if isinstance(err, HubError) else str(err), type="negative")
                        return
                    ctx.record_act(actor.username, USER_UNLOCK, f"user:{username}", {"user": username})
                    ui.notify(t("web.users.unlocked", lang, user=username), type="positive")
                    listing.refresh()

                ui.button(
                    f"{t('web.users.unlock', lang)} {person.username}",
                    on_click=guard.guarded_action(ctx, ADMIN_ONLY, unlock),
                ).mark(f"unlock-{person.username}")

        listing()
