"""Master data · officers (民警): listed by scope, added, corrected (name, role, area, line), badges
issued and revoked; every change ledgered, bad input refused with a message, scope held on the server;
and `MasterData.update_officer` itself, with the line plans following the change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import peewee as pw
import pytest

from hub.kiosks import plans
from hub.masterdata import queries as md_queries
from hub.masterdata import service as md
from hub.masterdata.checks import MasterDataError
from hub.masterdata.queries import person_of_badge
from hub.store.masterdata import Badge, Officer
from hub.store.web import User as Account
from protocol.messages import LinePlan, open_frame
from protocol.signing import Signer, Verifier
from protocol.topics import Topics
from tests.hub.masterdata import test_masterdata_store as store
from tests.hub.web.masterdata.test_masterdata_pages_products import (
    Site,
    choose,
    click_and_see,
    fill,
    html_elements,
    login,
    rows,
    web,
)

hub_url = store.hub_url  # the shared database fixtures (SQLite and PostgreSQL)
hub_db = store.hub_db

OFFICERS = (
    # id, name, role, area, line
    ("O-A1", "王警官", "line_officer", "A", "A1"),
    ("O-B1", "李警官", "line_officer", "B", "B1"),
    ("O-HA", "甲监区长", "area_head", "A", None),
    ("O-LS", "劳改科吴", "labor_section", None, None),
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """The shared test site (areas A, B; lines A1, A2 in A, B1 in B) with four officer rows, written
    directly so the ledger starts empty."""
    opened = Site(tmp_path)
    with opened.db.atomic():
        for ident, name, role, area, line in OFFICERS:
            Officer.create(id=ident, name=name, role=role, area=area, line=line)
    yield opened
    opened.close()


def officer(ident: str) -> tuple[str, str, str | None, str | None]:
    row = Officer.get_by_id(ident)
    return (row.name, row.role, row.area, row.line)


def payloads(site: Site, action: str) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in site.ledger.entries() if e.action == action]


# --- the page -----------------------------------------------------------------------------------------


async def test_officers_are_listed_by_scope_and_only_editors_get_forms(site: Site) -> None:
    """Labor section: every officer, with forms. Area head A: area A's officers. Line officer of A1:
    the officers of A1 and no forms. Admin: the page is refused."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/officers")
        assert [(r["id"], r["role"], r["area"], r["line"]) for r in rows(user, "md-officers")] == [
            ("O-A1", "分监区民警", "A", "A1"),
            ("O-B1", "分监区民警", "B", "B1"),
            ("O-HA", "监区长", "A", ""),
            ("O-LS", "劳动改造科", "", ""),
        ]
        await user.should_see(marker="officer-save")
        user.find(marker="logout").click()
        await login(user, "head_a")
        await user.open("/masterdata/officers")
        assert [r["id"] for r in rows(user, "md-officers")] == ["O-A1", "O-HA"]
        user.find(marker="logout").click()
        await login(user, "off_a1")
        await user.open("/masterdata/officers")
        assert [r["id"] for r in rows(user, "md-officers")] == ["O-A1"]
        await user.should_see(marker="md-read-only")
        for marker in ("officer-save", "edit-save", "officer-badge-issue", "officer-badge-revoke"):
            await user.should_not_see(marker=marker)
        user.find(marker="logout").click()
        await login(user, "admin")
        await user.open("/masterdata/officers")
        await user.should_see(marker="refused")


async def test_an_officer_is_added_with_the_area_of_their_line_and_ledgered(site: Site) -> None:
    """Labor section adds a line officer of A2 (the area follows the line); the row is listed as text
    (HTML in a name is never rendered), ledgered with the actor, and offered in the correction form."""
    name = "<b>赵</b>警官"
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/officers")
        fill(user, officer_id="O-A2", officer_name=name)
        choose(user, "officer-role", "line_officer")
        choose(user, "officer-line", "A2")
        await click_and_see(user, "officer-save", "已保存")
        assert {
            "id": "O-A2",
            "name": name,
            "role": "分监区民警",
            "area": "A",
            "line": "A2",
            "badges": "",
        } in rows(user, "md-officers")
        assert not any("<b>" in e.content for e in html_elements(user))
        choose(user, "edit-officer", "O-A2")  # the new officer can be corrected at once
    assert officer("O-A2") == (name, "line_officer", "A", "A2")
    [entry] = site.ledger.entries()
    assert (entry.action, entry.actor, entry.subject) == ("officer.add", "labor", "O-A2")
    assert json.loads(entry.payload) == {
        "id": "O-A2",
        "name": name,
        "role": "line_officer",
        "area": "A",
        "line": "A2",
    }


async def test_an_officers_line_then_role_are_corrected(site: Site) -> None:
    """Choosing an officer fills the form with their data; moving them to line A2, then making them
    area head (the line is cleared, the area kept), lands in the list and in two ledger entries that
    hold only what changed. Saving the data unchanged writes nothing."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/officers")
        choose(user, "edit-officer", "O-A1")
        assert user.find(marker="edit-name").elements.pop().value == "王警官"  # type: ignore[attr-defined]
        await click_and_see(user, "edit-save", "没有需要保存的修改")
        choose(user, "edit-line", "A2")
        await click_and_see(user, "edit-save", "已保存")
        assert {"id": "O-A1", "line": "A2"}.items() <= rows(user, "md-officers")[0].items()
        choose(user, "edit-role", "area_head")
        fill(user, edit_name="王副监区长")
        await click_and_see(user, "edit-save", "已保存")
        assert rows(user, "md-officers")[0] == {
            "id": "O-A1",
            "name": "王副监区长",
            "role": "监区长",
            "area": "A",
            "line": "",
            "badges": "",
        }
    assert officer("O-A1") == ("王副监区长", "area_head", "A", None)
    assert payloads(site, "officer.update") == [
        {"line": "A2"},
        {"name": "王副监区长", "role": "area_head", "line": None},
    ]
    assert [e.actor for e in site.ledger.entries()] == ["labor", "labor"]


async def test_a_badge_is_issued_to_an_officer_listed_and_revoked_with_a_reason(site: Site) -> None:
    """Area head A issues a badge to a line officer of A: it shows in the officers list; a badge id
    already active is refused; an inmate's badge is not revoked here; revoking needs a reason."""
    site.store.issue_badge("labor", "BG-I1", "A1001")
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/officers")
        choose(user, "badge-officer", "O-A1")
        fill(user, officer_badge_id="9000100")
        await click_and_see(user, "officer-badge-issue", "已保存")
        assert rows(user, "md-officers")[0]["badges"] == "9000100"
        choose(user, "badge-officer", "O-HA")
        await click_and_see(user, "officer-badge-issue", "已发给 O-A1")
        fill(user, officer_revoke_id="BG-I1", officer_revoke_reason="丢失")
        await click_and_see(user, "officer-badge-revoke", "BG-I1 不是民警的有效工牌")
        fill(user, officer_revoke_id="9000100", officer_revoke_reason="")
        await click_and_see(user, "officer-badge-revoke", "请填写原因")
        fill(user, officer_revoke_reason="丢失")
        await click_and_see(user, "officer-badge-revoke", "已保存")
        assert rows(user, "md-officers")[0]["badges"] == ""
    assert person_of_badge("9000100") is None
    assert person_of_badge("BG-I1") == "A1001"
    assert site.actions() == ["badge.issue", "badge.issue", "badge.revoke"]
    revoked = Badge.get_by_id("9000100").revoked_ms  # the act signs the time the row stores
    assert payloads(site, "badge.revoke") == [
        {"badge": "9000100", "person": "O-A1", "reason": "丢失", "revoked_ms": revoked}
    ]


async def test_bad_officers_are_refused_with_a_clear_message_and_change_nothing(site: Site) -> None:
    """Empty, oversize or malformed id, an id already used by an officer or an inmate, no name, a line
    officer without a line, an area head without an area or with a line, the labor section with an
    area: each refused with a message saying why, nothing stored or ledgered."""
    cases: list[tuple[dict[str, str], dict[str, str | None], str]] = [
        ({"officer_id": ""}, {}, "请填写民警编号"),
        ({"officer_id": "O" * 41}, {}, "民警编号过长"),
        ({"officer_id": "<O>"}, {}, "民警编号只能包含字母"),
        ({"officer_id": "O-A1"}, {}, "编号 O-A1 已存在"),
        ({"officer_id": "A1001"}, {}, "编号 A1001 已存在"),
        ({"officer_name": " "}, {}, "请填写名称"),
        ({}, {"officer_line": None}, "请填写生产线"),
        ({}, {"officer_role": "area_head", "officer_area": None}, "请填写监区"),
        ({}, {"officer_role": "area_head", "officer_line": "A1"}, "只有分监区民警有生产线"),
        ({}, {"officer_role": "labor_section", "officer_area": "A"}, "不属于监区,请清空监区"),
    ]
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/officers")
        for typed, chosen, message in cases:
            fill(user, officer_id="O-NEW", officer_name="钱警官")
            choose(user, "officer-role", "line_officer")
            choose(user, "officer-line", "A1")
            fill(user, **typed)
            for marker, value in chosen.items():  # the role first: it clears what it cannot have
                choose(user, marker.replace("_", "-"), value)  # type: ignore[arg-type]
            await click_and_see(user, "officer-save", message)
    assert Officer.select().count() == len(OFFICERS)
    assert site.actions() == []


async def test_a_role_that_may_not_manage_officers_is_refused_by_the_server(site: Site) -> None:
    """The account loses the right after the page was opened: a labor officer turned line officer is
    refused by the action guard; an area head moved to area B may no longer add, correct or badge an
    officer of area A. No click changes a row or writes a ledger entry."""
    async with web(site) as user:
        await login(user, "labor")
        await user.open("/masterdata/officers")
        Account.update(role="line_officer", lines="A1").where(Account.username == "labor").execute()
        fill(user, officer_id="O-NEW", officer_name="钱警官")
        choose(user, "officer-line", "A1")
        await click_and_see(user, "officer-save", "无权访问")
        user.find(marker="logout").click()
        await login(user, "head_a")
        await user.open("/masterdata/officers")
        fill(user, officer_id="O-NEW", officer_name="钱警官")
        choose(user, "officer-line", "A1")
        choose(user, "edit-officer", "O-A1")
        choose(user, "edit-line", "A2")
        choose(user, "badge-officer", "O-A1")
        fill(user, officer_badge_id="9000100")
        Account.update(area="B").where(Account.username == "head_a").execute()
        await click_and_see(user, "officer-save", "无权修改此数据")
        await click_and_see(user, "edit-save", "无权修改此数据")
        await click_and_see(user, "officer-badge-issue", "无权修改此数据")
    assert officer("O-A1") == ("王警官", "line_officer", "A", "A1")
    assert Officer.select().count() == len(OFFICERS)
    assert person_of_badge("9000100") is None
    assert site.actions() == []


async def test_an_area_head_may_only_make_line_officers_of_their_own_area(site: Site) -> None:
    """Head of area A is offered only the line-officer role and area A's lines, and cannot pick area
    B's officer to correct; a line officer of A2 added by them is saved."""
    async with web(site) as user:
        await login(user, "head_a")
        await user.open("/masterdata/officers")
        options = {
            marker: user.find(marker=marker).elements.pop().options  # type: ignore[attr-defined]
            for marker in ("officer-role", "officer-line", "edit-officer")
        }
        assert list(options["officer-role"]) == ["line_officer"]
        assert list(options["officer-line"]) == ["A1", "A2"]
        assert list(options["edit-officer"]) == ["O-A1"]
        fill(user, officer_id="O-A2", officer_name="钱警官")
        choose(user, "officer-line", "A2")
        await click_and_see(user, "officer-save", "已保存")
    assert officer("O-A2") == ("钱警官", "line_officer", "A", "A2")
    assert [(e.action, e.actor) for e in site.ledger.entries()] == [("officer.add", "head_a")]


# --- the store ----------------------------------------------------------------------------------------


def test_update_officer_is_ledgered_with_what_changed_and_checked_like_add(hub_db: pw.Database) -> None:
    """Each correction reaches the ledger hook inside its transaction with only the changed fields;
    a refused one (unknown officer, bad role, missing or foreign line or area) writes nothing; a new
    role drops what it cannot have; a correction that changes nothing is not recorded."""
    acts = store.Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    store.small_site(data)
    data.add_line("admin", "L9", "九线", area="A1", shift_minutes=480)
    data.add_area("admin", "A2", "二监区")
    data.add_line("admin", "M1", "二监区一线", area="A2", shift_minutes=480)
    before = len(acts.acts)

    data.update_officer("head", "O1", line="L9")
    data.update_officer("head", "O1", name="赵建国")
    data.update_officer("labor", "O1", line="M1")  # the area follows the line
    assert acts.acts[before:] == [
        ("head", "officer.update", "O1", {"line": "L9"}),
        ("head", "officer.update", "O1", {"name": "赵建国"}),
        ("labor", "officer.update", "O1", {"area": "A2", "line": "M1"}),
    ]
    assert md_queries.people()["O1"].name == "赵建国"

    refused = [
        ({"officer": "O9", "name": "x"}, "unknown officer"),
        ({"role": "warden"}, "role: must be one of"),
        ({"line": ""}, "a line officer needs a line"),
        ({"line": "L404"}, "unknown line"),
        ({"area": "A1"}, "line M1 is in area A2, not A1"),
        ({"role": "area_head", "line": "M1"}, "only a line officer has a line"),
        ({"role": "area_head", "area": "", "line": ""}, "an area head needs an area"),
        ({"role": "area_head", "area": "Z9"}, "unknown area"),
        ({"role": "labor_section", "area": "A2"}, "has no area"),
        ({"name": "  "}, "needs a name"),
    ]
    for change, message in refused:
        with pytest.raises(MasterDataError, match=message):
            data.update_officer("labor", **{"officer": "O1", **change})
    assert len(acts.acts) == before + 3
    assert (Officer.get_by_id("O1").area, Officer.get_by_id("O1").line) == ("A2", "M1")

    data.update_officer("labor", "O1", role="area_head")  # keeps the area, loses the line
    data.update_officer("labor", "O1", role="area_head", area="A2")  # nothing changes: nothing recorded
    data.update_officer("labor", "O1", role="labor_section")  # site-wide: loses the area too
    assert acts.acts[before + 3 :] == [
        ("labor", "officer.update", "O1", {"role": "area_head", "line": None}),
        ("labor", "officer.update", "O1", {"role": "labor_section", "area": None}),
    ]
    row = Officer.get_by_id("O1")
    assert (row.role, row.area, row.line) == ("labor_section", None, None)


def test_add_officer_refuses_what_update_officer_refuses(hub_db: pw.Database) -> None:
    """A new officer is checked as a correction is, and may not take an inmate's or officer's id, nor
    a new inmate an officer's (badges and plans name people by id alone); a refused one writes nothing."""
    acts = store.Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    store.small_site(data)
    before = len(acts.acts)
    refused = [
        ({"id": "P1"}, "already used"),
        ({"id": "O1"}, "already used"),
        ({"role": "line_officer", "line": None}, "a line officer needs a line"),
        ({"role": "line_officer", "line": "L1", "area": "B"}, "line L1 is in area A1, not B"),
        ({"role": "area_head", "area": None, "line": None}, "an area head needs an area"),
        ({"role": "area_head", "area": "A1"}, "only a line officer has a line"),
        ({"role": "admin", "area": "A1", "line": None}, "has no area"),
        ({"name": ""}, "needs a name"),
    ]
    for change, message in refused:
        fields: dict[str, Any] = {
            "id": "O2",
            "name": "钱警官",
            "role": "line_officer",
            "line": "L1",
            **change,
        }
        with pytest.raises(MasterDataError, match=message):
            data.add_officer("labor", fields.pop("id"), **fields)
    assert len(acts.acts) == before
    with pytest.raises(MasterDataError, match="already used by an officer"):
        data.add_inmate("labor", "O1", number="321009", name="孙七", area="A1")  # nor the other way round
    assert len(acts.acts) == before
    data.add_officer("labor", "O2", name="钱警官", role="line_officer", line="L1")
    assert acts.acts[-1] == (
        "labor",
        "officer.add",
        "O2",
        {"id": "O2", "name": "钱警官", "role": "line_officer", "area": "A1", "line": "L1"},
    )


def test_moving_an_officer_republishes_the_plans_of_both_lines(hub_db: pw.Database) -> None:
    """The hub's plan publisher listens to master data: an officer moved from L1 to L2 is in the newly
    published, signed plan of L2 with their badge, and no longer in L1's."""
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db))
    store.small_site(data)
    data.add_line("admin", "L2", "服装二线", area="A1", shift_minutes=480, product="SHIRT")
    key = Signer(b"\x21" * 32)
    sent: list[tuple[str, bytes]] = []
    publisher = plans.PlanPublisher(
        hub_db,
        hub="T1",
        signer=key,
        topics=Topics.for_site("T1"),
        publish=lambda topic, frame: sent.append((topic, frame)),
        today=lambda: date(2026, 10, 6),
        clock_ms=lambda: 1_791_250_000_000,
    )
    data.on_change(publisher.on_master_change)
    publisher.refresh()
    sent.clear()
    data.update_officer("labor", "O1", line="L2")
    published = {
        topic.split("/")[-2]: open_frame(frame, Verifier(key.public_key), LinePlan) for topic, frame in sent
    }
    assert sorted(published) == ["L1", "L2"]
    assert ("O1", ("B-O1",)) in [(p.id, p.badges) for p in published["L2"].people]
    assert "O1" not in [p.id for p in published["L1"].people]
