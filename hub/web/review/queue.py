"""The work queue (待办) at `/queue`: every open item on the officer's own lines, in one list.

What is open is `hub.review.open_items.list_open` (the same items that hold up a month's approval):
unanswered disputes, discrepancies without a note, correction and late-entry proposals waiting for
a second officer, and worked line-days without 入库数, of this month and the last (an unlocked
month can still need work); and the locked months of the officer's areas whose push to the scoring
database keeps failing (`hub.review.push.failing_items`, any month: it stays until delivered),
which open the month's page where the delivery state is shown. Scoped on the server: a line
officer sees his lines, an area head his area, the labor section everything. Each row opens the
daily review page of its line and day, where the item is resolved; the counts per kind head the
page; a kind and a line narrow the list, and the search box anything else.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from nicegui import run, ui

from hub.accounts import Principal
from hub.engine.model import Month
from hub.results.inputs import month_input
from hub.review.open_items import QUEUE_KINDS, OpenItem, list_open
from hub.review.push import failing, failing_items
from hub.review.push_transport import error_kind
from hub.store import masterdata as md_tables
from hub.web import guard
from hub.web.context import WebContext
from hub.web.floor import visible_lines
from hub.web.frame import add_badge, add_nav
from hub.web.review.assessment import OFFICERS
from hub.web.review.daily_texts import t
from hub.web.tables import data_table

PATH = "/queue"
# a link to where the item is resolved (rows are data: the link text is fixed, the address the row's)
GO_CELL = '<q-td :props="props"><a :href="props.row.href" class="text-primary">{label}</a></q-td>'


def months_to_show(today: date) -> list[Month]:
    """This month and the one before: work of a month not yet locked may still be open."""
    this = Month.of(today)
    return [Month.of(this.first_day - timedelta(days=1)), this]


def queue_items(ctx: WebContext, lines: list[str]) -> list[OpenItem]:
    """The open items of the months shown on `lines` (a worker thread: it reads each month's input)."""
    items: list[OpenItem] = []
    with ctx.db.connection_context():
        for month in months_to_show(ctx.today()):
            read = month_input(ctx.db, month, through=min(ctx.today(), month.last_day))
            items.extend(list_open(read, month, lines))
        areas = {x.area for x in md_tables.Line.select().where(md_tables.Line.code.in_(lines))}
        items.extend(failing_items(areas))
    return items


def _href(item: OpenItem, areas: dict[str, str]) -> str:
    """Where an item is resolved: a failing push on its month's page (its `line` is the area), a
    review request on its area's monthly page, the rest on the daily review of its line and day."""
    if item.kind == "delivery":
        return f"/monthly?area={item.line}&month={item.day.strftime('%Y-%m')}"
    if item.kind == "grade":  # the post's grading page for that day
        return f"/grades?line={item.line}&day={item.day.isoformat()}"
    if item.kind == "month_review" and item.month:
        return f"/monthly?area={areas.get(item.line, '')}&month={item.month}"
    return f"/review?line={item.line}&day={item.day.isoformat()}"


class SharedCounts:
    """The menu's count of open items, shared by every open dashboard: computed once per set of
    lines and kept until the results feed moves (a new result, an approved correction or late entry)
    or `max_age_s` passes (answers that change no result), so a hundred screens polling cost one
    computation, not a hundred."""

    def __init__(self, ctx: WebContext, *, max_age_s: float = 30.0) -> None:
        self.ctx = ctx
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._kept: dict[tuple[str, ...], tuple[int, float, int]] = {}  # lines -> (version, when, count)

    def count(self, lines: list[str]) -> int:
        key = tuple(sorted(lines))
        version = self.ctx.feed.version
        with self._lock:  # one computation at a time; others wait for it and read it
            kept = self._kept.get(key)
            if kept is not None and kept[0] == version and time.monotonic() - kept[1] < self.max_age_s:
                return kept[2]
            count = len(queue_items(self.ctx, list(key)))
            self._kept[key] = (version, time.monotonic(), count)
            return count


def _detail(item: OpenItem, pushes: dict[tuple[str, str, str], Any], lang: str) -> str:
    """An item's detail; a failing push's in words: its file, where to, attempts and last error; a
    missing grade's post by its name."""
    if item.kind == "grade":
        post = md_tables.Post.get_or_none(md_tables.Post.code == item.what)
        return item.what if post is None else str(post.name)
    if item.kind == "discrepancy":  # product/step codes as the floor names them
        product, _, step = item.what.partition("/")
        p = md_tables.Product.get_or_none(md_tables.Product.code == product)
        s = md_tables.Step.get_or_none((md_tables.Step.product == product) & (md_tables.Step.code == step))
        return f"{p.name if p else product}/{s.name if s else step}"
    if item.kind != "delivery":
        return item.what
    found = pushes.get((item.line, item.day.strftime("%Y-%m"), item.what))
    if found is None:  # delivered since the list was made
        return ""
    kind = error_kind(found.last_error) or "connect"
    return t(
        "queue.push_detail",
        lang,
        file=found.file_name,
        target=t(f"push.target.{found.target}", lang),
        n=found.attempts,
        error=t(f"push.err.{kind}", lang, status=found.last_status or ""),
    )


def register_queue(ctx: WebContext) -> None:
    add_nav("queue.nav", PATH, OFFICERS)
    counts = SharedCounts(ctx)

    def menu_count(context: WebContext, who: Principal) -> int:
        if who.role not in OFFICERS:
            return 0
        return counts.count([x.code for x in visible_lines(who, None) or []])

    add_badge(PATH, menu_count)

    @guard.dashboard_page(ctx, PATH, roles=OFFICERS, title_key="queue.title")
    async def queue_page(who: Principal, kind: str = "", line: str = "", day: str = "") -> None:
        lang = guard.language()
        lines = visible_lines(who, None) or []
        codes = [x.code for x in lines]
        items = await run.io_bound(queue_items, ctx, codes)
        if items is None:  # the page was left while computing
            return
        counts = Counter(i.kind for i in items)
        with ui.row().classes("items-center gap-4").mark("queue-counts"):
            ui.label(t("queue.total", lang, n=len(items))).classes("text-h6")
            for k in QUEUE_KINDS:
                if counts[k]:
                    ui.label(t("queue.count", lang, kind=t(f"assess.open.{k}", lang), n=counts[k]))
        with ui.row().classes("items-end"):
            kinds = {"": t("queue.all", lang), **{k: t(f"assess.open.{k}", lang) for k in QUEUE_KINDS}}
            pick_kind = ui.select(kinds, value=kind if kind in kinds else "", label=t("queue.kind", lang))
            pick_kind.classes("w-56").mark("queue-kind")
            names = {"": t("queue.all", lang), **{x.code: f"{x.code} {x.name}" for x in lines}}
            pick_line = ui.select(names, value=line if line in names else "", label=t("review.line", lang))
            pick_line.classes("w-56").mark("queue-line")
            # the days that have an item (newest first), so a day never shows an empty list
            days = {
                "": t("queue.all", lang),
                **{d: d for d in sorted({i.day.isoformat() for i in items}, reverse=True)},
            }
            pick_day = ui.select(days, value=day if day in days else "", label=t("review.day", lang))
            pick_day.classes("w-40").mark("queue-day")

            def go() -> None:
                chosen = (
                    f"kind={pick_kind.value or ''}&line={pick_line.value or ''}&day={pick_day.value or ''}"
                )
                ui.navigate.to(f"{PATH}?{chosen}")

            pick_kind.on_value_change(go)
            pick_line.on_value_change(go)
            pick_day.on_value_change(go)
        shown = [
            i
            for i in items
            if (not kind or i.kind == kind)
            and (not line or i.line == line)
            and (not day or i.day.isoformat() == day)
        ]
        people = {i.id: (i.number, i.name) for i in md_tables.Inmate.select()}
        pushes = {(d.area, d.month, d.target): d for d in failing(None)}
        areas = {x.code: x.area for x in md_tables.Line.select()}
        rows = []
        for n, item in enumerate(shown):
            number, name = people.get(item.who or "", ("", ""))
            rows.append(
                {
                    "n": n,
                    "kind": t(f"assess.open.{item.kind}", lang),
                    "line": item.line,
                    "day": item.day.isoformat(),
                    "who": f"{number} {name}".strip(),
                    "what": _detail(item, pushes, lang),
                    "href": _href(item, areas),
                    "inmate_href": f"/inmate?id={item.who}" if item.who else "",
                }
            )
        if not rows:
            ui.label(t("queue.empty", lang)).classes("text-grey-7").mark("queue-empty")
            return
        table = (
            data_table(
                lang=lang,
                columns=[
                    {"name": "kind", "label": t("queue.col.kind", lang), "field": "kind"},
                    {"name": "line", "label": t("review.line", lang), "field": "line"},
                    {"name": "day", "label": t("review.day", lang), "field": "day"},
                    {"name": "who", "label": t("queue.col.who", lang), "field": "who"},
                    {"name": "what", "label": t("queue.col.what", lang), "field": "what"},
                    {"name": "go", "label": "", "field": "href", "sortable": False},
                ],
                rows=rows,
                row_key="n",
            )
            .classes("w-full")
            .mark("queue-table")
        )
        table.add_slot("body-cell-go", GO_CELL.format(label=t("queue.go", lang)))
