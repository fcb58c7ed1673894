"""Weak keys and malleable signatures are refused; keys and fingerprints behave as documented."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from protocol.errors import BadSignature, Malformed
from protocol.signing import KeyRing, L, Signer, Verifier, b64decode, b64encode, fingerprint

SMALL_ORDER_KEYS = [
    "0100000000000000000000000000000000000000000000000000000000000000",  # identity, order 1
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # order 2
    "0000000000000000000000000000000000000000000000000000000000000000",  # order 4
    "0000000000000000000000000000000000000000000000000000000000000080",  # order 4, sign bit set
    "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",  # order 8
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",  # order 8, sign bit set
]


@pytest.mark.parametrize("hex_key", SMALL_ORDER_KEYS)
def test_small_order_public_keys_are_refused(hex_key: str) -> None:
    """A small-order key would let one signature pass for many messages: it cannot be enrolled."""
    with pytest.raises(Malformed, match="small-order"):
        KeyRing().add("K1", bytes.fromhex(hex_key))


def test_non_canonical_key_encoding_is_refused() -> None:
    """y >= p is a second spelling of a point; such a key is refused."""
    with pytest.raises(Malformed, match="canonical"):
        Verifier(bytes.fromhex("f0" + "ff" * 30 + "7f"))


def test_non_canonical_signature_is_refused() -> None:
    """S + L verifies in lax implementations; here it is a bad signature (no malleability)."""
    signer = Signer(bytes(range(32)))
    sig = signer.sign(b"hello")
    s = int.from_bytes(sig[32:], "little") + L
    malleated = sig[:32] + s.to_bytes(32, "little")
    verifier = Verifier(signer.public_key)
    verifier.verify(b"hello", sig)
    with pytest.raises(BadSignature, match="canonical"):
        verifier.verify(b"hello", malleated)


def test_small_order_r_is_refused() -> None:
    """A signature whose R is a small-order point is refused before libsodium sees it."""
    verifier = Verifier(Signer(bytes(range(32))).public_key)
    with pytest.raises(BadSignature, match="small-order"):
        verifier.verify(b"x", bytes.fromhex(SMALL_ORDER_KEYS[0]) + bytes(32))


def test_signatures_are_deterministic_and_fingerprints_stable() -> None:
    """The same key signs the same bytes the same way; the fingerprint has five groups of four."""
    signer = Signer(bytes(range(32)))
    assert signer.sign(b"a") == Signer(bytes(range(32))).sign(b"a")
    assert signer.fingerprint == fingerprint(signer.public_key) == "5647-5aa7-5463-474c-0285"
    assert b64decode(b64encode(signer.public_key)) == signer.public_key
    assert len(signer.public_key_b64) == 43


def test_key_ring_caches_one_verifier_per_kiosk() -> None:
    """Keys are parsed once: the ring hands back the same verifier object every time."""
    ring = KeyRing()
    ring.add("K1", Signer.generate().public_key)
    assert ring.verifier("K1") is ring.verifier("K1")


@given(st.binary(max_size=100))
def test_base64url_has_one_spelling_per_value(data: bytes) -> None:
    """Any bytes survive b64encode/b64decode; the other spellings of the same bytes are refused:
    padding, stray characters, and a last character with its unused low bits set (otherwise a
    signed document could change by one character and still check out)."""
    text = b64encode(data)
    assert b64decode(text) == data
    spellings = [text + "=" * (-len(text) % 4 or 4), text + "$", " " + text]
    if len(data) % 3:  # the last character carries unused bits: its neighbour means the same bytes
        last = text[-1]
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        spellings.append(text[:-1] + alphabet[alphabet.index(last) + 1])
    for other in spellings:
        with pytest.raises(Malformed):
            b64decode(other)
