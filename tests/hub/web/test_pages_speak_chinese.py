"""Every dashboard page speaks Chinese: walked as the labor section and the admin on a seeded month,
no page shows an English word outside codes, ids, numbers and hashes (#19: one translation table)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nicegui import ui

from hub.accounts import Role
from hub.masterdata import csv_import
from hub.store import masterdata as md
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.review.assessment import register_assessment
from hub.web.review.trends import register_trends
from tests.hub.audit.test_verify_language import english_words
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user
from tests.hub.review.test_assessment_domain import NOW_MS, Site, open_copy

PAGES = {
    "labor": (
        "/floor",
        "/queue",
        "/inmate?id=P1001",
        "/skills?area=A1",
        "/bottleneck?line=L1&month=2026-10",
        "/suggestions?area=A1",
        "/actions?area=A1",
        "/review?line=L1&day=2026-10-27",
        "/weekly?area=A1&week=2026-W43",
        "/monthly?area=A1&month=2026-10",
        "/trends?area=A1&month=2026-10",
        "/masterdata",
        "/masterdata/lines",
        "/masterdata/inmates",
        "/masterdata/officers",
        "/masterdata/badges",
        "/masterdata/assignments",
        "/masterdata/posts",
        "/masterdata/exemptions",
        "/masterdata/import",
        "/audit",
    ),
    "admin": ("/users", "/kiosks", "/export-tokens"),
}
USERNAMES = ("admin", "labor", "head_a1", "off_l1")
# Words a Chinese page may show as they are: the other language's name on its switch, file formats,
# and the rule set's grade letters
ALLOWED = (*USERNAMES, "English", "CSV", "Excel", "XLSX", "PDF", "JSON", "QR", "A", "B", "C", "D", "E")
# Codes that are data, shown as they are stored and typed: the rule book's deduction categories, the
# columns an import file must have, and the site's own codes (read from its database below)
CODES = (
    *("quality", "safety", "discipline", "equipment"),
    *csv_import.INMATE_COLUMNS,
    *csv_import.STANDARD_TIME_COLUMNS,
)


def site_codes() -> list[str]:
    """The seeded site's codes: areas, lines, products, steps, officers and inmates."""
    return [
        *(a.code for a in md.Area.select()),
        *(x.code for x in md.Line.select()),
        *(p.code for p in md.Product.select()),
        *(s.code for s in md.Step.select()),
        *(o.id for o in md.Officer.select()),
        *(i.id for i in md.Inmate.select()),
    ]


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


@pytest.fixture
def ctx(site: Site) -> WebContext:
    prepare(site.db)
    context = make_context(site.db, StepClock(NOW_MS), ledger=site.ledger, results=site.results)
    context.accounts.create(username="admin", password=PASSWORD, role=Role.ADMIN, display_name="管理员")
    context.accounts.create(
        username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科"
    )
    return context


def texts_of(element: ui.element) -> list[str]:
    """Every text a person reads in `element` and below: labels, button and field labels,
    placeholders, table headers and cells, the options of a select."""
    out: list[str] = []
    text = getattr(element, "text", None)
    if isinstance(text, str):
        out.append(text)
    for prop in ("label", "placeholder", "hint", "title"):
        value = element.props.get(prop)
        if isinstance(value, str):
            out.append(value)
    columns: Any = getattr(element, "columns", None)
    rows: Any = getattr(element, "rows", None)
    if isinstance(columns, list) and isinstance(rows, list):
        out.extend(str(c.get("label", "")) for c in columns)
        fields = [c.get("field") for c in columns]
        out.extend(str(r.get(f, "")) for r in rows for f in fields if f)
    options: Any = None if isinstance(element, ui.echart) else getattr(element, "options", None)
    if isinstance(options, dict):
        out.extend(str(v) for v in options.values())
    elif isinstance(options, list):
        out.extend(str(o) for o in options)
    for slot in element.slots.values():
        for child in slot.children:
            out.extend(texts_of(child))
    return out


# The one page that lists the internal id on purpose: the inmates' master data, where it is the key an
# import file carries (docs/masterdata.md)
SHOWS_IDS = ("/masterdata/inmates",)


async def test_no_page_shows_an_english_word_or_an_inmates_internal_id(ctx: WebContext) -> None:
    """Each page in `PAGES`, opened as the role that may read it, in Chinese: every label, header,
    cell and option is Chinese, a code, an id, a number or a hash; and no page but the inmates' master
    data shows an inmate's internal id (`P1001`) where people expect his prison number (#19: one
    identity)."""
    leaks: dict[str, list[str]] = {}
    ids_seen: dict[str, list[str]] = {}
    allowed = (*ALLOWED, *CODES, *site_codes())
    ids = {i.id for i in md.Inmate.select()} - {i.number for i in md.Inmate.select()}
    assert ids  # the site's ids differ from its numbers, or this check could not fail
    async with web_user(ctx, before=lambda: (register_assessment(ctx), register_trends(ctx))) as user:
        for username, paths in PAGES.items():
            await login(user, username)
            for path in paths:
                await user.open(path)
                await asyncio.sleep(1.0)  # pages that compute in a worker thread fill in
                texts = texts_of(user.current_layout)
                words = sorted({w for text in texts for w in english_words(text, allowed)})
                if words:
                    leaks[path] = words
                shown = sorted({w for text in texts for w in re.findall(r"[A-Za-z0-9]+", text) if w in ids})
                if shown and path not in SHOWS_IDS:
                    ids_seen[path] = shown[:5]
            await user.open("/logout")
    assert leaks == {}, "\n".join(f"{p}: {w}" for p, w in leaks.items())
    assert ids_seen == {}, "\n".join(f"{p}: {w}" for p, w in ids_seen.items())
