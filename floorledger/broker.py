"""A private Mosquitto process on a chosen port: for tests that must stop a broker, and for the demo."""

from __future__ import annotations

import contextlib
import ctypes
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path


class BrokerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could listen on `port` now (nothing else bound to it)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def free_ports(count: int, avoid: Iterable[int] = ()) -> int:
    """The first of `count` consecutive free ports, none of them in `avoid` (the demo's kiosk
    screens take consecutive ports; single free ports picked one by one can collide with them)."""
    avoided = set(avoid)
    for _ in range(200):
        base = free_port()
        run = range(base, base + count)
        if base + count <= 65536 and not avoided.intersection(run) and all(port_free(p) for p in run):
            return base
    raise OSError(f"no run of {count} free ports found")


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that makes the child receive SIGTERM when the process starting it dies, even
    by `kill -9`, which leaves no chance to stop children (Linux: prctl PR_SET_PDEATHSIG; None
    elsewhere). The signal follows the starting *thread*: start such children from the main thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl  # loaded before the fork, called after it
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def terminate(proc: subprocess.Popen[bytes] | None, grace_s: float = 5.0) -> None:
    """Ask a broker process to stop; kill it when it has not within `grace_s`."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )


class MosquittoProcess:
    """Mosquitto listening on 127.0.0.1:`port`; `stop`, `kill` and `start` again on the same port."""

    def __init__(
        self, port: int | None = None, workdir: Path | None = None, *, with_parent: bool = False
    ) -> None:
        binary = mosquitto_binary()
        if binary is None:
            raise BrokerError("mosquitto is not installed")
        self.binary = binary
        self.with_parent = with_parent  # dies when the process that started it dies (the demo)
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self._own_dir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="fl-mosquitto-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config = self.workdir / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\n"
            "allow_anonymous true\n"
            "max_queued_messages 200000\n"
            "max_inflight_messages 100\n"
            "persistence false\n"
            f"log_dest file {self.workdir / 'mosquitto.log'}\n"
            # Started as root, Mosquitto switches to the user `mosquitto`, and the kernel forgets the
            # parent-death signal at any change of user: stay the user that started it.
            + (f"user {pwd.getpwuid(os.geteuid()).pw_name}\n" if with_parent else ""),
            encoding="ascii",
        )
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._proc = subprocess.Popen(
            [self.binary, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=die_with_parent() if self.with_parent else None,
        )
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port, 0.2):
            if self._proc.poll() is not None:
                raise BrokerError(f"mosquitto exited with {self._proc.returncode}; see {self.workdir}")
            if time.monotonic() > deadline:
                self.kill()
                raise BrokerError(f"mosquitto did not listen on port {self.port} within {timeout} s")
            time.sleep(0.05)

    def stop(self) -> None:
        terminate(self._proc)
        self._proc = None

    def kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(5)
        self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def close(self) -> None:
        self.stop()
        if self._own_dir:
            with contextlib.suppress(OSError):
                shutil.rmtree(self.workdir)


def embedded_broker_available() -> bool:
    """Whether amqtt (the pure-Python broker the demo falls back to) is installed."""
    try:
        import amqtt  # noqa: F401
    except ImportError:
        return False
    return True


class EmbeddedBroker:
    """amqtt, a pure-Python MQTT 3.1.1 broker, in a process of its own on 127.0.0.1:`port`.

    For the demo on a machine without Mosquitto: clients reach it with `url` (which says
    `?mqtt=3.1.1`). It carries about 3,000 QoS-1 messages/s here, ample for a demo floor; the real
    site, the tests and the benchmarks use Mosquitto.
    """

    def __init__(
        self, port: int | None = None, workdir: Path | None = None, *, with_parent: bool = False
    ) -> None:
        self.with_parent = with_parent
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="fl-amqtt-"))
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config = self.workdir / "amqtt.yaml"
        self.config.write_text(
            f"listeners:\n  default:\n    type: tcp\n    bind: {self.host}:{self.port}\n", encoding="ascii"
        )
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}?mqtt=3.1.1"

    def start(self, timeout: float = 20.0) -> None:
        log = (self.workdir / "amqtt.log").open("ab")
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "amqtt.scripts.broker_script", "-c", str(self.config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent() if self.with_parent else None,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while not port_open(self.host, self.port, 0.2):
            if self._proc.poll() is not None:
                raise BrokerError(
                    f"the embedded broker exited with {self._proc.returncode}; see {self.workdir}"
                )
            if time.monotonic() > deadline:
                self.close()
                raise BrokerError(
                    f"the embedded broker did not listen on port {self.port} within {timeout} s"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        terminate(self._proc)
        self._proc = None

    close = stop
