"""Evidence bundles carry the hub-signed acts behind their numbers (issue 18, items 1 and 5): the
officers' adjustments, the approval of the month (with the area's signed rows), the master data,
and each kiosk's key history with its revocation. An attacker who edits a bundle and recomputes
every number with our own engine, re-serialized exactly as the product writes it, is refused.

The site is the seeded demo site of tests/hub/review/test_assessment_domain.py (real engine, real
ledger, SQLite file); officers act through `hub.review.monthly.Assessment`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from hub.app import checkpoint_log, masterdata_service
from hub.audit import bundle as bd
from hub.audit.bundle_scope import canonical, explanations, restrict, result_of, scope_of
from hub.engine.compute import compute_month
from hub.engine.documents import result_json, scenario_json
from hub.engine.rules import rule_set_json
from hub.engine.scenario import load_scenario
from hub.kiosks.enrollment import Enrollment
from hub.ledger.entries import CORRECTION, parse_entry
from hub.results import facts as fx
from hub.seed import ADMIN, demo_kiosk_signer, history_kiosk
from hub.store import kiosks as models
from hub.store.masterdata import Assignment
from protocol.records import Record, UnitCount, parse_frame, sign_record
from protocol.signing import Verifier, b64decode
from tests.hub.review.test_assessment_domain import (
    HEAD_A1,
    HUB_KEY,
    LABOR,
    LINE_L1,
    MONTH,
    NOW_MS,
    Site,
    open_copy,
)

# approvals before the month has ended (or with items open) need an override since the guard
# (hub.review.rules.check_guard); these tests are about other rules
MID_MONTH = "测试：月中审批，待办另行处理"

PUBLIC = Verifier(b64decode(HUB_KEY.public_key_b64))
INMATE = "P1001"  # on line L1, area A1


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    s = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield s
    s.db.close()


def _bundle(site: Site) -> dict[str, Any]:
    """What `floorledger bundle` does: a fresh checkpoint, then the bundle, read back from its text."""
    checkpoint_log(site.db, HUB_KEY, clock_ms=lambda: NOW_MS, site="demo").make_checkpoint()
    document = bd.build_bundle(site.db, inmate=INMATE, month=MONTH)
    return bd.load_bundle_text(bd.bundle_text(document))  # type: ignore[no-any-return]


def _approved_with_adjustment(site: Site) -> dict[str, Any]:
    """A −2 adjustment of the inmate, then the month of area A1 approved at all three stages."""
    site.assessment.add_adjustment(LINE_L1, MONTH, "A1", INMATE, "-2", "违反劳动纪律")
    for who in (LINE_L1, HEAD_A1, LABOR):
        site.assessment.approve(who, MONTH, "A1", override=MID_MONTH)
    return _bundle(site)


def _check(doc: dict[str, Any]) -> bd.BundleReport:
    """The bundle as a file, checked the way `floorledger verify-bundle` checks it."""
    return bd.check_bundle_bytes(bd.bundle_text(doc).encode("utf-8"), PUBLIC)


def _recomputed(doc: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    """The attacker's bundle: the scenario edited, then the result and explanation recomputed by the
    product's own engine and code, so every number agrees with the edited scenario."""
    edited = json.loads(bd.bundle_text(doc["scenario"]), parse_float=Decimal)
    edit(edited)
    scenario = load_scenario(edited)
    scenario_doc = bd._reparse(
        {
            "description": bd.scenario_description(INMATE, MONTH),
            **scenario_json(scenario.inputs, scenario.rules, scenario.book),
        }
    )
    rule_set = scenario.rule_set()
    scope = scope_of(scenario.inputs, rule_set, INMATE)
    result = result_of(bd._reparse(result_json(compute_month(scenario.inputs, rule_set))), scope)
    explained = explanations(scenario.inputs, rule_set, result, INMATE)
    return {**doc, "scenario": scenario_doc, "result": result, "explanation": bd._reparse(explained)}


def _record(item: dict[str, Any]) -> dict[str, Any]:
    return json.loads(b64decode(item["frame"])[64:])  # type: ignore[no-any-return]


def _without(doc: dict[str, Any], dropped: dict[str, Any]) -> dict[str, Any]:
    """The bundle with one record left out, its scenario re-derived from the records that remain
    (the checker's own derivation) and its result and explanation recomputed to match."""
    records = [r for r in doc["records"] if r is not dropped]
    scenario = load_scenario(doc["scenario"])
    rule_set = scenario.rule_set()
    derived = fx.derive([fx.as_fact(parse_frame(b64decode(r["frame"]))) for r in records], MONTH)
    entries = [parse_entry(b64decode(e["frame"]))[0] for e in doc["ledger"]]
    corrections = [fx.hub_correction(c.payload) for c in entries if c.action == CORRECTION]
    derived = fx.apply_hub_corrections(derived, [c for c in corrections if MONTH.contains(c.day)])
    scope = scope_of(scenario.inputs, rule_set, INMATE)
    inputs = replace(
        scenario.inputs, attendance=derived.attendance, counts=derived.counts, warehoused=derived.warehoused
    )
    document = bd._reparse(
        {
            "description": bd.scenario_description(INMATE, MONTH),
            **scenario_json(canonical(restrict(inputs, scope))),
        }
    )
    if "rules" in doc["scenario"]:
        document["rules"] = doc["scenario"]["rules"]
    return _recomputed({**doc, "records": records}, lambda d: (d.clear(), d.update(document)))


# --- an honest bundle -------------------------------------------------------------------------------


def test_an_approved_month_s_bundle_carries_the_signed_approval_and_verifies(site: Site) -> None:
    """The bundle of an approved month holds the area's signed rows and the approval and adjustment
    acts with their proofs; it verifies, and the report says who approved and what was adjusted."""
    doc = _approved_with_adjustment(site)
    report = _check(doc)
    assert report.ok, report.render()
    actions = [parse_entry(b64decode(e["frame"]))[0].action for e in doc["ledger"]]
    assert actions.count("month.approve") == 3
    assert actions.count("month.adjust") == 1
    assert doc["assessment"]["area"] == "A1"
    [mine] = [r for r in doc["assessment"]["rows"] if r[0] == INMATE]
    assert mine[-2] == "-2"  # adjust_points as the approval signed them
    text = report.render()
    assert "area A1, approved (line_officer, area_head, labor_section); 1 adjustment(s) in force" in text


def test_an_unapproved_month_s_bundle_says_so(site: Site) -> None:
    """Without an approval the bundle carries no rows and its report says no approval signs the numbers."""
    doc = _bundle(site)
    report = _check(doc)
    assert report.ok, report.render()
    assert doc["assessment"] == {"area": "A1", "rows": None}
    assert "NOT approved" in report.render()


# --- edits recomputed by our own engine ---------------------------------------------------------------


def test_an_adjustment_rewritten_from_minus_2_to_plus_5_is_refused(site: Site) -> None:
    """The officer's −2 rewritten as +5 in the scenario, the result recomputed (points rise by 7):
    the signed `month.adjust` act says −2, and the approved rows say the old points."""
    doc = _approved_with_adjustment(site)

    def rewrite(scenario: dict[str, Any]) -> None:
        [adjustment] = scenario["adjustments"]
        adjustment["points"] = "5"

    forged = _recomputed(doc, rewrite)
    before, after = doc["result"]["monthly"][0], forged["result"]["monthly"][0]
    assert after["labor_points"] - before["labor_points"] == 7
    report = _check(forged)
    assert not report.ok
    findings = report.findings()
    assert (
        f"adjustments: {INMATE} +5 ('违反劳动纪律') is in the scenario, but no signed act in the bundle "
        "enters it (or it was voided)" in findings
    ), report.render()
    assert (
        f"adjustments: the signed acts give {INMATE} -2 ('违反劳动纪律'), the scenario lacks it" in findings
    )
    assert any("is not his row in the approved rows of area A1" in f for f in findings)


def test_a_dropped_adjustment_is_refused(site: Site) -> None:
    """The −2 adjustment left out of the scenario (and the result recomputed) is named."""
    doc = _approved_with_adjustment(site)
    forged = _recomputed(doc, lambda s: s.pop("adjustments"))
    report = _check(forged)
    assert not report.ok
    assert f"adjustments: the signed acts give {INMATE} -2 ('违反劳动纪律'), the scenario lacks it" in (
        report.findings()
    )


def test_a_record_left_out_of_an_approved_month_changes_a_signed_number(site: Site) -> None:
    """One of the inmate's count records dropped, the scenario re-derived from the records left and
    the result recomputed: every input agrees with the signed records shown, but his monthly line is
    no longer the row the approval signed."""
    doc = _approved_with_adjustment(site)
    counts = [
        r
        for r in doc["records"]
        if _record(r)["type"] == "unit_count" and _record(r)["body"]["person"] == INMATE
    ]
    forged = _without(doc, counts[0])
    assert forged["result"]["monthly"] != doc["result"]["monthly"]
    report = _check(forged)
    assert not report.ok
    [finding] = report.findings()
    assert finding.startswith(f"assessment: {INMATE}'s monthly line recomputed from this bundle"), finding
    assert "is not his row in the approved rows of area A1" in finding


def test_the_approved_rows_edited_to_match_are_refused_by_the_signed_digest(site: Site) -> None:
    """Editing the area's rows to agree with a forged result breaks the digest the approvals signed."""
    doc = _approved_with_adjustment(site)
    counts = [
        r
        for r in doc["records"]
        if _record(r)["type"] == "unit_count" and _record(r)["body"]["person"] == INMATE
    ]
    forged = _without(doc, counts[0])
    m = forged["result"]["monthly"][0]
    rows = [list(r) for r in doc["assessment"]["rows"]]
    for r in rows:
        if r[0] == INMATE:
            r[1:] = [
                str(v)
                for v in (
                    m["quota_std_seconds"],
                    m["earned_std_seconds"],
                    m["workdays"],
                    m["days_met"],
                    m["base_points"],
                    m["bonus_points"],
                    m["adjust_points"],
                    m["labor_points"],
                )
            ]
    forged["assessment"] = {"area": "A1", "rows": rows}
    report = _check(forged)
    assert not report.ok
    assert sum("do not give the digest the" in f for f in report.findings()) == 3, report.render()


def test_an_approval_left_out_while_its_rows_stay_is_refused(site: Site) -> None:
    """Rows without an approval in force in the bundle's acts are not taken on the hub's word."""
    doc = _approved_with_adjustment(site)
    doc["ledger"] = [
        e for e in doc["ledger"] if parse_entry(b64decode(e["frame"]))[0].action != "month.approve"
    ]
    report = _check(doc)
    assert not report.ok
    assert "assessment: rows of area A1 but no approval of its month in force" in report.findings()


# --- master data ----------------------------------------------------------------------------------------


def _master_findings(report: bd.BundleReport) -> list[str]:
    return next(p for p in report.parts if p.title.startswith("master data")).findings


def test_a_bundle_carries_the_master_data_acts_of_its_scope(site: Site) -> None:
    """The inmate's own act, the posts of everyone in scope, the lines, products and workdays: each
    with its proof; a line-mate's `inmate.add` (which names him) is not carried."""
    doc = _bundle(site)
    contents = [parse_entry(b64decode(e["frame"]))[0] for e in doc["ledger"]]
    added = [c.subject for c in contents if c.action == "inmate.add"]
    assert added == [INMATE]
    posted = {c.subject for c in contents if c.action == "assignment.add"}
    assert posted == {i["id"] for i in doc["scenario"]["inmates"]}
    assert {c.subject for c in contents if c.action == "line.add"} == {
        x["code"] for x in doc["scenario"]["lines"]
    }
    assert {c.subject for c in contents if c.action == "product.add"} == {
        p["code"] for p in doc["scenario"]["products"]
    }
    assert any(c.action == "workday.add" for c in contents)
    assert any(c.action == "standard_time.set" for c in contents)  # the seed's mid-month change
    report = _check(doc)
    assert report.ok, report.render()
    assert _master_findings(report) == []


def test_a_site_s_rule_set_version_and_a_line_s_own_workday_verify(site: Site) -> None:
    """A rule set version of the site and a workday of another line only (a Saturday of L3) are in
    the month the hub computes; the bundle carries their acts and verifies."""
    data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    data.add_rule_set_version(
        ADMIN, "2026-10-a", valid_from="2026-10", parameters={"labor_base_points": "32"}, reason="新办法"
    )
    data.add_workdays(ADMIN, ["2026-10-24"], line="L3")
    doc = _bundle(site)
    assert "2026-10-24" in doc["scenario"]["workdays"]
    assert doc["rule_set"]["version"].endswith("2026-10-a")
    report = _check(doc)
    assert report.ok, report.render()


def test_a_rule_version_s_parameter_raised_is_refused(site: Site) -> None:
    """The site's signed rule version gives 32 base points; the scenario's rules rewritten to 40 with
    every number recomputed: the rules differ from the signed `rule_set.add`."""
    data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    data.add_rule_set_version(
        ADMIN, "2026-10-a", valid_from="2026-10", parameters={"labor_base_points": "32"}, reason="新办法"
    )
    doc = _bundle(site)

    def richer(scenario: dict[str, Any]) -> None:
        scenario["rules"] = json.loads(
            json.dumps(scenario["rules"], default=str).replace('"32"', '"40"'), parse_float=Decimal
        )

    forged = _recomputed(doc, richer)
    forged["rule_set"] = bd._reparse(rule_set_json(load_scenario(forged["scenario"]).rule_set()))
    assert forged["result"]["monthly"][0]["labor_points"] > doc["result"]["monthly"][0]["labor_points"]
    report = _check(forged)
    assert not report.ok
    findings = _master_findings(report)
    assert any(f.startswith("rules: ") for f in findings), report.render()
    assert any(f.startswith("rule_set: the scenario puts") for f in findings), findings


def test_posts_of_an_older_hub_that_signed_no_post_id_verify(site: Site) -> None:
    """An older hub's `assignment.add` signs no post id (the replay numbers posts by counting them) and
    a later `assignment.end` names the post by id: the bundle then carries every post act of the site,
    so the post ended is the right one and the bundle verifies."""
    data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    other = Assignment.get(Assignment.line == "L3")  # someone outside the inmate's scope moves last
    data.assign(
        ADMIN, other.inmate, line="L3", product=other.product, step=other.step, valid_from="2026-10-26"
    )
    mine = Assignment.get(Assignment.inmate == INMATE)
    new_id = int(Assignment.select(pw.fn.MAX(Assignment.id)).scalar()) + 1
    post = {"line": mine.line, "product": mine.product, "step": mine.step, "from": "2026-10-20", "to": None}
    Assignment.create(
        id=new_id,
        inmate=INMATE,
        valid_from="2026-10-20",
        valid_to=None,
        created_ms=NOW_MS,
        **{k: v for k, v in post.items() if k in ("line", "product", "step")},
    )
    site.ledger.record_act(ADMIN, "assignment.add", INMATE, {"inmate": INMATE, **post})  # no "id"
    data.end_assignment(ADMIN, new_id, "2026-10-22")
    doc = _bundle(site)
    posted = {parse_entry(b64decode(e["frame"]))[0].subject for e in doc["ledger"]} & {
        a.inmate for a in Assignment.select()
    }
    assert len(posted) > len(doc["scenario"]["inmates"])  # every post act of the site
    report = _check(doc)
    assert report.ok, report.render()


def _inmate_quota(pct: int) -> Callable[[dict[str, Any]], None]:
    def edit(scenario: dict[str, Any]) -> None:
        [me] = [i for i in scenario["inmates"] if i["id"] == INMATE]
        me["quota_pct"] = pct

    return edit


def test_the_inmate_s_quota_pct_lowered_to_70_is_refused(site: Site) -> None:
    """quota_pct 100 → 70 in the scenario with every number recomputed (his points rise): the signed
    `inmate.add` says 100."""
    doc = _bundle(site)
    [me] = [i for i in doc["scenario"]["inmates"] if i["id"] == INMATE]
    assert "quota_pct" not in me  # 100, the default
    forged = _recomputed(doc, _inmate_quota(70))
    assert forged["result"]["monthly"][0]["labor_points"] > doc["result"]["monthly"][0]["labor_points"]
    report = _check(forged)
    assert not report.ok
    name = me["name"]
    assert _master_findings(report) == [
        f"inmates: {INMATE}: quota_pct 70, name {name!r} in the scenario, "
        f"the signed acts say quota_pct 100, name {name!r}"
    ], report.render()


def test_standard_times_times_1_3_are_refused(site: Site) -> None:
    """Every standard time × 1.3 with every number recomputed: each one differs from its signed act."""
    doc = _bundle(site)

    def slower(scenario: dict[str, Any]) -> None:
        for s in scenario["standard_times"]:
            s["seconds"] = str(Decimal(s["seconds"]) * Decimal("1.3"))

    forged = _recomputed(doc, slower)
    assert forged["result"]["monthly"] != doc["result"]["monthly"]
    report = _check(forged)
    assert not report.ok
    findings = _master_findings(report)
    assert len(findings) == len(doc["scenario"]["standard_times"]), report.render()
    first = doc["scenario"]["standard_times"][0]
    seconds = Decimal(first["seconds"])
    assert (
        f"standard_times: {first['product']}/{first['step']} from {first['from']}: "
        f"{(seconds * Decimal('1.3')).normalize():f} s in the scenario, the signed acts say {seconds} s"
    ) in findings


def test_a_line_mate_s_post_moved_to_another_step_is_refused(site: Site) -> None:
    """A line-mate's post moved to another step (shares of the step's output change): no signed act
    puts him there."""
    doc = _bundle(site)
    mine = next(a for a in doc["scenario"]["assignments"] if a["inmate"] == INMATE)

    def move(scenario: dict[str, Any]) -> None:
        other = next(
            a for a in scenario["assignments"] if a["inmate"] != INMATE and a["step"] != mine["step"]
        )
        other["step"] = mine["step"]

    report = _check(_recomputed(doc, move))
    assert not report.ok
    assert any(f.startswith("assignments: ") for f in _master_findings(report)), report.render()


def test_a_changed_quota_with_its_act_left_out_is_refused(site: Site) -> None:
    """The inmate's quota lowered by a signed `inmate.quota_pct` act: the bundle shows the new quota.
    Left out of the bundle, the act's value is missing: the scenario no longer agrees with the acts."""
    site_md = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    site_md.set_quota_pct(ADMIN, INMATE, "80", reason="体检后调整")
    doc = _bundle(site)
    assert _check(doc).ok
    doc["ledger"] = [
        e for e in doc["ledger"] if parse_entry(b64decode(e["frame"]))[0].action != "inmate.quota_pct"
    ]
    report = _check(doc)
    assert not report.ok
    assert any(f.startswith(f"inmates: {INMATE}: quota_pct 80") for f in _master_findings(report))


# --- revoked kiosk keys -------------------------------------------------------------------------------


def test_a_record_signed_with_a_revoked_kiosk_s_key_after_its_revocation_is_refused(site: Site) -> None:
    """Kiosk H-L1 revoked; then a count for the inmate signed with its stolen key, the chain continued,
    the head moved and a checkpoint signed over it, as someone with SQL access does. The hub builds
    the bundle from its tables (the forged count included, every number consistent), but the bundle
    carries the revocation act, which bounds the kiosk's chain: verify-bundle refuses the record."""
    kiosk = history_kiosk("L1")
    enrollment = Enrollment(site.db, site.ledger, lambda: NOW_MS)
    enrollment.revoke("admin", kiosk, "stolen")
    head = models.Kiosk.get_by_id(kiosk)
    body = UnitCount(
        person=INMATE, line="L1", day="2026-10-27", product="SHIRT", step="S1", units=300, source="manual"
    )
    forged = sign_record(
        Record(
            kiosk=kiosk,
            seq=head.head_seq + 1,
            prev=head.head_hash,
            boot="b9",
            wall_ms=NOW_MS,
            mono_ms=9,
            body=body,
        ),
        demo_kiosk_signer(1, kiosk),
    )
    columns = dict(zip(models.RECORD_PARSED_COLUMNS, models.record_columns(forged), strict=True))
    models.KioskRecord.insert(**columns, frame=forged.frame, received_ms=NOW_MS).execute()
    models.Kiosk.update(head_seq=forged.record.seq, head_hash=forged.hash).where(
        models.Kiosk.id == kiosk
    ).execute()
    doc = _bundle(site)
    assert any(
        _record(r)["seq"] == forged.record.seq and _record(r)["kiosk"] == kiosk for r in doc["records"]
    )
    report = _check(doc)
    assert not report.ok
    assert any(
        f"({kiosk}#{forged.record.seq} unit_count): signed after kiosk {kiosk} was revoked" in f
        for f in report.findings()
    ), report.render()


def test_records_signed_before_the_revocation_still_verify(site: Site) -> None:
    """The revocation does not void what the kiosk signed before it: the bundle verifies."""
    Enrollment(site.db, site.ledger, lambda: NOW_MS).revoke("admin", history_kiosk("L1"), "stolen")
    doc = _bundle(site)
    actions = [parse_entry(b64decode(e["frame"]))[0].action for e in doc["ledger"]]
    assert "kiosk.revoke" in actions
    report = _check(doc)
    assert report.ok, report.render()


def _v2_month(site: Site) -> tuple[str, str]:
    """Rule book v2 from October: a line-mate of the inmate exempt from the 20th, another on a rated
    post (厨房, on L1) from the 20th, and the inmate's own post marked as training. Returns the two
    line-mates."""
    data = masterdata_service(site.db, record_act=site.ledger.record_act, clock_ms=lambda: NOW_MS)
    data.add_rule_set_version(
        ADMIN, "JX-V2", valid_from="2026-10", parameters={"rule_book": "v2"}, reason="第二版"
    )
    mates = [
        a.inmate
        for a in Assignment.select()
        .where((Assignment.line == "L1") & (Assignment.inmate != INMATE))
        .order_by(Assignment.inmate)
    ]
    exempt, cook = mates[0], mates[1]
    data.add_exemption(ADMIN, exempt, valid_from="2026-10-20", reference="医鉴 2026-40")
    data.add_post(ADMIN, "KITCHEN", "厨房", line="L1")
    data.assign(ADMIN, cook, post="KITCHEN", valid_from="2026-10-20")
    own = Assignment.select().where(Assignment.inmate == INMATE).order_by(Assignment.id.desc()).first()
    data.set_training(ADMIN, own.id, True)
    site.results.recompute_month(MONTH)
    return exempt, cook


def test_a_v2_month_s_bundle_carries_exemptions_rated_and_training_posts_and_verifies(site: Site) -> None:
    """The bundle of a version-2 month carries the line-mate's exemption, the rated post and the
    training flag as signed acts; the scenario lists them and the bundle verifies."""
    exempt, cook = _v2_month(site)
    doc = _bundle(site)
    contents = [parse_entry(b64decode(e["frame"]))[0] for e in doc["ledger"]]
    carried = {(c.action, c.subject) for c in contents}
    assert ("exemption.add", exempt) in carried
    assert ("assignment.training", INMATE) in carried
    scenario = doc["scenario"]
    assert next(i for i in scenario["inmates"] if i["id"] == exempt)["labor_exempt"] == [
        {"from": "2026-10-20"}
    ]
    assert any(a.get("mode") == "rated" and a["inmate"] == cook for a in scenario["assignments"])
    assert all(a.get("training") for a in scenario["assignments"] if a["inmate"] == INMATE)
    report = _check(doc)
    assert report.ok, report.render()


def test_a_line_mate_s_exemption_or_the_inmate_s_training_edited_out_is_refused(site: Site) -> None:
    """With every number recomputed: the line-mate's exemption dropped (he shares the line's credit
    again) and the inmate's training flag removed (he owes a full quota) are each refused."""
    exempt, _ = _v2_month(site)
    doc = _bundle(site)

    def no_exemption(scenario: dict[str, Any]) -> None:
        next(i for i in scenario["inmates"] if i["id"] == exempt).pop("labor_exempt")

    def no_training(scenario: dict[str, Any]) -> None:
        for a in scenario["assignments"]:
            if a["inmate"] == INMATE:
                a.pop("training", None)
                a.pop("training_from", None)

    for edit, finding in (
        (no_exemption, "inmates (line-mates' labor exemptions): "),
        (no_training, "assignments: "),
    ):
        report = _check(_recomputed(doc, edit))
        assert not report.ok
        assert any(f.startswith(finding) for f in _master_findings(report)), report.render()
