"""The hub database from a URL: SQLite files durable (WAL, synchronous=FULL), PostgreSQL when asked,
the tables created by the migrations (`prepare`), and a kiosk's sequence number stored at most once."""

from __future__ import annotations

from pathlib import Path

import peewee as pw
import pytest

from hub.errors import DatabaseUrlError
from hub.store import db as hubdb
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.schema import prepare
from tests.system.delivery_support import DATABASE_KINDS, hub_database_url


@pytest.mark.parametrize("form", ["path", "url"])
def test_sqlite_url_or_path_opens_a_durable_wal_database(tmp_path: Path, form: str) -> None:
    """A plain path and sqlite:///path both give a SQLite file in WAL mode with synchronous=FULL."""
    path = tmp_path / "sub" / "hub.db"
    db = hubdb.connect(str(path) if form == "path" else f"sqlite:///{path}")
    try:
        prepare(db)
        with db.connection_context():
            assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 2
        assert path.exists()
    finally:
        db.close()


def test_postgresql_url_and_bad_urls() -> None:
    """postgresql:// gives a PostgreSQL database with user, host, port and schema; other schemes and a
    URL without a database name are refused with a clear error."""
    db = hubdb.connect("postgresql://root@db.example:6543/hub?schema=s1")
    assert isinstance(db, pw.PostgresqlDatabase)
    assert db.database == "hub"
    assert db.connect_params["host"] == "db.example"
    assert db.connect_params["port"] == 6543
    assert db.connect_params["options"] == "-c search_path=s1"
    with pytest.raises(DatabaseUrlError, match="names no database"):
        hubdb.connect("postgresql://root@host/")
    with pytest.raises(DatabaseUrlError, match="expected a file path"):
        hubdb.connect("mysql://root@host/hub")


@pytest.mark.parametrize("kind", DATABASE_KINDS)
def test_prepare_creates_tables_and_a_record_is_unique_per_kiosk_and_seq(kind: str, tmp_path: Path) -> None:
    """After prepare the ingest tables exist; a second row for the same kiosk and sequence number is
    refused by the database itself, and binary frames come back byte for byte."""
    with hub_database_url(kind, tmp_path) as url:
        db = hubdb.connect(url)
        try:
            prepare(db)
            row = {
                "kiosk": "K1",
                "seq": 1,
                "hash": "a" * 64,
                "prev": "0" * 64,
                "type": "confirm",
                "day": "2026-10-05",
                "wall_ms": 1,
                "mono_ms": 1,
                "boot": "b",
                "body": "{}",
                "frame": b"\x00\xff" * 40,
                "received_ms": 1,
            }
            with db.connection_context():
                Kiosk.insert(id="K1", public_key=b"k" * 32).execute()
                KioskRecord.insert(**row).execute()
                with pytest.raises(pw.IntegrityError), db.atomic():
                    KioskRecord.insert(**row).execute()
                assert bytes(KioskRecord.get().frame) == b"\x00\xff" * 40
                assert Kiosk.get().head_seq == 0
        finally:
            db.close()
