"""The numbered schema steps, oldest first; `hub.store.migrate` applies the missing ones in order.

A step is a module `mNNN_<name>.py` with `VERSION`, `NAME` and `apply(db)`, written with
`playhouse.migrate` operations (or `create_tables` on frozen copies of its tables). A step never
imports the live models of `hub.store`: they describe the newest schema, a step the one it makes.
"""

from __future__ import annotations

from types import ModuleType

from hub.store.migrations import (
    m001_initial,
    m002_results_progress,
    m003_rule_book_v2,
    m004_late_entries,
    m005_v2_capture,
    m006_month_publication,
    m007_export_delivery,
    m008_kiosk_capture,
    m009_suggestions,
    m010_capture_withdrawal,
)

STEPS: tuple[ModuleType, ...] = (
    m001_initial,
    m002_results_progress,
    m003_rule_book_v2,
    m004_late_entries,
    m005_v2_capture,
    m006_month_publication,
    m007_export_delivery,
    m008_kiosk_capture,
    m009_suggestions,
    m010_capture_withdrawal,
)
LATEST: int = STEPS[-1].VERSION
