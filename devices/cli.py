"""`floorledger devices simulate` and `floorledger devices watch`: try devices by hand.

`simulate` plays a device on a pseudo-terminal and prints its path (first line of stdout) for a
driver to open; `watch` opens a driver on a real or simulated port and prints every event it emits,
one line each, until Ctrl-C: what an installer runs to check a reader before the kiosk uses it.
"""

from __future__ import annotations

import argparse
import queue
import shlex
import sys
import threading
import time
from collections.abc import Callable
from itertools import count as counting_from
from typing import Any, Protocol

from devices.config import CONFIG_CLASSES, config_from_strings, settings_help
from devices.errors import DeviceConfigError
from devices.events import DeviceEvent, format_event
from floorledger.base.errors import CliError

KINDS = tuple(CONFIG_CLASSES)

SIMULATE_HELP = """\
The first line on stdout is the path to point a driver at; messages go to stderr.
Then type one command per line (or give --every to generate frames on a timer):

  badge    a card number, decimal (1001) or hex with 0x (0x0F00A1B2C3, 40 bits for EM4100)
           noise            send line noise
  qr       any text         sent as a scanned code
           ticket PRODUCT STEP BUNDLE UNITS   a bundle ticket (FLB1|product=...)
           person ID        a person code (FLP1|person=ID)
           noise            send line noise
  counter, modbus
           (empty line)     count 1 unit;  N or +N  count N units
           reset            power cycle: the total restarts at 0
           set N            preset the total (e.g. 65530 to watch a 16-bit wrap)
           report           (counter) send the total again;  noise  (counter) send line noise
  any      unplug / replug  make the port disappear / come back;  quit  stop

Examples:
  floorledger devices simulate --kind badge --link /tmp/badge0
  floorledger devices watch /tmp/badge0 --kind badge
"""


class _Simulator(Protocol):
    @property
    def url(self) -> str: ...
    def unplug(self) -> None: ...
    def replug(self) -> None: ...
    def drain(self, timeout: float = ...) -> bool: ...
    def close(self) -> None: ...


def register(sub: Any) -> None:
    """Add the `devices` command and its subcommands to the `floorledger` parser."""
    parser = sub.add_parser(
        "devices",
        help="simulate or watch badge readers, QR scanners and unit counters",
        description="Simulate a device on a pseudo-terminal, or watch the events a real device produces.",
    )
    commands = parser.add_subparsers(dest="devices_command", metavar="SUBCOMMAND", required=True)

    simulate = commands.add_parser(
        "simulate",
        help="play a device on a pseudo-terminal and print its path",
        description="Play a badge reader, QR scanner or counter on a pseudo-terminal (speaking its real "
        "byte protocol) for a driver or `floorledger devices watch` to open.",
        epilog=SIMULATE_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument("--kind", required=True, choices=KINDS, help="which device to play")
    simulate.add_argument("--link", metavar="PATH", help="also keep a symlink at PATH pointing to the pty")
    simulate.add_argument(
        "--every",
        type=float,
        metavar="SECONDS",
        help="also send a frame every SECONDS: the next card of --cards, a new bundle ticket, or 1 unit",
    )
    simulate.add_argument(
        "--protocol", choices=("em4100", "ascii"), default="em4100", help="badge frame format"
    )
    simulate.add_argument(
        "--cards", default="1001,1002,1003", help="badge --every: card numbers to cycle through"
    )
    simulate.add_argument("--terminator", default=r"\r", help=r"qr: sent after each code (default \r)")
    simulate.add_argument("--start-total", type=int, default=0, help="counter/modbus: initial total")
    simulate.add_argument(
        "--modulus", type=int, default=2**32, help="counter: the total rolls over to 0 here (e.g. 65536)"
    )
    simulate.add_argument("--unit", type=int, default=1, help="modbus: device id")
    simulate.add_argument("--address", type=int, default=0, help="modbus: register address of the total")
    simulate.add_argument("--bits", type=int, choices=(16, 32), default=16, help="modbus: counter width")
    simulate.add_argument("--word-order", choices=("big", "little"), default="big", help="modbus, 32 bit")
    simulate.add_argument("--baudrate", type=int, default=9600, help="modbus: line speed of the server")
    simulate.set_defaults(func=run_simulate)

    watch = commands.add_parser(
        "watch",
        help="open a device and print every event it emits",
        description="Open URL with the driver for --kind and print each event as one line until Ctrl-C. "
        "Settings are given as -o KEY=VALUE (see below); strings take backslash escapes.",
        epilog=_settings_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    watch.add_argument(
        "url", help="port to open: /dev/ttyUSB0, /dev/serial/by-id/..., a pty path, socket://..."
    )
    watch.add_argument("--kind", required=True, choices=KINDS, help="which driver to use")
    watch.add_argument("--name", help="device name shown in events (default: KIND0)")
    watch.add_argument("--baudrate", type=int, help="line speed (default 9600)")
    watch.add_argument(
        "-o",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a driver setting",
    )
    watch.add_argument("--max-events", type=int, metavar="N", help="exit after printing N events")
    watch.add_argument("--timeout", type=float, metavar="SECONDS", help="exit after SECONDS")
    watch.set_defaults(func=run_watch)


def _settings_epilog() -> str:
    common = {name for name, _, _ in settings_help("badge")} & {
        name for name, _, _ in settings_help("modbus")
    }
    lines = ["settings (-o KEY=VALUE; name = default: meaning)", "  every kind"]
    lines += [
        f"    {name} = {default}: {text}" for name, default, text in settings_help("badge") if name in common
    ]
    for kind in KINDS:
        lines.append(f"  --kind {kind}")
        lines += [
            f"    {name} = {default}: {text}"
            for name, default, text in settings_help(kind)
            if name not in common
        ]
    return "\n".join(lines)


# -- watch -----------------------------------------------------------------------------------------


def run_watch(args: argparse.Namespace) -> int:
    """Print the events of one device until Ctrl-C, --max-events or --timeout."""
    # The drivers (serial, pymodbus: ~0.15 s) load only when this command runs, not for `--help`.
    from devices.factory import open_device

    values = {"name": args.name or f"{args.kind}0", "url": args.url}
    if args.baudrate is not None:
        values["baudrate"] = str(args.baudrate)
    for item in args.settings:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CliError(f"setting {item!r} is not KEY=VALUE")
        values[key.strip()] = value
    try:
        config = config_from_strings(args.kind, values)
    except DeviceConfigError as err:
        raise CliError(str(err)) from err

    events: queue.Queue[DeviceEvent] = queue.Queue()
    device = open_device(config, on_event=events.put)
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    print(f"watching {config.url} ({args.kind} {config.name}); Ctrl-C to stop", file=sys.stderr, flush=True)
    printed = 0
    device.start()
    try:
        while deadline is None or time.monotonic() < deadline:
            try:
                event = events.get(timeout=0.1)
            except queue.Empty:
                continue
            print(f"{time.strftime('%H:%M:%S')} {format_event(event)}", flush=True)
            printed += 1
            if args.max_events is not None and printed >= args.max_events:
                break
    except KeyboardInterrupt:
        pass
    finally:
        device.stop()
    return 0


# -- simulate --------------------------------------------------------------------------------------


def run_simulate(args: argparse.Namespace) -> int:
    """Play a device on a pty until `quit`, end of input (without --every) or Ctrl-C."""
    if args.every is not None and args.every <= 0:
        raise CliError("--every must be positive")
    try:
        simulator, command, tick, watch_hint = _build_simulator(args)
    except (OSError, ValueError, RuntimeError) as err:
        raise CliError(f"cannot start the simulator: {err}") from err
    lock = threading.Lock()
    stopping = threading.Event()
    ticker: threading.Thread | None = None
    try:
        print(simulator.url, flush=True)
        _say(f"{args.kind} simulator ready; point a driver at {simulator.url}")
        _say(f"  e.g. floorledger devices watch {simulator.url} --kind {args.kind}{watch_hint}")
        _say("type commands (see --help), Ctrl-C to stop")
        if args.every is not None:
            ticker = threading.Thread(
                target=_tick, args=(tick, args.every, lock, stopping), name="simulate-every", daemon=True
            )
            ticker.start()
        while True:
            line = sys.stdin.readline()
            if not line:  # end of input: with --every keep generating until Ctrl-C
                while ticker is not None and ticker.is_alive():
                    ticker.join(1.0)
                break
            text = line.strip()
            if text == "quit":
                break
            with lock:
                _run_command(simulator, command, text)
        simulator.drain(1.0)  # let a driver read the last frames before the port disappears
    except KeyboardInterrupt:
        pass
    finally:
        stopping.set()
        if ticker is not None:
            ticker.join(5)
        simulator.close()
    return 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _tick(action: Callable[[], str], every: float, lock: threading.Lock, stopping: threading.Event) -> None:
    while not stopping.wait(every):
        with lock:
            try:
                _say(action())
            except (OSError, TimeoutError) as err:
                _say(f"could not send: {err}")


def _run_command(simulator: _Simulator, command: Callable[[str], str], text: str) -> None:
    try:
        if text == "unplug":
            simulator.unplug()
            _say("unplugged")
        elif text == "replug":
            simulator.replug()
            _say(f"plugged in again at {simulator.url}")
        else:
            _say(command(text))
    except (ValueError, OSError, TimeoutError) as err:
        _say(f"? {err}")


_Built = tuple[_Simulator, Callable[[str], str], Callable[[], str], str]


def _build_simulator(args: argparse.Namespace) -> _Built:
    # The simulators (pymodbus's server) load only when `simulate` runs, not for `--help`.
    from devices.simulators import (
        BadgeReaderSimulator,
        CodeScannerSimulator,
        ModbusCounterSimulator,
        SerialCounterSimulator,
    )

    if args.kind == "badge":
        cards = [_card_number(text) for text in args.cards.split(",") if text.strip()]
        if not cards:
            raise ValueError("--cards needs at least one card number")
        badge = BadgeReaderSimulator(link=args.link, protocol=args.protocol)
        next_card = (cards[i % len(cards)] for i in counting_from())
        hint = " -o protocol=ascii" if args.protocol == "ascii" else ""
        return (
            badge,
            lambda text: _badge_command(badge, text),
            lambda: f"sent {badge.present(next(next_card))!r}",
            hint,
        )
    if args.kind == "qr":
        terminator = args.terminator.encode("latin-1", "backslashreplace").decode("unicode_escape")
        scanner = CodeScannerSimulator(link=args.link, terminator=terminator)
        bundles = counting_from(1)

        def next_ticket() -> str:
            data = scanner.scan_ticket(product="P1", step="S1", bundle_id=f"B{next(bundles):06d}", units=20)
            return f"sent {data!r}"

        return scanner, lambda text: _scanner_command(scanner, text), next_ticket, ""
    if args.kind == "counter":
        if args.modulus < 2:
            raise ValueError("--modulus must be at least 2")
        serial_counter = SerialCounterSimulator(
            link=args.link, initial_total=args.start_total, modulus=args.modulus
        )
        return (
            serial_counter,
            lambda text: _counter_command(serial_counter, text),
            lambda: f"sent {serial_counter.count(1)!r}",
            f" -o modulus={args.modulus}" if args.modulus != 2**32 else "",
        )
    modbus = ModbusCounterSimulator(
        link=args.link,
        unit=args.unit,
        address=args.address,
        bits=args.bits,
        word_order=args.word_order,
        baudrate=args.baudrate,
        initial_total=args.start_total,
    )

    def count_one() -> str:
        modbus.count(1)
        return f"total {modbus.total}"

    hint = (
        f" -o unit={args.unit} -o address={args.address} -o bits={args.bits} -o word_order={args.word_order}"
    )
    if args.baudrate != 9600:
        hint += f" --baudrate {args.baudrate}"
    return modbus, lambda text: _modbus_command(modbus, text), count_one, hint


def _card_number(text: str) -> int:
    text = text.strip()
    try:
        return int(text[2:], 16) if text.lower().startswith("0x") else int(text)
    except ValueError:
        raise ValueError(f"not a card number: {text!r} (decimal, or hex starting with 0x)") from None


def _badge_command(badge: Any, text: str) -> str:
    if not text:
        return "type a card number"
    if text == "noise":
        return f"sent noise {badge.noise()!r}"
    return f"sent {badge.present(_card_number(text))!r}"


def _scanner_command(scanner: Any, text: str) -> str:
    words = shlex.split(text) if text.startswith(("ticket ", "person ")) else [text]
    if words[0] == "ticket":
        if len(words) != 5 or not words[4].isdigit():
            return "usage: ticket PRODUCT STEP BUNDLE UNITS"
        data = scanner.scan_ticket(product=words[1], step=words[2], bundle_id=words[3], units=int(words[4]))
        return f"sent {data!r}"
    if words[0] == "person" and len(words) == 2:
        return f"sent {scanner.scan_person(words[1])!r}"
    if text == "noise":
        return f"sent noise {scanner.noise()!r}"
    if not text:
        return "type a code"
    return f"sent {scanner.scan(text)!r}"


def _units(text: str) -> int:
    if not text:
        return 1
    if not text.lstrip("+").isdigit():
        raise ValueError(f"not a number of units: {text!r}")
    return int(text.lstrip("+"))


def _counter_command(counter: Any, text: str) -> str:
    if text == "reset":
        return f"power cycled: sent {counter.power_cycle()!r}"
    if text.startswith("set "):
        return f"sent {counter.set_total(_units(text[4:].strip()))!r}"
    if text == "report":
        return f"sent {counter.report()!r}"
    if text == "noise":
        return f"sent noise {counter.noise()!r}"
    return f"sent {counter.count(_units(text))!r}"


def _modbus_command(counter: Any, text: str) -> str:
    if text == "reset":
        counter.power_cycle()
    elif text.startswith("set "):
        counter.set_total(_units(text[4:].strip()))
    else:
        counter.count(_units(text))
    return f"total {counter.total}"
