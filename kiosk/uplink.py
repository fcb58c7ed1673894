"""The kiosk's one owner of paho-mqtt: drains the outbox to the hub and takes in acks and line plans.

MQTT 5, clean start, no reliance on broker sessions: the SQLite outbox is the only durable queue.
After every (re)connect the uplink resends from the last acknowledged record. While connected it
keeps a window of records in flight (several batches), and when no ack advances the delivered point
for `ack_timeout_s` it rewinds and resends from there (the timeout doubles, up to 30 s, while resends
bring no progress, so a slow hub is not buried under repeats). An ack counts only when it verifies against
the configured hub key and names our own hash at its sequence number (KioskStore.apply_ack). Plans
are verified the same way; forged, unsigned or stale ones are logged and ignored.

Checkpoints: the hub's signed checkpoints (retained on the checkpoint topic) are verified with the
same hub key, and a newer one is witnessed in the kiosk's own chain as a `checkpoint_witness` record
(signed, chained and sent like any other) at most once per `witness_interval_s` (`kiosk.witness`
decides; a smaller one is a rewound hub and is only logged). The sender thread writes the witness,
so one that must wait for its interval is written as soon as the interval has passed.

Status: right after connecting and every `status_interval_s` while connected, a retained JSON status
goes to the kiosk's status topic (`{"state":"online","pending":N,"acked_seq":M,"wall_ms":T,"boot":...}`)
so the hub's floor page can show the backlog and clock offset; it is display information, not
evidence. The last will (and `stop()`) stays the plain text `offline`.

Threads: paho's network thread runs the callbacks (which never raise); one sender thread reads the
store and publishes. They meet under one condition variable.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt

from floorledger.base.mqtt_url import BrokerConfig
from kiosk.errors import KioskError
from kiosk.store import Clock, KioskStore
from kiosk.witness import Verdict, decide
from protocol import batch
from protocol.errors import ProtocolError
from protocol.messages import Ack, Checkpoint, Hello, LinePlan, open_frame, seal, witness_of
from protocol.signing import Verifier
from protocol.topics import Topics

log = logging.getLogger(__name__)

ONLINE = b"online"
OFFLINE = b"offline"
MAX_ACK_TIMEOUT_S = 30.0
STATUS_INTERVAL_S = 30.0
WITNESS_INTERVAL_S = 600.0


@dataclass(frozen=True, slots=True, kw_only=True)
class UplinkState:
    """What the idle screen shows: online or not, how many records wait, and the clock offset."""

    connected: bool
    pending: int
    acked_seq: int
    last_ack_ms: int | None
    clock_offset_ms: int


PlanCallback = Callable[[LinePlan, bytes], None]
StateCallback = Callable[[UplinkState], None]


class Uplink:
    """Store-and-forward from the kiosk's outbox to the hub; `wake()` after every new record."""

    def __init__(
        self,
        store: KioskStore,
        broker: BrokerConfig,
        topics: Topics,
        kiosk_id: str,
        hub_key: bytes,
        on_plan: PlanCallback | None = None,
        on_state: StateCallback | None = None,
        *,
        line: str | None = None,
        clock: Clock | None = None,
        batch_size: int = 250,
        window_batches: int = 4,
        ack_timeout_s: float = 5.0,
        reconnect_min_s: float = 1.0,
        reconnect_max_s: float = 30.0,
        keepalive_s: int = 30,
        client_id: str | None = None,
        status_interval_s: float = STATUS_INTERVAL_S,
        witness_interval_s: float | None = WITNESS_INTERVAL_S,
    ) -> None:
        self.store = store
        self.broker = broker
        self.topics = topics
        self.kiosk_id = kiosk_id
        self.line = line
        self.clock = clock if clock is not None else store.clock
        self._hub = Verifier(hub_key, hub=True)
        self._on_plan = on_plan
        self._on_state = on_state
        self.batch_size = max(1, min(batch_size, batch.MAX_BATCH_RECORDS))
        self.window = self.batch_size * max(1, window_batches)
        self.ack_timeout_s = ack_timeout_s
        self._timeout = ack_timeout_s  # doubles after each resend that brings no ack, back on progress
        self._keepalive = keepalive_s
        self.status_interval_s = status_interval_s
        self._last_status = time.monotonic()  # when the status was last published (sender thread reads it)
        self._cv = threading.Condition()
        self._connected = False
        self._generation = 0  # bumps on every connect, so a publish from an old connection is not counted
        self._sent_through = 0
        self._last_progress = time.monotonic()
        self._last_rewind = 0.0
        self._last_ack_ms: int | None = None
        self._last_ack_hub_ms = 0  # hub_ms of the last ack that moved the delivered point (either way)
        self._stopping = False
        self._sender: threading.Thread | None = None
        self._records_topic = topics.records(kiosk_id)
        self._ack_topic = topics.ack(kiosk_id)
        self._plan_topic = topics.plan(line) if line else None
        self._hub_status_topic = topics.hub_status()
        # None: this kiosk witnesses no checkpoint (e.g. its hub predates the record type)
        self.witness_interval_s = witness_interval_s
        self._checkpoint_topic = topics.checkpoint() if witness_interval_s is not None else None
        self._waiting: tuple[Checkpoint, bytes] | None = None  # a checkpoint to witness when due
        self._client = broker.new_client(client_id or f"kiosk-{kiosk_id}-{uuid.uuid4().hex[:6]}")
        self._client.will_set(topics.status(kiosk_id), OFFLINE, qos=1, retain=True)
        broker.apply(self._client)
        # paho annotates the delays as int but only compares and waits with them: float seconds work.
        self._client.reconnect_delay_set(reconnect_min_s, reconnect_max_s)  # type: ignore[arg-type]
        self._client.max_inflight_messages_set(window_batches + 2)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message

    # -- public --------------------------------------------------------------------------------

    def start(self) -> None:
        """Hand the saved plan to `on_plan` (offline use), then connect and drain in the background."""
        self._replay_saved_plan()
        self.broker.connect_async(self._client, self._keepalive)
        self._client.loop_start()
        self._sender = threading.Thread(target=self._run, name=f"uplink-{self.kiosk_id}", daemon=True)
        self._sender.start()

    def stop(self) -> None:
        """Say `offline`, disconnect and join the threads. Unacknowledged records stay in the outbox."""
        with self._cv:
            self._stopping = True
            connected = self._connected
            self._cv.notify_all()
        if self._sender is not None:
            self._sender.join(10)
        if connected:
            try:
                info = self._client.publish(self.topics.status(self.kiosk_id), OFFLINE, qos=1, retain=True)
                info.wait_for_publish(2)
            except (RuntimeError, ValueError) as err:
                log.debug("could not say offline: %s", err)
        self._client.disconnect()
        self._client.loop_stop()

    def wake(self) -> None:
        """A new record is waiting in the store."""
        with self._cv:
            self._cv.notify_all()
        self._emit_state()

    @property
    def connected(self) -> bool:
        with self._cv:
            return self._connected

    def state(self) -> UplinkState:
        with self._cv:
            connected, last_ack = self._connected, self._last_ack_ms
        return UplinkState(
            connected=connected,
            pending=self.store.pending_count(),
            acked_seq=self.store.acked_seq(),
            last_ack_ms=last_ack,
            clock_offset_ms=self.clock.offset_ms,
        )

    # -- sender thread -------------------------------------------------------------------------

    def _run(self) -> None:
        idle = False
        while True:
            with self._cv:
                if idle:
                    self._cv.wait(0.2)
                if self._stopping:
                    return
            try:
                self._maybe_publish_status()
                self._maybe_witness()
                idle = not self._send_next()
            except Exception:  # the sender must outlive any one failure; the outbox keeps the records
                log.exception("uplink sender failed; retrying")
                idle = True

    def _maybe_publish_status(self) -> None:
        """Every `status_interval_s` while connected, tell the hub our backlog (display only)."""
        now = time.monotonic()
        with self._cv:
            due = self._connected and now - self._last_status >= self.status_interval_s
            if due:
                self._last_status = now
        if due:
            self._publish_status(self._client)

    def status_payload(self) -> bytes:
        """The JSON status: `state`, `pending`, `acked_seq`, our raw `wall_ms` (the hub derives the
        clock offset from it) and `boot`. Readers that only know `online`/`offline` read `state`."""
        status = {
            "state": "online",
            "pending": self.store.pending_count(),
            "acked_seq": self.store.acked_seq(),
            "wall_ms": self.clock.wall_ms(),
            "boot": self.clock.boot_id,
        }
        return json.dumps(status, separators=(",", ":"), sort_keys=True).encode()

    def _publish_status(self, client: mqtt.Client) -> None:
        try:
            client.publish(self.topics.status(self.kiosk_id), self.status_payload(), qos=1, retain=True)
        except (KioskError, RuntimeError, ValueError) as err:  # display only: the next tick tries again
            log.debug("could not publish the status: %s", err)

    def _send_next(self) -> bool:
        """Publish the next batch if the window allows; True when something was sent."""
        with self._cv:
            plan = self._next_send()
        if plan is None:
            return False
        generation, after, budget = plan
        try:
            frames = self.store.unacked(min(self.batch_size, budget), after_seq=after)
        except KioskError as err:
            log.warning("cannot read the outbox: %s", err)
            return False
        if not frames:
            return False
        info = self._client.publish(self._records_topic, batch.pack(f.frame for f in frames), qos=1)
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            return False  # not connected any more: the next connect resends from the acked point
        with self._cv:
            if self._generation == generation and self._sent_through == after:
                self._sent_through = frames[-1].seq
        return True

    def _next_send(self) -> tuple[int, int, int] | None:
        """Under the lock: (generation, send after seq, how many records) or None when nothing to do."""
        if not self._connected:
            return None
        acked = self.store.acked_seq()
        now = time.monotonic()
        if self._sent_through <= acked:
            self._sent_through = acked
            self._last_progress = now
        elif now - self._last_progress > self._timeout:
            log.info("no ack for %.1f s: resending from record %s", now - self._last_progress, acked + 1)
            self._rewind(acked, now)
            # A slow hub must not be buried under resends: wait longer each time nothing moves.
            self._timeout = min(self._timeout * 2, MAX_ACK_TIMEOUT_S)
        budget = self.window - (self._sent_through - acked)
        if budget <= 0 or self._sent_through >= self.store.head().seq:
            return None
        return self._generation, self._sent_through, budget

    def _rewind(self, acked: int, now: float) -> None:
        self._sent_through = acked
        self._last_progress = now
        self._last_rewind = now

    # -- paho callbacks (network thread; never raise) ------------------------------------------

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        try:
            if reason.is_failure:
                log.warning("broker refused the connection: %s", reason)
                return
            client.subscribe(self._ack_topic, qos=1)
            if self._plan_topic:
                client.subscribe(self._plan_topic, qos=1)
            client.subscribe(self._hub_status_topic, qos=1)
            if self._checkpoint_topic:
                client.subscribe(self._checkpoint_topic, qos=1)
            self._publish_status(client)
            hello = Hello(
                kiosk=self.kiosk_id,
                public_key=self.store.signer.public_key,
                boot=self.clock.boot_id,
                wall_ms=self.clock.wall_ms(),
            )
            hello_frame = seal(hello, self.store.signer)
            client.publish(self.topics.hello(self.kiosk_id), hello_frame, qos=1, retain=True)
            with self._cv:
                self._connected = True
                self._generation += 1
                self._last_status = time.monotonic()  # just said it; the next one in status_interval_s
                self._rewind(self.store.acked_seq(), time.monotonic())  # resend from the acked point
                self._cv.notify_all()
            log.info("connected to %s", self.broker.url)
            self._emit_state()
        except Exception:  # a paho callback must never raise
            log.exception("uplink on_connect failed")

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        try:
            with self._cv:
                was = self._connected
                self._connected = False
                self._cv.notify_all()
            if was:
                log.info("disconnected from %s: %s", self.broker.url, reason)
                self._emit_state()
        except Exception:
            log.exception("uplink on_disconnect failed")

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        try:
            if msg.topic == self._ack_topic:
                self._handle_ack(bytes(msg.payload))
            elif msg.topic == self._plan_topic:
                self._handle_plan(bytes(msg.payload), retained=bool(msg.retain))
            elif msg.topic == self._checkpoint_topic:
                self._handle_checkpoint(bytes(msg.payload))
            elif msg.topic == self._hub_status_topic and msg.payload == ONLINE and not msg.retain:
                self._hub_came_back()
        except Exception:
            log.exception("uplink failed on a message on %s", msg.topic)

    # -- messages ------------------------------------------------------------------------------

    def _handle_ack(self, payload: bytes) -> None:
        try:
            ack: Ack = open_frame(payload, self._hub, Ack)
        except ProtocolError as err:
            log.warning("ignored an ack that does not verify against the hub key: %s", err)
            return
        if ack.kiosk != self.kiosk_id:
            log.warning("ignored an ack for kiosk %s on our topic", ack.kiosk)
            return
        advanced = self.store.apply_ack(ack)
        # An ack below our delivered point that is newer than the last one that moved us forward: the
        # hub lost records it had acknowledged (restored from an older backup). A replayed old ack is
        # not newer, so it cannot make us resend (and a resend only costs traffic: the hub stores once).
        reopened = (
            not advanced
            and ack.seq < self.store.acked_seq()
            and ack.hub_ms > self._last_ack_hub_ms
            and self.store.reopen_after(ack)
        )
        now = time.monotonic()
        with self._cv:
            if advanced or reopened:
                self._last_ack_hub_ms = max(self._last_ack_hub_ms, ack.hub_ms)
            if reopened:
                self._rewind(ack.seq, now)
                self._timeout = self.ack_timeout_s
            if advanced:
                self._last_progress = now
                self._last_ack_ms = self.clock.wall_ms()
                self._timeout = self.ack_timeout_s
            elif (
                ack.seq == self.store.acked_seq()
                and self._sent_through > ack.seq
                and now - self._last_rewind > min(1.0, self.ack_timeout_s)
            ):
                # The hub re-acknowledged our delivered point while later records were in flight: it
                # saw a gap (lost or reordered batch) and holds nothing beyond it. Resend from there.
                log.info("hub is at record %s: resending from there", ack.seq)
                self._rewind(ack.seq, now)
            self._cv.notify_all()
        if advanced:
            self.clock.set_hub_time(ack.hub_ms)  # fresh: it answers a record we just sent
            self._emit_state()

    def _handle_checkpoint(self, payload: bytes) -> None:
        if not payload:
            return
        try:
            checkpoint: Checkpoint = open_frame(payload, self._hub, Checkpoint)
        except ProtocolError as err:
            log.warning("ignored a checkpoint that does not verify against the hub key: %s", err)
            return
        verdict = self._verdict(checkpoint)
        if verdict in (Verdict.OLDER, Verdict.FORKED):
            last = self.store.last_witness()
            log.warning(
                "the hub published a checkpoint over %s leaves (root %s) after this kiosk witnessed one "
                "over %s leaves (root %s): its log went back; not witnessed",
                checkpoint.tree_size,
                checkpoint.root,
                None if last is None else last.tree_size,
                None if last is None else last.root,
            )
        if verdict in (Verdict.WITNESS, Verdict.WAIT):
            with self._cv:
                self._waiting = (checkpoint, payload)
                self._cv.notify_all()

    def _verdict(self, checkpoint: Checkpoint) -> Verdict:
        interval_ms = round((self.witness_interval_s or 0.0) * 1000)
        return decide(self.store.last_witness(), checkpoint, self.clock.wall_ms(), interval_ms)

    def _maybe_witness(self) -> None:
        """Sender thread: witness the waiting checkpoint once its interval has passed."""
        with self._cv:
            waiting = self._waiting
        if waiting is None:
            return
        checkpoint, frame = waiting
        verdict = self._verdict(checkpoint)
        if verdict is Verdict.WAIT:
            return
        if verdict is Verdict.WITNESS:
            try:
                signed = self.store.append_witness(witness_of(checkpoint, frame))
            except KioskError as err:  # e.g. a full disk: the next checkpoint will be witnessed
                log.warning("could not witness the hub's checkpoint: %s", err)
            else:
                log.info(
                    "witnessed the hub's checkpoint over %s leaves in record %s",
                    checkpoint.tree_size,
                    signed.record.seq,
                )
        with self._cv:
            if self._waiting is waiting:
                self._waiting = None
            self._cv.notify_all()
        if verdict is Verdict.WITNESS:
            self._emit_state()

    def _hub_came_back(self) -> None:
        """The hub (re)started: whatever it had not acknowledged may be lost, so resend it now rather
        than after a long ack timeout."""
        with self._cv:
            if self._sent_through > self.store.acked_seq():
                log.info("hub is back: resending from record %s", self.store.acked_seq() + 1)
            self._timeout = self.ack_timeout_s
            self._rewind(self.store.acked_seq(), time.monotonic())
            self._cv.notify_all()

    def _handle_plan(self, payload: bytes, *, retained: bool) -> None:
        if not payload:
            return
        try:
            plan: LinePlan = open_frame(payload, self._hub, LinePlan)
        except ProtocolError as err:
            log.warning("ignored a line plan that does not verify against the hub key: %s", err)
            return
        if plan.line != self.line:
            log.warning("ignored a plan for line %s on the topic of line %s", plan.line, self.line)
            return
        saved = self._saved_plan()
        if saved is not None and (plan.day, plan.revision) < (saved.day, saved.revision):
            log.warning("ignored an older plan (%s rev %s)", plan.day, plan.revision)
            return
        try:
            self.store.save_plan(payload)
        except KioskError as err:
            log.warning("could not save the line plan: %s", err)
        if not retained:
            self.clock.set_hub_time(plan.hub_ms)  # a retained plan may be hours old
        self._deliver_plan(plan, payload)
        self._emit_state()

    def _saved_plan(self) -> LinePlan | None:
        frame = self.store.load_plan()
        if frame is None:
            return None
        try:
            plan: LinePlan = open_frame(frame, self._hub, LinePlan)
        except ProtocolError as err:
            log.warning("the saved line plan no longer verifies: %s", err)
            return None
        return plan

    def _replay_saved_plan(self) -> None:
        plan = self._saved_plan()
        if plan is not None and plan.line == self.line:
            frame = self.store.load_plan()
            if frame is not None:
                self._deliver_plan(plan, frame)

    def _deliver_plan(self, plan: LinePlan, frame: bytes) -> None:
        if self._on_plan is None:
            return
        try:
            self._on_plan(plan, frame)
        except Exception:
            log.exception("on_plan failed")

    def _emit_state(self) -> None:
        if self._on_state is None:
            return
        try:
            self._on_state(self.state())
        except Exception:
            log.exception("on_state failed")
