"""`floorledger verify` against checkpoints held outside the hub's tables: the kiosks' witnesses and
those an auditor brings with `--expect`. A log rewound behind any of them, or rewound and regrown
with other entries, is reported; an honest log passes and the report ends with its root and size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from floorledger.cli import main
from hub.audit import verify
from hub.audit.report import Report
from hub.audit.witness import Claim, ExpectError, parse_expectation
from hub.ledger import merkle
from hub.ledger.checkpoints import inclusion_proof, latest_checkpoint
from hub.review.exports import COLUMNS, to_csv, to_xlsx
from hub.store import kiosks as models
from hub.store.ledger import LedgerEntry, LogLeaf, StoredCheckpoint
from protocol.messages import Checkpoint, seal, witness_of
from protocol.records import Record, SignedRecord, sign_record
from protocol.signing import Signer, Verifier, b64encode
from tests.hub.audit.test_verify_harness import START_MS, KioskSim, TrustHub, database_url, trust_hub

KINDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=KINDS)
def hub(request: pytest.FixtureRequest, tmp_path: Path, machine_broker) -> TrustHub:
    with database_url(request.param, tmp_path) as url, trust_hub(url, machine_broker.url) as h:
        yield h


def _witness(sim: KioskSim, frame: bytes, signer: Signer | None = None) -> SignedRecord:
    """The kiosk's next record: a witness of the checkpoint `frame` (as kiosk.uplink writes it)."""
    checkpoint = Checkpoint.from_dict(json.loads(frame[64:]))
    sim.seq += 1
    record = Record(
        kiosk=sim.id,
        seq=sim.seq,
        prev=sim.prev,
        boot="b1",
        wall_ms=START_MS + sim.seq,
        mono_ms=sim.seq,
        body=witness_of(checkpoint, frame),
    )
    signed = sign_record(record, signer or sim.signer)
    sim.prev = signed.hash
    return signed


def _report(hub: TrustHub, *expect: Claim) -> Report:
    return verify.verify_database(hub.db, Verifier(hub.key.public_key, hub=True), workers=1, expect=expect)


def _witnessed_floor(hub: TrustHub) -> tuple[KioskSim, StoredCheckpoint]:
    """K01 sends records, K02 is enrolled, a checkpoint is signed and published; K01 witnesses it."""
    k1 = hub.enrolled_kiosk("K01", 3)
    k1.send(k1.make(5))
    hub.enrolled_kiosk("K02", 4, line="L2")
    witnessed = hub.log.make_checkpoint()
    k1.send([_witness(k1, bytes(witnessed.frame))])
    return k1, witnessed


def _rewind(hub: TrustHub, entries: int) -> int:
    """Delete the last `entries` ledger entries, the rows their acts wrote (kiosk K02), their log
    leaves and every checkpoint covering them, as someone with SQL access would; returns the size."""
    doomed = list(LedgerEntry.select().order_by(LedgerEntry.entry_index.desc()).limit(entries))
    first = (
        LogLeaf.select(LogLeaf.leaf_index)
        .where(LogLeaf.source == "ledger", LogLeaf.ref.in_([e.id for e in doomed]))
        .order_by(LogLeaf.leaf_index)
        .first()
        .leaf_index
    )
    with hub.db.atomic():
        LedgerEntry.delete().where(LedgerEntry.id.in_([e.id for e in doomed])).execute()
        models.KioskKeyHistory.delete().where(models.KioskKeyHistory.kiosk == "K02").execute()
        models.Kiosk.delete().where(models.Kiosk.id == "K02").execute()
        LogLeaf.delete().where(LogLeaf.leaf_index >= first).execute()
        StoredCheckpoint.delete().where(StoredCheckpoint.tree_size > first).execute()
    return int(first)


def test_an_untouched_log_with_witnesses_verifies_and_the_report_ends_with_its_root(hub: TrustHub) -> None:
    """Witness records of a genuine checkpoint raise nothing; the report's last lines give today's
    log size and root (those of the newest checkpoint after one more is made) and that checkpoint."""
    _witnessed_floor(hub)
    latest = hub.log.make_checkpoint()
    report = _report(hub)
    assert report.findings() == []
    assert report.summary[-2:] == [
        f"log: {latest.tree_size} leaves, root {latest.root}",
        f"latest signed checkpoint: {latest.tree_size} leaves, root {latest.root} "
        f"(id={latest.id}, hub_ms {latest.hub_ms})",
    ]
    assert report.render().splitlines()[-3:-1] == report.summary[-2:]


def test_a_rewind_behind_a_kiosk_witness_is_reported(hub: TrustHub) -> None:
    """Deleting K02's enrollment act, its leaf and the checkpoint covering it leaves a log consistent
    in itself; K01's witness of that checkpoint shows the rewind."""
    k1, witnessed = _witnessed_floor(hub)
    size = _rewind(hub, entries=1)
    expected = [
        f"rewind behind a checkpoint witnessed by kiosk K01 (record seq {k1.seq}): it signs root "
        f"{witnessed.root} over {witnessed.tree_size} leaves, today's log holds only {size}"
    ]
    assert _report(hub).findings() == expected
    # the same with the signature pool, where the witnesses are read on the log pass's thread
    pooled = verify.verify_database(hub.db, Verifier(hub.key.public_key, hub=True), workers=2)
    assert pooled.findings() == expected


def test_a_log_rewound_and_regrown_past_the_witness_is_reported(hub: TrustHub) -> None:
    """After the rewind the forger enrolls another kiosk, so the log (and a fresh signed checkpoint)
    is as long as the witnessed one again, with another root: reported, with both roots."""
    k1, witnessed = _witnessed_floor(hub)
    _rewind(hub, entries=1)
    hub.enrolled_kiosk("K09", 9, line="L2")
    hub.log.make_checkpoint()
    leaves = [
        bytes.fromhex(h) for (h,) in LogLeaf.select(LogLeaf.leaf_hash).order_by(LogLeaf.leaf_index).tuples()
    ]
    now = merkle.root(leaves[: witnessed.tree_size]).hex()
    assert _report(hub).findings() == [
        f"rewind behind a checkpoint witnessed by kiosk K01 (record seq {k1.seq}): it signs root "
        f"{witnessed.root} over {witnessed.tree_size} leaves, today's log gives {now[:16]}…"
    ]


def test_every_witness_of_one_checkpoint_is_one_finding_naming_the_first(hub: TrustHub) -> None:
    """Two kiosks witnessing the same checkpoint (the retained one reaches all) give one finding."""
    k1 = hub.enrolled_kiosk("K01", 3)
    k3 = hub.enrolled_kiosk("K03", 5)
    hub.enrolled_kiosk("K02", 4, line="L2")
    witnessed = hub.log.make_checkpoint()
    k1.send([_witness(k1, bytes(witnessed.frame))])
    k3.send([_witness(k3, bytes(witnessed.frame))])
    size = _rewind(hub, entries=1)
    assert _report(hub).findings() == [
        "rewind behind a checkpoint witnessed by kiosk K01 (record seq 1) and 1 more witness record(s): "
        f"it signs root {witnessed.root} over {witnessed.tree_size} leaves, today's log holds only {size}"
    ]


def test_a_witnessed_checkpoint_the_hub_never_signed_is_reported(hub: TrustHub) -> None:
    """A witness record (genuinely signed by its kiosk) whose checkpoint does not verify with the hub
    key names the record; it proves nothing about the log."""
    k1 = hub.enrolled_kiosk("K01", 3)
    k1.send(k1.make(1))
    fake = Checkpoint(hub="HUB", tree_size=1, root="ab" * 32, hub_ms=1)
    k1.send([_witness(k1, seal(fake, Signer.generate()))])
    findings = _report(hub).findings()
    row = models.KioskRecord.get(models.KioskRecord.kiosk == "K01", models.KioskRecord.seq == 2)
    assert findings == [
        f"kiosk_record id={row.id}: the checkpoint witnessed by kiosk K01 (record seq 2) is not signed by "
        "the hub (signature does not match the hub's key)"
    ]


# --- --expect --------------------------------------------------------------------------------------


def test_expect_values_that_name_no_checkpoint_are_refused(tmp_path: Path) -> None:
    """Fewer than the board's 16 hex digits, non-hex text, or a file with no checkpoint: refused."""
    for value in ("3f2a 9c01 77de", "not-a-root", "3f2a9c0177de0b45@x"):
        with pytest.raises(ExpectError):
            parse_expectation(value, None)
    empty = tmp_path / "empty.csv"
    empty.write_text("inmate_id,checkpoint_root\nI1,\n", encoding="utf-8")
    with pytest.raises(ExpectError):
        parse_expectation(str(empty), None)


def test_the_board_fingerprint_reads_as_a_16_digit_prefix() -> None:
    """今日数据指纹 as the board shows it (four groups of four) is the root's first 16 digits."""
    (claim,) = parse_expectation("3F2A 9c01-77de 0b45@12", None)
    assert (claim.root, claim.tree_size) == ("3f2a9c0177de0b45", 12)


def _files(
    tmp_path: Path, hub: TrustHub, stored: StoredCheckpoint, proof_row: models.KioskRecord
) -> list[Path]:
    """The checkpoint as an auditor may hold it: the published frame, a bundle-like JSON, an inclusion
    proof, and exports (CSV, XLSX) whose checkpoint_root column holds its root."""
    frame = tmp_path / "checkpoint.bin"
    frame.write_bytes(bytes(stored.frame))
    bundle = tmp_path / "bundle.json"
    bundle.write_text(
        json.dumps({"format": "x", "checkpoint": b64encode(bytes(stored.frame))}), encoding="utf-8"
    )
    proof = tmp_path / "proof.json"
    proof.write_text(inclusion_proof(proof_row).to_json(), encoding="utf-8")
    row = dict.fromkeys(COLUMNS, "1") | {"checkpoint_root": str(stored.root), "adjustment_detail": []}
    csv = tmp_path / "export.csv"
    csv.write_bytes(to_csv([row]))
    xlsx = tmp_path / "export.xlsx"
    xlsx.write_bytes(to_xlsx([row]))
    return [frame, bundle, proof, csv, xlsx]


def test_expect_files_and_roots_hold_on_an_honest_log_and_catch_a_rewind(
    hub: TrustHub, tmp_path: Path
) -> None:
    """Every form of an earlier checkpoint holds while the log extends it (a consistency proof where
    the size is known, the root found at its size where not), and each reports the rewind after."""
    k1, witnessed = _witnessed_floor(hub)
    assert latest_checkpoint() is not None
    row = models.KioskRecord.get(models.KioskRecord.kiosk == "K01", models.KioskRecord.seq == 1)
    key = Verifier(hub.key.public_key, hub=True)
    files = _files(tmp_path, hub, witnessed, row)
    hub.enrolled_kiosk("K05", 6)
    hub.log.make_checkpoint()  # the log grows past the kept checkpoint
    claims = [c for f in files for c in parse_expectation(str(f), key)]
    claims += parse_expectation(f"{witnessed.root}@{witnessed.tree_size}", key)
    claims += parse_expectation(witnessed.root[:16], key)
    assert all(c.root.startswith(witnessed.root[:16]) for c in claims)
    honest = _report(hub, *claims)
    assert honest.findings() == []
    held = [line for line in honest.summary if line.startswith("checkpoint given with --expect")]
    assert len(held) == len(claims) == 7
    size_now = LogLeaf.select().count()  # + the witness record and K05's enrollment
    assert sum("consistency proof of" in line for line in held) == 4  # frame, bundle, proof, root@size
    assert all(f"to {size_now} leaves verified" in line for line in held if "consistency" in line)
    assert sum(f"over its first {witnessed.tree_size} of {size_now} leaves" in line for line in held) == 3

    _rewind(hub, entries=2)  # K05's and K02's enrollments
    rewound = _report(hub, *claims)
    assert (
        len([f for f in rewound.findings() if f.startswith("rewind behind a checkpoint given with --expect")])
        == 7
    )


def test_the_command_line_refuses_a_bad_expect_in_one_line(
    hub: TrustHub, capsys: pytest.CaptureFixture[str]
) -> None:
    """`verify --expect` with too short a root exits non-zero with one line, no traceback, in the
    report's language (Chinese by default, English with `--lang en`)."""
    if not hub.url.startswith("sqlite"):
        pytest.skip("the command line is the same for both databases")
    code = main(["verify", "--db", hub.url, "--expect", "3f2a9c01"])
    err = capsys.readouterr().err
    assert code != 0
    assert "至少如看板所示的前 16 位" in err
    assert "Traceback" not in err
    code = main(["verify", "--db", hub.url, "--expect", "3f2a9c01", "--lang", "en"])
    err = capsys.readouterr().err
    assert code != 0
    assert "at least the first 16" in err


def test_an_expected_empty_log_holds_only_with_the_empty_root(hub: TrustHub) -> None:
    """`ROOT@0` holds only for the empty tree's root (SHA-256 of nothing); any other root over 0
    leaves is a finding (no consistency proof can show it)."""
    hub.enrolled_kiosk("K01", 3)
    hub.log.make_checkpoint()
    empty = merkle.EMPTY_ROOT.hex()
    assert _report(hub, *parse_expectation(f"{empty}@0", None)).findings() == []
    findings = _report(hub, *parse_expectation(f"{'ab' * 32}@0", None)).findings()
    other = "ab" * 32
    assert findings == [
        f"rewind behind a checkpoint given with --expect {other}@0: it signs root {other} over 0 leaves"
    ]
