"""Kiosk enrollment by fingerprint or QR, line binding, revocation and key rotation, each recorded in
the hub's ledger with the officer, and picked up by the running ingest at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorledger import cli, keyfile
from hub.audit import verify
from hub.kiosks import enrollment
from hub.ledger import entries as ledger
from hub.store import kiosks as models
from hub.store.ledger import LedgerEntry
from protocol import batch
from protocol.errors import RejectReason
from protocol.signing import Signer, Verifier, b64encode
from tests.hub.audit.test_verify_harness import KioskSim, TrustHub, sqlite_url, trust_hub


@pytest.fixture
def hub(tmp_path: Path, machine_broker) -> TrustHub:
    with sqlite_url(tmp_path) as url, trust_hub(url, machine_broker.url) as h:
        yield h


def _acts(hub: TrustHub) -> list[tuple[str, str, str]]:
    return [(e.actor, e.action, e.subject) for e in hub.ledger.entries()]


def test_enrollment_by_typed_fingerprint_admits_the_announced_key(hub: TrustHub) -> None:
    """A kiosk that said hello is enrolled when the officer types its fingerprint (any case, with or
    without dashes); the act is in the ledger under the officer and ingest accepts its records."""
    kiosk = KioskSim(hub, "K07", Signer(bytes([7]) * 32))
    kiosk.hello()
    assert [p.kiosk for p in hub.enrollment.pending()] == ["K07"]
    typed = kiosk.signer.fingerprint.upper().replace("-", " ")
    row = hub.enrollment.enroll("OFF3", "K07", typed, "L4")
    assert (row.status, row.line, bytes(row.public_key)) == ("enrolled", "L4", kiosk.signer.public_key)
    assert hub.enrollment.pending() == []
    assert _acts(hub) == [("OFF3", ledger.KIOSK_ENROLL, "K07")]
    payload = hub.ledger.entries()[0].payload
    assert b64encode(kiosk.signer.public_key) in payload
    assert kiosk.signer.fingerprint in payload
    kiosk.send(kiosk.make(3))  # asserts the ingest stored and acknowledged them
    assert [h.fingerprint for h in hub.enrollment.key_history("K07")] == [kiosk.signer.fingerprint]


def test_enrollment_refuses_a_fingerprint_that_does_not_match(hub: TrustHub) -> None:
    """A mistyped or foreign fingerprint enrolls nothing, writes no ledger entry, and the kiosk's
    records stay unknown to ingest."""
    kiosk = KioskSim(hub, "K08", Signer(bytes([8]) * 32))
    kiosk.hello()
    wrong = Signer(bytes([9]) * 32).fingerprint
    with pytest.raises(enrollment.EnrollmentError, match="fingerprint does not match"):
        hub.enrollment.enroll("OFF3", "K08", wrong)
    assert models.Kiosk.get_or_none(models.Kiosk.id == "K08") is None
    assert hub.ledger.entries() == []
    assert [p.kiosk for p in hub.enrollment.pending()] == ["K08"]
    result = hub.ingest.handle_records(hub.topics.records("K08"), batch.pack(r.frame for r in kiosk.make(1)))
    assert result is None
    assert models.Quarantine.get(models.Quarantine.kiosk == "K08").reason == RejectReason.UNKNOWN_KIOSK


def test_enrollment_without_hello_or_twice_is_refused(hub: TrustHub) -> None:
    """Enrolling a kiosk that never said hello, or one already enrolled, is refused with a reason."""
    with pytest.raises(enrollment.EnrollmentError, match="has not said hello"):
        hub.enrollment.enroll("OFF1", "K99", "0000-0000-0000-0000-0000")
    hub.enrolled_kiosk("K01", 3)
    KioskSim(hub, "K01", Signer(bytes([3]) * 32)).hello()
    with pytest.raises(enrollment.EnrollmentError, match="already enrolled"):
        hub.enrollment.enroll_qr("OFF1", f"floorledger-enroll:1:K01:{Signer(bytes([3]) * 32).public_key_b64}")


def test_enrollment_by_qr_code(hub: TrustHub) -> None:
    """The QR text from the kiosk's enrollment screen enrolls it; a QR whose key differs from the
    key the kiosk announced is refused; a damaged code is refused."""
    kiosk = KioskSim(hub, "K10", Signer(bytes([10]) * 32))
    kiosk.hello()
    other = Signer(bytes([11]) * 32)
    with pytest.raises(enrollment.EnrollmentError, match="differs from the key"):
        hub.enrollment.enroll_qr("OFF1", f"floorledger-enroll:1:K10:{other.public_key_b64}")
    with pytest.raises(enrollment.EnrollmentError, match="damaged"):
        hub.enrollment.enroll_qr("OFF1", "floorledger-enroll:1:K10:not-a-key")
    row = hub.enrollment.enroll_qr("OFF1", f"floorledger-enroll:1:K10:{kiosk.signer.public_key_b64}\n", "L1")
    assert bytes(row.public_key) == kiosk.signer.public_key
    assert _acts(hub) == [("OFF1", ledger.KIOSK_ENROLL, "K10")]
    assert '"method":"qr"' in hub.ledger.entries()[0].payload


def test_enrollment_revoke_stops_ingest_and_is_recorded(hub: TrustHub) -> None:
    """After an officer revokes a kiosk its new records are refused as revoked; earlier records stay
    and still verify; the revocation and its reason are in the ledger."""
    kiosk = hub.enrolled_kiosk("K01", 3)
    kiosk.send(kiosk.make(2))
    hub.enrollment.revoke("OFF2", "K01", "屏幕被撬")
    result = hub.ingest.handle_records(hub.topics.records("K01"), batch.pack(r.frame for r in kiosk.make(1)))
    assert result is None
    assert models.Quarantine.get(models.Quarantine.kiosk == "K01").reason == RejectReason.REVOKED_KIOSK
    assert _acts(hub)[-1] == ("OFF2", ledger.KIOSK_REVOKE, "K01")
    assert "屏幕被撬" in hub.ledger.entries()[-1].payload
    assert verify.verify_database(hub.db, Verifier(hub.key.public_key), workers=1).ok
    with pytest.raises(enrollment.EnrollmentError, match="revoked"):
        hub.enrollment.bind_line("OFF2", "K01", "L2")


def test_enrollment_key_rotation_keeps_old_records_verifiable(hub: TrustHub) -> None:
    """A kiosk announcing a new key keeps its old one until an officer confirms the new fingerprint;
    then records signed by the new key continue the chain, and verify accepts records of both keys."""
    kiosk = hub.enrolled_kiosk("K01", 3)
    kiosk.send(kiosk.make(3))
    new_key = Signer(bytes([33]) * 32)
    kiosk.signer = new_key
    kiosk.hello()
    with pytest.raises(enrollment.EnrollmentError, match="the old key stays"):
        hub.enrollment.rotate("OFF1", "K01", Signer(bytes([34]) * 32).fingerprint)
    assert bytes(models.Kiosk.get_by_id("K01").public_key) != new_key.public_key
    hub.enrollment.rotate("OFF1", "K01", new_key.fingerprint)
    kiosk.send(kiosk.make(2))
    assert models.Kiosk.get_by_id("K01").head_seq == 5
    history = hub.enrollment.key_history("K01")
    assert [h.public_key for h in history] == [Signer(bytes([3]) * 32).public_key, new_key.public_key]
    assert history[0].valid_until_ms is not None
    assert history[1].valid_until_ms is None
    assert _acts(hub)[-1] == ("OFF1", ledger.KIOSK_ROTATE, "K01")
    report = verify.verify_database(hub.db, Verifier(hub.key.public_key), workers=1)
    assert report.ok, report.render()


def test_enrollment_from_the_command_line(
    hub: TrustHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`floorledger kiosks enroll` with a typed fingerprint enrolls a pending kiosk, records the officer,
    and `kiosks list` shows it; a wrong fingerprint exits non-zero with one line."""
    key_path = tmp_path / "hub.key"
    hub_key = keyfile.create(key_path)
    kiosk = KioskSim(hub, "K20", Signer(bytes([20]) * 32))
    kiosk.hello()
    hub.db.close()
    base = [
        "kiosks",
        "enroll",
        "--db",
        hub.url,
        "--key",
        str(key_path),
        "--officer",
        "OFF5",
        "--kiosk",
        "K20",
    ]
    assert cli.main([*base, "--fingerprint", Signer(bytes([21]) * 32).fingerprint]) == 2
    assert "fingerprint does not match" in capsys.readouterr().err
    assert cli.main([*base, "--fingerprint", kiosk.signer.fingerprint, "--line", "L3"]) == 0
    assert cli.main(["kiosks", "list", "--db", hub.url]) == 0
    out = capsys.readouterr().out
    assert f"K20\tenrolled\tline=L3\t{kiosk.signer.fingerprint}" in out
    entry = LedgerEntry.get(LedgerEntry.subject == "K20")
    assert entry.actor == "OFF5"
    assert ledger.verify_entries(ledger.read_rows(hub.db), Verifier(hub_key.public_key)) == []
