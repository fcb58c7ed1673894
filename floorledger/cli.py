"""The `floorledger` command: parses arguments and hands over to the module that owns each subcommand.

Each subcommand lives beside the code it drives and exposes `register(subparsers)`; the handler it
sets as `func` takes the parsed arguments and returns the exit status. Errors meant for a user are
raised as `CliError` and printed as one line: a user never sees a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

import peewee

from floorledger import __version__
from floorledger.base.errors import CliError
from hub.errors import HubError

# Modules that own subcommands, in the order `--help` lists them. Each is imported only when the
# parser is built; a missing one is an error like any other import.
COMMAND_MODULES = (
    "floorledger.keys_cli",
    "floorledger.site_cli",
    "devices.cli",
    "hub.cli.scenario",
    "kiosk.cli",
    "hub.cli.hub",
    "hub.cli.audit",
    "hub.cli.bundle",
    "hub.cli.month_export",
    "hub.cli.paper",
    "hub.cli.report",
    "hub.cli.backup",
    "hub.cli.users",
    "floorledger.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="floorledger",
        description="FloorLedger: signed labor records and assessment for prison workshops.",
    )
    parser.add_argument("--version", action="version", version=f"floorledger {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


# Options whose value is a key in URL-safe base64, which starts with "-" once in 64 keys; argparse
# would take such a value for an option ("expected one argument"), so it is attached with "=".
KEY_OPTIONS = frozenset({"--hub-key-pub"})


def attach_key_values(argv: Sequence[str]) -> list[str]:
    """`--hub-key-pub -AbC…` as `--hub-key-pub=-AbC…`; everything else unchanged."""
    out: list[str] = []
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        if word in KEY_OPTIONS and i + 1 < len(words) and words[i + 1].startswith("-"):
            out.append(f"{word}={words[i + 1]}")
            i += 2
            continue
        out.append(word)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(attach_key_values(sys.argv[1:] if argv is None else argv))
    level = {0: logging.WARNING, 1: logging.INFO}.get(args.verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CliError as err:
        print(f"floorledger {args.command}: {err}", file=sys.stderr)
        return err.status
    except HubError as err:  # anything the hub refuses, in one line (English: the command line's language)
        print(f"floorledger {args.command}: {err}", file=sys.stderr)
        return 2
    except peewee.DatabaseError as err:  # the last net: a driver error is one line, never a traceback
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"floorledger {args.command}: the database refused: {first}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
