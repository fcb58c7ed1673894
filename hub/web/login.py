"""The login page and `/` (which sends a signed-in officer to their first page)."""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from nicegui import app, run, ui

from hub.web import guard
from hub.web.auth import LoginRefused
from hub.web.context import WebContext
from hub.web.texts import t

log = logging.getLogger(__name__)

ENTER_NOT_COMPOSING = "(e) => { if (e.key === 'Enter' && !e.isComposing && e.keyCode !== 229) emit(); }"


def register_login(ctx: WebContext) -> None:
    @ui.page("/", title=t("web.site"))
    def home() -> RedirectResponse:
        if guard.current_principal(ctx) is None:
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse("/floor", status_code=303)

    @app.get("/login/complete", include_in_schema=False)
    async def complete(request: Request, ticket: str = "") -> RedirectResponse:
        """Where a correct password leads: the sign-in lands under a new session id (see guard)."""
        if not await guard.complete_sign_in(ctx, request, ticket):
            return RedirectResponse("/login", status_code=303)
        return RedirectResponse("/", status_code=303)

    @app.get("/logout", include_in_schema=False)
    async def logout(request: Request) -> RedirectResponse:
        """Sign out and drop the session id: the next visitor of this browser starts from a new one."""
        await guard.renew_session(request, {})
        return RedirectResponse("/login", status_code=303)

    @app.get("/session/alive", include_in_schema=False)
    def alive() -> Response:
        """Renews the session cookie of an open page (it lives 15 minutes); the idle rule is server-side."""
        return Response(status_code=204, headers={"Cache-Control": "no-store"})

    @ui.page("/login", title=t("web.site"))  # not "登录": the button has that text
    def login() -> None:
        lang = guard.language()
        notice = app.storage.user.get(guard.NOTICE_KEY)  # kept until the next sign-in
        with ui.card().classes("absolute-center w-96"):
            ui.label(t("web.site", lang)).classes("text-h5")
            if notice:
                ui.label(t(str(notice), lang)).classes("text-warning").mark("login-notice")
            username = ui.input(t("web.login.username", lang)).classes("w-full").mark("username")
            username.props("maxlength=64 autofocus")
            password = (
                ui.input(t("web.login.password", lang), password=True).classes("w-full").mark("password")
            )
            password.props("maxlength=1024")
            error = ui.label("").classes("text-negative").mark("login-error")

            busy = False  # one password check at a time: Enter and a click together try once

            async def submit() -> None:
                nonlocal busy
                if busy:
                    return
                busy = True
                try:
                    await _attempt()
                finally:
                    busy = False

            async def _attempt() -> None:
                name = (username.value or "").strip()
                secret = password.value or ""
                password.value = ""
                try:
                    # scrypt takes tens of milliseconds: off the event loop.
                    who = await run.io_bound(ctx.accounts.authenticate, name, secret)
                except LoginRefused as err:
                    log.warning("login refused for %r: %s", name[:64], err)
                    error.text = t("web.login.locked" if err.locked else "web.login.wrong", lang)
                    return
                if who is None:  # the server is shutting down
                    return
                ui.navigate.to(guard.sign_in(ctx, who))

            # Only the button and a real Enter sign in, never typing: the Enter that commits text in an
            # input method (pinyin; `isComposing`) is typing, and nothing acts on a value change.
            password.on("keydown", submit, js_handler=ENTER_NOT_COMPOSING)
            ui.button(t("web.login.submit", lang), on_click=submit).classes("w-full").mark("login")
            ui.button(t("web.lang", lang), on_click=lambda: _switch(lang)).props("flat").mark("lang")


def _switch(lang: str) -> None:
    app.storage.user[guard.LANG_KEY] = "en" if lang == "zh" else "zh"
    ui.navigate.reload()
