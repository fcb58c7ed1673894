"""Parts of the site test: the files `floorledger site init` wrote, moved to temporary places (only
paths and ports change), the real Mosquitto on them, and MQTT clients that present a certificate."""

from __future__ import annotations

import contextlib
import os
import pwd
import queue
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import mosquitto_binary, port_open, terminate
from floorledger.demo.orchestrator import child_env
from floorledger.site import layout

REPO = Path(__file__).resolve().parents[2]


def floorledger(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real `floorledger` command in its own interpreter; fails the test on a non-zero exit."""
    done = subprocess.run(
        [sys.executable, "-m", "floorledger", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
        check=False,
        env=child_env(),
    )
    assert done.returncode == 0, f"floorledger {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def install(src: Path, dst: Path, replacements: dict[str, str]) -> None:
    """Copy a machine's folder as the installer would, changing only `replacements` (paths, ports) in
    its config files; each replacement must match, and no other line changes."""
    shutil.copytree(src, dst, dirs_exist_ok=True)
    matched = dict.fromkeys(replacements, False)
    for path in dst.iterdir():
        if path.suffix not in (".toml", ".conf"):
            continue
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines(keepends=True)
        out = []
        for line in lines:
            new = line
            for old, repl in replacements.items():
                if old in new:
                    matched[old] = True
                    new = new.replace(old, repl)
            out.append(new)
        path.write_text("".join(out), encoding="utf-8")
    missing = [old for old, hit in matched.items() if not hit]
    assert not missing, f"{src}: nothing to replace for {missing}"


class SiteBroker:
    """Mosquitto started with the site's `mosquitto.conf`, its files in a private folder owned by
    the broker's user (as `install -o mosquitto` makes them), listening on `port`."""

    def __init__(self, site_dir: Path, port: int) -> None:
        binary = mosquitto_binary()
        assert binary is not None
        self.binary = binary
        self.port = port
        # not under pytest's tmp_path: its parents are 0700 root, which the mosquitto user cannot enter
        self.dir = Path(tempfile.mkdtemp(prefix="fl-site-broker-"))
        install(
            site_dir / layout.BROKER_DIR,
            self.dir,
            {
                str(layout.BROKER_FILES_ETC): str(self.dir),
                str(layout.BROKER_PERSISTENCE): str(self.dir / "persist"),
                f"listener {layout.MQTT_PORT}": f"listener {port}",
            },
        )
        (self.dir / "persist").mkdir()
        self._owner()
        self.log = self.dir / "broker.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def _owner(self) -> None:
        if os.geteuid() != 0:
            return  # Mosquitto runs as the user who started it
        try:
            user = pwd.getpwnam("mosquitto")
        except KeyError:
            return
        for path in [self.dir, *self.dir.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)

    def install_crl(self, crl: Path) -> None:
        """What the runbook does after a revocation: the new CRL in place of the old."""
        shutil.copyfile(crl, self.dir / layout.CRL)
        self._owner()

    def start(self) -> None:
        with self.log.open("ab") as log:
            self._proc = subprocess.Popen(
                [self.binary, "-c", str(self.dir / layout.BROKER_CONF)], stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", self.port, 0.2):
            assert self._proc.poll() is None, f"mosquitto exited:\n{self.log.read_text()}"
            assert time.monotonic() < deadline, f"mosquitto did not listen:\n{self.log.read_text()}"
            time.sleep(0.05)

    def stop(self) -> None:
        terminate(self._proc)  # type: ignore[arg-type]
        self._proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@dataclass
class Probe:
    """A plain MQTT client holding some certificate (or none): what it was granted and received."""

    client: mqtt.Client | None
    connected: bool
    received: queue.Queue[tuple[str, bytes]] = field(default_factory=queue.Queue)
    acks: queue.Queue[list[int]] = field(default_factory=queue.Queue)
    grants: queue.Queue[list[int]] = field(default_factory=queue.Queue)

    def subscribe(self, topic: str) -> list[int]:
        assert self.client is not None
        self.client.subscribe(topic, qos=1)
        return self.grants.get(timeout=10)

    def publish(self, topic: str, payload: bytes) -> list[int]:
        """Publish at QoS 1 and return the broker's PUBACK reason codes (MQTT 5)."""
        assert self.client is not None
        self.client.publish(topic, payload, qos=1)
        return self.acks.get(timeout=10)

    def close(self) -> None:
        if self.client is not None:
            with contextlib.suppress(Exception):
                self.client.disconnect()
            self.client.loop_stop()


def _codes(codes: ReasonCode | list[ReasonCode]) -> list[int]:
    return [int(c.value) for c in (codes if isinstance(codes, list) else [codes])]


def probe(port: int, ca: Path, cert: Path | None = None, key: Path | None = None) -> Probe:
    """Connect to the broker over TLS as the project's own clients do (`BrokerConfig`), with the
    given certificate; `connected` says whether the broker accepted it within 5 s."""
    config = BrokerConfig.from_url(f"mqtts://localhost:{port}", ca_file=ca, cert_file=cert, key_file=key)
    client = config.new_client(f"probe-{uuid.uuid4().hex[:8]}")
    config.apply(client)
    result: queue.Queue[bool] = queue.Queue()
    found = Probe(client=client, connected=False)
    client.on_connect = lambda c, u, f, rc, p: result.put(not rc.is_failure)
    client.on_message = lambda c, u, m: found.received.put((m.topic, m.payload))
    client.on_publish = lambda c, u, mid, rc, p: found.acks.put(_codes(rc))
    client.on_subscribe = lambda c, u, mid, rcs, p: found.grants.put(_codes(rcs))
    try:
        client.connect("localhost", port, 10)
    except OSError:  # ssl.SSLError is one: the handshake itself refused
        return Probe(client=None, connected=False)
    client.loop_start()
    try:
        found.connected = result.get(timeout=5)
    except queue.Empty:
        found.connected = False
    if not found.connected:
        found.close()
        found.client = None
    return found
