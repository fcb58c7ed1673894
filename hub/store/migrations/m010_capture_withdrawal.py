"""Step 10: a reject or a deduction entered by mistake can be withdrawn (docs/capture.md, "Withdrawing
a wrong entry"): `cap_reject` and `cap_deduction` gain who withdrew it, when and why. Existing rows
were never withdrawn, so NULL is what they are; a withdrawn deduction's `status` reads `withdrawn`.
"""

from __future__ import annotations

from typing import Any

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

VERSION = 10
NAME = "capture_withdrawal"


def _columns() -> dict[str, pw.Field]:
    return {
        "withdrawn_by": pw.CharField(max_length=64, null=True),
        "withdrawn_ms": pw.BigIntegerField(null=True),
        "withdraw_reason": pw.CharField(max_length=200, null=True),
    }


def apply(db: pw.Database) -> None:
    """Add the three columns to both tables (inside the caller's transaction)."""
    migrator = SchemaMigrator.from_database(db)
    ops: list[Any] = []
    for table in ("cap_reject", "cap_deduction"):
        have = {c.name for c in db.get_columns(table)}
        ops.extend(
            migrator.add_column(table, name, field) for name, field in _columns().items() if name not in have
        )
    migrate(*ops)
