"""Totals -> deltas: wraps, missed polls, repeats, resets (power cycles) and one-off glitches."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.counting import CounterTracker
from devices.events import CounterReset, UnitsCounted

M16 = 1 << 16
M32 = 1 << 32


def run(totals: list[int], *, modulus: int = M16, max_step: int = 1000, last: int | None = None) -> list[str]:
    tracker = CounterTracker(device="c", modulus=modulus, max_step=max_step, last_total=last)
    out: list[str] = []
    for total in totals:
        for event in tracker.observe(total):
            if isinstance(event, UnitsCounted):
                out.append(f"+{event.units}={event.total}")
            else:
                out.append(f"reset {event.previous_total}->{event.total}")
    return out


@pytest.mark.parametrize(
    ("totals", "kwargs", "expected"),
    [
        pytest.param([100], {}, [], id="first reading is the baseline"),
        pytest.param([100], {"last": 90}, ["+10=100"], id="resume from a stored total"),
        pytest.param([100, 101, 105], {}, ["+1=101", "+4=105"], id="normal counting"),
        pytest.param([100, 100, 100, 103], {}, ["+3=103"], id="repeated readings count nothing"),
        pytest.param([100, 900], {}, ["+800=900"], id="missed polls: one bigger delta"),
        pytest.param([65530, 65535, 0, 4], {}, ["+5=65535", "+1=0", "+4=4"], id="16-bit wrap 65535 -> 0"),
        pytest.param([65530, 6], {}, ["+12=6"], id="wrap during missed polls"),
        pytest.param([M32 - 2, 3], {"modulus": M32}, ["+5=3"], id="32-bit wrap"),
        pytest.param([5000, 3], {}, [], id="a drop is held until confirmed"),
        pytest.param([5000, 3, 7], {}, ["reset 5000->3", "+7=7"], id="power cycle: counted from 0"),
        pytest.param([5000, 0, 0], {}, ["reset 5000->0"], id="power cycle, nothing made yet"),
        pytest.param([5000, 3, 5002], {}, ["+2=5002"], id="one glitched low reading is ignored"),
        pytest.param([5000, 40000, 5002], {}, ["+2=5002"], id="one glitched high reading is ignored"),
        pytest.param(
            [5000, 40000, 40100], {}, ["+35100=40100"], id="a confirmed big jump is counted in full"
        ),
        pytest.param([5000, 3, 40000, 40001], {}, ["+35001=40001"], id="a new suspect replaces the old"),
        pytest.param(
            [50000, 20000, 20010], {}, ["reset 50000->20000", "+10=20010"], id="preset, not a restart"
        ),
        pytest.param(
            [M32 - 1, 3, 4], {"modulus": M32, "max_step": 10}, ["+4=3", "+1=4"], id="wrap within max_step"
        ),
    ],
)
def test_counter_tracker(totals: list[int], kwargs: dict[str, int], expected: list[str]) -> None:
    assert run(totals, **kwargs) == expected


def test_readings_outside_the_counters_range_are_refused() -> None:
    tracker = CounterTracker(device="c", modulus=M16, max_step=100)
    with pytest.raises(ValueError, match="outside"):
        tracker.observe(M16)


def test_max_step_must_leave_wraps_and_resets_distinguishable() -> None:
    with pytest.raises(ValueError, match="max_step"):
        CounterTracker(device="c", modulus=M16, max_step=M16 // 2)


MAX_STEP = 1000


@settings(deadline=None)
@given(
    modulus=st.sampled_from([2048, M16, M32]),
    start=st.integers(0, M32 - 1),
    # each observed reading follows up to 5 polls' worth of production; unobserved polls were missed
    polls=st.lists(st.lists(st.integers(0, 200), min_size=1, max_size=5), max_size=60),
)
def test_summed_deltas_equal_the_true_units_for_any_wraps_and_missed_polls(
    modulus: int, start: int, polls: list[list[int]]
) -> None:
    tracker = CounterTracker(device="c", modulus=modulus, max_step=MAX_STEP)
    counter = start % modulus
    produced = 0
    events = tracker.observe(counter)
    for missed_and_observed in polls:
        units = sum(missed_and_observed)
        produced += units
        counter = (counter + units) % modulus
        events += tracker.observe(counter)
    assert sum(e.units for e in events if isinstance(e, UnitsCounted)) == produced
    assert not [e for e in events if isinstance(e, CounterReset)]
    assert tracker.total == counter


@settings(deadline=None)
@given(
    base=st.integers(451, 1_000_000),
    segments=st.lists(
        st.tuples(
            st.integers(0, 50),  # first reading after a power cycle (units made since restarting at 0)
            st.lists(st.integers(0, 400), min_size=1, max_size=5),  # following readings' increments
            st.integers(451, 1000),  # a last increment so the total is well above a fresh restart's
        ),
        max_size=6,
    ),
)
def test_every_power_cycle_is_reported_once_and_units_since_it_are_counted(
    base: int, segments: list[tuple[int, list[int], int]]
) -> None:
    tracker = CounterTracker(device="c", modulus=M32, max_step=MAX_STEP)
    events = tracker.observe(base)
    produced = 0
    for first, increments, last in segments:
        counter = first  # the counter restarted at 0 and made `first` units before we read it
        produced += first
        events += tracker.observe(counter)
        for units in [*increments, last]:
            counter += units
            produced += units
            events += tracker.observe(counter)
    assert sum(e.units for e in events if isinstance(e, UnitsCounted)) == produced
    assert len([e for e in events if isinstance(e, CounterReset)]) == len(segments)
