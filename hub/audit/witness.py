"""Checkpoints held outside the hub's log tables, and whether today's log still extends them.

A hub that rewinds its database (deletes its last ledger entries, their log leaves and every
checkpoint that covers them) leaves a log that is consistent in itself. What catches it is a
checkpoint someone kept: a kiosk's `checkpoint_witness` record (the hub's signed checkpoint in the
kiosk's own signed chain), or one an auditor brings to `floorledger verify --expect` (a root read off
the wall board's 今日数据指纹, an export's `checkpoint_root`, a bundle's or a proof's signed
checkpoint). Each such *claim* says "the hub's log once had this root over this many leaves"; today's
log must still have it over its first `tree_size` leaves, or the log was rewound behind it.

The log pass of `hub.audit.verify` feeds every leaf hash to a `LogTrack`, which keeps the roots at the
sizes the claims name (and, when an `--expect` claim names a full root and a size, the leaf hashes,
for an RFC 6962 consistency proof from that checkpoint to today's log). A claim that names a root but
no size (an export, a board photo) is compared with the root at every size of the log.

A board photo shows only the first 16 hex digits (64 bits) of the root; that is the shortest prefix
accepted: guessing a 64-bit prefix of a root over a rewritten log is 2^64 work per attempt.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

import peewee

from hub.audit.report import Finding, Section, finding
from hub.errors import HubError
from hub.ledger import merkle
from hub.ledger.checkpoints import latest_checkpoint
from hub.store.kiosks import KioskRecord
from protocol import canonical
from protocol.errors import ProtocolError
from protocol.messages import Checkpoint, open_frame, witnessed_checkpoint
from protocol.records import CheckpointWitness, parse_frame
from protocol.signing import SIGNATURE_SIZE, Verifier, b64decode

WITNESS_TYPE = CheckpointWitness.TYPE
MIN_PREFIX = 16  # hex digits: what the wall board shows (hub.web.board.model.short_fingerprint)
_HEX64 = re.compile(r"(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])")
_ROOT_ARG = re.compile(r"(?P<root>[0-9a-fA-F][0-9a-fA-F \-:]*)(@(?P<size>\d+))?")


class ExpectError(HubError):
    """An `--expect` value that names no checkpoint (the command line prints it as one line)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    """A checkpoint kept outside the log tables: today's log must still have `root` over `tree_size`."""

    source: str  # who holds it, as the report names it: "kiosk K01 (record seq 12)", "--expect …"
    root: str  # lowercase hex: all 64 digits, or a prefix of at least MIN_PREFIX
    tree_size: int | None  # None: unknown (an export's checkpoint_root, a board photo)
    also: int = 0  # further witness records of the same checkpoint
    expected: bool = False  # brought by the auditor (--expect), reported also when it holds
    signed: bool = False  # the hub's signature over it was checked

    @property
    def full(self) -> bool:
        return len(self.root) == 2 * merkle.HASH_SIZE


# --- claims from the kiosks' chains -----------------------------------------------------------------


def load_witnesses(db: peewee.Database, hub_key: Verifier | None, section: Section) -> list[Claim]:
    """One claim per distinct checkpoint the kiosks witnessed, naming its first witness record.

    The kiosk's signature on the witness record is the record pass's business; here the hub's
    signature on the checkpoint it carries is checked (a witness the hub never signed is a finding).
    """
    query = (
        KioskRecord.select(KioskRecord.id, KioskRecord.kiosk, KioskRecord.seq, KioskRecord.frame)
        .where(KioskRecord.type == WITNESS_TYPE)
        .order_by(KioskRecord.id)
        .tuples()
    )
    seen: dict[bytes, tuple[Finding, Checkpoint, int]] = {}
    for rid, kiosk, seq, frame in query.iterator():
        section.checked += 1
        where = finding("held.kiosk", kiosk=kiosk, seq=seq)
        try:
            body = parse_frame(bytes(frame)).record.body
        except ProtocolError:
            continue  # the record pass reports a frame that is not a record
        if not isinstance(body, CheckpointWitness):
            continue  # a type column that lies: the record pass reports it
        checkpoint_frame = witnessed_checkpoint(body)
        known = seen.get(checkpoint_frame)
        if known is not None:
            seen[checkpoint_frame] = (known[0], known[1], known[2] + 1)
            continue
        try:
            if hub_key is not None:
                checkpoint: Checkpoint = open_frame(checkpoint_frame, hub_key, Checkpoint)
            else:
                checkpoint = Checkpoint.from_dict(canonical.decode(checkpoint_frame[SIGNATURE_SIZE:]))
        except (ProtocolError, canonical.CanonicalError) as err:
            section.findings.append(finding("held.witness_unsigned", id=rid, where=where, why=_why(err)))
            continue
        seen[checkpoint_frame] = (where, checkpoint, 0)
    return [
        Claim(
            source=finding("held.witnessed", where=where),
            root=checkpoint.root,
            tree_size=checkpoint.tree_size,
            also=also,
            signed=hub_key is not None,
        )
        for where, checkpoint, also in seen.values()
    ]


# --- claims an auditor brings (--expect ROOT[@SIZE] | FILE) -------------------------------------------


def parse_expectation(value: str, hub_key: Verifier | None) -> list[Claim]:
    """The checkpoints an `--expect` value names: a file (see `claims_from_file`) when one exists at
    that path, else a hex root (all 64 digits, or at least the board's 16; spaces and dashes as the
    board groups them are ignored) with an optional `@SIZE`."""
    path = Path(value)
    if path.is_file():
        return claims_from_file(path, hub_key)
    match = _ROOT_ARG.fullmatch(value.strip())
    if match is None:
        raise ExpectError("verify.expect.not_root", value=value)
    root = re.sub(r"[ \-:]", "", match["root"]).lower()
    if not MIN_PREFIX <= len(root) <= 64 or root.strip("0123456789abcdef"):
        raise ExpectError("verify.expect.short_root", value=value, digits=MIN_PREFIX)
    size = None if match["size"] is None else int(match["size"])
    shown = root if size is None else f"{root}@{size}"
    return [Claim(source=finding("held.given", value=shown), root=root, tree_size=size, expected=True)]


def claims_from_file(path: Path, hub_key: Verifier | None) -> list[Claim]:
    """The checkpoints a file holds: a signed checkpoint frame (as published on the checkpoint topic),
    a JSON document with a `checkpoint` (an evidence bundle, an inclusion proof: the signed frame in
    base64url) or a `checkpoint_root`, or an export (CSV or XLSX) whose `checkpoint_root` column
    holds roots; a signed checkpoint's signature must verify with the hub key when one is given."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ExpectError("verify.expect.unreadable", path=str(path), why=err.strerror) from err
    name = finding("held.given", value=path.name)
    frame = _as_frame(data)
    if frame is not None:
        return [_signed_claim(frame, name, hub_key)]
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        doc = None
    if isinstance(doc, dict):
        return _claims_from_json(doc, name, hub_key)
    text = _text_of(data)
    roots = sorted(set(_HEX64.findall(text)))
    if not roots:
        raise ExpectError("verify.expect.no_root", name=name)
    return [
        Claim(source=finding("held.file_root", name=name, root=r[:16]), root=r, tree_size=None, expected=True)
        for r in roots
    ]


def _claims_from_json(doc: dict[str, Any], name: Finding, hub_key: Verifier | None) -> list[Claim]:
    if isinstance(doc.get("checkpoint"), str):
        try:
            frame = b64decode(doc["checkpoint"])
        except ProtocolError as err:
            raise ExpectError("verify.expect.not_base64", name=name, why=str(err)) from err
        return [_signed_claim(frame, name, hub_key)]
    root = doc.get("checkpoint_root", doc.get("root"))
    size = doc.get("tree_size")
    if isinstance(root, str) and _HEX64.fullmatch(root):
        known = size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None
        source = finding("held.json_root", name=name, root=root[:16])
        return [Claim(source=source, root=root, tree_size=known, expected=True)]
    raise ExpectError("verify.expect.no_checkpoint", name=name)


def _as_frame(data: bytes) -> bytes | None:
    """`data` as a checkpoint frame (signature, canonical JSON), or None when it is none."""
    if len(data) <= SIGNATURE_SIZE or data[SIGNATURE_SIZE : SIGNATURE_SIZE + 1] != b"{":
        return None
    try:
        raw = canonical.decode(data[SIGNATURE_SIZE:])
    except canonical.CanonicalError:
        return None
    return data if isinstance(raw, dict) and raw.get("kind") == Checkpoint.KIND else None


def _signed_claim(frame: bytes, source: Finding, hub_key: Verifier | None) -> Claim:
    try:
        if hub_key is not None:
            checkpoint: Checkpoint = open_frame(frame, hub_key, Checkpoint)
        else:
            checkpoint = Checkpoint.from_dict(canonical.decode(frame[SIGNATURE_SIZE:]))
    except (ProtocolError, canonical.CanonicalError) as err:
        raise ExpectError("verify.expect.not_signed", name=source, why=_why(err)) from err
    return Claim(
        source=finding("held.signed_file", name=source, size=checkpoint.tree_size),
        root=checkpoint.root,
        tree_size=checkpoint.tree_size,
        expected=True,
        signed=hub_key is not None,
    )


def _why(err: Exception) -> str:
    return err.detail if isinstance(err, ProtocolError) else str(err)


def _text_of(data: bytes) -> str:
    """A file's text; an XLSX (a zip of XML parts) is the text of all its parts."""
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as archive:
                return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        except (zipfile.BadZipFile, OSError) as err:
            raise ExpectError("verify.expect.bad_xlsx", why=str(err)) from err
    return data.decode("utf-8", "replace")


# --- what the log pass keeps for the claims ----------------------------------------------------------


@dataclass(slots=True)
class LogTrack:
    """Fed every leaf by the log pass: the roots at the claims' sizes, the prefix scans for claims
    without a size, and (for expected claims with a full root and size) the leaves for a proof."""

    claims: list[Claim]
    sizes: set[int] = field(init=False)
    roots: dict[int, bytes] = field(default_factory=dict)
    unsized: list[Claim] = field(init=False)  # still looking for the size they hold at
    found_at: dict[int, int] = field(default_factory=dict)  # id(claim) -> size where its root was
    leaves: list[bytes] | None = field(init=False)
    size: int = 0
    root: bytes = merkle.EMPTY_ROOT

    def __post_init__(self) -> None:
        self.claims = list(self.claims)
        self.sizes, self.unsized, self.leaves = set(), [], None
        self.add(())

    def add(self, claims: Sequence[Claim]) -> None:
        """More claims (the kiosks' witnesses, read on the log pass's thread); before the pass."""
        self.claims.extend(claims)
        self.sizes = {c.tree_size for c in self.claims if c.tree_size is not None}
        self.unsized = [c for c in self.claims if c.tree_size is None]
        if any(c.expected and c.full and c.tree_size is not None for c in self.claims):
            self.leaves = []

    def see(self, builder: merkle.TreeBuilder, leaf: bytes) -> None:
        """After `leaf` was appended to `builder`."""
        if self.leaves is not None:
            self.leaves.append(leaf)
        size = builder.size
        if size in self.sizes:
            self.roots[size] = builder.root()
        if self.unsized:
            root = builder.root().hex()
            for claim in [c for c in self.unsized if root.startswith(c.root)]:
                self.found_at[id(claim)] = size
                self.unsized.remove(claim)

    def finish(self, builder: merkle.TreeBuilder) -> None:
        self.size, self.root = builder.size, builder.root()


# --- the check ---------------------------------------------------------------------------------------


def check_claims(track: LogTrack, section: Section, summary: list[str]) -> None:
    """Each claim against today's log: a finding for each one the log no longer extends, and a
    summary line for each expected one that holds."""
    for claim in track.claims:
        if claim.expected:  # witness records were counted as they were read
            section.checked += 1
        problem, holds = _judge(claim, track)
        others = finding("held.others", count=claim.also) if claim.also else ""
        if problem is not None:
            section.findings.append(
                finding("held.rewind", source=claim.source, others=others, problem=problem)
            )
        elif claim.expected:
            signed = finding("held.signature_ok") if claim.signed else ""
            summary.append(finding("held.holds", source=claim.source, holds=holds, signed=signed))


def _judge(claim: Claim, track: LogTrack) -> tuple[Finding | None, Finding | str]:
    shown = claim.root if claim.full else f"{claim.root}…"
    if claim.tree_size is None:
        size = track.found_at.get(id(claim))
        if size is None:
            return finding("held.no_prefix", total=track.size, root=shown), ""
        return None, finding("held.prefix_at", size=size, total=track.size)
    if claim.tree_size == 0:  # every log extends the empty one, whose root is fixed
        if merkle.EMPTY_ROOT.hex().startswith(claim.root):
            return None, finding("held.empty")
        return _mismatch(claim, shown, track), ""
    if claim.tree_size > track.size:
        return finding("held.shorter", root=shown, size=claim.tree_size, total=track.size), ""
    if claim.expected and claim.full and track.leaves is not None:
        proof = merkle.consistency_proof(track.leaves, claim.tree_size)
        try:
            merkle.verify_consistency(
                claim.tree_size, track.size, bytes.fromhex(claim.root), track.root, proof
            )
        except merkle.ProofError:
            return _mismatch(claim, shown, track), ""
        return None, finding("held.consistent", count=len(proof), size=claim.tree_size, total=track.size)
    actual = track.roots.get(claim.tree_size)
    if actual is None or not actual.hex().startswith(claim.root):
        return _mismatch(claim, shown, track), ""
    return None, finding("held.prefix_at", size=claim.tree_size, total=track.size)


def _mismatch(claim: Claim, shown: str, track: LogTrack) -> Finding:
    actual = track.roots.get(claim.tree_size or 0)
    says = "" if actual is None else finding("held.gives", root=actual.hex()[:16])
    return finding("held.mismatch", root=shown, size=claim.tree_size, says=says)


def summarize(track: LogTrack, summary: list[str]) -> None:
    """The lines the report ends with: today's log root and size, and the latest signed checkpoint
    (the root the wall board's 今日数据指纹 and an export's `checkpoint_root` show)."""
    summary.append(finding("summary.log", size=track.size, root=track.root.hex()))
    latest = latest_checkpoint()
    if latest is None:
        summary.append(finding("summary.no_checkpoint"))
    else:
        summary.append(
            finding(
                "summary.checkpoint",
                size=latest.tree_size,
                root=latest.root,
                id=latest.id,
                hub_ms=latest.hub_ms,
            )
        )
