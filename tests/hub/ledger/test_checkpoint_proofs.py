"""Signed checkpoints over every kiosk record and ledger entry, and inclusion proofs an outsider can
check offline with only the hub's public key; every mutation of a proof must fail."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import psycopg2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from floorledger import cli, keyfile
from hub.audit import verify
from hub.ledger import checkpoints, merkle
from hub.store import kiosks as models
from hub.store.ledger import LedgerEntry, LogLeaf
from protocol import canonical
from protocol.errors import ProtocolError
from protocol.messages import Checkpoint, open_frame
from protocol.records import body_to_dict
from protocol.signing import Verifier, b64encode
from tests.hub.audit.test_verify_harness import TrustHub, postgres_url, sqlite_url, trust_hub


@pytest.fixture
def hub(tmp_path: Path, machine_broker) -> TrustHub:
    with sqlite_url(tmp_path) as url, trust_hub(url, machine_broker.url) as h:
        yield h


def _fill(hub: TrustHub) -> None:
    k1 = hub.enrolled_kiosk("K01", 3)
    k2 = hub.enrolled_kiosk("K02", 4)
    k1.send(k1.make(6))
    k2.send(k2.make(4))


def test_checkpoint_signs_the_root_of_every_record_and_ledger_entry(hub: TrustHub) -> None:
    """The published checkpoint opens with the hub key and names the RFC 6962 root over the frames of
    all 10 records and both enrollment acts, in the order the log took them."""
    _fill(hub)
    stored = hub.log.make_checkpoint()
    frame = hub.log.checkpoint_frame()
    assert frame is not None
    message: Checkpoint = open_frame(frame, Verifier(hub.key.public_key), Checkpoint)
    assert (message.hub, message.tree_size) == ("HUB", 12)
    leaves = [bytes(r.frame) for r in models.KioskRecord.select().order_by(models.KioskRecord.id)]
    leaves += [bytes(e.frame) for e in LedgerEntry.select().order_by(LedgerEntry.entry_index)]
    assert message.root == merkle.root(merkle.leaf_hash(x) for x in leaves).hex() == stored.root


def test_checkpoint_log_only_grows(hub: TrustHub) -> None:
    """A later checkpoint covers the earlier one: its first leaves are unchanged (consistency proof)
    and new records and acts are appended after them."""
    _fill(hub)
    first = hub.log.make_checkpoint()
    hub.enrollment.bind_line("OFF1", "K02", "L2")
    k3 = hub.enrolled_kiosk("K03", 5)
    k3.send(k3.make(2))
    second = hub.log.make_checkpoint()
    assert second.tree_size == first.tree_size + 4
    leaves = [bytes.fromhex(x.leaf_hash) for x in LogLeaf.select().order_by(LogLeaf.leaf_index)]
    proof = merkle.consistency_proof(leaves, first.tree_size)
    merkle.verify_consistency(
        first.tree_size, second.tree_size, bytes.fromhex(first.root), bytes.fromhex(second.root), proof
    )


def test_checkpoint_inclusion_proof_checks_offline(hub: TrustHub, tmp_path: Path, capsys) -> None:
    """`floorledger proof` writes a file for one record that `floorledger verify --proof` accepts with
    nothing but the hub's public key; the proof carries the record's signed bytes."""
    _fill(hub)
    hub.log.make_checkpoint()
    record = models.KioskRecord.get((models.KioskRecord.kiosk == "K02") & (models.KioskRecord.seq == 3))
    hub.db.close()
    out = tmp_path / "proof.json"
    assert cli.main(["proof", "--db", hub.url, "--kiosk", "K02", "--seq", "3", "--out", str(out)]) == 0
    proof = checkpoints.InclusionProof.from_json(out.read_text())
    assert proof.leaf == bytes(record.frame)
    status = cli.main(
        ["verify", "--proof", str(out), "--hub-key-pub", hub.key.public_key_b64, "--lang", "en"]
    )
    assert status == 0
    assert "VERIFIED: leaf" in capsys.readouterr().out


def test_checkpoint_ledger_entry_has_a_proof_too(hub: TrustHub) -> None:
    """An officer's act is provably in the same signed log as the kiosk records."""
    _fill(hub)
    hub.log.make_checkpoint()
    entry = LedgerEntry.get(LedgerEntry.entry_index == 2)
    proof = hub.log.inclusion_proof(entry)
    checkpoints.verify_inclusion_proof(proof, Verifier(hub.key.public_key))
    assert proof.leaf == bytes(entry.frame)


def test_checkpoint_no_proof_before_a_checkpoint_covers_the_record(hub: TrustHub) -> None:
    """A record stored after the latest checkpoint has no proof yet, and says so."""
    _fill(hub)
    hub.log.make_checkpoint()
    k1 = hub.enrolled_kiosk("K05", 6)
    k1.send(k1.make(1))
    late = models.KioskRecord.get(models.KioskRecord.kiosk == "K05")
    with pytest.raises(checkpoints.CheckpointError, match="not in a checkpoint yet"):
        hub.log.inclusion_proof(late)


def test_checkpoint_every_mutated_proof_fails(hub: TrustHub) -> None:
    """Changing the leaf index, the tree size, any byte of any path element, of the record or of the
    signed checkpoint, makes the offline check fail."""
    _fill(hub)
    hub.log.make_checkpoint()
    record = models.KioskRecord.get((models.KioskRecord.kiosk == "K01") & (models.KioskRecord.seq == 4))
    proof = hub.log.inclusion_proof(record)
    key = Verifier(hub.key.public_key)
    checkpoints.verify_inclusion_proof(proof, key)

    @settings(max_examples=300, deadline=None)
    @given(data=st.data())
    def mutated_fails(data: st.DataObject) -> None:
        what = data.draw(st.sampled_from(["index", "size", "path", "leaf", "checkpoint"]))
        if what == "index":
            index = data.draw(st.integers(-2, proof.tree_size + 2).filter(lambda i: i != proof.leaf_index))
            bad = dataclasses.replace(proof, leaf_index=index)
        elif what == "size":
            size = data.draw(st.integers(0, proof.tree_size * 3).filter(lambda n: n != proof.tree_size))
            bad = dataclasses.replace(proof, tree_size=size)
        elif what == "path":
            i = data.draw(st.integers(0, len(proof.path) - 1))
            bad = dataclasses.replace(proof, path=_flip_in(proof.path, i, data))
        else:
            blob = getattr(proof, what)
            pos = data.draw(st.integers(0, len(blob) - 1))
            bit = data.draw(st.integers(0, 7))
            bad = dataclasses.replace(
                proof, **{what: blob[:pos] + bytes([blob[pos] ^ (1 << bit)]) + blob[pos + 1 :]}
            )
        with pytest.raises((merkle.ProofError, ProtocolError)):
            checkpoints.verify_inclusion_proof(bad, key)

    mutated_fails()


def _flip_in(path: tuple[bytes, ...], i: int, data: st.DataObject) -> tuple[bytes, ...]:
    raw = bytearray(path[i])
    raw[data.draw(st.integers(0, len(raw) - 1))] ^= 1 << data.draw(st.integers(0, 7))
    return (*path[:i], bytes(raw), *path[i + 1 :])


@pytest.mark.postgres
def test_checkpoint_takes_records_committed_out_of_id_order(tmp_path: Path, machine_broker) -> None:
    """On PostgreSQL a record can get a lower id than one committed before it; the log still takes it
    at the next checkpoint, once, and the database verifies."""
    with postgres_url() as url, trust_hub(url, machine_broker.url) as hub:
        k1 = hub.enrolled_kiosk("K01", 3)
        k2 = hub.enrolled_kiosk("K02", 4)
        slow = k2.make(1)[0]
        # a second connection takes the next id for K02's record and holds its transaction open
        name = url.rsplit("/", 1)[1]
        other = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=name)
        try:
            with other.cursor() as cur:
                body = canonical.encode(body_to_dict(slow.record.body)).decode()
                cur.execute(
                    "INSERT INTO kiosk_record (kiosk, seq, hash, prev, type, day, line, person, wall_ms,"
                    " mono_ms, boot, body, frame, received_ms) VALUES"
                    " (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) RETURNING id",
                    (
                        "K02",
                        1,
                        slow.hash,
                        slow.record.prev,
                        "unit_count",
                        "2026-10-05",
                        "L1",
                        "P1001",
                        slow.record.wall_ms,
                        slow.record.mono_ms,
                        "b1",
                        body,
                        slow.frame,
                        1,
                    ),
                )
                slow_id = cur.fetchone()[0]
                cur.execute("UPDATE kiosk SET head_seq = 1, head_hash = %s WHERE id = 'K02'", (slow.hash,))
            k1.send(k1.make(3))  # committed first, with higher ids
            first = hub.log.make_checkpoint()
            other.commit()
        finally:
            other.close()
        assert max(r.id for r in models.KioskRecord.select()) > slow_id
        second = hub.log.make_checkpoint()
        assert second.tree_size == first.tree_size + 1
        row = models.KioskRecord.get_by_id(slow_id)
        checkpoints.verify_inclusion_proof(hub.log.inclusion_proof(row), Verifier(hub.key.public_key))
        report = verify.verify_database(hub.db, Verifier(hub.key.public_key), workers=1)
        assert report.ok, report.render()


def test_checkpoint_from_the_command_line(hub: TrustHub, tmp_path: Path, capsys) -> None:
    """`floorledger checkpoint` with the hub's key file signs a checkpoint over everything stored so
    far, and the database then verifies against the hub's public key."""
    _fill(hub)
    key_file = tmp_path / "hub.key"
    key_file.write_text(f"{keyfile.HEADER}{b64encode(hub.key.seed)}\n", encoding="ascii")
    hub.db.close()
    assert cli.main(["checkpoint", "--db", hub.url, "--key", str(key_file), "--site", "HUB"]) == 0
    assert "checkpoint: tree_size=12 root=" in capsys.readouterr().out
    stored = checkpoints.latest_checkpoint()
    assert stored is not None
    assert open_frame(bytes(stored.frame), Verifier(hub.key.public_key), Checkpoint).tree_size == 12
    assert (
        cli.main(["verify", "--db", hub.url, "--hub-key-pub", hub.key.public_key_b64, "--workers", "1"]) == 0
    )


def test_checkpoint_a_proof_file_with_a_capital_hex_digit_is_damaged(hub: TrustHub) -> None:
    """An inclusion proof file is read only in the form it is written: a path element in capitals
    (the same hash to `bytes.fromhex`) is refused as damaged, not silently accepted."""
    _fill(hub)
    hub.log.make_checkpoint()
    record = models.KioskRecord.get((models.KioskRecord.kiosk == "K01") & (models.KioskRecord.seq == 4))
    text = hub.log.inclusion_proof(record).to_json()
    first = json.loads(text)["path"][0]
    with pytest.raises(checkpoints.CheckpointError, match="64 lowercase hex digits"):
        checkpoints.InclusionProof.from_json(text.replace(first, first.upper()))
