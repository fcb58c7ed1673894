"""`floorledger verify` checks the suggestion thresholds' versions and the officers' actions (#17) as
it checks master data: rows made by signed acts verify; a row edited, deleted or inserted in SQL is
reported against what the acts say."""

from __future__ import annotations

import peewee

from hub.accounts import Principal, Role
from hub.ledger.entries import Ledger
from hub.review.actions import Actions
from hub.store import analytics as an
from hub.store.masterdata import Inmate, Line, Step
from tests.hub.audit.test_verify_masterdata import (  # noqa: F401  (fixtures)
    HUB_KEY,
    NOW_MS,
    TODAY,
    _entry,
    _report,
    _service,
    seeded,
    seeded_file,
)

LABOR = Principal(username="labor", display_name="劳动科", role=Role.LABOR_SECTION)


def _acts(db: peewee.Database) -> tuple[an.SuggestSettingsVersion, an.Action]:
    ledger = Ledger(db, HUB_KEY, lambda: NOW_MS + 2000)
    actions = Actions(db, ledger, _service(db), clock_ms=lambda: NOW_MS + 2000)
    version = actions.add_settings(
        LABOR, "S-2026-10", valid_from=TODAY, parameters={"low_pct": "75"}, reason="试行"
    )
    line = Line.get(Line.code == "L1")
    step = Step.select().where(Step.product == line.product).order_by(Step.position).first()
    inmate = Inmate.select().order_by(Inmate.id).first()
    action = actions.record(
        LABOR, kind=an.TRAINING, inmate=inmate.id, line="L1", step=step.code, day=TODAY,
        officer="王警官", reason="针距不稳", what="针距专项培训",
    )  # fmt: skip
    return version, action


def test_signed_actions_verify_and_an_edited_one_is_reported(seeded: peewee.Database) -> None:  # noqa: F811
    """A thresholds version and a training recorded through the service verify; the training's
    reason rewritten in SQL is reported with the signed value and the act that made it."""
    _, action = _acts(seeded)
    assert _report(seeded).ok
    an.Action.update(reason="另写的理由").where(an.Action.id == action.id).execute()
    assert _report(seeded).findings() == [
        f"an_action id={action.id}: column reason is '另写的理由' but the signed acts say '针距不稳' "
        f"(ledger entry {_entry('action.record', action.inmate)})"
    ]


def test_a_thresholds_version_replaced_in_sql_is_reported(seeded: peewee.Database) -> None:  # noqa: F811
    """The signed version deleted and another inserted in its place without an act (SQLite gives it
    the same id): every changed column is reported against the signed version."""
    version, _ = _acts(seeded)
    an.SuggestSettingsVersion.delete().where(an.SuggestSettingsVersion.id == version.id).execute()
    an.SuggestSettingsVersion.create(
        version="forged", valid_from=TODAY.isoformat(), parameters='{"min_days": "366"}', reason="",
        created_by="labor", created_ms=NOW_MS,
    )  # fmt: skip
    findings = _report(seeded).findings()
    assert findings
    assert all(f.startswith(f"an_suggest_settings id={version.id}: column ") for f in findings)
    assert any("'forged' but the signed acts say 'S-2026-10'" in f for f in findings)
    assert any("parameters" in f and "366" in f for f in findings)
