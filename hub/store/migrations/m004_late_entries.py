"""Step 4: `review_late_entry`, officers' late entries (补录) awaiting or given a second officer's approval.

The approved entry itself is a hub-signed ledger act (`record.late`) that the engine's inputs read
(`hub.results.facts.hub_changes`); this table holds the proposal, its state and who did what, for the
daily review page and the approval guard (`hub.review.late`, docs/dashboard-review.md).
"""

from __future__ import annotations

import peewee as pw

VERSION = 4
NAME = "late_entries"


class LateEntry(pw.Model):
    id = pw.AutoField()
    type = pw.CharField(max_length=32)
    line = pw.CharField(max_length=64, index=True)
    day = pw.CharField(max_length=10, index=True)
    last_day = pw.CharField(max_length=10)
    person = pw.CharField(max_length=64, null=True)
    product = pw.CharField(max_length=64, null=True)
    value = pw.BigIntegerField(default=0)
    at_ms = pw.BigIntegerField(null=True)
    reason = pw.CharField(max_length=200)
    proposer = pw.CharField(max_length=64)
    proposed_ms = pw.BigIntegerField()
    status = pw.CharField(max_length=16, default="proposed")
    approver = pw.CharField(max_length=64, null=True)
    approved_ms = pw.BigIntegerField(null=True)

    class Meta:
        database = None
        table_name = "review_late_entry"


def apply(db: pw.Database) -> None:
    """Create the table (inside the caller's transaction)."""
    with db.bind_ctx([LateEntry], bind_refs=False, bind_backrefs=False):
        db.create_tables([LateEntry], safe=True)
