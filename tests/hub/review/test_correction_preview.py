"""The preview of a correction (#19): before anyone approves it, the officer sees every inmate whose
credit that day would move, line-mates who share the step's warehoused units included, and the
numbers the results hold after approval are the ones the preview showed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import pytest

from hub.engine.model import Count, Month
from hub.results import facts as fx
from hub.results.inputs import month_input
from hub.review.correction_preview import CreditChange, credit_changes
from tests.hub.review.test_corrections_domain import DAY, OFF1, OFF2, Site, build_site, done_of


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    yield from build_site(tmp_path / "hub.db")


def _lot(old: int, new: int) -> fx.HubCorrection:
    return fx.HubCorrection(type="warehoused_count", day=DAY, old=old, new=new, line="L1", product="SHIRT")


def test_a_smaller_warehoused_lot_lowers_every_holders_credit(site: Site) -> None:
    """P1 counted 50 and (here) P2 100 on S2; the lot of 200 corrected to 75 splits 75 over 150 counted:
    P1 50 -> 25, P2 100 -> 50. Both are listed, nobody else."""
    read = month_input(site.db, Month.of(DAY), through=DAY)
    inputs = replace(
        read.inputs, counts=(*read.inputs.counts, Count(inmate="P2", day=DAY, units=Fraction(100)))
    )
    changes = credit_changes(inputs, read.rule_set, "L1", DAY, _lot(200, 75))
    assert changes == [
        CreditChange(inmate="P1", before=Fraction(50), after=Fraction(25)),
        CreditChange(inmate="P2", before=Fraction(100), after=Fraction(50)),
    ]


def test_one_inmates_count_corrected_moves_his_line_mates_share(site: Site) -> None:
    """With 75 warehoused over P1's 50 and P2's 100, P1's count corrected to 20 gives P2 a larger share
    of the same lot: the line-mate's change is in the preview although his record is untouched."""
    read = month_input(site.db, Month.of(DAY), through=DAY)
    inputs = replace(
        read.inputs,
        counts=(*read.inputs.counts, Count(inmate="P2", day=DAY, units=Fraction(100))),
        warehoused=tuple(replace(w, units=Fraction(75)) for w in read.inputs.warehoused),
    )
    count = fx.HubCorrection(type="unit_count", day=DAY, old=50, new=20, person="P1", line="L1")
    changes = {c.inmate: (c.before, c.after) for c in credit_changes(inputs, read.rule_set, "L1", DAY, count)}
    assert changes == {"P1": (Fraction(25), Fraction(25, 2)), "P2": (Fraction(50), Fraction(125, 2))}


def test_the_desks_preview_matches_what_approval_then_stores(site: Site) -> None:
    """Through the corrections desk on the real site: the preview of 50 -> 20 names P1 alone (nobody
    shares S2's lot that day) with 50 -> 20, and after a second officer approves, the stored result is
    exactly the preview's figure; a value equal to the current one previews nothing."""
    record = site.count.record
    assert site.desk.preview(record.kiosk, record.seq, "50") == []
    [change] = site.desk.preview(record.kiosk, record.seq, "20")
    assert (change.inmate, change.before, change.after) == ("P1", Fraction(50), Fraction(20))
    proposal = site.desk.propose(OFF1, record.kiosk, record.seq, "20", "键入错误")
    site.desk.approve(OFF2, proposal.id)
    assert site.results.flush()
    assert Fraction(done_of("P1")) == change.after
