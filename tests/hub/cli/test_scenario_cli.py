"""`floorledger scenario run | check | explain`, as a user at the command line sees them."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from floorledger.cli import main
from hub.engine.documents import compare_results

SAMPLES = Path(__file__).resolve().parents[3] / ".." / "shared" / "spec" / "samples"
TIME_MODE = SAMPLES / "01-time-mode.scenario.json"
COUNTED = SAMPLES / "02-counted-mode.scenario.json"
CHANGES = SAMPLES / "03-changes-mid-month.scenario.json"


def expected_of(scenario: Path) -> Path:
    return scenario.with_name(scenario.name.replace(".scenario.json", ".expected.json"))


def cli(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def sample(path: Path) -> dict[str, Any]:
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def write(tmp_path: Path, document: object, name: str = "bad.scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(
        document if isinstance(document, str) else json.dumps(document, ensure_ascii=False), "utf-8"
    )
    return path


def assert_one_line_error(status: int, out: str, err: str, *parts: str) -> None:
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert err.startswith("floorledger scenario: ")
    assert "Traceback" not in err
    for part in parts:
        assert part in err


# --- run -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [TIME_MODE, COUNTED, CHANGES], ids=lambda p: p.name)
def test_run_prints_the_expected_result(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    """`scenario run FILE` prints JSON that matches the sample's expected file within 0.01."""
    status, out, err = cli(capsys, "scenario", "run", scenario)
    assert (status, err) == (0, "")
    actual = json.loads(out, parse_float=Decimal)
    expected = json.loads(expected_of(scenario).read_text(encoding="utf-8"), parse_float=Decimal)
    assert compare_results(actual, expected) == []
    assert list(actual) == ["month", "daily", "weekly", "monthly", "discrepancies"]


def test_run_can_add_the_rule_set_that_produced_the_result(capsys: pytest.CaptureFixture[str]) -> None:
    """--with-rule-set adds which rule-set version, digest and parameters produced the numbers."""
    status, out, _ = cli(capsys, "scenario", "run", CHANGES, "--with-rule-set")
    rule_set = json.loads(out)["rule_set"]
    assert status == 0
    assert rule_set["version"] == "rulebook-v1+scenario"
    assert rule_set["parameters"]["bonus_cap_points"] == "4"
    assert len(rule_set["digest"]) == 16


def test_rules_file_overrides_the_rule_book_and_the_scenario(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--rules FILE changes parameters for the run; here a cap of 0 removes the sample's 3 bonus points."""
    rules = write(tmp_path, {"bonus_cap_points": "0"}, "site.json")
    status, out, _ = cli(capsys, "scenario", "run", TIME_MODE, "--rules", rules, "--with-rule-set")
    result = json.loads(out)
    first = next(m for m in result["monthly"] if m["inmate"] == "5201000")
    assert status == 0
    assert (first["bonus_points"], first["labor_points"]) == (0.0, 30.0)
    assert result["rule_set"]["version"] == "rulebook-v1+site"


def test_versioned_rules_file_applies_only_from_its_month(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A rules version from 2026-11 leaves an October scenario on the rule book's defaults."""
    rules = write(
        tmp_path,
        {"versions": [{"version": "JX-2026-11", "from": "2026-11", "parameters": {"bonus_cap_points": "0"}}]},
        "jx.json",
    )
    status, out, _ = cli(capsys, "scenario", "run", TIME_MODE, "--rules", rules, "--with-rule-set")
    result = json.loads(out)
    assert status == 0
    assert result["rule_set"]["version"] == "rulebook-v1"
    assert next(m for m in result["monthly"] if m["inmate"] == "5201000")["bonus_points"] == 3.0


# --- bad input -----------------------------------------------------------------------------------


def _drop_step(d: dict[str, Any]) -> None:
    del d["assignments"][2]["step"]


BAD_SCENARIOS: list[tuple[str, Any, str]] = [
    ("missing field", _drop_step, "assignments[2].step: required field is missing"),
    (
        "unknown step",
        lambda d: d["assignments"][1].update(step="S9"),
        'assignments[1].step: unknown step "S9"',
    ),
    (
        "unknown line",
        lambda d: d["assignments"][3].update(line="L9"),
        'assignments[3].line: unknown line "L9"',
    ),
    (
        "date not a date",
        lambda d: d["attendance"][4].update(date="2026-10-7"),
        "attendance[4].date: not a date",
    ),
    (
        "negative units",
        lambda d: d["warehoused"][2].update(units=-280),
        "warehoused[2].units: must not be negative",
    ),
    ("missing month", lambda d: d.pop("month"), "month: required field is missing"),
    (
        "no standard time in force",
        lambda d: d["standard_times"][0].update({"from": "2026-10-02"}),
        'assignments[0]: no standard time of step "S1" of product "P-SHIRT" is in force on 2026-10-01',
    ),
]


@pytest.mark.parametrize(
    ("edit", "message"), [(e, m) for _, e, m in BAD_SCENARIOS], ids=[n for n, _, _ in BAD_SCENARIOS]
)
def test_bad_scenario_is_one_line_naming_the_place_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, edit: Any, message: str
) -> None:
    """Bad input never shows a traceback: one line with the file and the place, exit status 2."""
    document = sample(TIME_MODE)
    edit(document)
    path = write(tmp_path, document)
    for command in (
        ["run", path],
        ["check", path, expected_of(TIME_MODE)],
        ["explain", path, "--inmate", "5201000"],
    ):
        status, out, err = cli(capsys, "scenario", *command)
        assert_one_line_error(status, out, err, str(path), message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '{"month": "2026-10",',
            "not valid JSON: Expecting property name enclosed in double quotes at line 1",
        ),
        ('{"month": "2026-10", "month": "2026-11"}', 'key "month" appears twice'),
        ('{"month": NaN}', "NaN is not a number JSON allows"),
        ("[1, 2]", "must be an object"),
        ("\udcff", "not UTF-8 text"),
    ],
)
def test_unreadable_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    """Broken JSON, duplicate keys, NaN or a non-object give one line naming the file."""
    path = tmp_path / "broken.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    assert_one_line_error(*cli(capsys, "scenario", "run", path), str(path), message)


def test_missing_file_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A file that does not exist is named in one line."""
    path = tmp_path / "nowhere.json"
    assert_one_line_error(*cli(capsys, "scenario", "run", path), f"{path}: no such file")


def test_bad_rules_file_is_one_line_naming_the_parameter(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An unknown or negative parameter in --rules is named with the rules file."""
    rules = write(tmp_path, {"bonus_cap": 4}, "site.json")
    assert_one_line_error(
        *cli(capsys, "scenario", "run", TIME_MODE, "--rules", rules), "site.json: bonus_cap: unknown"
    )
    rules = write(
        tmp_path, {"versions": [{"from": "2026-01", "parameters": {"bonus_step_pct": "0"}}]}, "v.json"
    )
    assert_one_line_error(
        *cli(capsys, "scenario", "run", TIME_MODE, "--rules", rules),
        "versions[0].parameters.bonus_step_pct: must be greater than 0",
    )


# --- check ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", [TIME_MODE, COUNTED, CHANGES], ids=lambda p: p.name)
def test_check_passes_each_sample(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    """`scenario check FILE EXPECTED` says OK and exits 0 when every number is within 0.01."""
    status, out, err = cli(capsys, "scenario", "check", scenario, expected_of(scenario))
    assert (status, err) == (0, "")
    assert out.startswith("OK: ")


def test_check_prints_each_difference_and_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Numbers off by more than 0.01, and missing records, are listed one per line; exit status 1."""
    expected = sample(expected_of(COUNTED))
    expected["monthly"][1]["labor_points"] = 18.0  # the sample says 17.8
    expected["daily"][0]["done_units"] = 300.01  # within the tolerance
    removed = expected["discrepancies"].pop()
    path = write(tmp_path, expected, "expected.json")
    status, out, _ = cli(capsys, "scenario", "check", COUNTED, path)
    lines = out.splitlines()
    assert status == 1
    assert "monthly[inmate=5201001].labor_points: expected 18.0, got 17.8 (difference -0.2)" in lines
    assert (
        f"discrepancies[date={removed['date']}, line=L1, product=P-SHIRT, step=S2]: "
        "in the result but not expected" in lines
    )
    assert lines[-1].startswith("2 difference(s)")


# --- explain -------------------------------------------------------------------------------------


def test_explain_a_day_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    """`explain --date DAY --lang en` shows the inputs, the mode, the versions and each value."""
    status, out, _ = cli(
        capsys, "scenario", "explain", CHANGES, "--inmate", "5202001", "--date", "2026-10-12", "--lang", "en"
    )
    assert status == 0
    assert "Standard time: P-GLOVE/SEW on 2026-10-12 uses the version from 2026-01-01: 97.5" in out
    assert "excused (leave, medical, visit, education) 210 min" in out
    assert "878 × 240 / 1140 = 184.84 (= 3512/19) units" in out
    assert "Rule set: version rulebook-v1+scenario" in out


def test_explain_a_day_in_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    """Simplified Chinese is the default language."""
    status, out, _ = cli(
        capsys, "scenario", "explain", COUNTED, "--inmate", "5201002", "--date", "2026-10-05"
    )
    assert status == 0
    assert "计件模式" in out
    assert "差异标记" in out


@pytest.mark.parametrize("date_args", [[], ["--date", "2026-10"]], ids=["no date", "month"])
def test_explain_the_month(capsys: pytest.CaptureFixture[str], date_args: list[str]) -> None:
    """Without --date, or with the month, `explain` shows the monthly labor score."""
    status, out, _ = cli(
        capsys, "scenario", "explain", CHANGES, "--inmate", "5202001", "--lang", "en", *date_args
    )
    assert status == 0
    assert "Bonus points = 0 (days_met 14 < 80% × workdays 21 = 16.8" in out
    assert "Adjustment -1.5 points: 质量问题:返工 12 件" in out
    assert out.rstrip().endswith("labor_points 28.5")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--inmate", "5201000", "--date", "2026-10-03"], "2026-10-03 is not a workday of the month"),
        (
            ["--inmate", "5201000", "--date", "2026-11-02"],
            "--date 2026-11-02: not in the scenario's month 2026-10",
        ),
        (
            ["--inmate", "5201000", "--date", "2026-11"],
            "--date 2026-11: the scenario is for the month 2026-10",
        ),
        (["--inmate", "5201000", "--date", "tomorrow"], '--date: not a date (YYYY-MM-DD): "tomorrow"'),
        (["--inmate", "9999999"], 'unknown inmate "9999999"'),
    ],
)
def test_explain_without_a_record_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    """Asking to explain something that does not exist says why in one line."""
    assert_one_line_error(*cli(capsys, "scenario", "explain", TIME_MODE, *args), message)


def test_scenario_without_subcommand_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    """`floorledger scenario` alone lists run, check and explain and exits 2."""
    status, out, _ = cli(capsys, "scenario")
    assert status == 2
    for word in ("run", "check", "explain"):
        assert word in out


# --- the real command ----------------------------------------------------------------------------


def test_the_installed_command_runs_a_sample_and_refuses_bad_input(tmp_path: Path) -> None:
    """The `floorledger` program itself: exit 0 with JSON on stdout; exit 2 with one line on stderr."""
    command = [sys.executable, "-m", "floorledger", "scenario", "run"]
    done = subprocess.run([*command, str(COUNTED)], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    assert len(json.loads(done.stdout)["discrepancies"]) == 6
    document = sample(COUNTED)
    document["counts"][0]["units"] = -150
    bad = write(tmp_path, document)
    done = subprocess.run([*command, str(bad)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == f"floorledger scenario: {bad}: counts[0].units: must not be negative, not -150\n"


# --- rule book version 2 -------------------------------------------------------------------------

RATED = SAMPLES / "04-rated-and-exempt.scenario.json"
REJECTS = SAMPLES / "05-rejects-deductions-cap.scenario.json"


@pytest.mark.parametrize("scenario", [RATED, REJECTS], ids=lambda p: p.name)
def test_run_and_check_a_version_2_sample(capsys: pytest.CaptureFixture[str], scenario: Path) -> None:
    """A `"rule_book": "v2"` file prints the version-2 shape (with missing_ratings) and checks OK."""
    status, out, err = cli(capsys, "scenario", "run", scenario)
    assert (status, err) == (0, "")
    actual = json.loads(out, parse_float=Decimal)
    assert list(actual) == ["month", "daily", "weekly", "monthly", "discrepancies", "missing_ratings"]
    expected = json.loads(expected_of(scenario).read_text(encoding="utf-8"), parse_float=Decimal)
    assert compare_results(actual, expected) == []
    status, out, _ = cli(capsys, "scenario", "check", scenario, expected_of(scenario))
    assert status == 0
    assert out.startswith("OK: ")


@pytest.mark.parametrize(
    ("args", "parts"),
    [
        (
            ["--inmate", "6204004", "--date", "2026-11-10", "--lang", "en"],
            ['rated post "保洁-车间"', "personal quota 80% = 20160", "listed in missing_ratings"],
        ),
        (
            ["--inmate", "6204004", "--date", "2026-11-10"],
            ["无定额岗位「保洁-车间」", "列入待评定"],
        ),
        (
            ["--inmate", "6204008", "--date", "2026-11-12", "--lang", "en"],
            ["labor-exempt", "Exemption period: 2026-11-09 to 2026-11-18"],
        ),
        (
            ["--inmate", "6204009", "--date", "2026-11-10"],
            ["培训期", "d = 6 天", "定额 = 25200 × 50% = 12600 标准秒"],
        ),
        (
            ["--inmate", "6204007", "--lang", "en"],
            ["labor_assessed = false", "labor_points null"],
        ),
    ],
    ids=["rated en", "rated zh", "exempt", "training", "not assessed"],
)
def test_explain_the_new_numbers_of_a_version_2_month(
    capsys: pytest.CaptureFixture[str], args: list[str], parts: list[str]
) -> None:
    """`explain` explains a rated day, an exempt day, a training day and an unassessed month."""
    status, out, err = cli(capsys, "scenario", "explain", RATED, *args)
    assert (status, err) == (0, "")
    for part in parts:
        assert part in out


def test_explain_rejects_the_cap_and_deductions_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    """Sample 05: a day's rejects, and the month's deductions and additions cap, in zh and en."""
    status, out, _ = cli(
        capsys, "scenario", "explain", REJECTS, "--inmate", "6205002", "--date", "2026-12-10", "--lang", "en"
    )
    assert status == 0
    assert "Rejects: 60 units of this inmate's P-GLOVE/SEW work that day were found faulty" in out
    status, out, _ = cli(capsys, "scenario", "explain", REJECTS, "--inmate", "6205006", "--lang", "en")
    assert status == 0
    assert "Deduction 3 points (discipline, range 1..3) on 2026-12-07: 工时内闲聊,屡教不改" in out
    assert "positive adjustments 14 = 14) = 12" in out
    assert out.rstrip().endswith("labor_points 38.7")
    status, out, _ = cli(capsys, "scenario", "explain", REJECTS, "--inmate", "6205006")
    assert "扣分 3 分（discipline，范围 1..3）" in out
    assert "加分 = min(上限 40% × 劳动基础分" in out


def test_a_deduction_outside_its_range_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The rule book's example refusal, as the command line prints it: one line naming the entry."""
    document = sample(REJECTS)
    document["deductions"][1] = document["deductions"][1] | {"category": "safety", "points": "12"}
    bad = write(tmp_path, document)
    assert_one_line_error(
        *cli(capsys, "scenario", "run", bad),
        f"{bad}: deductions[1].points: 12 is outside the safety range 2..10",
    )


def test_version_2_inputs_in_a_version_1_file_and_a_book_switching_rules_file_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A file without `"rule_book": "v2"` that has ratings is refused by name; a --rules file that
    would run a version-1 file under version 2 is refused too."""
    document = sample(RATED)
    del document["rule_book"]
    bad = write(tmp_path, document)
    assert_one_line_error(*cli(capsys, "scenario", "run", bad), f"{bad}: ratings: a version-2 input")
    rules = write(tmp_path, {"rule_book": "v2"}, "site.json")
    assert_one_line_error(
        *cli(capsys, "scenario", "run", TIME_MODE, "--rules", rules),
        "rule_book: the scenario is for rule book v1",
    )
