"""Ed25519 keys (libsodium through PyNaCl): signing, strict verification and the kiosk key ring.

libsodium already refuses non-canonical signatures and small-order keys; the explicit checks here
make that rule part of our contract rather than of one library version, and give each a clear error.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import nacl.exceptions
import nacl.signing

from protocol.errors import BadHubSignature, BadSignature, Malformed, RevokedKiosk, UnknownKiosk

SIGNATURE_SIZE = 64
KEY_SIZE = 32
# Group order of edwards25519; a canonical signature has S < L (RFC 8032 section 5.1.7).
L = 2**252 + 27742317777372353535851937790883648493
P = 2**255 - 19
# Encodings (sign bit cleared) of points of order 1, 2, 4 and 8, as libsodium lists them.
_SMALL_ORDER = frozenset(
    bytes.fromhex(h)
    for h in (
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    )
)


def _clear_sign(point: bytes) -> bytes:
    return point[:31] + bytes([point[31] & 0x7F])


def is_small_order(point: bytes) -> bool:
    return _clear_sign(point) in _SMALL_ORDER


def check_public_key(public_key: bytes) -> None:
    """Refuse keys that would let one signature verify for many messages or keys."""
    if len(public_key) != KEY_SIZE:
        raise Malformed(f"public key must be {KEY_SIZE} bytes, got {len(public_key)}")
    if int.from_bytes(_clear_sign(public_key), "little") >= P:
        raise Malformed("public key is not a canonical point encoding")
    if is_small_order(public_key):
        raise Malformed("public key is a small-order point")


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Bytes from their one base64url spelling (unpadded, as `b64encode` writes it). Other spellings
    of the same bytes (padding, stray characters, unused low bits set in the last character) are
    refused: a signed document must not change by one character and still check out."""
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as err:
        raise Malformed(f"not base64url: {text[:20]!r}") from err
    if b64encode(data) != text:
        raise Malformed(f"not base64url in its one unpadded form: {text[:20]!r}")
    return data


def fingerprint(public_key: bytes) -> str:
    """What an officer compares at enrollment: 80 bits of SHA-256, five groups of four hex digits."""
    digest = hashlib.sha256(public_key).hexdigest()[:20]
    return "-".join(digest[i : i + 4] for i in range(0, 20, 4))


class Signer:
    """A private Ed25519 key; signatures are deterministic (same bytes, same signature)."""

    __slots__ = ("_key", "public_key")

    def __init__(self, seed: bytes) -> None:
        if len(seed) != KEY_SIZE:
            raise ValueError(f"an Ed25519 seed is {KEY_SIZE} bytes")
        self._key = nacl.signing.SigningKey(seed)
        self.public_key: bytes = bytes(self._key.verify_key)

    @classmethod
    def generate(cls) -> Signer:
        return cls(bytes(nacl.signing.SigningKey.generate()))

    @property
    def seed(self) -> bytes:
        return bytes(self._key)

    @property
    def public_key_b64(self) -> str:
        return b64encode(self.public_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return bytes(self._key.sign(data).signature)


class Verifier:
    """A checked public key, built once and reused for every message it verifies.

    `hub=True` for the hub's key: its failures are `BadHubSignature` ("the hub's key"), a kiosk's
    (the default) `BadSignature` ("the kiosk's key"). `verify(..., hub=...)` overrides it for one
    message, as `protocol.messages.open_frame` does by the kind of message.
    """

    __slots__ = ("_key", "hub", "public_key")

    def __init__(self, public_key: bytes, *, hub: bool = False) -> None:
        check_public_key(public_key)
        self.public_key = public_key
        self.hub = hub
        self._key = nacl.signing.VerifyKey(public_key)

    def verify(self, data: bytes, signature: bytes, *, hub: bool | None = None) -> None:
        of_hub = self.hub if hub is None else hub
        error, whose = (BadHubSignature, "hub") if of_hub else (BadSignature, "kiosk")
        if len(signature) != SIGNATURE_SIZE:
            raise error(f"signature must be {SIGNATURE_SIZE} bytes")
        if int.from_bytes(signature[32:], "little") >= L:
            raise error("signature is not canonical (S >= L)")
        if is_small_order(signature[:32]):
            raise error("signature uses a small-order R")
        try:
            self._key.verify(data, signature)
        except nacl.exceptions.BadSignatureError as err:
            raise error(f"signature does not match the {whose}'s key") from err


@dataclass(slots=True)
class _Entry:
    verifier: Verifier
    revoked: bool


class KeyRing:
    """Enrolled kiosk keys by kiosk id; keys are parsed once and cached."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def add(self, kiosk: str, public_key: bytes, *, revoked: bool = False) -> None:
        self._entries[kiosk] = _Entry(Verifier(public_key), revoked)

    def revoke(self, kiosk: str) -> None:
        if kiosk in self._entries:
            self._entries[kiosk].revoked = True

    def remove(self, kiosk: str) -> None:
        self._entries.pop(kiosk, None)

    def __contains__(self, kiosk: object) -> bool:
        return kiosk in self._entries

    def verifier(self, kiosk: str) -> Verifier:
        entry = self._entries.get(kiosk)
        if entry is None:
            raise UnknownKiosk(f"kiosk {kiosk!r} is not enrolled")
        if entry.revoked:
            raise RevokedKiosk(f"kiosk {kiosk!r} has been revoked")
        return entry.verifier
