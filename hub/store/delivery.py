"""The push of locked months to the scoring database: one row per locked month and target.

A row holds the exact bytes delivered (the signed file and its signature, made once when the month
locked, so every retry sends the same file under the same `Idempotency-Key`) and where the delivery
stands. What the receiver answered at each attempt is a hub-signed ledger act (`export.push`); this
table is the worker's state and the dashboard's view of it.
"""

from __future__ import annotations

import peewee as pw

from hub.store.base import BaseModel

PENDING, DELIVERED, FAILING, CANCELLED = "pending", "delivered", "failing", "cancelled"
TARGETS = ("https", "folder")
MAX_ERROR = 400


class ExportDelivery(BaseModel):
    id = pw.AutoField()
    month = pw.CharField(max_length=7)
    area = pw.CharField(max_length=64)
    target = pw.CharField(max_length=16)  # "https" (the endpoint) or "folder" (the drop folder)
    approval = pw.IntegerField()  # the labor section's `MonthApproval` that locked the month
    file_name = pw.CharField(max_length=200)
    sha256 = pw.CharField(max_length=64)
    idempotency_key = pw.CharField(max_length=200)
    data = pw.BlobField()
    signature = pw.BlobField()
    state = pw.CharField(max_length=16, default=PENDING)
    attempts = pw.IntegerField(default=0)
    next_ms = pw.BigIntegerField()
    last_status = pw.IntegerField(null=True)  # the receiver's HTTP status of the last attempt
    last_error = pw.CharField(max_length=MAX_ERROR, null=True)
    created_ms = pw.BigIntegerField()
    delivered_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "export_delivery"
        indexes = ((("approval", "target"), True), (("month", "area"), False))
