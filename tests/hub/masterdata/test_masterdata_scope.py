"""The master-data service enforces who may change what (`hub.accounts`), not only the pages: an
officer acting outside their scope is refused with a translated message and nothing is saved or
ledgered; the hub's own set-up code, acting by name, is trusted. The quota % range is one rule for the
service and the CSV import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import peewee as pw
import pytest

from hub.accounts import Principal, Role
from hub.masterdata import checks, csv_import
from hub.masterdata import service as md
from hub.store.masterdata import Inmate, Officer
from hub.store.schema import MASTERDATA_MODELS as MODELS
from tests.hub.masterdata import test_masterdata_store as store

hub_url = store.hub_url  # the shared database fixtures
hub_db = store.hub_db

HEAD_A1 = Principal(username="head1", display_name="监区长", role=Role.AREA_HEAD, area="A1")
OFFICER_L1 = Principal(username="off1", display_name="民警", role=Role.LINE_OFFICER, lines=("L1",))
LABOR = Principal(username="ls", display_name="劳动科", role=Role.LABOR_SECTION)
ADMIN = Principal(username="root", display_name="管理员", role=Role.ADMIN)


@pytest.fixture
def site(hub_db: pw.Database) -> tuple[md.MasterData, store.Acts]:
    """The small site (area A1, line L1) plus area A2 with line L2 and inmate Q1."""
    acts = store.Acts()
    data = md.MasterData(hub_db, month_locked=store.month_lock(hub_db), record_act=acts)
    store.small_site(data)
    data.add_area("admin", "A2", "二监区")
    data.add_line("admin", "L2", "服装二线", area="A2", shift_minutes=480, product="SHIRT")
    data.add_inmate("admin", "Q1", number="322001", name="钱七", area="A2")
    return data, acts


def _snapshot() -> list[list[tuple[Any, ...]]]:
    return [list(model.select().order_by(model._meta.primary_key).tuples()) for model in MODELS]


def _out_of_scope(acts: store.Acts, change: Callable[[], Any]) -> None:
    before, entries = _snapshot(), len(acts.acts)
    with pytest.raises(checks.ScopeError) as refused:
        change()
    assert refused.value.text("zh") == "无权修改此数据"
    assert str(refused.value) == "You may not change this"
    assert _snapshot() == before, "a refused change left a row behind"
    assert len(acts.acts) == entries, "a refused change reached the ledger"


def test_an_area_head_changes_their_own_area_only(site: tuple[md.MasterData, store.Acts]) -> None:
    data, acts = site
    data.set_quota_pct(HEAD_A1, "P1", 90, reason="体弱")
    data.add_inmate(HEAD_A1, "P9", number="321009", name="新人", area="A1")
    data.assign(HEAD_A1, "P9", line="L1", product="SHIRT", step="S1", valid_from="2026-10-05")
    assert acts.acts[-1][0] == "head1", "the ledger records the officer's username"
    _out_of_scope(acts, lambda: data.set_quota_pct(HEAD_A1, "Q1", 90, reason="体弱"))
    _out_of_scope(acts, lambda: data.add_inmate(HEAD_A1, "Q9", number="322009", name="新人", area="A2"))
    _out_of_scope(acts, lambda: data.update_inmate(HEAD_A1, "P2", area="A2"))
    _out_of_scope(
        acts,
        lambda: data.assign(HEAD_A1, "P2", line="L2", product="SHIRT", step="S1", valid_from="2026-10-05"),
    )
    _out_of_scope(acts, lambda: data.update_line(HEAD_A1, "L2", shift_minutes=420))
    _out_of_scope(acts, lambda: data.add_workdays(HEAD_A1, ["2026-11-02"], line="L2"))
    _out_of_scope(acts, lambda: data.issue_badge(HEAD_A1, "BX", "Q1"))


def test_site_wide_changes_are_the_labor_sections(site: tuple[md.MasterData, store.Acts]) -> None:
    data, acts = site
    for who in (HEAD_A1, OFFICER_L1, ADMIN):
        _out_of_scope(acts, lambda who=who: data.add_area(who, "A3", "三监区"))
        _out_of_scope(
            acts,
            lambda who=who: data.set_standard_time(
                who, "SHIRT", "S1", "70", valid_from="2026-11-01", reason="工艺改进"
            ),
        )
        _out_of_scope(acts, lambda who=who: data.add_workdays(who, ["2026-11-02"]))
        _out_of_scope(
            acts,
            lambda who=who: data.add_rule_set_version(
                who, "v9", valid_from="2026-12", parameters={"target_efficiency_pct": "90"}, reason="r"
            ),
        )
    data.add_area(LABOR, "A3", "三监区")
    data.set_standard_time(LABOR, "SHIRT", "S1", "70", valid_from="2026-11-01", reason="工艺改进")
    assert [a[:2] for a in acts.acts[-2:]] == [("ls", "area.add"), ("ls", "standard_time.set")]


def test_line_officers_change_nothing(site: tuple[md.MasterData, store.Acts]) -> None:
    data, acts = site
    _out_of_scope(acts, lambda: data.set_quota_pct(OFFICER_L1, "P1", 90, reason="体弱"))
    _out_of_scope(acts, lambda: data.update_line(OFFICER_L1, "L1", shift_minutes=420))
    _out_of_scope(acts, lambda: data.revoke_badge(OFFICER_L1, "B1", reason="丢失"))


def test_an_area_head_manages_only_line_officers_of_their_area(
    site: tuple[md.MasterData, store.Acts],
) -> None:
    data, acts = site
    data.add_officer(HEAD_A1, "O2", name="钱警官", role="line_officer", line="L1")
    _out_of_scope(
        acts, lambda: data.add_officer(HEAD_A1, "O3", name="孙警官", role="line_officer", line="L2")
    )
    _out_of_scope(acts, lambda: data.add_officer(HEAD_A1, "O4", name="李警官", role="area_head", area="A1"))
    _out_of_scope(acts, lambda: data.update_officer(HEAD_A1, "O2", role="area_head", line=""))
    assert Officer.get_by_id("O2").line == "L1"


def test_the_hubs_own_code_acting_by_name_is_trusted(site: tuple[md.MasterData, store.Acts]) -> None:
    """Seed, demo and tests have no account: a plain actor name changes anything, and is ledgered."""
    data, acts = site
    data.set_quota_pct("seed", "Q1", 90, reason="体弱")
    assert acts.acts[-1][:2] == ("seed", "inmate.quota_pct")


@pytest.mark.parametrize(
    ("level", "accepted"), [("0", True), ("200", True), ("200.5", False), ("500", False)]
)
def test_the_quota_range_is_one_rule_for_the_service_and_the_csv_import(
    site: tuple[md.MasterData, store.Acts], level: str, accepted: bool
) -> None:
    data, _ = site
    parsed = csv_import.parse_inmates(
        f"id,number,name,quota_pct\nZ1,329001,某某,{level}\n", existing_ids=(), areas=("A1",)
    )
    assert parsed.ok is accepted
    if accepted:
        data.set_quota_pct("admin", "P1", level, reason="r")
        assert Inmate.get_by_id("P1").quota_pct == level
    else:
        with pytest.raises(checks.MasterDataError, match=r"quota_pct: must be between 0 and 200") as refused:
            data.set_quota_pct("admin", "P1", level, reason="r")
        assert refused.value.text("zh") == "个人定额必须在 0% 到 200% 之间"
