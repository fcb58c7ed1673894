"""Officers' accounts on a real SQLite file: hashing, lock-out, unlock, scope rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hub.accounts import Role
from hub.store.web import User
from hub.web import auth, auth_texts
from hub.web.auth import Accounts, AuthError, LoginRefused, hash_password, verify_password
from tests.hub.conftest_web import PASSWORD, StepClock, hub_db, make_context


@pytest.fixture
def accounts(tmp_path: Path) -> Iterator[Accounts]:
    database = hub_db(tmp_path / "hub.db")
    ctx = make_context(database, StepClock())  # hub_db made every table
    yield ctx.accounts
    database.close()


def test_password_hash_is_salted_scrypt_with_its_parameters() -> None:
    """Two hashes of one password differ (salt), carry their scrypt parameters, and verify only it."""
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second
    assert first.startswith("scrypt$16384$8$1$")
    assert verify_password(PASSWORD, first)
    assert verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "x", first)
    assert not verify_password(PASSWORD, "md5$abc")


def test_the_stored_row_holds_no_password(accounts: Accounts) -> None:
    """The database keeps only the scrypt hash, never the password itself."""
    accounts.create(username="admin", password=PASSWORD, role=Role.ADMIN)
    row = User.get(User.username == "admin")
    assert PASSWORD not in row.password_hash
    assert row.password_hash.startswith("scrypt$")


def test_five_wrong_passwords_lock_the_account_until_the_lock_ends(accounts: Accounts) -> None:
    """After five wrong passwords even the right one is refused as locked; after the lock time it works."""
    accounts.create(username="off", password=PASSWORD, role=Role.LINE_OFFICER, lines=["A1"])
    for _ in range(4):
        with pytest.raises(LoginRefused) as refused:
            accounts.authenticate("off", "wrong password")
        assert not refused.value.locked
    with pytest.raises(LoginRefused) as refused:
        accounts.authenticate("off", "wrong password")
    assert refused.value.locked
    with pytest.raises(LoginRefused) as refused:
        accounts.authenticate("off", PASSWORD)
    assert refused.value.locked
    assert accounts.principal("off") is None  # a locked account's sessions end too
    accounts.clock.advance(15 * 60 + 1)  # type: ignore[attr-defined]
    assert accounts.authenticate("off", PASSWORD).username == "off"


def test_an_admin_unlock_lets_the_officer_in_at_once(accounts: Accounts) -> None:
    """`unlock` clears the lock and the failure count."""
    accounts.create(username="off", password=PASSWORD, role=Role.LINE_OFFICER, lines=["A1"])
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.authenticate("off", "nope nope")
    assert accounts.is_locked("off")
    accounts.unlock("off")
    assert not accounts.is_locked("off")
    assert accounts.authenticate("off", PASSWORD).role is Role.LINE_OFFICER


def test_a_right_password_resets_the_failure_count(accounts: Accounts) -> None:
    """Four failures, a success, four failures: not locked (the count is of consecutive failures)."""
    accounts.create(username="off", password=PASSWORD, role=Role.AREA_HEAD, area="A")
    for _ in range(2):
        for _ in range(4):
            with pytest.raises(LoginRefused):
                accounts.authenticate("off", "nope nope")
        accounts.authenticate("off", PASSWORD)
    assert not accounts.is_locked("off")


def test_unknown_user_and_bad_fields_are_refused_with_a_reason(accounts: Accounts) -> None:
    """Unknown users read like wrong passwords; a duplicate, a short password or a scope-less role is
    refused."""
    with pytest.raises(LoginRefused, match="wrong username or password"):
        accounts.authenticate("ghost", PASSWORD)
    accounts.create(username="a", password=PASSWORD, role=Role.ADMIN)
    with pytest.raises(AuthError, match="already exists"):
        accounts.create(username="a", password=PASSWORD, role=Role.ADMIN)
    with pytest.raises(AuthError, match="at least 8"):
        accounts.create(username="b", password="short", role=Role.ADMIN)
    with pytest.raises(AuthError, match="needs at least one line"):
        accounts.create(username="c", password=PASSWORD, role=Role.LINE_OFFICER)
    with pytest.raises(AuthError, match="needs an area"):
        accounts.create(username="d", password=PASSWORD, role=Role.AREA_HEAD)
    with pytest.raises(AuthError, match="username"):
        accounts.create(username="has space", password=PASSWORD, role=Role.ADMIN)


def test_scope_rules_of_each_role(accounts: Accounts) -> None:
    """Line officers see their lines, area heads their area, labor section and admin everything."""
    off = accounts.create(username="off", password=PASSWORD, role=Role.LINE_OFFICER, lines=["A1"])
    head = accounts.create(username="head", password=PASSWORD, role=Role.AREA_HEAD, area="A")
    labor = accounts.create(username="labor", password=PASSWORD, role=Role.LABOR_SECTION)
    assert off.may_see_line("A1", "A")
    assert not off.may_see_line("A2", "A")
    assert off.may_see_area("A", ["A1", "A2"])
    assert not off.may_see_area("B", ["B1"])
    assert head.may_see_line("A2", "A")
    assert not head.may_see_line("B1", "B")
    assert head.may_see_area("A", [])
    assert not head.may_see_area("B", ["B1"])
    assert labor.may_see_line("B1", "B")
    assert labor.may_see_area("B", ["B1"])


def test_every_account_error_has_chinese_and_english_words() -> None:
    """The keys hub/web/auth.py raises are registered in both languages; the English is the CLI's."""
    source = Path(auth.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r'"(auth\.err\.[a-z_]+)"', source))
    assert len(keys) >= 10
    assert sorted(k for k in keys if not auth_texts.TEXTS.get(k, {}).get("en")) == []
    assert sorted(k for k in keys if not auth_texts.TEXTS.get(k, {}).get("zh")) == []
    err = AuthError("auth.err.no_user", username="ghost")
    assert (str(err), err.text("zh")) == ("no user 'ghost'", "没有用户 ghost")
    assert LoginRefused(locked=True).text("zh") == "账户已锁定"
