"""Tables of rule book version 2's capture on the dashboard (issue #14 items 3-4): daily grades of
rated posts, rejects and deductions with their evidence.

Like master data, no row here is written without a hub-signed act in the same transaction
(`hub.review.capture`), and `hub.masterdata.replay` rebuilds every compared column from those acts,
so `floorledger verify` reports a row edited, inserted or deleted in SQL. Numbers are exact decimal
text, days ISO dates, times epoch milliseconds signed in the act.
"""

from __future__ import annotations

import peewee as pw

from hub.store.base import BaseModel

PROPOSED, CONFIRMED = "proposed", "confirmed"  # a deduction's status (four eyes)
WITHDRAWN = "withdrawn"  # a proposal withdrawn before it counted, or a confirmed one by the labor section


class Grade(BaseModel):
    """An officer's grade of one inmate's day on a rated post; a later grade replaces the row."""

    id = pw.AutoField()
    inmate = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10, index=True)
    grade = pw.CharField(max_length=8)
    line = pw.CharField(max_length=64)
    post = pw.CharField(max_length=64)
    graded_by = pw.CharField(max_length=64)
    graded_ms = pw.BigIntegerField()
    source = pw.CharField(max_length=80, null=True)  # the kiosk record it came from (K1#42), else none

    class Meta:
        table_name = "cap_grade"
        indexes = ((("inmate", "day"), True),)


class Reject(BaseModel):
    """Units found faulty at inspection, traced to an inmate's work on a step on a day."""

    id = pw.AutoField()
    inmate = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10, index=True)
    line = pw.CharField(max_length=64)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    units = pw.CharField(max_length=16)
    reason = pw.CharField(max_length=200)
    entered_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()
    source = pw.CharField(max_length=80, null=True)  # the kiosk record it came from (K1#42), else none
    withdrawn_by = pw.CharField(max_length=64, null=True)  # withdrawn as entered by mistake (m010)
    withdrawn_ms = pw.BigIntegerField(null=True)
    withdraw_reason = pw.CharField(max_length=200, null=True)

    class Meta:
        table_name = "cap_reject"


class Deduction(BaseModel):
    """Points deducted for one incident: proposed by one officer, confirmed by another; only a
    confirmed one reaches the engine. `evidence` is the SHA-256 of an `Evidence` row, if any."""

    id = pw.AutoField()
    inmate = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10, index=True)
    area = pw.CharField(max_length=64)
    category = pw.CharField(max_length=32)
    points = pw.CharField(max_length=16)
    reason = pw.CharField(max_length=200)
    evidence = pw.CharField(max_length=64, null=True)
    proposed_by = pw.CharField(max_length=64)
    proposed_ms = pw.BigIntegerField()
    status = pw.CharField(max_length=16, default=PROPOSED)
    confirmed_by = pw.CharField(max_length=64, null=True)
    confirmed_ms = pw.BigIntegerField(null=True)
    withdrawn_by = pw.CharField(max_length=64, null=True)  # status `withdrawn` (m010)
    withdrawn_ms = pw.BigIntegerField(null=True)
    withdraw_reason = pw.CharField(max_length=200, null=True)

    class Meta:
        table_name = "cap_deduction"


class Evidence(BaseModel):
    """A photo or document attached to a deduction, stored by the SHA-256 of its bytes (its key)."""

    sha256 = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=200)
    media_type = pw.CharField(max_length=100)
    content = pw.BlobField()
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "cap_evidence"
