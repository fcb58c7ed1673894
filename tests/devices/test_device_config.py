"""Device settings from a kiosk config file: typed, strict, explained, and documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from devices.config import (
    CONFIG_CLASSES,
    BadgeReaderConfig,
    CodeScannerConfig,
    ModbusCounterConfig,
    SerialCounterConfig,
    config_from_strings,
    parse_device_config,
)
from devices.errors import DeviceConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "devices.md"


@pytest.mark.parametrize(
    ("mapping", "cls"),
    [
        (
            {"kind": "badge", "name": "badge0", "url": "/dev/ttyUSB0", "number_format": "wiegand26"},
            BadgeReaderConfig,
        ),
        ({"kind": "qr", "name": "qr0", "url": "/dev/ttyACM0", "terminator": "\r"}, CodeScannerConfig),
        ({"kind": "counter", "name": "c0", "url": "/dev/ttyUSB1", "modulus": 65536}, SerialCounterConfig),
        (
            {"kind": "modbus", "name": "m0", "url": "/dev/ttyUSB2", "bits": 32, "word_order": "little"},
            ModbusCounterConfig,
        ),
    ],
)
def test_a_mapping_with_a_kind_becomes_that_kinds_config(mapping: dict[str, object], cls: type) -> None:
    config = parse_device_config(mapping)
    assert type(config) is cls
    for key, value in mapping.items():
        if key != "kind":
            assert getattr(config, key) == value


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"kind": "printer", "name": "p"},
            "p: kind must be one of badge, qr, counter, modbus, not 'printer'",
        ),
        ({"kind": "badge", "name": "b"}, "b: missing setting 'url'"),
        (
            {"kind": "badge", "name": "b", "url": "/dev/x", "baud": 9600},
            "b: unknown setting 'baud' for kind 'badge'",
        ),
        (
            {"kind": "badge", "name": "b", "url": "/dev/x", "baudrate": "9600"},
            "b: baudrate must be an integer, not '9600'",
        ),
        ({"kind": "badge", "name": "b", "url": "/dev/x", "baudrate": True}, "b: baudrate must be an integer"),
        (
            {"kind": "badge", "name": "b", "url": "/dev/x", "parity": "X"},
            "b: parity must be one of 'N', 'E', 'O'",
        ),
        (
            {"kind": "badge", "name": "b", "url": "/dev/x", "number_format": "octal"},
            "b: number_format must be one of",
        ),
        (
            {"kind": "badge", "name": "b", "url": "/dev/x", "dedup_window": -1},
            "b: dedup_window must not be negative",
        ),
        ({"kind": "badge", "name": "b", "url": " "}, "b: url must not be empty"),
        ({"kind": "badge", "name": "bad name", "url": "/dev/x"}, "'bad name': name must be"),
        (
            {"kind": "qr", "name": "q", "url": "/dev/x", "terminator": ""},
            "q: terminator must be one or more ASCII",
        ),
        (
            {"kind": "counter", "name": "c", "url": "/dev/x", "max_step": 2**31},
            "c: max_step must be at least 1",
        ),
        ({"kind": "modbus", "name": "m", "url": "/dev/x", "unit": 0}, "m: unit must be between 1 and 247"),
        ({"kind": "modbus", "name": "m", "url": "/dev/x", "bits": 24}, "m: bits must be one of 16, 32"),
        (
            {"kind": "modbus", "name": "m", "url": "/dev/x", "max_step": 40000},
            "m: max_step must be at least 1",
        ),
    ],
)
def test_invalid_settings_are_refused_with_the_device_and_setting_named(
    mapping: dict[str, object], message: str
) -> None:
    with pytest.raises(DeviceConfigError) as caught:
        parse_device_config(mapping)
    assert str(caught.value).startswith(message)


def test_command_line_strings_are_converted_to_each_settings_type() -> None:
    config = config_from_strings(
        "badge",
        {"name": "b", "url": "/dev/x", "baudrate": "19200", "ascii_length": "none", "dedup_window": "1.5"},
    )
    assert isinstance(config, BadgeReaderConfig)
    assert (config.baudrate, config.ascii_length, config.dedup_window) == (19200, None, 1.5)
    scanner = config_from_strings("qr", {"name": "q", "url": "/dev/x", "terminator": r"\t"})
    assert isinstance(scanner, CodeScannerConfig)
    assert scanner.terminator == "\t"
    modbus = config_from_strings("modbus", {"name": "m", "url": "/dev/x", "bits": "32", "address": "0x10"})
    assert isinstance(modbus, ModbusCounterConfig)
    assert (modbus.bits, modbus.address, modbus.modulus) == (
        32,
        16,
        2**32,
    )


def test_a_command_line_value_of_the_wrong_type_names_the_setting() -> None:
    with pytest.raises(DeviceConfigError, match="baudrate must be an integer, not 'fast'"):
        config_from_strings("badge", {"name": "b", "url": "/dev/x", "baudrate": "fast"})


@pytest.mark.parametrize("kind", list(CONFIG_CLASSES))
def test_every_setting_is_explained_in_code_and_in_docs_devices_md(kind: str) -> None:
    docs = DOCS.read_text(encoding="utf-8")
    for field in fields(CONFIG_CLASSES[kind]):
        assert field.metadata.get("help"), f"{kind}.{field.name} has no help text"
        assert f"`{field.name}`" in docs, f"{kind}.{field.name} is not described in docs/devices.md"
