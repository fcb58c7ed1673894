"""Live floor (现场): each visible line's kiosks, today's check-ins and counts, quarantined messages.

Each kiosk's online state, records waiting and clock offset come from what it last said on its
status topic (`hub.kiosks.status`, display only); a kiosk not heard there falls back to when its
records last arrived.

What an officer may see is decided here on the server: an area the officer has no line in is refused,
and within an area only the officer's own lines are listed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from nicegui import run, ui

from hub.accounts import ALL_ROLES, Principal
from hub.kiosks import status as kiosk_status
from hub.store import kiosks as models
from hub.store.masterdata import Line
from hub.web import guard
from hub.web.board.model import MISSING
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.tables import data_table
from hub.web.texts import t

ONLINE_WITHIN_MS = 2 * 60 * 1000  # a kiosk heard from in the last two minutes counts as online
QUARANTINE_SHOWN = 50
REFRESH_SECONDS = 5.0
# the offset cell turns red past a minute, the kiosk's own warning threshold (kiosk.clock)
OFFSET_CELL = (
    "<q-td :props=\"props\" :class=\"props.row.offset_warn ? 'text-negative text-weight-bold' : ''\">"
    "{{ props.value }}</q-td>"
)
CLOCK_WARNING_MS = 60_000


@dataclass(frozen=True, slots=True, kw_only=True)
class KioskRow:
    kiosk: str
    line: str
    online: bool
    last_seen_ms: int | None
    status: str
    pending: int | None = None
    clock_offset_ms: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LineToday:
    line: str
    name: str
    area: str
    checked_in: int
    units: int


@dataclass(frozen=True, slots=True, kw_only=True)
class FloorView:
    lines: tuple[LineToday, ...]
    kiosks: tuple[KioskRow, ...]
    quarantine: tuple[tuple[int, str, str, str], ...]  # received_ms, kiosk, reason, detail


def visible_lines(who: Principal, area: str | None) -> list[Line] | None:
    """The lines `who` may see (in `area` when given); None when the area itself is refused."""
    query = Line.select().order_by(Line.area, Line.code)
    if area:
        query = query.where(Line.area == area)
    lines = list(query)
    if area and not who.may_see_area(area, [line.code for line in lines]):
        return None
    return [line for line in lines if who.may_see_line(line.code, line.area)]


def load_floor(lines: Sequence[Line], today: date, now_ms: int, *, everything: bool) -> FloorView:
    codes = [line.code for line in lines]
    kr = models.KioskRecord
    line_rows = []
    for line in lines:
        people: set[str] = set()
        units = 0
        query = kr.select(kr.type, kr.person, kr.body).where(
            (kr.line == line.code) & (kr.day == today.isoformat()) & kr.type.in_(["check_in", "unit_count"])
        )
        for record in query:
            if record.type == "check_in" and record.person:
                people.add(record.person)
            elif record.type == "unit_count":
                units += int(json.loads(record.body).get("units", 0))
        line_rows.append(
            LineToday(line=line.code, name=line.name, area=line.area, checked_in=len(people), units=units)
        )
    statuses = kiosk_status.latest(models.Kiosk._meta.database)
    kiosks = []
    for k in models.Kiosk.select().order_by(models.Kiosk.id):
        if not ((k.line in codes) or (everything and not k.line)):
            continue
        said = statuses.get(k.id)
        heard = k.last_seen_ms is not None and now_ms - k.last_seen_ms <= ONLINE_WITHIN_MS
        kiosks.append(
            KioskRow(
                kiosk=k.id,
                line=k.line or "",
                online=said.state == kiosk_status.ONLINE if said is not None else heard,
                last_seen_ms=k.last_seen_ms,
                status=k.status,
                pending=said.pending if said is not None else None,
                clock_offset_ms=said.clock_offset_ms if said is not None else None,
            )
        )
    kiosk_ids = {k.kiosk for k in kiosks}
    q = models.Quarantine
    quarantine = [
        (row.received_ms, row.kiosk or "", row.reason, row.detail[:200])
        for row in q.select(q.received_ms, q.kiosk, q.reason, q.detail)
        .order_by(q.received_ms.desc())
        .limit(500)
        if (row.kiosk in kiosk_ids) or everything
    ][:QUARANTINE_SHOWN]
    return FloorView(lines=tuple(line_rows), kiosks=tuple(kiosks), quarantine=tuple(quarantine))


def offset_text(ms: int | None) -> str:
    """The kiosk's clock offset in whole seconds with its sign, e.g. `+75 s`."""
    return MISSING if ms is None else f"{round(ms / 1000):+d} s"


def offset_warning(ms: int | None) -> bool:
    return ms is not None and abs(ms) > CLOCK_WARNING_MS


def _time(ms: int | None, zone: ZoneInfo) -> str:
    if ms is None:
        return MISSING
    return datetime.fromtimestamp(ms / 1000, zone).strftime("%m-%d %H:%M:%S")


def kiosk_state(k: KioskRow) -> str:
    """The text key of a kiosk's state: revoked, online, offline, or never connected (enrolled but
    never heard from, such as the demo's history kiosks: not 离线 for ever)."""
    if k.status != models.ENROLLED:
        return "web.kiosks.revoked"
    if k.online:
        return "web.floor.online"
    return "web.floor.never" if k.last_seen_ms is None else "web.floor.offline"


def register_floor(ctx: WebContext) -> None:
    add_nav("web.nav.floor", "/floor", ALL_ROLES)

    @guard.dashboard_page(ctx, "/floor", roles=ALL_ROLES, title_key="web.floor.title")
    async def floor_page(who: Principal, area: str = "") -> None:
        lang = guard.language()
        lines = visible_lines(who, area or None)
        if lines is None:
            guard.refusal(lang)
            return

        def load() -> FloorView:
            with ctx.db.connection_context():
                return load_floor(lines, ctx.today(), ctx.clock(), everything=who.sees_everything)

        @ui.refreshable
        def content(view: FloorView) -> None:
            with ui.row().classes("w-full"):
                for line in view.lines:
                    with ui.card().classes("w-64").mark(f"line-{line.line}"):
                        ui.label(line.name).classes("text-h6")
                        ui.label(f"{t('web.floor.checkins', lang)}: {line.checked_in}")
                        ui.label(f"{t('web.floor.counts', lang)}: {line.units}")
            ui.label(t("web.floor.kiosks", lang)).classes("text-h6")
            kiosk_table = (
                data_table(
                    lang=lang,
                    columns=[
                        {"name": "kiosk", "label": t("web.floor.kiosk", lang), "field": "kiosk"},
                        {"name": "line", "label": t("web.floor.line", lang), "field": "line"},
                        {"name": "state", "label": t("web.floor.online", lang), "field": "state"},
                        {"name": "seen", "label": t("web.floor.last_seen", lang), "field": "seen"},
                        {"name": "waiting", "label": t("web.floor.waiting", lang), "field": "waiting"},
                        {"name": "offset", "label": t("web.floor.offset", lang), "field": "offset"},
                    ],
                    rows=[
                        {
                            "kiosk": k.kiosk,
                            "line": k.line or MISSING,
                            "state": t(kiosk_state(k), lang),
                            "seen": _time(k.last_seen_ms, ctx.zone),
                            "waiting": MISSING if k.pending is None else str(k.pending),
                            "offset": offset_text(k.clock_offset_ms),
                            "offset_warn": offset_warning(k.clock_offset_ms),
                        }
                        for k in view.kiosks
                    ],
                    row_key="kiosk",
                )
                .classes("w-full")
                .mark("kiosk-table")
            )
            kiosk_table.add_slot("body-cell-offset", OFFSET_CELL)
            ui.label(t("web.floor.quarantine", lang)).classes("text-h6")
            data_table(
                lang=lang,
                columns=[
                    {"name": "time", "label": t("web.floor.time", lang), "field": "time"},
                    {"name": "kiosk", "label": t("web.floor.kiosk", lang), "field": "kiosk"},
                    {"name": "reason", "label": t("web.floor.reason", lang), "field": "reason"},
                    {"name": "detail", "label": t("web.floor.detail", lang), "field": "detail"},
                ],
                rows=[
                    {"id": i, "time": _time(ms, ctx.zone), "kiosk": k or MISSING, "reason": r, "detail": d}
                    for i, (ms, k, r, d) in enumerate(view.quarantine)
                ],
                row_key="id",
            ).classes("w-full").mark("quarantine-table")

        first = await run.io_bound(load)
        if first is None:  # the server is shutting down
            return
        content(first)

        async def refresh() -> None:
            view = await run.io_bound(load)
            if view is not None:
                content.refresh(view)

        ui.timer(REFRESH_SECONDS, refresh)
