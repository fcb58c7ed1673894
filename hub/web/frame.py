"""The shared dashboard frame: header (site, user, language switch, logout) and navigation by role.

Pages register themselves in `NAV` with the roles that may open them, so the menu only offers what
the server would allow anyway. An idle timer ends a session left open on a desk.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from nicegui import ui

from hub.accounts import Principal, Role
from hub.web import guard
from hub.web.context import WebContext
from hub.web.texts import t

IDLE_CHECK_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class NavEntry:
    text_key: str
    path: str
    roles: frozenset[Role]


NAV: list[NavEntry] = []


def add_nav(text_key: str, path: str, roles: Collection[Role]) -> None:
    """Offer a page in the menu to `roles` (another page module may add its own)."""
    if not any(entry.path == path for entry in NAV):
        NAV.append(NavEntry(text_key, path, frozenset(roles)))


@contextmanager
def frame(ctx: WebContext, who: Principal, lang: str, title_key: str) -> Iterator[None]:
    with ui.header().classes("items-center q-px-md bg-blue-grey-9"):
        ui.label(f"{ctx.site} · {t('web.site', lang)}").classes("text-h6")
        for entry in NAV:
            if who.role in entry.roles:
                ui.link(t(entry.text_key, lang), entry.path).classes("text-white q-ml-md").mark(
                    f"nav-{entry.path.strip('/')}"
                )
        ui.space()
        ui.label(f"{who.display_name} · {t('web.role.' + who.role.value, lang)}").mark("who")
        ui.button(t("web.lang", lang), on_click=lambda: _switch_language(lang)).props(
            "flat color=white"
        ).mark("lang")
        ui.button(t("web.logout", lang), on_click=_logout).props("flat color=white").mark("logout")
    ui.timer(IDLE_CHECK_SECONDS, lambda: _idle_check(ctx))
    with ui.column().classes("w-full q-pa-md"):
        ui.label(t(title_key, lang)).classes("text-h5").mark("page-title")
        yield


def _switch_language(lang: str) -> None:
    from nicegui import app

    app.storage.user[guard.LANG_KEY] = "en" if lang == "zh" else "zh"
    ui.navigate.reload()


def _logout() -> None:
    guard.sign_out()
    ui.navigate.to("/login")


def _idle_check(ctx: WebContext) -> None:
    if guard.current_principal(ctx, touch=False) is None:
        ui.navigate.to("/login")
