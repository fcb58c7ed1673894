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
    PublishedRow,
    RowKind,
    Status,
    display_name,
    fmt_number,
    fmt_pct,
    fmt_pieces,
    owed_cells,
    page_count,
    row_status,
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
NUMERIC = frozenset(
    {"quota", "done", "diff", "pct", "month", "days", "quota_hours", "earned_hours", "points"}
)
# Fixed widths: a long name or a missing value can never push another column about. Sized for row
# text of ~52 px at 1920 px: an 8-digit prison number, 4-character steps, "✓ 完成".
GRID = "16fr 12fr 16fr 9fr 9fr 9fr 10fr 10fr 13fr"
# The weekly publication (公示) in standard hours, which add up across steps (pieces do not)
WEEK_COLUMNS = ("number", "name", "days", "quota_hours", "earned_hours", "pct", "status")
WEEK_GRID = "16fr 14fr 8fr 14fr 14fr 10fr 13fr"
MONTH_COLUMNS = ("number", "name", "days", "pct", "points", "status")
MONTH_GRID = "16fr 14fr 8fr 12fr 14fr 13fr"
ROW_FONT = 0.55  # row text as a share of the row's height
STATUS_CLASS = {
    Status.MET: "fl-met",
    Status.NEAR: "fl-near",
    Status.BEHIND: "fl-behind",
    Status.UNKNOWN: "fl-unknown",
    Status.EXEMPT: "fl-unknown",  # neither met nor owed: the neutral colour
    Status.GRADED: "fl-met",
    Status.UNGRADED: "fl-near",
}

# The layout is a column of fixed bands (head, strip, column heads, foot) and a rows area that takes
# what is left and splits it into exactly `rows_per_page` equal rows (a grid of fractions, sized by
# container query units): whatever the row count, the page can never overflow the screen.
BOARD_CSS = """
body { background: #0b1220; }
.fl-board { position: fixed; inset: 0; background: #0b1220; color: #f1f5f9; font-family: 'Noto Sans CJK SC',
  'Noto Sans SC', 'Microsoft YaHei', sans-serif; padding: 1.2vh 1.4vw; display: flex; flex-direction: column;
  gap: 0.8vh; overflow: hidden; }
.fl-head { display: flex; align-items: center; gap: 2vw; height: 10vh; flex: none; }
.fl-title { font-size: 5.2vh; font-weight: 700; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; flex: 0 1 auto; min-width: 0; }
.fl-kind { font-size: 3.6vh; color: #fde68a; font-weight: 700; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; flex: 0 3 auto; min-width: 0; margin-left: auto; }
.fl-badge { font-size: 2.8vh; font-weight: 700; padding: 0.4vh 1vw; border-radius: 0.6vh;
  white-space: nowrap; }
.fl-live { background: #14532d; color: #bbf7d0; }
.fl-stale { background: #92400e; color: #fef3c7; }
body:has(#popup[aria-hidden="false"]) .fl-live { display: none !important; }
body:has(#popup[aria-hidden="false"]) .fl-stale-offline { display: inline-block !important; }
#popup { display: none !important; }
.fl-strip { display: flex; gap: 2vw; font-size: 3vh; height: 5vh; align-items: center; flex: none;
  background: #111c33; border-radius: 0.6vh; padding: 0 1vw; white-space: nowrap; overflow: hidden; }
.fl-strip-item { overflow: hidden; text-overflow: ellipsis; }
.fl-table { flex: 1 1 auto; display: flex; flex-direction: column; min-height: 0; }
.fl-rows { flex: 1 1 auto; min-height: 0; display: grid; container-type: size; }
.fl-row { display: grid; align-items: center; border-bottom: 1px solid #1e293b; min-height: 0; }
.fl-row > div { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; padding: 0 0.6vw;
  min-width: 0; }
.fl-colhead { font-size: 3.2vh; color: #94a3b8; height: 6vh; font-weight: 700; flex: none;
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
.fl-foot { display: flex; justify-content: space-between; font-size: 3vh; color: #cbd5e1; height: 4.5vh;
  align-items: center; flex: none; }
.fl-empty { font-size: 5vh; color: #94a3b8; padding: 4vh 0; }
.fl-refused { position: fixed; inset: 0; background: #0b1220; color: #f1f5f9; display: flex;
  flex-direction: column; align-items: center; justify-content: center; gap: 3vh; padding: 0 8vw;
  font-family: 'Noto Sans CJK SC', 'Noto Sans SC', 'Microsoft YaHei', sans-serif; text-align: center; }
.fl-refused-title { font-size: 6vh; font-weight: 700; color: #fde68a; }
.fl-refused-text { font-size: 3.4vh; color: #cbd5e1; max-width: 80vw; }
"""

Page = tuple[Published | None, tuple[BoardRow, ...] | tuple[PublishedRow, ...]]


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

    def pages(self) -> list[Page]:
        """The cycle of pages: the day's rows in pages, then each published weekly review and monthly
        result in pages."""
        assert self.snapshot is not None
        per = self.settings.rows_per_page
        cycle: list[Page] = []
        rows = self.snapshot.rows
        for index in range(page_count(len(rows), per)):
            cycle.append((None, tuple(rows[index * per : (index + 1) * per])))
        for published in self.snapshot.published:
            week = published.rows
            for index in range(page_count(len(week), per)):
                cycle.append((published, week[index * per : (index + 1) * per]))
        return cycle

    @ui.refreshable_method
    def render(self) -> None:
        lang = self.lang
        if not self.allowed:
            # A wrong or revoked token, or a line or area that no longer exists: say so, for whoever
            # installs the screen, and show no data at all.
            with ui.element("div").classes("fl-refused").mark("board-refused"):
                ui.label(t("board.refused.title", lang)).classes("fl-refused-title")
                ui.label(t("board.refused.text", lang)).classes("fl-refused-text")
            return
        if self.snapshot is None:  # nothing loaded yet: an empty dark screen
            ui.element("div").classes("fl-board").mark("board-blank")
            return
        snap = self.snapshot
        cycle = self.pages()
        page_index = (self.page - 1) % len(cycle)
        published, rows = cycle[page_index]
        per = self.settings.rows_per_page
        with ui.element("div").classes("fl-board").mark("board"):
            with ui.element("div").classes("fl-head"):
                title = (
                    snap.area_name
                    if snap.line_name is None
                    else t("board.title_line", lang, area=snap.area_name, line=snap.line_name)
                )
                # elementtiming: the browser reports when this text was painted (bench/board_latency.py)
                ui.label(title).classes("fl-title").mark("board-title").props("elementtiming=board-title")
                if published is None:
                    kind = f"{t('board.daily', lang)} · {t('board.day', lang, day=snap.day.isoformat())}"
                    ui.label(kind).classes("fl-kind").mark("board-day")
                elif published.kind == "month":
                    kind = t("board.published_month", lang, month=month_text(published.title, lang),
                             until=published.until.isoformat())  # fmt: skip
                    ui.label(kind).classes("fl-kind").mark("board-published-month")
                else:
                    kind = t("board.published", lang, week=week_text(published.title, lang),
                             until=published.until.isoformat())  # fmt: skip
                    ui.label(kind).classes("fl-kind").mark("board-published")
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
                        done=fmt_pieces(progress.done_units),
                        quota=fmt_pieces(progress.quota_units),
                    )
                    ui.label(f"{text} ({fmt_pct(pct)})").classes("fl-strip-item")
            columns, grid = (
                (COLUMNS, GRID)
                if published is None
                else (MONTH_COLUMNS, MONTH_GRID)
                if published.kind == "month"
                else (WEEK_COLUMNS, WEEK_GRID)
            )
            with ui.element("div").classes("fl-table"):
                with ui.element("div").classes("fl-row fl-colhead").style(f"grid-template-columns: {grid}"):
                    for column in columns:
                        cell = ui.label(t(f"board.col.{column}", lang))
                        if column in NUMERIC:
                            cell.classes("fl-num")
                with (
                    ui.element("div")
                    .classes("fl-rows")
                    .style(f"grid-template-rows: repeat({per}, minmax(0, 1fr))")
                    .mark("board-rows")
                ):
                    if not rows:
                        ui.label(t("board.empty", lang)).classes("fl-empty").mark("board-empty")
                    font = f"font-size: calc(100cqh / {per} * {ROW_FONT}); grid-template-columns: {grid}"
                    for row in rows:
                        if (
                            isinstance(row, PublishedRow)
                            and published is not None
                            and published.kind == "month"
                        ):
                            self._month_row(row, font)
                        elif isinstance(row, PublishedRow):
                            self._week_row(row, font)
                        else:
                            self._row(row, font)
            with ui.element("div").classes("fl-foot"):
                ui.label(t("board.fingerprint", lang, fp=short_fingerprint(snap.fingerprint))).mark(
                    "board-fingerprint"
                )
                updated = self.loaded_at.strftime("%H:%M:%S") if self.loaded_at else MISSING
                ui.label(t("board.updated", lang, time=updated)).mark("board-updated")
                ui.label(t("board.page", lang, page=page_index + 1, pages=len(cycle))).mark("board-page")

    def _row(self, row: BoardRow, style: str) -> None:
        status = row_status(row)
        diff = row.diff
        diff_class = "" if diff is None or diff == 0 else ("fl-pos" if diff > 0 else "fl-neg")
        quota, done, plus_minus = owed_cells(row)
        step = row.step or MISSING
        if row.training:
            step = t("board.training", self.lang, step=step)
        word = t(f"board.status.{status.value}", self.lang, grade=row.grade or "")
        with ui.element("div").classes(f"fl-row {STATUS_CLASS[status]}").style(style).mark("board-row"):
            ui.label(row.number or MISSING).props("elementtiming=board-row")
            ui.label(display_name(row.number, row.name, self.settings.privacy)).mark("board-name")
            ui.label(step)
            ui.label(quota).classes("fl-num").mark("board-quota")
            ui.label(done).classes("fl-num").mark("board-done")
            ui.label(plus_minus).classes(f"fl-num {diff_class}")
            ui.label("" if row.kind is RowKind.EXEMPT else fmt_pct(row.completion_pct)).classes("fl-num")
            ui.label(fmt_pct(row.month_pct)).classes("fl-num")
            ui.label(word).classes("fl-cell-status").mark("board-status")

    def _week_row(self, row: PublishedRow, style: str) -> None:
        status = status_of(row.completion_pct)
        with ui.element("div").classes(f"fl-row {STATUS_CLASS[status]}").style(style).mark("board-row"):
            ui.label(row.number or MISSING)
            ui.label(display_name(row.number, row.name, self.settings.privacy)).mark("board-name")
            ui.label(MISSING if row.days is None else str(row.days)).classes("fl-num")
            ui.label(fmt_number(row.quota_hours)).classes("fl-num")
            ui.label(fmt_number(row.earned_hours)).classes("fl-num")
            ui.label(fmt_pct(row.completion_pct)).classes("fl-num")
            ui.label(t(f"board.status.{status.value}", self.lang)).classes("fl-cell-status")

    def _month_row(self, row: PublishedRow, style: str) -> None:
        status = status_of(row.completion_pct)
        with ui.element("div").classes(f"fl-row {STATUS_CLASS[status]}").style(style).mark("board-row"):
            ui.label(row.number or MISSING)
            ui.label(display_name(row.number, row.name, self.settings.privacy)).mark("board-name")
            ui.label(MISSING if row.days is None else str(row.days)).classes("fl-num")
            ui.label(fmt_pct(row.completion_pct)).classes("fl-num")
            ui.label(fmt_number(row.points)).classes("fl-num").mark("board-points")
            ui.label(t(f"board.status.{status.value}", self.lang)).classes("fl-cell-status")


def month_text(month: str, lang: str) -> str:
    """`2026-10` as the floor reads it: 2026年10月 (English keeps the ISO form)."""
    year, _, number = month.partition("-")
    if lang != "zh" or not (year.isdigit() and number.isdigit()):
        return month
    return f"{year}年{int(number)}月"


def week_text(week: str, lang: str) -> str:
    """`2026-W47` as the floor reads it: 2026年第47周 (English keeps the ISO form)."""
    year, _, number = week.partition("-W")
    if lang != "zh" or not (year.isdigit() and number.isdigit()):
        return week
    return f"{year}年第{int(number)}周"


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
