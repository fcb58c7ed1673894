"""Reading scenario files: every bad input is refused with one line naming its place in the file."""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from hub.engine.documents import compare_results, json_text
from hub.engine.errors import InputError
from hub.engine.rules import parse_rule_book
from hub.engine.scenario import load_scenario

Doc = dict[str, Any]


def base() -> Doc:
    return {
        "month": "2026-10",
        "workdays": ["2026-10-05", "2026-10-06"],
        "lines": [{"code": "L1", "shift_minutes": 420}],
        "products": [{"code": "P-SHIRT", "steps": ["S1", "S2"]}],
        "standard_times": [
            {"product": "P-SHIRT", "step": "S1", "from": "2026-01-01", "seconds": "90"},
            {"product": "P-SHIRT", "step": "S2", "from": "2026-01-01", "seconds": "97.5"},
        ],
        "inmates": [{"id": "5201000", "name": "张伟"}, {"id": "5201001", "name": "王强", "quota_pct": 80}],
        "assignments": [
            {"inmate": "5201000", "line": "L1", "product": "P-SHIRT", "step": "S1", "from": "2026-10-01"},
            {"inmate": "5201001", "line": "L1", "product": "P-SHIRT", "step": "S2", "from": "2026-10-01"},
        ],
        "attendance": [{"inmate": "5201000", "date": "2026-10-05", "present_minutes": 420}],
        "warehoused": [{"line": "L1", "product": "P-SHIRT", "date": "2026-10-05", "units": 300}],
        "counts": [{"inmate": "5201000", "date": "2026-10-05", "units": 280}],
        "adjustments": [{"inmate": "5201001", "points": "-1.5", "reason": "质量问题"}],
    }


def edit(fn: Callable[[Doc], object]) -> Doc:
    document = base()
    fn(document)
    return document


BAD: list[tuple[str, Callable[[Doc], object], str]] = [
    ("not an object", lambda d: d.clear(), ""),
    ("missing month", lambda d: d.pop("month"), "month: required field is missing"),
    ("missing lines", lambda d: d.pop("lines"), "lines: required field is missing"),
    ("missing attendance", lambda d: d.pop("attendance"), "attendance: required field is missing"),
    ("unknown top-level key", lambda d: d.update(count=[]), 'unknown key "count"'),
    ("bad month", lambda d: d.update(month="2026-13"), 'month: not a month (YYYY-MM): "2026-13"'),
    ("month not a string", lambda d: d.update(month=202610), "month: not a month (YYYY-MM): 202610"),
    ("workdays not a list", lambda d: d.update(workdays="2026-10-05"), "workdays: must be a list"),
    (
        "workday not a date",
        lambda d: d["workdays"].append("2026-10-32"),
        'workdays[2]: not a date (YYYY-MM-DD): "2026-10-32"',
    ),
    ("compact date", lambda d: d["workdays"].append("20261007"), "workdays[2]: not a date"),
    (
        "line missing shift",
        lambda d: d["lines"][0].pop("shift_minutes"),
        "lines[0].shift_minutes: required field is missing",
    ),
    (
        "negative shift",
        lambda d: d["lines"][0].update(shift_minutes=-1),
        "lines[0].shift_minutes: must not be negative",
    ),
    (
        "duplicate line",
        lambda d: d["lines"].append({"code": "L1", "shift_minutes": 1}),
        'lines[1].code: duplicate line "L1"',
    ),
    ("unknown key in a line", lambda d: d["lines"][0].update(shift=1), 'lines[0]: unknown key "shift"'),
    (
        "product without steps",
        lambda d: d["products"][0].update(steps=[]),
        "products[0].steps: a product needs at least one step",
    ),
    (
        "duplicate step",
        lambda d: d["products"][0]["steps"].append("S1"),
        'products[0].steps[2]: duplicate step "S1"',
    ),
    (
        "standard time of unknown step",
        lambda d: d["standard_times"][1].update(step="S9"),
        'standard_times[1].step: unknown step "S9" of product "P-SHIRT"',
    ),
    (
        "zero seconds",
        lambda d: d["standard_times"][0].update(seconds="0"),
        "standard_times[0].seconds: must be greater than 0",
    ),
    (
        "seconds not a number",
        lambda d: d["standard_times"][0].update(seconds="90s"),
        'standard_times[0].seconds: not a number: "90s"',
    ),
    (
        "seconds a boolean",
        lambda d: d["standard_times"][0].update(seconds=True),
        "standard_times[0].seconds: not a number: true",
    ),
    (
        "duplicate standard time version",
        lambda d: d["standard_times"].append(copy.deepcopy(d["standard_times"][0])),
        "standard_times[2].from: duplicate standard time of P-SHIRT/S1 from 2026-01-01",
    ),
    (
        "duplicate inmate",
        lambda d: d["inmates"].append({"id": "5201000"}),
        'inmates[2].id: duplicate inmate "5201000"',
    ),
    (
        "numeric inmate id",
        lambda d: d["inmates"][0].update(id=5201000),
        "inmates[0].id: must be a non-empty string, not 5201000",
    ),
    (
        "negative quota level",
        lambda d: d["inmates"][1].update(quota_pct=-80),
        "inmates[1].quota_pct: must not be negative",
    ),
    (
        "assignment to an unknown line",
        lambda d: d["assignments"][1].update(line="L9"),
        'assignments[1].line: unknown line "L9"',
    ),
    (
        "assignment of an unknown inmate",
        lambda d: d["assignments"][0].update(inmate="x"),
        'assignments[0].inmate: unknown inmate "x"',
    ),
    (
        "assignment to an unknown product",
        lambda d: d["assignments"][0].update(product="P-X"),
        'assignments[0].product: unknown product "P-X"',
    ),
    (
        "assignment to an unknown step",
        lambda d: d["assignments"][1].update(step="S3"),
        'assignments[1].step: unknown step "S3" of product "P-SHIRT"',
    ),
    (
        "assignment without step",
        lambda d: d["assignments"][1].pop("step"),
        "assignments[1].step: required field is missing",
    ),
    (
        "assignment ending before it starts",
        lambda d: d["assignments"][0].update(to="2026-09-30"),
        "assignments[0].to: 2026-09-30 is before from 2026-10-01",
    ),
    (
        "assignment from not a date",
        lambda d: d["assignments"][0].update(to="soon"),
        'assignments[0].to: not a date (YYYY-MM-DD): "soon"',
    ),
    (
        "attendance without presence",
        lambda d: d["attendance"][0].pop("present_minutes"),
        "attendance[0].present_minutes: required field is missing",
    ),
    (
        "attendance date not a date",
        lambda d: d["attendance"][0].update(date="2026-02-30"),
        'attendance[0].date: not a date (YYYY-MM-DD): "2026-02-30"',
    ),
    (
        "negative excused minutes",
        lambda d: d["attendance"][0].update(excused_minutes=-5),
        "attendance[0].excused_minutes: must not be negative",
    ),
    (
        "misspelt excused minutes",
        lambda d: d["attendance"][0].update(excuse_minutes=60),
        'attendance[0]: unknown key "excuse_minutes"',
    ),
    (
        "negative count",
        lambda d: d["counts"][0].update(units=-3),
        "counts[0].units: must not be negative, not -3",
    ),
    (
        "count of an unknown inmate",
        lambda d: d["counts"][0].update(inmate="x"),
        'counts[0].inmate: unknown inmate "x"',
    ),
    (
        "negative warehouse units",
        lambda d: d["warehoused"][0].update(units="-1"),
        'warehoused[0].units: must not be negative, not "-1"',
    ),
    (
        "warehouse of an unknown line",
        lambda d: d["warehoused"][0].update(line="L2"),
        'warehoused[0].line: unknown line "L2"',
    ),
    (
        "adjustment without reason",
        lambda d: d["adjustments"][0].pop("reason"),
        "adjustments[0].reason: required field is missing",
    ),
    (
        "adjustment with an empty reason",
        lambda d: d["adjustments"][0].update(reason=" "),
        "adjustments[0].reason: must be a non-empty string",
    ),
    ("counts not a list", lambda d: d.update(counts={}), "counts: must be a list"),
    ("entry not an object", lambda d: d["counts"].append(5), "counts[1]: must be an object, not 5"),
    (
        "unknown rule parameter",
        lambda d: d.update(rules={"bonus_cap": 4}),
        "rules.bonus_cap: unknown rule parameter",
    ),
    (
        "negative rule parameter",
        lambda d: d.update(rules={"bonus_cap_points": "-4"}),
        "rules.bonus_cap_points: must not be negative",
    ),
    (
        "zero bonus step",
        lambda d: d.update(rules={"bonus_step_pct": 0}),
        "rules.bonus_step_pct: must be greater than 0",
    ),
    ("rules not an object", lambda d: d.update(rules=[]), "rules: must be an object"),
    (
        "rule version with a bad month",
        lambda d: d.update(rules={"versions": [{"from": "2026", "parameters": {}}]}),
        'rules.versions[0].from: not a month (YYYY-MM): "2026"',
    ),
]


@pytest.mark.parametrize(
    ("fn", "message"), [(fn, msg) for _, fn, msg in BAD], ids=[name for name, _, _ in BAD]
)
def test_bad_input_is_refused_with_its_place(fn: Callable[[Doc], object], message: str) -> None:
    """Bad values raise InputError whose one-line message names the place in the file."""
    document: object = edit(fn) if message else []
    with pytest.raises(InputError) as caught:
        load_scenario(document)
    text = str(caught.value)
    assert message in text
    assert "\n" not in text


def test_the_sample_format_is_accepted_with_its_optional_parts_omitted() -> None:
    """counts, adjustments, rules, excused minutes, `to`, name and quota_pct may be left out."""
    document = base()
    for key in ("counts", "adjustments"):
        document.pop(key)
    document["inmates"] = [{"id": "5201000"}, {"id": "5201001"}]
    scenario = load_scenario(document)
    assert scenario.inputs.counts == ()
    assert scenario.inputs.inmates[1].quota_pct == 100
    assert scenario.inputs.attendance[0].excused_minutes == 0
    assert scenario.rules.versions == ()


@pytest.mark.parametrize("seconds", ["97.5", Decimal("97.5"), 97.5, "975e-1"])
def test_numbers_may_be_json_numbers_or_decimal_strings(seconds: object) -> None:
    """The text "97.5", the number 97.5 and 975e-1 all mean exactly 195/2 seconds, never a binary float."""
    document = base()
    document["standard_times"][0]["seconds"] = seconds
    assert load_scenario(document).inputs.standard_times[0].seconds == Fraction(195, 2)


def test_annotation_keys_are_ignored() -> None:
    """A top-level `description` and keys beginning with `_` are notes for people, not inputs."""
    document = base()
    document["description"] = "两道工序"
    document["_comment"] = "generated"
    document["lines"][0]["_note"] = "night shift"
    assert load_scenario(document) == load_scenario(base())


def test_null_to_means_an_open_assignment() -> None:
    """`"to": null` is the same as leaving `to` out."""
    document = base()
    document["assignments"][0]["to"] = None
    assert load_scenario(document).inputs.assignments[0].valid_to is None


def test_null_optional_parts_count_as_left_out_but_null_required_lists_are_refused() -> None:
    """`"counts": null` is no counts and a null name no name; `"attendance": null` is an error."""
    document = base()
    document["counts"] = None
    document["inmates"][0]["name"] = None
    document["attendance"][0]["excused_minutes"] = None
    inputs = load_scenario(document).inputs
    assert (inputs.counts, inputs.inmates[0].name, inputs.attendance[0].excused_minutes) == ((), "", 0)
    document["attendance"] = None
    with pytest.raises(InputError, match="attendance: must be a list, not null"):
        load_scenario(document)


def test_flat_and_versioned_rules_parse_to_the_same_changes() -> None:
    """`{"bonus_cap_points": "4"}` is one version for all months; `versions` lists months and names."""
    flat = parse_rule_book({"bonus_cap_points": "4"}, "rules", label="scenario")
    versioned = parse_rule_book(
        {"versions": [{"version": "scenario", "from": "0001-01", "parameters": {"bonus_cap_points": 4}}]},
        "rules",
        label="x",
    )
    assert flat == versioned


def test_compare_reports_missing_extra_and_different_records() -> None:
    """`check` matches records by identity, allows 0.01, and names each difference on one line."""
    actual: dict[str, object] = {
        "month": "2026-10",
        "daily": [{"inmate": "a", "date": "2026-10-05", "done_units": Decimal("1.00")}],
        "weekly": [],
        "monthly": [{"inmate": "a", "labor_points": Decimal("30.0")}, {"inmate": "b", "labor_points": None}],
        "discrepancies": [],
    }
    expected = {
        "month": "2026-10",
        "daily": [{"inmate": "a", "date": "2026-10-05", "done_units": Decimal("1.01")}],
        "weekly": [{"inmate": "a", "week": "2026-W41"}],
        "monthly": [{"inmate": "a", "labor_points": Decimal("30.2")}, {"inmate": "b", "labor_points": 0}],
        "discrepancies": [],
    }
    diffs = compare_results(actual, expected)
    assert diffs == [
        "weekly[inmate=a, week=2026-W41]: expected but not in the result",
        "monthly[inmate=a].labor_points: expected 30.2, got 30.0 (difference -0.2)",
        "monthly[inmate=b].labor_points: expected 0, got null",
    ]


def test_result_json_writes_exact_decimals() -> None:
    """Numbers are written from their rounded decimal digits; null stays null, -0 shows as 0.0."""
    text = json_text(
        {"a": Decimal("25200.00"), "b": Decimal("-0.00"), "c": None, "d": [Decimal("107.14"), 3]}
    )
    assert text == '{\n "a": 25200.0,\n "b": 0.0,\n "c": null,\n "d": [\n  107.14,\n  3\n ]\n}'
