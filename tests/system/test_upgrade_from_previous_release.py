"""Upgrading from the previous release (commit 24abeab), with the committed fixtures it made.

- The hub: `floorledger hub upgrade` on its database writes a backup first (the database as it was),
  then migrates; `floorledger verify` holds on the result with the old hub key, and the backup
  restores the old database.
- The kiosks are not upgraded at the same moment: an outbox the previous release's kiosk filled while
  the hub was down opens in the current kiosk code, and a current hub stores and acknowledges every
  record in it, byte for byte (docs/protocol.md: version 1 on both sides).
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from floorledger import keyfile
from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import free_port
from hub.store.backup import describe
from hub.store.migrate import latest
from kiosk.clock import KioskClock
from kiosk.store import KioskStore
from kiosk.uplink import Uplink
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.hub_process import run, running_hub

pytestmark = pytest.mark.system

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OLD_HUB_KEY = "BAPRtk5KHXGPA8w391uWADGxYYDMxo-BokeGAwbeyXU"  # tests/fixtures/README.md
OLD_KIOSK = FIXTURES / "kiosk-24abeab"


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def test_hub_upgrade_backs_up_the_previous_releases_database_then_migrates_it(tmp_path: Path) -> None:
    """`hub upgrade` on 24abeab's database: a backup identical in content to the old file (version 0,
    same records), then schema version `latest()`; `verify` passes with the old hub key; restoring
    the backup into a new folder gives the old database back."""
    shutil.copy(FIXTURES / "hub-24abeab.sqlite3", tmp_path / "hub.sqlite3")
    old_records = _rows(tmp_path / "hub.sqlite3", "SELECT kiosk, seq, hash FROM kiosk_record ORDER BY id")
    config = tmp_path / "hub.toml"
    config.write_text('site = "fixture"\nkey_file = "hub.key"\ndatabase = "hub.sqlite3"\n', encoding="utf-8")

    done = run("hub", "upgrade", "--config", str(config), "--into", str(tmp_path / "backups"))
    assert done.returncode == 0, done.stderr
    (backup,) = (tmp_path / "backups").glob("hub-*-before-upgrade.sqlite3")
    assert describe(backup) == (0, len(old_records))
    assert _rows(backup, "SELECT kiosk, seq, hash FROM kiosk_record ORDER BY id") == old_records
    assert describe(tmp_path / "hub.sqlite3") == (latest(), len(old_records))
    assert f"schema version {latest()}" in done.stdout

    verified = run("verify", "--db", str(tmp_path / "hub.sqlite3"), "--hub-key-pub", OLD_HUB_KEY)
    assert verified.returncode == 0, verified.stdout + verified.stderr

    back = tmp_path / "back" / "hub.sqlite3"
    assert run("restore", str(backup), "--to", str(back)).returncode == 0
    assert describe(back) == (0, len(old_records))


def test_an_outbox_of_the_previous_release_is_forwarded_to_a_current_hub_and_verified(
    tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """The current kiosk store opens 24abeab's outbox (integrity holds, 37 records pending), its
    uplink delivers them to a running current hub, every one is acknowledged and stored with the hash
    the old kiosk signed (then at most the checkpoint witnesses the current kiosk adds), and `floorledger
    verify` passes."""
    outbox = tmp_path / "kiosk" / "outbox.sqlite3"
    outbox.parent.mkdir()
    shutil.copy(OLD_KIOSK / "outbox.sqlite3", outbox)
    signed = _rows(outbox, "SELECT seq, hash FROM outbox_record ORDER BY seq")
    assert len(signed) == 37

    folder = tmp_path / "hub"
    folder.mkdir()
    port = free_port()
    site = f"up{port}"
    config = folder / "hub.toml"
    config.write_text(
        f'site = "{site}"\nkey_file = "hub.key"\ndatabase = "hub.sqlite3"\n'
        f'broker = "{machine_broker.url}"\n[web]\nhost = "127.0.0.1"\nport = {port}\n',
        encoding="utf-8",
    )
    assert run("hub", "init", "--config", str(config)).returncode == 0
    kiosk_key = keyfile.load(OLD_KIOSK / "kiosk.key")
    enroll = run(
        "kiosks", "enroll", "--db", str(folder / "hub.sqlite3"), "--key", str(folder / "hub.key"),
        "--officer", "installer", "--qr", f"floorledger-enroll:1:K-OLD:{kiosk_key.public_key_b64}",
    )  # fmt: skip
    assert enroll.returncode == 0, enroll.stderr
    hub_key = keyfile.load(folder / "hub.key")

    store = KioskStore(outbox, "K-OLD", kiosk_key, KioskClock())
    try:
        assert store.check_integrity() == []
        assert store.pending_count() == 37
        with running_hub(config, port):
            uplink = Uplink(
                store,
                BrokerConfig.from_url(machine_broker.url),
                Topics.for_site(site),
                "K-OLD",
                hub_key.public_key,
                ack_timeout_s=1.0,
                reconnect_min_s=0.2,
                reconnect_max_s=1.0,
            )
            uplink.start()
            try:
                deadline = time.monotonic() + 60
                while store.pending_count() > 0:
                    assert time.monotonic() < deadline, f"{store.pending_count()} records never acknowledged"
                    time.sleep(0.1)
            finally:
                uplink.stop()
        # the current kiosk may witness the hub's checkpoint after the old records (seq 38 on)
        assert store.acked_seq() >= 37
        acked = store.acked_seq()
    finally:
        store.close()

    stored = _rows(
        folder / "hub.sqlite3", "SELECT seq, hash FROM kiosk_record WHERE kiosk = 'K-OLD' ORDER BY seq"
    )
    assert stored[:37] == signed
    assert len(stored) == acked
    later = _rows(folder / "hub.sqlite3", "SELECT type FROM kiosk_record WHERE kiosk = 'K-OLD' AND seq > 37")
    assert all(t == "checkpoint_witness" for (t,) in later), later
    verified = run("verify", "--db", str(folder / "hub.sqlite3"), "--hub-key-pub", hub_key.public_key_b64)
    assert verified.returncode == 0, verified.stdout + verified.stderr
