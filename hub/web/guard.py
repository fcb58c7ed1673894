"""Sessions and the server-side guards every dashboard page and action goes through.

The session lives in NiceGUI's per-browser `app.storage.user` (server side, keyed by a signed
cookie): the username and the time of the last user action. Each page load and each action
- re-reads the account (a locked or removed account loses its session at once),
- ends the session when the idle timeout has passed since the last action,
- checks the role (and pages check the scope) before doing anything.
Hiding a button is only a courtesy; these checks are the rule.

The session id (the browser id in the signed cookie that keys `app.storage.user`) is never trusted to
carry a sign-in from before: a cookie planted in a browser before an officer signs in must not become
the officer's session (session fixation). So a successful password check only issues a one-time
ticket (30 s); the browser redeems it at `/login/complete` (an HTTP request, the only place a cookie
can be set), which gives the browser a fresh session id and writes the sign-in under that id alone.
`/logout` likewise empties the old session and gives the browser a new id.
"""

from __future__ import annotations

import inspect
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from hub.accounts import Principal, Role
from hub.web.context import WebContext
from hub.web.frame import SessionActions, frame
from hub.web.texts import t

log = logging.getLogger(__name__)

USER_KEY = "fl.user"
SEEN_KEY = "fl.seen_ms"
LANG_KEY = "fl.lang"
NOTICE_KEY = "fl.notice"  # a message the login page shows once (e.g. signed out after inactivity)


def language() -> str:
    try:
        return str(app.storage.user.get(LANG_KEY, "zh"))
    except RuntimeError:  # no request context (e.g. a timer of a page without storage)
        return "zh"


TICKET_MS = 30_000
KEEPALIVE_S = 240.0
_tickets: dict[str, tuple[str, int]] = {}  # one-time login ticket -> (username, issued ms)


def sign_in(ctx: WebContext, who: Principal) -> str:
    """The URL that completes the sign-in of `who` in this browser, under a fresh session id."""
    now = ctx.clock()
    for stale in [k for k, (_, issued) in _tickets.items() if now - issued > TICKET_MS]:
        del _tickets[stale]
    ticket = secrets.token_urlsafe(32)
    _tickets[ticket] = (who.username, now)
    return f"/login/complete?ticket={ticket}"


async def complete_sign_in(ctx: WebContext, request: Request, ticket: str) -> bool:
    """Redeem a ticket once: the browser gets a new session id, and only that id is signed in."""
    entry = _tickets.pop(ticket, None)
    if entry is None or ctx.clock() - entry[1] > TICKET_MS:
        return False
    if ctx.accounts.principal(entry[0]) is None:  # locked or removed since the password check
        return False
    await renew_session(request, {USER_KEY: entry[0], SEEN_KEY: ctx.clock()})
    return True


async def renew_session(request: Request, values: dict[str, Any]) -> None:
    """Empty the browser's old session and move it to a new session id holding `values` (and its language).

    NiceGUI keys `app.storage.user` by `request.session["id"]` and creates the storage of a new id in
    its request middleware; the id changes here, within a request, so its storage is created here.
    """
    storage = app.storage
    old = storage.user
    lang = old.get(LANG_KEY, "zh")
    old.clear()
    new_id = str(uuid.uuid4())
    request.session["id"] = new_id
    await storage._create_user_storage(new_id)  # noqa: SLF001 (NiceGUI's own step for a new id)
    storage.user.update({LANG_KEY: lang, **values})


def sign_out(notice: str | None = None) -> None:
    lang = language()
    app.storage.user.clear()
    app.storage.user[LANG_KEY] = lang
    if notice:
        app.storage.user[NOTICE_KEY] = notice


def current_principal(ctx: WebContext, *, touch: bool = True) -> Principal | None:
    """The signed-in principal, or None (and the session ended) when idle too long or gone."""
    store = app.storage.user
    username = store.get(USER_KEY)
    if not username:
        return None
    seen = store.get(SEEN_KEY)
    now = ctx.clock()
    if not isinstance(seen, int) or now - seen > ctx.idle_timeout_s * 1000:
        sign_out("web.login.expired")
        return None
    who = ctx.accounts.principal(str(username))
    if who is None:
        sign_out()
        return None
    if touch:
        store[SEEN_KEY] = now
    return who


def _session_actions(ctx: WebContext, lang: str) -> SessionActions:
    def switch_language() -> None:
        app.storage.user[LANG_KEY] = "en" if lang == "zh" else "zh"
        ui.navigate.reload()

    def logout() -> None:
        sign_out()
        ui.navigate.to("/logout")  # a new session id as well

    def idle_check() -> None:
        if current_principal(ctx, touch=False) is None:
            ui.navigate.to("/login")

    return SessionActions(switch_language=switch_language, logout=logout, idle_check=idle_check)


def refusal(lang: str) -> None:
    """What a refused page or action shows: the same words whatever was refused."""
    with ui.column().classes("q-pa-lg").mark("refused"):
        ui.label(t("web.refused", lang)).classes("text-h5 text-negative")
        ui.label(t("web.refused.detail", lang))


PageBody = Callable[..., Awaitable[None] | None]


def dashboard_page(
    ctx: WebContext, path: str, *, roles: Collection[Role], title_key: str
) -> Callable[[PageBody], PageBody]:
    """Register `body(who, **params)` as a page at `path`, inside the frame, for `roles` only.

    Without a session the browser is redirected to /login; with the wrong role the frame shows the
    refusal and `body` never runs.
    """
    allowed = frozenset(roles)

    def decorate(body: PageBody) -> PageBody:
        signature = inspect.signature(body)
        params = [p for name, p in signature.parameters.items() if name != "who"]

        async def page(**params_in: Any) -> RedirectResponse | None:
            who = current_principal(ctx)
            if who is None:
                return RedirectResponse("/login", status_code=303)
            lang = language()
            # The session cookie lives as long as the idle rule; an open page renews it over HTTP.
            ui.timer(KEEPALIVE_S, lambda: ui.run_javascript("fetch('/session/alive', {cache: 'no-store'})"))
            with frame(ctx, who, lang, title_key, _session_actions(ctx, lang)):
                if who.role not in allowed:
                    log.warning("refused %s (%s) page %s", who.username, who.role, path)
                    refusal(lang)
                    return None
                result = body(who, **params_in)
                if inspect.isawaitable(result):
                    await result
            return None

        page.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=params, return_annotation=inspect.Signature.empty
        )
        page.__name__ = body.__name__
        page.__module__ = body.__module__
        ui.page(path, title=t(title_key))(page)
        return body

    return decorate


def guarded_action(
    ctx: WebContext, roles: Collection[Role], handler: Callable[[Principal], Awaitable[None] | None]
) -> Callable[[], Awaitable[None]]:
    """A click handler that re-checks the session and the role on the server each time it runs."""
    allowed = frozenset(roles)

    async def run_checked() -> None:
        who = current_principal(ctx)
        if who is None:
            ui.navigate.to("/login")
            return
        if who.role not in allowed:
            log.warning("refused %s (%s) action %s", who.username, who.role, handler.__name__)
            ui.notify(t("web.refused", language()), type="negative")
            return
        result = handler(who)
        if inspect.isawaitable(result):
            await result

    return run_checked
