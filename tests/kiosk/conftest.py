"""Fixtures for the kiosk's session and UI tests: a line plan of two inmates and an officer."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from nicegui.testing import User, user_simulation

from devices.api import BadgeReaderConfig, BadgeReaderSimulation, CodeScannerConfig, CodeScannerSimulation
from kiosk.clock import KioskClock
from kiosk.session import Limits
from kiosk.store import KioskStore
from kiosk.ui import Enrollment, KioskController, kiosk_page
from protocol.messages import DayResult, LinePlan, PlanPerson
from protocol.records import GENESIS_HASH, Body, Record
from protocol.signing import Signer

KIOSK = "K01"
LINE = "L1"
DAY = "2026-10-05"
YESTERDAY = "2026-10-04"


def make_plan(*, line: str = LINE, product: str | None = "P1", hub_ms: int = 1_791_190_800_000) -> LinePlan:
    """Line L1 making P1: inmate 1001 at step S2 (quota 120), inmate 1002 at S3, officer O7,
    and inmate 1003 who is listed without a post on this line today."""
    return LinePlan(
        hub="site1",
        line=line,
        line_name="一号线",
        area_name="一监区",
        day=DAY,
        hub_ms=hub_ms,
        revision=1,
        product=product,
        product_name="工装裤",
        people=(
            PlanPerson(
                id="1001",
                name="张三",
                role="inmate",
                badges=("B1001",),
                product="P1",
                step="S2",
                step_name="缝裤腰",
                quota_units="120",
                yesterday=DayResult(
                    day=YESTERDAY,
                    quota_units="120",
                    done_units="110",
                    diff_units="-10",
                    completion_pct="91.67",
                ),
            ),
            PlanPerson(
                id="1002",
                name="李四",
                role="inmate",
                badges=("B1002",),
                product="P1",
                step="S3",
                step_name="锁边",
                quota_units="80.5",
            ),
            PlanPerson(id="1003", name="王五", role="inmate", badges=("B1003",)),
            PlanPerson(id="O7", name="赵警官", role="officer", badges=("B9007",)),
        ),
    )


def make_records(bodies: Iterable[Body], *, kiosk: str = KIOSK) -> list[Record]:
    """Records as the store would hold them (unsigned: the session only reads their bodies)."""
    return [
        Record(kiosk=kiosk, seq=i, prev=GENESIS_HASH, boot="b1", wall_ms=1_000 * i, mono_ms=1_000 * i, body=b)
        for i, b in enumerate(bodies, start=1)
    ]


# ---- UI fixtures ----------------------------------------------------------------------------------


class FakeTime:
    """Wall and monotonic clocks the test moves by hand (09:00 on DAY in Shanghai at start)."""

    def __init__(self) -> None:
        self.wall_ns = 1_791_162_000_000 * 1_000_000
        self.mono_ns = 3_600_000 * 1_000_000

    def advance(self, ms: int) -> None:
        self.wall_ns += ms * 1_000_000
        self.mono_ns += ms * 1_000_000

    def seconds(self) -> float:
        return self.mono_ns / 1e9


@dataclass
class KioskHarness:
    user: User
    ctrl: KioskController
    store: KioskStore
    time: FakeTime
    badge: BadgeReaderSimulation
    scanner: CodeScannerSimulation

    async def tap(self, badge: str) -> None:
        """An inmate or officer holds a badge to the (simulated) reader; returns once it was handled."""
        self.time.advance(3_000)  # past the reader's repeat window
        self.badge.present(badge)
        await self.ctrl.settle()

    async def scan(self, action: Callable[[], None]) -> None:
        """Scan with the simulated scanner; returns once the code was handled."""
        self.time.advance(3_000)  # past the scanner's repeat window
        action()
        await self.ctrl.settle()

    def bodies(self) -> list[Body]:
        return [r.body for r in self.store.records_for_day(DAY)]

    async def click(self, marker: str) -> None:
        await self.user.should_see(marker=marker)
        self.user.find(marker=marker).click()

    async def type_units(self, digits: str) -> None:
        for digit in digits:
            await self.click(f"key-{digit}")
        await self.click("key-ok")


def build_controller(
    tmp_path: Path, fake: FakeTime, *, plan: LinePlan | None = None, enrollment: Enrollment | None = None
) -> tuple[KioskController, KioskStore]:
    clock = KioskClock(wall=lambda: fake.wall_ns, mono=lambda: fake.mono_ns, boot_id="b1")
    store = KioskStore(tmp_path / "kiosk.db", KIOSK, Signer.generate(), clock)
    ctrl = KioskController(
        kiosk_id=KIOSK,
        line=LINE,
        store=store,
        clock=clock,
        limits=Limits(max_units_per_entry=500),
        enrollment=enrollment,
    )
    if plan is not None:
        ctrl.post_plan(plan)
    return ctrl, store


@contextlib.asynccontextmanager
async def kiosk_harness(tmp_path: Path, plan: LinePlan) -> AsyncIterator[KioskHarness]:
    """The kiosk page on a real KioskStore (tmp SQLite) with `plan`, fed by simulated badge reader
    and scanner."""
    fake = FakeTime()
    ctrl, store = build_controller(tmp_path, fake, plan=plan)
    badge = BadgeReaderSimulation(
        BadgeReaderConfig(name="badge0", url="sim://badge0"),
        clock=fake.seconds,
        on_event=ctrl.post_device_event,
    )
    scanner = CodeScannerSimulation(
        CodeScannerConfig(name="qr0", url="sim://qr0"), clock=fake.seconds, on_event=ctrl.post_device_event
    )
    try:
        async with user_simulation(root=lambda: kiosk_page(ctrl)) as user:
            await user.open("/")
            badge.start()
            scanner.start()
            yield KioskHarness(user, ctrl, store, fake, badge, scanner)
            badge.stop()
            scanner.stop()
    finally:
        store.close()


@pytest.fixture
async def kiosk(tmp_path: Path) -> AsyncIterator[KioskHarness]:
    """The kiosk page with the two-inmate plan of `make_plan`."""
    async with kiosk_harness(tmp_path, make_plan()) as harness:
        yield harness


def make_v2_plan() -> LinePlan:
    """`make_plan` in a rule book v2 month: also 1004 on the rated kitchen post (graded B yesterday
    on the dashboard), 1005 in a training period (training quota 60), 1006 exempt from labor."""
    base = make_plan()
    extra = (
        PlanPerson(
            id="1004",
            name="钱六",
            role="inmate",
            badges=("B1004",),
            step_name="厨房",
            post="KITCHEN",
            grades=((YESTERDAY, "B"),),
        ),
        PlanPerson(
            id="1005",
            name="孙七",
            role="inmate",
            badges=("B1005",),
            product="P1",
            step="S3",
            step_name="锁边",
            quota_units="60",
            training=True,
        ),
        PlanPerson(
            id="1006",
            name="周八",
            role="inmate",
            badges=("B1006",),
            product="P1",
            step="S4",
            step_name="钉扣",
            exempt=True,
        ),
    )
    return dataclasses.replace(base, people=(*base.people, *extra), grades=("A", "B", "C", "D"))
