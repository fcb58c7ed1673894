"""The hub's one owner of paho-mqtt: publish, and subscriptions with handlers, on one network thread.

MQTT 5 (shared subscriptions `$share/<group>/<filter>` let several ingest workers split the load), or
MQTT 3.1.1 when the broker URL says `?mqtt=3.1.1` (one hub, no shared subscriptions).
Subscriptions are renewed on every (re)connect; a clean start is used because nothing relies on a
broker session: kiosks resend whatever the hub did not acknowledge. A handler runs on the network
thread; an exception in it is logged and swallowed, because one escaping a paho callback would
silently kill the loop.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from floorledger.base.mqtt_url import BrokerConfig

log = logging.getLogger(__name__)

Handler = Callable[[str, bytes], object]
ONLINE = b"online"
OFFLINE = b"offline"


@dataclass(frozen=True, slots=True)
class _Subscription:
    topic: str  # as subscribed, possibly $share/group/filter
    match: str  # the filter incoming topics are matched against
    qos: int
    handler: Handler


def _filter_of(topic: str) -> str:
    if topic.startswith("$share/"):
        parts = topic.split("/", 2)
        return parts[2] if len(parts) == 3 else topic
    return topic


class HubMqtt:
    """`subscribe(topic, handler)` before or after `start()`; `publish` is safe from any thread."""

    def __init__(
        self,
        broker: BrokerConfig,
        *,
        client_id: str | None = None,
        status_topic: str | None = None,
        reconnect_min_s: float = 1.0,
        reconnect_max_s: float = 30.0,
        keepalive_s: int = 30,
    ) -> None:
        self.broker = broker
        self._subs: list[_Subscription] = []
        self._lock = threading.Lock()
        self._connected = threading.Event()
        self._keepalive = keepalive_s
        self._client = broker.new_client(client_id or f"hub-{uuid.uuid4().hex[:8]}")
        self._status_topic = status_topic
        if status_topic is not None:
            # Kiosks watch this: `online` after every (re)connect tells them to resend what is unacked.
            self._client.will_set(status_topic, OFFLINE, qos=1, retain=True)
        broker.apply(self._client)
        # paho types the delays as int but sleeps on floats: tests reconnect within a fraction of a second
        self._client.reconnect_delay_set(reconnect_min_s, reconnect_max_s)  # type: ignore[arg-type]
        self._client.max_inflight_messages_set(1000)  # acks: many small messages, never block the loop
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe
        self._subscribed = threading.Event()
        self._pending_subs: set[int] = set()

    def subscribe(self, topic: str, handler: Handler, qos: int = 1) -> None:
        sub = _Subscription(topic, _filter_of(topic), qos, handler)
        with self._lock:
            self._subs.append(sub)
        if self._connected.is_set():
            self._client.subscribe(topic, qos=qos)

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> mqtt.MQTTMessageInfo:
        """Queue a message; paho sends it now or after the next reconnect of this session."""
        info: mqtt.MQTTMessageInfo = self._client.publish(topic, payload, qos=qos, retain=retain)
        return info

    def start(self) -> None:
        self.broker.connect_async(self._client, self._keepalive)
        self._client.loop_start()

    def wait_ready(self, timeout: float = 10.0) -> bool:
        """True once connected and the broker has granted every subscription made so far."""
        return self._connected.wait(timeout) and self._subscribed.wait(timeout)

    def stop(self) -> None:
        """Disconnect cleanly (saying `offline` on the status topic first) and join the loop."""
        if self._status_topic is not None and self._connected.is_set():
            try:
                self._client.publish(self._status_topic, OFFLINE, qos=1, retain=True).wait_for_publish(2)
            except (RuntimeError, ValueError) as err:
                log.debug("could not say offline: %s", err)
        self._client.disconnect()
        self._client.loop_stop()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    # -- paho callbacks ------------------------------------------------------------------------

    def _on_connect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.ConnectFlags,
        reason: ReasonCode,
        props: Properties | None,
    ) -> None:
        try:
            if reason.is_failure:
                log.warning("broker refused the connection: %s", reason)
                return
            with self._lock:
                subs = list(self._subs)
                self._subscribed.clear()
                self._pending_subs.clear()
                for sub in subs:
                    rc, mid = client.subscribe(sub.topic, qos=sub.qos)
                    if rc == mqtt.MQTT_ERR_SUCCESS and mid is not None:
                        self._pending_subs.add(mid)
                if not self._pending_subs:
                    self._subscribed.set()
            if self._status_topic is not None:
                client.publish(self._status_topic, ONLINE, qos=1, retain=True)
            self._connected.set()
            log.info("hub connected to %s", self.broker.url)
        except Exception:  # a paho callback must never raise
            log.exception("hub on_connect failed")

    def _on_subscribe(
        self,
        client: mqtt.Client,
        userdata: object,
        mid: int,
        reasons: list[ReasonCode],
        props: Properties | None,
    ) -> None:
        try:
            for code in reasons:
                if code.is_failure:
                    log.error("broker refused a subscription: %s", code)
            with self._lock:
                self._pending_subs.discard(mid)
                if not self._pending_subs:
                    self._subscribed.set()
        except Exception:
            log.exception("hub on_subscribe failed")

    def _on_disconnect(
        self,
        client: mqtt.Client,
        userdata: object,
        flags: mqtt.DisconnectFlags,
        reason: ReasonCode,
        props: Properties | None,
    ) -> None:
        try:
            self._connected.clear()
            log.info("hub disconnected from %s: %s", self.broker.url, reason)
        except Exception:
            log.exception("hub on_disconnect failed")

    def _on_message(self, client: mqtt.Client, userdata: object, msg: mqtt.MQTTMessage) -> None:
        try:
            with self._lock:
                subs = list(self._subs)
            for sub in subs:
                if mqtt.topic_matches_sub(sub.match, msg.topic):
                    try:
                        sub.handler(msg.topic, bytes(msg.payload))
                    except Exception:
                        log.exception("handler for %s failed on a message on %s", sub.topic, msg.topic)
        except Exception:
            log.exception("hub on_message failed")
