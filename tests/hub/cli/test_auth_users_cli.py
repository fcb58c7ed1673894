"""`floorledger users add|list|unlock` as an operator runs it: real processes, SQLite and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import termios
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from hub.accounts import Role
from hub.store import db as hub_db
from hub.store.schema import prepare
from hub.web.auth import Accounts, LoginRefused

PASSWORD = "pass word 123"
FLOORLEDGER = [sys.executable, "-m", "floorledger"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FLOORLEDGER, *args], capture_output=True, text=True, timeout=60, check=False)


def accounts_of(url: str) -> tuple[peewee.Database, Accounts]:
    database = hub_db.connect(url)
    prepare(database)
    return database, Accounts(database)


def test_add_from_a_password_file_then_list_and_sign_in(tmp_path: Path) -> None:
    """The first admin and a line officer are created; `list` shows role and scope; the password works."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    made = run(
        "users", "add", "--db", url, "--username", "admin", "--role", "admin", "--password-file", str(secret)
    )
    assert made.returncode == 0, made.stderr
    assert "created admin (admin)" in made.stdout
    made = run(
        "users", "add", "--db", url, "--username", "wang", "--role", "line_officer", "--name", "王警官",
        "--lines", "A1,A2", "--password-file", str(secret),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    listed = run("users", "list", "--db", url)
    assert listed.stdout.splitlines() == [
        "admin\tadmin\tall\tok\tadmin",
        "wang\tline_officer\tA1,A2\tok\t王警官",
    ]
    database, accounts = accounts_of(url)
    assert accounts.authenticate("wang", PASSWORD).lines == ("A1", "A2")
    database.close()


def test_bad_input_gets_one_line_and_creates_nothing(tmp_path: Path) -> None:
    """Unknown role, missing scope, short password, duplicate user: exit 2 with one line, no account."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    short = tmp_path / "short"
    short.write_text("abc")
    base = ["users", "add", "--db", url, "--username", "x"]
    for extra, message in (
        (["--role", "boss", "--password-file", str(secret)], "unknown role 'boss'"),
        (["--role", "area_head", "--password-file", str(secret)], "needs an area"),
        (["--role", "admin", "--password-file", str(short)], "at least 8"),
    ):
        result = run(*base, *extra)
        assert result.returncode == 2
        assert message in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert run(*base, "--role", "admin", "--password-file", str(secret)).returncode == 0
    again = run(*base, "--role", "admin", "--password-file", str(tmp_path / "missing"))
    assert again.returncode == 2
    assert "cannot read password file" in again.stderr
    database, accounts = accounts_of(url)
    assert [who.username for who, _ in accounts.list()] == ["x"]
    database.close()


def _pty_add(url: str, answers: list[str]) -> tuple[int, str]:
    """Run `users add` on a real pseudo-terminal (its controlling tty) and type `answers` at the prompts."""
    master, slave = os.openpty()

    def become_tty_owner() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        [*FLOORLEDGER, "users", "add", "--db", url, "--username", "chen", "--role", "labor_section"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=become_tty_owner,  # noqa: PLW1509 - single-threaded child set-up, nothing else
        close_fds=True,
    )
    os.close(slave)
    output = b""
    pending = list(answers)
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            prompts = output.count(b"password: ") + output.count(b"password again: ")
            if pending and prompts > len(answers) - len(pending):
                os.write(master, pending.pop(0).encode() + b"\n")
        status = proc.wait(timeout=30)
        return status, output.decode(errors="replace")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_password_prompt_asks_twice_and_refuses_a_mismatch(tmp_path: Path) -> None:
    """Typed twice the same at the terminal: created; two different passwords: refused, nothing created."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    status, output = _pty_add(url, [PASSWORD, PASSWORD + "x"])
    assert status == 2
    assert "the two passwords differ" in output
    status, output = _pty_add(url, [PASSWORD, PASSWORD])
    assert status == 0, output
    assert PASSWORD not in output  # never echoed
    database, accounts = accounts_of(url)
    assert accounts.authenticate("chen", PASSWORD).role is Role.LABOR_SECTION
    database.close()


def test_unlock_clears_a_lock_out(tmp_path: Path) -> None:
    """After five wrong passwords `list` shows LOCKED; `unlock` lets the right password in again."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    database, accounts = accounts_of(url)
    accounts.create(username="zhao", password=PASSWORD, role=Role.AREA_HEAD, area="A")
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.authenticate("zhao", "wrong wrong")
    assert "\tLOCKED\t" in run("users", "list", "--db", url).stdout
    unlocked = run("users", "unlock", "--db", url, "--username", "zhao")
    assert unlocked.returncode == 0, unlocked.stderr
    assert accounts.authenticate("zhao", PASSWORD).area == "A"
    assert run("users", "unlock", "--db", url, "--username", "ghost").returncode == 2
    database.close()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database of this test's own on the machine's server, dropped afterwards."""
    name = f"fl_web_{uuid.uuid4().hex[:12]}"
    admin = peewee.PostgresqlDatabase("postgres", user="postgres", host="127.0.0.1", port=5432)
    admin.connect()
    admin.connection().autocommit = True
    admin.execute_sql(f"CREATE DATABASE {name}")
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


@pytest.mark.postgres
def test_accounts_and_lock_out_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """The same CLI and lock-out against PostgreSQL: created, locked after five failures, unlocked."""
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD)
    made = run("users", "add", "--db", postgres_url, "--username", "admin", "--role", "admin",
               "--password-file", str(secret))  # fmt: skip
    assert made.returncode == 0, made.stderr
    database, accounts = accounts_of(postgres_url)
    for _ in range(5):
        with pytest.raises(LoginRefused):
            accounts.authenticate("admin", "wrong wrong")
    assert accounts.is_locked("admin")
    assert run("users", "unlock", "--db", postgres_url, "--username", "admin").returncode == 0
    assert accounts.authenticate("admin", PASSWORD).role is Role.ADMIN
    database.close()
