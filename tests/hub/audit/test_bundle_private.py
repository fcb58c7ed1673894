"""Private evidence bundles (#16 item 2): built from a seeded hub (real SQLite), they hold no
line-mate's name, prison number, id or record in clear, still prove the inmate's own month offline
with only the hub's public key, and fail on any changed byte."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from floorledger.keyfile import HEADER
from hub.accounts import Principal, Role
from hub.app import checkpoint_log, masterdata_service
from hub.audit import bundle as bd
from hub.audit import bundle_private as bp
from hub.engine.model import Month
from hub.ledger.checkpoints import CheckpointLog
from hub.ledger.entries import Ledger
from hub.results import inputs as mi
from hub.review import capture as cx
from hub.review import rules
from hub.review.monthly import Assessment
from hub.seed import seed_site
from hub.store import db as hubdb
from hub.store.masterdata import Inmate
from hub.store.schema import prepare
from protocol.records import body_to_dict, parse_frame
from protocol.signing import Signer, Verifier, b64decode, b64encode
from tests.hub.review.test_assessment_domain import HUB_KEY as SEEDED_KEY
from tests.hub.review.test_assessment_domain import NOW_MS as SEEDED_NOW
from tests.hub.review.test_assessment_domain import TODAY as SEEDED_TODAY
from tests.hub.review.test_assessment_domain import open_copy

HUB_KEY = Signer(b"\x07" * 32)
OTHER_HUB = Signer(b"\x08" * 32)
PUBLIC = Verifier(b64decode(HUB_KEY.public_key_b64))
TODAY = date(2026, 10, 14)
MONTH = Month.parse("2026-10")
INMATE = "P1001"
NOW_MS = int(datetime(2026, 10, 14, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000)


class Built:
    def __init__(
        self, folder: Path, private: bytes, full: bytes, strangers: list[tuple[str, str, str]]
    ) -> None:
        self.folder, self.private, self.full, self.strangers = folder, private, full, strangers


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A seeded hub, and P1001's private and full bundles of October (through the 13th)."""
    folder = tmp_path_factory.mktemp("private")
    db = hubdb.connect(str(folder / "hub.db"))
    try:
        seed_site(db, hub_signer=HUB_KEY, seed=3, today=TODAY, history_days=9)
        prepare(db)
        private = bp.build_private_bundle(
            db, inmate=INMATE, month=MONTH, signer=HUB_KEY, through=date(2026, 10, 13)
        )
        full = bd.build_bundle(db, inmate=INMATE, month=MONTH, through=date(2026, 10, 13))
        strangers = [(i.id, i.number, i.name) for i in Inmate.select() if i.id != INMATE]
    finally:
        db.close()
    data = bd.bundle_text(private).encode("utf-8")
    (folder / "private.json").write_bytes(data)
    return Built(folder, data, bd.bundle_text(full).encode("utf-8"), strangers)


def _line_mates(full: dict) -> set[str]:  # type: ignore[type-arg]
    return {str(i["id"]) for i in full["scenario"]["inmates"]} - {INMATE}


def test_no_line_mate_s_name_number_id_count_or_record_is_in_clear(built: Built) -> None:
    """Of every other inmate of the site, neither the id, the prison number nor the name appears in
    the private bundle; none of the line-mates' signed records (which the full bundle carries in
    clear) appears; every record in clear is the inmate's own or a line's warehoused count; the
    scenario lists the inmate and merged members X1.. only, and their counts and minutes are per
    group, not per person."""
    text = built.private.decode("utf-8")
    full = bd.load_bundle_text(built.full.decode("utf-8"))
    private = bd.load_bundle_text(text)
    mates = _line_mates(full)
    assert mates  # the full bundle does name them: the test would see a leak
    for inmate, number, name in built.strangers:
        assert inmate not in text, inmate
        assert number not in text, number
        assert name not in text, name
    mate_frames = [
        r["frame"]
        for r in full["records"]
        if body_to_dict(parse_frame(b64decode(r["frame"])).record.body).get("person") in mates
    ]
    assert mate_frames
    assert not [f for f in mate_frames if f in text]
    for r in private["records"]:
        if "frame" in r:
            body = body_to_dict(parse_frame(b64decode(r["frame"])).record.body)
            assert body.get("person") in (None, INMATE)
    people = {str(i["id"]) for i in private["scenario"]["inmates"]}
    assert INMATE in people
    assert all(p == INMATE or p.startswith("X") for p in people)
    assert {str(c["inmate"]) for c in private["scenario"].get("counts", [])} <= people


def test_the_private_bundle_verifies_and_gives_the_full_bundle_s_result(built: Built) -> None:
    """Checked offline with the hub's key: 核验通过, no finding; its result (daily, weekly, monthly of
    the inmate and the line-days' discrepancies) is the full bundle's to the digit; the summary in
    Chinese says how many records are in clear and how many only as hashes, and what it cannot check."""
    report = bp.check_private_bytes(built.private, PUBLIC)
    assert report.ok, report.render("en")
    full = bd.load_bundle_text(built.full.decode("utf-8"))
    private = bd.load_bundle_text(built.private.decode("utf-8"))
    assert private["result"] == full["result"]
    text = report.render("zh")
    assert "核验通过" in text
    assert "仅以哈希出现" in text
    assert "无法逐条核对" in text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_any_one_flipped_byte_fails(built: Built, data: st.DataObject) -> None:
    """Any one byte of the file changed (to another byte) fails the check."""
    at = data.draw(st.integers(min_value=0, max_value=len(built.private) - 1))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    flipped = bytearray(built.private)
    flipped[at] ^= 1 << bit
    assert not bp.check_private_bytes(bytes(flipped), PUBLIC).ok


def test_a_byte_flipped_in_each_section_fails(built: Built) -> None:
    """One byte flipped inside each section (checkpoint, a proof, a hashed leaf, a clear record, the
    scenario, the merged sums, the result, the attestation) fails, each one deterministically."""
    text = built.private.decode("utf-8")
    private = bd.load_bundle_text(text)
    hashed = next(r for r in private["records"] if "leaf_hash" in r)
    clear = next(r for r in private["records"] if "frame" in r)
    targets = [
        private["checkpoint"][20:40],
        hashed["leaf_hash"][10:30],
        hashed["path"][0][10:30],
        clear["frame"][40:60],
        '"X1"',
        private["others"][0]["units"] or private["others"][0]["present_minutes"],
        private["attestation"][10:30],
        '"labor_points": ',
    ]
    for target in targets:
        at = text.index(target) + len(target) // 2
        flipped = bytearray(built.private)
        flipped[at] ^= 0x01
        assert not bp.check_private_bytes(bytes(flipped), PUBLIC).ok, target


def test_an_edited_count_written_as_the_product_writes_it_fails(built: Built) -> None:
    """The inmate's own count raised and the file written again in its one written form: the
    attestation fails and his counts no longer equal what his signed records give; re-attested by
    another hub's key, it still fails against this hub's key."""
    private = bd.load_bundle_text(built.private.decode("utf-8"))
    count = next(c for c in private["scenario"]["counts"] if c["inmate"] == INMATE)
    count["units"] = count["units"] + 1
    edited = bd.bundle_text(private).encode("utf-8")
    report = bp.check_private_bytes(edited, PUBLIC)
    assert not report.ok
    rendered = report.render("en")
    assert "attestation" in rendered
    assert "counts differ" in rendered
    private["attestation"] = b64encode(OTHER_HUB.sign(bp._statement(private)))
    assert not bp.check_private_bytes(bd.bundle_text(private).encode("utf-8"), PUBLIC).ok


def test_another_hub_s_key_fails(built: Built) -> None:
    """The bundle checked against another hub's public key fails at the checkpoint."""
    report = bp.check_private_bytes(built.private, Verifier(b64decode(OTHER_HUB.public_key_b64)))
    assert not report.ok
    assert "核验未通过" in report.render("zh")


def test_bundle_private_and_verify_bundle_on_the_command_line(built: Built, tmp_path: Path) -> None:
    """`floorledger bundle --private` writes a private bundle and `verify-bundle` prints its Chinese
    summary ending in 核验通过 (exit 0); the same file with a flipped byte exits 1 with 核验未通过."""
    key_file = tmp_path / "hub.key"
    key_file.write_text(f"{HEADER}{b64encode(HUB_KEY.seed)}\n", encoding="ascii")
    out = tmp_path / "p.json"
    made = subprocess.run(
        [sys.executable, "-m", "floorledger", "bundle", "--db", str(built.folder / "hub.db"), "--key",
         str(key_file), "--inmate", INMATE, "--month", "2026-10", "--through", "2026-10-13", "--private",
         "--out", str(out)],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert bp.is_private(out.read_bytes())
    check = [sys.executable, "-m", "floorledger", "verify-bundle", "--hub-key-pub", HUB_KEY.public_key_b64]
    ok = subprocess.run([*check, str(out)], capture_output=True, text=True, check=False, timeout=120)
    assert ok.returncode == 0, ok.stdout
    assert "证据包（隐私版）" in ok.stdout
    assert ok.stdout.strip().endswith("核验通过")
    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    out.write_bytes(bytes(data))
    bad = subprocess.run([*check, str(out)], capture_output=True, text=True, check=False, timeout=120)
    assert bad.returncode == 1
    assert "核验未通过" in bad.stdout


def test_an_approved_month_lists_its_approvals_and_the_inmate_s_own_row(built: Built, tmp_path: Path) -> None:
    """After adjustments of P1001 (−2) and of another inmate of the area, and the three approvals, the
    private bundle lists the three approvals with the digest each signed and P1001's own row (his −2
    in it), verifies, and names neither the other inmate nor his adjustment's reason; the area's other
    rows are not in it."""
    path = tmp_path / "hub.db"
    shutil.copy(built.folder / "hub.db", path)
    db = hubdb.connect(str(path))
    try:
        prepare(db)
        officers = Assessment(
            db, record_act=Ledger(db, HUB_KEY, lambda: NOW_MS).record_act, today=lambda: TODAY,
            clock_ms=lambda: NOW_MS,
        )  # fmt: skip
        l1 = rules.Actor(username="off_l1", role="line_officer", lines=("L1",))
        officers.add_adjustment(l1, MONTH, "A1", INMATE, "-2", "违纪")
        officers.add_adjustment(l1, MONTH, "A1", "P1002", "+1", "同线罪犯的加分理由")
        for who in (l1, rules.Actor(username="head_a1", role="area_head", area="A1"),
                    rules.Actor(username="labor", role="labor_section")):  # fmt: skip
            officers.approve(who, MONTH, "A1", override="测试：月中审批")
        CheckpointLog(db, HUB_KEY, lambda: NOW_MS, "demo").make_checkpoint()
        private = bp.build_private_bundle(db, inmate=INMATE, month=MONTH, signer=HUB_KEY)
        p1002 = Inmate.get(Inmate.id == "P1002")
    finally:
        db.close()
    data = bd.bundle_text(private).encode("utf-8")
    report = bp.check_private_bytes(data, PUBLIC)
    assert report.ok, report.render("en")
    assert [a["stage"] for a in private["assessment"]["approvals"]] == [
        "line_officer",
        "area_head",
        "labor_section",
    ]
    row = private["assessment"]["row"]
    assert row[0] == INMATE
    assert row[-2] == "-2"
    text = data.decode("utf-8")
    assert "同线罪犯的加分理由" not in text
    assert p1002.name not in text
    assert "P1002" not in text
    assert "已有 3 级审批" in report.render("zh")


def test_a_v2_month_with_a_line_mate_s_reject_and_the_inmate_s_deduction_verifies(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """Rule book v2: a reject of a line-mate's work and P1001's confirmed deduction. The private
    bundle keeps his deduction, leaves the line-mate's reject and its act out of clear, gives the full
    bundle's result to the digit and verifies."""
    site = open_copy(tmp_path_factory, tmp_path / "hub.db")
    try:
        first = Principal(username="labor1", display_name="甲", role=Role.LABOR_SECTION)
        second = Principal(username="labor2", display_name="乙", role=Role.LABOR_SECTION)
        data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: SEEDED_NOW)
        data.add_rule_set_version(
            first, "JX-V2", valid_from="2026-10", parameters={"rule_book": "v2"}, reason="第二版"
        )
        desk = cx.Capture(site.db, site.ledger, today=lambda: SEEDED_TODAY, clock_ms=lambda: SEEDED_NOW)
        mate = next(
            c for c in mi.month_input(site.db, MONTH).inputs.counts if c.inmate == "P1002" and c.units >= 1
        )
        post = cx.md_queries.assignment_on("P1002", mate.day)
        assert post is not None
        desk.reject(first, line=str(post.line), day=mate.day, inmate="P1002", step=str(post.step), units=1,
                    reason="同线罪犯的次品")  # fmt: skip
        row = desk.propose_deduction(
            first, inmate=INMATE, day=mate.day, category="safety", points="4", reason="未戴护目镜"
        )
        desk.confirm_deduction(second, row.id)
        checkpoint_log(site.db, SEEDED_KEY, clock_ms=lambda: SEEDED_NOW, site="demo").make_checkpoint()
        full = bd.build_bundle(site.db, inmate=INMATE, month=MONTH)
        private = bp.build_private_bundle(site.db, inmate=INMATE, month=MONTH, signer=SEEDED_KEY)
    finally:
        site.db.close()
    data_bytes = bd.bundle_text(private).encode("utf-8")
    report = bp.check_private_bytes(data_bytes, Verifier(b64decode(SEEDED_KEY.public_key_b64)))
    assert report.ok, report.render("en")
    assert bd._reparse(private["result"]) == bd._reparse(full["result"])
    assert [d["reason"] for d in private["scenario"]["deductions"]] == ["未戴护目镜"]
    assert private["scenario"].get("rejects", []) == []
    assert "同线罪犯的次品" not in data_bytes.decode("utf-8")
