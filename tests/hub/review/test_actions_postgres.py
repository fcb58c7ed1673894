"""Suggestions and actions on PostgreSQL (#17 items 4-5): the planted line's suggestions read there
as on SQLite, and a post change recorded there makes the post, the action and both signed acts in
one transaction."""

from __future__ import annotations

from fractions import Fraction

import peewee
import pytest

from hub.accounts import Principal, Role
from hub.app import masterdata_service
from hub.masterdata import queries
from hub.review import actions as act
from hub.review import suggestions as sg
from hub.store import analytics as an
from hub.store import db as hubdb
from hub.store.ledger import LedgerEntry
from hub.store.schema import prepare
from tests.hub.audit.test_verify_harness import postgres_url
from tests.hub.web.test_suggestions_flow import planted_site

HEAD = Principal(username="head", display_name="监区长", role=Role.AREA_HEAD, area="A")


@pytest.mark.postgres
def test_suggest_and_record_a_post_change_on_postgresql() -> None:
    """The move for P1014 and the shortage of 上领 are found; the post change recorded from it is his
    post from today, linked to the action, with assignment.add and action.record signed."""
    with postgres_url() as url:
        db: peewee.Database = hubdb.connect(url)
        try:
            prepare(db)
            ctx = planted_site(db)
            today = ctx.today()
            found = act.area_suggestions("A", today)
            assert [(s.kind, s.inmate, s.step[1], s.short_by) for s in found] == [
                (sg.SHORT, None, "S1", 1),
                (sg.MOVE, "P1014", "S1", 1),
            ]
            data = masterdata_service(db, record_act=ctx.record_act, clock_ms=ctx.clock)
            service = act.Actions(db, ctx.ledger, data, clock_ms=ctx.clock)
            row = service.record(
                HEAD,
                kind=an.POST_CHANGE,
                inmate="P1014",
                line="L1",
                step="S1",
                day=today,
                officer="监区长",
                reason="建议调至上领",
                suggestion=found[1].key,
            )
            post = queries.assignment_on("P1014", today)
            assert post is not None
            assert (post.step, row.assignment) == ("S1", post.id)
            last = [e.action for e in LedgerEntry.select().order_by(LedgerEntry.entry_index.desc()).limit(2)]
            assert last == ["action.record", "assignment.add"]
            measured = act.measured(act.actions_in(area="A"), today)
            assert [(m.effect.before_pct, m.effect.after_days, m.effect.ready) for m in measured] == [
                (Fraction(72), 0, False)
            ]
        finally:
            db.close()
