"""Step 8: grades and rejects captured at the kiosk (docs/capture.md, "At the kiosk"): `cap_grade`
and `cap_reject` gain `source`, the kiosk record a row came from (`K1#42`), empty (NULL) for a row
entered on the dashboard. Existing rows were all entered on the dashboard, so NULL is what they are.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

VERSION = 8
NAME = "kiosk_capture"


def apply(db: pw.Database) -> None:
    """Add the column to both tables (inside the caller's transaction)."""
    migrator = SchemaMigrator.from_database(db)
    ops = []
    for table in ("cap_grade", "cap_reject"):
        if "source" not in {c.name for c in db.get_columns(table)}:
            ops.append(migrator.add_column(table, "source", pw.CharField(max_length=80, null=True)))
    migrate(*ops)
