"""`floorledger verify` reads one snapshot (hub.audit.snapshot), on SQLite and PostgreSQL: what another
connection commits after the snapshot began is seen by none of the threads that read through it, and
a thread's own connection is back untouched afterwards. Without it verify read tables at different
moments on a working floor and reported heads and results that had only moved on."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hub.audit.snapshot import read_snapshot
from hub.store import db as hub_db
from hub.store.kiosks import Kiosk
from hub.store.schema import prepare
from tests.hub.audit.test_verify_harness import database_url


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_commits_after_the_snapshot_are_invisible_to_every_thread_reading_through_it(
    kind: str, tmp_path: Path
) -> None:
    with database_url(kind, tmp_path) as url:
        db = hub_db.connect(url)
        other = hub_db.connect(url)  # a writer of its own, like the hub's ingest
        try:
            prepare(db)
            with db.connection_context():
                Kiosk.create(id="K1", public_key=b"k", status="active", head_seq=1, head_hash="a" * 64)
            seen: dict[str, object] = {}

            def heads() -> tuple[int, ...]:
                return tuple(k.head_seq for k in Kiosk.select().order_by(Kiosk.id))

            with read_snapshot(db) as snapshot, snapshot.lend():
                with other.bind_ctx([Kiosk]), other.connection_context():
                    Kiosk.update(head_seq=2).where(Kiosk.id == "K1").execute()
                    Kiosk.create(id="K2", public_key=b"k", status="active", head_seq=5, head_hash="b" * 64)
                seen["main"] = heads()

                def beside() -> None:
                    with snapshot.lend():
                        seen["thread"] = heads()

                thread = threading.Thread(target=beside)
                thread.start()
                thread.join()
            assert seen == {"main": (1,), "thread": (1,)}
            with db.connection_context():
                assert heads() == (2, 5)  # the database moved on; the snapshot did not
        finally:
            other.close()
            db.close()
