"""The month lock: an area's month whose last approval stage stands may not change until reopened.

The one place that answers "is this month locked?"; master data, corrections and adjustments all ask
it (master data through the callable the hub app injects, since it sits below the review layer).
"""

from __future__ import annotations

from collections.abc import Callable

import peewee as pw

from hub.accounts import Role
from hub.engine.model import Month
from hub.store.review import MonthApproval

# The approval stages of a month, in order, each approved by the role of the same name; the last one
# locks it. Plain text (the roles' values): they are stored in tables and signed in ledger entries.
STAGES: tuple[str, ...] = (Role.LINE_OFFICER.value, Role.AREA_HEAD.value, Role.LABOR_SECTION.value)


def active_stages(month: Month | str, area: str) -> list[str]:
    rows = MonthApproval.select(MonthApproval.stage).where(
        (MonthApproval.month == str(month)) & (MonthApproval.area == area) & MonthApproval.voided_ms.is_null()
    )
    return [r.stage for r in rows]


def is_locked(db: pw.Database, month: Month | str, area: str) -> bool:
    """Whether the area's month is fully approved: nothing may alter its numbers until reopened."""
    return STAGES[-1] in active_stages(month, area)


def month_locked(db: pw.Database) -> Callable[[str, str], bool]:
    """The lock as master data asks it (`month_locked(month, area)`): master data sits below the
    review layer, so the hub app hands it this callable instead of master data importing the lock."""
    return lambda month, area: is_locked(db, month, area)
