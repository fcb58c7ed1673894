"""Serial scanner frames: terminators, prefix/suffix, maximum length, control characters, noise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devices.framing import FrameProblem
from devices.scanner_frames import CodeFrameParser, CodeRead, clean_code, encode_code


def parse(data: bytes, **options: object) -> list[str]:
    results = CodeFrameParser(**options).feed(data, 0.0)  # type: ignore[arg-type]
    return [r.code if isinstance(r, CodeRead) else f"error: {r.reason}" for r in results]


@pytest.mark.parametrize(
    ("data", "options", "expected"),
    [
        pytest.param(b"ABC123\r", {}, ["ABC123"], id="CR"),
        pytest.param(b"ABC123\r\nDEF\r\n", {}, ["ABC123", "DEF"], id="CR LF, two codes"),
        pytest.param(b"ABC\tDEF\t", {"terminator": "\t"}, ["ABC", "DEF"], id="tab terminator"),
        pytest.param(
            b"AB\rC\t", {"terminator": "\t"}, ["ABC"], id="CR is a control char when not a terminator"
        ),
        pytest.param(b"]Q1FLP1|person=7\r", {"strip_prefix": "]Q1"}, ["FLP1|person=7"], id="prefix stripped"),
        pytest.param(b"P-100#END\r", {"strip_suffix": "#END"}, ["P-100"], id="suffix stripped"),
        pytest.param(b"P-100\r", {"strip_prefix": "]Q1"}, ["P-100"], id="absent prefix is fine"),
        pytest.param(b"AB\x00C\x1bD\x7f\r", {}, ["ABCD"], id="control characters removed"),
        pytest.param(b"  spaced  \r", {}, ["spaced"], id="surrounding spaces"),
        pytest.param("批次-42\r".encode(), {}, ["批次-42"], id="UTF-8 text"),
        pytest.param(b"\xff\xfe\x01ABC\x80\r", {}, ["ABC"], id="8-bit noise at the edges"),
        pytest.param(b"AB\xffC\r", {}, ["error: code is not valid UTF-8"], id="8-bit noise inside"),
        pytest.param(
            b"X" * 20 + b"\rOK\r", {"max_length": 10}, ["error: line longer than 10 bytes", "OK"], id="long"
        ),
        pytest.param(b"\r\r\n\x00\r", {}, [], id="empty codes ignored"),
    ],
)
def test_scanner_frames(data: bytes, options: dict[str, object], expected: list[str]) -> None:
    got = parse(data, **options)
    assert len(got) == len(expected), got
    for have, want in zip(got, expected, strict=True):
        assert have.startswith(want)


def test_a_half_sent_code_is_dropped_after_the_frame_timeout() -> None:
    parser = CodeFrameParser(frame_timeout=1.0)
    assert parser.feed(b"FLB1|prod", 0.0) == []
    out = parser.feed(b"FLP1|person=9\r", 5.0)
    assert isinstance(out[0], FrameProblem)
    assert out[1] == CodeRead("FLP1|person=9", b"FLP1|person=9")


def test_clean_code_removes_controls_then_prefix_and_suffix() -> None:
    assert clean_code("\x02]Q1ABC\x03", strip_prefix="]Q1") == "ABC"


CODE = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=40)
# controls and bytes that can never be part of UTF-8 text (noise that happens to spell a character is text)
LINE_NOISE = st.binary(max_size=10).map(
    lambda b: bytes(x for x in b if x < 0x20 or x == 0x7F or 0x80 <= x < 0xC0)
)


@settings(deadline=None, max_examples=50)
@given(codes=st.lists(CODE, max_size=6), noise=st.lists(LINE_NOISE, min_size=7, max_size=7))
def test_every_code_survives_line_noise_between_scans(codes: list[str], noise: list[bytes]) -> None:
    stream = b"".join(noise[i] + encode_code(code) for i, code in enumerate(codes)) + noise[-1]
    results = CodeFrameParser(max_length=200).feed(stream, 0.0)
    assert [r.code for r in results if isinstance(r, CodeRead)] == codes
