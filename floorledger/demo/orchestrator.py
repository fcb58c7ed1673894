"""Starts and stops the demo floor: broker, seeded hub, kiosks; prints where to look.

Every part runs as it would on a real site — the hub and each kiosk are their own processes
started through the same commands an installer uses — so the demo exercises the real code paths.
Only the people are simulated (`floorledger.demo.operator`) and the hardware (pty simulators).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from floorledger import keyfile
from floorledger.base.errors import CliError
from floorledger.broker import (
    EmbeddedBroker,
    MosquittoProcess,
    die_with_parent,
    embedded_broker_available,
    free_port,
    mosquitto_binary,
    port_free,
    port_open,
)
from floorledger.demo.site import DEMO_OFFICERS, SITE, KioskSpec, prepare_site

log = logging.getLogger(__name__)

ADMIN_USER = "admin"
ADMIN_PASSWORD = "demo-2026"  # noqa: S105 - a demo login printed on screen, not a secret
START_TIMEOUT = 90.0
EMBEDDED = "embedded"  # --broker embedded: the pure-Python broker even where Mosquitto is installed
MAX_KIOSKS = 16  # kiosk screens take consecutive ports from --kiosk-port
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopDemo(Exception):
    """A stop signal (SIGTERM, SIGHUP) arrived: leave whatever the demo was doing and stop it."""


def _raise_stop(signum: int, frame: object) -> None:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise StopDemo(signal.Signals(signum).name)


def stream_closed(stream: TextIO) -> bool:
    """Whether the reader of `stream` has gone (a pipe whose other end is closed, a hung-up
    terminal or socket), without writing to it. A file or /dev/null never closes."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoOptions:
    data: Path | None = None
    speed: float = 5.0
    broker: str | None = None
    host: str = "127.0.0.1"
    hub_port: int = 8080
    kiosk_port: int = 8091
    seconds: float | None = None
    seed: int = 1
    kiosk_lines: tuple[str, ...] | None = None  # run kiosk processes only for these lines (benchmarks)
    rule_book: str = "v1"  # a fresh site's rule book this month (`floorledger demo` says v2)


def child_env() -> dict[str, str]:
    """The environment for child processes, without a test harness's variables: a NiceGUI server
    started from pytest would otherwise believe it runs under NiceGUI's own test fixtures."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}


class Demo:
    def __init__(self, options: DemoOptions) -> None:
        self.options = options
        self.data = (
            options.data.resolve() if options.data else Path(tempfile.mkdtemp(prefix="floorledger-demo-"))
        )
        self.temporary = options.data is None
        self.broker: MosquittoProcess | EmbeddedBroker | None = None
        self.broker_url = ""
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.kiosks: list[KioskSpec] = []
        self.tokens: dict[str, str] = {}
        self.stdout_closed = False

    # -- run ---------------------------------------------------------------------------------------

    def run(self) -> int:
        """Run until --seconds pass, a signal (SIGINT, SIGTERM, SIGHUP) arrives or stdout is closed
        (`floorledger demo | head`), then stop every child, however the run ended. A `kill -9` of
        the demo leaves no chance to stop them: each child then gets SIGTERM from the kernel
        (`die_with_parent`)."""
        previous = {sig: signal.signal(sig, _raise_stop) for sig in STOP_SIGNALS}
        try:
            self.start()
            self.say(self.urls())
            deadline = None if self.options.seconds is None else time.monotonic() + self.options.seconds
            while deadline is None or time.monotonic() < deadline:
                dead = [(name, proc.returncode) for name, proc in self.children if proc.poll() is not None]
                if dead:
                    name, code = dead[0]
                    self.say(
                        f"{name} stopped unexpectedly (exit {code}); see its log in {self.data}", sys.stderr
                    )
                    return 1
                if self.stdout_closed or stream_closed(sys.stdout):
                    return 0  # nobody reads any more: stop quietly
                time.sleep(0.5)
            return 0
        except (KeyboardInterrupt, StopDemo):
            return 0
        finally:
            # A second Ctrl-C or SIGTERM must not cut the stop short and leave children behind.
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)
            try:
                self.say("stopping the demo ...")
                self.stop()
                self.say("demo stopped")
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)

    def say(self, text: str, stream: TextIO | None = None) -> None:
        """Print to stdout (or `stream`); once the reader has gone (BrokenPipeError), print nothing
        more, and point the descriptor at /dev/null so the interpreter's last flush does not fail."""
        out = stream or sys.stdout
        if self.stdout_closed and out is sys.stdout:
            return
        try:
            print(text, file=out, flush=True)
        except (BrokenPipeError, ValueError):
            if out is sys.stdout:
                self.stdout_closed = True
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, out.fileno())
                os.close(devnull)

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        self.start_broker()
        hub_config = self.prepare_hub()
        self.check_ports()
        self.spawn(
            "hub",
            [sys.executable, "-m", "floorledger", "hub", "--config", str(hub_config)],
            self.data / "hub",
        )
        for spec in self.running_kiosks():
            config = spec.folder / "kiosk.toml"
            argv = [
                sys.executable,
                "-m",
                "floorledger.demo.kiosk_runner",
                "--config",
                str(config),
                "--speed",
                str(self.options.speed),
                "--seed",
                str(self.options.seed),
            ]
            self.spawn(f"kiosk {spec.kiosk}", argv, spec.folder)
        self.wait_for_ports()

    # -- parts -------------------------------------------------------------------------------------

    def start_broker(self) -> None:
        """The broker given, else Mosquitto when installed, else the embedded amqtt (MQTT 3.1.1)."""
        embedded = self.options.broker == EMBEDDED or (not self.options.broker and mosquitto_binary() is None)
        if self.options.broker and not embedded:
            self.broker_url = self.options.broker
            return
        # A free port that is not one the demo's own web servers are about to take.
        taken = {self.options.hub_port, *(self.options.kiosk_port + i for i in range(MAX_KIOSKS))}
        port = free_port()
        while port in taken:
            port = free_port()
        if embedded:
            if not embedded_broker_available():
                raise CliError(
                    "no MQTT broker: install Mosquitto (apt-get install mosquitto) or amqtt "
                    "(pip install amqtt), or pass --broker URL"
                )
            self.broker = EmbeddedBroker(port=port, workdir=self.data / "amqtt", with_parent=True)
        else:
            self.broker = MosquittoProcess(port=port, workdir=self.data / "mosquitto", with_parent=True)
        self.broker.start()
        self.broker_url = self.broker.url

    def prepare_hub(self) -> Path:
        """Hub config, key and database; seeded with a site and a month of history on first run."""
        folder = self.data / "hub"
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / "hub.toml"
        config.write_text(
            "\n".join(
                [
                    f'site = "{SITE}"',
                    'key_file = "hub.key"',
                    'database = "hub.sqlite3"',
                    f'broker = "{self.broker_url}"',
                    'timezone = "Asia/Shanghai"',
                    "[web]",
                    f'host = "{self.options.host}"',
                    f"port = {self.options.hub_port}",
                    "[board]",
                    'privacy = "masked"',
                    "seconds_per_page = 8",
                    "",
                ]
            ),
            encoding="utf-8",
        )
        hub_signer, _ = keyfile.load_or_create(folder / "hub.key")
        site = prepare_site(
            folder / "hub.sqlite3",
            hub_signer=hub_signer,
            seed=self.options.seed,
            data=self.data,
            kiosk_port=self.options.kiosk_port,
            admin=(ADMIN_USER, ADMIN_PASSWORD),
            rule_book=self.options.rule_book,
        )
        self.tokens = site.tokens
        for spec in site.kiosks:
            self.kiosks.append(spec)
            self.write_kiosk_config(spec, hub_signer.public_key_b64)
        (folder / "demo.json").write_text(json.dumps({"tokens": self.tokens}, ensure_ascii=False, indent=1))
        return config

    def write_kiosk_config(self, spec: KioskSpec, hub_key_b64: str) -> None:
        spec.folder.mkdir(parents=True, exist_ok=True)
        (spec.folder / "kiosk.toml").write_text(
            "\n".join(
                [
                    f'kiosk_id = "{spec.kiosk}"',
                    f'site = "{SITE}"',
                    f'line = "{spec.line}"',
                    'key_file = "kiosk.key"',
                    'database = "kiosk.sqlite3"',
                    f'broker_url = "{self.broker_url}"',
                    f'hub_public_key = "{hub_key_b64}"',
                    'timezone = "Asia/Shanghai"',
                    'screen = "1024x600"',
                    f'ui_host = "{self.options.host}"',
                    f"ui_port = {spec.port}",
                    "[[devices]]",
                    'kind = "badge"',
                    'name = "badge0"',
                    f'url = "{spec.folder / "badge0"}"',
                    "[[devices]]",
                    'kind = "qr"',
                    'name = "scanner0"',
                    f'url = "{spec.folder / "scanner0"}"',
                    *self.counter_config(spec),
                    "",
                ]
            ),
            encoding="utf-8",
        )

    @staticmethod
    def counter_config(spec: KioskSpec) -> list[str]:
        """A serial unit counter at the station of `spec.counter_step` (its units go to its holder)."""
        if spec.counter_step is None:
            return []
        return [
            "[[devices]]",
            'kind = "counter"',
            'name = "counter0"',
            f'url = "{spec.folder / "counter0"}"',
            "[counter_steps]",
            f'counter0 = "{spec.counter_step}"',
        ]

    def spawn(self, name: str, argv: list[str], folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        logfile = (folder / "process.log").open("ab")
        proc = subprocess.Popen(
            argv,
            stdout=logfile,
            stderr=subprocess.STDOUT,
            env=child_env(),
            cwd=folder,
            start_new_session=True,
            preexec_fn=die_with_parent(),  # gone with the demo, even after `kill -9`
        )
        logfile.close()
        self.children.append((name, proc))

    def running_kiosks(self) -> list[KioskSpec]:
        wanted = self.options.kiosk_lines
        return [k for k in self.kiosks if wanted is None or k.line in wanted]

    def check_ports(self) -> None:
        """Refuse at once, naming the port, when a web port is taken (else a kiosk would die later)."""
        ports = [("--hub-port", "hub", self.options.hub_port)] + [
            ("--kiosk-port", f"kiosk {k.kiosk}", k.port) for k in self.running_kiosks()
        ]
        for option, name, port in ports:
            if not port_free(port, self.options.host):
                raise CliError(f"port {port} ({name}) is already in use: choose another {option}")

    def wait_for_ports(self) -> None:
        ports = [("hub", self.options.hub_port)] + [
            (f"kiosk {k.kiosk}", k.port) for k in self.running_kiosks()
        ]
        deadline = time.monotonic() + START_TIMEOUT
        for name, port in ports:
            while not port_open(self.options.host, port):
                crashed = [n for n, p in self.children if p.poll() is not None]
                if crashed:
                    raise CliError(f"{crashed[0]} exited during start-up; see process.log in {self.data}")
                if time.monotonic() > deadline:
                    raise CliError(f"{name} did not listen on port {port} within {START_TIMEOUT:.0f} s")
                time.sleep(0.2)

    def urls(self) -> str:
        base = f"http://{self.options.host}:{self.options.hub_port}"
        lines = [
            "",
            "FloorLedger demo is running (Ctrl-C stops it).",
            f"  broker:     {self.broker_url}",
            f"  dashboard:  {base}/   login: {ADMIN_USER} / {ADMIN_PASSWORD} (users, kiosks, screens, audit)",
            f"              officers: {', '.join(u for u, *_ in DEMO_OFFICERS)} / {ADMIN_PASSWORD}"
            " (labor section, area head A1, line officer L1)",
        ]
        for target, token in sorted(self.tokens.items()):
            lines.append(f"  wall board: {base}/board/{target}?token={token}")
        for spec in self.running_kiosks():
            lines.append(f"  kiosk {spec.kiosk} ({spec.line_name}): http://{self.options.host}:{spec.port}/")
        lines.append(f"  data:       {self.data}")
        return "\n".join(lines)

    def stop(self) -> None:
        """Kiosks first, then the hub, then the broker: the reverse of the start. Each child is its
        own process group (its own children go with it); one that ignores SIGTERM is killed."""
        try:
            for _name, proc in reversed(self.children):
                if proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGTERM)
            for _name, proc in reversed(self.children):
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
            self.children.clear()
        finally:
            if self.broker is not None:
                self.broker.stop()
                self.broker = None
            if self.temporary:
                shutil.rmtree(self.data, ignore_errors=True)
