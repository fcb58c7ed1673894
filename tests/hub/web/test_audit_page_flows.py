"""The audit page (审计) in NiceGUI's simulated browser on a copy of the seeded demo month: the ledger
with signature states, the checkpoints, "verify now", the hub key, the evidence-bundle download, and
the refusals (a line officer sees nothing of it; an area head only reads)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import peewee as pw
import pytest

from hub.accounts import Role
from hub.audit import bundle as bd
from hub.audit import bundle_private as bp
from hub.audit.verify import verify_database
from hub.engine.model import Month
from hub.ledger import merkle
from hub.ledger.entries import Ledger
from hub.review import rules
from hub.review.monthly import Assessment
from hub.seed import seed_site
from hub.store import db as hubdb
from hub.store.kiosks import Kiosk, KioskRecord
from hub.store.ledger import LedgerEntry, LogLeaf, StoredCheckpoint
from hub.store.results import DailyResult, ResultsProgress
from hub.store.schema import prepare
from hub.web import WebContext
from hub.web.audit import BUNDLE_ACT, register_audit
from protocol.signing import Signer, Verifier, b64decode
from tests.hub.conftest_web import PASSWORD, StepClock, login, make_context, web_user

# approvals before the month has ended (or with items open) need an override since the guard
# (hub.review.rules.check_guard); these tests are about other rules
MID_MONTH = "测试：月中审批，待办另行处理"

HUB_KEY = Signer(b"\x09" * 32)
PUBLIC = Verifier(b64decode(HUB_KEY.public_key_b64))
TODAY = date(2026, 10, 14)
MONTH = Month.parse("2026-10")
NOW_MS = int(datetime(2026, 10, 14, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo site seeded once (records, results, a checkpoint after them); tests work on copies."""
    path = tmp_path_factory.mktemp("audit") / "hub.db"
    database = hubdb.connect(str(path))
    try:
        seed_site(database, hub_signer=HUB_KEY, today=TODAY, history_days=9, clock_ms=lambda: NOW_MS)
    finally:
        database.close()
    return path


@pytest.fixture
def site(template: Path, tmp_path: Path) -> Iterator[pw.Database]:
    shutil.copy(template, tmp_path / "hub.db")
    database = hubdb.connect(str(tmp_path / "hub.db"))
    prepare(database)
    yield database
    database.close()


@pytest.fixture
def ctx(site: pw.Database) -> WebContext:
    context = make_context(site, StepClock(NOW_MS), ledger=Ledger(site, HUB_KEY, lambda: NOW_MS))
    context.site = "demo"
    for username, role, extra in (
        ("labor", Role.LABOR_SECTION, {}),
        ("head_a1", Role.AREA_HEAD, {"area": "A1"}),
        ("off_l1", Role.LINE_OFFICER, {"lines": ["L1"]}),
    ):
        context.accounts.create(username=username, password=PASSWORD, role=role, display_name="某", **extra)
    return context


def _pages(ctx: WebContext) -> None:
    register_audit(ctx, hub_signer=HUB_KEY)


async def test_labor_section_sees_key_checkpoints_and_a_paged_signed_ledger(ctx: WebContext) -> None:
    """The hub key and fingerprint are printed; checkpoints list size and root; the ledger is newest
    first, 25 a page, every entry's hub signature shown as valid."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        await user.should_see(HUB_KEY.public_key_b64)
        await user.should_see(HUB_KEY.fingerprint)
        [checkpoints] = user.find(marker="checkpoints").elements
        latest = StoredCheckpoint.select().order_by(StoredCheckpoint.id.desc()).first()
        assert checkpoints.rows[0]["root"] == latest.root
        assert checkpoints.rows[0]["size"] == latest.tree_size
        [ledger] = user.find(marker="ledger").elements
        newest = LedgerEntry.select().order_by(LedgerEntry.entry_index.desc()).first()
        assert ledger.rows[0]["index"] == newest.entry_index
        assert len(ledger.rows) == 25
        assert {r["signature"] for r in ledger.rows} == {"有效"}
        [link] = user.find(marker="ledger-next").elements
        assert link.props["href"] == "/audit?page=2"
        await user.open("/audit?page=2")
        [second] = user.find(marker="ledger").elements
        assert second.rows[0]["index"] == newest.entry_index - 25


async def test_a_forged_ledger_entry_shows_as_invalid(ctx: WebContext) -> None:
    """An entry whose stored signature was altered is marked 无效, and verify now reports it by index."""
    newest = LedgerEntry.select().order_by(LedgerEntry.entry_index.desc()).first()
    frame = bytearray(newest.frame)
    frame[0] ^= 1
    LedgerEntry.update(frame=bytes(frame)).where(LedgerEntry.id == newest.id).execute()
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        [ledger] = user.find(marker="ledger").elements
        assert ledger.rows[0]["signature"] == "无效"
        user.find(marker="verify").click()
        await user.should_see(marker="verify-state", retries=600)
        await user.should_see("核验未通过")
        [report] = user.find(marker="verify-report").elements
        assert f"台账条目（行号 {newest.id}，第 {newest.entry_index} 条）：枢纽签名核验失败" in report.text


async def test_verify_now_shows_the_same_report_as_floorledger_verify(ctx: WebContext) -> None:
    """Verify now runs the database check in a worker thread and shows VERIFIED on an intact hub, in
    the officer's language (Chinese by default: section titles and verdict)."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        user.find(marker="verify").click()
        await user.should_see(marker="verify-state", retries=600)
        await user.should_see("核验通过")
        [report] = user.find(marker="verify-report").elements
        assert report.text.endswith("核验通过：每一行都与签名记录一致")
        # the root to compare with the board's 今日数据指纹 and an export's checkpoint_root is shown
        leaves = [
            bytes.fromhex(h)
            for (h,) in LogLeaf.select(LogLeaf.leaf_hash).order_by(LogLeaf.leaf_index).tuples()
        ]
        assert f"日志：{len(leaves)} 个叶，根 {merkle.root(leaves).hex()}" in report.text
        latest = StoredCheckpoint.select().order_by(StoredCheckpoint.tree_size.desc()).first()
        assert f"最新签名检查点：{latest.tree_size} 个叶，根 {latest.root}" in report.text
        assert "终端记录（签名、字段、链）：已核对" in report.text
        assert report.text.endswith("核验通过：每一行都与签名记录一致")
        assert "VERIFIED" not in report.text
    assert report.text == verify_database(ctx.db, PUBLIC, workers=1).render("zh")


async def test_verify_now_names_each_tamper_in_chinese(ctx: WebContext) -> None:
    """A record's column and a daily result edited in SQL: the report shows both findings, their
    section titles and the verdict in Chinese, with the stored and the signed values."""
    record = KioskRecord.select().where(KioskRecord.line.is_null(False)).order_by(KioskRecord.id).first()
    KioskRecord.update(line="L9").where(KioskRecord.id == record.id).execute()
    result = DailyResult.select().where(DailyResult.done_units != "0").order_by(DailyResult.id).first()
    DailyResult.update(done_units="999").where(DailyResult.id == result.id).execute()
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        user.find(marker="verify").click()
        await user.should_see("核验未通过", marker="verify-state", retries=600)
        [report] = user.find(marker="verify-report").elements
    lines = report.text.splitlines()
    assert (
        f"  - 终端记录（行号 {record.id}，终端 {record.kiosk}，序号 {record.seq}）："
        f"字段“生产线”为 'L9'，但签名记录为 '{record.line}'" in lines
    )
    assert (
        f"  - 日结果 罪犯 {result.inmate} 日期 {result.day}（行号 {result.id}）：字段“完成件数”为 '999'，"
        f"但签名记录得出 '{result.done_units}'"
    ) in lines
    assert "终端记录（签名、字段、链）：已核对" in report.text
    assert "日结果（由签名记录重新推导）：已核对" in report.text
    assert lines[-1] == "核验未通过"


async def test_results_still_being_computed_are_pending_not_problems(ctx: WebContext) -> None:
    """The results worker recorded that it has computed kiosk H-L1 up to the record before its last
    count: the line-day of that count is pending, so even a wrong row there is shown as 计算中 and the hub
    verifies (the numbers are about to be replaced); a wrong row on another line-day is still found."""
    last = (  # the last count of L1: the worker has computed H-L1 up to the record before it
        KioskRecord.select()
        .where((KioskRecord.kiosk == "H-L1") & (KioskRecord.type == "unit_count"))
        .order_by(KioskRecord.seq.desc())
        .first()
    )
    for kiosk in Kiosk.select():  # computed: everything but H-L1's last record
        seq = last.seq - 1 if kiosk.id == "H-L1" else kiosk.head_seq
        ResultsProgress.insert(kiosk=kiosk.id, seq=seq, updated_ms=NOW_MS).execute()
    line_day = DailyResult.select().where((DailyResult.day == last.day) & (DailyResult.line == "L1"))
    waiting = line_day.order_by(DailyResult.id).first()
    DailyResult.update(done_units="999").where(DailyResult.id == waiting.id).execute()
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        user.find(marker="verify").click()
        await user.should_see(marker="verify-state", retries=600)
        [report] = user.find(marker="verify-report").elements
        assert report.text.endswith("核验通过：每一行都与签名记录一致"), report.text
        await user.should_see(marker="verify-pending")
        assert (
            f"  ~ 计算中：日结果 罪犯 {waiting.inmate} 日期 {waiting.day}：该生产线日的记录仍在计算中"
            in report.text
        )
        other = DailyResult.select().where(DailyResult.line == "L2").order_by(DailyResult.id).first()
        DailyResult.update(done_units="999").where(DailyResult.id == other.id).execute()
        user.find(marker="verify").click()
        await user.should_see("核验未通过", marker="verify-state", retries=600)
        [report] = user.find(marker="verify-report").elements
        assert (
            f"日结果 罪犯 {other.inmate} 日期 {other.day}（行号 {other.id}）：字段“完成件数”为 '999'"
            in report.text
        )


async def test_downloading_a_bundle_gives_a_file_that_verifies_and_is_ledgered(ctx: WebContext) -> None:
    """By default the form downloads a private evidence bundle (line-mates as hashes) that checks
    offline with the hub's public key; ticking 完整版 downloads the full one, which checks too; both
    acts are in the ledger, saying which kind."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        user.find(marker="bundle-inmate").type("P1001")
        user.find(marker="bundle-month").clear().type("2026-10")
        user.find(marker="bundle-download").click()
        response = await user.download.next(timeout=60)
        assert bp.is_private(response.content)
        private = bp.check_private_bytes(response.content, PUBLIC)
        assert private.ok, private.render()
        assert private.inmate == "P1001"
        user.find(marker="bundle-full").click()
        user.find(marker="bundle-download").click()
        response = await user.download.next(timeout=60)
        report = bd.check_bundle_bytes(response.content, PUBLIC)
        assert report.ok, report.render()
        assert report.inmate == "P1001"
    acts = list(LedgerEntry.select().where(LedgerEntry.action == BUNDLE_ACT))
    assert [(a.actor, a.subject) for a in acts] == [("labor", "P1001")] * 2
    assert [json.loads(a.payload)["private"] for a in acts] == [True, False]


async def test_the_bundle_of_an_approved_month_carries_the_approval_and_verifies(
    ctx: WebContext, site: pw.Database
) -> None:
    """After a −2 adjustment and the three approvals of area A1, the downloaded bundle carries the
    signed approval and the area's signed rows; it verifies offline and says who approved."""
    officers = Assessment(
        site,
        record_act=Ledger(site, HUB_KEY, lambda: NOW_MS).record_act,
        today=lambda: TODAY,
        clock_ms=lambda: NOW_MS,
    )
    officers.add_adjustment(
        rules.Actor(username="off_l1", role="line_officer", lines=("L1",)), MONTH, "A1", "P1001", "-2", "违纪"
    )
    for who in (
        rules.Actor(username="off_l1", role="line_officer", lines=("L1",)),
        rules.Actor(username="head_a1", role="area_head", area="A1"),
        rules.Actor(username="labor", role="labor_section"),
    ):
        officers.approve(who, MONTH, "A1", override=MID_MONTH)
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        user.find(marker="bundle-inmate").type("P1001")
        user.find(marker="bundle-month").clear().type("2026-10")
        user.find(marker="bundle-full").click()  # the area's signed rows are in the full bundle only
        user.find(marker="bundle-download").click()
        response = await user.download.next(timeout=60)
    report = bd.check_bundle_bytes(response.content, PUBLIC)
    assert report.ok, report.render()
    assert (
        "area A1, approved (line_officer, area_head, labor_section); 1 adjustment(s) in force"
        in report.render()
    )
    document = bd.load_bundle_text(response.content.decode("utf-8"))
    assert document["assessment"]["area"] == "A1"
    assert any(row[0] == "P1001" and row[-2] == "-2" for row in document["assessment"]["rows"])


@pytest.mark.parametrize(
    ("inmate", "month", "message"),
    [
        ("", "2026-10", "请输入罪犯编号"),
        ("P" * 65, "2026-10", "请输入罪犯编号"),
        ("P1001", "2026/10", "月份格式应为 YYYY-MM"),
        ("<b>NOBODY</b>", "2026-10", "无法生成证据包：没有罪犯 <b>NOBODY</b>"),
    ],
)
async def test_bad_bundle_input_gets_a_message_and_changes_nothing(
    ctx: WebContext, inmate: str, month: str, message: str
) -> None:
    """Empty, oversize, a wrong month format or an unknown (HTML) id: a clear message, no file, no act."""
    before = LedgerEntry.select().count()
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "labor")
        await user.open("/audit")
        field = user.find(marker="bundle-inmate")
        field.elements.pop().value = inmate
        user.find(marker="bundle-month").clear().type(month)
        user.find(marker="bundle-download").click()
        await user.should_see(message, retries=200)
    assert LedgerEntry.select().count() == before


async def test_a_line_officer_is_refused_and_an_area_head_only_reads(ctx: WebContext) -> None:
    """A line officer gets the refusal and no ledger; an area head sees the ledger but no verify or
    bundle controls."""
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "off_l1")
        await user.open("/audit")
        await user.should_see(marker="refused")
        await user.should_not_see(marker="ledger")
        await user.should_not_see(marker="bundle-download")
    async with web_user(ctx, before=lambda: _pages(ctx)) as user:
        await login(user, "head_a1")
        await user.open("/audit")
        await user.should_see(marker="ledger")
        await user.should_not_see(marker="verify")
        await user.should_not_see(marker="bundle-download")


def test_ledger_actions_read_in_the_officer_s_language() -> None:
    """The audit page's ledger shows 注册终端 for `kiosk.enroll`, 审批月考核 for `month.approve`, the
    acts added since (exports, users) too; in English the code; an unknown action shows its code."""
    from hub.ledger.texts import action_label, register

    register()
    assert action_label("kiosk.enroll").text("zh") == "注册终端"
    assert action_label("month.approve").text("zh") == "审批月考核"
    assert action_label("export.file").text("zh") == "导出考核文件"
    assert action_label("user.disable").text("zh") == "停用用户"
    assert action_label("month.approve").text("en") == "month.approve"
    assert action_label("future.act").text("zh") == "future.act"
