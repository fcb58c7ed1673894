"""The kiosk config the store and uplink start from: typed, defaults filled in, every mistake named."""

from __future__ import annotations

from pathlib import Path

import pytest

from floorledger.base.errors import CliError
from kiosk.config import load_config
from kiosk.errors import ConfigError
from protocol.signing import Signer

GOOD = """
kiosk_id = "K01"
site = "S1"
line = "L1"
key_file = "kiosk.key"
database = "data/kiosk.db"
broker_url = "mqtt://hub.local:1883"
hub_public_key = "{key}"
screen = "1024x600"
language = "en"

[[devices]]
kind = "badge"
url = "/dev/ttyUSB0"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text.replace("{key}", Signer.generate().public_key_b64), encoding="utf-8")
    return path


def test_good_config_is_typed_with_defaults_and_paths_beside_the_file(tmp_path: Path) -> None:
    """Relative paths resolve beside the config file; unset fields take the documented defaults."""
    config = load_config(_write(tmp_path, GOOD))
    assert config.kiosk_id == "K01"
    assert config.database == tmp_path / "data" / "kiosk.db"
    assert config.screen == (1024, 600)
    assert config.language == "en"
    assert (config.idle_seconds, config.max_units_per_entry, config.retention_days) == (20, 500, 30)
    assert config.timezone == "Asia/Shanghai"
    assert config.devices == ({"kind": "badge", "url": "/dev/ttyUSB0"},)
    assert config.broker().port == 1883
    assert len(config.hub_public_key) == 32


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("", "colour = 'red'\n"), "colour"),
        (('kiosk_id = "K01"', 'kiosk_id = "K 01"'), "kiosk_id"),
        (('line = "L1"\n', ""), "line"),
        (('screen = "1024x600"', 'screen = "big"'), "screen"),
        (('language = "en"', 'language = "fr"'), "language"),
        (('broker_url = "mqtt://hub.local:1883"', 'broker_url = "http://hub"'), "broker_url"),
        (('hub_public_key = "{key}"', 'hub_public_key = "not-a-key"'), "hub_public_key"),
        (("", "idle_seconds = 0\n"), "idle_seconds"),
        (("", "batch_size = 'many'\n"), "batch_size"),
        (("", 'timezone = "Mars/Olympus"\n'), "timezone"),
    ],
)
def test_bad_config_names_the_field_in_one_line(tmp_path: Path, change: tuple[str, str], field: str) -> None:
    """Unknown keys, missing required keys and bad values are refused with the field's name."""
    old, new = change
    text = GOOD.replace(old, new, 1) if old else new + GOOD
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text))
    assert caught.value.field == field
    assert isinstance(caught.value, CliError)  # the CLI prints it as one line
    assert "\n" not in str(caught.value)


def test_missing_or_broken_file_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "kiosk_id = "))
