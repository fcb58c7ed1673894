"""The kiosk's screen model: runs the pure session against the real store, one input at a time.

Everything that changes what the screen shows passes through here on the UI's event loop: taps
(awaited by the page), device events (from driver threads, handed over with
`run_coroutine_threadsafe`), line plans and link state (from the uplink's threads). Inputs are
handled one at a time under a lock, and the store append finishes (in a worker thread) *before*
the new state is published, so "OK" on screen means the record is on disk.

Device events are queued and handled in arrival order by one task; a run of counter units waiting
in that queue is committed together (one transaction, one fsync) instead of one commit each. A
counter busy at 20 counts a second on a loaded machine otherwise built a queue of commits that a
tap on 签到 waited behind (over 1 s). The order of inputs is kept: a count is credited to whoever
held its step when it arrived, so the tap is not moved ahead of earlier counts, only the wait for
them is shortened.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from nicegui import run

from devices.events import (
    BadgeRead,
    BundleTicketScanned,
    CodeScanned,
    CounterReset,
    DeviceConnected,
    DeviceDisconnected,
    DeviceEvent,
    DeviceFault,
    PersonScanned,
    TicketError,
    UnitsCounted,
    format_event,
)
from kiosk import inputs
from kiosk import session as s
from kiosk.errors import KioskError, StorageFull
from protocol.codes import claimed_kind
from protocol.errors import ProtocolError
from protocol.fields import clean_text
from protocol.messages import LinePlan
from protocol.records import Body, Record, SignedRecord, body_from_dict, body_to_dict
from protocol.records import DeviceFault as DeviceFaultRecord

log = logging.getLogger(__name__)


class Store(Protocol):
    """The part of kiosk.store.KioskStore the screen uses."""

    def append(self, body: Body, *, counter_total: tuple[str, int] | None = None) -> SignedRecord: ...
    def append_many(
        self, bodies: Sequence[Body], *, counter_totals: Mapping[str, int] | None = None
    ) -> list[SignedRecord]: ...
    def pending_count(self) -> int: ...
    def acked_seq(self) -> int: ...
    def records_for_day(self, day: str) -> list[Record]: ...


class Clock(Protocol):
    def mono_ms(self) -> int: ...
    def today(self) -> str: ...
    def hub_ms(self) -> int: ...
    def now(self) -> datetime: ...

    @property
    def offset_ms(self) -> int: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkStatus:
    connected: bool = False
    pending: int = 0
    clock_offset_ms: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Enrollment:
    """Shown on first start: the kiosk's id, key fingerprint and the enrollment QR text."""

    kiosk: str
    fingerprint: str
    public_key_b64: str

    @property
    def qr_text(self) -> str:
        return f"floorledger-enroll:1:{self.kiosk}:{self.public_key_b64}"


def input_for(event: DeviceEvent) -> inputs.Input | None:
    """The session input a device event stands for; None for events that only concern the log."""
    match event:
        case BadgeRead(badge_id=badge):
            return inputs.BadgeTapped(badge=badge)
        case PersonScanned(person_id=person):
            return inputs.PersonCodeScanned(person=person)
        case BundleTicketScanned(product=product, step=step_id, bundle_id=bundle, units=units):
            return inputs.TicketScanned(product=product, step=step_id, bundle=bundle, units=units)
        case TicketError(code=code):
            return inputs.BadCode(code=code, ticket=claimed_kind(code) == "ticket")
        case CodeScanned(code=code):
            return inputs.BadCode(code=code)
    return None


class KioskController:
    def __init__(
        self,
        *,
        kiosk_id: str,
        line: str,
        store: Store,
        clock: Clock,
        limits: s.Limits | None = None,
        language: str = "zh",
        enrollment: Enrollment | None = None,
        on_appended: Callable[[], None] | None = None,
        counter_steps: Mapping[str, str] | None = None,
    ) -> None:
        self.kiosk_id = kiosk_id
        self.line = line
        self.store = store
        self.clock = clock
        self.limits = limits or s.Limits()
        self.language = language
        self.enrollment = enrollment  # None once dismissed or when the kiosk is known to the hub
        self.on_appended = on_appended
        self.state = s.State()
        self.plan: LinePlan | None = None
        self.link = LinkStatus(pending=store.pending_count())
        self.storage_full = False
        self.feedback = 0  # bumps with every message, so each page beeps once per message
        self._records: list[Record] = []
        self._records_key: tuple[str, ...] = ()
        self._listeners: list[Callable[[], None]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._inflight: set[concurrent.futures.Future[None]] = set()
        self._inflight_lock = threading.Lock()
        # Device inputs (and device faults to record) waiting for the drain task, in arrival order;
        # both guarded by _inflight_lock, as the drivers' threads add to them.
        self._device_queue: deque[inputs.Input | DeviceFaultRecord] = deque()
        self._draining = False
        self._next_link: LinkStatus | None = None  # the uplink's latest state, not yet shown
        self._devices_up: dict[str, bool] = {}
        self.counter_steps: dict[str, str] = dict(counter_steps or {})  # counter name -> step it counts
        self._unmapped_reported: set[str] = set()  # counters without a step, recorded once per boot
        self._unstored_units: dict[str, int] = {}  # counter units the store refused (disk full), per device

    # -- wiring ----------------------------------------------------------------------------------

    def attach_loop(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._loop is not loop:
            self._loop = loop
            self._lock = asyncio.Lock()

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` (on the loop) after every change; returns the function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _changed(self) -> None:
        for listener in list(self._listeners):
            try:
                listener()
            except Exception:  # one broken page must not stop the kiosk
                log.exception("screen listener failed")

    def _call_on_loop(self, fn: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            fn()  # before the UI runs (e.g. the saved plan replayed at start): nothing to refresh yet
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            fn()
            return
        try:
            loop.call_soon_threadsafe(fn)
        except RuntimeError:  # the loop closed meanwhile: shutting down, nothing left to show
            log.debug("screen update after the UI stopped, ignored")

    # -- from other threads ----------------------------------------------------------------------

    def post_device_event(self, event: DeviceEvent) -> None:
        """The devices' `on_event`: safe from any thread; returns at once."""
        inp = input_for(event) or self._counter_input(event)
        fault = None if inp is not None else self._fault_for(event)
        if inp is None and fault is None:
            log.debug("device: %s", format_event(event))
            return
        loop = self._loop
        if loop is None or loop.is_closed():
            log.warning("device event before the screen is up, dropped: %s", format_event(event))
            return
        item: inputs.Input | DeviceFaultRecord
        if inp is not None:
            item = inp
        else:
            assert fault is not None
            item = fault
        with self._inflight_lock:
            self._device_queue.append(item)
            if self._draining:
                return  # the running drain takes it in turn
            self._draining = True
        try:
            future = asyncio.run_coroutine_threadsafe(self._drain_devices(), loop)
        except RuntimeError:  # the loop closed meanwhile (shutting down): drivers must not see errors
            with self._inflight_lock:
                self._draining = False
                self._device_queue.clear()
            log.warning("device event while shutting down, dropped: %s", format_event(event))
            return
        with self._inflight_lock:
            self._inflight.add(future)
        future.add_done_callback(self._done)

    async def _drain_devices(self) -> None:
        """Handle the queued device inputs in order until none is left; a run of counter units is
        taken (and committed) at once."""
        while True:
            with self._inflight_lock:
                if not self._device_queue:
                    self._draining = False
                    return
                first = self._device_queue[0]
                if not isinstance(first, inputs.CounterUnits):
                    self._device_queue.popleft()
            try:
                if isinstance(first, inputs.CounterUnits):
                    await self._count_batch()  # the run at the head, taken under the screen's lock
                elif isinstance(first, DeviceFaultRecord):
                    await self._record(first)
                else:
                    await self._handle(first)  # queued after it: not before it
            except Exception:  # one failed input must not stop the devices' queue
                log.exception("device input failed")

    def _counter_input(self, event: DeviceEvent) -> inputs.Input | None:
        """A configured counter's units, as the session input that credits them to the step's holder."""
        if isinstance(event, UnitsCounted) and event.device in self.counter_steps:
            log.debug("device: %s", format_event(event))
            return inputs.CounterUnits(
                device=event.device,
                step=self.counter_steps[event.device],
                units=event.units,
                total=event.total,
            )
        return None

    def _fault_for(self, event: DeviceEvent) -> DeviceFaultRecord | None:
        """A device problem worth a record: a lost device (once per loss), a counter reset, a fault."""
        with self._inflight_lock:
            match event:
                case DeviceConnected(device=device):
                    self._devices_up[device] = True
                case DeviceDisconnected(device=device, reason=reason):
                    was_up = self._devices_up.get(device, True)
                    self._devices_up[device] = False
                    if was_up:  # drivers retry with backoff: record the loss, not every retry
                        return DeviceFaultRecord(
                            device=device, fault="disconnected", detail=clean_text(reason)
                        )
                case CounterReset(device=device, previous_total=before, total=after):
                    return DeviceFaultRecord(
                        device=device, fault="counter_reset", detail=f"{before} -> {after}"
                    )
                case DeviceFault(device=device, reason=reason):
                    return DeviceFaultRecord(device=device, fault="device_fault", detail=clean_text(reason))
                case UnitsCounted(device=device, units=units, total=total):
                    # Not in [counter_steps]: nobody can be credited. Record it once per boot so an
                    # officer sees that a counter is counting for nothing; later units are only logged.
                    if device not in self._unmapped_reported:
                        self._unmapped_reported.add(device)
                        log.warning(
                            "counter %s has no step in [counter_steps]: its units are not credited", device
                        )
                        return DeviceFaultRecord(
                            device=device,
                            fault="unmapped_counter",
                            detail=f"{units} units (total {total}); no [counter_steps] entry",
                        )
        return None

    async def _record(self, body: Body) -> None:
        """Store a record that changes nothing on screen (a device fault)."""
        self.attach_loop(asyncio.get_running_loop())
        assert self._lock is not None
        async with self._lock:
            if await self._append((body,)) is None:
                self._changed()

    def _done(self, future: concurrent.futures.Future[None]) -> None:
        with self._inflight_lock:
            self._inflight.discard(future)
        if not future.cancelled() and future.exception() is not None:
            log.error("device input failed", exc_info=future.exception())

    async def settle(self) -> None:
        """Wait until every device event handed over so far has been handled (tests, benchmarks)."""
        while True:
            with self._inflight_lock:
                pending = list(self._inflight)
            for future in pending:
                await asyncio.wrap_future(future)
            if self._lock is not None:
                async with self._lock:  # a tap's handler may be committing the queued counts itself
                    pass
            with self._inflight_lock:
                if not self._inflight and not self._device_queue and not self._draining:
                    return

    def post_plan(self, plan: LinePlan, frame: bytes = b"") -> None:
        """The uplink's `on_plan`: a verified plan for this line (from any thread)."""

        def apply() -> None:
            # The records held stay: `records()` reloads only when this plan asks about other days. A
            # new revision of the same day (every few seconds while the hub edits) used to drop them
            # and reparse the whole day on the screen's loop, holding up the next tap.
            self.plan = plan
            self._changed()

        self._call_on_loop(apply)

    def post_link(self, connected: bool, pending: int, clock_offset_ms: int, acked_seq: int = 0) -> None:
        """The uplink's state (from any thread). A busy uplink reports after every ack: only the
        latest state waiting is shown, in one redraw, instead of one redraw per ack."""
        link = LinkStatus(connected=connected, pending=pending, clock_offset_ms=clock_offset_ms)
        with self._inflight_lock:
            queued = self._next_link is not None
            self._next_link = link
        if queued:
            return  # the apply already on its way shows this one

        def apply() -> None:
            with self._inflight_lock:
                latest, self._next_link = self._next_link, None
            if latest is not None and latest != self.link:
                self.link = latest
                self._changed()

        self._call_on_loop(apply)

    def post_enrolled(self) -> None:
        """The hub acknowledged our records, so it knows our key: leave the enrollment screen (any thread)."""
        self._call_on_loop(self.dismiss_enrollment)

    # -- reading ---------------------------------------------------------------------------------

    def _days(self) -> tuple[str, ...]:
        today = self.clock.today()
        days = [today]
        if self.plan is not None:
            days += sorted({p.yesterday.day for p in self.plan.people if p.yesterday is not None} - {today})
            if self.plan.grades:  # rule book v2: the previous workday is gradable, its grades shown
                days += sorted({s.previous_day(self.plan, today)} - set(days))
        return tuple(days)

    def _load(self, days: tuple[str, ...]) -> None:
        self._records = [r for day in days for r in self.store.records_for_day(day)]
        self._records_key = days

    def records(self) -> Sequence[Record]:
        """Today's records and those of the days the plan asks people to confirm (cached; loaded
        in a worker thread by `handle`, so drawing a page does not normally touch the disk)."""
        days = self._days()
        if days != self._records_key:
            self._load(days)
        return self._records

    async def _ensure_records(self) -> None:
        days = self._days()
        if days != self._records_key:
            await run.io_bound(self._load, days)

    def context(self) -> s.Context:
        return s.Context(
            kiosk=self.kiosk_id,
            line=self.line,
            day=self.clock.today(),
            now_ms=self.clock.mono_ms(),
            plan=self.plan,
            records=self.records(),
            limits=self.limits,
        )

    @property
    def clock_warning_seconds(self) -> int | None:
        offset = self.clock.offset_ms
        return round(abs(offset) / 1000) if abs(offset) > 60_000 else None

    # -- handling --------------------------------------------------------------------------------

    async def handle(self, event: inputs.Input) -> None:
        """Run one input through the session; appends its records before the screen changes.

        Counter units still queued when it gets its turn arrived before it: they are committed first
        (together), so that a 签退 does not take away units counted while he was still checked in."""
        await self._handle(event, counts_first=not isinstance(event, inputs.Tick))

    def _queued_counts(self) -> list[inputs.CounterUnits]:
        """Take the run of counter units at the head of the device queue (the drain's next batch)."""
        counts: list[inputs.CounterUnits] = []
        with self._inflight_lock:
            while self._device_queue and isinstance(self._device_queue[0], inputs.CounterUnits):
                counts.append(self._device_queue.popleft())  # type: ignore[arg-type]
        return counts

    async def _handle(self, event: inputs.Input, *, counts_first: bool = False) -> None:
        self.attach_loop(asyncio.get_running_loop())
        assert self._lock is not None
        async with self._lock:
            await self._ensure_records()
            earlier = self._queued_counts() if counts_first else []
            if earlier:
                await self._count_units(earlier)
            if isinstance(event, inputs.CounterUnits):
                await self._count_units([event])
                return
            before = self.state
            outcome = s.step(before, event, self.context())
            if outcome.bodies:
                problem = await self._append(outcome.bodies)
                if problem is not None:
                    self.state = dataclasses.replace(
                        before,
                        last_ms=outcome.state.last_ms,
                        message=s.Message(key=problem, ok=False),
                        message_ms=outcome.state.last_ms,
                    )
                    self.feedback += 1
                    self._changed()
                    return
            if outcome.state == before:
                return  # a tick that changed nothing: no redraw
            if not isinstance(event, inputs.Tick):
                self.feedback += 1
            self.state = outcome.state
            self._changed()

    async def _count_batch(self) -> None:
        self.attach_loop(asyncio.get_running_loop())
        assert self._lock is not None
        async with self._lock:
            await self._ensure_records()
            events = self._queued_counts()  # a tap that had the lock first may have taken them
            if events:
                await self._count_units(events)

    async def _count_units(self, events: Sequence[inputs.CounterUnits]) -> None:
        """Store counters' units (under the lock), all in one commit. The screen state is left alone:
        the person on screen stays, with no message, beep or flash; only the counts shown are redrawn.
        If the store refuses them (disk full), every device's units of the run are kept for its next
        count: none is lost, none is stored twice."""
        bodies: list[Body] = []
        totals: dict[str, int] = {}
        units: dict[str, int] = {}  # per device: the units these bodies carry (kept if refused)
        for event in events:
            held = self._unstored_units.pop(event.device, 0)
            if held:  # units the store refused earlier (disk full) go with this event, not lost
                event = dataclasses.replace(event, units=event.units + held)
            units[event.device] = units.get(event.device, 0) + event.units
            bodies.extend(s.step(self.state, event, self.context()).bodies)
            if event.total is not None:  # the reading up to which units are stored: a restart resumes there
                totals[event.device] = event.total
        if not bodies:
            return
        if await self._append(tuple(bodies), counter_totals=totals) is not None:
            for device, left in units.items():
                self._unstored_units[device] = self._unstored_units.get(device, 0) + left
                log.warning("%d units of counter %s not stored: kept for its next count", left, device)
        self._changed()

    async def _append(
        self, bodies: tuple[Body, ...], *, counter_totals: Mapping[str, int] | None = None
    ) -> str | None:
        """Commit the bodies (with counters' stored-up-to readings: then all in one transaction);
        the message key of the failure, or None when all are on disk."""

        for body in bodies:
            # The hub refuses a malformed record and would stop at it for good (the chain cannot
            # skip it): check every body against the protocol's own schema before it is signed.
            try:
                body_from_dict(body.TYPE, body_to_dict(body))
            except ProtocolError as err:
                log.warning("refused to store an invalid %s: %s", body.TYPE, err)
                return "invalid_entry"

        def append_all() -> list[SignedRecord]:
            if counter_totals is not None:
                return self.store.append_many(bodies, counter_totals=counter_totals)
            return [self.store.append(body) for body in bodies]

        try:
            signed = await run.io_bound(append_all)
        except StorageFull:
            log.warning("storage full: refused %s", ", ".join(b.TYPE for b in bodies))
            self.storage_full = True
            return "storage_full"
        except KioskError:
            log.exception("could not store a record")
            return "store_error"
        if signed is None:  # shutting down: the screen must not claim it was saved
            return "store_error"
        self.storage_full = False
        self._records.extend(sr.record for sr in signed)
        self.link = dataclasses.replace(self.link, pending=self.store.pending_count())
        if self.on_appended is not None:
            self.on_appended()
        return None

    def touch(self) -> None:
        """A tap that stays on this page (a keypad digit, opening a panel) keeps the screen from idling."""
        self.state = dataclasses.replace(self.state, last_ms=self.clock.mono_ms())

    async def tick(self) -> None:
        await self.handle(inputs.Tick())

    def set_language(self, language: str) -> None:
        self.language = language
        self._changed()

    def dismiss_enrollment(self) -> None:
        if self.enrollment is not None:
            self.enrollment = None
            self._changed()
