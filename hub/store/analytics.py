"""Tables of the suggestions and actions (#17 items 4-5): the suggestion thresholds' versions and the
officers' recorded actions (post changes, training).

Like master data, no row here is written without a hub-signed act in the same transaction
(`hub.review.actions`), and `hub.masterdata.replay` rebuilds every compared column from those acts,
so `floorledger verify` reports a row edited, inserted or deleted in SQL.
"""

from __future__ import annotations

import peewee as pw

from hub.store.base import BaseModel

POST_CHANGE, TRAINING = "post", "training"  # an action's kind


class SuggestSettingsVersion(BaseModel):
    """Suggestion thresholds that apply from a day on (`parameters`: JSON of the changed ones only);
    versions of one day apply in id order, as rule-set versions do."""

    id = pw.AutoField()
    version = pw.CharField(max_length=64, unique=True)
    valid_from = pw.CharField(max_length=10)
    parameters = pw.TextField()
    reason = pw.TextField(default="")
    created_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "an_suggest_settings"


class Action(BaseModel):
    """An officer's action on an inmate: a post change (its `assignment` is the master-data post it
    made) or a training. `officer` is who did it, `day` when it took effect, `suggestion` the key of
    the suggestion it answers (None: on the officer's own initiative)."""

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
        table_name = "an_action"
