"""Benchmark of the rules engine: a whole month, and one line-day after one new count.

    python bench/engine.py [--inmates 5000] [--lines 50] [--repeat 3] [--book v1|v2] [--strict]

Generates a realistic month (by default 5,000 inmates on 50 lines, 23 workdays, a quarter of the
lines in counted mode, standard-time changes and reassignments mid-month, partial and full
excuses, absences, adjustments) and prints:

- the time to compute the whole month (daily records, weekly lines, monthly scores, flags)
  from its inputs; target <= 3 s on a 2-core machine;
- the time to fold one new count into the month's index and recompute that line-day, which is
  what the hub does within a second of each record; target <= 50 ms;
- for information: the same for a new warehouse entry, refreshing the monthly scores of one
  line's inmates, and the scenario-file path (load, compute, write JSON) that
  `floorledger scenario run` takes.

With --book v2 the same month runs under rule book version 2, with a tenth of the assignments on
rated posts (graded every day), a twentieth in training, 1 % of the inmates labor-exempt from the
sixth workday, 2,000 reject entries and 300 deductions (`as_version_2`).

With --strict the exit status is 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from hub.engine.compute import MonthIndex, compute_line_day, compute_month, gc_paused, monthly_score
from hub.engine.documents import json_text, result_json, scenario_json
from hub.engine.model import (
    Adjustment,
    Assignment,
    Attendance,
    Count,
    DailyRecord,
    Deduction,
    ExemptPeriod,
    Inmate,
    Line,
    Month,
    MonthInput,
    MonthResult,
    Product,
    Rating,
    Reject,
    RuleParams,
    RuleSet,
    StandardTime,
    Warehoused,
)
from hub.engine.rules import DEFAULT_RULE_SET, make_rule_set
from hub.engine.scenario import load_scenario

MONTH_TARGET_S = 3.0
LINE_DAY_TARGET_MS = 50.0
IDLE_FRACTION_MUL_US = 2.6
"""The load check's figure on the 2-core development machine when nothing else ran."""
STEPS_PER_PRODUCT = 8
T = TypeVar("T")


def workdays_of(month: Month) -> list[date]:
    """Mondays to Fridays of the month plus its first Saturday (a make-up workday, 调休)."""
    days: list[date] = []
    day = month.first_day
    saturday_taken = False
    while day <= month.last_day:
        if day.weekday() < 5 or (day.weekday() == 5 and not saturday_taken):
            saturday_taken = saturday_taken or day.weekday() == 5
            days.append(day)
        day += timedelta(days=1)
    return days


def generate(n_inmates: int, n_lines: int, seed: int = 4) -> MonthInput:
    rnd = random.Random(seed)
    month = Month(year=2026, month=10)
    workdays = workdays_of(month)
    mid = date(2026, 10, 16)
    lines = [
        Line(code=f"L{n:02d}", shift_minutes=Fraction(rnd.choice([420, 450, 480]))) for n in range(n_lines)
    ]
    counted_lines = {line.code for n, line in enumerate(lines) if n % 4 == 0}
    products = [
        Product(code=f"P{n:02d}", steps=tuple(f"S{k}" for k in range(STEPS_PER_PRODUCT)))
        for n in range(n_lines)
    ]
    standard_times: list[StandardTime] = []
    for p in products:
        for step in p.steps:
            seconds = Fraction(rnd.randrange(300, 1800), 10)  # 30.0 .. 179.9 s, decimals included
            standard_times.append(
                StandardTime(product=p.code, step=step, valid_from=date(2026, 1, 1), seconds=seconds)
            )
            if rnd.random() < 0.2:
                standard_times.append(
                    StandardTime(
                        product=p.code, step=step, valid_from=mid, seconds=seconds * Fraction(19, 20)
                    )
                )
    inmates = [
        Inmate(id=f"52{n:05d}", name=f"inmate {n}", quota_pct=Fraction(rnd.choice([100] * 8 + [90, 80])))
        for n in range(n_inmates)
    ]
    assignments: list[Assignment] = []
    per_line = max(1, n_inmates // n_lines)
    for n, inmate in enumerate(inmates):
        k = min(n // per_line, n_lines - 1)
        line, product = lines[k], products[k]
        step = product.steps[n % STEPS_PER_PRODUCT]
        assignments.append(
            Assignment(
                inmate=inmate.id, line=line.code, product=product.code, step=step, valid_from=date(2026, 9, 1)
            )
        )
    for n, inmate in enumerate(inmates):  # 5 % move to another step mid-month: the later listed wins
        if rnd.random() < 0.05:
            k = min(n // per_line, n_lines - 1)
            step = products[k].steps[rnd.randrange(STEPS_PER_PRODUCT)]
            start = rnd.choice(workdays[5:15])
            assignments.append(
                Assignment(
                    inmate=inmate.id,
                    line=lines[k].code,
                    product=products[k].code,
                    step=step,
                    valid_from=start,
                    valid_to=start + timedelta(days=rnd.randrange(3, 20)),
                )
            )
    shift_of = {a.inmate: lines[int(a.line[1:])].shift_minutes for a in assignments}
    line_of = {a.inmate: a.line for a in assignments}
    attendance: list[Attendance] = []
    counts: list[Count] = []
    for day in workdays:
        for inmate in inmates:
            shift = shift_of[inmate.id]
            r = rnd.random()
            if r < 0.02:
                continue  # no entry: absent, owes the full quota
            if r < 0.03:
                present, excused = Fraction(0), shift  # fully excused
            elif r < 0.08:
                excused = Fraction(rnd.choice([60, 120, 210]))
                present = shift - excused
            else:
                present, excused = shift - rnd.choice([0, 0, 0, 5, 10, 30]), Fraction(0)
            attendance.append(
                Attendance(inmate=inmate.id, day=day, present_minutes=present, excused_minutes=excused)
            )
            if line_of[inmate.id] in counted_lines and present:
                for _ in range(rnd.choice([1, 1, 2, 3])):
                    counts.append(Count(inmate=inmate.id, day=day, units=Fraction(rnd.randrange(20, 150))))
    warehoused = [
        Warehoused(line=line.code, product=product.code, day=day, units=Fraction(rnd.randrange(150, 400)))
        for line, product in zip(lines, products, strict=True)
        for day in workdays
    ]
    adjustments = [
        Adjustment(
            inmate=rnd.choice(inmates).id, points=Fraction(rnd.choice([-3, -2, -1, 1, 2]), 2), reason="质量"
        )
        for _ in range(n_inmates // 25)
    ]
    return MonthInput(
        month=month,
        workdays=tuple(workdays),
        lines=tuple(lines),
        products=tuple(products),
        standard_times=tuple(standard_times),
        inmates=tuple(inmates),
        assignments=tuple(assignments),
        attendance=tuple(attendance),
        counts=tuple(counts),
        warehoused=tuple(warehoused),
        adjustments=tuple(adjustments),
    )


def as_version_2(inputs: MonthInput, seed: int) -> tuple[MonthInput, RuleSet]:
    """The generated month with version 2's inputs added (see the module docstring), and its rules."""
    rnd = random.Random(seed)
    days = [d for d in inputs.workdays if inputs.month.contains(d)]
    assignments: list[Assignment] = []
    for a in inputs.assignments:
        draw = rnd.random()
        if draw < 0.1:
            a = replace(a, mode="rated", product="", step="", post="伙房")
        elif draw < 0.15:
            a = replace(a, training=True)
        assignments.append(a)
    inmates = tuple(
        replace(i, labor_exempt=(ExemptPeriod(valid_from=days[5]),)) if rnd.random() < 0.01 else i
        for i in inputs.inmates
    )
    exempt = {i.id for i in inmates if i.labor_exempt}
    counted = [a for a in assignments if a.mode == "counted"]
    grades = ("A", "B", "C", "D")
    v2 = replace(
        inputs,
        inmates=inmates,
        assignments=tuple(assignments),
        ratings=tuple(
            Rating(inmate=a.inmate, day=d, grade=rnd.choice(grades))
            for a in assignments
            if a.mode == "rated"
            for d in days
        ),
        rejects=tuple(
            Reject(
                inmate=a.inmate,
                day=rnd.choice(days),
                product=a.product,
                step=a.step,
                units=Fraction(rnd.randint(1, 20)),
            )
            for a in rnd.sample(counted, min(2000, len(counted)))
        ),
        deductions=tuple(
            Deduction(
                inmate=a.inmate, day=rnd.choice(days), category="quality", points=Fraction(2), reason="返工"
            )
            for a in rnd.sample(assignments, min(300, len(assignments)))
            if a.inmate not in exempt
        ),
        adjustments=tuple(a for a in inputs.adjustments if a.inmate not in exempt),
    )
    return v2, make_rule_set(
        version="rulebook-v2", valid_from=inputs.month, params=RuleParams(rule_book="v2")
    )


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def load_check() -> str:
    """How busy the machine is: a fixed Fraction workload and the load average, to judge the figures."""
    a, b = Fraction(926, 3), Fraction(195, 2)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(20_000):
            a * b
        best = min(best, (time.perf_counter() - start) / 20_000)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"load check: a Fraction multiplication takes {best * 1e6:.2f} us "
        f"(about {IDLE_FRACTION_MUL_US} us on the idle reference machine); load average {load:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--inmates", type=int, default=5000)
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the whole month (the best is reported)"
    )
    parser.add_argument("--samples", type=int, default=50, help="line-day recomputations measured")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--skip-json", action="store_true", help="skip the scenario-file figures")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--book", choices=("v1", "v2"), default="v1", help="rule book version (default v1)")
    args = parser.parse_args(argv)

    print(f"FloorLedger rules engine benchmark: Python {platform.python_version()}, {os.cpu_count()} CPU(s)")
    print(load_check())
    gen_s, inputs = timed(lambda: generate(args.inmates, args.lines, args.seed))
    rule_set = DEFAULT_RULE_SET
    if args.book == "v2":
        inputs, rule_set = as_version_2(inputs, args.seed)
        print(
            f"rule book v2: {sum(1 for a in inputs.assignments if a.mode == 'rated'):,} rated assignments, "
            f"{len(inputs.ratings):,} ratings, {len(inputs.rejects):,} rejects, "
            f"{len(inputs.deductions):,} deductions"
        )
    days = [d for d in inputs.workdays if inputs.month.contains(d)]
    counted = sum(1 for n in range(args.lines) if n % 4 == 0)
    print(
        f"month {inputs.month}: {len(inputs.inmates):,} inmates on {len(inputs.lines)} lines "
        f"({counted} in counted mode), {len(days)} workdays; generated in {gen_s:.1f} s"
    )
    print(
        f"inputs: {len(inputs.assignments):,} assignments, {len(inputs.attendance):,} attendance entries, "
        f"{len(inputs.counts):,} counts, {len(inputs.warehoused):,} warehouse entries, "
        f"{len(inputs.standard_times):,} standard-time versions, {len(inputs.adjustments):,} adjustments"
    )

    # 1. The whole month.
    runs: list[float] = []
    cpu_runs: list[float] = []
    results: list[MonthResult] = []
    for _ in range(max(1, args.repeat)):
        cpu_start = time.process_time()
        seconds, result = timed(lambda: compute_month(inputs, rule_set))
        cpu_runs.append(time.process_time() - cpu_start)
        runs.append(seconds)
        results.append(result)
    result = results[-1]
    month_s = min(runs)
    print(
        f"results: {len(result.daily):,} daily records, {len(result.weekly):,} weekly lines, "
        f"{len(result.monthly):,} monthly scores, {len(result.discrepancies):,} discrepancies"
    )
    ok_month = month_s <= MONTH_TARGET_S
    print(
        f"whole month: {month_s:.2f} s (best of {len(runs)}: {', '.join(f'{r:.2f}' for r in runs)}; "
        f"CPU time {min(cpu_runs):.2f} s; target <= {MONTH_TARGET_S:.0f} s) {'OK' if ok_month else 'MISSED'}"
    )

    # 2. One line-day after one new count, as the hub does for each floor record.
    index = MonthIndex(inputs, rule_set)
    rnd = random.Random(args.seed)
    counted_inmates = sorted({c.inmate for c in inputs.counts})
    line_day_ms: list[float] = []
    for _ in range(args.samples):
        inmate, day = rnd.choice(counted_inmates), rnd.choice(days)
        count = Count(inmate=inmate, day=day, units=Fraction(rnd.randrange(1, 30)))
        start = time.perf_counter()
        key = index.add_count(count)
        if key is not None:
            compute_line_day(index, *key)
        line_day_ms.append((time.perf_counter() - start) * 1000)
    median_ms, max_ms = statistics.median(line_day_ms), max(line_day_ms)
    ok_line = max_ms <= LINE_DAY_TARGET_MS
    print(
        f"one line-day after a new count: {median_ms:.1f} ms median, {max_ms:.1f} ms max of "
        f"{len(line_day_ms)} (target <= {LINE_DAY_TARGET_MS:.0f} ms) {'OK' if ok_line else 'MISSED'}"
    )

    # For information: a new warehouse entry, and refreshing one line's monthly scores.
    warehouse_ms: list[float] = []
    for _ in range(args.samples):
        line = rnd.choice(inputs.lines)
        product = inputs.products[int(line.code[1:])]
        w = Warehoused(line=line.code, product=product.code, day=rnd.choice(days), units=Fraction(5))
        start = time.perf_counter()
        key = index.add_warehoused(w)
        if key is not None:
            compute_line_day(index, *key)
        warehouse_ms.append((time.perf_counter() - start) * 1000)
    print(f"one line-day after a new warehouse entry: {statistics.median(warehouse_ms):.1f} ms median")
    by_inmate: dict[str, list[DailyRecord]] = {}
    for r in result.daily:
        by_inmate.setdefault(r.inmate, []).append(r)
    line_inmates = sorted({a.inmate for a in inputs.assignments if a.line == inputs.lines[0].code})
    refresh_s, _ = timed(
        lambda: [
            monthly_score(i, by_inmate.get(i, []), index.adjustments.get(i, []), rule_set.params)
            for i in line_inmates
        ]
    )
    print(
        f"monthly scores of one line's {len(line_inmates)} inmates from their records: "
        f"{refresh_s * 1000:.1f} ms"
    )

    if not args.skip_json:
        text = json_text(scenario_json(inputs, book=args.book))
        with gc_paused():  # as `floorledger scenario run` does
            load_s, scenario = timed(lambda: load_scenario(json.loads(text, parse_float=Decimal)))
            compute_s, json_result = timed(lambda: compute_month(scenario.inputs, scenario.rule_set()))
            write_s, out = timed(lambda: json_text(result_json(json_result)))
        print(
            f"scenario file path ({len(text) / 1e6:.1f} MB in, {len(out) / 1e6:.1f} MB out): "
            f"load {load_s:.2f} s, compute {compute_s:.2f} s, write {write_s:.2f} s"
        )

    missed = not (ok_month and ok_line)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
