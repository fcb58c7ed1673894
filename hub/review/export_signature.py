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

from floorledger.base import i18n
from protocol import canonical
from protocol.errors import ProtocolError
from protocol.signing import Signer, Verifier, b64decode, b64encode

FORMAT = "floorledger-export-signature-1"

# What `check` finds, keyed (each `str` is the English line `verify-export --lang en` prints).
i18n.register(
    {
        "export.check.format": {
            "zh": "签名文件不是 {format} 格式",
            "en": "the signature file is not a {format} document",
        },
        "export.check.unreadable": {
            "zh": "签名文件无法读取：{error}",
            "en": "the signature file cannot be read: {error}",
        },
        "export.check.other_key": {
            "zh": "签名所用密钥不是所给的枢纽公钥（另一枢纽所签，或系伪造）",
            "en": "signed by another key than the hub key given (another hub, or a forgery)",
        },
        "export.check.signature": {"zh": "签名不成立：{error}", "en": "the signature does not hold: {error}"},
        "export.check.changed": {
            "zh": "文件不是所签的那一份：SHA-256 不同（导出后被改动）",
            "en": "the file is not the one signed: its SHA-256 differs (changed after export)",
        },
        "export.check.release": {"zh": "未知的发布类型 {release}", "en": "unknown release {release}"},
        "export.check.head": {
            "zh": "{file}：{month} 月，监区 {area}，{kind}，签名时间 {signed}",
            "en": "{file}: month {month}, area {area}, {kind}, signed {signed}",
        },
        "export.check.final": {"zh": "正式（已锁定月份）", "en": "FINAL (locked month)"},
        "export.check.draft": {
            "zh": "草稿（月份未锁定：未审批）",
            "en": "DRAFT (month not locked: 草稿/未审批)",
        },
        "export.check.ok": {
            "zh": "核验通过：文件与枢纽所签完全一致",
            "en": "VERIFIED: the file is exactly what the hub signed",
        },
        "export.check.failed": {"zh": "核验未通过", "en": "NOT VERIFIED"},
    }
)
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
            return None, [i18n.Text("export.check.format", format=FORMAT)]
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
        return None, [i18n.Text("export.check.unreadable", error=str(err))]
    problems: list[str] = []
    if facts.hub_key != b64encode(hub_key):
        problems.append(i18n.Text("export.check.other_key"))
    try:
        Verifier(hub_key, hub=True).verify(_statement(facts), raw_signature)
    except ProtocolError as err:
        problems.append(i18n.Text("export.check.signature", error=str(err)))
    if hashlib.sha256(data).hexdigest() != facts.sha256 or len(data) != facts.size:
        problems.append(i18n.Text("export.check.changed"))
    if facts.release not in RELEASES:
        problems.append(i18n.Text("export.check.release", release=repr(facts.release)))
    return facts, problems
