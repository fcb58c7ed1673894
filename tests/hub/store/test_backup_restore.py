"""`floorledger backup` / `restore` on their own: what a restore refuses, what it keeps, how many
nightly backups stay, and the PostgreSQL round trip through pg_dump and pg_restore."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg2
import pytest

from floorledger import keyfile
from hub.store import backup as bk
from hub.store import inuse
from hub.store.migrate import latest

FLOORLEDGER = [sys.executable, "-m", "floorledger"]
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres", "dbname": "test"}


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*FLOORLEDGER, *args], capture_output=True, text=True, timeout=120, check=False)


def hub_db(folder: Path, site: str = "s1", database: str = "hub.sqlite3") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "hub.toml"
    config.write_text(f'site = "{site}"\nkey_file = "hub.key"\ndatabase = "{database}"\n', encoding="utf-8")
    done = run("hub", "init", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return config


def test_backup_into_keeps_the_newest_n_and_never_touches_other_files(tmp_path: Path) -> None:
    hub_db(tmp_path / "hub")
    url = str(tmp_path / "hub" / "hub.sqlite3")
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "by-hand.sqlite3").write_bytes(b"x")
    stamps = iter(range(1_800_000_000_000, 1_900_000_000_000, 86_400_000))
    made = [bk.backup_into(url, folder, keep=2, clock_ms=lambda: next(stamps))[0].path for _ in range(4)]
    assert sorted(p.name for p in folder.iterdir()) == sorted(["by-hand.sqlite3", made[2].name, made[3].name])
    assert bk.describe(made[3]) == (latest(), 0)


def test_restore_refuses_what_is_not_a_hub_backup_and_a_newer_schema(tmp_path: Path) -> None:
    hub_db(tmp_path / "hub")
    not_hub = tmp_path / "other.sqlite3"
    sqlite3.connect(not_hub).execute("CREATE TABLE t (x)").connection.commit()
    refused = run("restore", str(not_hub), "--to", str(tmp_path / "r" / "hub.sqlite3"))
    assert refused.returncode != 0
    assert "is not a hub database backup" in refused.stderr
    newer = tmp_path / "newer.sqlite3"
    assert run("backup", "--db", str(tmp_path / "hub" / "hub.sqlite3"), "--out", str(newer)).returncode == 0
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO schema_version VALUES (?, 'future', 0)", (latest() + 1,))
    conn.commit()
    conn.close()
    refused = run("restore", str(newer), "--to", str(tmp_path / "r" / "hub.sqlite3"))
    assert refused.returncode != 0
    assert "newer than this code's" in refused.stderr
    assert not (tmp_path / "r" / "hub.sqlite3").exists()


def test_restore_over_a_stopped_hub_needs_replace_and_keeps_the_old_file_with_its_wal(tmp_path: Path) -> None:
    config = hub_db(tmp_path / "hub")
    database = tmp_path / "hub" / "hub.sqlite3"
    backup = tmp_path / "b.sqlite3"
    assert run("backup", "--config", str(config), "--out", str(backup)).returncode == 0
    wal = database.with_name("hub.sqlite3-wal")
    wal.write_bytes(b"uncheckpointed commits")
    refused = run("restore", str(backup), "--config", str(config))
    assert refused.returncode != 0
    assert "--replace" in refused.stderr
    done = run("restore", str(backup), "--config", str(config), "--replace")
    assert done.returncode == 0, done.stderr
    (kept,) = (tmp_path / "hub").glob("hub.sqlite3.replaced-*[0-9Z]")
    assert kept.with_name(kept.name + "-wal").read_bytes() == b"uncheckpointed commits"
    assert bk.describe(database) == (latest(), 0)


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A database of its own on the machine's PostgreSQL, dropped afterwards."""
    name = f"fl_restore_{uuid.uuid4().hex[:10]}"
    conn = psycopg2.connect(**PG)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with conn.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.close()


@pytest.mark.postgres
def test_postgresql_backup_restores_into_another_database_and_verifies(
    tmp_path: Path, pg_database: str
) -> None:
    """pg_dump of one schema, pg_restore into a fresh database: `verify` passes there; a restore onto
    it again needs --replace, and is refused while a hub holds it."""
    schema = f"fl_bk_{uuid.uuid4().hex[:8]}"
    source = f"postgresql://postgres@127.0.0.1:5432/test?schema={schema}"
    try:
        hub_db(tmp_path / "hub", database=source)
        archive = tmp_path / "hub.pgdump"
        taken = run("backup", "--db", source, "--out", str(archive))
        assert taken.returncode == 0, taken.stderr
        assert bk.kind_of(archive) == "postgresql"
        target = f"postgresql://postgres@127.0.0.1:5432/{pg_database}?schema={schema}"
        done = run("restore", str(archive), "--to", target)
        assert done.returncode == 0, done.stderr
        key = keyfile.load(tmp_path / "hub" / "hub.key").public_key_b64
        verified = run("verify", "--db", target, "--hub-key-pub", key)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert run("restore", str(archive), "--to", target).returncode != 0
        running = inuse.share(target)  # what a hub started on that database holds
        try:
            refused = run("restore", str(archive), "--to", target, "--replace")
        finally:
            running.release()
        assert refused.returncode != 0
        assert "in use by a running hub" in refused.stderr
        again = run("restore", str(archive), "--to", target, "--replace")
        assert again.returncode == 0, again.stderr
    finally:
        conn = psycopg2.connect(**PG)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.close()


def test_a_hub_started_during_a_restore_is_refused_with_one_line(tmp_path: Path) -> None:
    """While a restore (or upgrade) holds the database, `floorledger hub` exits non-zero at once,
    saying so, instead of opening a file that is being replaced."""
    config = hub_db(tmp_path / "hub")
    restoring = inuse.take(str(tmp_path / "hub" / "hub.sqlite3"))
    try:
        started = run("hub", "--config", str(config))
    finally:
        restoring.release()
    assert started.returncode != 0
    assert "is being restored or upgraded" in started.stderr
    assert "Traceback" not in started.stderr
