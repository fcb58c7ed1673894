"""A flood of garbage on a kiosk's topic, through the real broker, costs the hub's log a few lines,
not one line per frame (issue #18: 10,000 garbage frames added 1.39 MB of log), while every refusal
is still accounted for in the quarantine table: a row, or a count in the next row allowed."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hub.kiosks.quarantine import QuarantineLimiter
from hub.store.kiosks import Quarantine
from protocol import batch
from protocol.records import GENESIS_HASH, Record, sign_record
from protocol.signing import Signer
from protocol.topics import Topics
from tests.conftest import BrokerAddress
from tests.system.delivery_support import AckWatcher, HubRunner, body, enroll, wait_until

FLOOD = 2000  # each kind; 4000 refusals in all
CHUNK = 125  # of each kind between two genuine records (the broker drops what queues past its limit)
SUPPRESSED = re.compile(r"\(and (\d+) earlier rejections not stored: rate limit\)")


class StepClock:
    """The ingest's clock, moved by the test past the limiters' one-minute windows."""

    def __init__(self) -> None:
        self.ms = 1_791_190_800_000

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def publisher(machine_broker: BrokerAddress) -> Iterator[mqtt.Client]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"flood-{uuid.uuid4().hex[:8]}")
    client.connect(machine_broker.host, machine_broker.port)
    client.loop_start()
    try:
        yield client
    finally:
        client.disconnect()
        client.loop_stop()


def test_a_garbage_flood_logs_a_few_lines_and_the_quarantine_counts_every_refusal(
    tmp_path: Path,
    machine_broker: BrokerAddress,
    publisher: mqtt.Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """2,000 undecodable payloads and 2,000 frames signed by a stranger's key on K1's topic: the hub
    logs at most one line per (kiosk, reason) per minute (plus one summary line each once the minute
    is over, with the count it held back), the quarantine stores its allowance and writes the rest
    as a count, and the genuine record sent last is still stored and acknowledged."""
    topics = Topics.for_site(f"t{uuid.uuid4().hex[:8]}")
    kiosk, stranger, hub_key = Signer.generate(), Signer.generate(), Signer.generate()
    clock = StepClock()
    hub = HubRunner(
        f"sqlite:///{tmp_path / 'hub.db'}",
        machine_broker.url,
        topics,
        hub_key,
        gap_wait_s=0,
        clock_ms=clock,
        limiter=QuarantineLimiter(per_kiosk=60, overall=600),
    ).start()
    watcher = AckWatcher(machine_broker.host, machine_broker.port, topics, "K1", hub_key.public_key)
    try:
        enroll(hub.db, "K1", kiosk.public_key)
        hub.ingest.reload_keys()
        forged = sign_record(
            Record(kiosk="K1", seq=1, prev=GENESIS_HASH, boot="b", wall_ms=1, mono_ms=1, body=body(1)),
            stranger,
        )
        caplog.set_level(logging.INFO, logger="hub.kiosks.ingest")
        prev = GENESIS_HASH
        for chunk in range(FLOOD // CHUNK):
            for n in range(CHUNK):
                publisher.publish(topics.records("K1"), b"\xff garbage %d" % n, qos=1)
                publisher.publish(topics.records("K1"), batch.pack([forged.frame]), qos=1)
            seq = chunk + 1
            genuine = sign_record(
                Record(kiosk="K1", seq=seq, prev=prev, boot="b", wall_ms=seq, mono_ms=seq, body=body(seq)),
                kiosk,
            )
            prev = genuine.hash
            publisher.publish(topics.records("K1"), batch.pack([genuine.frame]), qos=1)
            # sent last on the same topic: its ack means the chunk before it was judged
            assert watcher.next(timeout=60).seq == seq  # type: ignore[attr-defined]
        flood_lines = [r for r in caplog.records if r.name == "hub.kiosks.ingest"]
        clock.ms += 61_000  # a minute later, one more of each kind: the held-back counts come out
        publisher.publish(topics.records("K1"), b"\xff garbage late", qos=1)
        publisher.publish(topics.records("K1"), batch.pack([forged.frame]), qos=1)

        def rows() -> list[str]:
            with hub.db.connection_context():
                return [d for (d,) in Quarantine.select(Quarantine.detail).order_by(Quarantine.id).tuples()]

        assert wait_until(lambda: len(rows()) == 62, timeout=30), len(rows())
    finally:
        watcher.close()
        hub.stop()
    lines = [r for r in caplog.records if r.name == "hub.kiosks.ingest"]
    assert len(flood_lines) == 2, [r.getMessage() for r in flood_lines]  # one per (kiosk, reason)
    assert len(lines) == 4, [r.getMessage() for r in lines]
    held_back = sorted(
        int(m) for r in lines[2:] for m in re.findall(r"and (\d+) more like it", r.getMessage())
    )
    assert held_back == [FLOOD - 1, FLOOD - 1]
    assert sum(len(r.getMessage()) for r in lines) < 2000
    stored = rows()
    # every refusal is accounted for: a row each, plus the counts written into later rows
    assert len(stored) + sum(int(m) for d in stored for m in SUPPRESSED.findall(d)) == 2 * FLOOD + 2
