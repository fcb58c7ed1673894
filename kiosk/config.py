"""The kiosk's configuration: a TOML file read once at start, typed, with every field explained.

Unknown keys are refused (a typo must not silently fall back to a default), and every problem is a
`ConfigError` naming the field, which the CLI prints as one line. Relative paths are relative to the
config file's folder. Secrets (the broker password) live in files named here, never in the config.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from floorledger.base.errors import CliError
from floorledger.base.mqtt_url import BrokerConfig
from kiosk.clock import DEFAULT_ZONE
from kiosk.errors import ConfigError
from protocol import fields as pf
from protocol.batch import MAX_BATCH_RECORDS
from protocol.errors import Malformed
from protocol.signing import b64decode, check_public_key

SCREEN_RE = re.compile(r"(\d{3,5})x(\d{3,5})")
LANGUAGES = ("zh", "en")
COUNTER_KINDS: Final = ("counter", "modbus")  # device kinds that count units


@dataclass(frozen=True, slots=True, kw_only=True)
class KioskConfig:
    kiosk_id: str  # this kiosk's id, also its MQTT topic level
    site: str  # the site id: topics live under floorledger/<site>
    line: str  # the production line this kiosk stands beside
    key_file: Path  # the kiosk's Ed25519 key (created on first start)
    database: Path  # the local SQLite outbox
    broker_url: str  # mqtt://host:1883 or mqtts://user@host:8883
    hub_public_key: bytes  # the hub's Ed25519 key (base64url in the file): acks and plans must verify
    broker_ca_file: Path | None = None
    broker_cert_file: Path | None = None
    broker_key_file: Path | None = None
    broker_password_file: Path | None = None
    timezone: str = DEFAULT_ZONE
    language: str = "zh"
    screen: tuple[int, int] = (800, 480)
    idle_seconds: int = 20  # back to the idle screen after this long without a touch
    max_units_per_entry: int = 500  # larger counts are refused as implausible
    retention_days: int = 30  # acknowledged records older than this are pruned
    ui_host: str = "127.0.0.1"
    ui_port: int = 8080
    devices: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # passed to the device factory
    batch_size: int = 250  # records per MQTT message while a backlog drains
    # a newer hub checkpoint is witnessed in the chain at most once per this many minutes; 0: never
    witness_minutes: int = 10
    # counter device name -> the step (工序) whose units it counts: one counter sits at one workstation
    counter_steps: dict[str, str] = field(default_factory=dict)

    def broker(self) -> BrokerConfig:
        """The broker settings, with TLS and credential files, as the uplink needs them."""
        try:
            return BrokerConfig.from_url(
                self.broker_url,
                ca_file=self.broker_ca_file,
                cert_file=self.broker_cert_file,
                key_file=self.broker_key_file,
                password_file=self.broker_password_file,
            )
        except CliError as err:
            raise ConfigError("broker_url", str(err)) from err


_REQUIRED = ("kiosk_id", "site", "line", "key_file", "database", "broker_url", "hub_public_key")
_PATHS = (
    "key_file",
    "database",
    "broker_ca_file",
    "broker_cert_file",
    "broker_key_file",
    "broker_password_file",
)
_INTS = {
    "idle_seconds": (1, 3600),
    "max_units_per_entry": (1, 1_000_000),
    "retention_days": (1, 3650),
    "ui_port": (1, 65535),
    "batch_size": (1, MAX_BATCH_RECORDS),
    "witness_minutes": (0, 24 * 60),
}
_TEXTS = ("timezone", "language", "screen", "ui_host")
KNOWN_FIELDS = (
    frozenset(_REQUIRED)
    | frozenset(_PATHS)
    | frozenset(_INTS)
    | frozenset(_TEXTS)
    | {"devices", "counter_steps"}
)


def load_config(path: Path | str) -> KioskConfig:
    """Read and check a TOML config file; raises ConfigError naming the first bad field."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ConfigError("", f"config file {path} does not exist") from err
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError("", f"cannot read config file {path}: {err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError("", f"config file {path} is not valid TOML: {err}") from err
    return parse_config(raw, base=path.parent)


def parse_config(raw: dict[str, Any], *, base: Path) -> KioskConfig:
    """Check a decoded config table (what `load_config` read) and build the typed config."""
    unknown = sorted(set(raw) - KNOWN_FIELDS)
    if unknown:
        raise ConfigError(unknown[0], "unknown field (check the spelling)")
    for name in _REQUIRED:
        if name not in raw:
            raise ConfigError(name, "is required")
    values: dict[str, Any] = {}
    for name in ("kiosk_id", "site", "line"):
        values[name] = _ident(raw[name], name)
    for name in _PATHS:
        if name in raw:
            values[name] = _path(raw[name], name, base)
    values["broker_url"] = _text(raw["broker_url"], "broker_url")
    values["hub_public_key"] = _public_key(raw["hub_public_key"])
    for name, (lo, hi) in _INTS.items():
        if name in raw:
            values[name] = _int(raw[name], name, lo, hi)
    if "timezone" in raw:
        values["timezone"] = _zone(raw["timezone"])
    if "language" in raw:
        language = _text(raw["language"], "language")
        if language not in LANGUAGES:
            raise ConfigError("language", f"expected one of {', '.join(LANGUAGES)}")
        values["language"] = language
    if "screen" in raw:
        values["screen"] = _screen(raw["screen"])
    if "ui_host" in raw:
        values["ui_host"] = _text(raw["ui_host"], "ui_host")
    if "devices" in raw:
        values["devices"] = _devices(raw["devices"])
    if "counter_steps" in raw:
        values["counter_steps"] = _counter_steps(raw["counter_steps"], values.get("devices", ()))
    config = KioskConfig(**values)
    config.broker()  # a bad URL is reported now, naming the field, not when the uplink starts
    return config


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(name, "expected non-empty text")
    return value


def _ident(value: Any, name: str) -> str:
    try:
        return pf.ident(value, name)
    except Malformed as err:
        raise ConfigError(name, "expected an id: letters, digits, . _ - (at most 64)") from err


def _path(value: Any, name: str, base: Path) -> Path:
    path = Path(_text(value, name)).expanduser()
    return path if path.is_absolute() else base / path


def _int(value: Any, name: str, lo: int, hi: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(name, "expected a whole number")
    if not lo <= value <= hi:
        raise ConfigError(name, f"{value} is outside {lo}..{hi}")
    return value


def _public_key(value: Any) -> bytes:
    text = _text(value, "hub_public_key")
    try:
        key = b64decode(text)
        check_public_key(key)
    except (ValueError, Malformed) as err:
        raise ConfigError("hub_public_key", "expected the hub's Ed25519 public key in base64url") from err
    return key


def _zone(value: Any) -> str:
    name = _text(value, "timezone")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError("timezone", f"unknown time zone {name!r}") from err
    return name


def _screen(value: Any) -> tuple[int, int]:
    match = SCREEN_RE.fullmatch(_text(value, "screen"))
    if not match:
        raise ConfigError("screen", 'expected WIDTHxHEIGHT, e.g. "800x480"')
    return int(match[1]), int(match[2])


def _devices(value: Any) -> tuple[dict[str, Any], ...]:
    if not isinstance(value, list):
        raise ConfigError("devices", "expected a list of tables ([[devices]])")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise ConfigError(f"devices[{i}]", "expected a table")
    return tuple(dict(item) for item in value)


def _counter_steps(value: Any, devices: tuple[dict[str, Any], ...]) -> dict[str, str]:
    """`[counter_steps]`: each counter named in `devices` -> the step id whose units it counts."""
    if not isinstance(value, dict):
        raise ConfigError("counter_steps", 'expected a table, e.g. [counter_steps] counter0 = "S3"')
    kinds = {item.get("name"): item.get("kind") for item in devices}
    steps: dict[str, str] = {}
    for device, step_id in value.items():
        name = f"counter_steps.{device}"
        _ident(device, name)  # the name becomes the `ref` of the counter's records
        if device not in kinds:
            raise ConfigError(name, "no device of this name in [[devices]]")
        if kinds[device] not in COUNTER_KINDS:
            raise ConfigError(
                name, f"device {device!r} is a {kinds[device]!r}, not a counter or modbus counter"
            )
        steps[device] = _ident(step_id, name)
    return steps
