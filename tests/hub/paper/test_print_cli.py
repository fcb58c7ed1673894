"""`floorledger print daily|monthly` writes the sheets from a hub's config, as a separate process."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from floorledger import keyfile
from protocol.signing import b64encode
from tests.hub.paper.pdf_tools import fonts_of, text_of
from tests.hub.review.test_assessment_domain import HUB_KEY, Site, open_copy


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorledger", *args], capture_output=True, text=True, check=False, timeout=120
    )


def test_print_daily_weekly_and_monthly_on_the_command_line(site: Site, tmp_path: Path) -> None:
    """`print daily` writes L1's sheet of 28 October with the inmates' Chinese names and the CJK font
    embedded; `print monthly` writes A1's October marked as a draft; `print weekly` A1's week 43;
    an unknown line or a bad day is one line on stderr and exit 2, no traceback and no file."""
    (tmp_path / "hub.key").write_text(f"{keyfile.HEADER}{b64encode(HUB_KEY.seed)}\n", encoding="ascii")
    config = tmp_path / "hub.toml"
    config.write_text(
        f'site = "t"\nkey_file = "hub.key"\ndatabase = "sqlite:///{tmp_path / "hub.db"}"\n', encoding="utf-8"
    )
    daily = tmp_path / "out" / "daily.pdf"
    done = _run(
        "print", "daily", "--config", str(config), "--line", "L1", "--day", "2026-10-28", "--out", str(daily)
    )
    assert done.returncode == 0, done.stderr
    assert "日记载（20 行）" in done.stdout  # the officer reads what was written, in Chinese
    text = text_of(daily)
    assert "劳动日记载" in text
    assert "何国健" in text  # the first inmate of L1 in the demo site
    assert any("NotoSansCJKSC" in f.name and f.embedded for f in fonts_of(daily))

    monthly = tmp_path / "out" / "monthly.pdf"
    done = _run(
        "print",
        "monthly",
        "--config",
        str(config),
        "--area",
        "A1",
        "--month",
        "2026-10",
        "--out",
        str(monthly),
    )
    assert done.returncode == 0, done.stderr
    assert "草稿" in done.stdout
    text = text_of(monthly)
    assert "草稿/未审批" in text
    assert "何国健" in text

    weekly = tmp_path / "out" / "weekly.pdf"
    args = [
        "print",
        "weekly",
        "--config",
        str(config),
        "--area",
        "A1",
        "--week",
        "2026-W43",
        "--out",
        str(weekly),
    ]
    done = _run(*args)
    assert done.returncode == 0, done.stderr
    assert "（40 行）" in done.stdout
    assert "劳动改造周评议表" in text_of(weekly)

    for bad in (["--line", "L99", "--day", "2026-10-28"], ["--line", "L1", "--day", "28.10.2026"]):
        out = tmp_path / "bad.pdf"
        refused = _run("print", "daily", "--config", str(config), *bad, "--out", str(out))
        assert refused.returncode == 2, refused.stderr
        assert "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert not out.exists()
