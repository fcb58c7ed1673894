"""Export files for the scoring database are signed by the hub and only locked months leave as final:
`floorledger export` writes FILE and FILE.sig, `floorledger verify-export` accepts exactly that file
and refuses a changed byte or another hub's signature; an unlocked month leaves only as a draft."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorledger import keyfile
from hub.review import export_signature, exports, rules
from hub.store.ledger import LedgerEntry
from protocol.signing import Signer, b64encode
from tests.hub.review.test_assessment_domain import HUB_KEY, LINE_L1, MONTH, Site, open_copy

STAMP = datetime(2026, 10, 29, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


def test_a_signature_holds_for_its_file_only_and_for_its_hub_only() -> None:
    """The signed file verifies; one changed byte, a shorter file, another hub's key, an edited
    signature document and garbage are each refused with a reason."""
    data = "罪犯编号,劳动分\r\n32101001,27.0\r\n".encode()
    sig = export_signature.sign(
        data,
        name="labor-A1-2026-10.csv",
        month="2026-10",
        area="A1",
        release="final",
        signed_ms=1,
        signer=HUB_KEY,
    )
    facts, problems = export_signature.check(data, sig, HUB_KEY.public_key)
    assert problems == []
    assert facts is not None
    assert (facts.month, facts.area, facts.release) == ("2026-10", "A1", "final")
    changed = data.replace(b"27.0", b"29.0")
    assert any("SHA-256" in p for p in export_signature.check(changed, sig, HUB_KEY.public_key)[1])
    assert export_signature.check(data[:-1], sig, HUB_KEY.public_key)[1]
    other = Signer(b"\x07" * 32)
    assert any("another" in p for p in export_signature.check(data, sig, other.public_key)[1])
    forged_sig = export_signature.sign(
        changed,
        name="labor-A1-2026-10.csv",
        month="2026-10",
        area="A1",
        release="final",
        signed_ms=1,
        signer=other,
    )
    assert export_signature.check(changed, forged_sig, HUB_KEY.public_key)[1]
    document = json.loads(sig)
    document["release"] = "draft" if document["release"] == "final" else "final"
    edited = json.dumps(document).encode()
    assert any("does not hold" in p for p in export_signature.check(data, edited, HUB_KEY.public_key)[1])
    assert export_signature.check(data, b"not json", HUB_KEY.public_key)[0] is None


def test_an_unlocked_month_leaves_only_as_a_draft_marked_in_every_row_and_the_name(site: Site) -> None:
    """October is not locked: export refused without `draft`; as a draft every row says 草稿/未审批 and
    the file name says 草稿; a locked month's rows say 正式 and its name has no 草稿. Each row carries
    the inmate's adjustments in force with reason, day and officer."""
    view = site.assessment.month_view(MONTH, "A1")
    with pytest.raises(rules.AssessmentError) as err:
        exports.require_release(view, draft=False)
    assert err.value.code == "not_locked"
    assert exports.require_release(view, draft=True) == "draft"
    site.assessment.add_adjustment(LINE_L1, MONTH, "A1", "P1001", "-2.5", "安全扣分")
    view = site.assessment.month_view(MONTH, "A1")
    items = exports.adjustment_items(str(MONTH), "A1", ZoneInfo("Asia/Shanghai"))
    rows = exports.export_rows(view, export_time=STAMP, checkpoint_root="", adjustments=items)
    read = list(csv.reader(io.StringIO(exports.to_csv(rows).decode("utf-8-sig"))))
    release = read[0].index("发布状态")
    detail = read[0].index("加扣分明细")
    assert {r[release] for r in read[1:]} == {"草稿/未审批"}
    p1001 = next(r for r in read[1:] if r[0] == "P1001")
    assert p1001[detail] == "-2.5 安全扣分 (2026-10-29 off_l1)"
    assert exports.file_name(view, "csv") == "labor-A1-2026-10-草稿.csv"
    locked = replace(view, state="locked")
    assert exports.require_release(locked, draft=False) == "final"
    assert exports.file_name(locked, "xlsx") == "labor-A1-2026-10.xlsx"
    final_rows = exports.export_rows(locked, export_time=STAMP, checkpoint_root="")
    assert {r["release"] for r in final_rows} == {"final"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorledger", *args], capture_output=True, text=True, check=False
    )


def test_export_and_verify_export_on_the_command_line(site: Site, tmp_path: Path) -> None:
    """`floorledger export` refuses October without --draft (one line, no traceback); with --draft it
    writes the CSV and its .sig and ledgers `export.file`; `verify-export` passes on it, fails on a
    file with one digit changed and on the hub key of another site."""
    (tmp_path / "hub.key").write_text(f"{keyfile.HEADER}{b64encode(HUB_KEY.seed)}\n", encoding="ascii")
    config = tmp_path / "hub.toml"
    config.write_text(
        f'site = "t"\nkey_file = "hub.key"\ndatabase = "sqlite:///{tmp_path / "hub.db"}"\n', encoding="utf-8"
    )
    out = tmp_path / "out" / "labor.csv"
    base = ["export", "--config", str(config), "--month", "2026-10", "--area", "A1", "--out", str(out)]
    refused = _run(*base)
    assert refused.returncode == 2
    assert "draft" in refused.stderr
    assert "Traceback" not in refused.stderr
    made = _run(*base, "--draft")
    assert made.returncode == 0, made.stderr
    assert out.is_file()
    assert out.with_name("labor.csv.sig").is_file()
    assert "草稿" in out.read_text(encoding="utf-8-sig")
    key = HUB_KEY.public_key_b64
    ok = _run("verify-export", str(out), "--hub-key-pub", key, "--lang", "en")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "DRAFT" in ok.stdout
    assert "VERIFIED" in ok.stdout
    zh = _run("verify-export", str(out), "--hub-key-pub", key)  # Chinese by default, for the officer
    assert (zh.returncode, zh.stdout.splitlines()[-1]) == (0, "核验通过：文件与枢纽所签完全一致")
    assert "草稿（月份未锁定：未审批）" in zh.stdout
    text = out.read_text(encoding="utf-8-sig")
    out.write_text(
        text.replace("27.0", "28.0", 1) if "27.0" in text else text.replace(",1", ",2", 1),
        encoding="utf-8-sig",
    )
    changed = _run("verify-export", str(out), "--hub-key-pub", key, "--lang", "en")
    assert changed.returncode == 1
    assert "NOT VERIFIED" in changed.stdout
    changed_zh = _run("verify-export", str(out), "--hub-key-pub", key)
    assert "文件不是所签的那一份：SHA-256 不同（导出后被改动）" in changed_zh.stdout
    assert changed_zh.stdout.splitlines()[-1] == "核验未通过"
    out.write_text(text, encoding="utf-8-sig")
    other = _run("verify-export", str(out), "--hub-key-pub", Signer(b"\x09" * 32).public_key_b64)
    assert other.returncode == 1
    entries = [e for e in LedgerEntry.select() if e.action == "export.file"]
    assert len(entries) == 1
