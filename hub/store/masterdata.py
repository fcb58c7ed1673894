"""Master-data tables: areas, lines, products, steps, standard times, people, badges, posts (rated
posts without quotas too), assignments, labor exemptions, workdays, rule sets.

Every row here is derived from a hub-signed ledger act (docs/masterdata.md); nothing is edited in place.
`hub.masterdata.replay` rebuilds each row from those acts and `floorledger verify` compares them: a
new column must be added to its `TABLES` too (tests/hub/masterdata/test_masterdata_replay.py fails
until it is).
"""

from __future__ import annotations

import peewee as pw

from hub.store.base import BaseModel


class Area(BaseModel):
    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)

    class Meta:
        table_name = "md_area"


class Line(BaseModel):
    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)
    area = pw.CharField(max_length=64, index=True)
    shift_minutes = pw.CharField(max_length=32)  # exact decimal text
    product = pw.CharField(max_length=64, null=True)  # what the line makes now (shown in its plan)

    class Meta:
        table_name = "md_line"


class Product(BaseModel):
    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)

    class Meta:
        table_name = "md_product"


class Step(BaseModel):
    id = pw.AutoField()
    product = pw.CharField(max_length=64, index=True)
    code = pw.CharField(max_length=64)
    name = pw.CharField(max_length=100)
    position = pw.IntegerField()

    class Meta:
        table_name = "md_step"
        indexes = ((("product", "code"), True),)


class StandardTime(BaseModel):
    """One version of a step's standard time; in force from `valid_from` until the next version."""

    id = pw.AutoField()
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    valid_from = pw.CharField(max_length=10)
    seconds = pw.CharField(max_length=32)  # exact decimal text, e.g. "97.5"
    reason = pw.TextField(default="")
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "md_standard_time"
        indexes = ((("product", "step", "valid_from"), True),)


class Inmate(BaseModel):
    id = pw.CharField(primary_key=True, max_length=64)
    number = pw.CharField(max_length=64)  # the prison number shown on the board
    name = pw.CharField(max_length=100)
    quota_pct = pw.CharField(max_length=16, default="100")
    area = pw.CharField(max_length=64, null=True)

    class Meta:
        table_name = "md_inmate"


class Officer(BaseModel):
    id = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)
    role = pw.CharField(max_length=32)
    area = pw.CharField(max_length=64, null=True)  # an area head's or line officer's area
    line = pw.CharField(max_length=64, null=True)  # a line officer's line

    class Meta:
        table_name = "md_officer"


class Badge(BaseModel):
    badge = pw.CharField(primary_key=True, max_length=64)
    person = pw.CharField(max_length=64, index=True)
    role = pw.CharField(max_length=16)  # inmate | officer
    issued_ms = pw.BigIntegerField()
    revoked_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "md_badge"


class Post(BaseModel):
    """A post without a quota (无定额岗位: kitchen, cleaning, maintenance, inspection, team leader).

    Its line gives a rated day's quota (the line's shift minutes, rule book v2) and the board that
    shows it; `shift` is the shift's label as the floor names it (白班, 夜班), shown only.
    """

    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)
    line = pw.CharField(max_length=64, index=True)
    shift = pw.CharField(max_length=100, default="")
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "md_post"


class Assignment(BaseModel):
    """A post; `id` is creation order, and where two overlap on a day the later created wins.

    `mode` "counted" is on a (product, step); "rated" on a `post` (`product` and `step` empty text).
    `training` marks a training period (培训期): the rule set's training ramp applies from `valid_from`.
    """

    id = pw.AutoField()
    inmate = pw.CharField(max_length=64, index=True)
    line = pw.CharField(max_length=64)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    valid_from = pw.CharField(max_length=10)
    valid_to = pw.CharField(max_length=10, null=True)
    created_ms = pw.BigIntegerField()
    mode = pw.CharField(max_length=16, default="counted")
    post = pw.CharField(max_length=64, null=True)
    training = pw.BooleanField(default=False)

    class Meta:
        table_name = "md_assignment"


class Exemption(BaseModel):
    """A labor-exemption period of an inmate (丧失劳动能力, found by the prison hospital), days
    inclusive, `valid_to` NULL open; `reference` is the hospital's, `entered_by` the officer's name."""

    id = pw.AutoField()
    inmate = pw.CharField(max_length=64, index=True)
    valid_from = pw.CharField(max_length=10)
    valid_to = pw.CharField(max_length=10, null=True)
    reference = pw.CharField(max_length=200)
    entered_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "md_exemption"


class Workday(BaseModel):
    """A date on which a line works; `line` NULL means every line of the site works that day."""

    id = pw.AutoField()
    day = pw.CharField(max_length=10, index=True)
    line = pw.CharField(max_length=64, null=True)

    class Meta:
        table_name = "md_workday"
        indexes = ((("day", "line"), True),)


class RuleSetVersion(BaseModel):
    """Rule parameters a site changes, applying from a month on (`parameters`: JSON of decimal text)."""

    id = pw.AutoField()
    version = pw.CharField(max_length=64, unique=True)
    valid_from = pw.CharField(max_length=7)
    parameters = pw.TextField()
    reason = pw.TextField(default="")
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "md_rule_set_version"
