"""Step 6: the inmates' month (公示, 签名确认, 复核): `assess_published_month`, an area's monthly result
on its boards once the area head approved it, and `review_month_answer`, the officers' answers to an
inmate's request for a review of his monthly result (`hub.review.month_publication`).

The confirmations and review requests themselves are kiosk records (`month_confirm`,
`month_review`) in `kiosk_record`, which needs no change.
"""

from __future__ import annotations

import peewee as pw

VERSION = 6
NAME = "month_publication"


class PublishedMonth(pw.Model):
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
        database = None
        table_name = "assess_published_month"
        indexes = ((("month", "area"), False),)


class MonthReviewAnswer(pw.Model):
    id = pw.AutoField()
    ref_kiosk = pw.CharField(max_length=64)
    ref_seq = pw.BigIntegerField()
    person = pw.CharField(max_length=64, index=True)
    month = pw.CharField(max_length=7)
    area = pw.CharField(max_length=64)
    outcome = pw.CharField(max_length=16)
    reason = pw.CharField(max_length=200)
    officer = pw.CharField(max_length=64)
    answered_ms = pw.BigIntegerField()

    class Meta:
        database = None
        table_name = "review_month_answer"
        indexes = ((("ref_kiosk", "ref_seq"), True),)


def apply(db: pw.Database) -> None:
    """Create the two tables (inside the caller's transaction)."""
    models = [PublishedMonth, MonthReviewAnswer]
    with db.bind_ctx(models, bind_refs=False, bind_backrefs=False):
        db.create_tables(models, safe=True)
