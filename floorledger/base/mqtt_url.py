"""Where a broker is and how to reach it: parsed once from a URL, shared by kiosk and hub.

`mqtt://host:1883` is plain TCP; `mqtts://host:8883` is TLS (CA file, optionally a client
certificate). Credentials: `mqtt://user@host` with the password read from `password_file`, never
from the URL or the repository.

Clients speak MQTT 5 (the hub's ingest workers share the records through MQTT 5 shared
subscriptions). `?mqtt=3.1.1` makes them speak MQTT 3.1.1 instead, for a broker without MQTT 5 (the
demo's embedded broker when Mosquitto is not installed); then there are no shared subscriptions, so
one hub ingests alone.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.base.errors import CliError


@dataclass(frozen=True, slots=True, kw_only=True)
class BrokerConfig:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password_file: Path | None = None
    ca_file: Path | None = None
    cert_file: Path | None = None
    key_file: Path | None = None
    mqtt5: bool = True  # False: MQTT 3.1.1 (`?mqtt=3.1.1`)

    @classmethod
    def from_url(cls, url: str, **files: Path | None) -> BrokerConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts"):
            raise CliError(f"broker URL {url!r} must start with mqtt:// or mqtts://")
        if not parts.hostname:
            raise CliError(f"broker URL {url!r} has no host")
        tls = parts.scheme == "mqtts"
        try:
            port = parts.port or (8883 if tls else 1883)
        except ValueError as err:
            raise CliError(f"broker URL {url!r} has a bad port") from err
        if parts.password:
            raise CliError("put the broker password in a password file, not in the URL")
        query = parse_qs(parts.query, keep_blank_values=True)
        version = query.pop("mqtt", ["5"])[-1]
        if version not in ("5", "3.1.1") or query:
            raise CliError(f"broker URL {url!r}: the only option is ?mqtt=3.1.1 (or 5, the default)")
        return cls(
            host=parts.hostname,
            port=port,
            tls=tls,
            username=parts.username or None,
            mqtt5=version == "5",
            **files,
        )

    @property
    def url(self) -> str:
        user = f"{self.username}@" if self.username else ""
        version = "" if self.mqtt5 else "?mqtt=3.1.1"
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}{version}"

    def new_client(self, client_id: str) -> mqtt.Client:
        """A paho client (version-2 callbacks) speaking this broker's MQTT version, with no broker
        session kept (nothing relies on one: the kiosk's outbox is the durable queue)."""
        if self.mqtt5:
            return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        return mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311, clean_session=True
        )

    def connect_async(self, client: mqtt.Client, keepalive: int) -> None:
        """Start connecting `client` (from `new_client`) in the background; it reconnects by itself."""
        if self.mqtt5:
            client.connect_async(self.host, self.port, keepalive, clean_start=True)
        else:
            client.connect_async(self.host, self.port, keepalive)

    def apply(self, client: mqtt.Client) -> None:
        """Configure a paho client (TLS and credentials) before it connects."""
        if self.tls:
            context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
            if self.cert_file:
                context.load_cert_chain(str(self.cert_file), str(self.key_file) if self.key_file else None)
            client.tls_set_context(context)
        if self.username:
            password = None
            if self.password_file:
                password = self.password_file.read_text(encoding="utf-8").strip()
            client.username_pw_set(self.username, password)
