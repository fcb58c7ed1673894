"""Derived tables of the rules engine: daily results and discrepancy flags (recomputed, never signed)."""

from __future__ import annotations

import peewee as pw

from hub.store.base import BaseModel


class DailyResult(BaseModel):
    """One inmate's computed day: exact engine values (`*_exact`) and the rounded board values."""

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
        indexes = ((("inmate", "day"), True), (("line", "day"), False))


class DiscrepancyFlag(BaseModel):
    """A counted-mode line-day whose counts and warehoused units differ beyond the tolerance."""

    id = pw.AutoField()
    day = pw.CharField(max_length=10)
    line = pw.CharField(max_length=64)
    product = pw.CharField(max_length=64)
    step = pw.CharField(max_length=64)
    counted_units = pw.CharField(max_length=32)
    warehoused_units = pw.CharField(max_length=32)

    class Meta:
        table_name = "discrepancy_flag"
        indexes = ((("line", "day"), False),)


# The `results_progress` row of the ledger (no kiosk id can hold `*`): master-data changes and
# dashboard corrections up to this ledger entry are in the stored daily results.
LEDGER_PROGRESS = "*ledger"


class ResultsProgress(BaseModel):
    """How far the results worker has computed: every record of `kiosk` up to `seq` is in the stored
    daily results (written after those rows; read by `floorledger verify` to report pending results);
    the row `LEDGER_PROGRESS` says the same of the ledger's acts (`seq`: an entry index)."""

    kiosk = pw.CharField(primary_key=True, max_length=64)
    seq = pw.BigIntegerField()
    updated_ms = pw.BigIntegerField()

    class Meta:
        table_name = "results_progress"
