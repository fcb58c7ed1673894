"""Badge reader frames: EM4100-style and plain ASCII, number formats, noise, merged and cut-off reads."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.badge_frames import (
    BadgeFrameParser,
    CardRead,
    decode_em4100,
    em4100_checksum,
    encode_em4100,
    format_card_number,
)
from devices.framing import FrameProblem

CARD = 0x0F00A1B2C3  # version byte 0x0F, card number 0x00A1B2C3 = 10597059 = facility 161, card 45763
GOOD = b"\x020F00A1B2C3" + f"{em4100_checksum(bytes.fromhex('0F00A1B2C3')):02X}".encode() + b"\r\n\x03"


def outcome(results: list[CardRead | FrameProblem]) -> list[str]:
    """Card ids as strings, problems as 'error: <reason>' so tables read naturally."""
    return [r.badge_id if isinstance(r, CardRead) else f"error: {r.reason}" for r in results]


def matches(got: list[str], expected: list[str]) -> bool:
    """Ids must be equal; an expected 'error: words' matches any error whose reason contains the words."""
    if len(got) != len(expected):
        return False
    for have, want in zip(got, expected, strict=True):
        if want.startswith("error: "):
            if not (have.startswith("error: ") and want.removeprefix("error: ") in have):
                return False
        elif have != want:
            return False
    return True


def parse(*chunks: bytes, at: float = 0.0, **options: Any) -> list[str]:
    parser = BadgeFrameParser(**options)
    results: list[CardRead | FrameProblem] = []
    for chunk in chunks:
        results += parser.feed(chunk, at)
    return outcome(results)


def test_encoded_em4100_frame_has_stx_digits_xor_checksum_crlf_etx() -> None:
    assert encode_em4100(CARD) == GOOD
    assert GOOD == b"\x020F00A1B2C3DF\r\n\x03"  # 0F^00^A1^B2^C3 = DF


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        pytest.param([GOOD], ["0010597059"], id="one frame"),
        pytest.param([b"\x020F00A1B2C3DF\x03"], ["0010597059"], id="no CR LF (RDM6300 style)"),
        pytest.param([b"\x020f00a1b2c3df\r\n\x03"], ["0010597059"], id="lower-case hex"),
        pytest.param(
            [b"\x020F00A1B2C3DE\r\n\x03"], ["error: bad checksum (computed DF, frame says DE)"], id="bad sum"
        ),
        pytest.param([b"\x020F00A1B2C3\r\n\x03"], ["error: malformed EM4100 frame"], id="no checksum"),
        pytest.param([b"\x020F00A1BXC3DF\r\n\x03"], ["error: malformed EM4100 frame"], id="not hex"),
        pytest.param(
            [GOOD + encode_em4100(1001)], ["0010597059", "0000001001"], id="two badges back to back"
        ),
        pytest.param([GOOD[:7], GOOD[7:]], ["0010597059"], id="split across reads"),
        pytest.param(
            [b"\xff\x00garbage" + GOOD + b"\x7f\x80" + GOOD + b"\r\n"], ["0010597059"] * 2, id="noise around"
        ),
        pytest.param([b"\x03\x03" + GOOD], ["0010597059"], id="stray ETX outside a frame is noise"),
        pytest.param(
            [GOOD[:8] + encode_em4100(1001)], ["error: cut short", "0000001001"], id="cut short by next"
        ),
        pytest.param(
            [b"\x02" + b"7" * 300 + b"\x03" + GOOD], ["error: too long", "0010597059"], id="endless frame"
        ),
        pytest.param([b"\x02\x02\x02" + GOOD], ["0010597059"], id="repeated STX noise"),
        pytest.param([b"0012345678\r\n"], [], id="ASCII line ignored in EM4100 mode"),
    ],
)
def test_em4100_frames(chunks: list[bytes], expected: list[str]) -> None:
    got = parse(*chunks)
    assert matches(got, expected), got


@pytest.mark.parametrize(
    ("number_format", "expected"),
    [("decimal", "0010597059"), ("hex", "0F00A1B2C3"), ("wiegand26", "161,45763"), ("raw", "0F00A1B2C3")],
)
def test_number_format_matches_what_is_printed_on_the_card(number_format: str, expected: str) -> None:
    assert parse(GOOD, number_format=number_format) == [expected]


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (12345678, "decimal", "0012345678"),
        (12345678, "hex", "0000BC614E"),
        (12345678, "wiegand26", "188,24910"),
        (0xFF_FFFF_FFFF, "decimal", "4294967295"),
        (0x04_A1B2_C3D4_E5F6, "hex", "4A1B2C3D4E5F6"),
    ],
)
def test_format_card_number_table(value: int, number_format: str, expected: str) -> None:
    assert format_card_number(value, number_format, text="") == expected  # type: ignore[arg-type]


def test_numbers_longer_than_40_bits_are_refused_in_decimal_rather_than_truncated() -> None:
    with pytest.raises(ValueError, match="too long"):
        format_card_number(1 << 48, "decimal", text="")


@pytest.mark.parametrize(
    ("chunks", "options", "expected"),
    [
        pytest.param([b"0012345678\r\n"], {}, ["0012345678"], id="CR LF"),
        pytest.param([b"0012345678\n"], {}, ["0012345678"], id="LF"),
        pytest.param([b"0012345678\r"], {}, ["0012345678"], id="CR"),
        pytest.param([b"0012345678\r\n0087654321\r\n"], {}, ["0012345678", "0087654321"], id="two lines"),
        pytest.param([b"\x00\xff 0012345678 \x1b\r\n"], {}, ["0012345678"], id="noise at the edges stripped"),
        pytest.param(
            [b"00123456780087654321\r\n"], {}, ["error: expected 10 characters, got 20"], id="merged"
        ),
        pytest.param([b"12345\r\n"], {}, ["error: expected 10 characters, got 5"], id="short"),
        pytest.param([b"00123X5678\r\n"], {}, ["error: not a decimal card number"], id="letter"),
        pytest.param([b"0012\x003456\r\n"], {}, ["error: not a decimal card number"], id="noise inside"),
        pytest.param([b"0F00A1B2C3\r\n"], {"ascii_input": "hex"}, ["0010597059"], id="hex reader"),
        pytest.param(
            [b"0F00A1B2C3\r\n"],
            {"ascii_input": "hex", "number_format": "hex"},
            ["0F00A1B2C3"],
            id="hex to hex",
        ),
        pytest.param([b"1001\r\n"], {"ascii_length": None}, ["0000001001"], id="any length"),
        pytest.param(
            [b"99999999999\r\n"],
            {"ascii_length": None},
            ["error: decimal card number larger than 32 bits"],
            id="big",
        ),
        pytest.param(
            [b"9" * 500 + b"\r\n0012345678\r\n"], {}, ["error: line longer", "0012345678"], id="huge line"
        ),
        pytest.param([b"\r\n\r\n\n\r"], {}, [], id="blank lines"),
        pytest.param(
            [b"\x020F00A1B2C3DF\r\n\x03"], {}, ["error: not a decimal card number"], id="EM4100 frame refused"
        ),
    ],
)
def test_ascii_frames(chunks: list[bytes], options: dict[str, Any], expected: list[str]) -> None:
    got = parse(*chunks, protocol="ascii", **options)
    assert matches(got, expected), got


def test_a_cut_off_ascii_frame_never_merges_with_the_next_read() -> None:
    parser = BadgeFrameParser(protocol="ascii", frame_timeout=0.5)
    assert parser.feed(b"00123", 10.0) == []
    results = parser.feed(b"0087654321\r\n", 11.0)  # a second later: the partial is stale
    assert outcome(results) == ["error: incomplete frame (no terminator within 0.5 s)", "0087654321"]


def test_a_cut_off_em4100_frame_is_dropped_after_the_frame_timeout() -> None:
    parser = BadgeFrameParser(frame_timeout=0.5)
    assert parser.feed(GOOD[:6], 10.0) == []
    assert outcome(parser.feed(b"", 10.2)) == []
    assert outcome(parser.feed(b"", 10.6)) == ["error: incomplete EM4100 frame (no ETX in time)"]
    assert outcome(parser.feed(GOOD, 10.7)) == ["0010597059"]


def test_decode_em4100_returns_the_reason_for_a_bad_checksum() -> None:
    assert decode_em4100(b"0000000001" + b"00") == "bad checksum (computed 01, frame says 00)"
    assert decode_em4100(b"000000000101") == 1


NOISE_WITHOUT_ETX = st.binary(max_size=40).map(lambda b: b.replace(b"\x03", b""))
EDGE_NOISE = st.binary(max_size=20).map(lambda b: bytes(x for x in b if x < 0x21 or x >= 0x7F))


def chunked(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in zip(points, points[1:], strict=False)]


@settings(deadline=None, max_examples=50)
@given(
    cards=st.lists(st.integers(0, (1 << 40) - 1), max_size=8),
    noise=st.lists(NOISE_WITHOUT_ETX, min_size=9, max_size=9),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_em4100_every_card_survives_any_noise_between_frames_and_any_chunking(
    cards: list[int], noise: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(noise[i] + encode_em4100(card) for i, card in enumerate(cards)) + noise[-1]
    parser = BadgeFrameParser(number_format="hex")
    results: list[CardRead | FrameProblem] = []
    for chunk in chunked(stream, cuts):
        results += parser.feed(chunk, 0.0)
    assert [r.badge_id for r in results if isinstance(r, CardRead)] == [f"{c:010X}" for c in cards]


@settings(deadline=None, max_examples=50)
@given(
    cards=st.lists(st.integers(0, 0xFFFFFFFF), max_size=8),
    noise=st.lists(EDGE_NOISE, min_size=9, max_size=9),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_ascii_every_card_survives_line_noise_between_frames_and_any_chunking(
    cards: list[int], noise: list[bytes], cuts: list[int]
) -> None:
    stream = b"".join(noise[i] + f"{card:010d}\r\n".encode() for i, card in enumerate(cards)) + noise[-1]
    parser = BadgeFrameParser(protocol="ascii")
    results: list[CardRead | FrameProblem] = []
    for chunk in chunked(stream, cuts):
        results += parser.feed(chunk, 0.0)
    assert [r.badge_id for r in results if isinstance(r, CardRead)] == [f"{c:010d}" for c in cards]
    assert not [r for r in results if isinstance(r, FrameProblem)]


@settings(deadline=None, max_examples=50)
@given(card=st.integers(0, (1 << 40) - 1))
def test_the_three_number_formats_describe_the_same_card(card: int) -> None:
    frame = encode_em4100(card)
    (hex_id,) = parse(frame, number_format="hex")
    (decimal_id,) = parse(frame, number_format="decimal")
    (wiegand_id,) = parse(frame, number_format="wiegand26")
    assert int(hex_id, 16) == card
    assert int(decimal_id) == card & 0xFFFFFFFF
    assert len(decimal_id) == 10
    facility, number = wiegand_id.split(",")
    assert (int(facility), int(number)) == ((card >> 16) & 0xFF, card & 0xFFFF)
