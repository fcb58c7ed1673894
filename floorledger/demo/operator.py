"""A simulated shift at one kiosk: people tap badges, scan bundle tickets, a unit counter counts
the one-person station, and the line officer enters the warehoused count — through the real pty
devices and the kiosk's real input handling.

Badge taps and ticket scans go through the simulated hardware (pty -> driver -> kiosk), exactly as a
reader would send them; the buttons a person would press (check in, 完成, 入库数) are the same
inputs the touchscreen produces. Nothing here writes records itself.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable

from devices.simulators import BadgeReaderSimulator, CodeScannerSimulator, SerialCounterSimulator
from kiosk import inputs
from kiosk import session as s
from kiosk.ui.controller import KioskController
from protocol.messages import LinePlan, PlanPerson
from protocol.records import UnitCount, WarehousedCount

log = logging.getLogger(__name__)

BASE_INTERVAL_S = 4.0  # seconds between two actions at speed 1
WAREHOUSE_EVERY = 10  # the officer books finished units after this many ticket scans


class Operator:
    def __init__(
        self,
        controller: Callable[[], KioskController | None],
        badge: BadgeReaderSimulator,
        scanner: CodeScannerSimulator,
        *,
        speed: float,
        seed: int,
        counter: SerialCounterSimulator | None = None,
        counter_step: str | None = None,
        on_count: Callable[[int], object] | None = None,
    ) -> None:
        self._controller = controller
        self.badge = badge
        self.scanner = scanner
        self.counter = counter
        self.counter_step = counter_step if counter is not None else None
        self.on_count = on_count
        self.interval = BASE_INTERVAL_S / max(speed, 0.1)
        self.rng = random.Random(seed)
        self.bundle = 0
        self.unbooked = 0

    async def run(self) -> None:
        try:
            ctrl, plan = await self._wait_for_plan()
            # who works a counted step today: not a rated post (graded), not an inmate exempt from labor
            inmates = [p for p in plan.people if p.role == "inmate" and p.step and p.badges and not p.exempt]
            officers = [p for p in plan.people if p.role == "officer" and p.badges]
            if not inmates:
                log.warning("the line plan lists nobody to simulate")
                return
            for person in inmates:  # the morning: everybody checks in
                await self._check_in(ctrl, person)
            # the counter's station reports no tickets: its counter counts for it
            reporting = [p for p in inmates if p.step != self.counter_step] or inmates
            scans = 0
            while True:
                await self._report(ctrl, self.rng.choice(reporting))
                self._run_counter()
                scans += 1
                if officers and scans % WAREHOUSE_EVERY == 0:
                    await self._book_warehouse(ctrl, officers[0])
        except asyncio.CancelledError:
            raise
        except Exception:  # the demo's operator must never take the kiosk down with it
            log.exception("the simulated operator stopped")

    def _run_counter(self) -> None:
        """The counter's station made a few units since the last action (the counter reports its
        new total on the pty, the kiosk credits the difference to the station's holder)."""
        if self.counter is None:
            return
        self.counter.count(self.rng.randint(1, 4))
        if self.on_count is not None:
            self.on_count(self.counter.total)

    async def _wait_for_plan(self) -> tuple[KioskController, LinePlan]:
        while True:
            ctrl = self._controller()
            plan = s.usable_plan(ctrl.context()) if ctrl is not None else None
            if ctrl is not None and plan is not None:
                return ctrl, plan
            await asyncio.sleep(0.5)

    async def _pause(self, factor: float = 1.0) -> None:
        await asyncio.sleep(self.interval * factor * self.rng.uniform(0.5, 1.5))

    async def _tap(self, ctrl: KioskController, person: PlanPerson) -> bool:
        badge = person.badges[0]
        if not badge.isdigit():
            return False
        self.badge.present(int(badge))
        for _ in range(50):  # the reader's frame reaches the screen within milliseconds
            if ctrl.state.person == person.id:
                return True
            await asyncio.sleep(0.05)
        return False

    async def _check_in(self, ctrl: KioskController, person: PlanPerson) -> None:
        if await self._tap(ctrl, person):
            status = s.person_status(person, ctrl.records(), ctrl.kiosk_id, ctrl.context().day)
            if not status.checked_in:
                await self._pause(0.3)
                await ctrl.handle(inputs.CheckInPressed())
            await self._pause(0.3)
            await ctrl.handle(inputs.DonePressed())
        await self._pause(0.5)

    async def _report(self, ctrl: KioskController, person: PlanPerson) -> None:
        if await self._tap(ctrl, person):
            await self._pause(0.3)
            self.bundle += 1
            units = self.rng.randint(4, 16)
            bundle = f"D{self.rng.randrange(10**6):06d}{self.bundle:04d}"
            self.scanner.scan_ticket(
                product=person.product or "", step=person.step or "", bundle_id=bundle, units=units
            )
            await self._pause(0.4)
            self.unbooked += units
            await ctrl.handle(inputs.DonePressed())
        await self._pause()

    async def _book_warehouse(self, ctrl: KioskController, officer: PlanPerson) -> None:
        """Finished products reach the warehouse a little below what the line counted (rejects)."""
        day = ctrl.context().day
        counted = sum(
            r.body.units for r in ctrl.records() if isinstance(r.body, UnitCount) and r.body.day == day
        )
        booked = max(0, round(counted * self.rng.uniform(0.95, 1.0)) - self._already_booked(ctrl, day))
        if booked and await self._tap(ctrl, officer):
            await self._pause(0.3)
            await ctrl.handle(inputs.WarehousedEntered(text=str(booked)))
            await self._pause(0.3)
            await ctrl.handle(inputs.DonePressed())
        await self._pause()

    @staticmethod
    def _already_booked(ctrl: KioskController, day: str) -> int:
        return sum(
            r.body.units for r in ctrl.records() if isinstance(r.body, WarehousedCount) and r.body.day == day
        )
