"""Kiosks and screens (admin only): enroll a kiosk by fingerprint or QR text, bind it to a line,
revoke it; create and revoke wall-board tokens.

Enrollment acts go through `hub.kiosks.enrollment.Enrollment` (which records them in the ledger); board
token acts are recorded in the ledger here. Every button re-checks the admin role on the server.
"""

from __future__ import annotations

from nicegui import run, ui

from hub.accounts import Principal, Role
from hub.kiosks.enrollment import EnrollmentError
from hub.store.masterdata import Area, Line
from hub.web import guard
from hub.web.board.tokens import BoardTokenError
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.tables import data_table
from hub.web.texts import t

ADMIN_ONLY = frozenset({Role.ADMIN})
BOARD_CREATE = "board.token_create"
BOARD_REVOKE = "board.token_revoke"
FIELD_MAX = 200


def _targets() -> dict[str, str]:
    """Line and area codes a board can show, with names for the select."""
    out = {a.code: f"{a.name} ({a.code})" for a in Area.select().order_by(Area.code)}
    for line in Line.select().order_by(Line.code):
        out[line.code] = f"{line.name} ({line.code})"
    return out


def register_kiosks(ctx: WebContext) -> None:
    add_nav("web.nav.kiosks", "/kiosks", ADMIN_ONLY)

    @guard.dashboard_page(ctx, "/kiosks", roles=ADMIN_ONLY, title_key="web.kiosks.title")
    def kiosks_page(who: Principal) -> None:
        lang = guard.language()
        lines = {line.code: line.name for line in Line.select().order_by(Line.code)}
        _enrollment_section(ctx, lang, lines)
        _board_section(ctx, lang)


def _enrollment_section(ctx: WebContext, lang: str, lines: dict[str, str]) -> None:
    ui.label(t("web.kiosks.enroll", lang)).classes("text-h6")
    enrollment = ctx.enrollment
    if enrollment is None:
        ui.label(t("web.kiosks.unavailable", lang)).mark("enroll-unavailable")
        return

    @ui.refreshable
    def kiosk_list() -> None:
        data_table(
            lang=lang,
            columns=[
                {"name": "kiosk", "label": t("web.kiosks.kiosk_id", lang), "field": "kiosk"},
                {"name": "line", "label": t("web.floor.line", lang), "field": "line"},
                {"name": "status", "label": t("web.kiosks.status", lang), "field": "status"},
            ],
            rows=[
                {"kiosk": k.id, "line": k.line or "—", "status": t(f"web.kiosks.state.{k.status}", lang)}
                for k in enrollment.kiosks()
            ],
            row_key="kiosk",
        ).classes("w-full").mark("enrolled-table")
        pending = [p.kiosk for p in enrollment.pending()]
        if pending:
            ui.label(f"{t('web.kiosks.pending', lang)}: {', '.join(pending)}").mark("pending")

    with ui.row().classes("items-end w-full"):
        kiosk_id = ui.input(t("web.kiosks.kiosk_id", lang)).props("maxlength=64").mark("kiosk-id")
        code = (
            ui.input(t("web.kiosks.code", lang))
            .props(f"maxlength={FIELD_MAX}")
            .classes("w-96")
            .mark("kiosk-code")
        )
        line = ui.select(lines, label=t("web.floor.line", lang)).classes("w-48").mark("kiosk-line")

        async def enroll(who: Principal) -> None:
            text = (code.value or "").strip()
            if not text:
                ui.notify(
                    t("web.error.required", lang, field=t("web.kiosks.fingerprint", lang)), type="warning"
                )
                return
            try:
                if text.startswith("floorledger-enroll:"):
                    row = await run.io_bound(enrollment.enroll_qr, who.username, text, line.value)
                else:
                    row = await run.io_bound(
                        enrollment.enroll, who.username, (kiosk_id.value or "").strip(), text, line.value
                    )
            except EnrollmentError as err:
                ui.notify(err.text(lang), type="negative")
                return
            if row is None:  # the server is shutting down
                return
            ui.notify(t("web.kiosks.enrolled", lang, kiosk=row.id), type="positive")
            kiosk_list.refresh()

        ui.button(
            t("web.kiosks.enroll_button", lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, enroll)
        ).mark("enroll")

    kiosk_list()
    with ui.row().classes("items-end"):
        bind_id = ui.input(t("web.kiosks.kiosk_id", lang)).props("maxlength=64").mark("bind-kiosk-id")
        bind_line = ui.select(lines, label=t("web.floor.line", lang)).classes("w-48").mark("bind-line")

        async def bind(who: Principal) -> None:
            try:
                await run.io_bound(
                    enrollment.bind_line, who.username, (bind_id.value or "").strip(), bind_line.value
                )
            except EnrollmentError as err:
                ui.notify(err.text(lang), type="negative")
                return
            ui.notify(t("web.done", lang), type="positive")
            kiosk_list.refresh()

        ui.button(t("web.kiosks.bind", lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, bind)).mark(
            "bind-kiosk"
        )
    with ui.row().classes("items-end"):
        revoke_id = ui.input(t("web.kiosks.kiosk_id", lang)).props("maxlength=64").mark("revoke-kiosk-id")
        reason = ui.input(t("web.floor.reason", lang)).props(f"maxlength={FIELD_MAX}").mark("revoke-reason")

        async def revoke(who: Principal) -> None:
            try:
                await run.io_bound(
                    enrollment.revoke, who.username, (revoke_id.value or "").strip(), reason.value or ""
                )
            except EnrollmentError as err:
                ui.notify(err.text(lang), type="negative")
                return
            ui.notify(t("web.done", lang), type="positive")
            kiosk_list.refresh()

        ui.button(t("web.kiosks.revoke", lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, revoke)).mark(
            "revoke-kiosk"
        )


def _board_section(ctx: WebContext, lang: str) -> None:
    ui.label(t("web.boards.title", lang)).classes("text-h6")
    targets = _targets()

    @ui.refreshable
    def token_list() -> None:
        for info in ctx.boards.list():
            with ui.row().classes("items-center").mark(f"token-{info.id}"):
                ui.label(f"#{info.id} {targets.get(info.target, info.target)} {info.label}")
                if info.active:
                    ui.label(t("web.boards.active", lang)).classes("text-positive")

                    async def revoke(who: Principal, token_id: int = info.id) -> None:
                        try:
                            ctx.boards.revoke(token_id, by=who.username)
                        except BoardTokenError as err:
                            ui.notify(err.text(lang), type="negative")
                            return
                        ctx.record_act(who.username, BOARD_REVOKE, f"board:{token_id}", {"token": token_id})
                        token_list.refresh()

                    ui.button(
                        t("web.boards.revoke", lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, revoke)
                    ).props("flat dense color=negative").mark(f"revoke-token-{info.id}")
                else:
                    ui.label(t("web.kiosks.revoked", lang)).classes("text-negative")

    with ui.row().classes("items-end"):
        target = ui.select(targets, label=t("web.boards.target", lang)).classes("w-64").mark("board-target")
        label = ui.input(t("web.boards.label", lang)).props("maxlength=100").mark("board-label")
        created = ui.label("").mark("board-created")

        async def create(who: Principal) -> None:
            if not target.value or target.value not in _targets():
                ui.notify(t("web.error.unknown_target", lang), type="warning")
                return
            text = (label.value or "").strip()
            try:
                info, secret = ctx.boards.create(target.value, label=text, by=who.username)
            except BoardTokenError as err:
                ui.notify(err.text(lang), type="negative")
                return
            ctx.record_act(
                who.username, BOARD_CREATE, f"board:{info.id}", {"target": info.target, "label": text}
            )
            created.text = t("web.boards.created", lang, url=f"/board/{info.target}?token={secret}")
            token_list.refresh()

        ui.button(t("web.boards.create", lang), on_click=guard.guarded_action(ctx, ADMIN_ONLY, create)).mark(
            "create-token"
        )
    token_list()
