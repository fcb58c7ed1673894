"""An upheld dispute reaches the kiosk: once its correction is approved, the next line plan tells
the disputer (`upheld`) and every line-mate whose line-day was recomputed (`linemate`) which day
changed and its done figure now; a rejected one stays the notice. Real hub database, real ingest,
results worker and ledger (the `site` of test_corrections_domain)."""

from __future__ import annotations

from hub.kiosks import plans
from hub.review import news
from protocol.messages import CreditChange, LinePlan, PlanPerson
from tests.hub.review.test_corrections_domain import DAY, NOON_MS, OFF1, OFF2, Site, done_of, site

__all__ = ["site"]  # the fixture, used by name


def _people() -> dict[str, PlanPerson]:
    plan = plans.build_plan(hub="hub", line="L1", day=DAY, hub_ms=NOON_MS, revision=1)
    # what a kiosk reads: through the plan's own codec
    return {p.id: p for p in LinePlan.from_dict({"v": 1, **plan.to_dict()}).people}


def test_an_upheld_dispute_is_announced_to_the_disputer_and_his_line_mates_once_approved(site: Site) -> None:
    """Answered upheld: nothing yet (the correction awaits a second officer). Approved: P1 sees his
    day re-counted with the new figure, his line-mates see theirs recomputed; no notice."""
    answer = site.desk.answer_dispute(
        OFF1,
        "K1",
        site.dispute.record.seq,
        upheld=True,
        reason_text="复核属实",
        correct=("K1", site.count.record.seq, "60"),
    )
    assert all(p.changes == () for p in _people().values())
    assert answer.proposal is not None
    site.desk.approve(OFF2, answer.proposal)
    assert site.results.flush()
    people = _people()
    day = DAY.isoformat()
    assert people["P1"].changes == (CreditChange(day=day, cause="upheld", done_units=done_of("P1")),)
    assert people["P1"].notice is None
    mates = {pid: p.changes for pid, p in people.items() if pid != "P1" and p.changes}
    assert mates, "nobody else on L1 that day"
    for pid, changes in mates.items():
        assert changes == (CreditChange(day=day, cause="linemate", done_units=done_of(pid)),)
    assert set(mates) == set(news.credit_changes(DAY)) - {"P1"}


def test_a_rejected_dispute_changes_nobodys_credit(site: Site) -> None:
    """Rejected: the reason is P1's notice, and no day is announced as re-counted to anyone."""
    site.desk.answer_dispute(OFF1, "K1", site.dispute.record.seq, upheld=False, reason_text="计数无误")
    people = _people()
    assert people["P1"].notice == "计数无误"
    assert all(p.changes == () for p in people.values())
