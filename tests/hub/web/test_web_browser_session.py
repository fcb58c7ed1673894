"""The dashboard's session and HTTP hardening in real headless Chromium (issue 18, items 13-15).

- A session cookie planted in a browser before an officer signs in never becomes the officer's
  session: signing in gives the browser a new session id, signing out drops it again.
- Every response carries the security headers (CSP with frame-ancestors 'none', nosniff,
  no-referrer); the pages still work under that policy (the screen fixture fails on any console
  error, CSP violations included); the session cookie lives 15 minutes and is Secure under HTTPS.
- Typing in the login form tries no login; only the button or Enter does.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import peewee
import pytest
from nicegui.testing import Screen
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement

from hub.store.schema import prepare
from hub.web import register_pages
from hub.web.context import WebContext
from hub.web.security import protect
from tests.hub.conftest_web import PASSWORD, StepClock, add_officers, hub_db, make_context, seed_site

SECRET = "session test secret"


@pytest.fixture
def site(screen: Screen, tmp_path: Path) -> WebContext:
    database: peewee.Database = hub_db(tmp_path / "hub.db")
    seed_site(2)
    ctx = make_context(database, StepClock())
    prepare(database)
    add_officers(ctx)
    protect(SECRET, ctx.idle_timeout_s)
    register_pages(ctx)
    screen.ui_run_kwargs.update(storage_secret=SECRET, language="zh-CN")
    screen.selenium.set_page_load_timeout(30)
    return ctx


def _field(screen: Screen, label: str) -> WebElement:
    return screen.selenium.find_element(By.XPATH, f"//label[.//*[text()='{label}']]//input")


def _session(screen: Screen) -> str:
    cookie = screen.selenium.get_cookie("session")
    assert cookie is not None
    return str(cookie["value"])


def _opens_as_officer(screen: Screen, cookie: str, path: str = "/monthly") -> bool:
    """What an attacker holding `cookie` gets: the page (signed in) or a redirect to /login."""
    with httpx.Client(base_url=screen.url, cookies={"session": cookie}) as attacker:
        response = attacker.get(path)
    return response.status_code == 200


def _sign_in(screen: Screen, username: str) -> None:
    _field(screen, "用户名").send_keys(username)
    _field(screen, "密码").send_keys(PASSWORD)
    screen.click("登录")
    screen.should_contain("甲监区长 · 监区长")


@pytest.mark.nicegui_main_file("")
def test_a_cookie_planted_before_sign_in_does_not_become_the_officers_session(
    screen: Screen, site: WebContext
) -> None:
    """The id known before sign-in opens nothing; the signed-in id is dropped by 退出."""
    screen.open("/login")
    planted = _session(screen)  # what an attacker who planted this cookie knows
    assert not _opens_as_officer(screen, planted)
    _sign_in(screen, "head_a")
    signed_in = _session(screen)
    assert signed_in != planted, "the session id must be renewed at sign-in"
    assert not _opens_as_officer(screen, planted), "the planted cookie became the officer's session"
    assert _opens_as_officer(screen, signed_in)
    screen.click("退出")
    screen.should_contain("密码")
    assert _session(screen) != signed_in, "the session id must be dropped at sign-out"
    assert not _opens_as_officer(screen, signed_in), "a copied cookie still works after sign-out"
    screen.open("/monthly")
    screen.should_contain("密码")  # the browser itself is signed out too


@pytest.mark.nicegui_main_file("")
def test_responses_carry_the_security_headers_and_a_short_secure_session_cookie(
    screen: Screen, site: WebContext
) -> None:
    """CSP (no framing), nosniff, no-referrer on pages and assets; a 15-minute cookie, Secure under HTTPS."""
    screen.open("/login")
    _sign_in(screen, "head_a")  # the pages work under the policy: no console error, signed in
    screen.open("/monthly")
    screen.should_contain("甲监区长 · 监区长")
    with httpx.Client(base_url=screen.url) as client:
        page = client.get("/login")
        asset = client.get(next(iter(_script_paths(page.text))))
        for response in (page, asset):
            assert response.status_code == 200
            policy = response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in policy
            assert "default-src 'self'" in policy
            assert response.headers["x-content-type-options"] == "nosniff"
            assert response.headers["referrer-policy"] == "no-referrer"
        cookie = page.headers["set-cookie"].lower()
        assert "max-age=900" in cookie
        assert "httponly" in cookie
        assert "secure" not in cookie  # plain HTTP: a Secure cookie would never come back
        # Behind a TLS-terminating proxy on this machine (uvicorn trusts 127.0.0.1's X-Forwarded-Proto).
    with httpx.Client(base_url=screen.url) as proxied:
        https = proxied.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "; secure" in https.headers["set-cookie"].lower()


def _script_paths(html: str) -> list[str]:
    return re.findall(r'src="(/_nicegui/[^"]+\.js)"', html) or ["/_nicegui/version"]


@pytest.mark.nicegui_main_file("")
def test_typing_in_the_login_form_tries_no_login_until_enter(
    screen: Screen, site: WebContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half-typed names never reach the password check (no lock-out, no 'login refused for adm')."""
    tried: list[str] = []
    real = site.accounts.authenticate

    def spy(username: str, password: str) -> object:
        tried.append(username)
        return real(username, password)

    monkeypatch.setattr(site.accounts, "authenticate", spy)
    screen.open("/login")
    username = _field(screen, "用户名")
    for char in "head_a":
        username.send_keys(char)
        time.sleep(0.1)
    username.send_keys(Keys.TAB)
    password = _field(screen, "密码")
    for char in PASSWORD:
        password.send_keys(char)
        time.sleep(0.05)
    time.sleep(1.0)
    assert tried == []
    password.send_keys(Keys.ENTER)
    screen.should_contain("甲监区长 · 监区长")
    assert tried == ["head_a"]


@pytest.mark.nicegui_main_file("")
def test_the_enter_that_commits_input_method_text_tries_no_login(
    screen: Screen, site: WebContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a pinyin input method, Enter commits the letters typed so far: that is typing, not signing in."""
    tried: list[str] = []
    real = site.accounts.authenticate

    def spy(username: str, password: str) -> object:
        tried.append(username)
        return real(username, password)

    monkeypatch.setattr(site.accounts, "authenticate", spy)
    screen.open("/login")
    _field(screen, "用户名").send_keys("head_a")
    password = _field(screen, "密码")
    password.send_keys(PASSWORD[:4])
    screen.selenium.execute_script(
        "arguments[0].dispatchEvent(new KeyboardEvent('keydown',"
        " {key: 'Enter', code: 'Enter', isComposing: true, bubbles: true}))",
        password,
    )
    time.sleep(1.0)
    assert tried == []
    password.send_keys(PASSWORD[4:])
    screen.click("登录")
    screen.should_contain("甲监区长 · 监区长")
    assert tried == ["head_a"]
