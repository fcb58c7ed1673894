"""The hub's seal on an inmate's labor assessment report (for a parole file): what is signed, how a
court clerk checks it without the hub, and the short code printed on the paper.

The report's content is one canonical JSON document (`protocol.canonical`: one byte form, no
floats). Its SHA-256 is the report's digest; the hub signs, with its Ed25519 key and behind a domain
prefix (so no ledger entry, checkpoint or export signature can pass for a report's), the digest
alone. Signing the digest, not the document, lets the QR code on the paper carry everything the
signature needs (digest and signature, about 140 characters): a phone that reads the QR code and
the hub's public key tell that the hub issued a report with this digest, and the companion file
(or the copy inside the PDF) whose canonical form hashes to it is the report's content.

The verification code is the digest's first 60 bits in Crockford base32 (`XXXX-XXXX-XXXX`): short
enough to read aloud or compare by eye between the paper, the QR code and `verify-report`'s answer.

The hub's public key must come from the hub's operator, never from the companion: the key written
in it only says which key signed, and a report signed by another hub is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from protocol import canonical
from protocol.errors import ProtocolError
from protocol.signing import Signer, Verifier, b64decode, b64encode

FORMAT = "floorledger-inmate-report-1"
DOMAIN = b"floorledger-inmate-report-1\n"
QR_PREFIX = "FLR1"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True, slots=True, kw_only=True)
class Seal:
    """The hub's signature over a report's digest, and the key that made it."""

    digest: str  # SHA-256 of the canonical document, hex
    signature: str  # base64url Ed25519 signature of DOMAIN + digest
    hub_key: str  # base64url public key of the hub that signed

    @property
    def code(self) -> str:
        return verification_code(self.digest)

    @property
    def qr(self) -> str:
        """What the QR code on the paper carries: `FLR1:<digest b64url>:<signature b64url>`."""
        return f"{QR_PREFIX}:{b64encode(bytes.fromhex(self.digest))}:{self.signature}"


def digest_of(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical.encode(document)).hexdigest()


def _statement(digest: str) -> bytes:
    return DOMAIN + digest.encode("ascii")


def verification_code(digest: str) -> str:
    """The first 60 bits of the digest in Crockford base32, in three groups of four."""
    bits = int(digest[:15], 16)  # 15 hex digits = 60 bits = 12 base32 characters
    chars = "".join(CROCKFORD[(bits >> shift) & 31] for shift in range(55, -1, -5))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def seal(document: dict[str, Any], signer: Signer) -> Seal:
    digest = digest_of(document)
    return Seal(
        digest=digest,
        signature=b64encode(signer.sign(_statement(digest))),
        hub_key=signer.public_key_b64,
    )


def companion(document: dict[str, Any], sealed: Seal) -> bytes:
    """The machine-readable signed report (UTF-8 JSON): the document and the seal beside it."""
    body = {
        "format": FORMAT,
        "document": document,
        "digest": sealed.digest,
        "verification_code": sealed.code,
        "hub_key": sealed.hub_key,
        "signature": sealed.signature,
    }
    return (json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _signature_problems(digest: str, signature: str, hub_key: bytes, signed_by: str | None) -> list[str]:
    problems = []
    if signed_by is not None and signed_by != b64encode(hub_key):
        problems.append("report.check.other_key")
    try:
        Verifier(hub_key, hub=True).verify(_statement(digest), b64decode(signature))
    except ProtocolError:
        problems.append("report.check.bad_signature")
    return problems


def check(data: bytes, hub_key: bytes) -> tuple[dict[str, Any] | None, Seal | None, list[str]]:
    """(the document, its seal, problems) of a companion file: no problem means the document is
    exactly what the hub with `hub_key` signed. Problems are text keys (`report.check.*`)."""
    try:
        body = json.loads(data.decode("utf-8"))
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            return None, None, ["report.check.not_report"]
        document = body["document"]
        sealed = Seal(
            digest=str(body["digest"]), signature=str(body["signature"]), hub_key=str(body["hub_key"])
        )
        if not isinstance(document, dict) or len(sealed.digest) != 64:
            return None, None, ["report.check.not_report"]
        int(sealed.digest, 16)
        actual = digest_of(document)
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, RecursionError):
        return None, None, ["report.check.unreadable"]
    problems = []
    if actual != sealed.digest:
        problems.append("report.check.changed")
    problems += _signature_problems(sealed.digest, sealed.signature, hub_key, sealed.hub_key)
    if str(body.get("verification_code", sealed.code)) != sealed.code:
        problems.append("report.check.changed")
    return document, sealed, sorted(set(problems))


def check_qr(text: str, hub_key: bytes) -> tuple[Seal | None, list[str]]:
    """The seal a QR code carries, and whether the hub with `hub_key` made it (the content itself is
    in the companion or the PDF; the QR code proves the digest and the code)."""
    prefix, _, rest = text.strip().partition(":")
    digest_b64, _, signature = rest.partition(":")
    try:
        if prefix != QR_PREFIX:
            raise ValueError(prefix)
        raw = b64decode(digest_b64)
        if len(raw) != 32:
            raise ValueError("digest length")
    except (ValueError, ProtocolError):
        return None, ["report.check.not_qr"]
    sealed = Seal(digest=raw.hex(), signature=signature, hub_key="")
    return sealed, _signature_problems(sealed.digest, signature, hub_key, None)
