"""Helpers for the web tests: a hub database with a small real site, and a simulated browser user.

Not a pytest conftest (it is imported by name): the helpers are plain functions and one async
context manager, so each test states what it builds.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from fractions import Fraction
from pathlib import Path

import httpx
import peewee
from nicegui import core, storage, ui
from nicegui.functions.download import download
from nicegui.functions.navigate import Navigate
from nicegui.functions.notify import notify
from nicegui.testing.general import nicegui_reset_globals, prepare_simulation
from nicegui.testing.user import User

from hub.accounts import Role
from hub.engine.exact import shown
from hub.results import worker as results
from hub.store import db
from hub.store import masterdata as md_tables
from hub.store.schema import prepare
from hub.web import WebContext, register_pages

PASSWORD = "correct horse 1"
START_MS = 1_764_400_000_000  # 2025-11-29 07:06:40 UTC, 15:06 in Shanghai


class StepClock:
    """Hub time in ms that a test moves on by hand (idle timeouts, lock-outs)."""

    def __init__(self, start_ms: int = START_MS) -> None:
        self.ms = start_ms

    def __call__(self) -> int:
        return self.ms

    def advance(self, seconds: float) -> None:
        self.ms += int(seconds * 1000)


def hub_db(path: Path) -> peewee.Database:
    """A real SQLite hub database with every table the web side reads."""
    database = db.connect(f"sqlite:///{path}")
    prepare(database)
    return database


def seed_site(inmates_per_line: int = 5, *, long_name: bool = False) -> None:
    """Two areas, three lines (A1, A2 in area A; B1 in area B), one product with two steps."""
    with md_tables.Area._meta.database.atomic():  # one fsync for the lot
        _seed_site(inmates_per_line, long_name=long_name)


def _seed_site(inmates_per_line: int, *, long_name: bool) -> None:
    md_tables.Area.create(code="A", name="一监区")
    md_tables.Area.create(code="B", name="二监区")
    for code, name, area in (("A1", "服装一线", "A"), ("A2", "服装二线", "A"), ("B1", "电子一线", "B")):
        md_tables.Line.create(code=code, name=name, area=area, shift_minutes="480", product="P1")
    md_tables.Product.create(code="P1", name="工装裤")
    md_tables.Step.create(product="P1", code="S1", name="缝裤腰", position=1)
    md_tables.Step.create(product="P1", code="S2", name="锁边", position=2)
    surnames = "张王李赵刘陈杨黄周吴"
    for line in ("A1", "A2", "B1"):
        for n in range(inmates_per_line):
            number = f"{line}{n + 1:03d}"
            name = surnames[n % len(surnames)] + "某某"
            if long_name and n == 0:
                name = "阿卜杜热合曼·买买提艾力·库尔班江·吐尔逊托合提" * 2
            md_tables.Inmate.create(id=number, number=number, name=name, area=line[0])


def put_result(
    inmate: str,
    line: str,
    day: date,
    *,
    quota: Fraction,
    done: Fraction,
    step: str = "S1",
    standard_seconds: Fraction = Fraction(60),
) -> None:
    """One inmate-day in `daily_result` as the results engine stores it (exact and shown values)."""
    quota_std = quota * standard_seconds
    earned = done * standard_seconds
    pct = None if not quota else 100 * done / quota
    results.DailyResult.delete().where(
        (results.DailyResult.inmate == inmate) & (results.DailyResult.day == day.isoformat())
    ).execute()
    results.DailyResult.create(
        inmate=inmate,
        day=day.isoformat(),
        line=line,
        product="P1",
        step=step,
        mode="counted",
        standard_seconds=str(standard_seconds),
        standard_from="2025-01-01",
        quota_std_seconds=str(quota_std),
        earned_std_seconds=str(earned),
        done_units_exact=str(done),
        quota_units=shown(quota),
        done_units=shown(done),
        diff_units=shown(done - quota),
        completion_pct=None if pct is None else shown(pct),
        rule_set_version="test",
        rule_set_digest="0" * 64,
        computed_ms=START_MS,
    )


def make_context(database: peewee.Database, clock: StepClock, **kwargs: object) -> WebContext:
    return WebContext(db=database, clock=clock, site="测试监狱", **kwargs)  # type: ignore[arg-type]


def add_officers(ctx: WebContext) -> None:
    """admin, labor section, area head of A, officer of line A1, officer of line B1."""
    ctx.accounts.create(username="admin", password=PASSWORD, role=Role.ADMIN, display_name="管理员")
    ctx.accounts.create(username="labor", password=PASSWORD, role=Role.LABOR_SECTION, display_name="劳改科")
    ctx.accounts.create(
        username="head_a", password=PASSWORD, role=Role.AREA_HEAD, area="A", display_name="甲监区长"
    )
    ctx.accounts.create(
        username="off_a1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["A1"], display_name="王警官"
    )
    ctx.accounts.create(
        username="off_b1", password=PASSWORD, role=Role.LINE_OFFICER, lines=["B1"], display_name="李警官"
    )


@asynccontextmanager
async def web_user(ctx: WebContext, *, before: Callable[[], None] | None = None) -> AsyncIterator[User]:
    """A simulated browser (NiceGUI's `User`) against the pages `register_pages(ctx)` mounts.

    NiceGUI's `user` fixture wants a main file; the hub mounts its pages from a context instead, so
    this mirrors `nicegui.testing.user_simulation` with `register_pages` in place of the main file.
    """
    with nicegui_reset_globals():
        os.environ["NICEGUI_USER_SIMULATION"] = "true"
        try:
            prepare_simulation()
            register_pages(ctx)
            if before is not None:
                before()
            # A short reconnect timeout: a page left by navigation is reaped while the test still runs,
            # not during teardown, when NiceGUI's configuration is already reset.
            ui.run(storage_secret="web test secret", reconnect_timeout=0.5)
            async with core.app.router.lifespan_context(core.app):
                transport = httpx.ASGITransport(core.app)
                async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                    yield User(client)
        finally:
            os.environ.pop("NICEGUI_USER_SIMULATION", None)
            ui.navigate = Navigate()
            ui.notify = notify
            ui.download = download


async def settle_navigation() -> None:
    """Wait for the simulated browser's pending navigations (a real one finishes one before the next).

    The simulated `ui.navigate.to` runs in the background: a sign-out's `/logout`, which gives the
    browser a new session id, must not land after the next sign-in.
    """
    for _ in range(200):
        if not any(task.get_name().startswith("navigate") for task in asyncio.all_tasks()):
            return
        await asyncio.sleep(0.01)


async def login(user: User, username: str, password: str = PASSWORD) -> None:
    await settle_navigation()
    await user.open("/login")
    user.find(marker="username").type(username)
    user.find(marker="password").type(password)
    user.find(marker="login").click()
    # scrypt runs in a worker thread: wait for the answer (a new page, or the error text).
    for _ in range(100):
        if user.back_history[-1] != "/login":
            # The simulated browser records the address it asked for (the one-time sign-in URL), a
            # real one the address it was redirected to; "/" leads a signed-in officer to that page.
            if user.back_history[-1].startswith("/login/complete"):
                user.back_history[-1] = "/"
                # Simulated clicks run their handlers in the test's context, not with the request of
                # the page they belong to (as a browser's do): point it at the new session's page.
                storage.request_contextvar.set(user.client.request)
            return
        errors = user.find(marker="login-error").elements
        if any(getattr(e, "text", "") for e in errors):
            return
        await asyncio.sleep(0.02)
