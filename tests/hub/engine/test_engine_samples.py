"""The public samples of the rule book give their expected results, and survive export and explanation."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from hub.engine.compute import MonthIndex, compute_month
from hub.engine.documents import compare_results, json_text, result_json, scenario_json
from hub.engine.exact import round_half_up
from hub.engine.explain import explain_daily, explain_monthly, explain_rated
from hub.engine.scenario import load_scenario

# CI clones the repository with `shared/` beside it, as on the development machine.
SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "spec" / "samples"
SAMPLE_NAMES = sorted(p.name.removesuffix(".scenario.json") for p in SAMPLES.glob("*.scenario.json"))
V2_SAMPLES = [
    n for n in SAMPLE_NAMES if '"rule_book": "v2"' in (SAMPLES / f"{n}.scenario.json").read_text("utf-8")
]


def read(path: Path) -> object:
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)


def test_the_public_samples_of_both_rule_book_versions_are_found() -> None:
    """The sample folder beside the repository holds the rule book's three version-1 scenarios and
    its two version-2 scenarios (`"rule_book": "v2"`)."""
    assert SAMPLE_NAMES == [
        "01-time-mode",
        "02-counted-mode",
        "03-changes-mid-month",
        "04-rated-and-exempt",
        "05-rejects-deductions-cap",
    ], SAMPLES
    assert V2_SAMPLES == ["04-rated-and-exempt", "05-rejects-deductions-cap"]


@pytest.mark.parametrize("name", V2_SAMPLES)
def test_a_version_2_sample_is_computed_under_version_2(name: str) -> None:
    """The file's `"rule_book": "v2"` selects version 2: the rule set says so, and the result has
    the version-2 sections and fields."""
    scenario = load_scenario(read(SAMPLES / f"{name}.scenario.json"))
    rule_set = scenario.rule_set()
    assert (scenario.book, rule_set.params.rule_book) == ("v2", "v2")
    assert "rulebook-v2" in rule_set.version
    out = result_json(compute_month(scenario.inputs, rule_set))
    assert "missing_ratings" in out
    monthly = out["monthly"]
    assert isinstance(monthly, list)
    assert all("labor_assessed" in m and "additions_points" in m for m in monthly)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_gives_its_expected_result(name: str) -> None:
    """Every daily, weekly, monthly and discrepancy record of a sample matches within 0.01, same keys."""
    scenario = load_scenario(read(SAMPLES / f"{name}.scenario.json"))
    result = compute_month(scenario.inputs, scenario.rule_set())
    actual = json.loads(json_text(result_json(result)), parse_float=Decimal)
    assert compare_results(actual, read(SAMPLES / f"{name}.expected.json")) == []


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_output_has_the_expected_key_order(name: str) -> None:
    """The printed records list their fields in the order of the expected files."""
    scenario = load_scenario(read(SAMPLES / f"{name}.scenario.json"))
    actual = result_json(compute_month(scenario.inputs, scenario.rule_set()))
    expected = read(SAMPLES / f"{name}.expected.json")
    assert isinstance(expected, dict)
    assert list(actual) == list(expected)
    for section in ("daily", "weekly", "monthly", "discrepancies", "missing_ratings"):
        if section not in expected:
            continue
        got, want = actual[section], expected[section]
        assert isinstance(got, list)
        assert isinstance(want, list)
        for g, w in zip(got, want, strict=False):
            assert list(g) == list(w)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_exported_sample_gives_the_same_result(name: str) -> None:
    """A month written back as a scenario file (the hub's `scenario export`) computes to the same digits."""
    scenario = load_scenario(read(SAMPLES / f"{name}.scenario.json"))
    exported = json.loads(
        json_text(scenario_json(scenario.inputs, scenario.rules, scenario.book)), parse_float=Decimal
    )
    again = load_scenario(exported)
    assert again == scenario
    first = compute_month(scenario.inputs, scenario.rule_set())
    second = compute_month(again.inputs, again.rule_set())
    assert first == second


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_every_sample_number_can_be_explained(name: str) -> None:
    """Each daily record and monthly score of a sample has an explanation in both languages that
    reproduces it (explain recomputes with the plain formulas and refuses to disagree)."""
    scenario = load_scenario(read(SAMPLES / f"{name}.scenario.json"))
    rule_set = scenario.rule_set()
    result = compute_month(scenario.inputs, rule_set)
    index = MonthIndex(scenario.inputs, rule_set)
    for record in result.daily:
        text = explain_daily(index, record.inmate, record.day)
        assert record.inmate in text.render("zh")
        assert rule_set.version in text.render("en")
    for rated in result.rated:
        text = explain_rated(index, rated.inmate, rated.day)
        assert rated.post in text.render("zh")
        assert rule_set.version in text.render("en")
    for score in result.monthly:
        explanation = explain_monthly(index, score.inmate)
        shown = (
            f"labor_points {round_half_up(score.labor_points, 1)}"
            if score.labor_assessed
            else "labor_points null"
        )
        assert shown in explanation.render("en")
