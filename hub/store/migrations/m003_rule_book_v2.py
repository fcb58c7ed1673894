"""Step 3: the master data of rule book version 2 (docs/masterdata.md, "Rule book version 2").

- `md_post`: posts without quotas (岗位: kitchen, cleaning, maintenance, inspection, team leader),
  each on a line (whose shift gives a rated day's quota and whose board shows it) with a shift label;
- `md_assignment` gains `mode` (`counted` | `rated`), `post` (a rated assignment's post; its
  product and step are then empty text, so the existing NOT NULL columns need no rebuild) and
  `training` (培训期, the rule set's training ramp applies);
- `md_exemption`: labor-exemption periods per inmate (丧失劳动能力, found by the prison hospital),
  with the hospital's reference and the officer who entered it.

Existing posts become counted and not in training, which is what they were computed as.
"""

from __future__ import annotations

import peewee as pw
from playhouse.migrate import SchemaMigrator, migrate

VERSION = 3
NAME = "rule_book_v2"


class Post(pw.Model):
    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)
    line = pw.CharField(max_length=64, index=True)
    shift = pw.CharField(max_length=100, default="")
    created_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "md_post"


class Exemption(pw.Model):
    id = pw.AutoField()
    inmate = pw.CharField(max_length=64, index=True)
    valid_from = pw.CharField(max_length=10)
    valid_to = pw.CharField(max_length=10, null=True)
    reference = pw.CharField(max_length=200)
    entered_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "md_exemption"


def apply(db: pw.Database) -> None:
    """Create the two tables and add the three columns (inside the caller's transaction)."""
    with db.bind_ctx([Post, Exemption], bind_refs=False, bind_backrefs=False):
        db.create_tables([Post, Exemption], safe=True)
    migrator = SchemaMigrator.from_database(db)
    have = {c.name for c in db.get_columns("md_assignment")}
    ops = []
    if "mode" not in have:
        ops.append(
            migrator.add_column("md_assignment", "mode", pw.CharField(max_length=16, default="counted"))
        )
    if "post" not in have:
        ops.append(migrator.add_column("md_assignment", "post", pw.CharField(max_length=64, null=True)))
    if "training" not in have:
        ops.append(migrator.add_column("md_assignment", "training", pw.BooleanField(default=False)))
    migrate(*ops)
