"""Officers' accounts: roles and scope, scrypt password hashes, lock-out after repeated failures.

Pure account logic lives here with the peewee model; the NiceGUI session and the page/action guards
that use it are in `hub.web.guard`. Time is injected (`clock` returns epoch milliseconds) so tests can
step past a lock-out or an idle timeout without sleeping.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Sequence

import peewee

from hub.accounts import Principal, Role
from hub.errors import HubError
from hub.store.db import write_transaction
from hub.store.web import DISPLAY_NAME_MAX, USERNAME_MAX, User
from hub.web import auth_texts as auth_texts  # registers the keys raised here

Clock = Callable[[], int]

MAX_FAILURES = 5
DEFAULT_LOCK_MS = 15 * 60 * 1000
PASSWORD_MIN = 8
PASSWORD_MAX = 1024  # scrypt cost is per byte of input only marginally, but no one needs more

# scrypt at n=2**14, r=8: 16 MiB of memory per hash and about 50 ms here; parameters are stored with
# each hash, so raising them later re-hashes nothing and locks no one out.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32


def wall_ms() -> int:
    return time.time_ns() // 1_000_000


class AuthError(HubError):
    """An account operation a user asked for and cannot have; `text(lang)` says why, `str()` in English."""


class LoginRefused(AuthError):
    """Wrong username/password or a locked account. `locked` says which, for the message only."""

    def __init__(self, *, locked: bool) -> None:
        super().__init__("auth.err.locked" if locked else "auth.err.wrong")
        self.locked = locked


# --- password hashing -------------------------------------------------------------------------------


def hash_password(password: str) -> str:
    """`scrypt$n$r$p$salt_hex$hash_hex`: salt and parameters travel with the hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=SCRYPT_DKLEN
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_hex, hash_hex = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = bytes.fromhex(hash_hex)
        digest = hashlib.scrypt(
            password.encode(),
            salt=bytes.fromhex(salt_hex),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=256 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


@functools.cache
def _dummy_hash() -> str:
    """A hash of nothing anyone knows: an unknown username costs the same scrypt as a known one, so
    the answer time does not tell an attacker which usernames exist."""
    return hash_password(secrets.token_hex(16))


# --- validation ------------------------------------------------------------------------------------


def parse_role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        raise AuthError("auth.err.role", role=text, roles=", ".join(r.value for r in Role)) from None


def _check_fields(
    username: str, display_name: str, role: Role, lines: Sequence[str], area: str | None
) -> None:
    if not username or len(username) > USERNAME_MAX or not username.isprintable() or " " in username:
        raise AuthError("auth.err.username", max=USERNAME_MAX)
    if not display_name.strip() or len(display_name) > DISPLAY_NAME_MAX:
        raise AuthError("auth.err.display_name", max=DISPLAY_NAME_MAX)
    if role is Role.LINE_OFFICER and not lines:
        raise AuthError("auth.err.lines_needed")
    if role is Role.AREA_HEAD and not area:
        raise AuthError("auth.err.area_needed")
    if any("," in line or not line.strip() for line in lines):
        raise AuthError("auth.err.lines_form")


def check_password_rules(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AuthError("auth.err.password_short", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise AuthError("auth.err.password_long", max=PASSWORD_MAX)


# --- the service -----------------------------------------------------------------------------------


class Accounts:
    """Account operations on a bound `User` table. Every method is one short transaction."""

    def __init__(
        self,
        db: peewee.Database,
        *,
        clock: Clock = wall_ms,
        lock_ms: int = DEFAULT_LOCK_MS,
        max_failures: int = MAX_FAILURES,
    ) -> None:
        self.db = db
        self.clock = clock
        self.lock_ms = lock_ms
        self.max_failures = max_failures

    def create(
        self,
        *,
        username: str,
        password: str,
        role: Role,
        display_name: str | None = None,
        lines: Sequence[str] = (),
        area: str | None = None,
    ) -> Principal:
        name = display_name if display_name is not None else username
        _check_fields(username, name, role, lines, area)
        check_password_rules(password)
        digest = hash_password(password)  # slow on purpose: outside the write lock
        with write_transaction(self.db):
            if User.select().where(User.username == username).exists():
                raise AuthError("auth.err.exists", username=username)
            user = User.create(
                username=username,
                display_name=name,
                role=role.value,
                lines=",".join(lines),
                area=area,
                password_hash=digest,
                created_ms=self.clock(),
            )
        return _principal(user)

    def authenticate(self, username: str, password: str) -> Principal:
        """The principal for a right password; `LoginRefused` otherwise (counts the failure)."""
        now = self.clock()
        user = User.get_or_none(User.username == username)
        if user is None or not user.active:
            verify_password(password, _dummy_hash())
            raise LoginRefused(locked=False)
        if user.locked_until_ms is not None and now < user.locked_until_ms:
            raise LoginRefused(locked=True)
        if verify_password(password, user.password_hash):
            with write_transaction(self.db):
                User.update(failed_attempts=0, locked_until_ms=None).where(User.id == user.id).execute()
            return _principal(user)
        with write_transaction(self.db):
            # Counted in SQL so two browsers guessing at once cannot both slip under the limit.
            User.update(failed_attempts=User.failed_attempts + 1).where(User.id == user.id).execute()
            failures = User.get_by_id(user.id).failed_attempts
            locked = failures >= self.max_failures
            if locked:
                User.update(locked_until_ms=now + self.lock_ms, failed_attempts=0).where(
                    User.id == user.id
                ).execute()
        if locked:
            raise LoginRefused(locked=True)
        raise LoginRefused(locked=False)

    def principal(self, username: str) -> Principal | None:
        """The current principal for a session, or None when the account is gone, inactive or locked."""
        user = User.get_or_none(User.username == username)
        if user is None or not user.active:
            return None
        if user.locked_until_ms is not None and self.clock() < user.locked_until_ms:
            return None
        return _principal(user)

    def is_locked(self, username: str) -> bool:
        user = User.get_or_none(User.username == username)
        return bool(user and user.locked_until_ms is not None and self.clock() < user.locked_until_ms)

    def unlock(self, username: str) -> None:
        with write_transaction(self.db):
            changed = (
                User.update(failed_attempts=0, locked_until_ms=None)
                .where(User.username == username)
                .execute()
            )
        if not changed:
            raise AuthError("auth.err.no_user", username=username)

    def set_password(self, username: str, password: str) -> None:
        check_password_rules(password)
        digest = hash_password(password)  # slow on purpose: outside the write lock
        with write_transaction(self.db):
            changed = User.update(password_hash=digest).where(User.username == username).execute()
        if not changed:
            raise AuthError("auth.err.no_user", username=username)

    def update(
        self,
        username: str,
        *,
        role: Role,
        display_name: str,
        lines: Sequence[str] = (),
        area: str | None = None,
    ) -> Principal:
        """A new role, name or scope for an account; its open sessions see it on their next request
        (the guards re-read the principal every time). The last active admin keeps the admin role."""
        _check_fields(username, display_name, role, lines, area)
        with write_transaction(self.db):
            user = User.get_or_none(User.username == username)
            if user is None:
                raise AuthError("auth.err.no_user", username=username)
            if user.role == Role.ADMIN.value and role is not Role.ADMIN:
                self._keep_an_admin(username)
            User.update(
                role=role.value,
                display_name=display_name,
                lines=",".join(lines) if role is Role.LINE_OFFICER else "",
                area=area if role is Role.AREA_HEAD else None,
            ).where(User.id == user.id).execute()
            return _principal(User.get_by_id(user.id))

    def set_active(self, username: str, active: bool) -> None:
        """Disable an account (it cannot log in and its sessions end at their next request) or enable
        it again. Accounts are never deleted: the ledger names them. The last active admin stays."""
        with write_transaction(self.db):
            user = User.get_or_none(User.username == username)
            if user is None:
                raise AuthError("auth.err.no_user", username=username)
            if not active and user.role == Role.ADMIN.value:
                self._keep_an_admin(username)
            User.update(active=active).where(User.id == user.id).execute()

    def _keep_an_admin(self, username: str) -> None:
        others = User.select().where(
            (User.role == Role.ADMIN.value) & User.active & (User.username != username)
        )
        if not others.exists():
            raise AuthError("auth.err.last_admin")

    def is_active(self, username: str) -> bool:
        user = User.get_or_none(User.username == username)
        return bool(user and user.active)

    def list(self) -> list[tuple[Principal, bool]]:
        """Every account with whether it is locked now, by username."""
        now = self.clock()
        return [
            (_principal(u), u.locked_until_ms is not None and now < u.locked_until_ms)
            for u in User.select().order_by(User.username)
        ]


def _principal(user: User) -> Principal:
    return Principal(
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        lines=tuple(x for x in user.lines.split(",") if x),
        area=user.area,
    )
