"""`floorledger verify` re-derives every master-data row from the hub-signed acts and reports each row
inserted, deleted or edited in SQL (#18 item 2), even when the daily results are recomputed to match.

The site is the seeded demo site (real ledger, real engine, SQLite file); tampering is done in SQL
the way someone with database access could, and the results are then recomputed through the hub's
own results code, so that nothing but the master data gives the edit away.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee
import pytest

from floorledger.demo.site import DEMO_TIMEZONE, prepare_site
from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.audit import verify
from hub.audit.masterdata import TITLE
from hub.engine.model import Month
from hub.ledger.entries import Ledger
from hub.masterdata.service import MasterData
from hub.results import worker as rs
from hub.seed import seed_site
from hub.store import db as hub_db
from hub.store.ledger import LedgerEntry
from hub.store.masterdata import (
    Area,
    Assignment,
    Badge,
    Exemption,
    Inmate,
    Line,
    Officer,
    Post,
    Product,
    RuleSetVersion,
    StandardTime,
    Step,
    Workday,
)
from hub.store.results import DailyResult
from hub.store.schema import MASTERDATA_MODELS, prepare
from hub.web.masterdata.csv_page import INMATES, STANDARD_TIMES, apply_file
from protocol.signing import Signer, Verifier
from tests.hub.audit.test_verify_harness import postgres_url

HUB_KEY = Signer(bytes([43]) * 32)
TODAY = date(2026, 10, 14)
MONTH = Month.of(TODAY)
NOW_MS = 1_791_900_000_000


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded site per module (seeding takes seconds); each test works on its own copy."""
    path = tmp_path_factory.mktemp("seeded") / "hub.db"
    db = hub_db.connect(str(path))
    try:
        seed_site(db, hub_signer=HUB_KEY, seed=5, today=TODAY, history_days=6, clock_ms=lambda: NOW_MS)
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return path


@pytest.fixture
def seeded(seeded_file: Path, tmp_path: Path) -> Iterator[peewee.Database]:
    copy = tmp_path / "hub.db"
    shutil.copyfile(seeded_file, copy)
    db = hub_db.connect(str(copy))
    prepare(db)
    try:
        yield db
    finally:
        db.close()


def _report(db: peewee.Database) -> verify.Report:
    return verify.verify_database(db, Verifier(HUB_KEY.public_key), workers=1)


def _section(report: verify.Report) -> verify.Section:
    return next(s for s in report.sections if s.title == TITLE)


def _recompute(db: peewee.Database) -> None:
    """What the hub does after a master-data change (`Results.on_master_change`): the month's daily
    results recomputed, so the results section agrees with the tampered tables."""
    with hub_db.write_transaction(db):
        rs.Results(db, today=lambda: TODAY, clock_ms=lambda: NOW_MS + 60_000).recompute_month(MONTH)


def _entry(action: str, subject: str, *, last: bool = False) -> int:
    """The index of the first (or last) hub-signed act `action` on `subject`."""
    index = LedgerEntry.entry_index
    row = (
        LedgerEntry.select()
        .where((LedgerEntry.action == action) & (LedgerEntry.subject == subject))
        .order_by(index.desc() if last else index)
        .first()
    )
    return int(row.entry_index)


def _service(db: peewee.Database, clock_ms: int = NOW_MS + 1000) -> MasterData:
    """The hub's master-data service, ledgering its acts with the hub's key (a real officer's change)."""
    ledger = Ledger(db, HUB_KEY, lambda: clock_ms)
    return masterdata_service(db, record_act=ledger.record_act, clock_ms=lambda: clock_ms)


def _completion(inmate: str) -> list[str]:
    rows = DailyResult.select().where(DailyResult.inmate == inmate).order_by(DailyResult.day)
    return [r.completion_pct for r in rows]


# --- an untouched site --------------------------------------------------------------------------------


def test_a_seeded_site_verifies_with_every_master_data_row_checked(seeded: peewee.Database) -> None:
    """The demo seed writes its master data through the ledgered service only: every row of every
    master-data table is checked and none differs."""
    report = _report(seeded)
    assert report.ok, report.render()
    rows = sum(model.select().count() for model in MASTERDATA_MODELS)
    assert _section(report).checked == rows > 250
    assert f"{TITLE}: {rows} checked, ok" in report.render()


def test_every_kind_of_master_data_act_replays_to_the_stored_rows(seeded: peewee.Database) -> None:
    """Each change the dashboard can make (and the CSV import), done through the service, leaves
    tables that the replay of its acts gives exactly: the site still verifies."""
    data = _service(seeded)
    labor = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)
    data.add_area(labor, "A3", "三监区")
    data.add_line(labor, "L9", "新线", area="A3", shift_minutes=420, product="SHIRT")
    data.update_line(labor, "L9", name="新九线", shift_minutes="450", product="TROUSERS")
    bag = [("B1", "裁布", "30"), ("B2", "缝合", "45.5")]
    data.add_product(labor, "BAG", "布袋", bag, valid_from="2026-11-02", reason="新产品")
    data.add_step(labor, "BAG", "B0", "验布", "12", valid_from="2026-11-02", reason="新增验布", after=None)
    data.add_step(labor, "BAG", "BQ", "质检", "9", valid_from="2026-11-03", reason="新增质检", after="B1")
    data.rename_step(labor, "BAG", "B2", "缝合袋身")
    data.set_standard_time(labor, "BAG", "B1", "28", valid_from="2026-11-09", reason="复测")
    data.set_standard_time(labor, "BAG", "B1", "27.5", valid_from="2026-11-09", reason="再次复测")  # replaces
    data.add_inmate(labor, "P9001", number="3239001", name="新人", quota_pct=90, area="A3")
    data.update_inmate(labor, "P9001", name="新人甲", number="3239002")
    data.set_quota_pct(labor, "P9001", 80, reason="年老体弱")
    data.add_officer(labor, "O-L9", name="新警官", role="line_officer", line="L9")
    data.update_officer(labor, "O-L9", role="area_head")
    data.issue_badge(labor, "B-9001", "P9001")
    data.revoke_badge(labor, "B-9001", reason="丢失")
    data.issue_badge(labor, "B-9001", "O-L9")  # the same badge id again, to another person
    post = data.assign(labor, "P9001", line="L9", product="BAG", step="B1", valid_from="2026-11-02")
    data.assign(labor, "P9001", line="L9", product="BAG", step="BQ", valid_from="2026-11-10")
    data.end_assignment(labor, post, "2026-11-20")
    data.add_workdays(labor, ["2026-11-21", "2026-11-22"], line="L9")
    data.remove_workdays(labor, ["2026-11-22"], line="L9")
    data.add_rule_set_version(
        labor, "R-2026-11", valid_from="2026-11", parameters={"bonus_cap_points": "12"}, reason="新规"
    )
    data.add_rule_set_version(
        labor, "R-2026-11b", valid_from="2026-11", parameters={"bonus_cap_points": "13"}, reason="更正"
    )
    inmates = b"id,number,name,quota_pct,area\nP9002,3239003,\xe5\xbc\xa0\xe4\xb8\x89,95,A3\n"
    times = b"product,step,seconds,valid_from,reason\nBAG,B2,44,2026-11-16,CSV\n"
    assert apply_file(data, seeded, INMATES, inmates, labor).ok
    assert apply_file(data, seeded, STANDARD_TIMES, times, labor).ok
    report = _report(seeded)
    assert report.ok, report.render()
    assert _section(report).checked == sum(model.select().count() for model in MASTERDATA_MODELS)
    assert Inmate.get_by_id("P9002").quota_pct == "95"
    positions = {s.code: s.position for s in Step.select().where(Step.product == "BAG")}
    assert positions == {"B1": 0, "BQ": 1, "B2": 2, "B0": 3}


def test_the_demo_site_verifies(tmp_path: Path) -> None:
    """The demo's own site (`floorledger demo`: the seed, its logins, board tokens, live kiosks and the
    one-person counter stations it posts from today on) verifies with no finding."""
    signer = Signer(bytes([44]) * 32)
    admin = ("admin", "pw-demo-1")
    prepare_site(tmp_path / "hub.db", hub_signer=signer, seed=2, data=tmp_path, kiosk_port=1, admin=admin)
    db = hub_db.connect(str(tmp_path / "hub.db"))
    prepare(db)
    try:
        # The counter stations' posts start today, after the seed computed today's results; the hub
        # recomputes the current month when it starts (HubApp), as here.
        today = datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
        with hub_db.write_transaction(db):
            rs.Results(db, today=lambda: today).recompute_month(Month.of(today))
        report = verify.verify_database(db, Verifier(signer.public_key), workers=1)
    finally:
        db.close()
    assert report.ok, report.render()
    assert _section(report).checked > 250


# --- tampering in SQL ---------------------------------------------------------------------------------


def test_a_quota_level_lowered_in_sql_with_results_recomputed_is_reported(seeded: peewee.Database) -> None:
    """The issue's attack: an inmate's quota_pct 100 -> 70 and the month's results recomputed by the
    hub's own code (his completion rises), while the signed `inmate.add` still says 100 and no act
    changed it. Nothing else gives it away; the master-data section names table, key, column, both
    values and the act."""
    inmate = Inmate.select().where(Inmate.quota_pct == "100").order_by(Inmate.id).first().id
    before = _completion(inmate)
    Inmate.update(quota_pct="70").where(Inmate.id == inmate).execute()
    _recompute(seeded)
    assert _completion(inmate) != before  # the results now follow the forged level
    expected = [
        f"md_inmate id={inmate}: column quota_pct is '70' but the signed acts say '100' "
        f"(ledger entry {_entry('inmate.add', inmate)})"
    ]
    assert _report(seeded).findings() == expected
    # the same with the signature pool (the section then runs on a thread beside it)
    assert verify.verify_database(seeded, Verifier(HUB_KEY.public_key), workers=2).findings() == expected


def test_two_inmates_numbers_and_names_swapped_are_reported(seeded: peewee.Database) -> None:
    first, second = list(Inmate.select().order_by(Inmate.id).limit(2))
    for row, other in ((first, second), (second, first)):
        Inmate.update(number=other.number, name=other.name).where(Inmate.id == row.id).execute()
    findings = _section(_report(seeded)).findings
    assert findings == [
        f"md_inmate id={row.id}: column {column} is {getattr(other, column)!r} but the signed acts say "
        f"{getattr(row, column)!r} (ledger entry {_entry('inmate.add', row.id)})"
        for row, other in ((first, second), (second, first))
        for column in ("number", "name")
    ]


def test_a_post_moved_to_another_step_is_reported(seeded: peewee.Database) -> None:
    """A post (岗位) moved from its step to another step of the product, results recomputed."""
    post = Assignment.select().order_by(Assignment.id).first()
    other = (
        Step.select()
        .where((Step.product == post.product) & (Step.code != post.step))
        .order_by(Step.position)
        .first()
        .code
    )
    Assignment.update(step=other).where(Assignment.id == post.id).execute()
    _recompute(seeded)
    assert _report(seeded).findings() == [
        f"md_assignment id={post.id}: column step is {other!r} but the signed acts say {post.step!r} "
        f"(ledger entry {_entry('assignment.add', post.inmate)})"
    ]


def test_a_standard_time_edited_in_sql_is_reported(seeded: peewee.Database) -> None:
    row = StandardTime.select().where(StandardTime.product == "SHIRT").order_by(StandardTime.id).first()
    StandardTime.update(seconds="30").where(StandardTime.id == row.id).execute()
    _recompute(seeded)
    assert _report(seeded).findings() == [
        f"md_standard_time product=SHIRT step={row.step} valid_from={row.valid_from}: column seconds is '30' "
        f"but the signed acts say {row.seconds!r} (ledger entry {_entry('product.add', 'SHIRT')})"
    ]


def test_rows_inserted_without_an_act_are_reported(seeded: peewee.Database) -> None:
    """An inmate and a post written straight into the tables (no act made them)."""
    Inmate.create(id="P0666", number="3210666", name="无名", quota_pct="100", area="A1")
    post = Assignment.create(
        inmate="P0666", line="L1", product="SHIRT", step="S1", valid_from="2026-10-01", created_ms=NOW_MS
    )
    _recompute(seeded)
    assert _section(_report(seeded)).findings == [
        "md_inmate id=P0666: no signed act made this row",
        f"md_assignment id={post.id}: no signed act made this row",
    ]


def test_rows_deleted_in_sql_are_reported(seeded: peewee.Database) -> None:
    """A badge and a workday deleted: each is missing, named with the act that made it."""
    badge = Badge.select().order_by(Badge.badge).first()
    Badge.delete().where(Badge.badge == badge.badge).execute()
    Workday.delete().where(Workday.day == "2026-10-12").execute()
    _recompute(seeded)
    assert _report(seeded).findings() == [
        f"md_badge badge={badge.badge}: missing; ledger entry {_entry('badge.issue', badge.badge)} made it",
        f"md_workday day=2026-10-12 line=None: missing; ledger entry {_entry('workday.add', '*')} made it",
    ]


def test_a_rule_set_versions_parameters_edited_in_sql_are_reported(seeded: peewee.Database) -> None:
    """A rule-set version made by the labor section (a real act) verifies; its parameters rewritten in
    SQL, results recomputed, are reported against the signed ones."""
    labor = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)
    _service(seeded).add_rule_set_version(
        labor, "R-2026-10", valid_from="2026-10", parameters={"bonus_cap_points": "12"}, reason="新规"
    )
    _recompute(seeded)
    assert _report(seeded).ok
    RuleSetVersion.update(parameters='{"bonus_cap_points": "40"}').where(
        RuleSetVersion.version == "R-2026-10"
    ).execute()
    _recompute(seeded)
    assert _report(seeded).findings() == [
        'md_rule_set_version version=R-2026-10: column parameters is \'{"bonus_cap_points": "40"}\' but '
        'the signed acts say \'{"bonus_cap_points": "12"}\' '
        f"(ledger entry {_entry('rule_set.add', 'R-2026-10')})"
    ]


@pytest.mark.parametrize(
    ("model", "column", "value"),
    [
        (Area, "name", "改名"),
        (Line, "shift_minutes", "600"),
        (Product, "name", "改名"),
        (Step, "position", 9),
        (Officer, "role", "labor_section"),
        (Badge, "revoked_ms", NOW_MS),
        (Assignment, "valid_to", "2026-10-05"),
    ],
)
def test_any_master_data_column_edited_in_sql_is_reported(
    seeded: peewee.Database, model: type[peewee.Model], column: str, value: object
) -> None:
    """Whatever table and column is edited, the master-data section reports exactly that row and column."""
    row = model.select().first()
    model.update({column: value}).where(model._meta.primary_key == row._pk).execute()
    findings = _section(_report(seeded)).findings
    assert len(findings) == 1, findings
    assert findings[0].startswith(f"{model._meta.table_name} ")
    assert f": column {column} is {value!r} but the signed acts say {getattr(row, column)!r}" in findings[0]


def test_an_act_with_a_forged_hub_signature_makes_no_row(seeded: peewee.Database) -> None:
    """An `inmate.add` act signed with another key (and its row) is not master data: the ledger section
    reports the signature, and the master-data section the row no signed act made."""
    other = Signer(bytes([7]) * 32)
    forged = masterdata_service(seeded, record_act=Ledger(seeded, other, lambda: NOW_MS).record_act)
    forged.add_inmate("admin", "P0777", number="3210777", name="伪造", area="A1")
    report = _report(seeded)
    assert "md_inmate id=P0777: no signed act made this row" in _section(report).findings
    assert any("hub signature does not verify" in line for line in report.sections[0].findings)


@pytest.mark.postgres
def test_on_postgresql_a_seeded_site_verifies_and_a_post_moved_in_sql_is_reported() -> None:
    """The same on PostgreSQL (ids from sequences; the posts' acts sign them): the seeded site verifies,
    and a post moved to another step is named."""
    with postgres_url() as url:
        db = hub_db.connect(url)
        try:
            seed_site(db, hub_signer=HUB_KEY, seed=5, today=TODAY, history_days=2, clock_ms=lambda: NOW_MS)
            report = _report(db)
            assert report.ok, report.render()
            post = Assignment.select().order_by(Assignment.id.desc()).first()
            Assignment.update(step="S7").where(Assignment.id == post.id).execute()
            assert _section(_report(db)).findings == [
                f"md_assignment id={post.id}: column step is 'S7' but the signed acts say {post.step!r} "
                f"(ledger entry {_entry('assignment.add', post.inmate, last=True)})"
            ]
        finally:
            db.close()


def test_rule_book_v2_master_data_verifies_and_sql_edits_of_it_are_reported(seeded: peewee.Database) -> None:
    """Posts without quotas, rated and training posts, labor exemptions and v2 rule parameters made
    through the service verify; then a post's name, a rated post's mode, a training flag and an
    exemption's end and reference edited in SQL, and an exemption inserted, are each reported."""
    data = _service(seeded)
    labor = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)
    parameters = {
        "rule_book": "v2",
        "training_ramp": [{"days": 10, "pct": "60"}],
        "deduction_categories": {"safety": {"min": "2", "max": "8"}},
    }
    data.add_rule_set_version(labor, "JX-V2", valid_from="2026-11", parameters=parameters, reason="第二版")
    data.add_post(labor, "KITCHEN", "厨房", line="L1", shift="白班")
    rated = data.assign(labor, "P1001", post="KITCHEN", valid_from="2026-11-02")
    trainee = data.assign(labor, "P1002", line="L1", product="SHIRT", step="S1", valid_from="2026-11-02")
    data.set_training(labor, trainee, True)
    period = data.add_exemption(labor, "P1003", valid_from="2026-11-02", reference="医鉴 2026-31")
    data.end_exemption(labor, period, "2026-11-30")
    report = _report(seeded)
    assert report.ok, report.render()

    Post.update(name="小灶").where(Post.code == "KITCHEN").execute()
    Assignment.update(mode="counted").where(Assignment.id == rated).execute()
    Assignment.update(training=False).where(Assignment.id == trainee).execute()
    Exemption.update(valid_to="2026-12-31", reference="伪造").where(Exemption.id == period).execute()
    forged = Exemption.create(
        inmate="P1004", valid_from="2026-11-02", reference="无", entered_by="labor", created_ms=NOW_MS
    )
    findings = _section(_report(seeded)).findings
    assert findings == [
        f"md_post code=KITCHEN: column name is '小灶' but the signed acts say '厨房' "
        f"(ledger entry {_entry('post.add', 'KITCHEN')})",
        f"md_assignment id={rated}: column mode is 'counted' but the signed acts say 'rated' "
        f"(ledger entry {_entry('assignment.add', 'P1001', last=True)})",
        f"md_assignment id={trainee}: column training is False but the signed acts say True "
        f"(ledger entry {_entry('assignment.training', 'P1002')})",
        f"md_exemption id={period}: column valid_to is '2026-12-31' but the signed acts say '2026-11-30' "
        f"(ledger entry {_entry('exemption.end', 'P1003')})",
        f"md_exemption id={period}: column reference is '伪造' but the signed acts say '医鉴 2026-31' "
        f"(ledger entry {_entry('exemption.end', 'P1003')})",
        f"md_exemption id={forged.id}: no signed act made this row",
    ]


def test_a_month_under_rule_book_v2_with_rated_posts_and_exemptions_verifies(seeded: peewee.Database) -> None:
    """October put under rule book v2 mid-month by a signed rule version, with a rated post, an
    exempt inmate and a training post, and the month recomputed as the hub does: verify re-derives
    the month from the same inputs and passes."""
    data = _service(seeded)
    labor = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)
    data.add_rule_set_version(
        labor, "JX-V2", valid_from="2026-10", parameters={"rule_book": "v2"}, reason="第二版"
    )
    data.add_post(labor, "KITCHEN", "厨房", line="L1")
    data.assign(labor, "P1001", post="KITCHEN", valid_from="2026-10-08")
    data.add_exemption(labor, "P1003", valid_from="2026-10-06", reference="医鉴 2026-31")
    trainee = data.assign(labor, "P1002", line="L1", product="SHIRT", step="S1", valid_from="2026-10-09")
    data.set_training(labor, trainee, True)
    _recompute(seeded)
    assert (
        not DailyResult.select()
        .where((DailyResult.inmate == "P1003") & (DailyResult.day >= "2026-10-06"))
        .exists()
    )
    report = _report(seeded)
    assert report.ok, report.render()
