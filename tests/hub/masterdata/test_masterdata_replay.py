"""`hub.masterdata.replay`: the master-data rows rebuilt from the hub-signed acts alone (pure), as the
service writes them: what `floorledger verify` and the evidence bundles compare the tables with."""

from __future__ import annotations

import json
from typing import Any

from hub.ledger.entries import GENESIS_HASH, EntryContent
from hub.masterdata.replay import (
    LEGACY_SLACK_MS,
    TABLES,
    UNSIGNED,
    MasterState,
    TakenBefore,
    matches,
    replay,
)
from hub.store.schema import ANALYTICS_MODELS, CAPTURE_MODELS, MASTERDATA_MODELS

T0 = 1_791_900_000_000


def acts(*items: tuple[str, str, dict[str, Any]]) -> list[EntryContent]:
    """Ledger entries 1..n, one second apart, as the hub signs them."""
    return [
        EntryContent(
            index=n,
            prev=GENESIS_HASH,
            actor="admin",
            action=action,
            subject=subject,
            payload=payload,
            hub_ms=T0 + n * 1000,
        )
        for n, (action, subject, payload) in enumerate(items, start=1)
    ]


def values(state: MasterState, table: str) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {key: dict(row.values) for key, row in state.rows(table).items()}


SHIRT = (
    "product.add",
    "SHIRT",
    {
        "code": "SHIRT",
        "name": "衬衫",
        "from": "2026-10-01",
        "steps": [["S1", "裁片", "60"], ["S2", "做领", "97.5"]],
        "reason": "初始",
        "created_ms": T0,
    },
)


def test_every_master_data_table_is_rebuilt_by_replay() -> None:
    """A master-data (or v2 capture) table replay does not know would go unchecked: every such table
    of the schema has a spec, and each spec's columns are real columns of its table."""
    tables = {
        model._meta.table_name: model for model in (*MASTERDATA_MODELS, *CAPTURE_MODELS, *ANALYTICS_MODELS)
    }
    assert set(TABLES) == set(tables)
    for name, spec in TABLES.items():
        stored = {f.column_name for f in tables[name]._meta.sorted_fields}
        assert set(spec.columns) | set(spec.unsigned) == stored, name
        assert set(spec.key) <= set(spec.columns)


def test_products_steps_and_standard_time_versions() -> None:
    """A product's steps in order with their first versions; a version on the same date replaces the
    older one; a step added after S1 pushes S2 down; a rename changes the name only."""
    state = replay(
        acts(
            SHIRT,
            (
                "standard_time.set",
                "SHIRT/S2",
                {
                    "product": "SHIRT",
                    "step": "S2",
                    "from": "2026-10-15",
                    "seconds": "95",
                    "reason": "工艺改进",
                    "created_ms": T0 + 5,
                },
            ),
            (
                "standard_time.set",
                "SHIRT/S2",
                {
                    "product": "SHIRT",
                    "step": "S2",
                    "from": "2026-10-15",
                    "seconds": "94",
                    "reason": "复测",
                    "created_ms": T0 + 6,
                },
            ),
            (
                "step.add",
                "SHIRT/QC",
                {
                    "product": "SHIRT",
                    "code": "QC",
                    "name": "质检",
                    "seconds": "20",
                    "from": "2026-10-20",
                    "reason": "新增质检",
                    "after": "S1",
                    "position": 1,
                    "created_ms": T0 + 7,
                },
            ),
            ("step.rename", "SHIRT/S1", {"product": "SHIRT", "step": "S1", "name": "裁剪", "old": "裁片"}),
        )
    )
    assert state.problems == []
    assert values(state, "md_product") == {("SHIRT",): {"code": "SHIRT", "name": "衬衫"}}
    assert values(state, "md_step") == {
        ("SHIRT", "S1"): {"product": "SHIRT", "code": "S1", "name": "裁剪", "position": 0},
        ("SHIRT", "QC"): {"product": "SHIRT", "code": "QC", "name": "质检", "position": 1},
        ("SHIRT", "S2"): {"product": "SHIRT", "code": "S2", "name": "做领", "position": 2},
    }
    times = values(state, "md_standard_time")
    assert sorted(times) == [
        ("SHIRT", "QC", "2026-10-20"),
        ("SHIRT", "S1", "2026-10-01"),
        ("SHIRT", "S2", "2026-10-01"),
        ("SHIRT", "S2", "2026-10-15"),
    ]
    assert times[("SHIRT", "S2", "2026-10-15")] == {
        "product": "SHIRT",
        "step": "S2",
        "valid_from": "2026-10-15",
        "seconds": "94",
        "reason": "复测",
        "created_ms": T0 + 6,
    }
    assert times[("SHIRT", "S1", "2026-10-01")]["reason"] == "初始"
    assert state.rows("md_step")[("SHIRT", "S1")].entry == 5  # the rename is the last act on it


def test_people_quota_levels_and_corrections() -> None:
    state = replay(
        acts(
            ("area.add", "A1", {"code": "A1", "name": "一监区"}),
            (
                "inmate.add",
                "P1",
                {"id": "P1", "number": "321001", "name": "张三", "quota_pct": "100", "area": "A1"},
            ),
            ("inmate.quota_pct", "P1", {"quota_pct": "80", "reason": "年老体弱"}),
            ("inmate.update", "P1", {"number": "321009"}),
            (
                "officer.add",
                "O1",
                {"id": "O1", "name": "赵", "role": "area_head", "area": "A1", "line": None},
            ),
            ("officer.update", "O1", {"role": "labor_section", "area": None}),
        )
    )
    assert state.problems == []
    assert values(state, "md_inmate") == {
        ("P1",): {"id": "P1", "number": "321009", "name": "张三", "quota_pct": "80", "area": "A1"}
    }
    assert values(state, "md_officer") == {
        ("O1",): {"id": "O1", "name": "赵", "role": "labor_section", "area": None, "line": None}
    }


def test_posts_are_identified_by_the_id_their_act_signs_or_the_one_sqlite_gives() -> None:
    """An older `assignment.add` signs no id: it gets the next one, as SQLite numbers new rows; a newer
    act's id is used as signed; `assignment.end` ends the post it names."""
    post = {"inmate": "P1", "line": "L1", "product": "SHIRT", "step": "S2", "from": "2026-10-01", "to": None}
    state = replay(
        acts(
            ("assignment.add", "P1", post),
            ("assignment.add", "P1", {**post, "step": "S1", "id": 5, "created_ms": T0 + 3}),
            ("assignment.add", "P1", {**post, "from": "2026-10-20"}),
            ("assignment.end", "P1", {"assignment": 5, "to": "2026-10-19"}),
        )
    )
    assert state.problems == []
    rows = values(state, "md_assignment")
    assert sorted(rows) == [(1,), (5,), (6,)]
    assert rows[(5,)] == {
        "id": 5,
        "inmate": "P1",
        "line": "L1",
        "product": "SHIRT",
        "step": "S1",
        "valid_from": "2026-10-01",
        "valid_to": "2026-10-19",
        "created_ms": T0 + 3,
        "mode": "counted",  # acts before rule book v2 sign no mode, post or training: the defaults
        "post": None,
        "training": False,
    }
    assert rows[(1,)]["created_ms"] == TakenBefore(T0 + 1000)  # entry 1's hub time


def test_rule_book_v2_acts_make_posts_rated_and_training_posts_and_exemptions() -> None:
    """A post without a quota and its renamed shift; a rated post and a training post as signed, the
    training flag changed; an exemption made and ended: each row as the service writes it."""
    state = replay(
        acts(
            (
                "post.add",
                "KITCHEN",
                {"code": "KITCHEN", "name": "厨房", "line": "L1", "shift": "白班", "created_ms": T0},
            ),
            ("post.update", "KITCHEN", {"shift": "早班"}),
            (
                "assignment.add",
                "P1",
                {
                    "inmate": "P1",
                    "line": "L1",
                    "product": "",
                    "step": "",
                    "from": "2026-10-01",
                    "to": None,
                    "created_ms": T0 + 1,
                    "mode": "rated",
                    "post": "KITCHEN",
                    "training": False,
                    "id": 7,
                },
            ),
            (
                "assignment.add",
                "P2",
                {
                    "inmate": "P2",
                    "line": "L1",
                    "product": "SHIRT",
                    "step": "S1",
                    "from": "2026-10-05",
                    "to": None,
                    "created_ms": T0 + 2,
                    "mode": "counted",
                    "post": None,
                    "training": True,
                    "id": 8,
                },
            ),
            ("assignment.training", "P2", {"assignment": 8, "training": False}),
            (
                "exemption.add",
                "P3",
                {
                    "id": 1,
                    "inmate": "P3",
                    "from": "2026-10-01",
                    "to": None,
                    "reference": "医鉴 2026-17",
                    "entered_by": "ls1",
                    "created_ms": T0 + 3,
                },
            ),
            ("exemption.end", "P3", {"exemption": 1, "to": "2026-10-20"}),
            ("exemption.end", "P3", {"exemption": 2, "to": "2026-10-20"}),
        )
    )
    assert state.problems == [
        "ledger entry 8 (exemption.end P3): no act made the md_exemption row id=2 it changes"
    ]
    assert values(state, "md_post") == {
        ("KITCHEN",): {"code": "KITCHEN", "name": "厨房", "line": "L1", "shift": "早班", "created_ms": T0}
    }
    posts = values(state, "md_assignment")
    assert (posts[(7,)]["mode"], posts[(7,)]["post"], posts[(7,)]["training"]) == ("rated", "KITCHEN", False)
    assert (posts[(8,)]["mode"], posts[(8,)]["post"], posts[(8,)]["training"]) == ("counted", None, False)
    assert values(state, "md_exemption") == {
        (1,): {
            "id": 1,
            "inmate": "P3",
            "valid_from": "2026-10-01",
            "valid_to": "2026-10-20",
            "reference": "医鉴 2026-17",
            "entered_by": "ls1",
            "created_ms": T0 + 3,
        }
    }


def test_badges_workdays_and_rule_sets() -> None:
    parameters = {"points_base": "20", "full_points_pct": "100"}
    state = replay(
        acts(
            ("badge.issue", "B1", {"badge": "B1", "person": "P1", "role": "inmate", "issued_ms": T0}),
            ("badge.revoke", "B1", {"badge": "B1", "person": "P1", "reason": "丢失", "revoked_ms": T0 + 9}),
            ("badge.issue", "B2", {"badge": "B2", "person": "P1", "role": "inmate", "issued_ms": T0 + 10}),
            ("workday.add", "*", {"days": ["2026-10-01", "2026-10-02"], "line": None}),
            ("workday.add", "L1", {"days": ["2026-10-03"], "line": "L1"}),
            ("workday.remove", "*", {"days": ["2026-10-02"], "line": None}),
            (
                "rule_set.add",
                "R2",
                {"version": "R2", "from": "2026-11", "parameters": parameters, "reason": "新规", "id": 1},
            ),
        )
    )
    assert state.problems == []
    assert values(state, "md_badge") == {
        ("B1",): {"badge": "B1", "person": "P1", "role": "inmate", "issued_ms": T0, "revoked_ms": T0 + 9},
        ("B2",): {"badge": "B2", "person": "P1", "role": "inmate", "issued_ms": T0 + 10, "revoked_ms": None},
    }
    assert sorted(values(state, "md_workday")) == [("2026-10-01", None), ("2026-10-03", "L1")]
    rule_set = values(state, "md_rule_set_version")[("R2",)]
    assert rule_set["parameters"] == json.dumps(parameters, sort_keys=True)
    assert (rule_set["id"], rule_set["valid_from"], rule_set["reason"]) == (1, "2026-11", "新规")
    assert isinstance(rule_set["created_ms"], TakenBefore)


def test_acts_that_cannot_be_applied_are_problems_not_crashes() -> None:
    """A signed act naming a post, inmate or step no act made, or with a payload the service never
    writes, is reported and skipped; other kinds of act are not master data and are ignored."""
    state = replay(
        acts(
            ("assignment.end", "P1", {"assignment": 3, "to": "2026-10-19"}),
            ("inmate.quota_pct", "P9", {"quota_pct": "70", "reason": "x"}),
            ("line.update", "L1", {"name": "x"}),
            ("area.add", "A1", {"code": "A1"}),
            ("month.approve", "2026-10/A1", {"anything": 1}),
            ("workday.add", "*", {"days": "2026-10-01", "line": None}),
        )
    )
    assert [p.split(":")[0] for p in state.problems] == [
        "ledger entry 1 (assignment.end P1)",
        "ledger entry 2 (inmate.quota_pct P9)",
        "ledger entry 3 (line.update L1)",
        "ledger entry 4 (area.add A1)",
        "ledger entry 6 (workday.add *)",
    ]
    assert "no act made the md_assignment row id=3" in state.problems[0]


def test_matches_compares_exactly_except_what_older_acts_did_not_sign() -> None:
    assert matches("100", "100")
    assert not matches("100", "70")
    assert not matches(1, "1")  # a number stored as text is not the signed value
    assert not matches(None, "")
    assert matches(UNSIGNED, "anything")
    window = TakenBefore(T0)
    assert matches(window, T0)
    assert matches(window, T0 - LEGACY_SLACK_MS)
    assert not matches(window, T0 + 1)
    assert not matches(window, T0 - LEGACY_SLACK_MS - 1)
    assert not matches(window, None)
