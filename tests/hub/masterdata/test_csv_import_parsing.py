"""CSV import parsing: every bad line is reported with its file line number and reason, good files
give typed rows, and a file with any error is not usable (`ok` is False)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.masterdata import csv_import

STEPS = {("P1", "S1"), ("P1", "S2")}


def messages(result: csv_import.CsvResult[object], lang: str = "zh") -> list[str]:
    return [e.text(lang) for e in result.errors]


def test_a_good_standard_time_file_gives_rows_with_their_line_numbers() -> None:
    """Header on line 1, rows on lines 2 and 4 (a blank line between is skipped)."""
    text = (
        "product,step,seconds,valid_from,reason\n"
        "P1,S1,55.5,2025-12-01,工艺改进\n"
        "\n"
        "P1,S2,40,2025-12-01,换设备\n"
    )
    result = csv_import.parse_standard_times(text, steps=STEPS)
    assert result.ok
    assert [(line, row.step, row.seconds) for line, row in result.rows] == [
        (2, "S1", "55.5"),
        (4, "S2", "40"),
    ]


def test_standard_time_errors_name_the_line_and_the_reason() -> None:
    """0, negative, a wrong date format, an unknown step, no reason: each on its own numbered line."""
    text = (
        "product,step,seconds,valid_from,reason\n"
        "P1,S1,60,2025-12-01,ok\n"
        "P1,S1,0,2025-12-02,零\n"
        "P1,S2,-3,2025-12-01,负\n"
        "P1,S1,60,2025/12/03,日期\n"
        "P1,S9,60,2025-12-01,未知\n"
        "P1,S2,60,2025-12-04,\n"
    )
    result = csv_import.parse_standard_times(text, steps=STEPS)
    assert not result.ok
    assert messages(result) == [
        "第 3 行: 标准工时必须大于 0",
        "第 4 行: 标准工时必须大于 0",
        "第 5 行: 生效日期格式错误,应为 YYYY-MM-DD:2025/12/03",
        "第 6 行: 产品 P1 没有工序 S9",
        "第 7 行: 请填写原因",
    ]
    assert messages(result, "en")[0] == "Line 3: The standard time must be more than 0"


def test_inmate_file_checks_ids_areas_quota_levels_and_names() -> None:
    """Existing and repeated ids, an unknown area, a quota level out of range, an oversize name."""
    text = (
        "id,number,name,quota_pct,area\n"
        "N1,N1,<b>王五</b>,90,A\n"
        "A1001,A1001,张三,100,A\n"
        "N1,N1,重复,100,A\n"
        "N2,N2,赵六,100,Z\n"
        "N3,N3,钱七,300,A\n"
        f"N4,N4,{'名' * 101},100,A\n"
        "N5,N5,孙八,,\n"
    )
    result = csv_import.parse_inmates(text, existing_ids={"A1001"}, areas={"A", "B"})
    assert messages(result) == [
        "第 3 行: 编号 A1001 已存在",
        "第 4 行: 与前面的行重复:N1",
        "第 5 行: 没有这个监区:Z",
        "第 6 行: 个人定额(%)必须在 0 到 200 之间",
        "第 7 行: 名称过长(最多 100 个字符)",
    ]
    good = {row.id: row for _, row in result.rows}
    assert good["N1"].name == "<b>王五</b>"  # kept as typed; the page shows it as text
    assert (good["N5"].quota_pct, good["N5"].area) == ("100", None)


def test_an_area_head_may_import_only_into_their_area() -> None:
    """With `allowed_area`, a row for another area (or none) is an error on its line."""
    text = "id,number,name,area\nN1,N1,甲,A\nN2,N2,乙,B\nN3,N3,丙,\n"
    result = csv_import.parse_inmates(text, existing_ids=set(), areas={"A", "B"}, allowed_area="A")
    assert messages(result) == ["第 3 行: 只能修改本监区(A)的数据", "第 4 行: 只能修改本监区(A)的数据"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "第 1 行: 文件没有数据"),
        (b"product,step,seconds,valid_from,reason\n", "第 1 行: 文件没有数据"),
        (
            b"product,step,seconds\nP1,S1,60\n",
            "第 1 行: 表头应为以下列:product,step,seconds,valid_from,reason",
        ),
        (b"\xff\xfe\x00", "第 1 行: 文件不是 UTF-8 编码"),
        (b"product,step,seconds,valid_from,reason\nP1,S1,60\n", "第 2 行: 应有 5 列"),
        (b"x" * (csv_import.MAX_FILE_BYTES + 1), "第 1 行: 文件过大(最多 1000000 字节)"),
    ],
)
def test_file_level_problems_are_reported_on_their_line(data: bytes, message: str) -> None:
    """An empty file, a wrong header, not UTF-8, a short row, a file too large: one clear message each."""
    result = csv_import.parse_standard_times(data, steps=STEPS)
    assert not result.ok
    assert messages(result) == [message]


def test_a_utf8_bom_from_spreadsheet_programs_is_accepted() -> None:
    """Files saved as 'CSV UTF-8' by office software start with a BOM; the header still matches."""
    data = "\ufeffid,number,name\nN1,N1,王五\n".encode()
    result = csv_import.parse_inmates(data, existing_ids=set(), areas=set())
    assert result.ok
    assert result.rows[0][1].name == "王五"


@given(st.text(max_size=200))
def test_any_text_gives_rows_or_numbered_errors_never_an_exception(text: str) -> None:
    """Whatever is uploaded, parsing answers with rows and errors; every error names a line >= 1."""
    result = csv_import.parse_inmates(text, existing_ids=set(), areas={"A"})
    assert all(e.line >= 1 for e in result.errors)
    assert result.ok == (bool(result.rows) and not result.errors)


@pytest.mark.parametrize(
    ("value", "message"),
    [("2025-1-5", "格式错误"), ("2025-13-01", "格式错误"), ("", "请填写"), ("2025-12-01T00:00", "格式错误")],
)
def test_dates_must_be_written_yyyy_mm_dd(value: str, message: str) -> None:
    """Only YYYY-MM-DD is a date here; everything else is refused with the expected format."""
    with pytest.raises(csv_import.FieldError) as caught:
        csv_import.day(value, "md.f.day")
    assert message in caught.value.text("zh")
