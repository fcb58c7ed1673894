"""Rule book v2 capture from the kiosk (#14): a `grade` or `reject` record, signed by the kiosk and
stored by ingest, becomes the same row the dashboard capture makes, in the same transaction.

Why through a hub act and not straight from the record: the dashboard's rows (`cap_grade`,
`cap_reject`) are already rebuilt by `hub.masterdata.replay` from hub-signed acts, in ledger order,
so a kiosk grade and a dashboard grade of the same day replace each other in one order that verify
can re-derive. Each kiosk record therefore gets exactly one act, written in the transaction that
stores the record (no record without its act, none twice on a resend):
- applied: `grade.set` / `reject.add`, the dashboard's acts (`hub.review.capture`, same checks),
  whose payload also names the record (`source` = `K1#42`, `record_hash`); the row keeps `source`;
- refused (not a rated post that day, grade not in the rule set, locked or v1 month, an officer not
  of this line...): `capture.refused`, with the reason's text key. The record stays stored (it is
  signed into the kiosk's chain and may not block it); the officers see the refusal in the ledger.
`floorledger verify` checks both ways (`hub.audit.kiosk_capture`): every stored grade or reject
record has its one act and the act says what the record says.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hub.errors import HubError
from hub.review import capture as cx
from hub.store.masterdata import Officer
from protocol.records import Grade, Reject, SignedRecord

log = logging.getLogger(__name__)

REFUSED = "capture.refused"
SITE_WIDE_ROLES = ("labor_section", "admin")

# A kiosk reject's reason is one tap (protocol.records.REJECT_REASONS); the row keeps it in the
# officers' language, as the dashboard's typed reasons are.
REJECT_REASON_TEXT = {
    "sewing": "缝制不良",
    "size": "尺寸不符",
    "stain": "污渍",
    "damage": "破损",
    "rework": "返工",
    "other": "其他",
}


def source_of(signed: SignedRecord) -> str:
    """How a row and its act name the kiosk record they came from."""
    return f"{signed.record.kiosk}#{signed.record.seq}"


@dataclass(frozen=True, slots=True)
class KioskOfficer:
    """The officer a kiosk record names, with the scope master data gives him (as a principal)."""

    username: str
    role: str
    area: str | None
    line: str | None

    def may_see_line(self, line: str, area_of_line: str | None) -> bool:
        if self.role in SITE_WIDE_ROLES:
            return True
        if self.role == "area_head":
            return area_of_line is not None and area_of_line == self.area
        return self.line == line


def officer(person: str) -> KioskOfficer | None:
    row = Officer.get_or_none(Officer.id == person)
    if row is None:
        return None
    return KioskOfficer(person, str(row.role), row.area, row.line)


class KioskCapture:
    """`apply(records)` is ingest's hook inside its write transaction (`Ingest(apply=...)`). The
    capture given must not recompute by itself (no `on_applied`): inside the transaction the results
    worker would read the day without the new row. The results worker recomputes the days of the
    grade and reject records once ingest has committed them (`hub.results.worker`), in the hub and
    for records an ingest worker process committed alike."""

    def __init__(self, capture: cx.Capture) -> None:
        self.capture = capture

    def apply(self, records: Sequence[SignedRecord]) -> None:
        for signed in records:
            body = signed.record.body
            if isinstance(body, Grade | Reject):
                self._one(signed, body)

    def _one(self, signed: SignedRecord, body: Grade | Reject) -> None:
        source = source_of(signed)
        who = officer(body.officer)
        try:
            if who is None:
                raise cx.CaptureError("capture.err.scope")
            if isinstance(body, Grade):
                self.capture.grade(
                    who, date.fromisoformat(body.day), {body.person: body.grade}, source=source
                )
            else:
                self.capture.reject(
                    who,
                    line=body.line,
                    day=date.fromisoformat(body.day),
                    inmate=body.person,
                    step=body.step,
                    units=body.units,
                    reason=REJECT_REASON_TEXT[body.reason],
                    source=source,
                )
        except HubError as err:  # a refusal (CaptureError) or any other reasoned one: never block ingest
            log.info("kiosk record %s (%s) not applied: %s", source, body.TYPE, err.key)
            self.capture.ledger.append(
                body.officer,
                REFUSED,
                source,
                {
                    "source": source,
                    "record_hash": signed.hash,
                    "type": body.TYPE,
                    "reason": err.key,
                    "values": {k: str(v) for k, v in err.values.items()},
                },
            )
