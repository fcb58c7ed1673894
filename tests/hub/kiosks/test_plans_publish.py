"""Line plans: signed by the hub, verifiable with its key, carrying the line's roster with badges, posts,
today's quota and yesterday's record; republished (with a higher revision) only when something changed."""

from __future__ import annotations

from datetime import date

import peewee as pw
import pytest

from hub.engine.model import Month
from hub.kiosks import plans
from hub.masterdata import service as md
from hub.results import worker as rs
from protocol.errors import BadSignature
from protocol.messages import LinePlan, open_frame
from protocol.signing import Signer, Verifier
from protocol.topics import Topics
from tests.hub.masterdata import test_masterdata_store as store

hub_url = store.hub_url  # the shared database fixtures
hub_db = store.hub_db

TODAY = date(2026, 10, 6)
HUB_KEY = Signer(b"\x21" * 32)


def _publisher(db: pw.Database, sent: list[tuple[str, bytes]]) -> plans.PlanPublisher:
    return plans.PlanPublisher(
        db,
        hub="T1",
        signer=HUB_KEY,
        topics=Topics.for_site("T1"),
        publish=lambda topic, frame: sent.append((topic, frame)),
        today=lambda: TODAY,
        clock_ms=lambda: 1_791_250_000_000,
    )


def test_the_plan_is_signed_and_carries_roster_badges_quotas_and_yesterday(hub_db: pw.Database) -> None:
    """A kiosk verifies the plan with the hub key and finds each inmate's badge, post, quota, yesterday."""
    store.small_site(md.MasterData(hub_db, month_locked=store.month_lock(hub_db)))
    rs.Results(hub_db, today=lambda: TODAY).recompute_month(Month.of(TODAY))
    sent: list[tuple[str, bytes]] = []
    assert _publisher(hub_db, sent).refresh() == ["L1"]
    [(topic, frame)] = sent
    assert topic == "floorledger/T1/line/L1/plan"
    plan: LinePlan = open_frame(frame, Verifier(HUB_KEY.public_key), LinePlan)
    assert (plan.line, plan.line_name, plan.area_name, plan.day) == ("L1", "服装一线", "一监区", "2026-10-06")
    assert (plan.product, plan.product_name, plan.revision) == ("SHIRT", "衬衫", 1)
    people = {p.id: p for p in plan.people}
    assert set(people) == {"P1", "P2", "P3", "O1"}
    p1 = people["P1"]
    assert (p1.name, p1.role, p1.badges, p1.step, p1.step_name) == ("张三", "inmate", ("B1",), "S2", "做领")
    assert p1.quota_units == "236.31"  # 480 min x 60 x 80 % / 97.5 s
    assert p1.yesterday is not None
    assert (p1.yesterday.day, p1.yesterday.done_units, p1.yesterday.diff_units) == (
        "2026-10-05",
        "0.00",
        "-236.31",
    )
    assert people["O1"].role == "officer"
    assert people["O1"].badges == ("B-O1",)
    tampered = frame[:10] + bytes([frame[10] ^ 1]) + frame[11:]
    with pytest.raises(BadSignature):
        open_frame(tampered, Verifier(HUB_KEY.public_key), LinePlan)


def test_a_plan_is_republished_only_when_its_content_changes(hub_db: pw.Database) -> None:
    """Nothing changed: nothing sent. A badge revoked: a new plan, higher revision, without the badge."""
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db))
    store.small_site(data)
    sent: list[tuple[str, bytes]] = []
    publisher = _publisher(hub_db, sent)
    data.on_change(publisher.on_master_change)
    publisher.refresh()
    assert publisher.refresh() == []
    data.revoke_badge("admin", "B2", reason="丢失")
    assert len(sent) == 2
    plan: LinePlan = open_frame(sent[-1][1], Verifier(HUB_KEY.public_key), LinePlan)
    assert plan.revision == 2
    assert {p.id: p.badges for p in plan.people}["P2"] == ()


def test_a_new_result_refreshes_the_plan_with_todays_quota(hub_db: pw.Database) -> None:
    """Results announce a recomputed line-day; the plan follows with the quota the result holds."""
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db))
    store.small_site(data)
    sent: list[tuple[str, bytes]] = []
    publisher = _publisher(hub_db, sent)
    publisher.refresh()
    data.set_quota_pct("admin", "P2", 50, reason="年老体弱")
    results = rs.Results(hub_db, today=lambda: TODAY)
    results.on_change(publisher.on_results)
    results.recompute_day(TODAY)
    plan: LinePlan = open_frame(sent[-1][1], Verifier(HUB_KEY.public_key), LinePlan)
    assert {p.id: p.quota_units for p in plan.people}["P2"] == "147.69"  # 480 x 60 x 50 % / 97.5


def test_the_areas_other_inmates_are_listed_without_a_post(hub_db: pw.Database) -> None:
    """An inmate of the same area posted elsewhere is in the plan without a step, so the kiosk can say
    "not of this line" rather than "unknown badge"; an inmate of another area is not in it at all."""
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db))
    store.small_site(data)
    data.add_area("admin", "A2", "二监区")
    data.add_inmate("admin", "P8", number="3200008", name="周八", area="A1")
    data.issue_badge("admin", "B8", "P8")
    data.add_inmate("admin", "P9", number="3200009", name="吴九", area="A2")
    data.issue_badge("admin", "B9", "P9")
    sent: list[tuple[str, bytes]] = []
    _publisher(hub_db, sent).refresh()
    plan: LinePlan = open_frame(sent[-1][1], Verifier(HUB_KEY.public_key), LinePlan)
    people = {p.id: p for p in plan.people}
    assert (people["P8"].role, people["P8"].step, people["P8"].badges) == ("inmate", None, ("B8",))
    assert "P9" not in people


def test_an_inmate_on_a_rated_post_is_in_the_plan_with_the_post_and_no_step(hub_db: pw.Database) -> None:
    """Rule book v2: an inmate moved to a post without a quota (厨房, on L1) stays on L1's roster with
    the post's name and no product, step or unit quota, and the plan is still published and signed."""
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db))
    store.small_site(data)
    data.add_rule_set_version(
        "admin", "V2", valid_from="2026-10", parameters={"rule_book": "v2"}, reason="新规"
    )
    data.add_post("admin", "KITCHEN", "厨房", line="L1")
    data.assign("admin", "P1", post="KITCHEN", valid_from="2026-10-06")
    rs.Results(hub_db, today=lambda: TODAY).recompute_month(Month.of(TODAY))
    sent: list[tuple[str, bytes]] = []
    assert _publisher(hub_db, sent).refresh() == ["L1"]
    plan: LinePlan = open_frame(sent[0][1], Verifier(HUB_KEY.public_key), LinePlan)
    p1 = next(p for p in plan.people if p.id == "P1")
    assert (p1.product, p1.step, p1.step_name, p1.quota_units) == (None, None, "厨房", None)
