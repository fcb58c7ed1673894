"""The shared dashboard frame: header (site, user, language switch, logout) and navigation by role.

Pages register themselves in `NAV` with the roles that may open them, so the menu only offers what
the server would allow anyway. An idle timer ends a session left open on a desk.

The session itself belongs to `hub.web.guard`, which wraps every page in this frame; it hands the
frame what the header's buttons and the idle timer do (`SessionActions`), so the frame never reaches
back up into the guard.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import peewee
from nicegui import run, ui

from hub.accounts import Principal, Role
from hub.errors import HubError
from hub.web.context import WebContext
from hub.web.texts import t

IDLE_CHECK_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class NavEntry:
    text_key: str
    path: str
    roles: frozenset[Role]


NAV: list[NavEntry] = []
# A count shown beside a menu entry (the work queue's open items), read by `count(ctx, who)` in a
# worker thread; the page module keeps it cheap (one shared computation, not one per screen).
BADGES: dict[str, Callable[[WebContext, Principal], int]] = {}
BADGE_SECONDS = 10.0


def add_badge(path: str, count: Callable[[WebContext, Principal], int]) -> None:
    """Show `count` beside the menu entry of `path`, kept up to date without a reload."""
    BADGES[path] = count


def add_nav(text_key: str, path: str, roles: Collection[Role]) -> None:
    """Offer a page in the menu to `roles` (another page module may add its own)."""
    if not any(entry.path == path for entry in NAV):
        NAV.append(NavEntry(text_key, path, frozenset(roles)))


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionActions:
    """What the header does to the session: switch the language, sign out, end an idle session."""

    switch_language: Callable[[], None]
    logout: Callable[[], None]
    idle_check: Callable[[], None]


def _badge(ctx: WebContext, who: Principal, path: str) -> None:
    """The count beside a menu entry: filled after the page is shown, then every BADGE_SECONDS."""
    badge = ui.badge("", color="orange").props("rounded").mark(f"badge-{path.strip('/')}")
    badge.set_visibility(False)

    async def refresh() -> None:
        try:
            count = await run.io_bound(BADGES[path], ctx, who)
        except (peewee.PeeweeException, OSError, HubError):  # the page itself reports what fails
            return
        if count is None:  # the server is stopping
            return
        badge.set_text(str(count))
        badge.set_visibility(count > 0)

    ui.timer(0.1, refresh, once=True)
    ui.timer(BADGE_SECONDS, refresh)


@contextmanager
def frame(
    ctx: WebContext, who: Principal, lang: str, title_key: str, session: SessionActions
) -> Iterator[None]:
    with ui.header().classes("items-center q-px-md bg-blue-grey-9"):
        ui.label(f"{ctx.site} · {t('web.site', lang)}").classes("text-h6")
        for entry in NAV:
            if who.role in entry.roles:
                ui.link(t(entry.text_key, lang), entry.path).classes("text-white q-ml-md").mark(
                    f"nav-{entry.path.strip('/')}"
                )
                if entry.path in BADGES:
                    _badge(ctx, who, entry.path)
        ui.space()
        ui.label(f"{who.display_name} · {t('web.role.' + who.role.value, lang)}").mark("who")
        ui.button(t("web.lang", lang), on_click=session.switch_language).props("flat color=white").mark(
            "lang"
        )
        ui.button(t("web.logout", lang), on_click=session.logout).props("flat color=white").mark("logout")
    ui.timer(IDLE_CHECK_SECONDS, session.idle_check)
    with ui.column().classes("w-full q-pa-md"):
        ui.label(t(title_key, lang)).classes("text-h5").mark("page-title")
        yield
