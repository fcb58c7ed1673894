"""An approved late entry (补录) travels into an inmate's evidence bundle as its hub-signed ledger act:
the bundle verifies offline with the entry's effect in its scenario, and dropping the act fails it."""

from __future__ import annotations

import time
from datetime import date
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from hub.accounts import Principal, Role
from hub.app import checkpoint_log
from hub.audit import bundle as bd
from hub.engine.model import Month
from hub.engine.scenario import load_scenario
from hub.ledger.entries import LATE_ENTRY, Ledger, parse_entry
from hub.masterdata import queries as md_queries
from hub.review import late as lx
from hub.seed import seed_site
from hub.store import db as hubdb
from protocol.signing import Signer, Verifier, b64decode

HUB_KEY = Signer(b"\x07" * 32)
PUBLIC = Verifier(b64decode(HUB_KEY.public_key_b64))
TODAY = date(2026, 10, 14)
INMATE = "P1001"
LEAVE = (date(2026, 10, 12), date(2026, 10, 13))  # a Monday and a Tuesday


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture(scope="module")
def bundle_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A seeded hub where P1001's two days of sick leave were entered late and approved, a checkpoint
    after it, and P1001's October bundle."""
    folder = tmp_path_factory.mktemp("late-bundle")
    db = hubdb.connect(str(folder / "hub.db"))
    try:
        seed_site(db, hub_signer=HUB_KEY, seed=3, today=TODAY, history_days=9)
        post = md_queries.assignment_on(INMATE, LEAVE[0])
        assert post is not None
        ledger = Ledger(db, HUB_KEY, now_ms)
        desk = lx.LateEntries(
            db, ledger, today=lambda: TODAY, clock_ms=now_ms, zone=ZoneInfo("Asia/Shanghai")
        )

        def officer(name: str) -> Principal:
            return Principal(
                username=name, display_name=name, role=Role.LINE_OFFICER, lines=(str(post.line),)
            )

        entry = desk.propose(
            officer("off_a"),
            lx.Draft(
                type="excused_absence",
                day=LEAVE[0],
                last_day=LEAVE[1],
                person=INMATE,
                value="120",
                reason="病假，医务室证明次日送达",
            ),
        )
        desk.approve(officer("off_b"), entry.id)
        checkpoints = checkpoint_log(db, HUB_KEY, clock_ms=now_ms, site="demo")
        checkpoints.extend()
        checkpoints.make_checkpoint()
        document = bd.build_bundle(db, inmate=INMATE, month=Month.of(LEAVE[0]), through=LEAVE[1])
    finally:
        db.close()
    return bd.bundle_text(document).encode("utf-8")


def test_the_late_entry_is_in_the_bundle_and_it_verifies(bundle_bytes: bytes) -> None:
    """The bundle lists the `record.late` act, its scenario carries the extra excused minutes on both
    days, and the offline check re-derives everything from the signed frames."""
    doc = bd.load_bundle_text(bundle_bytes.decode())
    actions = [parse_entry(b64decode(e["frame"]))[0].action for e in doc["ledger"]]
    assert LATE_ENTRY in actions
    scenario = load_scenario(doc["scenario"])
    excused = {a.day: a.excused_minutes for a in scenario.inputs.attendance if a.inmate == INMATE}
    assert all(excused.get(day, 0) >= Fraction(120) for day in LEAVE)
    report = bd.check_bundle_bytes(bundle_bytes, PUBLIC)
    assert report.ok, report.render()


def test_dropping_the_late_entry_from_the_bundle_fails_it(bundle_bytes: bytes) -> None:
    """Without the signed act the scenario's excused minutes are no longer what the records give."""
    doc = bd.load_bundle_text(bundle_bytes.decode())
    doc["ledger"] = [e for e in doc["ledger"] if parse_entry(b64decode(e["frame"]))[0].action != LATE_ENTRY]
    report = bd.check_bundle_bytes(bd.bundle_text(doc).encode("utf-8"), PUBLIC)
    assert not report.ok
    assert "attendance" in report.render(), report.render()
