"""Rule book v2 from the floor to the score over real processes (#14): Mosquitto, the hub and the
line's kiosk process (the demo's floor, its simulated people slowed right down), headless Chromium.

Before the hub starts, the seeded site gets rule book v2 from the locked month on, a kitchen post on
L1 with an inmate of its busiest step rated on it from the day the board shows, and the locked month
approved at all three stages: the month before the board's day (last month; the month before last
in a month's first days, when the board shows last month's last workday).

Then: a colleague counts a bundle from its ticket; the line officer grades the cook at the kiosk
(officer mode 评分: today, and the board's day) and records rejects from a scanned bundle ticket;
on the dashboard he proposes a deduction and the area head confirms it; the board, the monthly page
and the export show the grade, the reduced credit and the deduction; `floorledger verify` passes;
the same deduction in the locked month is refused. Screenshots: screenshots/system/.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from selenium import webdriver
from selenium.webdriver.common.keys import Keys

from floorledger import keyfile
from floorledger.broker import free_port, free_ports
from floorledger.demo.orchestrator import ADMIN_PASSWORD, ADMIN_USER, Demo, DemoOptions
from floorledger.demo.site import prepare_site
from hub.accounts import Principal, Role
from hub.app import assessment_service, masterdata_service
from hub.engine.model import Month
from hub.ledger.entries import Ledger
from hub.masterdata import queries as md_queries
from hub.results.worker import Results
from hub.review import exports
from hub.review.rules import Actor
from hub.store import capture as cap
from hub.store import db as hubdb
from hub.store.masterdata import Badge, Inmate
from hub.store.results import DailyResult
from hub.store.schema import prepare
from protocol.codes import BundleTicket, encode_bundle_ticket
from tests.system import browser_support as support
from tests.system.browser_support import browser_fixture, choose, click, field, ready, shot, text_of, typed
from tests.system.hub_process import run

pytestmark = pytest.mark.system

PASSWORD = ADMIN_PASSWORD
ZONE = ZoneInfo("Asia/Shanghai")
OFFICER_BADGE = "0009000001"  # 赵建国, line officer of L1 (login line1)
BUNDLE = "B099001"
REASON = "系统测试：违反操作规程"
LABOR = Principal(username="labor", display_name="吴晓红", role=Role.LABOR_SECTION)


@dataclass(frozen=True, slots=True)
class Floor:
    demo: Demo
    today: date
    board_day: date  # the day the board shows, the kiosk's previous workday (上一工作日)
    locked: Month  # approved at all three stages before the hub starts
    rated: str  # the cook: on the kitchen post from the board's day
    maker: str  # an inmate holding `product`/`step` on L1 today (the officer picks him if several do)
    maker_number: str
    rated_number: str
    maker_badge: str
    product: str
    step: str

    @property
    def db_path(self) -> Path:
        return self.demo.data / "hub" / "hub.sqlite3"


@dataclass(frozen=True, slots=True)
class Seeded:
    board_day: date
    locked: Month
    rated: str
    maker: str
    product: str
    step: str


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def previous_weekday(day: date) -> date:
    """The seeded site's previous workday (its history has every weekday): the board's day."""
    day -= timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def locked_month(today: date) -> Month:
    """The month the setup locks: the one before the board's day, so that the grade the officer gives
    the board's day is never in a locked month (in the first days of a month the board's day is
    last month's last workday; the month before last is locked then)."""
    return Month.of(previous_weekday(today).replace(day=1) - timedelta(days=1))


def _prepare_v2_site(data: Path, kiosk_port: int, today: date) -> Seeded:
    """Seed the demo site as the demo does (with history back into the locked month), then (as the
    labor section would on the dashboard) rule book v2 from the locked month on, the kitchen post with
    one of L1 on it from the board's day, and the locked month approved by all three stages."""
    folder = data / "hub"
    folder.mkdir(parents=True)
    signer, _ = keyfile.load_or_create(folder / "hub.key")
    database = folder / "hub.sqlite3"
    locked = locked_month(today)
    prepare_site(
        database,
        hub_signer=signer,
        seed=1,
        data=data,
        kiosk_port=kiosk_port,
        admin=(ADMIN_USER, ADMIN_PASSWORD),
        # the maker works on the locked month's last days: its refused deduction is in his scope
        history_days=max(30, (today - locked.last_day).days + 7),
    )
    db = hubdb.connect(str(database))
    try:
        prepare(db)
        ledger = Ledger(db, signer, _now_ms)
        data_md = masterdata_service(db, record_act=ledger.record_act, clock_ms=_now_ms)
        data_md.add_rule_set_version(
            LABOR, "JX-V2", valid_from=str(locked), parameters={"rule_book": "v2"}, reason="第二版"
        )
        holders: dict[tuple[str, str], list[str]] = {}
        for inmate, a in sorted(md_queries.posts_on(today).items()):
            if a.line == "L1":
                holders.setdefault((str(a.product), str(a.step)), []).append(inmate)
        # the cook comes from the busiest step, so the line's one-person counter station stays
        rated = max(holders.values(), key=len)[-1]
        data_md.add_post(LABOR, "KITCHEN", "厨房", line="L1")
        # from the day the line's board shows (the last day with results): the board shows his grade
        board_day = date.fromisoformat(
            str(
                DailyResult.select(DailyResult.day)
                .where((DailyResult.line == "L1") & (DailyResult.day < today.isoformat()))
                .order_by(DailyResult.day.desc())
                .get()
                .day
            )
        )
        assert board_day == previous_weekday(today), "the seeded history is not every weekday"
        data_md.assign(LABOR, rated, post="KITCHEN", valid_from=board_day.isoformat())
        results = Results(db, today=lambda: today, follow_s=None)  # as the hub does on a master-data act
        month = locked
        while month <= Month.of(today):
            results.recompute_month(month)
            month = Month.of(month.last_day + timedelta(days=1))
        # approved as of its first day, so that its publication window (公示) is over by now and the
        # board shows today's rows only
        review = assessment_service(
            db, record_act=ledger.record_act, today=lambda: locked.first_day, clock_ms=_now_ms
        )
        for who in (
            Actor(username="line1", role=Role.LINE_OFFICER, lines=("L1",), area="A1"),
            Actor(username="area1", role=Role.AREA_HEAD, area="A1"),
            Actor(username="labor", role=Role.LABOR_SECTION),
        ):
            review.approve(who, locked, "A1", override="系统测试：锁定该月")
        (product, step), held = max(sorted(holders.items()), key=lambda kv: len(kv[1]))
        maker = held[0]  # a colleague of the cook, on the step he left
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[no-untyped-call]
    finally:
        db.close()
    return Seeded(board_day, locked, rated, maker, product, step)


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Floor]:
    hub_port = free_port()
    kiosk_port = free_ports(1, avoid=[hub_port])
    today = datetime.now(ZONE).date()
    data = tmp_path / "floor"
    seeded = _prepare_v2_site(data, kiosk_port, today)
    options = DemoOptions(
        data=data,
        speed=0.1,  # the simulated people act every 40 s: the officer has the kiosk to himself
        hub_port=hub_port,
        kiosk_port=kiosk_port,
        kiosk_lines=("L1",),
    )
    demo = Demo(options)
    db = hubdb.connect(str(data / "hub" / "hub.sqlite3"))
    try:
        db.bind([Inmate, Badge])
        number, rated_number = (str(Inmate.get_by_id(i).number) for i in (seeded.maker, seeded.rated))
        badge = str(Badge.get((Badge.person == seeded.maker) & Badge.revoked_ms.is_null()).badge)
    finally:
        db.close()
    try:
        demo.start()
        yield Floor(
            demo,
            today,
            seeded.board_day,
            seeded.locked,
            seeded.rated,
            seeded.maker,
            number,
            rated_number,
            badge,
            seeded.product,
            seeded.step,
        )
    finally:
        demo.stop()


browser = browser_fixture()


def wait_for(driver: webdriver.Chrome, condition: Callable[[str], bool], timeout: float, what: str) -> str:
    return support.wait_for(driver, condition, timeout, what, failure_shot="v2-failed")


def sign_in(driver: webdriver.Chrome, base: str, username: str) -> None:
    support.sign_in(driver, base, username, PASSWORD, failure_shot="v2-failed")


def grading_screen(driver: webdriver.Chrome) -> None:
    """Back on the officer's grading screen if the kiosk closed it meanwhile (it closes after 20 s
    without a touch, which a loaded test machine can take between two steps)."""
    if "请刷卡" in text_of(driver):
        typed(driver, OFFICER_BADGE)
        wait_for(driver, lambda t: "评分" in t, 30, "the officer's screen did not open again")
        click(driver, "评分", prefix=True)
        wait_for(driver, lambda t: "岗位评级" in t, 30, "the grading screen did not open again")


def previous_day_graded(driver: webdriver.Chrome, day: date, grade: str) -> None:
    """On the grading screen, 上一工作日 (`day`), its one missing grade, then `grade`. Each step waits
    for the screen of that day by its title: today's screen reads 已全部评级 too, until it redraws. A
    loaded machine can take the kiosk's 20 s without a touch between two steps: back to the officer's
    screen then, and the day chosen again (the grade is given once: its tap is what the test waits on)."""
    title = f"岗位评级 {day.isoformat()}"
    for _ in range(3):
        grading_screen(driver)
        click(driver, "上一工作日")
        shown = wait_for(driver, lambda t: title in t or "请刷卡" in t, 30, "the previous day's screen")
        if "请刷卡" in shown:
            continue
        if "已全部评级" in shown:  # given on a try whose confirmation the idle screen hid
            return
        assert "尚有 1 人未评" in shown, shown
        click(driver, grade)
        done = wait_for(
            driver,
            lambda t: (title in t and "已全部评级" in t) or "请刷卡" in t,
            30,
            "the previous day's grade",
        )
        if "已全部评级" in done:
            return
    pytest.fail("the previous day's grade could not be given in three tries")


def wait_rows(floor: Floor, what: str, ready: Callable[[], bool], timeout: float = 60) -> None:
    """Poll the hub's database (read only) until the kiosk's records have been applied."""
    db = hubdb.connect(f"sqlite:///{floor.db_path}")
    db.bind([cap.Grade, cap.Reject, cap.Deduction])
    try:
        deadline = time.monotonic() + timeout
        while not ready():
            assert time.monotonic() < deadline, f"the hub did not apply {what} within {timeout:.0f} s"
            time.sleep(0.3)
    finally:
        db.close()


def propose(driver: webdriver.Chrome, base: str, month: str, floor: Floor, day: date) -> None:
    driver.get(f"{base}/deductions?month={month}")
    wait_for(driver, lambda t: "提出扣分" in t, 60, "the deductions page did not load")
    ready(driver)
    choose(driver, "罪犯", floor.maker_number)
    choose(driver, "类别", "质量：1～5 分")
    field(driver, "扣分分值").send_keys("2")
    day_input = field(driver, "发生日期")
    day_input.send_keys(Keys.CONTROL, "a")  # clear() does not reach Vue's model
    day_input.send_keys(Keys.DELETE)
    day_input.send_keys(day.isoformat())
    assert day_input.get_attribute("value") == day.isoformat()
    field(driver, "原因").send_keys(REASON)
    assert field(driver, "原因").get_attribute("value") == REASON
    click(driver, "提出扣分")


def test_grades_rejects_and_deductions_go_from_the_floor_to_the_score(
    floor: Floor, browser: webdriver.Chrome
) -> None:
    """The officer grades the cook B at the kiosk and records 3 rejects of the maker's work from a
    scanned ticket; line1 proposes a 2-point deduction on the dashboard, area1 confirms it; the board
    shows the grade, the monthly page and the export carry the grade's credit, the rejects and
    deduct_points 2; verify passes; the same deduction in the locked last month is refused."""
    demo = floor.demo
    base = f"http://127.0.0.1:{demo.options.hub_port}"
    kiosk = demo.kiosks[0]
    today = floor.today

    # -- the kiosk: grade, then rejects from a ticket ------------------------------------------------
    browser.get(f"http://127.0.0.1:{kiosk.port}/")
    wait_for(browser, lambda t: "请刷卡" in t or "继续" in t, 120, "no kiosk screen")
    ready(browser)
    if "继续" in text_of(browser):
        click(browser, "继续")
    ticket = encode_bundle_ticket(
        BundleTicket(product=floor.product, step=floor.step, bundle_id=BUNDLE, units=20)
    )
    wait_for(browser, lambda t: "请刷卡" in t, 30, "the kiosk is not idle")
    typed(browser, floor.maker_badge)  # the maker counts the bundle from its ticket
    if "未签到" in wait_for(browser, lambda t: "已签到" in t or "未签到" in t, 30, "the maker's screen"):
        click(browser, "签到")
        wait_for(browser, lambda t: "已签到" in t, 30, "the maker was not checked in")
    typed(browser, ticket)
    wait_for(browser, lambda t: "已记录 20 件" in t, 30, "the maker's bundle was not counted")
    click(browser, "完成")
    wait_for(browser, lambda t: "请刷卡" in t, 30, "the kiosk did not return to idle")

    typed(browser, OFFICER_BADGE)
    # missing: the cook's grade of today and of the board's day (the previous workday)
    wait_for(browser, lambda t: "评分（2）" in t, 30, "the officer's screen does not offer 评分（2）")
    click(browser, "评分", prefix=True)
    wait_for(browser, lambda t: "尚有 1 人未评" in t, 30, "the grading screen did not list the cook")
    click(browser, "B")
    wait_for(browser, lambda t: "已全部评级" in t, 30, "today's grade was not recorded")
    previous_day_graded(browser, floor.board_day, "A")  # the day the board shows
    shot(browser, "v2-kiosk-graded")

    grading_screen(browser)
    typed(browser, ticket)  # the inspector scans the same ticket: its maker is who counted it
    panel = wait_for(
        browser,
        lambda t: f"扎票 {BUNDLE}：请登记次品件数" in t or "请选择本线人员" in t,
        30,
        "the ticket did not open the reject panel",
    )
    if "请选择本线人员" in panel:  # several hold the ticket's step today: the officer picks the maker
        click(browser, floor.maker_number, prefix=True)
    click(browser, "缝制不良")
    for key in ("3", "确定"):
        click(browser, key)
    wait_for(browser, lambda t: "次品 3 件" in t, 30, "the reject was not recorded")
    shot(browser, "v2-kiosk-rejects")

    wait_rows(
        floor,
        "the kiosk's grade and reject",
        lambda: (
            cap.Grade.select().where((cap.Grade.inmate == floor.rated) & (cap.Grade.grade == "B")).exists()
            and cap.Grade.select()
            .where(
                (cap.Grade.inmate == floor.rated)
                & (cap.Grade.day == floor.board_day.isoformat())
                & (cap.Grade.grade == "A")
            )
            .exists()
            and cap.Reject.select().where(cap.Reject.inmate == floor.maker).exists()
        ),
    )

    # -- the dashboard: four eyes on a deduction -----------------------------------------------------
    month = today.strftime("%Y-%m")
    sign_in(browser, base, "line1")
    propose(browser, base, month, floor, today)
    wait_for(browser, lambda t: "待另一名民警确认" in t or REASON in t, 60, "the deduction was not proposed")
    sign_in(browser, base, "area1")
    browser.get(f"{base}/deductions?month={month}")
    wait_for(browser, lambda t: REASON in t, 60, "area1 does not see the proposal")
    ready(browser)
    click(browser, "确认")
    wait_for(browser, lambda t: "已由 李明华" in t, 60, "the deduction was not confirmed")
    shot(browser, "v2-deduction-confirmed")

    # -- the same deduction in the locked month is refused --------------------------------------------
    sign_in(browser, base, "line1")
    locked_day = floor.locked.last_day
    propose(browser, base, str(floor.locked), floor, locked_day)
    wait_for(browser, lambda t: f"{floor.locked} 已审批锁定" in t, 30, "the locked month took a deduction")
    shot(browser, "v2-locked-refused")

    # -- where the numbers show -----------------------------------------------------------------------
    browser.get(f"{base}/monthly?area=A1&month={month}")
    page = wait_for(browser, lambda t: "审批状态" in t and floor.maker_number in t, 180, "no monthly page")
    shot(browser, "v2-monthly")

    browser.get(f"{base}/board/L1?token={demo.tokens['L1']}")
    graded = re.compile(
        rf"{floor.rated_number}\s+\S+\s+厨房\s+—\s+A\s"
    )  # number, name, post, no quota, grade
    # the board turns its pages by itself (8 s each): the cook's row comes round
    wait_for(browser, lambda t: graded.search(t) is not None, 90, "the board does not show the cook's A")
    shot(browser, "v2-board")

    db = hubdb.connect(f"sqlite:///{floor.db_path}")
    try:
        review = assessment_service(db, record_act=None, today=lambda: today, clock_ms=_now_ms)
        view = review.month_view(Month.of(today), "A1")
        rows = {
            r["inmate_id"]: r
            for r in exports.export_rows(
                view, export_time=datetime.now(ZONE), checkpoint_root="", adjustments={}, days=None
            )
        }
        result, _ = review.month_result(Month.of(today))
    finally:
        db.close()
    maker, cook = rows[floor.maker], rows[floor.rated]
    assert (maker["deduct_points"], maker["labor_assessed"]) == ("2.0", True)
    assert maker["deduction_detail"] == [
        {"category": "quality", "points": "2", "day": today.isoformat(), "reason": REASON}
    ]
    assert Decimal(maker["labor_points"]) == Decimal(maker["base_points"]) - 2
    assert cook["labor_assessed"] is True
    assert cook["rule_set_version"].endswith("JX-V2")
    [made] = [d for d in result.daily if d.inmate == floor.maker and d.day == today and d.step == floor.step]
    assert made.rejected_units == 3  # the reject came off his credit of the day
    assert REASON in page  # the monthly page lists the deduction with its reason
    assert floor.maker_number in page

    verified = run(
        "verify",
        "--db",
        f"sqlite:///{floor.db_path}",
        "--hub-key-pub",
        keyfile.load_or_create(demo.data / "hub" / "hub.key")[0].public_key_b64,
        "--workers",
        "1",
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
