"""Evidence bundles of a rule book v2 month carry the hub-signed capture acts of their scope (#14
item 5): the inmate's confirmed deduction and a reject of his work are in the bundle's scenario,
their acts travel with their proofs, the bundle verifies, and a deduction rewritten in the bundle
(with every number recomputed by our own engine) is named against the signed acts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.ledger.entries import parse_entry
from hub.results import inputs as mi
from hub.review import capture as cx
from protocol.signing import b64decode
from tests.hub.audit.test_bundle_signed_inputs import INMATE, _bundle, _check, _master_findings, _recomputed
from tests.hub.review.test_assessment_domain import MONTH, NOW_MS, TODAY, Site, open_copy

FIRST = Principal(username="labor1", display_name="甲", role=Role.LABOR_SECTION)
SECOND = Principal(username="labor2", display_name="乙", role=Role.LABOR_SECTION)


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    """The seeded month put under rule book v2, a reject of the inmate's work and his confirmed
    deduction of 4 safety points."""
    s = open_copy(tmp_path_factory, tmp_path / "hub.db")
    data = masterdata_service(s.db, record_act=s.ledger.record_act, clock_ms=lambda: NOW_MS)
    data.add_rule_set_version(
        FIRST, "JX-V2", valid_from=str(MONTH), parameters={"rule_book": "v2"}, reason="第二版"
    )
    desk = cx.Capture(s.db, s.ledger, today=lambda: TODAY, clock_ms=lambda: NOW_MS)
    counted = [c for c in mi.month_input(s.db, MONTH).inputs.counts if c.inmate == INMATE and c.units >= 1]
    day = counted[0].day
    post = cx.md_queries.assignment_on(INMATE, day)
    assert post is not None
    desk.reject(
        FIRST, line=str(post.line), day=day, inmate=INMATE, step=str(post.step), units=1, reason="线头"
    )
    row = desk.propose_deduction(
        FIRST, inmate=INMATE, day=day, category="safety", points="4", reason="未戴护目镜"
    )
    desk.confirm_deduction(SECOND, row.id)
    yield s
    s.db.close()


def test_a_v2_bundle_carries_the_capture_acts_and_verifies(site: Site) -> None:
    """The scenario lists the reject and the deduction; the ledger part carries reject.add,
    deduction.propose and deduction.confirm; the bundle verifies with no master-data finding."""
    doc = _bundle(site)
    assert [(d["category"], str(d["points"])) for d in doc["scenario"]["deductions"]] == [("safety", "4")]
    assert [str(r["units"]) for r in doc["scenario"]["rejects"]] == ["1"]
    actions = [parse_entry(b64decode(e["frame"]))[0].action for e in doc["ledger"]]
    assert {"reject.add", "deduction.propose", "deduction.confirm"} <= set(actions)
    report = _check(doc)
    assert report.ok, report.render()
    assert _master_findings(report) == []


def test_a_deduction_lowered_in_the_bundle_and_recomputed_is_refused(site: Site) -> None:
    """4 points rewritten to 2 and every number recomputed: the signed acts still say 4."""

    def lower(scenario: dict[str, Any]) -> None:
        scenario["deductions"][0]["points"] = "2"

    report = _check(_recomputed(_bundle(site), lower))
    assert not report.ok
    assert any("deductions" in f and "safety 4" in f for f in _master_findings(report)), report.render()
