"""The officers' month over real processes: Mosquitto and the hub (the demo's seeded floor, started by
the demo orchestrator), walked in headless Chromium by three officers, and `floorledger verify` run
on the hub's database at the end.

The floor is the demo's, with two things of a real month that the plain seed never has:
- nobody entered line L1's 入库数 on the last workday before today ("yesterday"): the seeded history is
  generated as always and that one record is left out of the history kiosk's chain (re-signed, so the
  chain and `verify` hold), so the whole line earned nothing that day;
- rule book version 2 from yesterday's month, with a rated post (质检岗) on L1 that one inmate holds
  from yesterday, made through the master-data service (signed acts) before the hub starts, so his
  days wait for a grade.

Then, in the browser: the line officer sees the missing 入库数 in his queue and enters it the next
morning on the day's review page, the area head approves it and yesterday's wall board fills; a week
of hospital leave is entered once and approved by the labor section, and that week owes no quota;
the queue lists a dispute, a discrepancy and a missing grade and loses each as it is resolved; last
month's approval is refused while items are open and given with an override whose reason `verify`
reports. Throughout, the line officer never sees nor resolves line L2's items (checked on the server:
his queue, the pages' refusals and the services' own refusals).

No kiosk process runs: the inmates' side of the month is `test_month_publication_floor.py`'s.
Screenshots are saved under screenshots/system/.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import peewee as pw
import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

from floorledger import keyfile
from floorledger.broker import free_port, free_ports
from floorledger.demo.orchestrator import Demo, DemoOptions
from hub import seed
from hub.accounts import Principal
from hub.app import corrections_service, late_entries_service, masterdata_service
from hub.engine.model import Month
from hub.ledger.entries import Ledger
from hub.masterdata import queries as md_queries
from hub.results import worker as rs
from hub.review import late as lx
from hub.review.corrections import CorrectionError
from hub.store import db as hubdb
from hub.store.db import write_transaction
from hub.store.kiosks import KioskRecord
from hub.store.masterdata import Inmate, Product, Step
from hub.store.results import DailyResult, DiscrepancyFlag
from hub.store.review import MonthApproval
from hub.store.schema import prepare
from hub.web.auth import Accounts
from protocol.records import GENESIS_HASH, Correction, SignedRecord, WarehousedCount, sign_record
from tests.system import browser_support
from tests.system import test_month_publication_floor as harness
from tests.system.browser_support import (
    LABELLED,
    browser_fixture,
    click,
    field,
    last_shown,
    shot,
    shown,
    type_into,
)
from tests.system.site_support import floorledger

pytestmark = [pytest.mark.system, pytest.mark.timeout(600)]

browser = browser_fixture()  # the same headless Chromium as the inmates' month
FAILED = "officers-failed"  # the screenshot a failed wait leaves

ZONE = ZoneInfo("Asia/Shanghai")  # the demo hub's zone: its "today"
POST, POST_NAME = "QC1", "质检岗"
SHIFT_MINUTES = 480  # line L1's shift (hub.seed.LINES): a whole day in hospital
OVERRIDE = "其余差异已与质检核对，另案处理"
T = TypeVar("T")


# --- the floor -------------------------------------------------------------------------------------


def last_workday_before(day: date) -> date:
    """The seeded history's last day: the weekday before `day` (Friday on a Monday)."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def hospital_week(today: date, yesterday: date) -> tuple[date, date]:
    """A whole Monday-Friday week before yesterday inside one month (a week across a month's end is
    two entries, not one)."""
    monday = today - timedelta(days=today.weekday())
    while True:
        monday -= timedelta(days=7)
        friday = monday + timedelta(days=4)
        if friday < yesterday and Month.of(monday) == Month.of(friday):
            return monday, friday


def without_record(
    signed: list[SignedRecord], kiosk: str, signer: Any, drop: Callable[[Any], bool]
) -> list[SignedRecord]:
    """`signed` with the records of `kiosk` for which `drop(body)` holds left out, and the rest of its
    chain signed again in order (same times and bodies; a correction follows its record's new seq)."""
    out: list[SignedRecord] = []
    prev, seq = GENESIS_HASH, 0
    renamed: dict[str, SignedRecord] = {}  # old hash -> the record signed again
    for s in signed:
        body = s.record.body
        if s.record.kiosk != kiosk:
            out.append(s)
            continue
        if drop(body):
            continue
        if isinstance(body, Correction) and body.ref_hash in renamed:
            target = renamed[body.ref_hash]
            body = dataclasses.replace(body, ref_seq=target.record.seq, ref_hash=target.hash)
        seq += 1
        again = sign_record(dataclasses.replace(s.record, seq=seq, prev=prev, body=body), signer)
        renamed[s.hash] = again
        prev = again.hash
        out.append(again)
    return out


@dataclasses.dataclass
class Seeded:
    """What the test knows of the floor it made: its days, the 入库数 left out, the rated inmate."""

    today: date
    yesterday: date
    warehoused: int = 0  # L1's 入库数 of yesterday that nobody entered
    rated: str = ""  # the inmate on the rated post from yesterday


class OfficersFloor(Demo):
    """The demo floor, prepared as described at the top before the hub process starts."""

    def __init__(self, options: DemoOptions, facts: Seeded) -> None:
        super().__init__(options)
        self.facts = facts

    def prepare_hub(self) -> Path:
        config = super().prepare_hub()
        database = self.data / "hub" / "hub.sqlite3"
        signer, _ = keyfile.load_or_create(self.data / "hub" / "hub.key")
        db = hubdb.connect(str(database))
        try:
            prepare(db)
            facts = self.facts
            l1 = sorted(i for i, a in md_queries.posts_on(facts.yesterday).items() if a.line == "L1")
            facts.rated = l1[2]
            ledger = Ledger(db, signer, ledger_clock)
            data = masterdata_service(db, record_act=ledger.record_act, clock_ms=ledger_clock)
            month = Month.of(facts.yesterday)
            with write_transaction(db):
                data.add_rule_set_version(
                    seed.ADMIN,
                    "JX-V2",
                    valid_from=str(month),
                    parameters={"rule_book": "v2"},
                    reason="第二版规则：设无定额岗位",
                )
                data.add_post(seed.ADMIN, POST, POST_NAME, line="L1", shift="白班")
                data.assign(seed.ADMIN, facts.rated, post=POST, valid_from=facts.yesterday)
            results = rs.Results(db, today=lambda: facts.today, clock_ms=ledger_clock)
            with write_transaction(db):
                for changed in sorted({month, Month.of(facts.today)}):
                    results.recompute_month(changed)
        finally:
            db.close()
        return config


def ledger_clock() -> int:
    return time.time_ns() // 1_000_000


@pytest.fixture
def floor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OfficersFloor]:
    """The demo floor without L1's 入库数 of yesterday: the seed's own history generator runs as
    always (same seed, same records) and only its output loses that one record, re-signed into a
    whole chain, before the seed stores it through the real ingest."""
    today = datetime.now(ZONE).date()
    facts = Seeded(today=today, yesterday=last_workday_before(today))
    generate = seed.history_records

    def history(seed_no: int, *args: Any) -> list[SignedRecord]:
        signed = generate(seed_no, *args)
        kiosk = seed.history_kiosk("L1")

        def missed(body: Any) -> bool:
            if isinstance(body, WarehousedCount) and body.day == facts.yesterday.isoformat():
                facts.warehoused = body.units
                return True
            return False

        return without_record(signed, kiosk, seed.demo_kiosk_signer(seed_no, kiosk), missed)

    monkeypatch.setattr(seed, "history_records", history)
    options = DemoOptions(
        data=tmp_path / "floor",
        hub_port=(hub_port := free_port()),
        kiosk_port=free_ports(1, avoid=[hub_port]),
        kiosk_lines=(),  # the hub alone: every act here is an officer's on the dashboard
    )
    demo = OfficersFloor(options, facts)
    try:
        demo.start()
        assert facts.warehoused > 0, "the seeded history had no 入库数 of L1 to leave out"
        yield demo
    finally:
        demo.stop()


@contextlib.contextmanager
def hub_db(floor: Demo) -> Iterator[pw.Database]:
    """The running hub's database, read from the test (SQLite in WAL mode: readers never block it)."""
    db = hubdb.connect(str(floor.data / "hub" / "hub.sqlite3"))
    try:
        prepare(db)
        yield db
    finally:
        db.close()


def eventually(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    """`probe()` once it is not None (polled; the hub recomputes in its own time)."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found is not None:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {timeout:.0f} s")
        time.sleep(0.5)


# --- the browser -----------------------------------------------------------------------------------

OPTION = "//div[contains(@class, 'q-menu')]//div[contains(@class, 'q-item')][normalize-space(.)='{option}']"
TABLE_ROWS = (
    "return Array.from(document.querySelectorAll('.q-table tbody tr'))"
    ".map(tr => Array.from(tr.children).map(td => td.innerText.trim()))"
)
BOARD_ROWS = (
    "return Array.from(document.querySelectorAll('.fl-rows .fl-row'))"
    ".map(r => Array.from(r.children).map(c => c.innerText.trim()))"
)


def wait_for(driver: webdriver.Chrome, condition: Callable[[str], bool], timeout: float, what: str) -> str:
    """`browser_support.wait_for`, leaving screenshots/system/officers-failed.png when it fails."""
    return browser_support.wait_for(driver, condition, timeout, what, failure_shot=FAILED)


def ready(driver: webdriver.Chrome) -> None:
    """`browser_support.ready`, leaving the same screenshot when it fails."""
    browser_support.ready(driver, failure_shot=FAILED)


def sign_in(driver: webdriver.Chrome, base: str, username: str) -> None:
    """An officer of the demo site signs in; a refused login (seen under load) is tried again."""
    browser_support.sign_in(driver, base, username, harness.PASSWORD, attempts=3, failure_shot=FAILED)


def monthly(driver: webdriver.Chrome, base: str, month: Month) -> str:
    return harness.monthly(driver, base, str(month))  # ready: it waits for the handshake


def choose(driver: webdriver.Chrome, label: str, option: str) -> None:
    """Open the (last) select labelled exactly `label` and pick the option named exactly `option`, and
    check the select shows it. Not `browser_support.choose`, which takes the first select whose label
    contains `label`: the review page repeats its forms' labels, and the form being filled in is the
    page's last."""
    for _ in range(3):
        try:
            last_shown(driver, LABELLED.format(label=label), f"select {label!r}").click()
            item = last_shown(driver, OPTION.format(option=option), f"option {option!r} of {label!r}")
            item.click()
        except (StaleElementReferenceException, WebDriverException):
            continue  # the menu or the form redrew under the click: try again
        if any(option in e.text for e in shown(driver, LABELLED.format(label=label))):
            return
    pytest.fail(f"could not choose {option!r} in {label!r}")


def table_rows(driver: webdriver.Chrome) -> list[list[str]]:
    return [list(row) for row in driver.execute_script(TABLE_ROWS)]


def queue(driver: webdriver.Chrome, base: str, kind: str = "", line: str = "") -> list[list[str]]:
    """The rows of the work queue (待办) as the signed-in officer gets them: kind, line, day, inmate,
    detail (a filter by kind or line is the page's own)."""
    driver.get(f"{base}/queue?kind={kind}&line={line}")
    text = wait_for(driver, lambda t: "项待办" in t, 180, "the work queue did not load")
    if "没有待办事项" in text:
        return []
    return eventually(lambda: table_rows(driver) or None, 30, "the queue's table did not show")


def review(driver: webdriver.Chrome, base: str, line: str, day: date) -> str:
    """The daily review page of `line` on `day`, loaded down to its late-entry form (or refused)."""
    driver.get(f"{base}/review?line={line}&day={day.isoformat()}")
    text = wait_for(
        driver, lambda t: "新增补录" in t or "无权查看" in t, 180, f"the review of {line} {day} did not load"
    )
    ready(driver)
    return text


def notices(driver: webdriver.Chrome) -> list[str]:
    """The notifications on screen (a refusal, a confirmation)."""
    return [e.text for e in shown(driver, "//div[contains(@class, 'q-notification__message')]")]


def board_rows(driver: webdriver.Chrome) -> list[list[str]]:
    """The rows of the board page on screen: number, name, step, quota, done, +/-, %, month, status."""
    return [list(row) for row in driver.execute_script(BOARD_ROWS)]


def counted_done(rows: list[list[str]]) -> list[int]:
    """The done pieces of the counted rows (a rated row shows its grade there, an exempt one nothing)."""
    return [int(row[4]) for row in rows if len(row) > 4 and row[4].isdigit()]


# --- facts from the hub's database -----------------------------------------------------------------


def label_of(inmate: str) -> str:
    """An inmate as every page shows him: prison number and name."""
    person = Inmate.get_by_id(inmate)
    return f"{person.number} {person.name}"


def dispute_of(line: str) -> KioskRecord:
    """The seeded dispute (申辩) of `line`'s history kiosk."""
    return KioskRecord.get((KioskRecord.type == "dispute") & (KioskRecord.kiosk == seed.history_kiosk(line)))


def quotas(inmate: str, first: date, last: date) -> dict[str, str]:
    """The stored quota (standard seconds, exact) of each of `inmate`'s days from `first` to `last`."""
    dr = DailyResult
    rows = dr.select(dr.day, dr.quota_std_seconds).where(
        (dr.inmate == inmate) & dr.day.between(first.isoformat(), last.isoformat())
    )
    return {r.day: r.quota_std_seconds for r in rows}


def approvals(floor: Demo, month: Month) -> list[str]:
    """Who approved area A1's `month` so far, as the hub stored it."""
    with hub_db(floor):
        ma = MonthApproval
        rows = ma.select().where((ma.month == str(month)) & (ma.area == "A1")).order_by(ma.id)
        return [str(r.approver) for r in rows]


# --- the flow --------------------------------------------------------------------------------------


def test_the_officers_close_a_month_from_the_queue(floor: OfficersFloor, browser: webdriver.Chrome) -> None:
    """A missed 入库数 entered the next morning by line1 and approved by area1 fills yesterday's board;
    a week of hospital leave entered once and approved by the labor section leaves that week without
    quota; the queue lists a dispute, a discrepancy and a missing grade and loses each as line1
    resolves it; last month's approval is refused while items are open and accepted with an override
    whose reason `floorledger verify` reports. line1 never sees line L2's items: not in his queue, its
    pages refused, and the services refuse him its dispute, flag and 入库数."""
    base = f"http://127.0.0.1:{floor.options.hub_port}"
    facts = floor.facts
    yesterday = facts.yesterday
    last_month = Month.of(facts.today.replace(day=1) - timedelta(days=1))
    monday, friday = hospital_week(facts.today, yesterday)
    with hub_db(floor):
        hospital = sorted(i for i, a in md_queries.posts_on(monday).items() if a.line == "L1")[0]
        patient, rated = label_of(hospital), label_of(facts.rated)
        l1_dispute, l2_dispute = dispute_of("L1"), dispute_of("L2")
        disputant = label_of(str(l1_dispute.person))
        before = quotas(hospital, monday, friday)
        shown_months = (last_month.first_day.isoformat(), (yesterday - timedelta(days=1)).isoformat())
        flag = (
            DiscrepancyFlag.select()
            .where((DiscrepancyFlag.line == "L1") & DiscrepancyFlag.day.between(*shown_months))
            .order_by(DiscrepancyFlag.day, DiscrepancyFlag.product, DiscrepancyFlag.step)
            .first()
        )
        assert flag is not None, "the seeded month has no discrepancy on L1"
        step = Step.get((Step.product == flag.product) & (Step.code == flag.step))
        flag_text = f"{Product.get_by_id(flag.product).name}/{step.name}"  # the queue names them
        flag_label = f"{flag_text}："
    assert len(before) == 5, before  # a workday each, each owing its quota
    assert "0" not in before.values(), before

    # 1. yesterday's board: the line earned nothing, its 入库数 was never entered
    board = f"{base}/board/L1?token={floor.tokens['L1']}"
    browser.get(board)
    wait_for(browser, lambda t: f"{yesterday.isoformat()} 记录" in t, 120, "the board did not show yesterday")
    done = eventually(lambda: counted_done(board_rows(browser)) or None, 60, "no counted row on the board")
    assert set(done) == {0}, done
    shot(browser, "officers-board-without-warehoused")

    # the line officer's queue holds the missing 入库数, the dispute, the missing grade, the flag
    sign_in(browser, base, "line1")
    day = yesterday.isoformat()
    assert ["缺入库数的生产日", "L1", day] in [r[:3] for r in queue(browser, base, "warehoused", "L1")]
    disputes = queue(browser, base, "dispute")
    assert [r[:5] for r in disputes] == [
        ["未答复申辩", "L1", l1_dispute.day, disputant, f"H-L1#{l1_dispute.seq}"]
    ]  # his own line's only: L2's dispute is not his (5.)
    grades = queue(browser, base, "grade", "L1")
    assert ["未评定的岗位日", "L1", day, rated, POST_NAME] in [r[:5] for r in grades]
    flags = queue(browser, base, "discrepancy", "L1")
    assert flags[0][:5] == ["未处理差异", "L1", flag.day, "", flag_text]  # the earliest first
    shot(browser, "officers-queue-line1")

    # 5. scope on the server: nothing of L2 in his queue, its pages and the services refuse him
    assert queue(browser, base, line="L2") == []
    refused = review(browser, base, "L2", date.fromisoformat(str(l2_dispute.day)))
    assert "没有该生产线或无权查看" in refused
    assert "申辩：" not in refused
    browser.get(f"{base}/grades?line=L2&day={day}")
    wait_for(browser, lambda t: "没有该生产线或无权查看" in t, 120, "the grades of L2 were not refused")
    refusals = services_refuse_line1_on_l2(floor, l2_dispute)
    assert refusals == ["review.err.scope"] * 3, refusals

    # 1. the morning after: line1 enters yesterday's 入库数 on the day's review page
    review(browser, base, "L1", yesterday)
    choose(browser, "产品", "男式衬衫 (SHIRT)")
    type_into(browser, "件数 / 每天分钟", str(facts.warehoused))
    type_into(browser, "理由", "质检次日报来入库单，昨日漏录")
    click(browser, "提交补录")
    entered = f"{day} 入库数 SHIRT {facts.warehoused} 件；补录人 赵建国（民警），待审批"
    wait_for(browser, lambda t: entered in t, 120, "the late 入库数 was not entered")

    # 2. a week in hospital, entered once from its Monday to its Friday
    review(browser, base, "L1", monday)
    choose(browser, "补录类型", "请假（公假）")
    type_into(browser, "至", friday.isoformat())
    choose(browser, "罪犯", patient)
    type_into(browser, "件数 / 每天分钟", str(SHIFT_MINUTES))
    type_into(browser, "理由", "住院治疗一周（监狱医院证明）")
    click(browser, "提交补录")
    week = f"{monday.isoformat()} ~ {friday.isoformat()} 请假（公假） {patient}"
    wait_for(browser, lambda t: week in t and "待审批" in t, 120, "the hospital week was not entered")
    shot(browser, "officers-late-entries-proposed")
    assert len(queue(browser, base, "late", "L1")) == 2  # both wait for a second officer

    # 5. the area head sees both lines' disputes; line1 saw only his own
    sign_in(browser, base, "area1")
    assert {r[1] for r in queue(browser, base, "dispute")} == {"L1", "L2"}
    # 1. ... and approves yesterday's 入库数
    review(browser, base, "L1", yesterday)
    click(browser, "批准补录")
    approved = "补录人 赵建国（民警），已由 李明华（监区长） 批准"  # who entered it, who approved it
    wait_for(browser, lambda t: approved in t, 120, "the late 入库数 was not approved")
    shot(browser, "officers-late-warehoused-approved")

    browser.get(board)
    wait_for(browser, lambda t: f"{yesterday.isoformat()} 记录" in t, 120, "the board did not show yesterday")
    eventually(
        lambda: True if any(counted_done(board_rows(browser))) else None,
        120,
        "yesterday's board did not take up the approved 入库数",
    )
    shot(browser, "officers-board-with-warehoused")

    # 2. the labor section approves the hospital week (past the line's correction window or not)
    sign_in(browser, base, "labor")
    review(browser, base, "L1", monday)
    click(browser, "批准补录")
    approved = "补录人 赵建国（民警），已由 吴晓红（劳改科） 批准"
    wait_for(browser, lambda t: approved in t, 120, "the hospital week was not approved")

    def week_without_quota() -> dict[str, str] | None:
        with hub_db(floor):
            now = quotas(hospital, monday, friday)
        return now if len(now) == 5 and set(now.values()) == {"0"} else None

    eventually(week_without_quota, 120, f"{hospital}'s hospital week still owes quota")

    # 3. line1 clears his queue item by item
    sign_in(browser, base, "line1")
    assert ["缺入库数的生产日", "L1", day] not in [r[:3] for r in queue(browser, base, "warehoused", "L1")]
    assert queue(browser, base, "late", "L1") == []

    review(browser, base, "L1", date.fromisoformat(str(l1_dispute.day)))
    type_into(browser, "答复理由", "已调阅当日计数记录，计件无误")
    click(browser, "不成立")
    wait_for(browser, lambda t: "已答复（不成立" in t, 120, "the dispute was not answered")
    assert queue(browser, base, "dispute") == []

    review(browser, base, "L1", date.fromisoformat(flag.day))
    row = f"//div[starts-with(normalize-space(.), '{flag_label}')]/following-sibling::div[1]"
    last_shown(browser, row + "//input", "the flag's note").send_keys("复核入库单：差异为返工件，已处理")
    last_shown(browser, row + "//button", "the flag's button").click()
    wait_for(browser, lambda t: "已处理（赵建国" in t, 120, "the discrepancy was not resolved")
    remaining = queue(browser, base, "discrepancy", "L1")
    assert ["未处理差异", "L1", flag.day, "", flag_text] not in [r[:5] for r in remaining]

    browser.get(f"{base}/grades?line=L1&day={day}")
    wait_for(browser, lambda t: rated in t and "保存评级" in t, 120, "the grades page did not load")
    ready(browser)
    click(browser, "B")
    click(browser, "保存评级")
    wait_for(browser, lambda t: "已保存 1 人的评级" in t, 120, "the grade was not saved")
    assert [day, rated] not in [r[2:4] for r in queue(browser, base, "grade", "L1")]
    shot(browser, "officers-queue-cleared")

    # 4. last month: an entry still waits for its second officer, so the approval is refused ...
    month_end = last_workday_before(facts.today.replace(day=1))
    review(browser, base, "L1", month_end)
    choose(browser, "产品", "男式衬衫 (SHIRT)")
    type_into(browser, "件数 / 每天分钟", "40")
    type_into(browser, "理由", "月末最后一批入库单，待监区长核对")
    click(browser, "提交补录")
    pending = f"{month_end.isoformat()} 入库数 SHIRT 40 件；补录人 赵建国（民警），待审批"
    wait_for(browser, lambda t: pending in t, 120, "the month's last 入库数 was not entered")
    monthly(browser, base, last_month)
    click(browser, "审批通过")
    refusal = eventually(
        lambda: next((n for n in notices(browser) if "项待处理事项" in n), None),
        120,
        "the approval was not refused",
    )
    assert "待批准补录 1" in refusal
    assert approvals(floor, last_month) == []
    # ... and given with an override, which every later approver reads
    monthly(browser, base, last_month)  # afresh: the refusal's notice covers the button
    field(browser, "越级审批理由").send_keys(OVERRIDE)
    click(browser, "审批通过")
    approved = wait_for(browser, lambda t: "审批状态：分监区民警已审" in t, 180, "the override was refused")
    assert OVERRIDE in approved
    assert approvals(floor, last_month) == ["line1"]
    shot(browser, "officers-month-approved-with-override")

    hub_key = keyfile.load(floor.data / "hub" / "hub.key").public_key_b64
    report = floorledger(
        "verify", "--db", str(floor.data / "hub" / "hub.sqlite3"), "--hub-key-pub", hub_key, timeout=300
    ).stdout
    assert OVERRIDE in report, report[-2000:]
    assert "待批准补录 1 项" in report, report[-2000:]


def services_refuse_line1_on_l2(floor: OfficersFloor, l2_dispute: KioskRecord) -> list[str]:
    """line1 calling the hub's services directly on L2's dispute, discrepancy flag and 入库数: the
    refusal each gives (nothing is written: scope is checked before any write)."""
    refused: list[str] = []
    with hub_db(floor) as db:
        signer = keyfile.load(floor.data / "hub" / "hub.key")
        ledger = Ledger(db, signer, ledger_clock)
        who = Accounts(db).principal("line1")
        assert isinstance(who, Principal)
        today = floor.facts.today
        desk = corrections_service(db, ledger, today=lambda: today, clock_ms=ledger_clock, window_days=7)
        late = late_entries_service(
            db, ledger, today=lambda: today, clock_ms=ledger_clock, zone=ZONE, window_days=7
        )
        l2_flag = DiscrepancyFlag.select().where(DiscrepancyFlag.line == "L2").first()
        assert l2_flag is not None, "the seeded month has no discrepancy on L2"
        draft = lx.Draft(
            type="warehoused_count",
            day=floor.facts.yesterday,
            line="L2",
            product="TROUSERS",
            value="10",
            reason="越权补录",
        )
        attempts: list[Callable[[], object]] = [
            lambda: desk.answer_dispute(
                who, str(l2_dispute.kiosk), int(l2_dispute.seq), upheld=False, reason_text="越权答复"
            ),
            lambda: desk.resolve_discrepancy(who, int(l2_flag.id), "越权处理"),
            lambda: late.propose(who, draft),
        ]
        for attempt in attempts:
            with pytest.raises(CorrectionError) as err:
                attempt()
            refused.append(err.value.key)
    return refused
