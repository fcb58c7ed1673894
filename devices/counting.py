"""From a counter's running totals to units produced: wraps, resets, glitches and missed readings (pure).

Counters report totals, never increments, so the tracker only compares each reading with the last
accepted one. With M the counter's modulus (65536, 2**32, ...) and `max_step` the most units that
can plausibly be produced between two readings:

- forward = (reading - last) mod M. If forward <= max_step it is counted, whether the counter wrapped
  (65535 -> 3 is 4 units) or not. Missed polls and reconnects only make forward bigger, so nothing is
  lost or counted twice; a repeated reading counts 0.
- Anything else (a drop that is not a plausible wrap, or a jump above max_step) is *suspect* and held
  until the next reading decides:
  - the next reading continues from the old total -> the suspect was a glitch (line noise, a bad
    read) and is ignored;
  - the next reading continues from the suspect -> it was real. A drop is a reset (power cycle):
    `CounterReset` is emitted and the new total is counted, because the counter restarted at 0
    (unless the new total is itself above max_step: then the counter was preset to a value, not
    restarted, and only units after it count); a jump (e.g. after a long outage) is counted in full.
- The first reading is the baseline (units counted before the driver started are not ours) unless a
  previous total is given to resume from.

Units counted between the last reading before a reset and the reset itself are unknowable; with
16-bit counters, poll often enough that fewer than `max_step` units pass between readings.
"""

from __future__ import annotations

from devices.events import CounterReset, UnitsCounted


class CounterTracker:
    """Turns successive totals of one counter into `UnitsCounted` and `CounterReset` events."""

    def __init__(self, *, device: str, modulus: int, max_step: int, last_total: int | None = None) -> None:
        if modulus < 4 or not 1 <= max_step < modulus // 2:
            raise ValueError("need modulus >= 4 and 1 <= max_step < modulus / 2")
        if last_total is not None and not 0 <= last_total < modulus:
            raise ValueError("last_total is outside the counter's range")
        self._device = device
        self._modulus = modulus
        self._max_step = max_step
        self._last = last_total
        self._suspect: int | None = None

    @property
    def total(self) -> int | None:
        """The last accepted total (None before the first reading)."""
        return self._last

    @property
    def pending(self) -> int | None:
        """A suspect reading waiting for the next one to confirm or refute it."""
        return self._suspect

    def observe(self, total: int) -> list[UnitsCounted | CounterReset]:
        """Take one reading of the counter and return the events it causes (often none)."""
        if not 0 <= total < self._modulus:
            raise ValueError(f"total {total} is outside the counter's range 0..{self._modulus - 1}")
        last = self._last
        if last is None:
            self._last = total
            return []
        suspect, self._suspect = self._suspect, None
        if suspect is not None and not self._plausible(last, total) and self._plausible(suspect, total):
            return self._confirm(last, suspect, total)
        if self._plausible(last, total):
            return self._advance(last, total)
        self._suspect = total
        return []

    def _plausible(self, before: int, after: int) -> bool:
        return (after - before) % self._modulus <= self._max_step

    def _advance(self, last: int, total: int) -> list[UnitsCounted | CounterReset]:
        self._last = total
        units = (total - last) % self._modulus
        return [UnitsCounted(device=self._device, units=units, total=total)] if units else []

    def _confirm(self, last: int, suspect: int, total: int) -> list[UnitsCounted | CounterReset]:
        events: list[UnitsCounted | CounterReset] = []
        after_suspect = (total - suspect) % self._modulus
        if suspect < last:
            events.append(CounterReset(device=self._device, previous_total=last, total=suspect))
            units = (suspect if suspect <= self._max_step else 0) + after_suspect
        else:
            units = (suspect - last) + after_suspect
        self._last = total
        if units:
            events.append(UnitsCounted(device=self._device, units=units, total=total))
        return events
