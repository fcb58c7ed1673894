"""A hub public key in URL-safe base64 may start with "-" (one key in 64): the commands still take it
after `--hub-key-pub` with a space, as the docs write it."""

from __future__ import annotations

from floorledger.cli import attach_key_values, build_parser
from protocol.signing import Signer


def _dash_key() -> str:
    while True:
        key = Signer.generate().public_key_b64
        if key.startswith("-"):
            return key


def test_a_key_starting_with_a_dash_is_the_option_s_value() -> None:
    """`verify --hub-key-pub -Abc…` and `verify-bundle FILE --hub-key-pub -Abc…` parse the key; other
    words are left alone."""
    key = _dash_key()
    parser = build_parser()
    args = parser.parse_args(attach_key_values(["verify", "--db", "hub.sqlite3", "--hub-key-pub", key]))
    assert args.hub_key_pub == key
    args = parser.parse_args(attach_key_values(["verify-bundle", "b.json", "--hub-key-pub", key]))
    assert args.hub_key_pub == key
    assert attach_key_values(["verify", "--db", "-x"]) == ["verify", "--db", "-x"]
    assert attach_key_values(["verify", "--hub-key-pub"]) == ["verify", "--hub-key-pub"]
