"""The hub's ingest decides on every record exactly as docs/protocol.md §5 says, on SQLite and PostgreSQL:
what extends the chain is stored once and acknowledged after commit; everything else is refused,
quarantined with its reason, and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import peewee as pw
import pytest

from hub.kiosks.ingest import Ingest
from hub.kiosks.quarantine import QuarantineLimiter
from hub.store.kiosks import Kiosk, KioskRecord, PendingKiosk, Quarantine
from protocol import batch
from protocol.messages import Ack, Hello, seal
from protocol.records import GENESIS_HASH, Record, SignedRecord, sign_record
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.delivery_support import (
    DATABASE_KINDS,
    AckWatcher,
    HubRunner,
    body,
    enroll,
    head_of,
    hub_database_url,
    stored_seqs,
)


class Env:
    def __init__(self, hub: HubRunner, topics: Topics, kiosk: Signer, hub_key: Signer, watcher: AckWatcher):
        self.hub = hub
        self.ingest: Ingest = hub.ingest
        self.db: pw.Database = hub.db
        self.topics = topics
        self.kiosk = kiosk
        self.hub_key = hub_key
        self.watcher = watcher

    def chain(
        self, n: int, signer: Signer | None = None, kiosk: str = "K1", start: int = 1
    ) -> list[SignedRecord]:
        out, prev = [], GENESIS_HASH
        for seq in range(1, start + n):
            rec = Record(kiosk=kiosk, seq=seq, prev=prev, boot="b1", wall_ms=seq, mono_ms=seq, body=body(seq))
            signed = sign_record(rec, signer or self.kiosk)
            prev = signed.hash
            if seq >= start:
                out.append(signed)
        return out

    def send(self, frames: list[bytes], kiosk: str = "K1") -> object:
        return self.ingest.handle_records(self.topics.records(kiosk), batch.pack(frames))

    def quarantined(self) -> list[str]:
        with self.db.connection_context():
            return [str(r) for (r,) in Quarantine.select(Quarantine.reason).order_by(Quarantine.id).tuples()]


@pytest.fixture(params=DATABASE_KINDS)
def env(request: pytest.FixtureRequest, tmp_path: Path, machine_broker: BrokerAddress) -> Iterator[Env]:
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    kiosk, hub_key = Signer.generate(), Signer.generate()
    with hub_database_url(request.param, tmp_path) as url:
        hub = HubRunner(url, machine_broker.url, topics, hub_key, gap_wait_s=0).start()
        enroll(hub.db, "K1", kiosk.public_key)
        hub.ingest.reload_keys()
        watcher = AckWatcher(machine_broker.host, machine_broker.port, topics, "K1", hub_key.public_key)
        try:
            yield Env(hub, topics, kiosk, hub_key, watcher)
        finally:
            watcher.close()
            hub.stop()


def test_chain_is_stored_verbatim_then_acknowledged(env: Env) -> None:
    """Records 1..5 are stored once with their frames byte for byte, the head moves to 5, and the
    signed ack the kiosk receives names record 5 and its hash."""
    records = env.chain(5)
    env.send([r.frame for r in records])
    ack = env.watcher.next()
    assert isinstance(ack, Ack)
    assert (ack.kiosk, ack.seq, ack.hash) == ("K1", 5, records[-1].hash)
    assert stored_seqs(env.db, "K1") == [1, 2, 3, 4, 5]
    assert head_of(env.db, "K1") == (5, records[-1].hash)
    with env.db.connection_context():
        frames = [
            bytes(f) for (f,) in KioskRecord.select(KioskRecord.frame).order_by(KioskRecord.seq).tuples()
        ]
        row = KioskRecord.get((KioskRecord.kiosk == "K1") & (KioskRecord.seq == 2))
    assert frames == [r.frame for r in records]
    assert (row.type, row.day, row.line, row.person, row.prev) == (
        "unit_count",
        "2026-10-05",
        "L1",
        "P1",
        records[0].hash,
    )


def test_duplicates_three_times_and_an_old_replay_are_acked_again_and_stored_once(env: Env) -> None:
    """The same batch three times, then record 3 replayed after 1..10 are in: each is acknowledged with
    the head again, and every record is stored exactly once."""
    records = env.chain(10)
    for _ in range(3):
        env.send([r.frame for r in records[:6]])
    assert [env.watcher.next().seq for _ in range(3)] == [6, 6, 6]  # type: ignore[attr-defined]
    env.send([r.frame for r in records[6:]])
    env.send([records[2].frame])
    assert [env.watcher.next().seq for _ in range(2)] == [10, 10]  # type: ignore[attr-defined]
    assert stored_seqs(env.db, "K1") == list(range(1, 11))
    assert env.quarantined() == []


def test_withheld_record_holds_later_ones_until_it_arrives(env: Env) -> None:
    """With record 4 withheld, 5..7 are not stored and the head (3) is re-acknowledged; once 4 arrives
    and the kiosk resends, everything is stored in order."""
    records = env.chain(7)
    env.send([r.frame for r in records[:3]])
    env.send([r.frame for r in records[4:]])
    assert [env.watcher.next().seq for _ in range(2)] == [3, 3]  # type: ignore[attr-defined]
    assert stored_seqs(env.db, "K1") == [1, 2, 3]
    env.send([records[3].frame])
    env.send([r.frame for r in records[4:]])
    assert [env.watcher.next().seq for _ in range(2)] == [4, 7]  # type: ignore[attr-defined]
    assert stored_seqs(env.db, "K1") == [1, 2, 3, 4, 5, 6, 7]


def test_fork_and_chain_break_are_quarantined_and_change_nothing(env: Env) -> None:
    """A second, differently signed record 2 (a fork) and a record 4 naming the wrong predecessor are
    both refused and quarantined; the stored records and the head stay as they were."""
    records = env.chain(3)
    env.send([r.frame for r in records])
    other = sign_record(
        Record(kiosk="K1", seq=2, prev=records[0].hash, boot="b2", wall_ms=9, mono_ms=9, body=body(77)),
        env.kiosk,
    )
    broken = sign_record(
        Record(kiosk="K1", seq=4, prev=records[0].hash, boot="b1", wall_ms=9, mono_ms=9, body=body(4)),
        env.kiosk,
    )
    env.send([other.frame])
    env.send([broken.frame])
    assert env.quarantined() == ["fork", "chain_break"]
    assert stored_seqs(env.db, "K1") == [1, 2, 3]
    assert head_of(env.db, "K1") == (3, records[-1].hash)


def _flip(frame: bytes, part: str) -> bytes:
    """One bit flipped in the signature, or inside the value of a field of the signed JSON."""
    out = bytearray(frame)
    if part == "signature":
        out[10] ^= 0x01
        return bytes(out)
    marker = {"body": b'"units":', "prev": b'"prev":"', "seq": b'"seq":'}[part]
    pos = frame.index(marker, 64) + len(marker)
    out[pos] ^= 0x01
    return bytes(out)


@pytest.mark.parametrize("part", ["body", "signature", "prev", "seq"])
def test_one_flipped_bit_is_rejected_and_nothing_is_stored(env: Env, part: str) -> None:
    """A record with one bit flipped in its body, signature, previous hash or sequence number is
    rejected and quarantined; nothing is stored and the kiosk's head is unchanged."""
    records = env.chain(3)
    env.send([r.frame for r in records[:2]])
    env.send([_flip(records[2].frame, part)])
    assert stored_seqs(env.db, "K1") == [1, 2]
    assert head_of(env.db, "K1") == (2, records[1].hash)
    assert env.quarantined()[0] in ("bad_signature", "malformed")
    assert len(env.quarantined()) == 1


def test_other_kiosks_topic_or_key_is_rejected(env: Env) -> None:
    """K2's genuine record on K1's topic is `wrong_topic`; a record naming K1 but signed with K2's key
    is `bad_signature`; neither is stored."""
    k2 = Signer.generate()
    enroll(env.db, "K2", k2.public_key)
    env.ingest.reload_keys()
    env.send([env.chain(1, signer=k2, kiosk="K2")[0].frame], kiosk="K1")
    env.send([env.chain(1, signer=k2, kiosk="K1")[0].frame], kiosk="K1")
    assert env.quarantined() == ["wrong_topic", "bad_signature"]
    assert stored_seqs(env.db, "K1") == []
    assert stored_seqs(env.db, "K2") == []


def test_unknown_revoked_malformed_and_oversize_are_quarantined_without_ack(env: Env) -> None:
    """A record of a kiosk never enrolled, one of a revoked kiosk, a batch that does not add up and one
    over 1 MiB are each quarantined with their reason, and nothing is acknowledged for them."""
    k3, k4 = Signer.generate(), Signer.generate()
    enroll(env.db, "K4", k4.public_key)
    with env.db.connection_context():
        Kiosk.update(status="revoked").where(Kiosk.id == "K4").execute()
    env.ingest.reload_keys()
    assert env.send([env.chain(1, signer=k3, kiosk="K3")[0].frame], kiosk="K3") is None
    assert env.send([env.chain(1, signer=k4, kiosk="K4")[0].frame], kiosk="K4") is None
    topic = env.topics.records("K1")
    assert env.ingest.handle_records(topic, b"\x00\x00\x00\x09abc") is None
    assert env.ingest.handle_records(topic, b"\x00" * (batch.MAX_BATCH_BYTES + 1)) is None
    assert env.quarantined() == ["unknown_kiosk", "revoked_kiosk", "malformed", "too_large"]
    with env.db.connection_context():
        big = Quarantine.select().order_by(Quarantine.id.desc()).first()
    assert len(bytes(big.payload)) <= 65_600  # a flood of big payloads cannot fill the disk
    assert env.watcher.acks.empty()


def test_a_batch_that_does_not_unpack_is_refused_whole_even_with_good_frames(env: Env) -> None:
    """docs/protocol.md §3: three good records followed by a length that runs past the end make one
    malformed batch: one quarantine row holding the payload as received, none of the good records
    stored, nothing acknowledged. Sent again correctly framed, all three are stored."""
    frames = [r.frame for r in env.chain(3)]
    broken = batch.pack(frames) + b"\x00\x00\x01\x00abc"
    assert env.ingest.handle_records(env.topics.records("K1"), broken) is None
    assert env.quarantined() == ["malformed"]
    with env.db.connection_context():
        row = Quarantine.select().first()
    assert bytes(row.payload) == broken
    assert stored_seqs(env.db, "K1") == []
    assert env.watcher.acks.empty()
    env.send(frames)
    assert env.watcher.next().seq == 3  # type: ignore[attr-defined]
    assert stored_seqs(env.db, "K1") == [1, 2, 3]


def test_quarantine_is_rate_limited_per_kiosk(env: Env) -> None:
    """A flood of 300 garbage messages on one kiosk's topic stores at most the per-minute allowance;
    the ingest keeps working for the genuine records that follow."""
    env.ingest.limiter = QuarantineLimiter(per_kiosk=20, overall=100)
    for _ in range(300):
        env.ingest.handle_records(env.topics.records("K1"), b"garbage")
    assert len(env.quarantined()) == 20
    env.send([r.frame for r in env.chain(2)])
    assert stored_seqs(env.db, "K1") == [1, 2]


def test_hello_of_an_unknown_kiosk_is_listed_as_pending(env: Env) -> None:
    """A hello signed with the key it carries goes to PendingKiosk; one on another kiosk's topic is
    quarantined; the enrolled kiosk's own hello only updates last_seen."""
    k9 = Signer.generate()
    hello = seal(Hello(kiosk="K9", public_key=k9.public_key, boot="b1", wall_ms=1), k9)
    env.ingest.handle_hello(env.topics.hello("K9"), hello)
    env.ingest.handle_hello(env.topics.hello("K8"), hello)
    own = seal(Hello(kiosk="K1", public_key=env.kiosk.public_key, boot="b1", wall_ms=1), env.kiosk)
    env.ingest.handle_hello(env.topics.hello("K1"), own)
    with env.db.connection_context():
        pending = [(p.kiosk, bytes(p.public_key)) for p in PendingKiosk.select()]
        seen = Kiosk.get_by_id("K1").last_seen_ms
    assert pending == [("K9", k9.public_key)]
    assert env.quarantined() == ["wrong_topic"]
    assert seen is not None


def test_on_committed_gets_the_new_rows_and_its_failure_does_not_stop_ingest(env: Env) -> None:
    """The results hook receives exactly the newly stored rows; if it raises, the batch is still
    acknowledged and later batches are still stored."""
    seen: list[list[int]] = []

    def hook(rows: list[KioskRecord]) -> None:
        seen.append([r.seq for r in rows])
        raise RuntimeError("recompute failed")

    env.ingest.on_committed = hook
    records = env.chain(4)
    env.send([r.frame for r in records[:2]])
    env.send([r.frame for r in records])
    assert seen == [[1, 2], [3, 4]]
    assert [env.watcher.next().seq for _ in range(2)] == [2, 4]  # type: ignore[attr-defined]


def test_kiosk_enrolled_by_another_hub_process_is_picked_up_without_a_restart(env: Env) -> None:
    """A kiosk enrolled (or re-keyed) in the database by another process is recognised: the worker
    re-reads the kiosk table when a record fails for an unknown kiosk or key, at most once per interval."""
    env.ingest.key_reload_s = 0
    k5 = Signer.generate()
    enroll(env.db, "K5", k5.public_key)  # no reload_keys() on this worker
    records = env.chain(2, signer=k5, kiosk="K5")
    env.send([r.frame for r in records], kiosk="K5")
    assert stored_seqs(env.db, "K5") == [1, 2]
    assert env.quarantined() == []
