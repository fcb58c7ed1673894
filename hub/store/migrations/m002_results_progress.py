"""Step 2: `results_progress`, how far the results worker has computed each kiosk's records.

One row per kiosk: every record of the kiosk up to `seq` is in the stored daily results. The worker
writes it after it stored the line-days those records touch; `floorledger verify` reads it in its
snapshot to tell results still being computed (pending) from results that disagree (docs/audit.md).
"""

from __future__ import annotations

import peewee as pw

VERSION = 2
NAME = "results_progress"


class ResultsProgress(pw.Model):
    kiosk = pw.CharField(primary_key=True, max_length=64)
    seq = pw.BigIntegerField()
    updated_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "results_progress"


def apply(db: pw.Database) -> None:
    """Create the table (inside the caller's transaction)."""
    with db.bind_ctx([ResultsProgress], bind_refs=False, bind_backrefs=False):
        db.create_tables([ResultsProgress], safe=True)
