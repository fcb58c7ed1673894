"""What every master-data page shares: who may read and change what, and how a change is saved.

Role rules (checked on the server at every click by `guard.guarded_action`, and for scope here):
- line officers read the data of their own lines and change nothing;
- area heads read and change their own area (lines, workdays of their lines, inmates, quota levels,
  badges, posts);
- the labor section reads and changes everything, and alone changes products, standard times,
  areas, site-wide workdays and rule sets;
- admins manage users and kiosks only: the master-data pages refuse them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import peewee
from nicegui import ui

from hub.accounts import Principal, Role
from hub.ledger.entries import LedgerError
from hub.masterdata import service as md
from hub.masterdata.csv_import import FieldError
from hub.web.masterdata.texts import t

log = logging.getLogger(__name__)

READ_ROLES = frozenset({Role.LINE_OFFICER, Role.AREA_HEAD, Role.LABOR_SECTION})
EDIT_ROLES = frozenset({Role.AREA_HEAD, Role.LABOR_SECTION})
LABOR_ONLY = frozenset({Role.LABOR_SECTION})

TABS = (
    ("md.tab.products", "/masterdata"),
    ("md.tab.lines", "/masterdata/lines"),
    ("md.tab.inmates", "/masterdata/inmates"),
    ("md.tab.officers", "/masterdata/officers"),
    ("md.tab.badges", "/masterdata/badges"),
    ("md.tab.assignments", "/masterdata/assignments"),
    ("md.tab.import", "/masterdata/import"),
)


def tabs(lang: str) -> None:
    with ui.row().classes("fl-no-print"):
        for key, path in TABS:
            ui.link(t(key, lang), path).mark(f"md-tab-{path.rsplit('/', 1)[-1]}")


def read_only_note(who: Principal, lang: str) -> None:
    if who.role not in EDIT_ROLES:
        ui.label(t("md.read_only", lang)).classes("text-grey-7").mark("md-read-only")


# --- scope ------------------------------------------------------------------------------------------


def visible_lines(who: Principal) -> list[Any]:
    lines = list(md.Line.select().order_by(md.Line.code))
    return [line for line in lines if who.may_see_line(line.code, line.area)]


def visible_inmates(who: Principal, today: date) -> list[Any]:
    """Inmates in the officer's scope: their area's, or (line officers) those posted to their lines."""
    inmates = list(md.Inmate.select().order_by(md.Inmate.id))
    if who.sees_everything:
        return inmates
    if who.role is Role.AREA_HEAD:
        return [i for i in inmates if i.area == who.area]
    posted = {i for i, a in md.posts_on(today).items() if a.line in who.lines}
    return [i for i in inmates if i.id in posted]


def may_change_area(who: Principal, area: str | None) -> bool:
    """Whether `who` may change something belonging to `area` (None: site-wide, labor only)."""
    if who.role is Role.LABOR_SECTION:
        return True
    return who.role is Role.AREA_HEAD and area is not None and area == who.area


def area_of_line(line: str) -> str | None:
    row = md.Line.get_or_none(md.Line.code == line)
    return None if row is None else str(row.area)


def area_of_person(person: str) -> str | None:
    inmate = md.Inmate.get_or_none(md.Inmate.id == person)
    if inmate is not None:
        return None if inmate.area is None else str(inmate.area)
    officer = md.Officer.get_or_none(md.Officer.id == person)
    return None if officer is None or officer.area is None else str(officer.area)


def refuse_scope(who: Principal, lang: str, what: str) -> None:
    log.warning("refused %s (%s) master-data change outside their scope: %s", who.username, who.role, what)
    ui.notify(t("md.err.scope", lang), type="negative")


# --- saving -----------------------------------------------------------------------------------------


def problem(lang: str, err: Exception) -> None:
    """Show why a change was refused, in the officer's words; nothing was saved."""
    if isinstance(err, FieldError):
        ui.notify(err.text(lang), type="warning")
    else:
        ui.notify(t("md.err.rejected", lang, reason=str(err)), type="negative")


async def save(lang: str, change: Callable[..., Any], *args: Any, **kwargs: Any) -> bool:
    """Run one master-data change (which ledgers itself) and notify the outcome.

    On the event loop's own thread on purpose: one row and one ledger entry take milliseconds, and
    the page's next read then uses the same database connection as the write, so the refreshed
    table can never show a snapshot from before it.
    """
    try:
        change(*args, **kwargs)
    except (md.MasterDataError, LedgerError) as err:
        problem(lang, err)
        return False
    except peewee.IntegrityError:
        ui.notify(t("md.err.rejected", lang, reason="duplicate"), type="negative")
        return False
    ui.notify(t("md.saved", lang), type="positive")
    return True


def ms_text(ms: int | None, zone: Any) -> str:
    from datetime import datetime

    return "" if ms is None else datetime.fromtimestamp(ms / 1000, zone).strftime("%Y-%m-%d %H:%M")


def table(marker: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]], lang: str) -> ui.table:
    """A read-only table; cells are text (Quasar renders table cells as text, never HTML)."""
    return (
        ui.table(
            columns=[{"name": f, "label": t(k, lang), "field": f, "align": "left"} for f, k in columns],
            rows=rows,
        )
        .classes("w-full")
        .mark(marker)
    )
