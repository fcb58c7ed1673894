"""Detached signatures of export files: the hub signs each CSV, XLSX or JSON export it writes, so the
scoring database (or anyone) can tell a file from the hub from a changed one.

The signature is a small JSON document written beside the file (`FILE.sig`). It names the file's
SHA-256 and size, what it holds (month, area, whether it is final or a draft of an unapproved
month), when it was signed and the hub's public key, and carries an Ed25519 signature by the hub
over the canonical JSON of all of that, behind a domain prefix (a signature of a ledger entry or a
checkpoint can never pass for one of an export). `check` needs the file, the signature and the
hub's public key, which must come from the hub's operator, never from the signature document: the
key in it only says which key signed, and a document signed by another hub is refused.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from protocol import canonical
from protocol.errors import ProtocolError
from protocol.signing import Signer, Verifier, b64decode, b64encode

FORMAT = "floorledger-export-signature-1"
DOMAIN = b"floorledger-export-signature-1\n"
RELEASES = ("final", "draft")


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportFacts:
    """What a signature says about its file."""

    file: str
    sha256: str
    size: int
    month: str
    area: str
    release: str  # "final": a locked month; "draft": an unapproved one, exported on request
    signed_ms: int
    hub_key: str


def _statement(facts: ExportFacts) -> bytes:
    body: dict[str, Any] = {
        "format": FORMAT,
        "file": facts.file,
        "sha256": facts.sha256,
        "size": facts.size,
        "month": facts.month,
        "area": facts.area,
        "release": facts.release,
        "signed_ms": facts.signed_ms,
        "hub_key": facts.hub_key,
    }
    return DOMAIN + canonical.encode(body)


def sign(
    data: bytes, *, name: str, month: str, area: str, release: str, signed_ms: int, signer: Signer
) -> bytes:
    """The signature document (UTF-8 JSON) of export file `data` named `name`."""
    if release not in RELEASES:
        raise ValueError(f"release must be one of {RELEASES}")
    facts = ExportFacts(
        file=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        month=month,
        area=area,
        release=release,
        signed_ms=signed_ms,
        hub_key=signer.public_key_b64,
    )
    document = {
        "format": FORMAT,
        "file": facts.file,
        "sha256": facts.sha256,
        "size": facts.size,
        "month": facts.month,
        "area": facts.area,
        "release": facts.release,
        "signed_ms": facts.signed_ms,
        "hub_key": facts.hub_key,
        "signature": b64encode(signer.sign(_statement(facts))),
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def check(data: bytes, signature: bytes, hub_key: bytes) -> tuple[ExportFacts | None, list[str]]:
    """(what the signature says, problems): no problem means the file is exactly what the hub with
    `hub_key` signed."""
    try:
        document = json.loads(signature.decode("utf-8"))
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            return None, [f"the signature file is not a {FORMAT} document"]
        facts = ExportFacts(
            file=str(document["file"]),
            sha256=str(document["sha256"]),
            size=int(document["size"]),
            month=str(document["month"]),
            area=str(document["area"]),
            release=str(document["release"]),
            signed_ms=int(document["signed_ms"]),
            hub_key=str(document["hub_key"]),
        )
        raw_signature = b64decode(str(document["signature"]))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, ProtocolError) as err:
        return None, [f"the signature file cannot be read: {err}"]
    problems = []
    if facts.hub_key != b64encode(hub_key):
        problems.append("signed by another key than the hub key given (another hub, or a forgery)")
    try:
        Verifier(hub_key, hub=True).verify(_statement(facts), raw_signature)
    except ProtocolError as err:
        problems.append(f"the signature does not hold: {err}")
    if hashlib.sha256(data).hexdigest() != facts.sha256 or len(data) != facts.size:
        problems.append("the file is not the one signed: its SHA-256 differs (changed after export)")
    if facts.release not in RELEASES:
        problems.append(f"unknown release {facts.release!r}")
    return facts, problems
