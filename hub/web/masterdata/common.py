"""What every master-data page shares: what an officer sees, how a change is saved and refused.

Role rules (checked on the server at every click by `guard.guarded_action`; scope is decided by
`hub.accounts` and enforced again by the master-data service, so a page asks first only to explain):
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
from datetime import date, datetime, tzinfo
from typing import Any

import peewee
from nicegui import ui

from hub.accounts import MASTERDATA_EDIT_ROLES, MASTERDATA_READ_ROLES, MASTERDATA_SITE_ROLES, Principal, Role
from hub.errors import HubError
from hub.ledger.entries import LedgerError
from hub.masterdata.csv_import import FieldError
from hub.masterdata.queries import posts_on
from hub.store.masterdata import Inmate, Line
from hub.web.masterdata.texts import t
from hub.web.tables import data_table

log = logging.getLogger(__name__)

# The guards' names for `hub.accounts`' master-data roles.
READ_ROLES = MASTERDATA_READ_ROLES
EDIT_ROLES = MASTERDATA_EDIT_ROLES
LABOR_ONLY = MASTERDATA_SITE_ROLES

TABS = (
    ("md.tab.products", "/masterdata"),
    ("md.tab.lines", "/masterdata/lines"),
    ("md.tab.inmates", "/masterdata/inmates"),
    ("md.tab.officers", "/masterdata/officers"),
    ("md.tab.badges", "/masterdata/badges"),
    ("md.tab.assignments", "/masterdata/assignments"),
    ("md.tab.posts", "/masterdata/posts"),
    ("md.tab.exemptions", "/masterdata/exemptions"),
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


def visible_lines(who: Principal) -> list[Line]:
    lines = list(Line.select().order_by(Line.code))
    return [line for line in lines if who.may_see_line(line.code, line.area)]


def visible_inmates(who: Principal, today: date) -> list[Inmate]:
    """Inmates in the officer's scope: their area's, or (line officers) those posted to their lines."""
    inmates = list(Inmate.select().order_by(Inmate.id))
    if who.sees_everything:
        return inmates
    posts = posts_on(today) if who.role is Role.LINE_OFFICER else {}  # only they see by today's posts
    return [i for i in inmates if who.may_see_inmate(i.area, posts[i.id].line if i.id in posts else None)]


def refuse_scope(who: Principal, lang: str, what: str) -> None:
    log.warning("refused %s (%s) master-data change outside their scope: %s", who.username, who.role, what)
    ui.notify(t("md.err.scope", lang), type="negative")


# --- saving -----------------------------------------------------------------------------------------


def problem(lang: str, err: Exception) -> None:
    """Show why a change was refused, in the officer's language; nothing was saved."""
    if isinstance(err, FieldError):
        ui.notify(err.text(lang), type="warning")
    elif isinstance(err, HubError):
        ui.notify(t("md.err.rejected", lang, reason=err.text(lang)), type="negative")
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
    except (HubError, LedgerError) as err:
        problem(lang, err)
        return False
    except peewee.IntegrityError:
        ui.notify(t("md.err.rejected", lang, reason="duplicate"), type="negative")
        return False
    ui.notify(t("md.saved", lang), type="positive")
    return True


def ms_text(ms: int | None, zone: tzinfo) -> str:
    return "" if ms is None else datetime.fromtimestamp(ms / 1000, zone).strftime("%Y-%m-%d %H:%M")


def table(marker: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]], lang: str) -> ui.table:
    """A read-only table; cells are text (Quasar renders table cells as text, never HTML)."""
    return (
        data_table(
            lang=lang,
            columns=[{"name": f, "label": t(k, lang), "field": f, "align": "left"} for f, k in columns],
            rows=rows,
        )
        .classes("w-full")
        .mark(marker)
    )
