"""Step 1: the schema as it was when migrations began (commit 24abeab and the folders of issue #12).

The tables are frozen copies of the declarations in `hub.store` at that time, reduced to what the
database sees (column types, NULL, keys, indexes; Python-side defaults are not DDL). A copy, not the
live models: a later step that changes a model must find the table as this step left it, on a
fresh database as on an old one.
"""

from __future__ import annotations

import peewee as pw

VERSION = 1
NAME = "initial"


class _Frozen(pw.Model):
    class Meta:
        database = None


class KioskStatus(_Frozen):
    kiosk = pw.CharField(primary_key=True, max_length=64)
    state = pw.CharField(max_length=16)
    pending = pw.BigIntegerField(null=True)
    acked_seq = pw.BigIntegerField(null=True)
    clock_offset_ms = pw.BigIntegerField(null=True)
    seen_ms = pw.BigIntegerField()

    class Meta:
        table_name = "kiosk_status"


class Kiosk(_Frozen):
    id = pw.CharField(primary_key=True, max_length=64)
    public_key = pw.BlobField()
    line = pw.CharField(max_length=64, null=True)
    status = pw.CharField(max_length=16)
    head_seq = pw.BigIntegerField()
    head_hash = pw.CharField(max_length=64)
    enrolled_ms = pw.BigIntegerField(null=True)
    last_seen_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "kiosk"


class KioskKeyHistory(_Frozen):
    id = pw.AutoField()
    kiosk = pw.CharField(max_length=64, index=True)
    public_key = pw.BlobField()
    fingerprint = pw.CharField(max_length=24)
    valid_from_ms = pw.BigIntegerField()
    valid_until_ms = pw.BigIntegerField(null=True)
    ledger_index = pw.BigIntegerField()

    class Meta:
        table_name = "kiosk_key_history"


class KioskRecord(_Frozen):
    id = pw.BigAutoField()
    kiosk = pw.CharField(max_length=64)
    seq = pw.BigIntegerField()
    hash = pw.CharField(max_length=64)
    prev = pw.CharField(max_length=64)
    type = pw.CharField(max_length=32)
    day = pw.CharField(max_length=10, null=True)
    line = pw.CharField(max_length=64, null=True)
    person = pw.CharField(max_length=64, null=True)
    wall_ms = pw.BigIntegerField()
    mono_ms = pw.BigIntegerField()
    boot = pw.CharField(max_length=64)
    body = pw.TextField()
    frame = pw.BlobField()
    received_ms = pw.BigIntegerField()

    class Meta:
        table_name = "kiosk_record"
        indexes = [(("kiosk", "seq"), True), (("day", "line"), False)]


class LinePlanState(_Frozen):
    line = pw.CharField(primary_key=True, max_length=64)
    revision = pw.BigIntegerField()
    digest = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10)

    class Meta:
        table_name = "line_plan_state"


class PendingKiosk(_Frozen):
    kiosk = pw.CharField(primary_key=True, max_length=64)
    public_key = pw.BlobField()
    boot = pw.CharField(max_length=64)
    first_seen_ms = pw.BigIntegerField()
    last_seen_ms = pw.BigIntegerField()

    class Meta:
        table_name = "pending_kiosk"


class Quarantine(_Frozen):
    id = pw.BigAutoField()
    kiosk = pw.CharField(max_length=64, null=True)
    topic = pw.CharField(max_length=512)
    reason = pw.CharField(max_length=32)
    detail = pw.TextField()
    payload = pw.BlobField()
    received_ms = pw.BigIntegerField(index=True)

    class Meta:
        table_name = "quarantine"


class StoredCheckpoint(_Frozen):
    id = pw.AutoField()
    tree_size = pw.BigIntegerField(index=True)
    root = pw.CharField(max_length=64)
    hub_ms = pw.BigIntegerField()
    frame = pw.BlobField()

    class Meta:
        table_name = "checkpoint"


class LedgerEntry(_Frozen):
    id = pw.AutoField()
    entry_index = pw.BigIntegerField(unique=True)
    prev = pw.CharField(max_length=64)
    hash = pw.CharField(max_length=64, unique=True)
    actor = pw.CharField(max_length=64, index=True)
    action = pw.CharField(max_length=64, index=True)
    subject = pw.CharField(max_length=200, index=True)
    payload = pw.TextField()
    hub_ms = pw.BigIntegerField()
    frame = pw.BlobField()

    class Meta:
        table_name = "ledger_entry"


class LogLeaf(_Frozen):
    id = pw.AutoField()
    leaf_index = pw.BigIntegerField(unique=True)
    source = pw.CharField(max_length=8)
    ref = pw.BigIntegerField()
    leaf_hash = pw.CharField(max_length=64)

    class Meta:
        table_name = "log_leaf"
        indexes = [(("source", "ref"), True)]


class Area(_Frozen):
    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)

    class Meta:
        table_name = "md_area"


class Assignment(_Frozen):
    id = pw.AutoField()
    inmate = pw.CharField(max_length=64, index=True)
    line = pw.CharField(max_length=64)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    valid_from = pw.CharField(max_length=10)
    valid_to = pw.CharField(max_length=10, null=True)
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "md_assignment"


class Badge(_Frozen):
    badge = pw.CharField(primary_key=True, max_length=64)
    person = pw.CharField(max_length=64, index=True)
    role = pw.CharField(max_length=16)
    issued_ms = pw.BigIntegerField()
    revoked_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "md_badge"


class Inmate(_Frozen):
    id = pw.CharField(primary_key=True, max_length=64)
    number = pw.CharField(max_length=64)
    name = pw.CharField(max_length=100)
    quota_pct = pw.CharField(max_length=16)
    area = pw.CharField(max_length=64, null=True)

    class Meta:
        table_name = "md_inmate"


class Line(_Frozen):
    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)
    area = pw.CharField(max_length=64, index=True)
    shift_minutes = pw.CharField(max_length=32)
    product = pw.CharField(max_length=64, null=True)

    class Meta:
        table_name = "md_line"


class Officer(_Frozen):
    id = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)
    role = pw.CharField(max_length=32)
    area = pw.CharField(max_length=64, null=True)
    line = pw.CharField(max_length=64, null=True)

    class Meta:
        table_name = "md_officer"


class Product(_Frozen):
    code = pw.CharField(primary_key=True, max_length=64)
    name = pw.CharField(max_length=100)

    class Meta:
        table_name = "md_product"


class RuleSetVersion(_Frozen):
    id = pw.AutoField()
    version = pw.CharField(max_length=64, unique=True)
    valid_from = pw.CharField(max_length=7)
    parameters = pw.TextField()
    reason = pw.TextField()
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "md_rule_set_version"


class StandardTime(_Frozen):
    id = pw.AutoField()
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    valid_from = pw.CharField(max_length=10)
    seconds = pw.CharField(max_length=32)
    reason = pw.TextField()
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "md_standard_time"
        indexes = [(("product", "step", "valid_from"), True)]


class Step(_Frozen):
    id = pw.AutoField()
    product = pw.CharField(max_length=64, index=True)
    code = pw.CharField(max_length=64)
    name = pw.CharField(max_length=100)
    position = pw.IntegerField()

    class Meta:
        table_name = "md_step"
        indexes = [(("product", "code"), True)]


class Workday(_Frozen):
    id = pw.AutoField()
    day = pw.CharField(max_length=10, index=True)
    line = pw.CharField(max_length=64, null=True)

    class Meta:
        table_name = "md_workday"
        indexes = [(("day", "line"), True)]


class DailyResult(_Frozen):
    id = pw.AutoField()
    inmate = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10)
    line = pw.CharField(max_length=64)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    mode = pw.CharField(max_length=8)
    standard_seconds = pw.CharField(max_length=64)
    standard_from = pw.CharField(max_length=10)
    quota_std_seconds = pw.CharField(max_length=128)
    earned_std_seconds = pw.CharField(max_length=128)
    done_units_exact = pw.CharField(max_length=128)
    quota_units = pw.CharField(max_length=32)
    done_units = pw.CharField(max_length=32)
    diff_units = pw.CharField(max_length=32)
    completion_pct = pw.CharField(max_length=32, null=True)
    rule_set_version = pw.CharField(max_length=200)
    rule_set_digest = pw.CharField(max_length=64)
    computed_ms = pw.BigIntegerField()

    class Meta:
        table_name = "daily_result"
        indexes = [(("inmate", "day"), True), (("line", "day"), False)]


class DiscrepancyFlag(_Frozen):
    id = pw.AutoField()
    day = pw.CharField(max_length=10)
    line = pw.CharField(max_length=64)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    counted_units = pw.CharField(max_length=32)
    warehoused_units = pw.CharField(max_length=32)

    class Meta:
        table_name = "discrepancy_flag"
        indexes = [(("line", "day"), False)]


class Adjustment(_Frozen):
    id = pw.AutoField()
    month = pw.CharField(max_length=7, index=True)
    inmate = pw.CharField(max_length=64)
    area = pw.CharField(max_length=64)
    points = pw.CharField(max_length=16)
    reason = pw.TextField()
    created_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()
    voided_ms = pw.BigIntegerField(null=True)
    voided_by = pw.CharField(max_length=64, null=True)
    void_reason = pw.TextField(null=True)

    class Meta:
        table_name = "assess_adjustment"


class MonthApproval(_Frozen):
    id = pw.AutoField()
    month = pw.CharField(max_length=7)
    area = pw.CharField(max_length=64)
    stage = pw.CharField(max_length=32)
    approver = pw.CharField(max_length=64)
    rows_digest = pw.CharField(max_length=64)
    approved_ms = pw.BigIntegerField()
    voided_ms = pw.BigIntegerField(null=True)
    void_reason = pw.TextField(null=True)

    class Meta:
        table_name = "assess_month_approval"
        indexes = [(("month", "area"), False)]


class PublishedWeek(_Frozen):
    id = pw.AutoField()
    area = pw.CharField(max_length=64, index=True)
    week = pw.CharField(max_length=8)
    rows = pw.TextField()
    published_by = pw.CharField(max_length=64)
    valid_from = pw.CharField(max_length=10)
    until = pw.CharField(max_length=10)
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "assess_published_week"


class WeekSignoff(_Frozen):
    id = pw.AutoField()
    area = pw.CharField(max_length=64)
    week = pw.CharField(max_length=8)
    signed_by = pw.CharField(max_length=64)
    role = pw.CharField(max_length=32)
    rows_digest = pw.CharField(max_length=64)
    signed_ms = pw.BigIntegerField()

    class Meta:
        table_name = "assess_week_signoff"
        indexes = [(("area", "week", "signed_by"), True)]


class CorrectionProposal(_Frozen):
    id = pw.AutoField()
    ref_kiosk = pw.CharField(max_length=64)
    ref_seq = pw.BigIntegerField()
    ref_hash = pw.CharField(max_length=64)
    type = pw.CharField(max_length=32)
    line = pw.CharField(max_length=64, index=True)
    day = pw.CharField(max_length=10, index=True)
    person = pw.CharField(max_length=64, null=True)
    product = pw.CharField(max_length=64, null=True)
    field = pw.CharField(max_length=16)
    old = pw.BigIntegerField()
    new = pw.BigIntegerField()
    reason = pw.CharField(max_length=200)
    dispute = pw.CharField(max_length=80, null=True)
    proposer = pw.CharField(max_length=64)
    proposed_ms = pw.BigIntegerField()
    status = pw.CharField(max_length=16)
    approver = pw.CharField(max_length=64, null=True)
    approved_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "review_correction"


class DiscrepancyNote(_Frozen):
    id = pw.AutoField()
    line = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    counted_units = pw.CharField(max_length=32)
    warehoused_units = pw.CharField(max_length=32)
    note = pw.CharField(max_length=200)
    officer = pw.CharField(max_length=64)
    resolved_ms = pw.BigIntegerField()

    class Meta:
        table_name = "review_discrepancy_note"
        indexes = [(("line", "day"), False)]


class DisputeAnswer(_Frozen):
    id = pw.AutoField()
    ref_kiosk = pw.CharField(max_length=64)
    ref_seq = pw.BigIntegerField()
    person = pw.CharField(max_length=64, index=True)
    line = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10)
    outcome = pw.CharField(max_length=16)
    reason = pw.CharField(max_length=200)
    officer = pw.CharField(max_length=64)
    answered_ms = pw.BigIntegerField()
    proposal = pw.IntegerField(null=True)

    class Meta:
        table_name = "review_dispute_answer"
        indexes = [(("ref_kiosk", "ref_seq"), True)]


class ApiToken(_Frozen):
    id = pw.AutoField()
    name = pw.CharField(max_length=64, unique=True)
    token_hash = pw.CharField(max_length=64, unique=True)
    created_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()
    revoked_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "export_api_token"


class BoardToken(_Frozen):
    id = pw.AutoField()
    token_hash = pw.CharField(max_length=64, unique=True)
    target = pw.CharField(max_length=64)
    label = pw.CharField(max_length=100)
    created_by = pw.CharField(max_length=64)
    created_ms = pw.BigIntegerField()
    revoked_by = pw.CharField(max_length=64, null=True)
    revoked_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "web_board_token"


class User(_Frozen):
    id = pw.AutoField()
    username = pw.CharField(max_length=64, unique=True)
    display_name = pw.CharField(max_length=64)
    role = pw.CharField(max_length=32)
    lines = pw.TextField()
    area = pw.CharField(max_length=64, null=True)
    password_hash = pw.TextField()
    failed_attempts = pw.IntegerField()
    locked_until_ms = pw.BigIntegerField(null=True)
    active = pw.BooleanField()
    created_ms = pw.BigIntegerField()

    class Meta:
        table_name = "web_user"


TABLES: tuple[type[pw.Model], ...] = (
    KioskStatus,
    Kiosk,
    KioskKeyHistory,
    KioskRecord,
    LinePlanState,
    PendingKiosk,
    Quarantine,
    StoredCheckpoint,
    LedgerEntry,
    LogLeaf,
    Area,
    Assignment,
    Badge,
    Inmate,
    Line,
    Officer,
    Product,
    RuleSetVersion,
    StandardTime,
    Step,
    Workday,
    DailyResult,
    DiscrepancyFlag,
    Adjustment,
    MonthApproval,
    PublishedWeek,
    WeekSignoff,
    CorrectionProposal,
    DiscrepancyNote,
    DisputeAnswer,
    ApiToken,
    BoardToken,
    User,
)


def apply(db: pw.Database) -> None:
    """Create every table and index of version 1 (inside the caller's transaction)."""
    with db.bind_ctx(TABLES, bind_refs=False, bind_backrefs=False):
        db.create_tables(TABLES, safe=True)
