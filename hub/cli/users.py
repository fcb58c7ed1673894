"""`floorledger users add|list|unlock`: officers' accounts from the command line (the first admin too)."""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import UTC, datetime
from pathlib import Path

import peewee

from floorledger.base.errors import CliError
from hub.errors import HubError
from hub.store import db as hub_db
from hub.store.schema import prepare
from hub.web.auth import Accounts, AuthError, parse_role


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = sub.add_parser("users", help="officers' dashboard accounts: add, list, unlock")
    users_sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    add = users_sub.add_parser("add", help="create an account (password from a prompt, twice, or a file)")
    add.add_argument(
        "--db", required=True, help="hub database URL: a path, sqlite:///path or postgresql://..."
    )
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, help="line_officer | area_head | labor_section | admin")
    add.add_argument("--name", help="display name (default: the username)")
    add.add_argument("--lines", default="", help="a line officer's lines, comma separated: L1,L2")
    add.add_argument("--area", help="an area head's area")
    add.add_argument("--password-file", type=Path, help="read the password from this file (first line)")
    add.set_defaults(func=_add)

    listing = users_sub.add_parser("list", help="list accounts with role, scope and lock state")
    listing.add_argument("--db", required=True, help="hub database URL")
    listing.set_defaults(func=_list)

    unlock = users_sub.add_parser("unlock", help="clear a lock-out after repeated wrong passwords")
    unlock.add_argument("--db", required=True, help="hub database URL")
    unlock.add_argument("--username", required=True)
    unlock.set_defaults(func=_unlock)


def _accounts(url: str) -> tuple[peewee.Database, Accounts]:
    try:
        database = hub_db.connect(url)
        prepare(database)
    except HubError as err:
        raise CliError(str(err)) from err
    except (peewee.PeeweeException, OSError) as err:  # driver errors: one line, not a traceback
        raise CliError(f"cannot open database {url!r}: {err}") from err
    return database, Accounts(database)


def _db_failed(err: peewee.DatabaseError) -> CliError:
    """A driver error (e.g. SQLite still locked after the busy timeout) as one line, not a traceback."""
    first = str(err).splitlines()[0] if str(err) else type(err).__name__
    return CliError(f"the database refused: {first}")


def _read_password(path: Path | None) -> str:
    if path is not None:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as err:
            raise CliError(f"cannot read password file {path}: {err.strerror}") from err
        if not lines or not lines[0]:
            raise CliError(f"password file {path} is empty")
        return lines[0]
    if not sys.stdin.isatty():
        raise CliError("no terminal to prompt for the password; use --password-file")
    first = getpass.getpass("password: ")
    second = getpass.getpass("password again: ")
    if first != second:
        raise CliError("the two passwords differ")
    return first


def _add(args: argparse.Namespace) -> int:
    try:
        role = parse_role(args.role)
    except AuthError as err:
        raise CliError(str(err)) from err
    password = _read_password(args.password_file)
    database, accounts = _accounts(args.db)
    try:
        who = accounts.create(
            username=args.username,
            password=password,
            role=role,
            display_name=args.name,
            lines=[x.strip() for x in args.lines.split(",") if x.strip()],
            area=args.area,
        )
    except AuthError as err:
        raise CliError(str(err)) from err
    except peewee.DatabaseError as err:
        raise _db_failed(err) from err
    finally:
        database.close()
    print(f"created {who.username} ({who.role.value})")
    return 0


def _list(args: argparse.Namespace) -> int:
    database, accounts = _accounts(args.db)
    try:
        rows = accounts.list()
    except peewee.DatabaseError as err:
        raise _db_failed(err) from err
    finally:
        database.close()
    for who, locked in rows:
        scope = ",".join(who.lines) if who.lines else (who.area or "all")
        state = "LOCKED" if locked else "ok"
        print(f"{who.username}\t{who.role.value}\t{scope}\t{state}\t{who.display_name}")
    return 0


def _unlock(args: argparse.Namespace) -> int:
    database, accounts = _accounts(args.db)
    try:
        accounts.unlock(args.username)
    except AuthError as err:
        raise CliError(str(err)) from err
    except peewee.DatabaseError as err:
        raise _db_failed(err) from err
    finally:
        database.close()
    print(f"unlocked {args.username} at {datetime.now(UTC).isoformat(timespec='seconds')}")
    return 0
