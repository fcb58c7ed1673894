"""Step 7: `export_delivery`, the push of each locked month (file, signature and delivery state) to
the scoring database's endpoint or drop folder (hub.review.push, docs/exports.md "Push"). A new
table only: nothing existing changes. (Step 6 is another change's; the steps are independent.)
"""

from __future__ import annotations

import peewee as pw

VERSION = 7
NAME = "export_delivery"


class ExportDelivery(pw.Model):
    id = pw.AutoField()
    month = pw.CharField(max_length=7)
    area = pw.CharField(max_length=64)
    target = pw.CharField(max_length=16)
    approval = pw.IntegerField()
    file_name = pw.CharField(max_length=200)
    sha256 = pw.CharField(max_length=64)
    idempotency_key = pw.CharField(max_length=200)
    data = pw.BlobField()
    signature = pw.BlobField()
    state = pw.CharField(max_length=16, default="pending")
    attempts = pw.IntegerField(default=0)
    next_ms = pw.BigIntegerField()
    last_status = pw.IntegerField(null=True)
    last_error = pw.CharField(max_length=400, null=True)
    created_ms = pw.BigIntegerField()
    delivered_ms = pw.BigIntegerField(null=True)

    class Meta:
        database = None
        table_name = "export_delivery"
        indexes = ((("approval", "target"), True), (("month", "area"), False))


MODELS = [ExportDelivery]


def apply(db: pw.Database) -> None:
    """Create the table (inside the caller's transaction)."""
    with db.bind_ctx(MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(MODELS, safe=True)
