"""`floorledger demo`: a whole floor on one machine — broker, hub, three kiosks with simulated
devices and a simulated operator, wall boards and the dashboard."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run a complete demo floor: broker, hub, kiosks, wall boards, dashboard",
        description=(
            "Starts an MQTT broker (--broker URL, else Mosquitto when installed, else the embedded "
            "amqtt), a hub seeded with a "
            "realistic site and a month of history, three kiosks whose simulated badge readers, "
            "scanners and unit counters are driven by a simulated operator, the wall boards and the "
            "dashboard. "
            "Ctrl-C stops everything."
        ),
    )
    p.add_argument("--data", type=Path, help="keep the demo's state in DIR between runs (default: temp)")
    p.add_argument("--speed", type=float, default=5.0, help="how fast the simulated floor works (default 5)")
    p.add_argument(
        "--broker",
        help="use this broker URL instead of starting one (mqtt://host:port), or 'embedded' for amqtt",
    )
    p.add_argument("--host", default="127.0.0.1", help="address the web pages listen on")
    p.add_argument("--hub-port", type=int, default=8080, help="dashboard and wall boards (default 8080)")
    p.add_argument("--kiosk-port", type=int, default=8091, help="first kiosk screen port (default 8091)")
    p.add_argument("--seconds", type=float, help="stop by itself after this many seconds")
    p.add_argument("--seed", type=int, default=1, help="the seed of the generated site (default 1)")
    p.add_argument(
        "--rule-book",
        choices=("v1", "v2"),
        default="v2",
        help="a fresh site's rule book this month (default v2: rated posts, a trainee, an exempt "
        "inmate, grades and a deduction; last month stays v1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from floorledger.demo.orchestrator import Demo, DemoOptions

    options = DemoOptions(
        data=args.data,
        speed=args.speed,
        broker=args.broker,
        host=args.host,
        hub_port=args.hub_port,
        kiosk_port=args.kiosk_port,
        seconds=args.seconds,
        seed=args.seed,
        rule_book=args.rule_book,
    )
    return Demo(options).run()
