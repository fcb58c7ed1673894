"""A rewound hub is caught by a checkpoint a kiosk witnessed, and by one an auditor kept.

The real hub (`floorledger hub`) and a real kiosk (`floorledger kiosk`) run as processes over the
machine's Mosquitto. The hub publishes its signed checkpoint at start; the kiosk verifies it with the
hub key and records it in its own signed chain (`checkpoint_witness`), which reaches the hub like any
record. Then someone with SQL access rewinds the hub: the last ledger entries (an enrollment and a
revocation of another kiosk, with the kiosk's row), their log leaves and every checkpoint that covers
them are deleted. The log is consistent in itself, so only a checkpoint kept outside the hub's tables
shows the rewind: `floorledger verify` finds it through the kiosk's witness, and through
`--expect` with the earlier root (hex, the wall board's 16-digit prefix, or the published frame),
while `--expect` with an honest earlier checkpoint holds.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from floorledger import keyfile
from floorledger.broker import free_port, free_ports
from hub.kiosks.enrollment import Enrollment
from hub.ledger.checkpoints import CheckpointLog
from hub.ledger.entries import Ledger
from hub.store import db as hubdb
from hub.store.schema import prepare
from protocol.messages import witnessed_checkpoint
from protocol.records import CheckpointWitness, parse_frame
from protocol.signing import Signer

pytestmark = [pytest.mark.system, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    # a NiceGUI server started from pytest would otherwise think it runs under NiceGUI's fixtures
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}
    env["PYTHONPATH"] = str(REPO)
    return env


def _spawn(argv: list[str], folder: Path) -> subprocess.Popen[bytes]:
    log = (folder / "process.log").open("ab")
    try:
        return subprocess.Popen(
            [sys.executable, "-m", "floorledger", *argv],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
            env=_env(),
            start_new_session=True,
        )
    finally:
        log.close()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


def _verify(db: Path, hub_pub: str, *expect: str) -> subprocess.CompletedProcess[str]:
    argv = ["verify", "--db", f"sqlite:///{db}", "--hub-key-pub", hub_pub, "--workers", "1", "--lang", "en"]
    for value in expect:
        argv += ["--expect", value]
    return subprocess.run(
        [sys.executable, "-m", "floorledger", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=_env(),
        timeout=120,
    )


def _sql(db: Path, query: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db, timeout=10)
    try:
        with conn:
            return list(conn.execute(query, args))
    finally:
        conn.close()


class Site:
    def __init__(self, folder: Path, hub_key: Signer, kiosk_key: Signer, early: tuple[int, str]) -> None:
        self.folder = folder
        self.db = folder / "hub" / "hub.sqlite3"
        self.hub_key = hub_key
        self.kiosk_key = kiosk_key
        self.early = early  # (tree_size, root) of the checkpoint made before the last two acts


@pytest.fixture
def site(tmp_path: Path, machine_broker) -> Site:
    """A hub database with kiosk K01 enrolled, a checkpoint, K01 bound to its line, then K02
    enrolled and revoked (the two acts the rewind will undo); the hub's config; the kiosk's key and
    config."""
    hub_dir, kiosk_dir = tmp_path / "hub", tmp_path / "kiosk"
    hub_dir.mkdir()
    kiosk_dir.mkdir()
    hub_key, _ = keyfile.load_or_create(hub_dir / "hub.key")
    kiosk_key, _ = keyfile.load_or_create(kiosk_dir / "kiosk.key")
    other = Signer.generate()
    clock = lambda: time.time_ns() // 1_000_000  # noqa: E731
    db = hubdb.connect(f"sqlite:///{hub_dir / 'hub.sqlite3'}")
    prepare(db)
    with db.connection_context():
        enrollment = Enrollment(db, Ledger(db, hub_key, clock), clock)
        enrollment.enroll_qr("OFF1", f"floorledger-enroll:1:K01:{kiosk_key.public_key_b64}", line="L1")
        early = CheckpointLog(db, hub_key, clock, "w").make_checkpoint()
        enrollment.bind_line("OFF1", "K01", "L1")  # after the early checkpoint, before the rewound acts
        enrollment.enroll_qr("OFF1", f"floorledger-enroll:1:K02:{other.public_key_b64}", line="L2")
        enrollment.revoke("OFF1", "K02", "test")
        early_claim = (int(early.tree_size), str(early.root))
    db.close()
    site_id = f"w{uuid.uuid4().hex[:8]}"
    hub_port = free_port()
    kiosk_port = free_ports(1, avoid=[hub_port])
    (hub_dir / "hub.toml").write_text(
        f'site = "{site_id}"\nkey_file = "hub.key"\ndatabase = "hub.sqlite3"\n'
        f'broker = "{machine_broker.url}"\n[web]\nhost = "127.0.0.1"\nport = {hub_port}\n',
        encoding="utf-8",
    )
    (kiosk_dir / "kiosk.toml").write_text(
        f'kiosk_id = "K01"\nsite = "{site_id}"\nline = "L1"\nkey_file = "kiosk.key"\n'
        f'database = "kiosk.sqlite3"\nbroker_url = "{machine_broker.url}"\n'
        f'hub_public_key = "{hub_key.public_key_b64}"\nui_port = {kiosk_port}\n',
        encoding="utf-8",
    )
    return Site(tmp_path, hub_key, kiosk_key, early_claim)


def _witnessed_at_hub(db: Path) -> list[tuple[int, bytes]]:
    if not db.exists():
        return []
    try:
        return [
            (int(seq), bytes(frame))  # type: ignore[call-overload]
            for seq, frame in _sql(
                db,
                "SELECT seq, frame FROM kiosk_record WHERE kiosk = 'K01' AND type = ?",
                "checkpoint_witness",
            )
        ]
    except sqlite3.OperationalError:  # the hub has not created its tables yet
        return []


def _run_floor(site: Site) -> CheckpointWitness:
    """Hub and kiosk as processes until the kiosk's witness of the hub's start-up checkpoint is
    stored at the hub; returns the witness as the hub holds it."""
    hub = _spawn(["hub", "--config", str(site.folder / "hub" / "hub.toml")], site.folder / "hub")
    kiosk = None
    try:
        kiosk = _spawn(
            ["kiosk", "--config", str(site.folder / "kiosk" / "kiosk.toml")], site.folder / "kiosk"
        )
        deadline = time.monotonic() + 90
        while not _witnessed_at_hub(site.db):
            assert hub.poll() is None, (site.folder / "hub" / "process.log").read_text()
            assert kiosk.poll() is None, (site.folder / "kiosk" / "process.log").read_text()
            if time.monotonic() > deadline:
                pytest.fail("the kiosk's witness never reached the hub:\n"
                            + (site.folder / "kiosk" / "process.log").read_text()[-3000:])  # fmt: skip
            time.sleep(0.3)
    finally:
        if kiosk is not None:
            _stop(kiosk)
        _stop(hub)
    (seq, frame), *_ = _witnessed_at_hub(site.db)
    record = parse_frame(frame).record
    assert (record.kiosk, record.seq) == ("K01", seq)
    assert isinstance(record.body, CheckpointWitness)
    return record.body


def _rewind(db: Path, entries: int) -> None:
    """Undo the last `entries` ledger entries as someone with SQL access would: the entries, the rows
    their acts wrote (kiosk K02), their log leaves, and every checkpoint that covers those leaves."""
    last = _sql(db, "SELECT MAX(entry_index) FROM ledger_entry")[0][0]
    doomed = [
        int(r[0])  # type: ignore[call-overload]
        for r in _sql(db, "SELECT id FROM ledger_entry WHERE entry_index > ?", int(last) - entries)  # type: ignore[call-overload]
    ]
    marks = ",".join("?" * len(doomed))
    first_leaf = _sql(
        db, f"SELECT MIN(leaf_index) FROM log_leaf WHERE source = 'ledger' AND ref IN ({marks})", *doomed
    )[0][0]
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(f"DELETE FROM ledger_entry WHERE id IN ({marks})", doomed)
        conn.execute("DELETE FROM kiosk_key_history WHERE kiosk = 'K02'")
        conn.execute("DELETE FROM kiosk WHERE id = 'K02'")
        conn.execute("DELETE FROM log_leaf WHERE leaf_index >= ?", (first_leaf,))
        conn.execute("DELETE FROM checkpoint WHERE tree_size > ?", (first_leaf,))
    conn.close()


def test_a_rewind_behind_a_witnessed_checkpoint_is_reported(site: Site) -> None:
    """The kiosk witnesses the hub's signed start-up checkpoint; verify is clean before the rewind
    and prints the log's root and size; after the SQL rewind it names the kiosk's witness record.
    `--expect` with the witnessed root (hex@size, the board's 16 digits, the published frame)
    reports the same rewind, and `--expect` with an honest earlier checkpoint holds."""
    witness = _run_floor(site)
    hub_pub = site.hub_key.public_key_b64
    before = _verify(site.db, hub_pub)
    assert before.returncode == 0, before.stdout + before.stderr
    # the report ends with the log's size and root: the witness itself is not in the log yet
    assert f"log: {witness.tree_size} leaves, root {witness.root}\n" in before.stdout
    assert f"latest signed checkpoint: {witness.tree_size} leaves, root {witness.root} (" in before.stdout

    _rewind(site.db, entries=2)
    after = _verify(site.db, hub_pub)
    assert after.returncode == 1, after.stdout
    assert (
        f"rewind behind a checkpoint witnessed by kiosk K01 (record seq 1): it signs root {witness.root} "
        f"over {witness.tree_size} leaves, today's log holds only {witness.tree_size - 2}"
    ) in after.stdout

    frame_file = site.folder / "published-checkpoint.bin"
    frame_file.write_bytes(witnessed_checkpoint(witness))
    board = " ".join(witness.root[i : i + 4] for i in range(0, 16, 4))  # as 今日数据指纹 shows it
    early_size, early_root = site.early
    expected = _verify(
        site.db,
        hub_pub,
        f"{witness.root}@{witness.tree_size}",
        board,
        str(frame_file),
        f"{early_root}@{early_size}",
    )
    assert expected.returncode == 1
    out = expected.stdout
    assert f"rewind behind a checkpoint given with --expect {witness.root}@{witness.tree_size}:" in out
    assert f"rewind behind a checkpoint given with --expect {board.replace(' ', '')}:" in out
    assert (
        "rewind behind a checkpoint given with --expect published-checkpoint.bin "
        f"(signed, {witness.tree_size} leaves):"
    ) in out
    assert (
        f"checkpoint given with --expect {early_root}@{early_size}: a prefix of today's log: "
        f"consistency proof of 1 hash(es) from {early_size} to {witness.tree_size - 2} leaves verified"
    ) in out
