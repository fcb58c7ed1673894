"""Rule book version 2's master data through `MasterData` (#14 item 2): posts without quotas, rated
posts, the training flag (its default and its edits), labor exemptions and the v2 rule parameters.
Each change is one ledgered act that `hub.masterdata.replay` turns back into exactly the stored rows;
each refusal names its reason and leaves no row and no act behind."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from fractions import Fraction
from typing import Any

import peewee as pw
import pytest

from hub.accounts import Principal, Role
from hub.engine.compute import compute_month
from hub.engine.model import Month, RampStep
from hub.ledger.entries import GENESIS_HASH, EntryContent
from hub.masterdata import service as md
from hub.masterdata.checks import MasterDataError, ScopeError
from hub.masterdata.queries import rule_book
from hub.masterdata.replay import TABLES, matches, replay
from hub.results.inputs import month_input
from hub.store.masterdata import Assignment, Exemption, Post
from hub.store.schema import MASTERDATA_MODELS
from tests.hub.masterdata import test_masterdata_store as store
from tests.hub.masterdata.test_masterdata_locks import _lock
from tests.hub.masterdata.test_masterdata_store import Acts, month_lock, small_site

hub_url = store.hub_url  # the shared database fixtures
hub_db = store.hub_db

T0 = 1_791_900_000_000
OCT = Month.parse("2026-10")


def _service(db: pw.Database) -> tuple[md.MasterData, Acts]:
    acts = Acts()
    return md.MasterData(db, month_locked=month_lock(db), record_act=acts, clock_ms=lambda: T0), acts


def _v2_site(
    db: pw.Database, since: str = "2026-10", first: date = date(2026, 10, 1)
) -> tuple[md.MasterData, Acts]:
    data, acts = _service(db)
    small_site(data, first)
    data.add_rule_set_version(
        "admin", "JX-V2", valid_from=since, parameters={"rule_book": "v2"}, reason="新规"
    )
    return data, acts


def _replayed_equals_tables(acts: Acts) -> None:
    """Every master-data row is what replaying the acts (as the ledger would sign them) gives."""
    entries = [
        EntryContent(index=n, prev=GENESIS_HASH, actor=a, action=x, subject=s, payload=p, hub_ms=T0 + n)
        for n, (a, x, s, p) in enumerate(acts.acts, start=1)
    ]
    state = replay(entries)
    assert state.problems == []
    for model in MASTERDATA_MODELS:
        spec = TABLES[model._meta.table_name]
        stored = {
            tuple(row[spec.columns.index(k)] for k in spec.key): row
            for row in model.select(*[getattr(model, c) for c in spec.columns]).tuples()
        }
        expected = state.rows(spec.name)
        assert set(stored) == set(expected), spec.name
        for key, row in stored.items():
            for column, value in zip(spec.columns, row, strict=True):
                assert matches(expected[key].values[column], value), (spec.name, key, column, value)


def _refused(acts: Acts, change: Callable[[], Any], text: str) -> None:
    before = [list(m.select().tuples()) for m in MASTERDATA_MODELS]
    count = len(acts.acts)
    with pytest.raises(MasterDataError) as err:
        change()
    assert text in err.value.text("en"), err.value.text("en")
    assert [list(m.select().tuples()) for m in MASTERDATA_MODELS] == before
    assert len(acts.acts) == count


def test_posts_rated_posts_training_and_exemptions_are_acts_that_replay_to_the_tables(
    hub_db: pw.Database,
) -> None:
    """A post on a line, a rated post on it, a new step's training post (default on), its flag turned
    off, an exemption entered and ended: one act each, and the replay of the acts equals every table."""
    data, acts = _v2_site(hub_db)
    data.add_post("admin", "KITCHEN", "厨房", line="L1", shift="白班")
    data.update_post("admin", "KITCHEN", name="伙房")
    rated = data.assign("admin", "P1", post="KITCHEN", valid_from="2026-10-12")
    trainee = data.assign("admin", "P3", line="L1", product="SHIRT", step="S2", valid_from="2026-10-05")
    assert Assignment.get_by_id(trainee).training is True  # P3 never held S2: training by default
    data.set_training("admin", trainee, False)
    period = data.add_exemption("admin", "P2", valid_from="2026-10-06", reference="医鉴 2026-17")
    data.end_exemption("admin", period, "2026-10-20")

    actions = [a[1] for a in acts.acts]
    assert actions[-7:] == [
        "post.add",
        "post.update",
        "assignment.add",
        "assignment.add",
        "assignment.training",
        "exemption.add",
        "exemption.end",
    ]
    row = Assignment.get_by_id(rated)
    assert (row.mode, row.post, row.line, row.product, row.step) == ("rated", "KITCHEN", "L1", "", "")
    assert Assignment.get_by_id(trainee).training is False
    exemption = Exemption.get_by_id(period)
    assert (exemption.valid_to, exemption.reference, exemption.entered_by) == (
        "2026-10-20",
        "医鉴 2026-17",
        "admin",
    )
    assert Post.get_by_id("KITCHEN").name == "伙房"
    _replayed_equals_tables(acts)


def test_the_training_default_follows_the_steps_the_inmate_has_held_and_the_rule_book(
    hub_db: pw.Database,
) -> None:
    """Training is on by default only for a step the inmate never held, and only under version 2;
    an officer may still set it either way."""
    data, _ = _v2_site(hub_db, since="2026-11")
    october = data.assign("admin", "P3", line="L1", product="SHIRT", step="S2", valid_from="2026-10-20")
    assert Assignment.get_by_id(october).training is False  # version 1 in October: no training there
    held = data.assign("admin", "P1", line="L1", product="SHIRT", step="S2", valid_from="2026-11-02")
    assert Assignment.get_by_id(held).training is False  # P1 held S2 since October 1
    new = data.assign("admin", "P1", line="L1", product="SHIRT", step="S1", valid_from="2026-11-09")
    assert Assignment.get_by_id(new).training is True
    chosen = data.assign(
        "admin", "P2", line="L1", product="SHIRT", step="S1", valid_from="2026-11-09", training=False
    )
    assert Assignment.get_by_id(chosen).training is False


def test_version_two_master_data_is_refused_over_a_version_one_month(hub_db: pw.Database) -> None:
    """A month computed under version 1 stays so: no rated post, training or exemption reaches into
    it, and no later rule-set version takes a month holding one back to version 1."""
    data, acts = _v2_site(hub_db, since="2026-11")
    data.add_post("admin", "CLEAN", "保洁", line="L1")
    needs = "the rule set in force in 2026-10 is rule book v1"
    _refused(acts, lambda: data.assign("admin", "P1", post="CLEAN", valid_from="2026-10-30"), needs)
    _refused(
        acts,
        lambda: data.add_exemption("admin", "P2", valid_from="2026-10-28", reference="医鉴 1"),
        needs,
    )
    post = Assignment.select().where(Assignment.inmate == "P3").get()
    _refused(acts, lambda: data.set_training("admin", post.id, True), needs)
    data.assign("admin", "P1", post="CLEAN", valid_from="2026-11-02")  # from the v2 month: fine
    back = {"rule_book": "v1"}
    _refused(
        acts,
        lambda: data.add_rule_set_version("admin", "BACK", valid_from="2026-12", parameters=back, reason="x"),
        "mode: the rule set in force in 2026-12 is rule book v1",
    )
    data.add_rule_set_version(
        "admin", "CAP", valid_from="2026-12", parameters={"bonus_cap_points": "12"}, reason="x"
    )


def test_refusals_name_their_reason(hub_db: pw.Database) -> None:
    """Unknown line or post, a duplicate post, a rated post with a step, a post on another line,
    an exemption without the hospital's reference or overlapping another, an unknown exemption."""
    data, acts = _v2_site(hub_db)
    data.add_post("admin", "KITCHEN", "厨房", line="L1")
    data.add_exemption("admin", "P2", valid_from="2026-10-06", valid_to="2026-10-16", reference="医鉴 1")
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: data.add_post("admin", "X", "杂工", line="L9"), "unknown line 'L9'"),
        (lambda: data.add_post("admin", "KITCHEN", "厨房", line="L1"), "post 'KITCHEN' already exists"),
        (lambda: data.add_post("admin", "X", " ", line="L1"), "a post needs a name"),
        (lambda: data.assign("admin", "P1", post="NONE", valid_from="2026-10-12"), "unknown post 'NONE'"),
        (
            lambda: data.assign(
                "admin", "P1", post="KITCHEN", product="SHIRT", step="S1", valid_from="2026-10-12"
            ),
            "a rated post names no product or step",
        ),
        (
            lambda: data.assign("admin", "P1", post="KITCHEN", line="L2", valid_from="2026-10-12"),
            "post 'KITCHEN' is on line 'L1'",
        ),
        (
            lambda: data.add_exemption("admin", "P1", valid_from="2026-10-06", reference=" "),
            "the hospital's reference is required",
        ),
        (
            lambda: data.add_exemption("admin", "P2", valid_from="2026-10-12", reference="医鉴 2"),
            "overlaps the exemption 2026-10-06 to 2026-10-16 (医鉴 1)",
        ),
        (lambda: data.end_exemption("admin", 99, "2026-10-20"), "unknown exemption 99"),
        (lambda: data.set_training("admin", 999, True), "no assignment 999"),
    ]
    for change, text in cases:
        _refused(acts, change, text)


def test_a_locked_month_refuses_an_exemption_and_a_training_change(hub_db: pw.Database) -> None:
    """An exemption or a training flag changes the results of the days it covers: refused while the
    area's month is approved and locked."""
    data, acts = _v2_site(hub_db)
    post = Assignment.select().where(Assignment.inmate == "P3").get()
    _lock(hub_db, OCT, "A1")
    locked = "The monthly assessment of A1 for 2026-10 is approved and locked"
    _refused(
        acts, lambda: data.add_exemption("admin", "P2", valid_from="2026-10-06", reference="医鉴 1"), locked
    )
    _refused(acts, lambda: data.set_training("admin", post.id, True), locked)


def test_an_area_head_changes_posts_and_exemptions_of_their_own_area_only(hub_db: pw.Database) -> None:
    data, _ = _v2_site(hub_db)
    data.add_area("admin", "A2", "二监区")
    data.add_line("admin", "L2", "二线", area="A2", shift_minutes=480)
    data.add_inmate("admin", "P9", number="329", name="外区", area="A2")
    head = Principal(username="head1", display_name="区长", role=Role.AREA_HEAD, area="A1")
    data.add_post(head, "CLEAN", "保洁", line="L1")
    data.add_exemption(head, "P1", valid_from="2026-10-06", reference="医鉴 3")
    assert Exemption.get(Exemption.inmate == "P1").entered_by == "head1"
    with pytest.raises(ScopeError):
        data.add_post(head, "CLEAN2", "保洁", line="L2")
    with pytest.raises(ScopeError):
        data.add_exemption(head, "P9", valid_from="2026-10-06", reference="医鉴 4")


def test_version_two_rule_parameters_are_stored_signed_and_in_force(hub_db: pw.Database) -> None:
    """The rule-set page's v2 parameters: the structured values stored and signed as the rules file
    writes them, and in force from their month."""
    data, acts = _service(hub_db)
    small_site(data)
    parameters = {
        "rule_book": "v2",
        "rating_pct": {"A": "100", "B": "85", "C": "70", "D": "40"},
        "training_ramp": [{"days": 5, "pct": "60"}],
        "additions_cap_pct": "40",
        "deduction_categories": {"safety": {"min": "2", "max": "8"}},
    }
    data.add_rule_set_version(
        "admin", "JX-2026-11", valid_from="2026-11", parameters=parameters, reason="新规"
    )
    assert acts.acts[-1][3]["parameters"] == parameters
    params = rule_book().for_month(Month.parse("2026-11")).params
    assert params.v2
    assert params.training_ramp == (RampStep(days=5, pct=Fraction(60)),)
    assert params.grade_pct("B") == 85
    assert params.additions_cap_pct == 40
    assert not rule_book().for_month(OCT).params.v2
    _replayed_equals_tables(acts)
    _refused(
        acts,
        lambda: data.add_rule_set_version(
            "admin",
            "BAD",
            valid_from="2026-12",
            parameters={"training_ramp": [{"days": 0, "pct": "50"}]},
            reason="x",
        ),
        "parameters.training_ramp[0].days",
    )


def test_the_month_input_of_a_version_two_month(hub_db: pw.Database) -> None:
    """`month_input` gives the engine the rated post, the exemption and the training post, so the
    month computes as the rule book's version 2 says: the exempt inmate owes nothing and is not
    assessed, the rated day earns 0 until graded and is listed as missing, and the trainee owes
    50 % of his quota in his first 7 days and 75 % up to day 14, counted from the post's first day
    in September even though October's input lists only its October piece."""
    data, _ = _v2_site(hub_db, since="2026-09", first=date(2026, 9, 1))
    sept = [date(2026, 9, d) for d in range(28, 31)]
    data.add_workdays("admin", sept)
    data.add_post("admin", "KITCHEN", "厨房", line="L1")
    data.assign("admin", "P1", post="KITCHEN", valid_from="2026-10-01")
    data.add_exemption("admin", "P2", valid_from="2026-10-01", reference="医鉴 5")
    data.assign("admin", "P3", line="L1", product="SHIRT", step="S2", valid_from="2026-09-28")
    read = month_input(hub_db, OCT)
    result = compute_month(read.inputs, read.rule_set)
    assert read.rule_set.params.v2
    monthly = {m.inmate: m for m in result.monthly}
    assert monthly["P2"].labor_assessed is False
    assert not [d for d in result.daily if d.inmate == "P2"]
    rated = [r for r in result.rated if r.inmate == "P1"]
    assert len(rated) == 22
    assert {r.post for r in rated} == {"KITCHEN"}
    assert rated[0].quota_std_seconds == 480 * 60 * Fraction(80, 100)  # P1's quota level is 80 %
    assert rated[0].earned_std_seconds == 0
    assert len([m for m in result.missing_ratings if m.inmate == "P1"]) == 22
    trainee = {d.day: d.training_pct for d in result.daily if d.inmate == "P3"}
    assert trainee[date(2026, 10, 1)] == 50  # day 3 of the post
    assert trainee[date(2026, 10, 5)] == 75  # day 7
    assert trainee[date(2026, 10, 12)] == 100  # day 14: the full quota
