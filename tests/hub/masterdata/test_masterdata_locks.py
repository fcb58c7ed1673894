"""Master-data changes against months locked by the monthly assessment (月考核 approved by the labor
section): a change whose dates reach into a locked month of an affected area is refused with a message
naming the month and area and changes nothing; dated after it, or after a reopen, it goes through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from hub.engine.model import Month
from hub.masterdata import service as md
from hub.masterdata.checks import MasterDataError
from hub.masterdata.queries import assignment_on
from hub.review import monthly as assessment
from hub.store import db as hubdb
from hub.store.masterdata import Assignment, Inmate, StandardTime
from hub.store.review import MonthApproval
from hub.store.schema import MASTERDATA_MODELS, prepare
from tests.hub.masterdata import test_masterdata_store as store
from tests.hub.masterdata.test_masterdata_store import Acts, small_site

OCT = Month.parse("2026-10")
LOCKED = "2026-10 月 A1 的月考核已审批锁定"
LABOR = assessment.Actor(username="LS1", role="labor_section")


def _lock(db: pw.Database, month: Month, area: str) -> None:
    """The three approvals of the chain, in order, as `Assessment.approve` stores them."""
    prepare(db)
    for n, stage in enumerate(assessment.STAGES):
        assessment.MonthApproval.create(
            month=str(month), area=area, stage=stage, approver=f"u{n}", rows_digest="d" * 64, approved_ms=n
        )
    assert assessment.is_locked(db, month, area)


def _snapshot() -> list[list[tuple[Any, ...]]]:
    return [list(model.select().order_by(model._meta.primary_key).tuples()) for model in MASTERDATA_MODELS]


def _refused(acts: Acts, change: Callable[[], Any], extra: str = "") -> None:
    before, entries = _snapshot(), len(acts.acts)
    with pytest.raises(MasterDataError) as refused:
        change()
    assert re.search(LOCKED + ".*" + extra, refused.value.text("zh")), refused.value.text("zh")
    assert _snapshot() == before, "a refused change left a row behind"
    assert len(acts.acts) == entries, "a refused change reached the ledger"


@pytest.fixture
def site_db(tmp_path: Path) -> Iterator[pw.Database]:
    """A fresh SQLite hub file with the master-data tables only (no assessment tables yet)."""
    db = hubdb.connect(f"sqlite:///{tmp_path / 'hub.db'}")
    prepare(db)
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def locked_site(site_db: pw.Database) -> tuple[md.MasterData, Acts]:
    """The small site (A1, line L1, posts from 2026-10-01) with October locked for A1, and area A2."""
    acts = Acts()
    data = md.MasterData(site_db, month_locked=store.month_lock(site_db), record_act=acts)
    small_site(data)
    data.add_area("admin", "A2", "二监区")
    data.add_line("admin", "L2", "服装二线", area="A2", shift_minutes=480)
    data.add_inmate("admin", "P4", number="321004", name="赵六", area="A1")
    _lock(site_db, OCT, "A1")
    return data, acts


def test_changes_dated_in_a_locked_month_are_refused_and_change_nothing(
    locked_site: tuple[md.MasterData, Acts],
) -> None:
    """Every kind of change reaching into locked October of A1 is refused with the locked message."""
    data, acts = locked_site
    post = assignment_on("P3", date(2026, 10, 5))
    assert post is not None
    _refused(
        acts, lambda: data.set_standard_time("LS1", "SHIRT", "S1", "70", valid_from="2026-10-15", reason="r")
    )
    _refused(
        acts, lambda: data.set_standard_time("LS1", "SHIRT", "S1", "70", valid_from="2026-10-01", reason="r")
    )
    _refused(
        acts, lambda: data.assign("LS1", "P1", line="L1", product="SHIRT", step="S1", valid_from="2026-10-20")
    )
    _refused(acts, lambda: data.end_assignment("LS1", post.id, "2026-10-20"))
    _refused(acts, lambda: data.add_workdays("LS1", ["2026-10-31"]))
    _refused(acts, lambda: data.add_workdays("LS1", ["2026-10-31"], line="L1"))
    _refused(acts, lambda: data.remove_workdays("LS1", ["2026-10-01"]))
    _refused(
        acts, lambda: data.add_rule_set_version("LS1", "v2", valid_from="2026-10", parameters={}, reason="r")
    )
    _refused(acts, lambda: data.set_quota_pct("LS1", "P1", 90, reason="体弱"), "（定额比例不分日期")
    _refused(acts, lambda: data.update_line("LS1", "L1", shift_minutes=420), "（班次时长不分日期")
    # A post moving P1 to A2's line in October takes October days from A1's line: refused too.
    _refused(
        acts, lambda: data.assign("LS1", "P1", line="L2", product="SHIRT", step="S1", valid_from="2026-10-20")
    )


def test_changes_after_the_locked_month_or_elsewhere_are_accepted(
    locked_site: tuple[md.MasterData, Acts],
) -> None:
    """The same changes dated after October, or on an area that is not locked, go through and are recorded."""
    data, acts = locked_site
    post = assignment_on("P3", date(2026, 10, 5))
    assert post is not None
    entries = len(acts.acts)
    data.set_standard_time("LS1", "SHIRT", "S1", "70", valid_from="2026-11-01", reason="r")
    # A version before October is in force only until October's version: it alters no locked day.
    data.set_standard_time("LS1", "SHIRT", "S1", "65", valid_from="2026-09-01", reason="r")
    data.assign("LS1", "P4", line="L1", product="SHIRT", step="S1", valid_from="2026-11-01")
    data.set_quota_pct("LS1", "P4", 90, reason="体弱")  # P4's only post starts after October
    data.assign("LS1", "P1", line="L1", product="SHIRT", step="S1", valid_from="2026-11-02")
    data.end_assignment("LS1", post.id, "2026-11-30")
    data.add_workdays("LS1", ["2026-11-02"])
    data.remove_workdays("LS1", ["2026-11-02"])
    data.add_workdays("LS1", ["2026-10-31"], line="L2")  # A2's October is not locked
    data.add_rule_set_version("LS1", "v2", valid_from="2026-11", parameters={}, reason="r")
    data.update_line("LS1", "L1", name="服装一线（新）")  # the name does not change any result
    assert len(acts.acts) == entries + 11
    assert StandardTime.get_or_none(StandardTime.valid_from == "2026-11-01") is not None
    assert Assignment.get_by_id(post.id).valid_to == "2026-11-30"


def test_a_reopened_month_accepts_changes_again(
    site_db: pw.Database, locked_site: tuple[md.MasterData, Acts]
) -> None:
    """After the labor section reopens October (hub.review.monthly's reopen), October changes are accepted."""
    data, acts = locked_site
    with pytest.raises(MasterDataError, match="approved and locked") as refused:
        data.set_standard_time("LS1", "SHIRT", "S1", "70", valid_from="2026-10-15", reason="r")
    assert refused.value.text("zh").startswith(LOCKED)
    assessment.Assessment(site_db).reopen(LABOR, OCT, "A1", "标准工时更正", stage="labor_section")
    assert not assessment.is_locked(site_db, OCT, "A1")
    data.set_standard_time("LS1", "SHIRT", "S1", "70", valid_from="2026-10-15", reason="r")
    data.set_quota_pct("LS1", "P1", 90, reason="体弱")
    data.add_workdays("LS1", ["2026-10-31"])
    assert StandardTime.get_or_none(StandardTime.valid_from == "2026-10-15") is not None
    assert Inmate.get_by_id("P1").quota_pct == "90"


def test_master_data_asks_the_injected_lock_and_never_reads_the_approvals(site_db: pw.Database) -> None:
    """Master data knows the lock only as the callable it is given: it asks it for each month and area
    a change reaches, and never reads the review tables itself (an approval row that would lock the
    month does not stop a change the injected lock allows)."""
    MonthApproval.create(
        month="2026-10",
        area="A1",
        stage="labor_section",
        approver="labor",
        rows_digest="0" * 64,
        approved_ms=1,
    )
    asked: set[tuple[str, str]] = set()

    def nothing_locked(month: str, area: str) -> bool:
        asked.add((month, area))
        return False

    data = md.MasterData(site_db, month_locked=nothing_locked)
    small_site(data)
    data.set_standard_time("LS1", "SHIRT", "S1", "70", valid_from="2026-10-15", reason="r")
    data.set_quota_pct("LS1", "P1", 90, reason="体弱")
    assert ("2026-10", "A1") in asked
    assert Inmate.get_by_id("P1").quota_pct == "90"
