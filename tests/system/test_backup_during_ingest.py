"""A backup taken while a kiosk sends 200 records/s to a running hub is the database as of one commit:
restored into a new folder, `floorledger verify` passes and every record acknowledged before the
backup began is in it. The running hub's database cannot be restored over nor upgraded; once the hub
is gone (even by kill -9) it can.

Real processes and parts: `floorledger hub` (its web server included), the machine's Mosquitto, a
kiosk store and uplink in this process, SQLite files, the `floorledger` commands an installer types.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from floorledger import keyfile
from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import free_port
from kiosk.clock import KioskClock
from kiosk.store import KioskStore
from kiosk.uplink import Uplink
from protocol.records import UnitCount
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.hub_process import run, running_hub

pytestmark = pytest.mark.system

RATE = 200  # records per second, the figure


@dataclass
class Site:
    folder: Path
    config: Path
    database: Path
    hub_key: Signer
    site: str
    process: subprocess.Popen[bytes]
    port: int


@pytest.fixture
def hub(tmp_path: Path, machine_broker: BrokerAddress) -> Iterator[Site]:
    """`hub init` then `floorledger hub --config` as its own process, serving its web port."""
    folder = tmp_path / "hub"
    folder.mkdir()
    site = f"bk{os.getpid()}x{free_port()}"
    port = free_port()
    config = folder / "hub.toml"
    config.write_text(
        f'site = "{site}"\nkey_file = "hub.key"\ndatabase = "hub.sqlite3"\n'
        f'broker = "{machine_broker.url}"\n[web]\nhost = "127.0.0.1"\nport = {port}\n',
        encoding="utf-8",
    )
    init = run("hub", "init", "--config", str(config))
    assert init.returncode == 0, init.stderr
    hub_key = keyfile.load(folder / "hub.key")
    assert f"hub public key {hub_key.public_key_b64}" in init.stdout  # the runbook copies it from here
    with running_hub(config, port) as process:
        yield Site(folder, config, folder / "hub.sqlite3", hub_key, site, process, port)


class SteadyKiosk:
    """A kiosk that confirms RATE records a second into its outbox while its uplink delivers them."""

    def __init__(self, path: Path, site: str, broker_url: str, hub_key: bytes) -> None:
        self.signer = Signer.generate()
        self.store = KioskStore(path, "K1", self.signer, KioskClock())
        self.uplink = Uplink(
            self.store,
            BrokerConfig.from_url(broker_url),
            Topics.for_site(site),
            "K1",
            hub_key,
            ack_timeout_s=1.0,
            reconnect_min_s=0.2,
            reconnect_max_s=1.0,
        )
        self.appended = 0
        self.seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._append, name="steady-kiosk", daemon=True)

    def start(self, *, steady: bool = True) -> None:
        self.uplink.start()
        if steady:
            self._thread.start()

    def append(self, count: int) -> None:
        for i in range(count):
            self.store.append(
                UnitCount(
                    person="P2",
                    line="L1",
                    day="2026-10-05",
                    product="A",
                    step="S1",
                    units=i % 9,
                    source="manual",
                )
            )
        self.uplink.wake()

    def _append(self) -> None:
        started = time.monotonic()
        while not self._stop.is_set():
            self.appended += 1
            units = self.appended % 50
            body = UnitCount(
                person="P1", line="L1", day="2026-10-05", product="A", step="S1", units=units, source="device"
            )
            self.store.append(body)
            self.uplink.wake()
            time.sleep(max(0.0, started + self.appended / RATE - time.monotonic()))
        self.seconds = time.monotonic() - started

    def stop_appending(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)

    def close(self) -> None:
        self.uplink.stop()
        self.store.close()


def kiosk_seqs(database: Path) -> list[int]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return [s for (s,) in conn.execute("SELECT seq FROM kiosk_record WHERE kiosk = 'K1' ORDER BY seq")]
    finally:
        conn.close()


def wait_for(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_backup_during_ingest_restores_into_a_new_folder_verified_with_every_acknowledged_record(
    hub: Site, tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """While 200 records/s flow kiosk -> broker -> hub, `floorledger backup` copies the database; ingest
    goes on meanwhile; the copy restored elsewhere passes `floorledger verify` with the hub's key and
    holds records 1..N without a gap, N at least the kiosk's acknowledged head when the backup began."""
    kiosk = SteadyKiosk(tmp_path / "kiosk.db", hub.site, machine_broker.url, hub.hub_key.public_key)
    enroll = run(
        "kiosks", "enroll", "--db", str(hub.database), "--key", str(hub.folder / "hub.key"),
        "--officer", "installer", "--qr", f"floorledger-enroll:1:K1:{kiosk.signer.public_key_b64}",
    )  # fmt: skip
    assert enroll.returncode == 0, enroll.stderr
    kiosk.start()
    try:
        wait_for(lambda: kiosk.store.acked_seq() >= RATE, 30, "the hub acknowledged nothing within 30 s")
        acked_before = kiosk.store.acked_seq()
        backup_file = tmp_path / "backups" / "hub-during-ingest.sqlite3"
        taken = run("backup", "--config", str(hub.config), "--out", str(backup_file))
        acked_after_backup = kiosk.store.acked_seq()
        time.sleep(1.0)
        kiosk.stop_appending()
        wait_for(lambda: kiosk.store.pending_count() == 0, 60, "the kiosk's outbox did not drain")
        total = kiosk.store.acked_seq()
    finally:
        kiosk.stop_appending()
        kiosk.close()
    assert taken.returncode == 0, taken.stderr
    assert "kiosk records" in taken.stdout
    assert kiosk.appended / kiosk.seconds >= RATE * 0.9, f"{kiosk.appended} records in {kiosk.seconds:.1f} s"

    in_backup = kiosk_seqs(backup_file)
    assert in_backup == list(range(1, len(in_backup) + 1)), "a gap in the kiosk's chain in the backup"
    assert len(in_backup) >= acked_before, "a record acknowledged before the backup began is missing"
    assert acked_after_backup > acked_before, "ingest stalled while the backup ran"
    assert total > len(in_backup), "ingest did not go on after the backup"
    assert kiosk_seqs(hub.database) == list(range(1, total + 1))

    restored = tmp_path / "restored" / "hub.sqlite3"
    back = run("restore", str(backup_file), "--to", str(restored))
    assert back.returncode == 0, back.stderr
    verified = run(
        "verify", "--db", str(restored), "--hub-key-pub", hub.hub_key.public_key_b64, "--lang", "en"
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VERIFIED" in verified.stdout
    assert kiosk_seqs(restored) == in_backup


def test_restore_and_upgrade_refuse_a_running_hubs_database_until_it_is_gone(
    hub: Site, tmp_path: Path
) -> None:
    """With `floorledger hub` running, `restore --replace`, `hub upgrade` and `hub migrate` exit
    non-zero naming the running hub and change nothing; after the hub is killed with -9 (no clean
    exit, no pid file to clean up) the same restore goes through."""
    backup_file = tmp_path / "b.sqlite3"
    assert run("backup", "--config", str(hub.config), "--out", str(backup_file)).returncode == 0

    refused = run("restore", str(backup_file), "--config", str(hub.config), "--replace")
    assert refused.returncode != 0
    assert "in use by a running hub" in refused.stderr
    assert "Traceback" not in refused.stderr
    upgrade = run("hub", "upgrade", "--config", str(hub.config), "--into", str(tmp_path / "up"))
    assert upgrade.returncode != 0
    assert "in use by a running hub" in upgrade.stderr
    assert not (tmp_path / "up").exists(), "an upgrade refused must not even write its backup"
    migrate = run("hub", "migrate", "--config", str(hub.config))
    assert migrate.returncode != 0
    assert "in use by a running hub" in migrate.stderr
    assert not list(hub.folder.glob("hub.sqlite3.replaced-*")), "the running hub's file was moved"
    assert hub.process.poll() is None

    os.killpg(hub.process.pid, signal.SIGKILL)
    hub.process.wait(10)
    done = run("restore", str(backup_file), "--config", str(hub.config), "--replace")
    assert done.returncode == 0, done.stderr
    assert "is kept as" in done.stdout
    assert list(hub.folder.glob("hub.sqlite3.replaced-*"))


def test_kiosks_resend_what_a_hub_restored_from_an_older_backup_lacks(
    hub: Site, tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """Records 1-100 acknowledged, a backup, records 101-200 acknowledged; the hub is stopped and the
    backup restored over its database. The restarted hub holds only 1-100 and acknowledges that: the
    kiosk, which still keeps 101-200 (acknowledged, not yet pruned), sends them again, then new ones;
    the hub ends with 1-210 and `floorledger verify` passes."""
    kiosk = SteadyKiosk(tmp_path / "kiosk.db", hub.site, machine_broker.url, hub.hub_key.public_key)
    enroll = run(
        "kiosks", "enroll", "--db", str(hub.database), "--key", str(hub.folder / "hub.key"),
        "--officer", "installer", "--qr", f"floorledger-enroll:1:K1:{kiosk.signer.public_key_b64}",
    )  # fmt: skip
    assert enroll.returncode == 0, enroll.stderr
    kiosk.start(steady=False)

    def delivered(at_least: int) -> bool:
        return kiosk.store.pending_count() == 0 and kiosk.store.acked_seq() >= at_least

    # the kiosk may add checkpoint witnesses of its own between the records appended here, so seq
    # numbers are counted from what it acknowledged, not from the appends
    try:
        kiosk.append(100)
        wait_for(lambda: delivered(100), 60, "records 1-100 were not acknowledged")
        first = kiosk.store.acked_seq()
        backup_file = tmp_path / "older.sqlite3"
        assert run("backup", "--config", str(hub.config), "--out", str(backup_file)).returncode == 0
        kiosk.append(100)
        wait_for(lambda: delivered(first + 100), 60, "records 101-200 were not acknowledged")
        second = kiosk.store.acked_seq()

        os.killpg(hub.process.pid, signal.SIGTERM)
        hub.process.wait(30)
        restored = run("restore", str(backup_file), "--config", str(hub.config), "--replace")
        assert restored.returncode == 0, restored.stderr
        held = kiosk_seqs(hub.database)
        assert first <= len(held) < second
        assert held == list(range(1, len(held) + 1))
        with running_hub(hub.config, hub.port):
            wait_for(lambda: len(kiosk_seqs(hub.database)) >= second, 60, "the kiosk did not resend 101-200")
            kiosk.append(10)
            wait_for(lambda: delivered(second + 10), 60, "records after the restore not acknowledged")
            last = kiosk.store.acked_seq()
    finally:
        kiosk.close()
    stored = kiosk_seqs(hub.database)
    assert len(stored) >= last
    assert stored == list(range(1, len(stored) + 1))
    verified = run("verify", "--db", str(hub.database), "--hub-key-pub", hub.hub_key.public_key_b64)
    assert verified.returncode == 0, verified.stdout + verified.stderr
