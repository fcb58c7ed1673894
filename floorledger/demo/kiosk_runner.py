"""One demo kiosk process: the real `KioskApp` with pty-simulated devices and a simulated operator.

python -m floorledger.demo.kiosk_runner --config kiosk.toml --speed 5
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import zlib
from pathlib import Path

from nicegui import app

from devices.simulators import BadgeReaderSimulator, CodeScannerSimulator, SerialCounterSimulator
from floorledger.base.errors import CliError
from floorledger.demo.operator import Operator
from kiosk.app import KioskApp
from kiosk.config import load_config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="floorledger.demo.kiosk_runner")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--speed", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    try:
        config = load_config(args.config)
    except CliError as err:
        print(f"demo kiosk: {err}", file=sys.stderr)
        return 2
    folder = args.config.parent
    badge = BadgeReaderSimulator(link=folder / "badge0")
    scanner = CodeScannerSimulator(link=folder / "scanner0")
    counter = None
    if "counter0" in config.counter_steps:
        # like a real counter, the simulated one keeps its total while the kiosk is off
        counter = SerialCounterSimulator(link=folder / "counter0", initial_total=_saved_total(folder))
    kiosk = KioskApp(config)
    operator = Operator(
        lambda: kiosk.controller,
        badge,
        scanner,
        speed=args.speed,
        seed=args.seed * 1000 + zlib.crc32(config.kiosk_id.encode()),
        counter=counter,
        counter_step=config.counter_steps.get("counter0"),
        on_count=(lambda total: (folder / COUNTER_TOTAL_FILE).write_text(str(total))) if counter else None,
    )
    tasks: list[asyncio.Task[None]] = []

    def start_operator() -> None:
        tasks.append(asyncio.get_running_loop().create_task(operator.run()))

    def stop_operator() -> None:
        for task in tasks:
            task.cancel()

    app.on_startup(start_operator)
    app.on_shutdown(stop_operator)
    try:
        kiosk.run()
    finally:
        badge.close()
        scanner.close()
        if counter is not None:
            counter.close()
    return 0


COUNTER_TOTAL_FILE = "counter0.total"


def _saved_total(folder: Path) -> int:
    try:
        return int((folder / COUNTER_TOTAL_FILE).read_text())
    except (OSError, ValueError):
        return 0


if __name__ == "__main__":
    sys.exit(main())
