"""Kiosk records become the engine's inputs: presence from check-in/out pairs, counts, warehoused units,
excused minutes, corrections applied to what they name; posts resolved against line calendars."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from hub.engine.model import Assignment, Inmate, Line, Month, Product, StandardTime
from hub.results import facts as fx

DAY = "2026-10-05"
T0 = 1_791_190_800_000  # 2026-10-05 08:00 in Shanghai


class Floor:
    """Builds FactRecords of one kiosk in commit order."""

    def __init__(self) -> None:
        self.records: list[fx.FactRecord] = []

    def add(self, type_: str, minute: int, **body: Any) -> fx.FactRecord:
        seq = len(self.records) + 1
        record = fx.FactRecord(
            kiosk="K1",
            seq=seq,
            hash=f"{seq:064x}",
            type=type_,
            wall_ms=T0 + minute * 60_000,
            body=body,
            order=seq,
        )
        self.records.append(record)
        return record


def test_a_check_in_and_out_pair_gives_the_minutes_between_them() -> None:
    """08:00 in, 12:00 out, 13:00 in, 17:00 out: 480 minutes present."""
    f = Floor()
    for kind, minute in (("check_in", 0), ("check_out", 240), ("check_in", 300), ("check_out", 540)):
        f.add(kind, minute, person="P1", line="L1", day=DAY, method="badge", witness=None)
    assert fx.present_minutes(f.records) == {("P1", date(2026, 10, 5)): Fraction(480)}


def test_an_open_check_in_counts_nothing_and_a_double_tap_changes_nothing() -> None:
    """A second check-in while in is ignored; a check-in never closed by a check-out adds no minutes."""
    f = Floor()
    f.add("check_in", 0, person="P1", line="L1", day=DAY, method="badge", witness=None)
    f.add("check_in", 3, person="P1", line="L1", day=DAY, method="badge", witness=None)
    f.add("check_out", 60, person="P1", line="L1", day=DAY, method="badge", witness=None)
    f.add("check_in", 90, person="P1", line="L1", day=DAY, method="badge", witness=None)  # never closed
    f.add("check_out", 10, person="P2", line="L1", day=DAY, method="badge", witness=None)  # nothing open
    minutes = fx.present_minutes(f.records)
    assert minutes[("P1", date(2026, 10, 5))] == 60
    assert minutes[("P2", date(2026, 10, 5))] == 0


def test_seconds_round_half_up_to_whole_minutes() -> None:
    """89.5 minutes present become 90 (scenario files keep whole minutes)."""
    f = Floor()
    f.add("check_in", 0, person="P1", line="L1", day=DAY, method="badge", witness=None)
    f.records.append(
        fx.FactRecord(
            kiosk="K1",
            seq=2,
            hash="2" * 64,
            type="check_out",
            wall_ms=T0 + 5_370_000,
            body={"person": "P1", "line": "L1", "day": DAY, "method": "badge", "witness": None},
        )
    )
    assert fx.present_minutes(f.records)[("P1", date(2026, 10, 5))] == 90


def test_counts_warehoused_and_excused_minutes_reach_the_engine_inputs() -> None:
    """Two counts of one inmate add up, two warehouse lots add up, excused minutes sit beside presence."""
    f = Floor()
    f.add(
        "unit_count",
        60,
        person="P1",
        line="L1",
        day=DAY,
        product="SHIRT",
        step="S2",
        units=40,
        source="manual",
        ref=None,
    )
    f.add(
        "unit_count",
        120,
        person="P1",
        line="L1",
        day=DAY,
        product="SHIRT",
        step="S2",
        units=25,
        source="ticket",
        ref="B1",
    )
    f.add("warehoused_count", 500, line="L1", product="SHIRT", day=DAY, units=100, officer="O1")
    f.add("warehoused_count", 510, line="L1", product="SHIRT", day=DAY, units=30, officer="O1")
    f.add("excused_absence", 0, person="P2", day=DAY, minutes=120, reason="medical", officer="O1")
    f.add("confirm", 600, person="P1", day=DAY)
    facts = fx.derive(f.records, Month.parse("2026-10"))
    assert sum(c.units for c in facts.counts if c.inmate == "P1") == 65
    assert sum(w.units for w in facts.warehoused) == 130
    [p2] = [a for a in facts.attendance if a.inmate == "P2"]
    assert (p2.present_minutes, p2.excused_minutes) == (0, 120)


def test_a_correction_replaces_the_named_value_and_the_original_record_is_untouched() -> None:
    """A correction of a warehouse lot changes that lot's units; the stored original keeps its body."""
    f = Floor()
    lot = f.add("warehoused_count", 500, line="L1", product="SHIRT", day=DAY, units=100, officer="O1")
    f.add(
        "correction",
        520,
        ref_kiosk="K1",
        ref_seq=lot.seq,
        ref_hash=lot.hash,
        officer="O1",
        reason="入库单更正",
        values={"units": 112},
    )
    facts = fx.derive(f.records)
    assert [w.units for w in facts.warehoused] == [112]
    assert lot.body["units"] == 100


def test_a_correction_naming_the_wrong_hash_is_ignored_and_reported() -> None:
    """A correction whose ref_hash is not the named record's hash changes nothing and is listed."""
    f = Floor()
    lot = f.add("warehoused_count", 500, line="L1", product="SHIRT", day=DAY, units=100, officer="O1")
    f.add(
        "correction",
        520,
        ref_kiosk="K1",
        ref_seq=lot.seq,
        ref_hash="f" * 64,
        officer="O1",
        reason="x",
        values={"units": 1},
    )
    facts = fx.derive(f.records)
    assert [w.units for w in facts.warehoused] == [100]
    assert "another hash" in facts.ignored[0]


def test_later_corrections_of_the_same_field_win_and_a_moved_day_moves_the_count() -> None:
    """Corrections apply in commit order; correcting `day` moves a count to that day."""
    f = Floor()
    count = f.add(
        "unit_count",
        60,
        person="P1",
        line="L1",
        day=DAY,
        product="SHIRT",
        step="S2",
        units=40,
        source="manual",
        ref=None,
    )
    for units in (41, 42):
        f.add(
            "correction",
            70,
            ref_kiosk="K1",
            ref_seq=count.seq,
            ref_hash=count.hash,
            officer="O1",
            reason="r",
            values={"units": units, "day": "2026-10-06"},
        )
    [c] = fx.derive(f.records).counts
    assert (c.units, c.day) == (42, date(2026, 10, 6))


def _master(**kw: Any) -> fx.MasterSnapshot:
    days = (date(2026, 10, 9), date(2026, 10, 10), date(2026, 10, 12))
    base: dict[str, Any] = {
        "lines": (Line(code="L1", shift_minutes=Fraction(480)), Line(code="L2", shift_minutes=Fraction(480))),
        "products": (Product(code="SHIRT", steps=("S1", "S2")),),
        "standard_times": (
            StandardTime(product="SHIRT", step="S1", valid_from=date(2026, 10, 1), seconds=Fraction(60)),
        ),
        "inmates": (Inmate(id="P1"),),
        "assignments": (),
        "workdays": {"L1": frozenset({days[0], days[2]}), "L2": frozenset(days)},
        "all_workdays": days,
    }
    base.update(kw)
    return fx.MasterSnapshot(**base)


def test_posts_resolve_to_the_later_created_and_skip_days_the_line_does_not_work() -> None:
    """P1 on L1, then on L2 from the 10th to the 10th (a Saturday only L2 works), then back on L1."""
    posts = (
        Assignment(inmate="P1", line="L1", product="SHIRT", step="S1", valid_from=date(2026, 10, 1)),
        Assignment(
            inmate="P1",
            line="L2",
            product="SHIRT",
            step="S1",
            valid_from=date(2026, 10, 10),
            valid_to=date(2026, 10, 10),
        ),
    )
    resolved = fx.resolve_assignments(_master(assignments=posts))
    assert [(a.line, a.valid_from.day, a.valid_to.day if a.valid_to else None) for a in resolved] == [
        ("L1", 9, 9),
        ("L2", 10, 10),
        ("L1", 12, 12),
    ]


def test_records_of_unknown_people_and_other_months_are_left_out() -> None:
    """An officer's check-in and a count of September do not become October inputs."""
    f = Floor()
    f.add("check_in", 0, person="O1", line="L1", day=DAY, method="badge", witness=None)
    f.add("check_out", 60, person="O1", line="L1", day=DAY, method="badge", witness=None)
    f.add(
        "unit_count",
        60,
        person="P1",
        line="L1",
        day="2026-09-30",
        product="SHIRT",
        step="S1",
        units=5,
        source="manual",
        ref=None,
    )
    month = Month.parse("2026-10")
    inputs = fx.month_input(month, _master(), fx.derive(f.records, month))
    assert inputs.attendance == ()
    assert inputs.counts == ()


def test_adding_records_one_by_one_gives_the_same_inputs_as_deriving_them_all_at_once() -> None:
    """The results worker's incremental path (a late check-out, a check-in arriving out of order, lots
    and counts) ends where a fresh derivation of all records ends."""
    f = Floor()
    f.add("check_in", 0, person="P1", line="L1", day=DAY, method="badge", witness=None)
    f.add(
        "unit_count",
        30,
        person="P1",
        line="L1",
        day=DAY,
        product="SHIRT",
        step="S2",
        units=7,
        source="manual",
        ref=None,
    )
    f.add("check_out", 240, person="P1", line="L1", day=DAY, method="badge", witness=None)
    f.add("check_out", 540, person="P1", line="L1", day=DAY, method="badge", witness=None)
    f.add("check_in", 300, person="P1", line="L1", day=DAY, method="badge", witness=None)  # sent late
    f.add("excused_absence", 0, person="P2", day=DAY, minutes=60, reason="education", officer="O1")
    f.add("warehoused_count", 500, line="L1", product="SHIRT", day=DAY, units=10, officer="O1")
    builder = fx.FactsBuilder()
    for record in f.records:
        builder.add([record])
    assert builder.facts() == fx.derive(f.records)
    [p1] = [a for a in builder.facts().attendance if a.inmate == "P1"]
    assert p1.present_minutes == 480


def test_checkpoint_witnesses_are_no_input_of_any_score() -> None:
    """A kiosk's `checkpoint_witness` records (even one a correction names) leave the engine inputs
    exactly as they are without them: witnesses are evidence about the hub's log, not about work."""
    plain, witnessed = Floor(), Floor()
    for f in (plain, witnessed):
        f.add("check_in", 0, person="P1", line="L1", day=DAY, method="badge", witness=None)
        if f is witnessed:
            w = f.add(
                "checkpoint_witness",
                1,
                hub="HUB",
                tree_size=42,
                root="ab" * 32,
                hub_ms=T0,
                signature="s" * 86,
            )
            f.add(
                "correction",
                2,
                ref_kiosk="K1",
                ref_seq=w.seq,
                ref_hash=w.hash,
                officer="O1",
                reason="r",
                values={"tree_size": 7},
            )
        f.add(
            "unit_count",
            60,
            person="P1",
            line="L1",
            day=DAY,
            product="S",
            step="S2",
            units=9,
            source="manual",
            ref=None,
        )
        f.add("check_out", 480, person="P1", line="L1", day=DAY, method="badge", witness=None)
    assert fx.derive(witnessed.records, Month.parse("2026-10")) == fx.derive(
        plain.records, Month.parse("2026-10")
    )
