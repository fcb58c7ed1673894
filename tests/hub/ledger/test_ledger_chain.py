"""The hub's ledger: signed, hash-chained entries of officers' acts, and tamper detection on them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from hub.ledger import entries as ledger
from hub.store import db as hub_db
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from protocol import canonical
from protocol.signing import Signer, Verifier


class FakeClock:
    def __init__(self) -> None:
        self.ms = 1_791_190_800_000

    def __call__(self) -> int:
        self.ms += 1000
        return self.ms


@pytest.fixture
def db(tmp_path: Path) -> Iterator[peewee.Database]:
    database = hub_db.connect(str(tmp_path / "hub.db"))
    prepare(database)
    yield database
    database.close()


@pytest.fixture
def hub_key() -> Signer:
    return Signer(bytes(range(32)))


def _fill(db: peewee.Database, hub_key: Signer) -> ledger.Ledger:
    book = ledger.Ledger(db, hub_key, FakeClock())
    book.append("OFF1", ledger.KIOSK_ENROLL, "K01", {"fingerprint": "aaaa-bbbb", "line": "L1"})
    book.append("OFF2", ledger.CORRECTION, "K01/7", {"units": 12, "reason": "点错了"})
    book.append("OFF1", ledger.APPROVAL, "L1/2026-10-05", {})
    return book


def _problems(hub_key: Signer, db: peewee.Database) -> list[str]:
    return ledger.verify_entries(ledger.read_rows(db), Verifier(hub_key.public_key))


def test_ledger_entries_are_chained_signed_and_verify(db: peewee.Database, hub_key: Signer) -> None:
    """Each act gets the next index, names its predecessor's hash, carries the officer, and an outsider
    holding only the hub's public key finds the whole ledger intact."""
    book = _fill(db, hub_key)
    entries = book.entries()
    assert [e.entry_index for e in entries] == [1, 2, 3]
    assert entries[0].prev == ledger.GENESIS_HASH
    assert entries[1].prev == entries[0].hash
    assert entries[2].prev == entries[1].hash
    assert [e.actor for e in entries] == ["OFF1", "OFF2", "OFF1"]
    content, data, signature = ledger.parse_entry(bytes(entries[1].frame))
    Verifier(hub_key.public_key).verify(data, signature)
    assert content.payload == {"units": 12, "reason": "点错了"}
    assert entries[1].payload == canonical.encode({"units": 12, "reason": "点错了"}).decode()
    assert _problems(hub_key, db) == []


def test_ledger_edited_column_is_reported(db: peewee.Database, hub_key: Signer) -> None:
    """A payload or actor changed in SQL no longer matches the signed entry and is named in the report."""
    _fill(db, hub_key)
    db.execute_sql(
        "UPDATE ledger_entry SET payload = ? WHERE entry_index = 2", ('{"reason":"x","units":99}',)
    )
    db.execute_sql("UPDATE ledger_entry SET actor = 'OFF9' WHERE entry_index = 3")
    problems = _problems(hub_key, db)
    assert any("index=2" in p and "column payload" in p for p in problems)
    assert any("index=3" in p and "column actor" in p for p in problems)


def test_ledger_reforged_frame_fails_signature(db: peewee.Database, hub_key: Signer) -> None:
    """An entry re-signed with another key (or its bytes edited) is reported as not signed by the hub."""
    _fill(db, hub_key)
    row = LedgerEntry.get(LedgerEntry.entry_index == 2)
    content, _, _ = ledger.parse_entry(bytes(row.frame))
    forged, _ = ledger.sign_entry(content, Signer(bytes(32 * [7])))
    LedgerEntry.update(frame=forged).where(LedgerEntry.id == row.id).execute()
    assert _problems(hub_key, db) == ["ledger_entry id=2 index=2: hub signature does not verify"]


def test_ledger_deleted_entry_breaks_the_chain(db: peewee.Database, hub_key: Signer) -> None:
    """Deleting an officer's act from the middle leaves a gap that verification reports."""
    _fill(db, hub_key)
    LedgerEntry.delete().where(LedgerEntry.entry_index == 2).execute()
    problems = _problems(hub_key, db)
    assert problems == ["ledger_entry id=3 index=3: expected entry 2 here, the signed entry is 3"]


def test_ledger_rewritten_history_is_reported(db: peewee.Database, hub_key: Signer) -> None:
    """Replacing an entry by a freshly hub-signed one with other content (a stolen key rewriting
    history) breaks the link from the next entry."""
    _fill(db, hub_key)
    row = LedgerEntry.get(LedgerEntry.entry_index == 2)
    content, _, _ = ledger.parse_entry(bytes(row.frame))
    changed = ledger.EntryContent(**{**_as_kwargs(content), "payload": {"units": 99, "reason": "x"}})
    frame, digest = ledger.sign_entry(changed, hub_key)
    LedgerEntry.update(frame=frame, hash=digest, payload=canonical.encode(changed.payload).decode()).where(
        LedgerEntry.id == row.id
    ).execute()
    assert _problems(hub_key, db) == [
        "ledger_entry id=3 index=3: does not name the hash of entry 2 as its predecessor"
    ]


def _as_kwargs(content: ledger.EntryContent) -> dict[str, object]:
    return {
        "index": content.index,
        "prev": content.prev,
        "actor": content.actor,
        "action": content.action,
        "subject": content.subject,
        "payload": content.payload,
        "hub_ms": content.hub_ms,
    }


def test_ledger_refuses_bad_actor_and_unsignable_payload(db: peewee.Database, hub_key: Signer) -> None:
    """An act without a valid officer id, or with a float in its payload, is refused and nothing is stored."""
    book = ledger.Ledger(db, hub_key, FakeClock())
    with pytest.raises(ledger.LedgerError):
        book.append("", ledger.APPROVAL, "L1", {})
    with pytest.raises(ledger.LedgerError):
        book.append("OFF1", ledger.APPROVAL, "L1", {"hours": 1.5})
    assert book.entries() == []


def test_ledger_act_rolls_back_with_the_callers_transaction(db: peewee.Database, hub_key: Signer) -> None:
    """An act recorded through `record_act` inside a change that then fails leaves no ledger entry."""
    book = ledger.Ledger(db, hub_key, FakeClock())

    def failing_change() -> None:
        with db.atomic():
            book.record_act("OFF1", ledger.MASTERDATA_CHANGE, "line:L1", {"name": "缝纫一线"})
            raise RuntimeError("the master-data change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    assert book.entries() == []
    book.record_act("OFF1", ledger.MASTERDATA_CHANGE, "line:L1", {"name": "缝纫一线"})
    assert [e.entry_index for e in book.entries()] == [1]
