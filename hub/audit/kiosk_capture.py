"""`floorledger verify`, master-data section: grades and rejects captured at the kiosk (#14).

A kiosk `grade` or `reject` record reaches `cap_grade` / `cap_reject` through exactly one hub act
written in the transaction that stored it (`hub.kiosks.capture`): `grade.set` / `reject.add` naming
it as `source`, or `capture.refused`. The rows themselves are compared with the replayed acts like
every capture row (`hub.audit.masterdata`); this check closes the loop to the kiosk's signed bytes:
- a stored record without its act (the hub dropped it), or with two (applied twice), is a finding;
- an act whose values differ from the record's (the hub changed a grade, units or an officer);
- an act naming a kiosk record that is not stored.
The record's own signature and chain are the records section's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from floorledger.base import i18n
from hub.audit.report import Section, short
from hub.ledger.entries import EntryContent, EntryRow, LedgerError, parse_entry
from hub.store.kiosks import KioskRecord
from protocol.errors import ProtocolError
from protocol.records import Grade, Reject, SignedRecord, parse_frame
from protocol.signing import Verifier

KIOSK_TYPES = ("grade", "reject")
APPLIED = {"grade": "grade.set", "reject": "reject.add"}
REFUSED = "capture.refused"


def kiosk_sourced_acts(ledger_rows: Iterable[EntryRow], hub_key: Verifier | None) -> list[EntryContent]:
    """The hub-signed acts that name a kiosk record (`source`), in ledger order."""
    wanted = {*APPLIED.values(), REFUSED}
    acts: list[EntryContent] = []
    for row in ledger_rows:
        try:
            content, data, signature = parse_entry(row.frame)
            if content.action not in wanted or not isinstance(content.payload.get("source"), str):
                continue
            if hub_key is not None:
                hub_key.verify(data, signature)
        except (LedgerError, ProtocolError):
            continue  # the ledger section reports it
        acts.append(content)
    return acts


def _expected(signed: SignedRecord) -> dict[str, str]:
    """What the applying act must say, as the act's payload spells it."""
    body = signed.record.body
    if isinstance(body, Grade):
        return {"inmate": body.person, "day": body.day, "grade": body.grade, "graded_by": body.officer}
    assert isinstance(body, Reject)
    return {
        "inmate": body.person,
        "day": body.day,
        "line": body.line,
        "product": body.product,
        "step": body.step,
        "units": str(body.units),
        "entered_by": body.officer,
    }


def check_kiosk_capture(ledger_rows: Iterable[EntryRow], hub_key: Verifier | None, section: Section) -> None:
    by_source: dict[str, list[EntryContent]] = {}
    for act in kiosk_sourced_acts(ledger_rows, hub_key):
        by_source.setdefault(str(act.payload["source"]), []).append(act)
    query = KioskRecord.select(KioskRecord.frame).where(KioskRecord.type.in_(KIOSK_TYPES))
    seen: set[str] = set()
    for (frame,) in query.order_by(KioskRecord.kiosk, KioskRecord.seq).tuples().iterator():
        try:
            signed = parse_frame(bytes(frame))
        except ProtocolError:
            continue  # the records section reports a frame that does not parse
        body = signed.record.body
        if not isinstance(body, Grade | Reject):
            continue  # a type column edited in SQL: the records section reports the column
        section.checked += 1
        source = f"{signed.record.kiosk}#{signed.record.seq}"
        seen.add(source)
        acts = by_source.get(source, [])
        if not acts:
            section.findings.append(i18n.Text("md.v.kiosk_no_act", source=source, type=body.TYPE))
            continue
        if len(acts) > 1:
            entries = ", ".join(str(a.index) for a in acts)
            section.findings.append(
                i18n.Text("md.v.kiosk_acts", source=source, type=body.TYPE, count=len(acts), entries=entries)
            )
            continue
        _compare(signed, acts[0], source, section)
    for source, acts in sorted(by_source.items()):
        if source not in seen:
            for act in acts:
                section.findings.append(i18n.Text("md.v.kiosk_missing", entry=act.index, source=source))


def _compare(signed: SignedRecord, act: EntryContent, source: str, section: Section) -> None:
    body = signed.record.body
    said: dict[str, Any]
    if act.action == REFUSED:
        said = {"type": act.payload.get("type"), "record_hash": act.payload.get("record_hash")}
        expected = {"type": body.TYPE, "record_hash": signed.hash}
    else:
        expected = _expected(signed)
        said = {k: act.payload.get(k) for k in expected}
        if act.action != APPLIED[body.TYPE]:
            said["type"], expected["type"] = act.action, APPLIED[body.TYPE]
    for name, value in expected.items():
        if said.get(name) != value:
            section.findings.append(
                i18n.Text(
                    "md.v.kiosk_differs",
                    source=source,
                    type=body.TYPE,
                    entry=act.index,
                    field=name,
                    act=short(said.get(name)),
                    record=short(value),
                )
            )
