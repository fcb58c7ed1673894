"""Suggestions with reasons (#17 item 4) on a generated line with planted patterns: an inmate better
on another step, a step one person short this week, a slow trainee. Exactly those are found; a
newcomer with too few days gets none; thresholds come from dated versions; an action's effect
compares n workdays before and after."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction

import pytest

from hub.review import effects as fx
from hub.review import suggestions as sg

TODAY = date(2026, 10, 31)
COLLAR, SLEEVE, CUFF = ("SHIRT", "S1"), ("SHIRT", "S2"), ("SHIRT", "S3")
UNITS = Fraction(100)
QUOTA = UNITS * 60  # standard seconds of a day's quota: 100 pieces of 60 s


def _days(inmate: str, step: tuple[str, str], pcts: list[int], *, ending: date = TODAY) -> list[sg.WorkDay]:
    start = ending - timedelta(days=len(pcts) - 1)
    return [
        sg.WorkDay(inmate=inmate, line="L1", step=step, day=start + timedelta(days=n), quota_s=QUOTA,
                   earned_s=QUOTA * pct / 100, quota_units=UNITS)
        for n, pct in enumerate(pcts)
    ]  # fmt: skip


def _steady(n: int) -> list[int]:
    """A steady worker's days: 95 to 110 %, never low."""
    return [95 + (7 * k) % 16 for k in range(n)]


def planted_line() -> list[sg.WorkDay]:
    """L1 makes shirts: S1 上领 held by 3 (one short), S2 上袖 and S3 做袖 by 4 each over the last 60
    days. P1014 did 128 % on S1 for 20 days, then 72 % on S2 for the last 18; P1022 has been on S3 for
    30 days, below 80 % on 12 of his last 20; P1030 came 5 days ago and is at 50 %."""
    rows: list[sg.WorkDay] = []
    for n in range(3):
        rows += _days(f"P200{n}", COLLAR, _steady(60))
    for n in range(3):
        rows += _days(f"P201{n}", SLEEVE, _steady(60))
    rows += _days("P1014", COLLAR, [128] * 20, ending=TODAY - timedelta(days=18))
    rows += _days("P1014", SLEEVE, [72] * 18)
    for n in range(3):
        rows += _days(f"P202{n}", CUFF, _steady(60))
    slow = [90] * 10 + [70, 90] * 4 + [70] * 4 + [90] * 4 + [70] * 4  # 12 of the last 20 below 80
    rows += _days("P1022", CUFF, slow)
    rows += _days("P1030", CUFF, [50] * 5)
    return rows


def test_the_planted_patterns_and_only_they_are_suggested() -> None:
    """On the generated line: S1 short of exactly one person; P1014 to S1 (128 % on 20 days against
    72 % on 18, naming the shortage); P1022 training on S3 (12 of 20 days low, 30 days on the step);
    nothing else, and nothing for P1030 whose 5 days are too few."""
    found = sg.suggest(planted_line(), TODAY, sg.SuggestSettings())
    assert [(s.kind, s.inmate, s.step) for s in found] == [
        (sg.SHORT, None, COLLAR),
        (sg.MOVE, "P1014", COLLAR),
        (sg.TRAIN, "P1022", CUFF),
    ]
    short, move, train = found
    assert short.short_by == 1
    assert (move.pct, move.days, move.from_step, move.from_pct, move.from_days, move.short_by) == (
        Fraction(128),
        20,
        SLEEVE,
        Fraction(72),
        18,
        1,
    )
    assert (train.low, train.recent, train.days) == (12, 20, 30)
    assert move.key == "move:P1014:SHIRT/S1"


def test_a_newcomer_with_too_few_days_gets_no_suggestion_even_when_slow() -> None:
    """P1030 at 50 % on all of his 5 days: below every threshold, yet no suggestion names him, and
    lowering min_days to 5 and train_after_days to 5 makes him a training case (the rule is days)."""
    rows = planted_line()
    assert all(s.inmate != "P1030" for s in sg.suggest(rows, TODAY, sg.SuggestSettings()))
    eager = sg.SuggestSettings(min_days=5, train_after_days=5, low_days=5)
    assert any(s.inmate == "P1030" and s.kind == sg.TRAIN for s in sg.suggest(rows, TODAY, eager))


def test_a_fully_staffed_line_is_short_of_nobody() -> None:
    """Four on each step: no shortage, and P1014's move is still offered without naming one."""
    rows = planted_line() + _days("P1041", COLLAR, _steady(60))
    found = sg.suggest(rows, TODAY, sg.SuggestSettings())
    assert [s.kind for s in found] == [sg.MOVE, sg.TRAIN]
    assert found[0].short_by == 0


def test_thresholds_come_from_the_version_in_force_on_the_day() -> None:
    """A version from 2026-10-15 asks for 25 days per step: before it the defaults apply (P1014's
    move is found), from it on his 18 and 20 days are too few and the move is gone; a later version of
    the same day (higher id) wins over an earlier one."""
    versions = [
        sg.SettingsVersion(valid_from=date(2026, 10, 15), order=1, parameters=json.dumps({"min_days": "30"})),
        sg.SettingsVersion(valid_from=date(2026, 10, 15), order=2, parameters=json.dumps({"min_days": "25"})),
    ]
    assert sg.settings_on(versions, date(2026, 10, 14)) == sg.SuggestSettings()
    later = sg.settings_on(versions, TODAY)
    assert later.min_days == 25
    assert later.low_pct == 80
    kinds = {(s.kind, s.inmate) for s in sg.suggest(planted_line(), TODAY, later)}
    assert (sg.MOVE, "P1014") not in kinds
    assert (sg.TRAIN, "P1022") in kinds


@pytest.mark.parametrize(
    ("values", "bad"),
    [
        ({"min_days": "0"}, "min_days"),
        ({"min_days": "2.5"}, "min_days"),
        ({"low_pct": "abc"}, "low_pct"),
        ({"low_pct": "1/3"}, "low_pct"),
        ({"good_pct": "-1"}, "good_pct"),
        ({"nonsense": "1"}, "nonsense"),
    ],
)
def test_a_threshold_out_of_range_is_refused_by_name(values: dict[str, str], bad: str) -> None:
    """Days are whole numbers 1-366, percentages exact decimals 0-1000, names known; the refusal names
    the parameter."""
    with pytest.raises(sg.SettingsError) as err:
        sg.parse_parameters(values)
    assert err.value.name == bad


def test_canonical_threshold_text() -> None:
    """What is stored and signed: whole days without decimals, percentages as typed."""
    assert sg.parse_parameters({"min_days": " 12 ", "low_pct": "75.5"}) == {
        "min_days": "12",
        "low_pct": "75.5",
    }


def _figures(pcts: list[int], ending: date) -> list[fx.DayFigures]:
    start = ending - timedelta(days=len(pcts) - 1)
    return [fx.DayFigures(day=start + timedelta(days=n), quota_s=QUOTA, earned_s=QUOTA * p / 100)
            for n, p in enumerate(pcts)]  # fmt: skip


def test_an_action_s_effect_compares_n_workdays_before_and_after() -> None:
    """Moved on 10-20 with n = 5: his last 5 days before at 72 %, his first 5 from the 20th at 128 %
    (+56 points); the line from 100 to 104 %. With only 3 days after, it is not ready and the line's
    'after' is not shown yet."""
    start = date(2026, 10, 20)
    his = _figures([72] * 10, start - timedelta(days=1)) + _figures([128] * 5, start + timedelta(days=4))
    line = _figures([100] * 10, start - timedelta(days=1)) + _figures([104] * 5, start + timedelta(days=4))
    done = fx.effect(his, line, start, 5)
    assert (done.before_pct, done.after_pct, done.change_pct, done.ready) == (
        Fraction(72),
        Fraction(128),
        Fraction(56),
        True,
    )
    assert (done.line_before_pct, done.line_after_pct, done.line_change_pct) == (
        Fraction(100),
        Fraction(104),
        Fraction(4),
    )
    early = fx.effect(his[:-2], line, start, 5)
    assert (early.after_days, early.ready, early.line_after_pct) == (3, False, None)
