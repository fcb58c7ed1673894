"""The wall board (日记载) at `/board/<line-or-area>?token=...`: no login, nothing but the board.

Each open screen is a `BoardView`: it loads a `BoardSnapshot` from the context's board source in a
worker thread, through one `SnapshotCache` for all screens (screens of the same board share each
build; a change notice rebuilds it), renders one page of rows, and a short timer
- reloads as soon as the results feed's version moves (a new daily result: on screen within a
  second), and every few seconds anyway, so a failed source is retried and the board recovers;
- keeps the last data on screen, marked 数据未更新, while loading fails (database unreachable);
- turns the page every `seconds_per_page`.
If the browser loses the hub itself, pure CSS on NiceGUI's connection popup swaps the live badge for
the stale one; on the hub's return NiceGUI reloads the page and the board is live again.

User data (names, steps) is only ever put into `ui.label` text, never HTML.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import peewee
from nicegui import run, ui

from hub.web.board.cache import SnapshotCache
from hub.web.board.model import (
    MISSING,
    BoardRow,
    BoardSnapshot,
    Published,
    Status,
    display_name,
    fmt_number,
    fmt_pct,
    page_count,
    short_fingerprint,
    status_of,
    to_decimal,
)
from hub.web.context import BoardSource, WebContext
from hub.web.texts import t

log = logging.getLogger(__name__)

# How long screens may share a snapshot without a change notice (see hub.web.board.cache): many
# screens and reloads within it cost one build, and what changes without a notice (checkpoint, 公示)
# still reaches the wall within `poll_seconds` + this.
CACHE_SECONDS = 2.0
COLUMNS = ("number", "name", "step", "quota", "done", "diff", "pct", "month", "status")
# Fixed widths: a long name or a missing value can never push another column about.
GRID = "10fr 14fr 15fr 9fr 9fr 11fr 9fr 9fr 14fr"
STATUS_CLASS = {
    Status.MET: "fl-met",
    Status.NEAR: "fl-near",
    Status.BEHIND: "fl-behind",
    Status.UNKNOWN: "fl-unknown",
}

BOARD_CSS = """
body { background: #0b1220; }
.fl-board { position: fixed; inset: 0; background: #0b1220; color: #f1f5f9; font-family: 'Noto Sans CJK SC',
  'Noto Sans SC', 'Microsoft YaHei', sans-serif; padding: 1.2vh 1.4vw; display: flex; flex-direction: column;
  gap: 0.8vh; overflow: hidden; }
.fl-head { display: flex; align-items: center; gap: 2vw; height: 10vh; flex: none; }
.fl-title { font-size: 5.2vh; font-weight: 700; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; flex: 1 1 auto; min-width: 0; }
.fl-sub { font-size: 3vh; color: #cbd5e1; white-space: nowrap; }
.fl-badge { font-size: 2.8vh; font-weight: 700; padding: 0.4vh 1vw; border-radius: 0.6vh;
  white-space: nowrap; }
.fl-live { background: #14532d; color: #bbf7d0; }
.fl-stale { background: #92400e; color: #fef3c7; }
body:has(#popup[aria-hidden="false"]) .fl-live { display: none !important; }
body:has(#popup[aria-hidden="false"]) .fl-stale-offline { display: inline-block !important; }
#popup { display: none !important; }
.fl-strip { display: flex; gap: 2vw; font-size: 2.8vh; height: 5vh; align-items: center; flex: none;
  background: #111c33; border-radius: 0.6vh; padding: 0 1vw; white-space: nowrap; overflow: hidden; }
.fl-strip-item { overflow: hidden; text-overflow: ellipsis; }
.fl-table { flex: 1 1 auto; display: flex; flex-direction: column; min-height: 0; }
.fl-row { display: grid; grid-template-columns: GRID; align-items: center; border-bottom: 1px solid #1e293b;
  flex: none; }
.fl-row > div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 0 0.6vw;
  min-width: 0; }
.fl-colhead { font-size: 2.6vh; color: #94a3b8; height: 5vh; font-weight: 700;
  border-left: 0.6vw solid transparent; }
.fl-colhead > div:last-child { text-align: center; }
.fl-num { text-align: right; font-variant-numeric: tabular-nums; }
.fl-cell-status { font-weight: 700; border-radius: 0.6vh; text-align: center; }
.fl-met .fl-cell-status { background: #166534; color: #dcfce7; }
.fl-near .fl-cell-status { background: #a16207; color: #fefce8; }
.fl-behind .fl-cell-status { background: #b91c1c; color: #fef2f2; }
.fl-met { border-left: 0.6vw solid #22c55e; }
.fl-near { border-left: 0.6vw solid #eab308; }
.fl-behind { border-left: 0.6vw solid #ef4444; }
.fl-unknown { border-left: 0.6vw solid #475569; }
.fl-pos { color: #86efac; }
.fl-neg { color: #fca5a5; }
.fl-foot { display: flex; justify-content: space-between; font-size: 2.6vh; color: #cbd5e1; height: 4.5vh;
  align-items: center; flex: none; }
.fl-empty { font-size: 4vh; color: #94a3b8; padding: 4vh 0; }
.fl-pubtitle { font-size: 3.4vh; color: #fde68a; font-weight: 700; height: 5vh; flex: none; }
""".replace("GRID", GRID)


class BoardView:
    """One open board screen. All methods run on NiceGUI's event loop except `_fetch` (worker thread)."""

    def __init__(self, ctx: WebContext, target: str, token: str, source: BoardSource) -> None:
        self.ctx = ctx
        self.source = source
        self.target = target
        self.token = token
        self.settings = ctx.board_settings
        self.lang = self.settings.language
        self.snapshot: BoardSnapshot | None = None
        self.allowed = True
        self.stale = False
        self.loaded_at: datetime | None = None
        self.seen_version = -1
        self.loading = False
        self.last_try = 0.0
        self.page = 1
        self.page_started = time.monotonic()

    def _fetch(self) -> tuple[BoardSnapshot | None, bool]:
        """Re-check the token and load the data: (None when the token no longer opens this board,
        whether the hub says it is receiving)."""
        live = self.ctx.live() if self.ctx.live is not None else True
        if not self.ctx.boards.allows(self.token, self.target):
            return None, live
        today = self.ctx.today()
        try:
            snapshot = self.source.snapshot(self.target, day=today - timedelta(days=1), today=today)
        except LookupError:  # the line or area no longer exists: nothing to show
            return None, live
        return snapshot, live

    async def load(self, *, refresh: bool = True) -> None:
        if self.loading:
            return
        self.loading = True
        self.last_try = time.monotonic()
        version = self.ctx.feed.version
        before = (self.allowed, self.stale, self.snapshot)
        try:
            fetched = await run.io_bound(self._fetch)
        except (peewee.PeeweeException, OSError) as err:
            if not self.stale:
                log.warning("board %s: data source unreachable, showing last data: %s", self.target, err)
            self.stale = True
        else:
            if fetched is None:  # the server is shutting down
                return
            snapshot, live = fetched
            if self.stale and live:
                log.info("board %s: data source back", self.target)
            self.stale = not live
            self.seen_version = version
            if snapshot is None:
                self.allowed = False
                self.snapshot = None
            elif snapshot != self.snapshot:
                self.snapshot = snapshot
                self.loaded_at = self.ctx.now()  # 更新于: when the data last changed
        finally:
            self.loading = False
        # Re-render only on a change: a wall screen must not flicker every poll.
        if refresh and (self.allowed, self.stale, self.snapshot) != before:
            self.render.refresh()

    async def tick(self) -> None:
        if not self.allowed:
            return
        now = time.monotonic()
        if self.ctx.feed.version != self.seen_version or now - self.last_try >= self.settings.poll_seconds:
            await self.load()
        if now - self.page_started >= self.settings.seconds_per_page:
            self.page += 1
            self.page_started = now
            self.render.refresh()

    # --- rendering ---------------------------------------------------------------------------------

    def pages(self) -> list[tuple[Published | None, tuple[BoardRow, ...]]]:
        """The cycle of pages: the day's rows in pages, then each published weekly review in pages."""
        assert self.snapshot is not None
        per = self.settings.rows_per_page
        cycle: list[tuple[Published | None, tuple[BoardRow, ...]]] = []
        rows = self.snapshot.rows
        for index in range(page_count(len(rows), per)):
            cycle.append((None, tuple(rows[index * per : (index + 1) * per])))
        for published in self.snapshot.published:
            as_rows = tuple(
                BoardRow(
                    number=p.number,
                    name=p.name,
                    quota_units=p.quota_units,
                    done_units=p.done_units,
                    completion_pct=p.completion_pct,
                )
                for p in published.rows
            )
            for index in range(page_count(len(as_rows), per)):
                cycle.append((published, as_rows[index * per : (index + 1) * per]))
        return cycle

    @ui.refreshable_method
    def render(self) -> None:
        if not self.allowed or self.snapshot is None:
            # A wrong or revoked token, or nothing loaded yet: an empty dark screen, nothing else.
            ui.element("div").classes("fl-board").mark("board-blank")
            return
        snap = self.snapshot
        lang = self.lang
        cycle = self.pages()
        page_index = (self.page - 1) % len(cycle)
        published, rows = cycle[page_index]
        row_height = 70.0 / self.settings.rows_per_page
        with ui.element("div").classes("fl-board").mark("board"):
            with ui.element("div").classes("fl-head"):
                title = (
                    snap.area_name
                    if snap.line_name is None
                    else t("board.title_line", lang, area=snap.area_name, line=snap.line_name)
                )
                # elementtiming: the browser reports when this text was painted (bench/board_latency.py)
                ui.label(title).classes("fl-title").mark("board-title").props("elementtiming=board-title")
                ui.label(
                    f"{t('board.daily', lang)} · {t('board.day', lang, day=snap.day.isoformat())}"
                ).classes("fl-sub").mark("board-day")
                updated = self.loaded_at.strftime("%H:%M:%S") if self.loaded_at else MISSING
                ui.label(t("board.updated", lang, time=updated)).classes("fl-sub").mark("board-updated")
                if self.stale:
                    ui.label(t("board.stale", lang)).classes("fl-badge fl-stale").mark("board-stale")
                else:
                    ui.label(t("board.live", lang)).classes("fl-badge fl-live").mark("board-live")
                    ui.label(t("board.stale", lang)).classes("fl-badge fl-stale fl-stale-offline").style(
                        "display: none"
                    )
            with ui.element("div").classes("fl-strip").mark("board-today"):
                ui.label(t("board.today", lang)).style("font-weight: 700")
                for progress in snap.today:
                    pct = None
                    if progress.quota_units and progress.done_units is not None:
                        pct = 100 * to_decimal(progress.done_units) / to_decimal(progress.quota_units)
                    text = t(
                        "board.today_line",
                        lang,
                        line=progress.line_name,
                        done=fmt_number(progress.done_units),
                        quota=fmt_number(progress.quota_units),
                    )
                    ui.label(f"{text} ({fmt_pct(pct)})").classes("fl-strip-item")
            with ui.element("div").classes("fl-table"):
                if published is not None:
                    ui.label(
                        t("board.published", lang, title=published.title, until=published.until.isoformat())
                    ).classes("fl-pubtitle").mark("board-published")
                with ui.element("div").classes("fl-row fl-colhead"):
                    for column in COLUMNS:
                        cell = ui.label(t(f"board.col.{column}", lang))
                        if column in ("quota", "done", "diff", "pct", "month"):
                            cell.classes("fl-num")
                if not rows:
                    ui.label(t("board.empty", lang)).classes("fl-empty").mark("board-empty")
                for row in rows:
                    self._row(row, row_height)
            with ui.element("div").classes("fl-foot"):
                ui.label(t("board.fingerprint", lang, fp=short_fingerprint(snap.fingerprint))).mark(
                    "board-fingerprint"
                )
                ui.label(t("board.page", lang, page=page_index + 1, pages=len(cycle))).mark("board-page")

    def _row(self, row: BoardRow, height_vh: float) -> None:
        status = status_of(row.completion_pct)
        diff = row.diff
        diff_class = "" if diff is None or diff == 0 else ("fl-pos" if diff > 0 else "fl-neg")
        with (
            ui.element("div")
            .classes(f"fl-row {STATUS_CLASS[status]}")
            .style(f"height: {height_vh:.3f}vh; font-size: {height_vh * 0.55:.3f}vh")
            .mark("board-row")
        ):
            ui.label(row.number or MISSING).props("elementtiming=board-row")
            ui.label(display_name(row.number, row.name, self.settings.privacy)).mark("board-name")
            ui.label(row.step or MISSING)
            ui.label(fmt_number(row.quota_units)).classes("fl-num")
            ui.label(fmt_number(row.done_units)).classes("fl-num")
            ui.label(fmt_number(diff, signed=True)).classes(f"fl-num {diff_class}")
            ui.label(fmt_pct(row.completion_pct)).classes("fl-num")
            ui.label(fmt_pct(row.month_pct)).classes("fl-num")
            ui.label(t(f"board.status.{status.value}", self.lang)).classes("fl-cell-status")


def register_board(ctx: WebContext) -> None:
    assert ctx.board_source is not None  # WebContext fills it in
    source = SnapshotCache(
        ctx.board_source,
        version=lambda: ctx.feed.version,
        max_age_s=min(CACHE_SECONDS, ctx.board_settings.poll_seconds),
    )

    @ui.page("/board/{target}", title="看板")
    async def board_page(target: str, token: str = "") -> None:
        ui.add_css(BOARD_CSS)
        view = BoardView(ctx, target, token, source)
        await view.load(refresh=False)  # data in the first paint, not one round trip later
        view.render()
        if view.allowed:
            ui.timer(0.2, view.tick)
