"""Dashboard flows in NiceGUI's simulated browser: login, lock-out, idle timeout, logout and refusals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from nicegui import ui

from hub.accounts import Role
from hub.store.schema import prepare
from hub.store.web import BoardToken, User
from hub.web import WebContext
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
    seed_site(2)
    context = make_context(database, StepClock())

    prepare(database)
    add_officers(context)
    yield context
    database.close()


async def test_login_with_the_right_password_opens_the_live_floor(ctx: WebContext) -> None:
    """A right password lands on 现场 with the officer's name and role in the header."""
    async with web_user(ctx) as user:
        await login(user, "head_a")
        await user.should_see(marker="page-title")
        await user.should_see("甲监区长 · 监区长")
        await user.should_see("现场")


async def test_a_wrong_password_is_refused_and_shows_no_page(ctx: WebContext) -> None:
    """A wrong password keeps the officer on the login page with 用户名或密码错误; /floor still redirects."""
    async with web_user(ctx) as user:
        await login(user, "head_a", "not the password")
        await user.should_see("用户名或密码错误")
        await user.open("/floor")
        await user.should_see(marker="login")
        await user.should_not_see(marker="page-title")


async def test_five_wrong_passwords_lock_the_account_in_the_browser(ctx: WebContext) -> None:
    """The fifth wrong password says the account is locked, and then the right one is refused too."""
    async with web_user(ctx) as user:
        for _ in range(5):
            await login(user, "off_a1", "guess guess")
        await user.should_see("账户已锁定,请稍后再试或联系管理员")
        await login(user, "off_a1", PASSWORD)
        await user.should_see("账户已锁定,请稍后再试或联系管理员")
        await user.should_not_see(marker="page-title")
    assert ctx.accounts.is_locked("off_a1")


async def test_idle_timeout_logs_the_officer_out(ctx: WebContext) -> None:
    """After 15 minutes without an action the next page load lands on login with 已退出登录."""
    async with web_user(ctx) as user:
        await login(user, "labor")
        await user.should_see(marker="page-title")
        ctx.clock.advance(14 * 60)  # type: ignore[attr-defined]
        await user.open("/floor")  # an action within the timeout keeps the session
        await user.should_see(marker="page-title")
        ctx.clock.advance(15 * 60 + 1)  # type: ignore[attr-defined]
        await user.open("/floor")
        await user.should_see("长时间未操作,已退出登录")
        await user.should_not_see(marker="page-title")


async def test_logout_ends_the_session(ctx: WebContext) -> None:
    """After 退出 the dashboard pages redirect to the login page again."""
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.should_see(marker="logout")
        user.find(marker="logout").click()
        await user.should_see(marker="login")
        await user.open("/floor")
        await user.should_see(marker="login")
        await user.should_not_see(marker="page-title")


async def test_a_line_officer_cannot_open_another_area_or_an_admin_page(ctx: WebContext) -> None:
    """The server refuses: area B's floor and the kiosks page show 无权访问 and none of their content."""
    async with web_user(ctx) as user:
        await login(user, "off_a1")
        await user.should_see(marker="page-title")
        await user.should_not_see(marker="nav-kiosks")  # not offered in the menu...
        await user.open("/kiosks")  # ...and refused when typed in
        await user.should_see(marker="refused")
        await user.should_not_see(marker="create-token")
        await user.open("/floor?area=B")
        await user.should_see(marker="refused")
        await user.should_not_see(marker="line-B1")
        await user.open("/floor?area=A")
        await user.should_see(marker="line-A1")
        await user.should_not_see(marker="line-A2")  # another officer's line in the same area


async def test_an_area_head_sees_every_line_of_the_area_only(ctx: WebContext) -> None:
    """The area head's live floor lists A1 and A2 and not B1."""
    async with web_user(ctx) as user:
        await login(user, "head_a")
        await user.open("/floor")
        await user.should_see(marker="line-A1")
        await user.should_see(marker="line-A2")
        await user.should_not_see(marker="line-B1")


async def test_an_action_is_checked_on_the_server_when_clicked(ctx: WebContext) -> None:
    """An admin page left open after the account lost its admin role cannot create a board token."""
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/kiosks")
        await user.should_see(marker="create-token")
        user.find(marker="board-target").click()
        user.find(kind=ui.select, marker="board-target").elements.pop().set_value("A1")
        User.update(role=Role.LINE_OFFICER.value, lines="A1").where(User.username == "admin").execute()
        user.find(marker="create-token").click()
        await user.should_see("无权访问")
    assert BoardToken.select().count() == 0


async def test_an_admin_creates_and_revokes_a_board_token(ctx: WebContext) -> None:
    """生成令牌 shows the board address once; 吊销 marks the token revoked and it opens nothing."""
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/kiosks")
        user.find(kind=ui.select, marker="board-target").elements.pop().set_value("A1")
        user.find(marker="board-label").type("车间东墙")
        user.find(marker="create-token").click()
        await user.should_see(marker="token-1")
        shown = user.find(marker="board-created").elements.pop().text
        token = shown.split("token=")[1]
        assert ctx.boards.allows(token, "A1")
        user.find(marker="revoke-token-1").click()
        await user.should_see("已吊销")
        assert not ctx.boards.allows(token, "A1")


async def test_an_action_after_the_idle_timeout_is_not_done(ctx: WebContext) -> None:
    """A button pressed on a page left open past the timeout does nothing and sends the officer to login."""
    async with web_user(ctx) as user:
        await login(user, "admin")
        await user.open("/kiosks")
        user.find(kind=ui.select, marker="board-target").elements.pop().set_value("A1")
        ctx.clock.advance(15 * 60 + 1)  # type: ignore[attr-defined]
        user.find(marker="create-token").click()
        await user.should_see(marker="login")
    assert BoardToken.select().count() == 0


async def test_the_language_switch_shows_english(ctx: WebContext) -> None:
    """Chinese by default; after the switch the page comes back in English."""
    async with web_user(ctx) as user:
        await login(user, "head_a")
        await user.should_see("现场")
        user.find(marker="lang").click()
        await user.should_see("Live floor")
        await user.should_see("甲监区长 · Area head")
        await user.should_see("Sign out")


async def test_names_with_html_are_shown_as_text_in_the_header(ctx: WebContext) -> None:
    """A display name holding markup is printed literally, never interpreted."""
    ctx.accounts.create(username="odd", password=PASSWORD, role=Role.ADMIN, display_name="<b>坏</b>")
    async with web_user(ctx) as user:
        await login(user, "odd")
        await user.should_see("<b>坏</b> · 系统管理员")
