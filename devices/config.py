"""Typed device settings: one frozen dataclass per device kind, validated when built.

A kiosk config file names its devices as mappings (``{"kind": "badge", "name": "badge0", "url":
"/dev/serial/by-id/usb-...", "number_format": "decimal"}``); `parse_device_config` turns one into
the matching dataclass, rejecting unknown keys and wrong types with a message naming the device and
the setting. Each field's ``help`` metadata explains it; `settings_help` lists them for the CLI.
"""

from __future__ import annotations

import re
import types
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields
from typing import Any, ClassVar, Literal, TypeAlias, Union, cast, get_args, get_origin, get_type_hints

from devices.errors import DeviceConfigError

Parity: TypeAlias = Literal["N", "E", "O"]
BadgeProtocol: TypeAlias = Literal["em4100", "ascii"]
NumberFormat: TypeAlias = Literal["raw", "hex", "decimal", "wiegand26"]
AsciiInput: TypeAlias = Literal["decimal", "hex"]
RegisterKind: TypeAlias = Literal["holding", "input"]
WordOrder: TypeAlias = Literal["big", "little"]

_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}")


def _setting(default: Any, text: str) -> Any:
    return field(default=default, metadata={"help": text})


def _required(text: str) -> Any:
    return field(metadata={"help": text})


@dataclass(frozen=True, slots=True, kw_only=True)
class PortConfig:
    """Settings every serial device has: its name, where it is, line settings, reconnect backoff."""

    KIND: ClassVar[str] = ""

    name: str = _required("short name used in events and logs, e.g. badge0 (letters, digits, _ . -)")
    url: str = _required(
        "port to open: /dev/ttyUSB0, /dev/serial/by-id/..., a pty path, socket://host:port, loop://"
    )
    baudrate: int = _setting(9600, "line speed in bit/s; must match the device")
    bytesize: Literal[7, 8] = _setting(8, "data bits per character")
    parity: Parity = _setting("N", "parity: N (none), E (even) or O (odd)")
    stopbits: Literal[1, 2] = _setting(1, "stop bits")
    reconnect_min: float = _setting(0.5, "seconds to wait before reopening a lost port (doubles each try)")
    reconnect_max: float = _setting(10.0, "longest wait in seconds between reopen attempts")

    def __post_init__(self) -> None:
        _check_types(self)
        if not _NAME.fullmatch(self.name):
            raise DeviceConfigError(f"{self.name!r}: name must be 1-40 letters, digits, '_', '.' or '-'")
        for problem in self._problems():
            raise DeviceConfigError(f"{self.name}: {problem}")

    def _problems(self) -> Iterator[str]:
        if not self.url.strip():
            yield "url must not be empty"
        if self.baudrate <= 0:
            yield "baudrate must be positive"
        if self.reconnect_min <= 0:
            yield "reconnect_min must be positive"
        if self.reconnect_max < self.reconnect_min:
            yield "reconnect_max must be at least reconnect_min"


@dataclass(frozen=True, slots=True, kw_only=True)
class BadgeReaderConfig(PortConfig):
    """A 125 kHz / 13.56 MHz badge reader with a serial or USB-serial interface."""

    KIND: ClassVar[str] = "badge"

    protocol: BadgeProtocol = _setting(
        "em4100",
        "em4100: STX, 10 hex digits, 2 hex checksum digits, CR LF, ETX; "
        "ascii: the card number followed by CR and/or LF",
    )
    number_format: NumberFormat = _setting(
        "decimal",
        "how badge ids are written so they match the card: decimal (10 digits, low 32 bits), "
        "hex (10+ hex digits), wiegand26 (facility,card e.g. 018,54919) or raw (as the reader sends it)",
    )
    ascii_input: AsciiInput = _setting("decimal", "ascii protocol only: the reader sends decimal or hex")
    ascii_length: int | None = _setting(
        10, "ascii protocol only: exact characters per card number (None accepts 1-20); rejects merged reads"
    )
    dedup_window: float = _setting(
        3.0, "seconds: the same badge seen again within this time of its last read is the same presentation"
    )
    frame_timeout: float = _setting(0.5, "seconds: an unfinished frame older than this is dropped")

    def _problems(self) -> Iterator[str]:
        yield from PortConfig._problems(self)
        if self.ascii_length is not None and not 1 <= self.ascii_length <= 20:
            yield "ascii_length must be between 1 and 20, or None"
        if self.dedup_window < 0:
            yield "dedup_window must not be negative"
        if self.frame_timeout <= 0:
            yield "frame_timeout must be positive"


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeScannerConfig(PortConfig):
    """A QR / barcode scanner in serial (not keyboard) mode."""

    KIND: ClassVar[str] = "qr"

    terminator: str = _setting("\r\n", "each of these characters ends a code (default CR or LF; CR LF works)")
    strip_prefix: str = _setting("", "removed from the start of a code when present (e.g. a symbology id)")
    strip_suffix: str = _setting("", "removed from the end of a code when present")
    max_length: int = _setting(512, "longest code in bytes; longer input is dropped as a read error")
    dedup_window: float = _setting(2.0, "seconds: the same code again within this time is one scan")
    frame_timeout: float = _setting(1.0, "seconds: an unfinished code older than this is dropped")

    def _problems(self) -> Iterator[str]:
        yield from PortConfig._problems(self)
        if not self.terminator or any(ord(ch) > 0x7F for ch in self.terminator):
            yield "terminator must be one or more ASCII characters"
        if any(ch.isalnum() for ch in self.terminator):
            yield "terminator must not contain letters or digits"
        if not 1 <= self.max_length <= 65536:
            yield "max_length must be between 1 and 65536"
        if self.dedup_window < 0:
            yield "dedup_window must not be negative"
        if self.frame_timeout <= 0:
            yield "frame_timeout must be positive"


@dataclass(frozen=True, slots=True, kw_only=True)
class SerialCounterConfig(PortConfig):
    """An ASCII serial counter that reports its running total as ``C:001234`` CR LF."""

    KIND: ClassVar[str] = "counter"

    modulus: int = _setting(
        2**32, "the counter rolls over to 0 at this total: 65536 (16 bit), 4294967296 (32 bit), 1000000 ..."
    )
    max_step: int = _setting(
        10000,
        "most units plausible between two readings; a drop within it is a wrap, larger changes "
        "wait for the next reading to confirm them (reset or glitch)",
    )
    frame_timeout: float = _setting(0.5, "seconds: an unfinished frame older than this is dropped")

    def _problems(self) -> Iterator[str]:
        yield from PortConfig._problems(self)
        if self.modulus < 4:
            yield "modulus must be at least 4"
        elif not 1 <= self.max_step < self.modulus // 2:
            yield "max_step must be at least 1 and less than half the modulus"
        if self.frame_timeout <= 0:
            yield "frame_timeout must be positive"


@dataclass(frozen=True, slots=True, kw_only=True)
class ModbusCounterConfig(PortConfig):
    """A Modbus RTU counter whose running total sits in one (16 bit) or two (32 bit) registers."""

    KIND: ClassVar[str] = "modbus"

    unit: int = _setting(1, "Modbus device (slave) id, 1-247")
    address: int = _setting(0, "register address of the total (0-based, as on the wire)")
    register: RegisterKind = _setting("holding", "holding (function 3) or input (function 4) registers")
    bits: Literal[16, 32] = _setting(16, "16: one register; 32: two consecutive registers")
    word_order: WordOrder = _setting(
        "big", "32 bit only: big = high word first (at address), little = low first"
    )
    poll_interval: float = _setting(0.5, "seconds between polls")
    timeout: float = _setting(0.5, "seconds to wait for a reply")
    retries: int = _setting(1, "extra attempts before a poll counts as no reply")
    max_step: int = _setting(10000, "as for the serial counter: most units plausible between two readings")

    @property
    def modulus(self) -> int:
        """The total at which the register(s) roll over to 0."""
        return 1 << self.bits

    def _problems(self) -> Iterator[str]:
        yield from PortConfig._problems(self)
        if not 1 <= self.unit <= 247:
            yield "unit must be between 1 and 247"
        if not 0 <= self.address <= 65536 - self.bits // 16:
            yield "address must be between 0 and 65535 (65534 for 32 bit)"
        if self.poll_interval <= 0 or self.timeout <= 0:
            yield "poll_interval and timeout must be positive"
        if self.retries < 0:
            yield "retries must not be negative"
        if not 1 <= self.max_step < self.modulus // 2:
            yield "max_step must be at least 1 and less than half the counter range"


DeviceConfig: TypeAlias = BadgeReaderConfig | CodeScannerConfig | SerialCounterConfig | ModbusCounterConfig
"""Any device's configuration."""

CONFIG_CLASSES: dict[str, type[DeviceConfig]] = {
    cls.KIND: cls for cls in (BadgeReaderConfig, CodeScannerConfig, SerialCounterConfig, ModbusCounterConfig)
}
"""Config class per `kind`: badge, qr, counter (ASCII serial) and modbus."""


def parse_device_config(mapping: Mapping[str, object]) -> DeviceConfig:
    """Build a device config from a mapping with a ``kind`` key, as read from a JSON/TOML file."""
    values = dict(mapping)
    kind = values.pop("kind", None)
    name = values.get("name", "?")
    cls = CONFIG_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise DeviceConfigError(f"{name}: kind must be one of {', '.join(CONFIG_CLASSES)}, not {kind!r}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise DeviceConfigError(
            f"{name}: unknown setting {', '.join(map(repr, unknown))} for kind {kind!r}; "
            f"known: {', '.join(sorted(known))}"
        )
    missing = [f.name for f in fields(cls) if f.default is MISSING and f.name not in values]
    if missing:
        raise DeviceConfigError(f"{name}: missing setting {', '.join(map(repr, missing))}")
    return cls(**cast(dict[str, Any], values))


def config_from_strings(kind: str, values: Mapping[str, str]) -> DeviceConfig:
    """Build a config from command-line strings: each is converted to its field's type.

    Strings accept backslash escapes (``terminator=\\r``); ``none`` means None where allowed.
    """
    cls = CONFIG_CLASSES.get(kind)
    if cls is None:
        raise DeviceConfigError(f"kind must be one of {', '.join(CONFIG_CLASSES)}, not {kind!r}")
    hints = _hints(cls)
    converted: dict[str, object] = {"kind": kind}
    for key, text in values.items():
        hint = hints.get(key)
        converted[key] = text if hint is None else _from_string(key, text, hint)
    return parse_device_config(converted)


def settings_help(kind: str) -> list[tuple[str, str, str]]:
    """(name, default, help) for each setting of a kind, for `--help` and the docs."""
    rows = []
    for f in fields(CONFIG_CLASSES[kind]):
        default = "(required)" if f.default is MISSING else repr(f.default)
        rows.append((f.name, default, str(f.metadata.get("help", ""))))
    return rows


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _check_types(config: PortConfig) -> None:
    hints = _hints(type(config))
    for f in fields(config):
        value = getattr(config, f.name)
        if not _matches(value, hints[f.name]):
            name = config.name if isinstance(config.name, str) else "?"
            raise DeviceConfigError(f"{name}: {f.name} must be {_describe(hints[f.name])}, not {value!r}")


def _union_args(hint: Any) -> tuple[Any, ...] | None:
    origin = get_origin(hint)
    if origin is Union or origin is types.UnionType:
        return get_args(hint)
    return None


def _matches(value: object, hint: Any) -> bool:
    if (members := _union_args(hint)) is not None:
        return any(_matches(value, member) for member in members)
    if get_origin(hint) is Literal:
        return any(value == arg and type(value) is type(arg) for arg in get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is bool:
        return isinstance(value, bool)
    raise TypeError(f"unsupported setting type {hint!r}")


def _describe(hint: Any) -> str:
    if (members := _union_args(hint)) is not None:
        return " or ".join(_describe(member) for member in members)
    if get_origin(hint) is Literal:
        return "one of " + ", ".join(repr(arg) for arg in get_args(hint))
    names = {type(None): "None", float: "a number", int: "an integer", str: "a string", bool: "true or false"}
    return names.get(hint, repr(hint))


def _from_string(key: str, text: str, hint: Any) -> object:
    candidates = _union_args(hint) or (hint,)
    for candidate in candidates:
        if candidate is type(None) and text.lower() in ("none", "null"):
            return None
        if get_origin(candidate) is Literal:
            for arg in get_args(candidate):
                if str(arg) == text:
                    return arg
        if candidate is int:
            try:
                return int(text, 16) if text.lower().startswith("0x") else int(text)
            except ValueError:
                continue
        if candidate is float:
            try:
                return float(text)
            except ValueError:
                continue
        if candidate is bool and text.lower() in ("true", "false", "yes", "no", "1", "0"):
            return text.lower() in ("true", "yes", "1")
        if candidate is str:
            return text.encode("latin-1", "backslashreplace").decode("unicode_escape")
    raise DeviceConfigError(f"{key} must be {_describe(hint)}, not {text!r}")
