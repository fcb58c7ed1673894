"""Users page (admin only): accounts with role, scope and state; adding, changing, disabling,
unlocking and resetting passwords, each ledgered; the last admin cannot be locked out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui.testing.user import User

from hub.accounts import Principal, Role
from hub.ledger import entries as ledger
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.auth import AuthError, LoginRefused
from protocol.signing import Signer
from tests.hub.conftest_web import (
    PASSWORD,
    StepClock,
    add_officers,
    hub_db,
    login,
    make_context,
    seed_site,
    web_user,
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[WebContext]:
    database = hub_db(tmp_path / "hub.db")
    clock = StepClock()
    context = make_context(database, clock, ledger=ledger.Ledger(database, Signer.generate(), clock))

    prepare(database)
    seed_site(1)
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
        _pick(user, "off_b1")
        user.find(marker="edit-unlock").click()
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


def _pick(user: User, username: str) -> None:
    user.find(marker="edit-user").elements.pop().value = username  # type: ignore[attr-defined]


def _set(user: User, marker: str, value: object) -> None:
    user.find(marker=marker).elements.pop().value = value  # type: ignore[attr-defined]


def _actions(ctx: WebContext) -> list[tuple[str, str, dict[str, object]]]:
    return [(e.actor, e.action, e.payload) for e in ctx.ledger.entries() if e.action.startswith("user.")]  # type: ignore[union-attr]


async def test_an_admin_adds_an_officer_who_can_then_sign_in_on_his_line_only(ctx: WebContext) -> None:
    """新建用户 with name, role 分监区民警, line A2 and a first password: the officer exists with that
    scope, can sign in, and the act is ledgered without the password."""
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/users")
        user.find(marker="add-username").type("off_a2")
        user.find(marker="add-name").type("赵警官")
        _set(user, "add-lines", ["A2"])
        user.find(marker="add-password").type("a first password")
        user.find(marker="add-save").click()
        await user.should_see("已新建 off_a2", retries=20)
    person = ctx.accounts.authenticate("off_a2", "a first password")
    assert (person.display_name, person.role, person.lines) == ("赵警官", Role.LINE_OFFICER, ("A2",))
    actor, action, payload = _actions(ctx)[-1]
    assert (actor, action) == ("admin", "user.add")
    assert "a first password" not in str(payload)


async def test_a_role_change_and_a_disable_take_effect_and_are_ledgered(ctx: WebContext) -> None:
    """off_a1 becomes area head of B; then disabled: he can no longer sign in, and enabling him again
    restores it. Changes are refused with a clear reason when the name is empty."""
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/users")
        _pick(user, "off_a1")
        await user.should_see(marker="edit-name")
        assert user.find(marker="edit-name").elements.pop().value == "王警官"  # type: ignore[attr-defined]
        _set(user, "edit-role", Role.AREA_HEAD.value)
        _set(user, "edit-area", "B")
        user.find(marker="edit-save").click()
        await user.should_see("已保存 off_a1", retries=20)
        assert ctx.accounts.principal("off_a1") == Principal(
            username="off_a1", display_name="王警官", role=Role.AREA_HEAD, lines=(), area="B"
        )
        _set(user, "edit-name", "")
        user.find(marker="edit-save").click()
        await user.should_see("姓名", retries=20)
        assert ctx.accounts.principal("off_a1").display_name == "王警官"  # type: ignore[union-attr]
        user.find(marker="edit-disable").click()
        await user.should_see("已停用 off_a1", retries=20)
    with pytest.raises(LoginRefused):
        ctx.accounts.authenticate("off_a1", PASSWORD)
    assert ctx.accounts.principal("off_a1") is None  # an open session ends at its next request
    ctx.accounts.set_active("off_a1", True)
    assert ctx.accounts.authenticate("off_a1", PASSWORD).role is Role.AREA_HEAD
    assert [a for _, a, _ in _actions(ctx)] == ["user.update", "user.disable"]


async def test_the_last_admin_cannot_be_disabled_or_demoted(ctx: WebContext) -> None:
    """With one admin, disabling him or giving him another role is refused, on the page and in the
    service; the admin cannot disable his own account either."""
    with pytest.raises(AuthError) as err:
        ctx.accounts.set_active("admin", False)
    assert err.value.key == "auth.err.last_admin"
    with pytest.raises(AuthError):
        ctx.accounts.update("admin", role=Role.LABOR_SECTION, display_name="管理员")
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/users")
        _pick(user, "admin")
        user.find(marker="edit-disable").click()
        await user.should_see("不能停用自己的账户", retries=20)
    assert ctx.accounts.is_active("admin")


async def test_an_admin_sets_a_new_password(ctx: WebContext) -> None:
    """重设密码 replaces the password (a short one is refused with the rule); the act is ledgered."""
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/users")
        _pick(user, "off_b1")
        user.find(marker="edit-password").type("short")
        user.find(marker="edit-set-password").click()
        await user.should_see("8", retries=20)
        _set(user, "edit-password", "a brand new secret")
        user.find(marker="edit-set-password").click()
        await user.should_see("已为 off_b1 重设密码", retries=20)
    assert ctx.accounts.authenticate("off_b1", "a brand new secret").username == "off_b1"
    assert _actions(ctx)[-1][:2] == ("admin", "user.password")
