"""`floorledger scenario`: run, check and explain the rules engine on scenario files.

    floorledger scenario run FILE [--rules FILE]            the result as JSON (*.expected.json shape)
    floorledger scenario check FILE EXPECTED [--rules FILE] differences from an expected file
    floorledger scenario explain FILE --inmate ID [--date DAY|MONTH] [--lang zh|en]

A scenario file with `"rule_book": "v2"` runs under version 2 of the rule book; `explain --date`
then explains a counted day, a rated day or a labor-exempt day, whichever the inmate had.

This module is the I/O edge of `hub.engine`: it reads files, turns every engine error into a
one-line `CliError` (exit status 2) and prints. `check` exits 1 when there are differences.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from floorledger.base.errors import CliError
from hub.cli.export import register_export
from hub.engine.compute import MonthIndex, compute_month, gc_paused
from hub.engine.documents import compare_results, json_text, result_json
from hub.engine.errors import EngineError, InputError
from hub.engine.explain import LANGS, Lang, explain_day, explain_monthly
from hub.engine.model import RuleSet
from hub.engine.rules import NO_CHANGES, RuleBook, parse_rule_book
from hub.engine.scenario import Scenario, load_scenario, parse_day

logger = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scenario",
        help="run, check and explain the rules engine on a month's scenario file",
        description="Run the labor-assessment rules engine on a scenario file: one month's inputs as JSON.",
    )
    p.set_defaults(func=_help_of(p))
    scenario_sub = p.add_subparsers(dest="scenario_command", metavar="SUBCOMMAND")

    run = scenario_sub.add_parser(
        "run", help="compute a scenario and print the result as JSON", description="Compute a scenario file."
    )
    run.add_argument("file", type=Path, metavar="FILE", help="scenario file (*.scenario.json)")
    _add_rules_option(run)
    run.add_argument(
        "--with-rule-set",
        action="store_true",
        help="add a rule_set key (version, from, digest, parameters) to the output",
    )
    run.set_defaults(func=cmd_run)

    check = scenario_sub.add_parser(
        "check",
        help="compare a scenario's result with an expected file (tolerance 0.01)",
        description="Compute a scenario and print its differences from an expected result; exit 1 if any.",
    )
    check.add_argument("file", type=Path, metavar="FILE", help="scenario file")
    check.add_argument("expected", type=Path, metavar="EXPECTED", help="expected result (*.expected.json)")
    _add_rules_option(check)
    check.set_defaults(func=cmd_check)

    explain = scenario_sub.add_parser(
        "explain",
        help="explain how an inmate's daily record or monthly score was computed",
        description="Print every input and intermediate value behind a daily record (--date DAY) "
        "or a monthly labor score (no --date, or --date MONTH).",
    )
    explain.add_argument("file", type=Path, metavar="FILE", help="scenario file")
    explain.add_argument("--inmate", required=True, metavar="ID", help="inmate id")
    explain.add_argument(
        "--date", metavar="DAY", help="YYYY-MM-DD for a daily record; YYYY-MM or none for the month"
    )
    explain.add_argument(
        "--lang", choices=LANGS, default="zh", help="language of the explanation (default: zh)"
    )
    _add_rules_option(explain)
    explain.set_defaults(func=cmd_explain)

    register_export(scenario_sub)


def _add_rules_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--rules",
        type=Path,
        metavar="FILE",
        help="site rule set (JSON: flat parameters, or {'versions': [...]}); "
        "it wins over the scenario's own rules",
    )


def _help_of(p: argparse.ArgumentParser) -> Callable[[argparse.Namespace], int]:
    def show_help(args: argparse.Namespace) -> int:
        p.print_help()
        return 2

    return show_help


# --- reading files -------------------------------------------------------------------------------


class _DuplicateKeyError(ValueError):
    pass


def _object_without_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not a number JSON allows")


def read_json(path: Path) -> object:
    """A JSON file parsed with exact decimals (never floats); CliError with one line if it cannot be."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CliError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise CliError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise CliError(f"{path}: cannot read: {err.strerror or err}") from None
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_object_without_duplicates,
        )
    except json.JSONDecodeError as err:
        raise CliError(f"{path}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") from None
    except _DuplicateKeyError as err:
        raise CliError(f'{path}: not valid here: key "{err}" appears twice in one object') from None
    except ValueError as err:
        raise CliError(f"{path}: not valid JSON: {err}") from None


def read_scenario(path: Path) -> Scenario:
    raw = read_json(path)
    try:
        return load_scenario(raw)
    except InputError as err:
        raise CliError(f"{path}: {err}") from None


def read_rules(path: Path | None) -> RuleBook:
    """The site rule book given with --rules, or no changes."""
    if path is None:
        return NO_CHANGES
    raw = read_json(path)
    try:
        return parse_rule_book(raw, "", label=path.stem or "site")
    except InputError as err:
        raise CliError(f"{path}: {err}") from None


def _load(args: argparse.Namespace) -> tuple[Scenario, RuleSet]:
    scenario = read_scenario(args.file)
    try:
        rule_set = scenario.rule_set(read_rules(args.rules))
    except InputError as err:
        raise CliError(f"{args.file}: {err}") from None
    logger.info("rule set %s (from %s, digest %s)", rule_set.version, rule_set.valid_from, rule_set.digest)
    return scenario, rule_set


def _compute(args: argparse.Namespace) -> dict[str, object]:
    scenario, rule_set = _load(args)
    try:
        result = compute_month(scenario.inputs, rule_set)
    except EngineError as err:
        raise CliError(f"{args.file}: {err}") from None
    return result_json(result, with_rule_set=getattr(args, "with_rule_set", False))


# --- commands ------------------------------------------------------------------------------------


def _emit(text: str) -> int:
    """Print to stdout; a reader that stops early (`| head`) ends the command quietly, status 1."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail again
        return 1
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    with gc_paused():  # a one-shot process: nothing to collect until it ends (see compute.gc_paused)
        text = json_text(_compute(args))
    return _emit(text)


def cmd_check(args: argparse.Namespace) -> int:
    actual = _compute(args)
    expected = read_json(args.expected)
    diffs = compare_results(actual, expected)
    for line in diffs:
        print(line)
    if diffs:
        print(f"{len(diffs)} difference(s) between {args.file} and {args.expected}")
        return 1
    sizes = ", ".join(f"{len(v)} {k}" for k, v in actual.items() if isinstance(v, list))
    print(f"OK: {args.file} matches {args.expected} ({sizes}; tolerance 0.01)")
    return 0


_MONTH_ARG = re.compile(r"\d{4}-\d{2}")


def cmd_explain(args: argparse.Namespace) -> int:
    scenario, rule_set = _load(args)
    lang: Lang = args.lang
    month = scenario.inputs.month
    if args.inmate not in {i.id for i in scenario.inputs.inmates}:
        raise CliError(f'{args.file}: unknown inmate "{args.inmate}"')
    try:
        index = MonthIndex(scenario.inputs, rule_set)
        if args.date is None or _MONTH_ARG.fullmatch(args.date):
            if args.date is not None and args.date != str(month):
                raise CliError(f"--date {args.date}: the scenario is for the month {month}")
            explanation = explain_monthly(index, args.inmate)
        else:
            try:
                day = parse_day(args.date, "--date")
            except InputError as err:
                raise CliError(f"{err} (or YYYY-MM for the monthly score)") from None
            if not month.contains(day):
                raise CliError(f"--date {args.date}: not in the scenario's month {month}")
            explanation = explain_day(index, args.inmate, day)
    except EngineError as err:
        raise CliError(f"{args.file}: {err}") from None
    return _emit(explanation.render(lang))
