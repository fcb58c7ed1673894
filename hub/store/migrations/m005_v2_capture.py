"""Step 5: rule book version 2's capture on the dashboard (docs/capture.md): daily grades of rated
posts (`cap_grade`), rejects (`cap_reject`), deductions with four eyes (`cap_deduction`) and their
evidence stored by SHA-256 (`cap_evidence`). New tables only: nothing existing changes.
"""

from __future__ import annotations

import peewee as pw

VERSION = 5
NAME = "v2_capture"


class Grade(pw.Model):
    id = pw.AutoField()
    inmate = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10, index=True)
    grade = pw.CharField(max_length=8)
    line = pw.CharField(max_length=64)
    post = pw.CharField(max_length=64)
    graded_by = pw.CharField(max_length=64)
    graded_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "cap_grade"
        indexes = ((("inmate", "day"), True),)


class Reject(pw.Model):
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

    class Meta:
        database = None
        table_name = "cap_reject"


class Deduction(pw.Model):
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
    status = pw.CharField(max_length=16, default="proposed")
    confirmed_by = pw.CharField(max_length=64, null=True)
    confirmed_ms = pw.BigIntegerField(null=True)

    class Meta:
        database = None
        table_name = "cap_deduction"


class Evidence(pw.Model):
    sha256 = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=200)
    media_type = pw.CharField(max_length=100)
    content = pw.BlobField()
    created_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "cap_evidence"


MODELS = [Grade, Reject, Deduction, Evidence]


def apply(db: pw.Database) -> None:
    """Create the four tables (inside the caller's transaction)."""
    with db.bind_ctx(MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(MODELS, safe=True)
