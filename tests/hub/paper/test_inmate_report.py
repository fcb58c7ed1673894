"""The labor assessment report of one inmate over months (#16 item 1): what a court clerk reads on
the paper, and what `floorledger verify-report` accepts and refuses, from a seeded hub database."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from floorledger import keyfile
from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.engine.exact import shown
from hub.engine.model import Month
from hub.paper.report import companion_from_pdf, render_report
from hub.review import capture as cx
from hub.review import inmate_report, report_signature
from hub.review.rules import AssessmentError
from hub.store.ledger import LedgerEntry
from hub.store.masterdata import Assignment, Inmate
from protocol.signing import Signer, b64encode
from tests.hub.paper.pdf_tools import fonts_of, pages_as_png, text_of
from tests.hub.review.test_assessment_domain import HUB_KEY, LINE_L1, MONTH, NOW_MS, TODAY, Site, open_copy

ZONE = ZoneInfo("Asia/Shanghai")
SEPTEMBER = Month(year=2026, month=9)
OTHER_HUB = Signer(b"\x09" * 32)


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    copy = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield copy
    copy.db.close()


def _document(site: Site) -> dict[str, object]:
    issue = inmate_report.Issue(
        by="王警官", at=datetime.fromtimestamp(NOW_MS / 1000, ZONE), zone_name="Asia/Shanghai"
    )
    return inmate_report.report_document(
        site.assessment, "32101001", SEPTEMBER, MONTH, issue=issue, zone=ZONE
    )


def _october(site: Site, inmate: str = "P1001") -> object:
    return next(r.score for r in site.assessment.month_view(MONTH, "A1").rows if r.inmate == inmate)


def test_the_report_prints_his_name_each_month_s_numbers_reasons_and_the_verification_code(
    site: Site, tmp_path: Path
) -> None:
    """何国健's report for 2026-09..2026-10: the PDF's text holds his Chinese name and prison number,
    October's completion and labor points exactly as the monthly assessment computes them (after an
    adjustment with its reason), his dispute with its reason, the explanation of the month (naming him
    by prison number, never by the hub's internal id), September as a month without assessment, and
    the verification code; the CJK font is embedded and the pages are kept as PNG to look at."""
    site.assessment.add_adjustment(LINE_L1, MONTH, "A1", "P1001", "-1.5", "质量扣分：返工三件")
    score = _october(site)
    document = _document(site)
    sealed = report_signature.seal(document, HUB_KEY)
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render_report(document, sealed))
    text = text_of(pdf)
    flat = re.sub(r"\s+", "", text)
    assert "罪犯劳动改造考核报告" in text
    assert "何国健" in text
    assert "32101001" in text
    pct, labor = shown(score.completion_pct, 2), shown(score.labor_points, 1)  # type: ignore[attr-defined]
    [october] = [  # the summary table's row
        line for line in text.splitlines() if line.split()[:1] == ["2026-10"] and "月度考核" not in line
    ]
    assert october.split()[-1] == labor
    assert pct in october.split()
    assert f"劳动改造分{labor}。" in flat
    assert "-1.5质量扣分：返工三件" in flat
    assert "件数有误我的计件少记了一捆→尚未答复" in flat
    assert "罪犯32101001何国健2026-10月度劳动改造考核分的计算过程" in flat
    assert "P1001" not in text
    assert "2026-09月度考核" in flat
    assert "本月无考核记录" in flat
    assert f"核验码：{sealed.code}" in text
    assert any("NotoSansCJKSC" in f.name and f.embedded for f in fonts_of(pdf))
    assert pages_as_png(pdf, "inmate-report")


def test_the_document_is_what_the_engine_computed_and_names_no_line_mate(site: Site) -> None:
    """The signed document's October carries the engine's numbers and the approvals in force; no
    line-mate's name (other inmates of L1) appears anywhere in it."""
    site.assessment.approve(LINE_L1, MONTH, "A1", override="测试：月中审批")
    score = _october(site)
    document = _document(site)
    october = document["months"][1]  # type: ignore[index]
    assert october["labor_points"] == shown(score.labor_points, 1)  # type: ignore[attr-defined]
    assert october["workdays"] == score.workdays  # type: ignore[attr-defined]
    assert october["state"] == "line_officer"
    assert not october["final"]
    assert october["approvals"][0]["stage"] == "line_officer"
    assert october["approvals"][0]["officer"]
    mates = {a.inmate for a in Assignment.select().where(Assignment.line == "L1")} - {"P1001"}
    names = [i.name for i in Inmate.select().where(Inmate.id.in_(mates))]
    assert names
    encoded = json.dumps(document, ensure_ascii=False)
    assert not [n for n in names if n in encoded]


def test_a_range_must_run_forward_and_stay_within_three_years() -> None:
    """`--from` after `--to`, or more than 36 months, is refused with report_range."""
    for first, last in ((MONTH, SEPTEMBER), (Month(year=2020, month=1), MONTH)):
        with pytest.raises(AssessmentError) as err:
            inmate_report.months_between(first, last)
        assert err.value.code == "report_range"
    assert [
        str(m) for m in inmate_report.months_between(Month(year=2025, month=12), Month(year=2026, month=2))
    ] == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_the_verification_code_is_the_digest_s_first_sixty_bits() -> None:
    """Twelve Crockford base32 characters in three groups; a digest differing in its first 60 bits
    gives another code, one differing after them the same (the code is a check by eye, the digest
    and signature are the proof)."""
    digest = "0" * 14 + "1" + "f" * 49
    assert report_signature.verification_code(digest) == "0000-0000-0001"
    assert report_signature.verification_code("f" * 64) == "ZZZZ-ZZZZ-ZZZZ"
    assert report_signature.verification_code("f" * 15 + "0" * 49) == "ZZZZ-ZZZZ-ZZZZ"


# --- the commands --------------------------------------------------------------------------------------


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "floorledger", *args], capture_output=True, text=True, check=False, timeout=120
    )


def _config(tmp_path: Path) -> Path:
    (tmp_path / "hub.key").write_text(f"{keyfile.HEADER}{b64encode(HUB_KEY.seed)}\n", encoding="ascii")
    config = tmp_path / "hub.toml"
    config.write_text(
        f'site = "t"\nkey_file = "hub.key"\ndatabase = "sqlite:///{tmp_path / "hub.db"}"\n', encoding="utf-8"
    )
    return config


def _one_digit_changed(data: bytes, labor: str) -> bytes:
    """`data` with its first `labor_points` of `labor` (October's, or the total: the same number in
    a one-month-assessed report) raised by one in its last digit, the length unchanged."""
    old = f'"labor_points": "{labor}"'.encode()
    digits = list(labor)
    digits[-1] = str((int(digits[-1]) + 1) % 10)
    new = f'"labor_points": "{"".join(digits)}"'.encode()
    assert old in data
    return data.replace(old, new, 1)


def test_print_report_writes_a_pdf_and_a_companion_that_verify_report_accepts(
    site: Site, tmp_path: Path
) -> None:
    """`print report` writes F.pdf and F.json and ledgers the issue (`report.issue` with the digest);
    `verify-report` accepts the PDF (its attachment) and the JSON with the hub's public key, says 核验通过
    with the same verification code as the paper, and accepts the QR code's text."""
    config = _config(tmp_path)
    pdf = tmp_path / "out" / "report.pdf"
    done = _run(
        "print", "report", "--config", str(config), "--inmate", "32101001", "--from", "2026-09", "--to",
        "2026-10", "--out", str(pdf),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    companion = pdf.with_suffix(".json")
    body = json.loads(companion.read_text(encoding="utf-8"))
    code = body["verification_code"]
    assert code in done.stdout
    assert f"核验码：{code}" in text_of(pdf)
    assert companion_from_pdf(pdf.read_bytes()) == companion.read_bytes()
    acts = list(LedgerEntry.select().where(LedgerEntry.action == "report.issue"))
    assert [json.loads(a.payload)["digest"] for a in acts] == [body["digest"]]
    for target in (pdf, companion):
        checked = _run("verify-report", str(target), "--hub-key-pub", HUB_KEY.public_key_b64)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "核验通过" in checked.stdout
        assert code in checked.stdout
        assert "何国健" in checked.stdout
    qr = report_signature.Seal(digest=body["digest"], signature=body["signature"], hub_key=body["hub_key"]).qr
    checked = _run("verify-report", "--qr", qr, "--hub-key-pub", HUB_KEY.public_key_b64)
    assert checked.returncode == 0, checked.stdout
    assert code in checked.stdout


def test_verify_report_refuses_one_changed_digit_and_another_hub_s_report(site: Site, tmp_path: Path) -> None:
    """One digit of October's labor points changed in the JSON, or inside the PDF's attachment, is
    refused (报告内容与签名时不同, exit 1); a report sealed by another hub is refused against this
    hub's key, also when it claims this hub's key; a QR code with a changed digest is refused."""
    document = _document(site)
    sealed = report_signature.seal(document, HUB_KEY)
    companion = report_signature.companion(document, sealed)
    labor = document["months"][1]["labor_points"]  # type: ignore[index]
    pdf_bytes = render_report(document, sealed)
    key = HUB_KEY.public_key_b64

    changed_json = tmp_path / "changed.json"
    changed_json.write_bytes(_one_digit_changed(companion, labor))
    changed_pdf = tmp_path / "changed.pdf"
    changed_pdf.write_bytes(_one_digit_changed(pdf_bytes, labor))
    for target in (changed_json, changed_pdf):
        refused = _run("verify-report", str(target), "--hub-key-pub", key)
        assert refused.returncode == 1, refused.stdout
        assert "核验未通过" in refused.stdout
        assert "报告内容与签名时不同" in refused.stdout

    other = report_signature.seal(document, OTHER_HUB)
    other_json = tmp_path / "other.json"
    other_json.write_bytes(report_signature.companion(document, other))
    other_pdf = tmp_path / "other.pdf"
    other_pdf.write_bytes(render_report(document, other))
    claiming = json.loads(report_signature.companion(document, other))
    claiming["hub_key"] = key  # a forger writes the real hub's key into the file
    claiming_json = tmp_path / "claiming.json"
    claiming_json.write_text(json.dumps(claiming, ensure_ascii=False), encoding="utf-8")
    for target in (other_json, other_pdf, claiming_json):
        refused = _run("verify-report", str(target), "--hub-key-pub", key)
        assert refused.returncode == 1, refused.stdout
        assert "核验未通过" in refused.stdout
    assert "另一系统签发或伪造" in _run("verify-report", str(other_json), "--hub-key-pub", key).stdout
    assert "签名无效" in _run("verify-report", str(claiming_json), "--hub-key-pub", key).stdout

    prefix, digest, signature = sealed.qr.split(":")
    flipped = ("A" if digest[0] != "A" else "B") + digest[1:]
    refused = _run("verify-report", "--qr", f"{prefix}:{flipped}:{signature}", "--hub-key-pub", key)
    assert refused.returncode == 1, refused.stdout


def test_a_bad_range_or_unknown_inmate_is_one_line_and_no_file(site: Site, tmp_path: Path) -> None:
    """An unknown prison number, a reversed range or a bad month: one line on stderr, exit 2, no
    traceback and no file written."""
    config = _config(tmp_path)
    out = tmp_path / "bad.pdf"
    for bad in (
        ["--inmate", "99999999", "--from", "2026-09", "--to", "2026-10"],
        ["--inmate", "32101001", "--from", "2026-10", "--to", "2026-09"],
        ["--inmate", "32101001", "--from", "2026-9", "--to", "2026-10"],
    ):
        refused = _run("print", "report", "--config", str(config), *bad, "--out", str(out))
        assert refused.returncode == 2, refused.stderr
        assert "Traceback" not in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert not out.exists()
        assert not out.with_suffix(".json").exists()


def test_a_rule_book_v2_month_prints_the_deduction_with_its_reason(site: Site, tmp_path: Path) -> None:
    """October under rule book v2 with a confirmed safety deduction of 4 points (four eyes): the
    report's month lists 安全生产 -4 未戴护目镜 with its day, the deduction column and the labor points
    are the engine's, and the explanation names the deduction."""
    first = Principal(username="labor1", display_name="甲", role=Role.LABOR_SECTION)
    second = Principal(username="labor2", display_name="乙", role=Role.LABOR_SECTION)
    data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    data.add_rule_set_version(
        first, "JX-V2", valid_from=str(MONTH), parameters={"rule_book": "v2"}, reason="第二版"
    )
    desk = cx.Capture(site.db, site.ledger, today=lambda: TODAY, clock_ms=lambda: NOW_MS)
    day = date(2026, 10, 20)
    row = desk.propose_deduction(
        first, inmate="P1001", day=day, category="safety", points="4", reason="未戴护目镜"
    )
    desk.confirm_deduction(second, row.id)
    score = _october(site)
    document = _document(site)
    october = document["months"][1]  # type: ignore[index]
    assert october["deductions"] == [
        {"day": "2026-10-20", "category": "safety", "points": "4.0", "reason": "未戴护目镜"}
    ]
    assert october["deduct_points"] == shown(score.deduct_points, 1) == "4.0"  # type: ignore[attr-defined]
    pdf = tmp_path / "v2.pdf"
    pdf.write_bytes(render_report(document, report_signature.seal(document, HUB_KEY)))
    flat = re.sub(r"\s+", "", text_of(pdf))
    assert "扣分：2026-10-20安全生产-4.0未戴护目镜" in flat
    assert f"劳动改造分{shown(score.labor_points, 1)}。" in flat  # type: ignore[attr-defined]
    assert "未戴护目镜" in october["explanation"]
