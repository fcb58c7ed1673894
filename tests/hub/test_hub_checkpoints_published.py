"""The running hub signs and publishes a checkpoint every `checkpoint_minutes` while its log grows, so
the kiosks witness recent ones; a log that did not grow gets no new checkpoint."""

from __future__ import annotations

import queue
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from floorledger import keyfile
from floorledger.broker import MosquittoProcess
from hub.app import HubApp
from hub.config import parse_config
from hub.store.ledger import StoredCheckpoint
from protocol.messages import Checkpoint, open_frame
from protocol.signing import Signer, Verifier
from protocol.topics import Topics


def test_a_growing_log_gets_a_published_checkpoint_every_interval(
    tmp_path: Path, private_broker: MosquittoProcess
) -> None:
    """With the interval at 0.5 s (10 minutes by default): the start-up checkpoint, then after an
    officer's act a newer one over more leaves, published retained and signed by the hub; then,
    nothing happening, no further checkpoint."""
    hub_key = keyfile.create(tmp_path / "hub.key")
    config = parse_config(
        {"site": "C1", "broker": f"mqtt://127.0.0.1:{private_broker.port}", "database": "hub.db"}, tmp_path
    )
    assert config.checkpoint_minutes == 10
    app = HubApp(config)
    app.checkpoint_every_s = 0.5
    seen: queue.Queue[Checkpoint] = queue.Queue()
    verifier = Verifier(hub_key.public_key, hub=True)
    watcher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="checkpoint-watcher")
    watcher.on_message = lambda c, u, m: seen.put(open_frame(m.payload, verifier, Checkpoint))
    try:
        app.start()
        watcher.connect("127.0.0.1", private_broker.port)
        watcher.subscribe(Topics.for_site("C1").checkpoint(), qos=1)
        watcher.loop_start()
        first = seen.get(timeout=10)  # the retained start-up checkpoint
        assert app.enrollment is not None
        app.enrollment.enroll_qr("O1", f"floorledger-enroll:1:K1:{Signer.generate().public_key_b64}")
        newer = seen.get(timeout=10)
        assert newer.tree_size == first.tree_size + 1
        time.sleep(2.0)
        assert seen.empty()
        assert StoredCheckpoint.select().count() == 2
    finally:
        watcher.loop_stop()
        watcher.disconnect()
        app.stop()
