"""Every refusal rule book version 2 names: one line naming the entry, never a half-computed month."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

import pytest

from hub.engine.compute import MonthIndex, compute_month
from hub.engine.errors import InputError
from hub.engine.model import Deduction, ExemptPeriod, Month, Rating, Reject
from hub.engine.rules import DEFAULT_RULE_BOOK, DEFAULT_RULE_SET, parse_rule_book
from hub.engine.scenario import load_scenario
from tests.hub.engine.engine_cases import MON, doc, run

Doc = dict[str, Any]


def v2(**changes: Any) -> Doc:
    """`engine_cases.doc` under version 2: i1..i3 on step A of line L1, one workday (a Monday)."""
    document = doc(**changes)
    document["rule_book"] = "v2"
    return document


def deduction(inmate: str = "i1", category: str = "quality", points: object = "2", day: str = MON) -> Doc:
    return {"date": day, "inmate": inmate, "category": category, "points": points, "reason": "返工"}


def edit(fn: Callable[[Doc], object], document: Doc | None = None) -> Doc:
    document = copy.deepcopy(document if document is not None else doc())
    fn(document)
    return document


# --- a version-1 scenario that uses a version-2 input ---------------------------------------------

V1_WITH_V2: list[tuple[str, Callable[[Doc], object], str]] = [
    ("ratings", lambda d: d.update(ratings=[{"date": MON, "inmate": "i1", "grade": "A"}]), "ratings"),
    ("rejects", lambda d: d.update(rejects=[]), "rejects"),
    ("deductions", lambda d: d.update(deductions=[deduction()]), "deductions"),
    ("exemption", lambda d: d["inmates"][1].update(labor_exempt=[{"from": MON}]), "inmates[1].labor_exempt"),
    (
        "rated mode",
        lambda d: d["assignments"].__setitem__(
            2, {"inmate": "i3", "line": "L1", "mode": "rated", "post": "伙房", "from": "2026-10-01"}
        ),
        "assignments[2].mode",
    ),
    (
        "post",
        lambda d: d["assignments"].__setitem__(
            0, {"inmate": "i1", "line": "L1", "post": "伙房", "from": MON}
        ),
        "assignments[0].post",
    ),
    ("training", lambda d: d["assignments"][1].update(training=True), "assignments[1].training"),
    ("v2 parameter", lambda d: d.update(rules={"additions_cap_pct": "40"}), "rules.additions_cap_pct"),
    (
        "v2 parameter in a version",
        lambda d: d.update(
            rules={
                "versions": [
                    {"from": "2026-01", "parameters": {"rating_pct": {"A": 1, "B": 1, "C": 1, "D": 1}}}
                ]
            }
        ),
        "rules.versions[0].parameters.rating_pct",
    ),
]


@pytest.mark.parametrize(("case", "change", "place"), V1_WITH_V2, ids=[c[0] for c in V1_WITH_V2])
def test_a_version_1_scenario_with_a_version_2_input_is_refused_naming_the_field(
    case: str, change: Callable[[Doc], object], place: str
) -> None:
    """Without `"rule_book": "v2"` the file is version 1 forever: a version-2 field is refused by name."""
    with pytest.raises(InputError) as caught:
        load_scenario(edit(change))
    assert caught.value.place == place
    assert caught.value.message.startswith(f"{place}: a version-2 ")
    assert caught.value.message.endswith('(the scenario needs "rule_book": "v2")')
    assert "\n" not in caught.value.message
    if case != "post":  # a post without "mode": "rated" is refused under version 2 too (see below)
        load_scenario(edit(change, v2()))  # the same file with "rule_book": "v2" is accepted


def test_an_explicit_version_1_is_version_1_and_an_unknown_book_is_refused() -> None:
    """`"rule_book": "v1"` is the same as no field; any other value is refused naming the field."""
    assert load_scenario(edit(lambda d: d.update(rule_book="v1"))) == load_scenario(doc())
    with pytest.raises(InputError, match=r'^rule_book: unknown rule book "v3" \(one of v1, v2\)$'):
        load_scenario(edit(lambda d: d.update(rule_book="v3")))


@pytest.mark.parametrize(
    ("change", "place"),
    [
        (lambda i: replace(i, ratings=(Rating(inmate="i1", day=date(2026, 10, 5), grade="A"),)), "ratings"),
        (
            lambda i: replace(
                i,
                rejects=(
                    Reject(inmate="i1", day=date(2026, 10, 5), product="P", step="A", units=Fraction(1)),
                ),
            ),
            "rejects",
        ),
        (
            lambda i: replace(
                i,
                deductions=(
                    Deduction(
                        inmate="i1", day=date(2026, 10, 5), category="quality", points=Fraction(1), reason="r"
                    ),
                ),
            ),
            "deductions",
        ),
        (
            lambda i: replace(
                i,
                inmates=(
                    i.inmates[0],
                    replace(i.inmates[1], labor_exempt=(ExemptPeriod(valid_from=date(2026, 1, 1)),)),
                ),
            ),
            "inmates[1].labor_exempt",
        ),
        (
            lambda i: replace(i, assignments=(replace(i.assignments[0], training=True),)),
            "assignments[0].training",
        ),
        (
            lambda i: replace(i, assignments=(replace(i.assignments[0], mode="rated", post="x"),)),
            "assignments[0].mode",
        ),
    ],
)
def test_the_engine_refuses_version_2_inputs_in_a_month_computed_under_version_1(
    change: Callable[[Any], Any], place: str
) -> None:
    """A month whose rule set is version 1 stays version 1: the hub handing the engine a version-2
    input for it is refused by name, not silently ignored."""
    inputs = change(load_scenario(doc()).inputs)
    with pytest.raises(InputError) as caught:
        compute_month(inputs, DEFAULT_RULE_SET)
    assert caught.value.place == place
    assert "computed under rule book v1" in caught.value.message


# --- deductions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            [deduction(), deduction(category="safety", points="12")],
            "deductions[1].points: 12 is outside the safety range 2..10",
        ),
        (
            [deduction(category="safety", points="1.5")],
            "deductions[0].points: 1.5 is outside the safety range 2..10",
        ),
        (
            [deduction(category="quality", points=6)],
            "deductions[0].points: 6 is outside the quality range 1..5",
        ),
        (
            [deduction(category="discipline", points="3.5")],
            "deductions[0].points: 3.5 is outside the discipline range 1..3",
        ),
        (
            [deduction(category="noise")],
            'deductions[0].category: unknown category "noise" '
            "(known: quality, safety, discipline, equipment)",
        ),
    ],
)
def test_a_deduction_outside_its_category_is_refused_naming_the_entry(
    entries: list[Doc], message: str
) -> None:
    """Deductions are by category and inside the category's range; anything else is one line naming it."""
    with pytest.raises(InputError) as caught:
        run(v2(deductions=entries))
    assert str(caught.value.message) == message


@pytest.mark.parametrize("points", ["0", "-2", "x", True])
def test_a_deduction_of_no_positive_points_is_refused(points: object) -> None:
    """A deduction's points are a positive number: the file is refused at the entry's points."""
    with pytest.raises(InputError, match=r"^deductions\[0\]\.points: "):
        load_scenario(v2(deductions=[deduction(points=points)]))


def test_the_range_edges_are_inside_and_the_rule_set_decides_the_ranges() -> None:
    """min and max of a category are allowed; a site's rule set that changes the categories changes
    what is refused (a `rules` parameter replaces the whole table)."""
    edges = [deduction(category="safety", points="2"), deduction(category="safety", points="10")]
    assert run(v2(deductions=edges)).monthly[0].deduct_points == 12
    document = v2(
        deductions=[deduction(category="noise", points="0.5")],
        rules={"deduction_categories": {"noise": {"min": "0.5", "max": "1"}}},
    )
    assert run(document).monthly[0].deduct_points == Fraction(1, 2)
    document["deductions"] = [deduction(category="quality", points="1")]
    with pytest.raises(
        InputError, match=r'deductions\[0\]\.category: unknown category "quality" \(known: noise\)'
    ):
        run(document)


# --- an inmate exempt on every workday ------------------------------------------------------------


def exempt_month(**changes: Any) -> Doc:
    document = v2(**changes)
    document["inmates"][0]["labor_exempt"] = [{"from": "2026-09-01"}]
    return document


def test_a_deduction_for_an_inmate_exempt_all_month_is_refused() -> None:
    """There is no labor score to apply a deduction to: it is refused naming the entry."""
    with pytest.raises(InputError) as caught:
        run(exempt_month(deductions=[deduction(inmate="i2"), deduction(inmate="i1")]))
    assert str(caught.value.message) == (
        "deductions[1]: inmate i1 is labor-exempt on every workday of 2026-10, "
        "so there is no labor score to apply it to"
    )


def test_an_adjustment_for_an_inmate_exempt_all_month_is_refused() -> None:
    """An adjustment with or without a date in the month is refused; one dated in another month is not
    part of this month, as in version 1."""
    adjust = {"inmate": "i1", "points": "2", "reason": "好人好事"}
    with pytest.raises(InputError, match=r"^adjustments\[0\]: inmate i1 is labor-exempt on every workday"):
        run(exempt_month(adjustments=[adjust]))
    with pytest.raises(InputError, match=r"^adjustments\[0\]: "):
        run(exempt_month(adjustments=[adjust | {"date": MON}]))
    result = run(exempt_month(adjustments=[adjust | {"date": "2026-11-02"}]))
    assert [(m.inmate, m.labor_assessed) for m in result.monthly if m.inmate == "i1"] == [("i1", False)]


def test_an_inmate_exempt_only_part_of_the_month_may_have_deductions() -> None:
    """Exempt on some workdays only: the month is assessed, so deductions and adjustments apply."""
    document = v2(workdays=[MON, "2026-10-06"], deductions=[deduction(inmate="i1", day="2026-10-06")])
    document["inmates"][0]["labor_exempt"] = [{"from": MON, "to": MON}]
    (line,) = [m for m in run(document).monthly if m.inmate == "i1"]
    assert (line.labor_assessed, line.deduct_points) == (True, 2)


# --- ratings, assignments, parameters -------------------------------------------------------------

BAD_V2: list[tuple[str, Callable[[Doc], object], str]] = [
    (
        "grade E",
        lambda d: d.update(ratings=[{"date": MON, "inmate": "i1", "grade": "E"}]),
        'ratings[0].grade: unknown grade "E" (one of A, B, C, D)',
    ),
    (
        "lower-case grade",
        lambda d: d.update(ratings=[{"date": MON, "inmate": "i1", "grade": "a"}]),
        'ratings[0].grade: unknown grade "a"',
    ),
    (
        "rating of an unknown inmate",
        lambda d: d.update(ratings=[{"date": MON, "inmate": "i9", "grade": "A"}]),
        'ratings[0].inmate: unknown inmate "i9"',
    ),
    (
        "reject of an unknown step",
        lambda d: d.update(rejects=[{"date": MON, "inmate": "i1", "product": "P", "step": "Z", "units": 1}]),
        'rejects[0].step: unknown step "Z" of product "P"',
    ),
    (
        "negative reject",
        lambda d: d.update(rejects=[{"date": MON, "inmate": "i1", "product": "P", "step": "A", "units": -1}]),
        "rejects[0].units: must not be negative",
    ),
    (
        "rated with a step",
        lambda d: d["assignments"][0].update(mode="rated", post="伙房"),
        'assignments[0].product: a rated assignment names a "post", not a product or step',
    ),
    (
        "rated without a post",
        lambda d: d["assignments"].append({"inmate": "i1", "line": "L1", "mode": "rated", "from": MON}),
        "assignments[3].post: required field is missing (a rated assignment names its post)",
    ),
    (
        "counted with a post",
        lambda d: d["assignments"][1].update(post="伙房"),
        'assignments[1].post: only a rated assignment ("mode": "rated") has a post',
    ),
    (
        "unknown mode",
        lambda d: d["assignments"][1].update(mode="piece"),
        'assignments[1].mode: unknown mode "piece"',
    ),
    (
        "training not a flag",
        lambda d: d["assignments"][1].update(training="yes"),
        "assignments[1].training: must be true or false",
    ),
    (
        "training_from without training",
        lambda d: d["assignments"][1].update(training_from="2026-09-28"),
        'assignments[1].training_from: only a training assignment ("training": true) has it',
    ),
    (
        "training_from after from",
        lambda d: d["assignments"][1].update(training=True, training_from="2026-12-01"),
        "assignments[1].training_from: 2026-12-01 is after from",
    ),
    (
        "exemption ending before it starts",
        lambda d: d["inmates"][0].update(labor_exempt=[{"from": MON, "to": "2026-10-01"}]),
        "inmates[0].labor_exempt[0].to: 2026-10-01 is before from 2026-10-05",
    ),
    (
        "rating_pct without D",
        lambda d: d.update(rules={"rating_pct": {"A": "100", "B": "90", "C": "75"}}),
        "rules.rating_pct.D: every grade needs its percentage",
    ),
    (
        "rating_pct with grade E",
        lambda d: d.update(rules={"rating_pct": {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1}}),
        "rules.rating_pct.E: unknown grade",
    ),
    (
        "training ramp not ascending",
        lambda d: d.update(rules={"training_ramp": [{"days": 14, "pct": "75"}, {"days": 7, "pct": "50"}]}),
        "rules.training_ramp[1].days: must be greater than the step before (14): ascending",
    ),
    (
        "training ramp above 100",
        lambda d: d.update(rules={"training_ramp": [{"days": 7, "pct": "150"}]}),
        "rules.training_ramp[0].pct: must be at most 100",
    ),
    (
        "deduction range upside down",
        lambda d: d.update(rules={"deduction_categories": {"quality": {"min": "5", "max": "1"}}}),
        'rules.deduction_categories.quality.max: must not be below min "5"',
    ),
    (
        "deduction range from 0",
        lambda d: d.update(rules={"deduction_categories": {"quality": {"min": "0", "max": "1"}}}),
        "rules.deduction_categories.quality.min: must be greater than 0",
    ),
    (
        "negative additions cap",
        lambda d: d.update(rules={"additions_cap_pct": "-1"}),
        "rules.additions_cap_pct: must not be negative",
    ),
]


@pytest.mark.parametrize(("case", "change", "message"), BAD_V2, ids=[c[0] for c in BAD_V2])
def test_bad_version_2_input_is_one_line_naming_its_place(
    case: str, change: Callable[[Doc], object], message: str
) -> None:
    """Each bad version-2 field or parameter is refused when the file is read, naming its place."""
    with pytest.raises(InputError) as caught:
        load_scenario(edit(change, v2()))
    assert message in str(caught.value.message)
    assert "\n" not in caught.value.message


def test_rules_that_switch_the_book_against_the_file_are_refused() -> None:
    """The file's `rule_book` decides: rules (the file's or a site's) that put the month under the
    other book are refused naming `rule_book`, so a version-1 file never runs under version 2."""
    site = parse_rule_book({"rule_book": "v2"}, "", label="site")
    with pytest.raises(
        InputError, match=r"^rule_book: the scenario is for rule book v1, but its rules put 2026-10 under v2$"
    ):
        load_scenario(doc()).rule_set(site)
    scenario = load_scenario(v2(rules={"versions": [{"from": "2026-10", "parameters": {"rule_book": "v1"}}]}))
    with pytest.raises(InputError, match="^rule_book: the scenario is for rule book v2"):
        scenario.rule_set()
    # A version that switches to version 2 only from a later month leaves this month alone.
    later = parse_rule_book(
        {"versions": [{"from": "2026-11", "parameters": {"rule_book": "v2"}}]}, "", label="s"
    )
    assert load_scenario(doc()).rule_set(later).params.rule_book == "v1"


def test_a_rule_book_that_switches_to_version_2_keeps_earlier_months_under_version_1() -> None:
    """The rule-set versions say which book a month is computed under: a version from 2026-11 on makes
    November version 2 while October stays version 1, with the digest it always had."""
    book = DEFAULT_RULE_BOOK.then(
        parse_rule_book(
            {"versions": [{"version": "JX-v2", "from": "2026-11", "parameters": {"rule_book": "v2"}}]},
            "",
            label="x",
        )
    )
    october, november = book.for_month(Month(year=2026, month=10)), book.for_month(Month(year=2026, month=11))
    assert (october.params.rule_book, november.params.rule_book) == ("v1", "v2")
    assert october == DEFAULT_RULE_SET
    assert november.digest != october.digest


def test_version_1_digests_are_what_they_were_before_version_2() -> None:
    """Adding version 2's parameters does not change any version-1 digest, so every result stored
    before it still names the rule set that produced it (this is the rule book defaults' digest)."""
    assert DEFAULT_RULE_SET.digest == "f9aeef231a052415"


def test_index_names_the_refused_entry_before_any_line_day_is_computed() -> None:
    """The hub builds a `MonthIndex` once per month: a refused entry stops it there, naming the entry."""
    scenario = load_scenario(v2(deductions=[deduction(points="9")]))
    with pytest.raises(InputError, match=r"^deductions\[0\]\.points: 9 is outside the quality range 1\.\.5$"):
        MonthIndex(scenario.inputs, scenario.rule_set())


def test_a_training_piece_counts_its_ramp_from_training_from_and_a_hub_export_keeps_its_rule_set() -> None:
    """A training assignment listed from the month's Monday but begun 7 days earlier owes 75 %, not
    the first days' 50 %; a version-2 file whose own rules put the month under version 2 (as the
    hub exports a site's rule version) computes under those rules, named without `rulebook-v2`."""
    document = v2()
    document["assignments"][0].update(training=True, training_from="2026-09-28")
    scenario = load_scenario(document)
    result = compute_month(scenario.inputs, scenario.rule_set())
    assert next(r for r in result.daily if r.inmate == "i1").training_pct == 75
    exported = load_scenario(
        v2(rules={"versions": [{"version": "JX-V2", "from": "2026-10", "parameters": {"rule_book": "v2"}}]})
    )
    rule_set = exported.rule_set()
    assert rule_set.version == "rulebook-v1+JX-V2"
    assert rule_set == DEFAULT_RULE_BOOK.then(exported.rules).for_month(exported.inputs.month)
