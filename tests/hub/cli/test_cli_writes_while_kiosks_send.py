"""Operators' commands that write (`floorledger checkpoint`, `floorledger users add`) succeed while
kiosk records pour into the same SQLite file: they wait for the write lock instead of failing with
`database is locked`, and never print a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from floorledger import keyfile
from hub.store.schema import open_database

FLOORLEDGER = [sys.executable, "-m", "floorledger"]
PASSWORD = "pass word 123"

# A stand-in for ingest: write transactions that read the kiosk's head and then store 10 records,
# paced at 500 records/s (catching up when it falls behind), until the stop file appears; prints how
# many it stored and in how many seconds.
WRITER = r"""
import sys, time
from pathlib import Path
from hub.store.db import write_transaction
from hub.store.kiosks import KioskRecord
from hub.store.schema import open_database

db = open_database(sys.argv[1])
stop = Path(sys.argv[2])
seq = 0
started = time.monotonic()
while not stop.exists():
    with write_transaction(db):
        KioskRecord.select().where(KioskRecord.kiosk == "K-W").count()
        rows = []
        for _ in range(10):
            seq += 1
            rows.append(dict(
                kiosk="K-W", seq=seq, hash=f"{seq:064x}", prev=f"{seq - 1:064x}", type="unit_count",
                day="2026-03-02", line="L1", person="P1", wall_ms=seq, mono_ms=seq, boot="b",
                body="{}", frame=b"x" * 200 + seq.to_bytes(8, "big"), received_ms=seq,
            ))
        KioskRecord.insert_many(rows).execute()
    if seq == 10:
        print("started", flush=True)
    time.sleep(max(0.0, started + seq / 500 - time.monotonic()))
print(seq, time.monotonic() - started, flush=True)
"""


def test_checkpoint_and_users_add_succeed_while_kiosks_send(tmp_path: Path) -> None:
    """Several `checkpoint` and `users add` runs during ~500 records/s of ingest all exit 0, no traceback."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    open_database(url).close()
    key = tmp_path / "hub.key"
    keyfile.create(key)
    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, url, str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "started"
        time.sleep(1.0)  # some thousands of records for the log to take in
        commands: list[list[str]] = []
        for n in range(2):
            commands.append(["checkpoint", "--db", url, "--key", str(key), "--site", "S1"])
            commands.append(
                ["users", "add", "--db", url, "--username", f"officer{n}", "--role", "labor_section",
                 "--password-file", str(secret)]
            )  # fmt: skip
        finished: list[tuple[list[str], subprocess.CompletedProcess[str]]] = []
        for pair in range(0, len(commands), 2):
            procs = [
                (
                    cmd,
                    subprocess.Popen(
                        [*FLOORLEDGER, *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                    ),
                )
                for cmd in commands[pair : pair + 2]
            ]
            for cmd, proc in procs:
                out, err = proc.communicate(timeout=120)
                finished.append((cmd, subprocess.CompletedProcess(cmd, proc.returncode, out, err)))
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    stored, seconds = out.split()
    assert int(stored) / float(seconds) > 400, f"the writer managed only {stored} records in {seconds} s"
    for cmd, done in finished:
        assert "Traceback" not in done.stderr, (cmd, done.stderr)
        assert done.returncode == 0, (cmd, done.stderr)
    checkpoints = [done.stdout for cmd, done in finished if cmd[0] == "checkpoint"]
    assert all(text.startswith("checkpoint: tree_size=") for text in checkpoints)
    assert sum("created officer" in done.stdout for _, done in finished) == 2
