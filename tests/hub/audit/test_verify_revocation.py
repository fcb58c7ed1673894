"""`floorledger verify` holds each kiosk record to the key history in the hub-signed ledger: a record
must be signed by a key admitted for that kiosk at that point of its chain (a rotation or revocation
act records the chain head), so a stolen key cannot add records after the kiosk was revoked, nor an
old key after a rotation, even when the head is moved and a checkpoint signed over the forgery."""

from __future__ import annotations

from pathlib import Path

import pytest

from hub.audit import verify
from hub.store import kiosks as models
from protocol.records import Record, UnitCount, sign_record
from protocol.signing import Signer, Verifier
from tests.hub.audit.test_verify_harness import KioskSim, TrustHub, database_url, trust_hub

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
OLD, NEW = Signer(bytes([3]) * 32), Signer(bytes([5]) * 32)


def _rotated(hub: TrustHub) -> KioskSim:
    """K01: records 1..5 under its first key, a rotation, records 6..8 under the new key."""
    k1 = hub.enrolled_kiosk("K01", 3)
    k1.send(k1.make(5))
    k1.signer = NEW
    k1.hello()
    hub.enrollment.rotate("OFF1", "K01", NEW.fingerprint)
    k1.send(k1.make(3))
    return k1


@pytest.fixture(params=KINDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path, machine_broker) -> TrustHub:
    with database_url(request.param, tmp_path) as url, trust_hub(url, machine_broker.url) as h:
        yield h


def _insert(hub: TrustHub, sim: KioskSim, signer: Signer) -> int:
    """What someone with SQL access and a kiosk's stolen key does: a record continuing the chain,
    the head moved, and a fresh checkpoint over it."""
    body = UnitCount(
        person="P1001", line="L1", day="2026-10-05", product="SHIRT", step="S3", units=500, source="manual"
    )
    seq = sim.seq + 1
    forged = sign_record(
        Record(kiosk=sim.id, seq=seq, prev=sim.prev, boot="b1", wall_ms=9, mono_ms=9, body=body), signer
    )
    columns = dict(zip(models.RECORD_PARSED_COLUMNS, models.record_columns(forged), strict=True))
    new_id = int(models.KioskRecord.insert(**columns, frame=forged.frame, received_ms=9).execute())
    models.Kiosk.update(head_seq=seq, head_hash=forged.hash).where(models.Kiosk.id == sim.id).execute()
    hub.log.make_checkpoint()
    return new_id


def _findings(hub: TrustHub) -> list[str]:
    return verify.verify_database(hub.db, Verifier(hub.key.public_key), workers=1).findings()


def test_verify_passes_untouched_database_with_rotation_and_revocation(hub: TrustHub) -> None:
    """Records signed by the first key before the rotation and by the new key after it, then a
    revocation: every record is genuine and verify finds nothing."""
    _rotated(hub)
    hub.enrollment.revoke("OFF1", "K01", "stolen")
    hub.log.make_checkpoint()
    assert _findings(hub) == []


def test_verify_reports_record_signed_after_revocation(hub: TrustHub) -> None:
    """A record inserted in SQL with the revoked kiosk's stolen key (chain continued, head moved,
    checkpoint signed) is reported: the revocation act bounds the kiosk's chain at record 8."""
    sim = _rotated(hub)
    hub.enrollment.revoke("OFF1", "K01", "stolen")
    hub.log.make_checkpoint()
    new_id = _insert(hub, sim, NEW)
    findings = _findings(hub)
    revoke_entry = 3  # enroll, rotate, revoke
    assert findings == [
        f"kiosk_record id={new_id} (kiosk K01 seq 9): signed after kiosk K01 was revoked "
        f"(ledger entry {revoke_entry}, after its record 8)"
    ]


def test_verify_reports_old_key_used_after_rotation(hub: TrustHub) -> None:
    """A record signed with the kiosk's retired key after its rotation is reported: the rotation act
    admits the old key only for records 1..5."""
    sim = _rotated(hub)
    new_id = _insert(hub, sim, OLD)
    findings = _findings(hub)
    assert (
        f"kiosk_record id={new_id} (kiosk K01 seq 9): signed by a key of kiosk K01 that the ledger "
        "admits only for records 1..5"
    ) in findings


def test_verify_accepts_new_key_after_rotation(hub: TrustHub) -> None:
    """The new key may sign records after the rotation while the kiosk is enrolled (the control for
    the two tests above: only the key history makes the difference)."""
    sim = _rotated(hub)
    _insert(hub, sim, NEW)
    assert not [f for f in _findings(hub) if "kiosk_record" in f]
