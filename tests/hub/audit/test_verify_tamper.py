"""`floorledger verify` proves an untouched hub database and names every row changed behind its back.

Each test fills a real database (SQLite file, and a fresh PostgreSQL database) through the real
ingest and enrollment, signs a checkpoint, tampers with it the way someone with SQL access could,
and checks what the auditor reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from floorledger import cli
from hub.audit import verify
from hub.ledger import checkpoints
from hub.ledger import entries as ledger
from hub.store import kiosks as models
from hub.store.ledger import LedgerEntry, StoredCheckpoint
from protocol import batch
from protocol.messages import Checkpoint, seal
from protocol.records import Record, UnitCount, sign_record
from protocol.signing import Signer, Verifier
from tests.hub.audit.test_verify_harness import TrustHub, database_url, trust_hub

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _filled(hub: TrustHub) -> None:
    """Two kiosks with 12 and 8 unit counts, a line change, and a checkpoint over all of it."""
    k1 = hub.enrolled_kiosk("K01", 3)
    k2 = hub.enrolled_kiosk("K02", 4, officer="OFF2")
    k1.send(k1.make(7))
    k2.send(k2.make(8))
    k1.send(k1.make(5))
    hub.enrollment.bind_line("OFF2", "K02", "L2")
    hub.log.make_checkpoint()


def _report(hub: TrustHub) -> verify.Report:
    return verify.verify_database(hub.db, Verifier(hub.key.public_key), workers=1)


def _record(kiosk: str, seq: int) -> models.KioskRecord:
    return models.KioskRecord.get((models.KioskRecord.kiosk == kiosk) & (models.KioskRecord.seq == seq))


@pytest.fixture(params=KINDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path, machine_broker) -> TrustHub:
    with database_url(request.param, tmp_path) as url, trust_hub(url, machine_broker.url) as h:
        _filled(h)
        yield h


def test_verify_untouched_database_exits_zero(hub: TrustHub, capsys: pytest.CaptureFixture[str]) -> None:
    """An auditor with only the database URL and the hub's public key gets exit 0 and 'VERIFIED'."""
    hub.db.close()
    status = cli.main(
        ["verify", "--db", hub.url, "--hub-key-pub", hub.key.public_key_b64, "--workers", "1", "--lang", "en"]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "kiosk records (signatures, columns, chains): 20 checked, ok" in out
    assert "ledger (officers' acts, hub-signed chain): 3 checked, ok" in out
    assert out.rstrip().endswith("VERIFIED: every row matches the signed records")


def test_verify_reports_count_edited_in_sql(hub: TrustHub, capsys: pytest.CaptureFixture[str]) -> None:
    """A unit count raised directly in SQL is named by row and column, and verify exits non-zero."""
    row = _record("K01", 3)
    edited = row.body.replace('"units":10', '"units":99')
    hub.db.execute_sql(
        f"UPDATE kiosk_record SET body = {hub.db.param} WHERE id = {hub.db.param}", (edited, row.id)
    )
    hub.db.close()
    status = cli.main(
        ["verify", "--db", hub.url, "--hub-key-pub", hub.key.public_key_b64, "--workers", "1", "--lang", "en"]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert (
        f"kiosk_record id={row.id} (kiosk K01 seq 3): column body.units is 99 but the signed record says 10"
        in out
    )
    assert out.rstrip().endswith("NOT VERIFIED")


def test_verify_reports_edited_frame_as_bad_signature(hub: TrustHub) -> None:
    """Changing the signed bytes themselves (to match an edited count) breaks the kiosk's signature."""
    row = _record("K02", 4)
    frame = bytes(row.frame).replace(b'"units":10', b'"units":99')
    body = row.body.replace('"units":10', '"units":99')
    models.KioskRecord.update(frame=frame, body=body).where(models.KioskRecord.id == row.id).execute()
    findings = _report(hub).findings()
    assert (
        f"kiosk_record id={row.id} (kiosk K02 seq 4): signature does not verify against kiosk K02's keys"
        in (findings)
    )
    assert any(
        f.startswith("log leaf") and f"record id={row.id} is not the row the log recorded" in f
        for f in findings
    )


def test_verify_reports_deleted_record(hub: TrustHub) -> None:
    """A record deleted from the middle of a chain shows as a gap and as a hole in the signed log."""
    row = _record("K01", 5)
    models.KioskRecord.delete().where(models.KioskRecord.id == row.id).execute()
    findings = _report(hub).findings()
    after = _record("K01", 6)
    assert f"kiosk_record id={after.id} (kiosk K01): record(s) 5 missing before signed record 6" in findings
    assert any(f"kiosk_record id={row.id} it was made from no longer exists" in f for f in findings)


def test_verify_reports_inserted_unsigned_row(hub: TrustHub) -> None:
    """A row inserted with a record signed by a key the ledger never admitted is refused, and the
    stored head no longer matches the signed chain."""
    last = _record("K01", 12)
    intruder = Signer(bytes([9]) * 32)
    body = UnitCount(
        person="P1001", line="L1", day="2026-10-05", product="SHIRT", step="S3", units=500, source="manual"
    )
    forged = sign_record(
        Record(kiosk="K01", seq=13, prev=last.hash, boot="b1", wall_ms=1, mono_ms=1, body=body), intruder
    )
    new_id = models.KioskRecord.insert(
        kiosk="K01",
        seq=13,
        hash=forged.hash,
        prev=last.hash,
        type="unit_count",
        day="2026-10-05",
        line="L1",
        person="P1001",
        wall_ms=1,
        mono_ms=1,
        boot="b1",
        body='{"x":1}',
        frame=forged.frame,
        received_ms=1,
    ).execute()
    findings = _report(hub).findings()
    assert (
        f"kiosk_record id={new_id} (kiosk K01 seq 13): signature does not verify against kiosk K01's keys"
        in (findings)
    )
    assert "kiosk K01: stored head is record 12, the signed records end at 13" in findings


def test_verify_reports_reordered_chain(hub: TrustHub) -> None:
    """Swapping the sequence numbers of two stored records is reported on both rows."""
    a, b = _record("K02", 2), _record("K02", 3)
    models.KioskRecord.update(seq=-1).where(models.KioskRecord.id == a.id).execute()
    models.KioskRecord.update(seq=2).where(models.KioskRecord.id == b.id).execute()
    models.KioskRecord.update(seq=3).where(models.KioskRecord.id == a.id).execute()
    findings = _report(hub).findings()
    assert (
        f"kiosk_record id={a.id} (kiosk K02 seq 3): column seq is 3 but the signed record says 2" in findings
    )
    assert (
        f"kiosk_record id={b.id} (kiosk K02 seq 2): column seq is 2 but the signed record says 3" in findings
    )


def test_verify_reports_tampered_ledger_entry(hub: TrustHub) -> None:
    """An officer's act rewritten in SQL (who moved kiosk K02) is reported against the signed entry."""
    entry = LedgerEntry.get(LedgerEntry.action == ledger.KIOSK_BIND)
    LedgerEntry.update(actor="OFF9").where(LedgerEntry.id == entry.id).execute()
    findings = _report(hub).findings()
    assert (
        f"ledger_entry id={entry.id} index=3: column actor is 'OFF9' but the signed entry says 'OFF2'"
        in findings
    )


def test_verify_reports_key_swapped_in_kiosk_table(hub: TrustHub) -> None:
    """Replacing a kiosk's key in the kiosk table does not make records signed by the new key count."""
    models.Kiosk.update(public_key=Signer(bytes([9]) * 32).public_key).where(
        models.Kiosk.id == "K01"
    ).execute()
    findings = _report(hub).findings()
    assert "kiosk K01: public_key is not the key the ledger last admitted" in findings


def test_verify_reports_checkpoint_root_mismatch(hub: TrustHub) -> None:
    """A hub-signed checkpoint whose root is not the root of the stored log is reported."""
    stored = checkpoints.latest_checkpoint()
    assert stored is not None
    wrong = Checkpoint(hub="HUB", tree_size=stored.tree_size, root="ab" * 32, hub_ms=stored.hub_ms)
    StoredCheckpoint.update(frame=seal(wrong, hub.key), root=wrong.root).where(
        StoredCheckpoint.id == stored.id
    ).execute()
    findings = _report(hub).findings()
    assert any(
        f.startswith(f"checkpoint id={stored.id}: signed root over {stored.tree_size} leaves is abababab")
        for f in findings
    )


def test_verify_blames_the_hub_key_for_a_checkpoint_signed_by_another_key(hub: TrustHub) -> None:
    """A checkpoint re-signed with another key is reported as not signed by the hub, with the hub's
    key named: never "signature does not match the kiosk's key" (issue #18 item 7)."""
    stored = checkpoints.latest_checkpoint()
    assert stored is not None
    same = Checkpoint(hub="HUB", tree_size=stored.tree_size, root=stored.root, hub_ms=stored.hub_ms)
    StoredCheckpoint.update(frame=seal(same, Signer.generate())).where(
        StoredCheckpoint.id == stored.id
    ).execute()
    findings = [f for f in _report(hub).findings() if f.startswith(f"checkpoint id={stored.id}:")]
    assert findings
    assert all("kiosk" not in f for f in findings), findings
    assert any("bad_hub_signature" in f and "hub's key" in f for f in findings), findings


def test_verify_parallel_workers_find_the_same(hub: TrustHub) -> None:
    """With record signatures checked in two worker processes the findings are the same as with one."""
    row = _record("K01", 9)
    models.KioskRecord.update(person="P9999").where(models.KioskRecord.id == row.id).execute()
    one = _report(hub).findings()
    two = verify.verify_database(hub.db, Verifier(hub.key.public_key), workers=2).findings()
    assert one == two
    where = f"kiosk_record id={row.id} (kiosk K01 seq 9)"
    assert one == [f"{where}: column person is 'P9999' but the signed record says 'P1001'"]


def test_verify_ignores_keys_from_forged_enrollments(hub: TrustHub) -> None:
    """An enrollment entry appended to the ledger with a key other than the hub's admits nothing:
    records signed with the intruder's key are still reported as not signed by the kiosk."""
    intruder = Signer(bytes([9]) * 32)
    forger = ledger.Ledger(hub.db, intruder, hub.clock)
    forger.append("OFF1", ledger.KIOSK_ROTATE, "K01", {"kiosk": "K01", "public_key": intruder.public_key_b64})
    last = _record("K01", 12)
    body = UnitCount(
        person="P1001", line="L1", day="2026-10-05", product="SHIRT", step="S3", units=500, source="manual"
    )
    forged = sign_record(
        Record(kiosk="K01", seq=13, prev=last.hash, boot="b1", wall_ms=1, mono_ms=1, body=body), intruder
    )
    models.Kiosk.update(public_key=intruder.public_key).where(models.Kiosk.id == "K01").execute()
    hub.ingest.reload_keys()  # the ingest now trusts the swapped key and stores the forged record
    hub.ingest.handle_records(hub.topics.records("K01"), batch.pack([forged.frame]))
    findings = _report(hub).findings()
    assert "ledger_entry id=4 index=4: hub signature does not verify" in findings
    assert any(
        f.endswith("(kiosk K01 seq 13): signature does not verify against kiosk K01's keys") for f in findings
    )
    assert "kiosk K01: public_key is not the key the ledger last admitted" in findings
