"""Step 9: suggestions and actions (#17 items 4-5): the suggestion thresholds' versions
(`an_suggest_settings`) and the officers' recorded actions (`an_action`); and an index on
`daily_result (day)` for the analytics pages' area-wide reads over a window of days. New tables and
an index only: nothing existing changes.
"""

from __future__ import annotations

import peewee as pw

VERSION = 9
NAME = "suggestions"


class SuggestSettingsVersion(pw.Model):
    id = pw.AutoField()
    version = pw.CharField(max_length=64, unique=True)
    valid_from = pw.CharField(max_length=10)
    parameters = pw.TextField()
    reason = pw.TextField(default="")
    created_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "an_suggest_settings"


class Action(pw.Model):
    id = pw.AutoField()
    kind = pw.CharField(max_length=16)
    inmate = pw.CharField(max_length=64, index=True)
    line = pw.CharField(max_length=64, index=True)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    what = pw.CharField(max_length=200)
    day = pw.CharField(max_length=10)
    officer = pw.CharField(max_length=100)
    reason = pw.CharField(max_length=400)
    suggestion = pw.CharField(max_length=200, null=True)
    assignment = pw.IntegerField(null=True)
    created_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "an_action"


MODELS = [SuggestSettingsVersion, Action]


def apply(db: pw.Database) -> None:
    """Create the two tables and the day index (inside the caller's transaction)."""
    with db.bind_ctx(MODELS, bind_refs=False, bind_backrefs=False):
        db.create_tables(MODELS, safe=True)
    db.execute_sql("CREATE INDEX IF NOT EXISTS daily_result_day ON daily_result (day)")  # type: ignore[no-untyped-call]
