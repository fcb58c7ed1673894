"""The one owner of the hub's schema: every table, bound once at start-up, migrated to the code's version.

`open_database(url)` is what a process calls: connect, migrate (`hub.store.migrate`), bind every
table. `prepare(db)` does the last two on a database a caller connected itself; `bind_all(db)` only
binds, for a reader that must not change the file it reads (`floorledger verify`). Tables are
declared unbound in the modules beside this one; nothing else binds or creates them.
"""

from __future__ import annotations

from collections.abc import Callable

import peewee as pw

from hub.store import analytics, capture, delivery, kiosks, ledger, masterdata, results, review, web
from hub.store.db import connect
from hub.store.migrate import MigrationReport, migrate, now_ms

ALL_MODELS: tuple[type[pw.Model], ...] = (
    kiosks.Kiosk,
    kiosks.KioskRecord,
    kiosks.Quarantine,
    kiosks.PendingKiosk,
    kiosks.KioskKeyHistory,
    kiosks.LinePlanState,
    kiosks.KioskStatus,
    ledger.LedgerEntry,
    ledger.LogLeaf,
    ledger.StoredCheckpoint,
    masterdata.Area,
    masterdata.Line,
    masterdata.Product,
    masterdata.Step,
    masterdata.StandardTime,
    masterdata.Inmate,
    masterdata.Officer,
    masterdata.Badge,
    masterdata.Post,
    masterdata.Assignment,
    masterdata.Exemption,
    masterdata.Workday,
    masterdata.RuleSetVersion,
    capture.Grade,
    capture.Reject,
    capture.Deduction,
    capture.Evidence,
    analytics.SuggestSettingsVersion,
    analytics.Action,
    results.DailyResult,
    results.DiscrepancyFlag,
    results.ResultsProgress,
    review.CorrectionProposal,
    review.DisputeAnswer,
    review.DiscrepancyNote,
    review.WeekSignoff,
    review.PublishedWeek,
    review.MonthApproval,
    review.Adjustment,
    review.LateEntry,
    review.PublishedMonth,
    review.MonthReviewAnswer,
    web.User,
    web.BoardToken,
    web.ApiToken,
    delivery.ExportDelivery,
)

# The master-data tables in one tuple (snapshots, lock checks and tests walk them in this order).
MASTERDATA_MODELS: tuple[type[pw.Model], ...] = tuple(
    model for model in ALL_MODELS if model.__module__ == masterdata.__name__
)

# The v2 capture tables whose rows the signed acts make (`floorledger verify` compares them as it
# compares master data); evidence is checked by its hash instead (its bytes are not in the act).
CAPTURE_MODELS: tuple[type[pw.Model], ...] = (capture.Grade, capture.Reject, capture.Deduction)

# The suggestion thresholds' versions and the officers' actions (#17): made by signed acts too
# (`hub.review.actions`), compared by `floorledger verify` the same way.
ANALYTICS_MODELS: tuple[type[pw.Model], ...] = (analytics.SuggestSettingsVersion, analytics.Action)


def bind_all(db: pw.Database) -> None:
    """Bind every table to `db` (no table is created: that is `migrate`'s)."""
    db.bind(list(ALL_MODELS), bind_refs=False, bind_backrefs=False)


def prepare(db: pw.Database, *, clock_ms: Callable[[], int] = now_ms) -> MigrationReport:
    """Migrate `db` to the code's schema version, then bind every table to it."""
    report = migrate(db, clock_ms=clock_ms)
    bind_all(db)
    return report


def open_database(url: str, *, clock_ms: Callable[[], int] = now_ms) -> pw.Database:
    """The hub's database at `url`, migrated and with every table bound."""
    db = connect(url)
    try:
        prepare(db, clock_ms=clock_ms)
    except BaseException:
        db.close()
        raise
    return db
