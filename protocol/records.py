"""Kiosk records: the envelope, one body type per event, canonical bytes, signing and verification.

A signed record travels as a *frame*: the 64-byte Ed25519 signature followed by the record's
canonical JSON bytes. The record's hash is SHA-256 of those canonical bytes; each record names the
hash of the kiosk's previous record, so the records of one kiosk form a chain.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from protocol import canonical
from protocol import fields as f
from protocol.errors import Malformed, TooLarge, UnsupportedVersion, WrongTopic
from protocol.signing import SIGNATURE_SIZE, KeyRing, Signer, Verifier, b64decode

VERSION = 1
MAX_RECORD_BYTES = 64 * 1024
MAX_UNITS = 1_000_000
MAX_MINUTES = 24 * 60
GENESIS_HASH = "0" * 64

CHECK_METHODS = ("badge", "qr", "officer")
COUNT_SOURCES = ("manual", "device", "ticket")
EXCUSE_REASONS = ("medical", "family_visit", "education", "other")
# Why inspection refused units (rule book v2 rejects, 次品、返工): one tap each at the kiosk.
REJECT_REASONS = ("sewing", "size", "stain", "damage", "rework", "other")
MAX_GRADE_LEN = 8  # a rule set's grade (A B C D by default); which grades exist is the hub's rule set
MONTH_RE_TEXT = r"\d{4}-(0[1-9]|1[0-2])"

Checker = Callable[[Any, str], Any]


def _units(value: Any, path: str) -> int:
    return f.integer(value, path, hi=MAX_UNITS)


def _minutes(value: Any, path: str) -> int:
    return f.integer(value, path, hi=MAX_MINUTES)


def _nonempty_text(value: Any, path: str) -> str:
    return f.text(value, path, allow_empty=False)


def _method(value: Any, path: str) -> str:
    return f.choice(value, path, CHECK_METHODS)


def _source(value: Any, path: str) -> str:
    return f.choice(value, path, COUNT_SOURCES)


def _excuse(value: Any, path: str) -> str:
    return f.choice(value, path, EXCUSE_REASONS)


def _reject_reason(value: Any, path: str) -> str:
    return f.choice(value, path, REJECT_REASONS)


def grade_text(value: Any, path: str) -> str:
    """A grade's spelling only (short, upper-case letters and digits); whether the rule set knows
    it is the hub's check at ingest, since the rule set may change between plan and ingest."""
    text = f.text(value, path, max_len=MAX_GRADE_LEN, allow_empty=False)
    if not text.isascii() or not text.isalnum() or text != text.upper():
        raise Malformed(f"{path}: expected a grade such as A, B, C or D")
    return text


def _month(value: Any, path: str) -> str:
    """A month as `YYYY-MM`."""
    text = f.text(value, path, max_len=7)
    if not re.fullmatch(MONTH_RE_TEXT, text):
        raise Malformed(f"{path}: expected a month as YYYY-MM")
    return text


def _points(value: Any, path: str) -> str:
    """Points as the inmate saw them: a decimal with at most two places (e.g. `12.5`, `-3`)."""
    text = f.text(value, path, max_len=12)
    if not re.fullmatch(r"-?\d{1,6}(\.\d{1,2})?", text):
        raise Malformed(f"{path}: expected points as a decimal")
    return text


def _signature(value: Any, path: str) -> str:
    """A 64-byte Ed25519 signature in its one base64url spelling (86 characters)."""
    text = f.text(value, path, max_len=100)
    if len(b64decode(text)) != SIGNATURE_SIZE:
        raise Malformed(f"{path}: expected a {SIGNATURE_SIZE}-byte signature")
    return text


def _correction_values(value: Any, path: str) -> dict[str, int | str | None]:
    if not isinstance(value, dict) or not value:
        raise Malformed(f"{path}: expected a non-empty object of new values")
    out: dict[str, int | str | None] = {}
    for key, item in value.items():
        f.ident(key, f"{path} key")
        if item is None or isinstance(item, str):
            out[key] = None if item is None else f.text(item, f"{path}.{key}")
        else:
            out[key] = f.integer(item, f"{path}.{key}", hi=MAX_UNITS)
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckIn:
    """A person starts work on a line; `witness` is the officer who checked in a person without badge."""

    TYPE: ClassVar[str] = "check_in"
    person: str
    line: str
    day: str
    method: str
    witness: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOut:
    TYPE: ClassVar[str] = "check_out"
    person: str
    line: str
    day: str
    method: str
    witness: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class UnitCount:
    """Units a person made of their step: typed on the keypad, from a counter or a bundle ticket."""

    TYPE: ClassVar[str] = "unit_count"
    person: str
    line: str
    day: str
    product: str
    step: str
    units: int
    source: str
    ref: str | None = None  # bundle id for a ticket, device id for a counter


@dataclass(frozen=True, slots=True, kw_only=True)
class WarehousedCount:
    """Units of a product that passed inspection into the warehouse (入库数), entered by an officer."""

    TYPE: ClassVar[str] = "warehoused_count"
    line: str
    product: str
    day: str
    units: int
    officer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Confirm:
    TYPE: ClassVar[str] = "confirm"
    person: str
    day: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Dispute:
    TYPE: ClassVar[str] = "dispute"
    person: str
    day: str
    reason: str
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthConfirm:
    """The inmate confirms his published monthly result (签名确认) of `month`, whose `points` he saw;
    `day` is the kiosk's day of the act."""

    TYPE: ClassVar[str] = "month_confirm"
    person: str
    month: str
    points: str
    day: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthReview:
    """The inmate asks for a review (复核) of his published monthly result of `month` (`points` as he
    saw them), with a reason id and an explanation; `day` is the kiosk's day of the act."""

    TYPE: ClassVar[str] = "month_review"
    person: str
    month: str
    points: str
    day: str
    reason: str
    text: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Countersign:
    TYPE: ClassVar[str] = "countersign"
    officer: str
    line: str
    day: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExcusedAbsence:
    TYPE: ClassVar[str] = "excused_absence"
    person: str
    day: str
    minutes: int
    reason: str
    officer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Correction:
    """New values for an earlier record's body fields; the original record stays as it was."""

    TYPE: ClassVar[str] = "correction"
    ref_kiosk: str
    ref_seq: int
    ref_hash: str
    officer: str
    reason: str
    values: Mapping[str, int | str | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class Grade:
    """Rule book v2: an officer's grade of an inmate's day on a rated post (无定额岗位), given at the
    kiosk in officer mode; a later grade of the same inmate and day replaces the earlier."""

    TYPE: ClassVar[str] = "grade"
    person: str
    line: str
    day: str
    post: str
    grade: str
    officer: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reject:
    """Rule book v2: units of `person`'s work on (`product`, `step`) of `day` found faulty at
    inspection (次品、返工), entered by the inspecting officer; `ref` is the bundle ticket scanned."""

    TYPE: ClassVar[str] = "reject"
    person: str
    line: str
    day: str
    product: str
    step: str
    units: int
    reason: str
    officer: str
    ref: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceFault:
    TYPE: ClassVar[str] = "device_fault"
    device: str
    fault: str
    detail: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckpointWitness:
    """The latest signed hub checkpoint this kiosk received and verified with the hub key: its fields
    and the hub's signature, so the record alone proves what the hub once published, and a hub that
    later rewinds its log behind it is caught (`protocol.messages.witnessed_checkpoint` rebuilds the
    hub's frame from it)."""

    TYPE: ClassVar[str] = "checkpoint_witness"
    hub: str
    tree_size: int
    root: str
    hub_ms: int
    signature: str  # base64url of the hub's Ed25519 signature over the checkpoint's canonical bytes


Body = (
    CheckIn
    | CheckOut
    | UnitCount
    | WarehousedCount
    | Confirm
    | Dispute
    | Countersign
    | ExcusedAbsence
    | MonthConfirm
    | MonthReview
    | Correction
    | DeviceFault
    | CheckpointWitness
    | Grade
    | Reject
)

_CHECK_FIELDS: dict[str, Checker] = {
    "person": f.ident,
    "line": f.ident,
    "day": f.day,
    "method": _method,
    "witness": f.opt_ident,
}

SCHEMAS: dict[str, tuple[type[Any], dict[str, Checker]]] = {
    "check_in": (CheckIn, _CHECK_FIELDS),
    "check_out": (CheckOut, _CHECK_FIELDS),
    "unit_count": (
        UnitCount,
        {
            "person": f.ident,
            "line": f.ident,
            "day": f.day,
            "product": f.ident,
            "step": f.ident,
            "units": _units,
            "source": _source,
            "ref": f.opt_ident,
        },
    ),
    "warehoused_count": (
        WarehousedCount,
        {"line": f.ident, "product": f.ident, "day": f.day, "units": _units, "officer": f.ident},
    ),
    "confirm": (Confirm, {"person": f.ident, "day": f.day}),
    "dispute": (Dispute, {"person": f.ident, "day": f.day, "reason": f.ident, "text": f.text}),
    "month_confirm": (
        MonthConfirm,
        {"person": f.ident, "month": _month, "points": _points, "day": f.day},
    ),
    "month_review": (
        MonthReview,
        {
            "person": f.ident,
            "month": _month,
            "points": _points,
            "day": f.day,
            "reason": f.ident,
            "text": f.text,
        },
    ),
    "countersign": (Countersign, {"officer": f.ident, "line": f.ident, "day": f.day}),
    "excused_absence": (
        ExcusedAbsence,
        {"person": f.ident, "day": f.day, "minutes": _minutes, "reason": _excuse, "officer": f.ident},
    ),
    "correction": (
        Correction,
        {
            "ref_kiosk": f.ident,
            "ref_seq": lambda v, p: f.integer(v, p, lo=1),
            "ref_hash": f.hex64,
            "officer": f.ident,
            "reason": _nonempty_text,
            "values": _correction_values,
        },
    ),
    "device_fault": (DeviceFault, {"device": f.ident, "fault": f.ident, "detail": f.text}),
    "checkpoint_witness": (
        CheckpointWitness,
        {
            "hub": f.ident,
            "tree_size": f.integer,
            "root": f.hex64,
            "hub_ms": lambda v, p: f.integer(v, p, hi=f.MAX_TIME_MS),
            "signature": _signature,
        },
    ),
    "grade": (
        Grade,
        {
            "person": f.ident,
            "line": f.ident,
            "day": f.day,
            "post": f.ident,
            "grade": grade_text,
            "officer": f.ident,
        },
    ),
    "reject": (
        Reject,
        {
            "person": f.ident,
            "line": f.ident,
            "day": f.day,
            "product": f.ident,
            "step": f.ident,
            "units": lambda v, p: f.integer(v, p, lo=1, hi=MAX_UNITS),
            "reason": _reject_reason,
            "officer": f.ident,
            "ref": f.opt_ident,
        },
    ),
}
RECORD_TYPES = tuple(SCHEMAS)


def body_to_dict(body: Body) -> dict[str, Any]:
    return {fld.name: _plain(getattr(body, fld.name)) for fld in dataclasses.fields(body)}


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def body_from_dict(type_name: str, raw: Any, path: str = "body") -> Body:
    schema = SCHEMAS.get(type_name)
    if schema is None:
        raise Malformed(f"type: unknown record type {type_name!r}")
    cls, checkers = schema
    data = f.obj(raw, path, tuple(checkers))
    body: Body = cls(**{name: check(data[name], f"{path}.{name}") for name, check in checkers.items()})
    return body


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One event as a kiosk saw it. `prev` is the hash of the kiosk's record `seq - 1`."""

    kiosk: str
    seq: int
    prev: str
    boot: str
    wall_ms: int
    mono_ms: int
    body: Body
    v: int = VERSION

    @property
    def type(self) -> str:
        return self.body.TYPE

    def to_dict(self) -> dict[str, Any]:
        return {
            "v": self.v,
            "kind": "record",
            "kiosk": self.kiosk,
            "seq": self.seq,
            "prev": self.prev,
            "boot": self.boot,
            "wall_ms": self.wall_ms,
            "mono_ms": self.mono_ms,
            "type": self.type,
            "body": body_to_dict(self.body),
        }

    def canonical_bytes(self) -> bytes:
        return canonical.encode(self.to_dict())


_ENVELOPE = ("v", "kind", "kiosk", "seq", "prev", "boot", "wall_ms", "mono_ms", "type", "body")


def record_from_dict(raw: Any) -> Record:
    if not isinstance(raw, dict):
        raise Malformed("record: expected an object")
    check_version(raw)
    data = f.obj(raw, "record", _ENVELOPE)
    if data["kind"] != "record":
        raise Malformed("kind: expected 'record'")
    type_name = data["type"]
    if not isinstance(type_name, str):
        raise Malformed("type: expected text")
    return Record(
        kiosk=f.ident(data["kiosk"], "kiosk"),
        seq=f.integer(data["seq"], "seq", lo=1),
        prev=f.hex64(data["prev"], "prev"),
        boot=f.ident(data["boot"], "boot"),
        wall_ms=f.integer(data["wall_ms"], "wall_ms", hi=f.MAX_TIME_MS),
        mono_ms=f.integer(data["mono_ms"], "mono_ms", hi=f.MAX_TIME_MS),
        body=body_from_dict(type_name, data["body"]),
    )


def check_version(raw: dict[str, Any]) -> None:
    version = raw.get("v")
    if not isinstance(version, int) or isinstance(version, bool):
        raise Malformed("v: expected the protocol version as an integer")
    if version != VERSION:
        raise UnsupportedVersion(f"protocol version {version} is not supported (this side speaks {VERSION})")


def record_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class SignedRecord:
    """A record with its exact canonical bytes, the kiosk's signature over them and their hash."""

    record: Record
    data: bytes
    signature: bytes
    hash: str

    @property
    def frame(self) -> bytes:
        return self.signature + self.data


def sign_record(record: Record, signer: Signer) -> SignedRecord:
    """Sign a record; a record that a receiver would refuse as malformed is refused here instead,
    since a signed, chained bad record would block its kiosk's chain for good."""
    record_from_dict(record.to_dict())
    data = record.canonical_bytes()
    if len(data) + SIGNATURE_SIZE > MAX_RECORD_BYTES:
        raise TooLarge(f"record is {len(data) + SIGNATURE_SIZE} bytes, the limit is {MAX_RECORD_BYTES}")
    return SignedRecord(record, data, signer.sign(data), record_hash(data))


def parse_frame(frame: bytes) -> SignedRecord:
    """Split and parse a frame without checking the signature (for stored, already verified bytes)."""
    if len(frame) > MAX_RECORD_BYTES:
        raise TooLarge(f"frame is {len(frame)} bytes, the limit is {MAX_RECORD_BYTES}")
    if len(frame) <= SIGNATURE_SIZE:
        raise Malformed(f"frame of {len(frame)} bytes is shorter than a signature and a record")
    signature, data = bytes(frame[:SIGNATURE_SIZE]), bytes(frame[SIGNATURE_SIZE:])
    try:
        raw = canonical.decode(data)
    except canonical.CanonicalError as err:
        raise Malformed(f"record: {err}") from err
    return SignedRecord(record_from_dict(raw), data, signature, record_hash(data))


def verify_frame(frame: bytes, keys: KeyRing, *, expected_kiosk: str | None = None) -> SignedRecord:
    """Parse a frame and check its signature against the enrolled key of the kiosk it names.

    `expected_kiosk` is the kiosk the transport says sent it (its topic); another kiosk's record on
    that topic is refused even when its signature is good.
    """
    signed = parse_frame(frame)
    kiosk = signed.record.kiosk
    if expected_kiosk is not None and kiosk != expected_kiosk:
        raise WrongTopic(f"record of kiosk {kiosk!r} arrived on the topic of {expected_kiosk!r}")
    verifier: Verifier = keys.verifier(kiosk)
    verifier.verify(signed.data, signed.signature)
    return signed
