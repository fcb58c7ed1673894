"""The column mapping of the export files (#16 item 4) and the daily detail on request: a province's
scoring database gets its own names, order and encoding from hub.toml without code, the default is
today's columns, and a bad mapping stops the hub and the command with one line naming the key."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from floorledger import keyfile
from hub.app import HubApp
from hub.config import ConfigError, ExportConfig, parse_config
from hub.review import exports
from hub.review.export_make import make_export
from hub.review.monthly import Assessment
from protocol.signing import b64encode
from tests.hub.review.test_assessment_domain import HUB_KEY, MONTH, NOW_MS, Site, open_copy

ZONE = ZoneInfo("Asia/Shanghai")
STAMP = datetime(2026, 10, 29, 12, 0, tzinfo=ZONE)
PROVINCE = {
    "columns": ["name", "number", "labor_points", "month"],
    "names": {"number": "犯号", "labor_points": "劳动改造分"},
    "encoding": "gb18030",
}


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


def export_config(tmp_path: Path, table: dict[str, Any]) -> ExportConfig:
    raw = {"site": "t", "key_file": "hub.key", "database": "hub.db", "export": table}
    return parse_config(raw, tmp_path).export


def made(site: Site, layout: exports.Layout, kind: str, *, daily: bool = False, lang: str = "zh") -> bytes:
    view = site.assessment.month_view(MONTH, "A1")
    return make_export(
        site.assessment, view, release="draft", kind=kind, lang=lang, layout=layout, daily=daily,
        export_time=STAMP, zone=ZONE, signer=HUB_KEY, signed_ms=NOW_MS,
    ).data  # fmt: skip


def test_the_default_mapping_is_todays_columns_headers_and_encoding(tmp_path: Path) -> None:
    """No [export] section: every documented column in its order, our Chinese headers (English: the
    codes) and UTF-8 with a BOM."""
    layout = exports.layout(export_config(tmp_path, {}))
    assert layout == exports.DEFAULT_LAYOUT
    assert layout.columns == exports.COLUMNS
    assert exports.header_row("zh", layout) == [exports.HEADERS[c] for c in exports.COLUMNS]
    assert exports.header_row("en", layout) == list(exports.COLUMNS)
    data = exports.to_csv([], layout=layout)
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").strip().split(",")[2] == "姓名"


def test_a_mapping_changes_names_order_and_encoding_of_every_format(site: Site, tmp_path: Path) -> None:
    """The province's mapping: four columns in its order, two renamed, CSV in GB18030 (not UTF-8);
    the values are the same as the default file's; XLSX and JSON follow the same names and order."""
    layout = exports.layout(export_config(tmp_path, PROVINCE))
    data = made(site, layout, "csv")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    read = list(csv.reader(io.StringIO(data.decode("gb18030"))))
    assert read[0] == ["姓名", "犯号", "劳动改造分", "月份"]
    default = list(csv.reader(io.StringIO(made(site, exports.DEFAULT_LAYOUT, "csv").decode("utf-8-sig"))))
    at = {c: default[0].index(exports.HEADERS[c]) for c in ("name", "number", "labor_points", "month")}
    expected = [[r[at["name"]], r[at["number"]], r[at["labor_points"]], r[at["month"]]] for r in default[1:]]
    assert read[1:] == expected
    assert len(expected) > 1
    sheet = load_workbook(io.BytesIO(made(site, layout, "xlsx"))).active
    assert sheet is not None
    assert [c.value for c in sheet[1]] == ["姓名", "犯号", "劳动改造分", "月份"]
    body = json.loads(made(site, layout, "json"))
    assert body["columns"] == ["name", "犯号", "劳动改造分", "month"]
    assert [list(r) for r in body["rows"]] == [body["columns"]] * len(body["rows"])
    plain = exports.layout(export_config(tmp_path, {"encoding": "utf-8"}))
    assert not made(site, plain, "csv").startswith("\ufeff".encode())


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"columns": ["number", "nmae"]}, "export.columns[1]"),
        ({"columns": ["number", "name", "number"]}, "export.columns[2]"),
        ({"columns": []}, "export.columns"),
        ({"names": {"labour_points": "劳动分"}}, "export.names.labour_points"),
        ({"columns": ["number"], "names": {"name": "姓名"}}, "export.names.name"),
        ({"names": {"number": "编号", "name": "编号"}}, "export.names."),
        ({"encoding": "latin-1"}, "export.encoding"),
        ({"format": "pdf"}, "export.format"),
        ({"colums": ["number"]}, "export.colums"),
    ],
)
def test_a_bad_mapping_is_refused_naming_its_key(tmp_path: Path, table: dict[str, Any], key: str) -> None:
    """Each mistake in [export] is one ConfigError that names the key (and the bad value)."""
    with pytest.raises(ConfigError) as err:
        exports.layout(export_config(tmp_path, table))
    assert key in str(err.value)


def _config_file(tmp_path: Path, export: str) -> Path:
    (tmp_path / "hub.key").write_text(f"{keyfile.HEADER}{b64encode(HUB_KEY.seed)}\n", encoding="ascii")
    config = tmp_path / "hub.toml"
    config.write_text(
        f'site = "t"\nkey_file = "hub.key"\ndatabase = "sqlite:///{tmp_path / "hub.db"}"\n{export}',
        encoding="utf-8",
    )
    return config


def _export(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorledger", "export", "--month", "2026-10", "--area", "A1", "--draft",
         *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_a_bad_mapping_stops_the_hub_and_the_export_command_with_one_line(site: Site, tmp_path: Path) -> None:
    """`floorledger export` exits non-zero with one line naming `export.columns[0]` (no traceback);
    the hub app refuses to start with the same error before it opens anything."""
    config = _config_file(tmp_path, '[export]\ncolumns = ["numbr"]\n')
    done = _export("--config", str(config), "--out", str(tmp_path / "x.csv"))
    assert done.returncode != 0
    assert "export.columns[0]" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.csv").exists()
    raw = {"site": "t", "key_file": "missing.key", "database": "hub.db", "export": {"columns": ["numbr"]}}
    app = HubApp(parse_config(raw, tmp_path))
    with pytest.raises(ConfigError) as err:
        app.start()
    assert "export.columns[0]" in str(err.value)


def test_daily_detail_on_request_adds_each_inmates_day_rows(site: Site, tmp_path: Path) -> None:
    """`floorledger export --daily-detail`: a last column 日明细 holding each of the inmate's engine
    day records (day, line, product/step, quota/done); without the flag there is no such column; as
    JSON it is a list of the days."""
    config = _config_file(tmp_path, "")
    plain, detailed = tmp_path / "plain.csv", tmp_path / "daily.csv"
    assert _export("--config", str(config), "--out", str(plain)).returncode == 0
    done = _export("--config", str(config), "--out", str(detailed), "--daily-detail")
    assert done.returncode == 0, done.stderr
    assert "日明细" not in plain.read_text(encoding="utf-8-sig").splitlines()[0]
    read = list(csv.reader(io.StringIO(detailed.read_text(encoding="utf-8-sig"))))
    assert read[0][-1] == "日明细"
    assert read[0][:-1] == exports.header_row("zh")
    # the command reads the month through the real today, as the hub does
    now = Assessment(
        site.db, record_act=None, today=lambda: datetime.now(ZONE).date(), clock_ms=lambda: NOW_MS
    )
    result, _ = now.month_result(MONTH)
    for row in read[1:]:
        days = sorted(
            (r for r in result.daily if r.inmate == row[0]), key=lambda r: (r.day, r.line, r.product, r.step)
        )
        cell = row[-1].split("；") if row[-1] else []
        assert len(cell) == len(days)
        for text, day in zip(cell, days, strict=True):
            assert text.startswith(f"{day.day.isoformat()} {day.line} {day.product}/{day.step} ")
    assert any(row[-1] for row in read[1:])
    as_json = tmp_path / "daily.json"
    done = _export("--config", str(config), "--out", str(as_json), "--daily-detail", "--format", "json")
    assert done.returncode == 0, done.stderr
    body = json.loads(as_json.read_text(encoding="utf-8"))
    first = next(r for r in body["rows"] if r["daily_detail"])
    fields = {"day", "line", "product", "step", "quota", "done", "diff", "completion_pct"}
    assert set(first["daily_detail"][0]) == fields
