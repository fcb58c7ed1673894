"""`floorledger kiosk --config FILE`: load the config, assemble the kiosk and run it until stopped."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from floorledger.base.errors import CliError
from kiosk.errors import KioskError


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "kiosk",
        help="run a line kiosk (touchscreen, devices, store-and-forward uplink)",
        description="Run a line kiosk from its TOML config file (see docs/kiosk.md for the fields).",
    )
    parser.add_argument("--config", type=Path, required=True, metavar="FILE", help="the kiosk's TOML config")
    parser.add_argument(
        "--simulate-devices",
        action="store_true",
        help="use in-process device simulations instead of opening the configured ports",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so `floorledger --help` does not pay for NiceGUI.
    from kiosk.app import KioskApp
    from kiosk.config import load_config

    config = load_config(args.config)
    kiosk = KioskApp(config, simulated_devices=args.simulate_devices)
    try:
        kiosk.run()
    except KioskError as err:
        if isinstance(err, CliError):
            raise
        raise CliError(str(err)) from err
    finally:
        kiosk.stop()
    return 0
