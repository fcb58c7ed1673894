"""A kiosk witnesses the hub's signed checkpoints in its own chain: newer ones only, at most once per
interval, never one that does not verify with the hub key nor one smaller than it already witnessed
(a rewound hub's), and the witness survives a restart of the kiosk."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.base.mqtt_url import BrokerConfig
from kiosk.clock import KioskClock
from kiosk.store import KioskStore
from kiosk.uplink import Uplink
from kiosk.witness import Verdict, Witnessed, decide
from protocol.messages import Checkpoint, open_frame, seal, witness_of, witnessed_checkpoint
from protocol.records import CheckpointWitness, parse_frame
from protocol.signing import Signer, Verifier
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.delivery_support import body, wait_until

ROOT_A, ROOT_B = "a" * 64, "b" * 64
MIN = 60_000


def _cp(size: int, root: str = ROOT_A, hub_ms: int = 1_791_190_800_000) -> Checkpoint:
    return Checkpoint(hub="HUB", tree_size=size, root=root, hub_ms=hub_ms)


@pytest.mark.parametrize(
    ("last", "checkpoint", "now", "verdict"),
    [
        (None, _cp(5), 0, Verdict.WITNESS),  # the first one
        (None, _cp(0), 0, Verdict.KNOWN),  # an empty log proves nothing
        (Witnessed(tree_size=5, root=ROOT_A, at_ms=0), _cp(5), 99 * MIN, Verdict.KNOWN),  # retained again
        (Witnessed(tree_size=5, root=ROOT_A, at_ms=0), _cp(5, ROOT_B), 99 * MIN, Verdict.FORKED),
        (Witnessed(tree_size=5, root=ROOT_A, at_ms=0), _cp(4, ROOT_B), 99 * MIN, Verdict.OLDER),
        (Witnessed(tree_size=5, root=ROOT_A, at_ms=0), _cp(9, ROOT_B), 9 * MIN, Verdict.WAIT),
        (Witnessed(tree_size=5, root=ROOT_A, at_ms=0), _cp(9, ROOT_B), 10 * MIN, Verdict.WITNESS),
        (
            Witnessed(tree_size=5, root=ROOT_A, at_ms=5 * MIN),
            _cp(9, ROOT_B),
            0,
            Verdict.WITNESS,
        ),  # clock set back
    ],
)
def test_witness_decision_table(
    last: Witnessed | None, checkpoint: Checkpoint, now: int, verdict: Verdict
) -> None:
    """Newer checkpoints are witnessed once the interval (10 min here) has passed; the same one, an
    empty one, a smaller one or an equal-sized one with another root are not."""
    assert decide(last, checkpoint, now, 10 * MIN) is verdict


def test_saved_witness_reads_back_and_garbage_reads_as_none() -> None:
    """The last witness is saved as text; an unreadable value means "never witnessed"."""
    w = Witnessed(tree_size=12, root=ROOT_A, at_ms=1_791_190_800_000)
    assert Witnessed.decode(w.encode()) == w
    assert Witnessed.decode(b"12:zz") is None


def test_witness_record_is_chained_signed_and_remembered_across_a_restart(tmp_path: Path) -> None:
    """`append_witness` writes the witness as the next signed record of the chain (the hub's frame
    can be rebuilt from it byte for byte) and remembers it in the same transaction, so a restarted
    kiosk does not witness the same checkpoint again."""
    hub, signer = Signer.generate(), Signer.generate()
    store = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    store.append(body(1))
    frame = seal(_cp(7), hub)
    signed = store.append_witness(witness_of(_cp(7), frame))
    store.close()
    again = KioskStore(tmp_path / "k.db", "K1", signer, KioskClock())
    try:
        assert again.check_integrity() == []
        assert again.head().seq == 2
        last = again.last_witness()
        assert last is not None
        assert (last.tree_size, last.root, last.at_ms) == (7, ROOT_A, signed.record.wall_ms)
        witness = parse_frame(again.unacked(10)[-1].frame).record.body
        assert isinstance(witness, CheckpointWitness)
        assert witnessed_checkpoint(witness) == frame
        assert open_frame(witnessed_checkpoint(witness), Verifier(hub.public_key), Checkpoint) == _cp(7)
    finally:
        again.close()


# --- over the real broker -----------------------------------------------------------------------


class Online:
    def __init__(self, store: KioskStore, uplink: Uplink, topics: Topics, hub: Signer, pub: mqtt.Client):
        self.store, self.uplink, self.topics, self.hub, self.pub = store, uplink, topics, hub, pub

    def publish(self, frame: bytes) -> None:
        self.pub.publish(self.topics.checkpoint(), frame, qos=1, retain=True).wait_for_publish(5)

    def witnesses(self) -> list[CheckpointWitness]:
        out = []
        for stored in self.store.unacked(1000):
            body = parse_frame(stored.frame).record.body
            if isinstance(body, CheckpointWitness):
                out.append(body)
        return out


@pytest.fixture
def online(tmp_path: Path, machine_broker: BrokerAddress) -> Iterator[Online]:
    topics = Topics.for_site(f"w{uuid.uuid4().hex[:8]}")
    hub = Signer.generate()
    store = KioskStore(tmp_path / "k.db", "K1", Signer.generate(), KioskClock())
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    pub.connect(machine_broker.host, machine_broker.port)
    pub.loop_start()
    uplink = Uplink(
        store,
        BrokerConfig.from_url(machine_broker.url),
        topics,
        "K1",
        hub.public_key,
        line="L1",
        witness_interval_s=1.5,
    )
    try:
        yield Online(store, uplink, topics, hub, pub)
    finally:
        uplink.stop()
        pub.publish(topics.checkpoint(), b"", qos=1, retain=True).wait_for_publish(5)  # clear it
        pub.loop_stop()
        pub.disconnect()
        store.close()


def test_kiosk_witnesses_the_retained_checkpoint_then_newer_ones_at_most_once_per_interval(
    online: Online,
) -> None:
    """The checkpoint retained before the kiosk connects is witnessed at once; the same one again is
    not; a newer one published right after waits for the interval (1.5 s here), and of two newer
    ones published meanwhile only the latest is witnessed."""
    online.publish(seal(_cp(3), online.hub))
    online.uplink.start()
    assert wait_until(lambda: len(online.witnesses()) == 1, 10)
    first_at = time.monotonic()
    online.publish(seal(_cp(3), online.hub))
    online.publish(seal(_cp(5, ROOT_B), online.hub))
    online.publish(seal(_cp(6, ROOT_B), online.hub))
    assert wait_until(lambda: len(online.witnesses()) == 2, 10)
    assert time.monotonic() - first_at >= 1.2  # not before the interval (kiosk wall clock, ms)
    time.sleep(2.0)  # nothing else comes
    assert [(w.tree_size, w.root) for w in online.witnesses()] == [(3, ROOT_A), (6, ROOT_B)]


def test_kiosk_does_not_witness_a_forged_checkpoint_nor_a_smaller_one(
    online: Online, caplog: pytest.LogCaptureFixture
) -> None:
    """A checkpoint signed by another key is ignored with a warning; after witnessing one over 8
    leaves, one over 4 leaves (a rewound hub) is logged as such and not recorded."""
    caplog.set_level(logging.WARNING, logger="kiosk.uplink")
    online.uplink.start()
    assert wait_until(lambda: online.uplink.connected, 10)
    time.sleep(0.3)  # the subscriptions are granted
    online.publish(seal(_cp(8), Signer.generate()))
    assert wait_until(lambda: any("does not verify" in r.getMessage() for r in caplog.records), 10)
    assert online.witnesses() == []
    online.publish(seal(_cp(8), online.hub))
    assert wait_until(lambda: len(online.witnesses()) == 1, 10)
    time.sleep(1.6)  # past the interval: only the size keeps the smaller one out
    online.publish(seal(_cp(4, ROOT_B), online.hub))
    assert wait_until(lambda: any("its log went back" in r.getMessage() for r in caplog.records), 10)
    time.sleep(0.5)
    assert [w.tree_size for w in online.witnesses()] == [8]


def test_a_kiosk_configured_not_to_witness_records_nothing(
    tmp_path: Path, machine_broker: BrokerAddress
) -> None:
    """`witness_minutes = 0` (an older hub that would refuse the record type): no witness at all."""
    topics = Topics.for_site(f"w{uuid.uuid4().hex[:8]}")
    hub = Signer.generate()
    store = KioskStore(tmp_path / "k.db", "K1", Signer.generate(), KioskClock())
    pub = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"pub-{uuid.uuid4().hex[:8]}")
    pub.connect(machine_broker.host, machine_broker.port)
    pub.loop_start()
    uplink = Uplink(
        store,
        BrokerConfig.from_url(machine_broker.url),
        topics,
        "K1",
        hub.public_key,
        witness_interval_s=None,
    )
    try:
        pub.publish(topics.checkpoint(), seal(_cp(3), hub), qos=1, retain=True).wait_for_publish(5)
        uplink.start()
        assert wait_until(lambda: uplink.connected, 10)
        time.sleep(1.0)
        assert store.head().seq == 0
    finally:
        uplink.stop()
        pub.publish(topics.checkpoint(), b"", qos=1, retain=True).wait_for_publish(5)
        pub.loop_stop()
        pub.disconnect()
        store.close()
