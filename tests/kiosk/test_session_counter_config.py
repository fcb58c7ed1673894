"""`[counter_steps]` in the kiosk config: which step (工序) each unit counter counts, every mistake named."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError
from protocol.signing import Signer

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kiosk.md"


def _raw(**extra: Any) -> dict[str, Any]:
    return {
        "kiosk_id": "K01",
        "site": "S1",
        "line": "L1",
        "key_file": "kiosk.key",
        "database": "kiosk.db",
        "broker_url": "mqtt://hub.local:1883",
        "hub_public_key": Signer.generate().public_key_b64,
        "devices": [
            {"kind": "badge", "name": "badge0", "url": "/dev/ttyUSB0"},
            {"kind": "counter", "name": "counter0", "url": "/dev/ttyUSB1"},
            {"kind": "modbus", "name": "press1", "url": "/dev/ttyUSB2"},
        ],
    } | extra


def test_counter_steps_map_counters_and_modbus_counters_to_steps() -> None:
    """Both counter kinds can be mapped; without the table no counter is mapped."""
    config = parse_config(_raw(counter_steps={"counter0": "S3", "press1": "S4"}), base=Path("/etc"))
    assert config.counter_steps == {"counter0": "S3", "press1": "S4"}
    assert parse_config(_raw(), base=Path("/etc")).counter_steps == {}


@pytest.mark.parametrize(
    ("counter_steps", "field", "words"),
    [
        ("S3", "counter_steps", "expected a table"),
        ({"counter1": "S3"}, "counter_steps.counter1", "no device of this name"),
        ({"badge0": "S3"}, "counter_steps.badge0", "not a counter"),
        ({"counter0": "S 3"}, "counter_steps.counter0", "expected an id"),
        ({"counter0": 3}, "counter_steps.counter0", "expected an id"),
    ],
)
def test_bad_counter_steps_are_one_line_errors_naming_the_entry(
    counter_steps: object, field: str, words: str
) -> None:
    """An unknown device, a device that is not a counter, or a step that is not an id stops the
    kiosk with one line naming the entry, rather than counting units for nobody."""
    with pytest.raises(ConfigError) as caught:
        parse_config(_raw(counter_steps=counter_steps), base=Path("/etc"))
    assert caught.value.field == field
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_the_counter_example_in_the_kiosk_docs_is_accepted() -> None:
    """The `[counter_steps]` example in docs/kiosk.md is a config the kiosk accepts."""
    blocks = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    (example,) = [b for b in blocks if "[counter_steps]" in b]
    config = parse_config(_raw() | tomllib.loads(example), base=Path("/etc"))
    assert config.counter_steps == {"counter0": "S3"}
