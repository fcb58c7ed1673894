"""Tables of the officers' review: corrections, dispute answers, discrepancy notes, week sign-offs,
published weeks, month approvals and point adjustments."""

from __future__ import annotations

import peewee as pw

from hub.store.base import BaseModel

PROPOSED, APPROVED = "proposed", "approved"  # a correction proposal's status
MAX_REASON = 200  # = the plan notice's limit, so a rejection reason reaches the kiosk whole


class CorrectionProposal(BaseModel):
    """A proposed change of one record's value; `old` is the value when proposed (shown beside it)."""

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
    reason = pw.CharField(max_length=MAX_REASON)
    dispute = pw.CharField(max_length=80, null=True)  # "kiosk#seq" of the dispute it answers
    proposer = pw.CharField(max_length=64)
    proposed_ms = pw.BigIntegerField()
    status = pw.CharField(max_length=16, default=PROPOSED)
    approver = pw.CharField(max_length=64, null=True)
    approved_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "review_correction"


class DisputeAnswer(BaseModel):
    """The officers' answer to a dispute record (申辩答复)."""

    id = pw.AutoField()
    ref_kiosk = pw.CharField(max_length=64)
    ref_seq = pw.BigIntegerField()
    person = pw.CharField(max_length=64, index=True)
    line = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10)
    outcome = pw.CharField(max_length=16)
    reason = pw.CharField(max_length=MAX_REASON)
    officer = pw.CharField(max_length=64)
    answered_ms = pw.BigIntegerField()
    proposal = pw.IntegerField(null=True)

    class Meta:
        table_name = "review_dispute_answer"
        indexes = ((("ref_kiosk", "ref_seq"), True),)


class DiscrepancyNote(BaseModel):
    """How officers resolved a counts-vs-warehouse discrepancy (the figures it had then)."""

    id = pw.AutoField()
    line = pw.CharField(max_length=64)
    day = pw.CharField(max_length=10)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    counted_units = pw.CharField(max_length=32)
    warehoused_units = pw.CharField(max_length=32)
    note = pw.CharField(max_length=MAX_REASON)
    officer = pw.CharField(max_length=64)
    resolved_ms = pw.BigIntegerField()

    class Meta:
        table_name = "review_discrepancy_note"
        indexes = ((("line", "day"), False),)


class WeekSignoff(BaseModel):
    id = pw.AutoField()
    area = pw.CharField(max_length=64)
    week = pw.CharField(max_length=8)
    signed_by = pw.CharField(max_length=64)
    role = pw.CharField(max_length=32)
    rows_digest = pw.CharField(max_length=64)
    signed_ms = pw.BigIntegerField()

    class Meta:
        table_name = "assess_week_signoff"
        indexes = ((("area", "week", "signed_by"), True),)


class PublishedWeek(BaseModel):
    """A weekly review on the area's boards from `valid_from` to `until` (inclusive); rows as JSON."""

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


class MonthApproval(BaseModel):
    """One stage's approval of an area's month; `voided_ms` set when a reopen or a change voids it."""

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
        indexes = ((("month", "area"), False),)


class Adjustment(BaseModel):
    """Points added or deducted for an inmate in a month (`points`: exact decimal text)."""

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


class LateEntry(BaseModel):
    """A late entry (补录) for a day of an open month, proposed by one officer, approved by another.

    `type` is the record it stands for (`warehoused_count`, `unit_count`, `excused_absence`,
    `check_in`, `check_out`); `value` its units or minutes (0 for a check); `at_ms` the time of a
    check; an excused absence covers `day` to `last_day`, any other entry one day (`last_day = day`).
    """

    id = pw.AutoField()
    type = pw.CharField(max_length=32)
    line = pw.CharField(max_length=64, index=True)
    day = pw.CharField(max_length=10, index=True)
    last_day = pw.CharField(max_length=10)
    person = pw.CharField(max_length=64, null=True)
    product = pw.CharField(max_length=64, null=True)
    value = pw.BigIntegerField(default=0)
    at_ms = pw.BigIntegerField(null=True)
    reason = pw.CharField(max_length=MAX_REASON)
    proposer = pw.CharField(max_length=64)
    proposed_ms = pw.BigIntegerField()
    status = pw.CharField(max_length=16, default=PROPOSED)
    approver = pw.CharField(max_length=64, null=True)
    approved_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "review_late_entry"


class PublishedMonth(BaseModel):
    """An area's monthly result on its boards (公示) from `valid_from` to `until` (inclusive), published
    when the area head approved the month; rows as JSON (what was published stays what the board
    shows). `withdrawn_ms` is set when the area head's approval is voided (a reopen, an adjustment):
    the next approval publishes again."""

    id = pw.AutoField()
    month = pw.CharField(max_length=7)
    area = pw.CharField(max_length=64)
    rows = pw.TextField()
    rows_digest = pw.CharField(max_length=64)
    published_by = pw.CharField(max_length=64)
    valid_from = pw.CharField(max_length=10)
    until = pw.CharField(max_length=10)
    created_ms = pw.BigIntegerField()
    withdrawn_ms = pw.BigIntegerField(null=True)

    class Meta:
        table_name = "assess_published_month"
        indexes = ((("month", "area"), False),)


class MonthReviewAnswer(BaseModel):
    """The officers' answer to an inmate's request for a review (复核) of his monthly result: `kept`
    or `changed` (the points were changed by an adjustment), with a reason shown at his kiosk."""

    id = pw.AutoField()
    ref_kiosk = pw.CharField(max_length=64)
    ref_seq = pw.BigIntegerField()
    person = pw.CharField(max_length=64, index=True)
    month = pw.CharField(max_length=7)
    area = pw.CharField(max_length=64)
    outcome = pw.CharField(max_length=16)
    reason = pw.CharField(max_length=MAX_REASON)
    officer = pw.CharField(max_length=64)
    answered_ms = pw.BigIntegerField()

    class Meta:
        table_name = "review_month_answer"
        indexes = ((("ref_kiosk", "ref_seq"), True),)
