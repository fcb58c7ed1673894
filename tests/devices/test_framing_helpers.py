"""The shared pure helpers: bounded line splitting with stale-frame expiry, and the repeat window."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.framing import FrameProblem, LineFramer, RepeatFilter


def framer(**options: object) -> LineFramer:
    settings: dict[str, object] = {"terminators": b"\r\n", "max_length": 16, "frame_timeout": 0.5} | options
    return LineFramer(**settings)  # type: ignore[arg-type]


def test_lines_are_split_at_any_terminator_and_blank_lines_are_skipped() -> None:
    assert framer().feed(b"one\rtwo\nthree\r\n\r\nfour", 0.0) == [b"one", b"two", b"three"]


def test_an_unfinished_line_waits_for_the_rest() -> None:
    lines = framer()
    assert lines.feed(b"hel", 0.0) == []
    assert lines.pending == b"hel"
    assert lines.feed(b"lo\r", 0.1) == [b"hello"]


def test_a_too_long_line_is_reported_once_and_skipped_up_to_its_terminator() -> None:
    lines = framer(max_length=8)
    out = (
        lines.feed(b"0123456789", 0.0)
        + lines.feed(b"abcdefghijklmnop" * 100, 0.0)
        + lines.feed(b"\rok\r", 0.0)
    )
    assert [type(item) for item in out] == [FrameProblem, bytes]
    assert isinstance(out[0], FrameProblem)
    assert out[0].reason == "line longer than 8 bytes"
    assert len(out[0].raw) <= 64
    assert out[1] == b"ok"


def test_a_stale_partial_line_is_reported_and_dropped_before_new_bytes_join_it() -> None:
    lines = framer()
    lines.feed(b"C:00", 0.0)
    out = lines.feed(b"C:0042\r\n", 2.0)
    assert isinstance(out[0], FrameProblem)
    assert "incomplete frame" in out[0].reason
    assert out[1:] == [b"C:0042"]


def test_stale_bare_noise_is_dropped_silently() -> None:
    lines = framer()
    lines.feed(b"\x00\xff\x1b", 0.0)
    assert lines.feed(b"", 1.0) == []
    assert lines.pending == b""


@settings(deadline=None, max_examples=50)
@given(data=st.binary(max_size=200), cuts=st.lists(st.integers(0, 200), max_size=10))
def test_chunking_never_changes_the_lines(data: bytes, cuts: list[int]) -> None:
    whole = framer(max_length=32).feed(data, 0.0)
    pieces = framer(max_length=32)
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    split: list[bytes | FrameProblem] = []
    for a, b in zip(points, points[1:], strict=False):
        split += pieces.feed(data[a:b], 0.0)
    assert [x for x in split if isinstance(x, bytes)] == [x for x in whole if isinstance(x, bytes)]
    assert len(pieces.pending) <= 32


@pytest.mark.parametrize(
    ("sightings", "window", "expected"),
    [
        pytest.param([("A", 0.0), ("A", 1.0)], 3.0, [True, False], id="same badge within the window"),
        pytest.param([("A", 0.0), ("A", 3.0)], 3.0, [True, True], id="same badge after the window"),
        pytest.param([("A", 0.0), ("B", 0.1)], 3.0, [True, True], id="two badges back to back"),
        pytest.param([("A", 0.0), ("B", 0.1), ("A", 0.2)], 3.0, [True, True, False], id="A B A"),
        pytest.param(
            [("A", 0.0), ("A", 2.0), ("A", 4.0), ("A", 6.0)],
            3.0,
            [True, False, False, False],
            id="held on reader",
        ),
        pytest.param([("A", 0.0), ("A", 0.0)], 0.0, [True, True], id="window 0 passes everything"),
    ],
)
def test_repeat_window(sightings: list[tuple[str, float]], window: float, expected: list[bool]) -> None:
    repeats = RepeatFilter(window)
    assert [repeats.accept(key, now) for key, now in sightings] == expected


def test_the_repeat_filter_forgets_old_badges_so_it_stays_small() -> None:
    repeats = RepeatFilter(1.0)
    for i in range(1000):
        repeats.accept(f"badge{i}", float(i))
    assert len(repeats._last_seen) <= 33
