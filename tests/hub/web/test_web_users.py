"""Users page (admin only): accounts with role, scope and lock state; unlocking is ledgered."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.ledger import entries as ledger
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.auth import LoginRefused
from protocol.signing import Signer
from tests.hub.conftest_web import PASSWORD, StepClock, add_officers, hub_db, login, make_context, web_user


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[WebContext]:
    database = hub_db(tmp_path / "hub.db")
    clock = StepClock()
    context = make_context(database, clock, ledger=ledger.Ledger(database, Signer.generate(), clock))

    prepare(database)
    add_officers(context)
    yield context
    database.close()


async def test_an_admin_sees_a_locked_account_and_unlocks_it(ctx: WebContext) -> None:
    """The locked officer is listed as 已锁定; 解锁 lets them sign in again and is in the ledger."""
    for _ in range(5):
        with pytest.raises(LoginRefused):
            ctx.accounts.authenticate("off_b1", "wrong wrong")
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/users")
        table = user.find(marker="users-table").elements.pop()
        states = {row["username"]: (row["role"], row["scope"], row["state"]) for row in table.rows}  # type: ignore[attr-defined]
        assert states["off_b1"] == ("分监区民警", "B1", "已锁定")
        assert states["head_a"] == ("监区长", "A", "正常")
        assert states["labor"] == ("劳动改造科", "全部", "正常")
        user.find(marker="unlock-off_b1").click()
        await user.should_see("已解锁 off_b1", retries=20)
    assert ctx.accounts.authenticate("off_b1", PASSWORD).username == "off_b1"
    entry = ctx.ledger.entries()[-1]  # type: ignore[union-attr]
    assert (entry.actor, entry.action) == ("admin", "user.unlock")


async def test_only_an_admin_may_open_the_users_page(ctx: WebContext) -> None:
    """The labor section and an area head are refused; nothing of the list is sent to them."""
    for username in ("labor", "head_a"):
        async with web_user(ctx) as user:
            await login(user, username)
            await user.open("/users")
            await user.should_see(marker="refused")
            await user.should_not_see(marker="users-table")
