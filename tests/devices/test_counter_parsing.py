"""ASCII counter frames (C:001234 CR LF): totals, noise, partial and merged frames, range."""

from __future__ import annotations

import pytest

from devices.counter_frames import CounterFrameParser, TotalReading, encode_counter_total


def parse(*chunks: bytes, modulus: int = 2**32) -> list[int | str]:
    parser = CounterFrameParser(modulus=modulus)
    out: list[int | str] = []
    for chunk in chunks:
        out += [
            r.total if isinstance(r, TotalReading) else f"error: {r.reason}" for r in parser.feed(chunk, 0.0)
        ]
    return out


def test_the_encoded_frame_is_c_colon_six_digits_crlf() -> None:
    assert encode_counter_total(1234) == b"C:001234\r\n"


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        pytest.param([b"C:001234\r\n"], [1234], id="one frame"),
        pytest.param([b"C:00", b"1234\r", b"\n"], [1234], id="split"),
        pytest.param([b"C:1\r\nC:2\r\nC:2\r\n"], [1, 2, 2], id="repeats are kept (the tracker ignores them)"),
        pytest.param([b"\x00\xffC:000007\r\n"], [7], id="edge noise"),
        pytest.param([b"C:4294967295\r\n"], [4294967295], id="32-bit maximum"),
        pytest.param([b"C:12a\r\n"], ["error: not a counter frame"], id="garbled digits"),
        pytest.param([b"C:\r\n"], ["error: not a counter frame"], id="no digits"),
        pytest.param([b"C:0012C:001240\r\n"], ["error: not a counter frame"], id="partial merged with next"),
        pytest.param([b"C:12345678901\r\n"], ["error: not a counter frame"], id="eleven digits"),
        pytest.param(
            [b"#" * 100 + b"\r\nC:5\r\n"], ["error: line longer than 32 bytes", 5], id="long garbage"
        ),
    ],
)
def test_counter_frames(chunks: list[bytes], expected: list[int | str]) -> None:
    got = parse(*chunks)
    assert len(got) == len(expected), got
    for have, want in zip(got, expected, strict=True):
        assert have == want or (isinstance(want, str) and str(have).startswith(want))


def test_a_total_beyond_the_counters_range_is_a_read_error_not_a_count() -> None:
    assert parse(b"C:070000\r\n", modulus=65536) == [
        "error: total 70000 is beyond the counter's range (65536)"
    ]
