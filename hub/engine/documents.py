"""Scenario and result documents written out: `result_json` gives a `MonthResult` in the shape of
`*.expected.json`, `scenario_json` gives inputs back as a scenario document (the hub's `scenario
export`), `json_text` writes either the way the samples are written, and `compare_results` compares a
result with an expected file within the rule book's tolerance. Reading a scenario is `scenario.py`.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

from floorledger.base import i18n
from hub.engine import texts as _texts  # noqa: F401  (registers engine.diff.*)
from hub.engine.exact import decimal_text, describe, round_half_up, round_ratio
from hub.engine.model import (
    HUNDRED,
    BookName,
    DailyRecord,
    Discrepancy,
    MissingRating,
    MonthInput,
    MonthlyScore,
    MonthResult,
    RatedRecord,
    WeeklyLine,
)
from hub.engine.rules import (
    NO_CHANGES,
    RuleBook,
    rule_book_json,
    rule_set_json,
)

# --- writing results -----------------------------------------------------------------------------


def _r2(value: Fraction) -> Decimal:
    return round_half_up(value, 2)


def _r2_or_none(value: Fraction | None) -> Decimal | None:
    return None if value is None else round_half_up(value, 2)


def _r1(value: Fraction) -> Decimal:
    return round_half_up(value, 1)


def daily_json(r: DailyRecord, *, v2: bool = False) -> dict[str, object]:
    """A counted day; under version 2 with `mode: "counted"` (whether shared by counts or by time)."""
    # The board's derived values straight from integers (same digits as the Fraction properties,
    # without building three Fractions per record: a month has a hundred thousand records).
    q, e, c, s = r.quota_std_seconds, r.earned_std_seconds, r.done_units, r.standard_seconds
    q_num, q_den, e_num, e_den = q.numerator, q.denominator, e.numerator, e.denominator
    c_num, c_den, s_num, s_den = c.numerator, c.denominator, s.numerator, s.denominator
    out: dict[str, object] = {"inmate": r.inmate, "date": r.day.isoformat()}
    if v2:
        out["mode"] = "counted"
    return out | {
        "line": r.line,
        "product": r.product,
        "step": r.step,
        "quota_std_seconds": round_ratio(q_num, q_den, 2),
        "earned_std_seconds": round_ratio(e_num, e_den, 2),
        "quota_units": round_ratio(q_num * s_den, q_den * s_num, 2),
        "done_units": round_ratio(c_num, c_den, 2),
        "diff_units": round_ratio(c_num * q_den * s_num - q_num * s_den * c_den, c_den * q_den * s_num, 2),
        "completion_pct": round_ratio(100 * e_num * q_den, e_den * q_num, 2) if q_num else None,
    }


def rated_json(r: RatedRecord) -> dict[str, object]:
    """Version 2: a rated day; a post has no unit, so the unit fields are null."""
    return {
        "inmate": r.inmate,
        "date": r.day.isoformat(),
        "mode": "rated",
        "line": r.line,
        "post": r.post,
        "grade": r.grade,
        "quota_std_seconds": _r2(r.quota_std_seconds),
        "earned_std_seconds": _r2(r.earned_std_seconds),
        "quota_units": None,
        "done_units": None,
        "diff_units": None,
        "completion_pct": _r2_or_none(r.completion_pct),
    }


def missing_rating_json(m: MissingRating) -> dict[str, object]:
    return {"date": m.day.isoformat(), "inmate": m.inmate, "line": m.line, "post": m.post}


def weekly_json(w: WeeklyLine) -> dict[str, object]:
    return {
        "inmate": w.inmate,
        "week": w.week,
        "quota_std_seconds": _r2(w.quota_std_seconds),
        "earned_std_seconds": _r2(w.earned_std_seconds),
        "completion_pct": _r2_or_none(w.completion_pct),
    }


def monthly_json(m: MonthlyScore, *, v2: bool = False) -> dict[str, object]:
    if v2:
        assessed = m.labor_assessed

        def points(value: Fraction) -> Decimal | None:
            return _r1(value) if assessed else None  # not assessed: no points at all, not 0

        return {
            "inmate": m.inmate,
            "quota_std_seconds": _r2(m.quota_std_seconds),
            "earned_std_seconds": _r2(m.earned_std_seconds),
            "completion_pct": _r2_or_none(m.completion_pct),
            "workdays": m.workdays,
            "days_met": m.days_met,
            "labor_assessed": assessed,
            "base_points": points(m.base_points),
            "bonus_points": points(m.bonus_points),
            "additions_points": points(m.additions_points),
            "adjust_points": points(m.adjust_points),
            "deduct_points": points(m.deduct_points),
            "labor_points": points(m.labor_points),
        }
    return {
        "inmate": m.inmate,
        "quota_std_seconds": _r2(m.quota_std_seconds),
        "earned_std_seconds": _r2(m.earned_std_seconds),
        "completion_pct": _r2_or_none(m.completion_pct),
        "workdays": m.workdays,
        "days_met": m.days_met,
        "base_points": _r1(m.base_points),
        "bonus_points": _r1(m.bonus_points),
        "adjust_points": _r1(m.adjust_points),
        "labor_points": _r1(m.labor_points),
    }


def discrepancy_json(d: Discrepancy) -> dict[str, object]:
    return {
        "date": d.day.isoformat(),
        "line": d.line,
        "product": d.product,
        "step": d.step,
        "counted_units": _r2(d.counted_units),
        "warehoused_units": _r2(d.warehoused_units),
    }


def result_json(result: MonthResult, *, with_rule_set: bool = False) -> dict[str, object]:
    """A result in the shape of `*.expected.json`: numbers rounded half up, as `Decimal`s.

    `with_rule_set` adds a `rule_set` key (version, from, digest, parameters) for provenance; the
    expected files do not have it, so it is off by default.
    """
    v2 = result.rule_set.params.v2
    out: dict[str, object] = {"month": str(result.month)}
    if with_rule_set:
        out["rule_set"] = rule_set_json(result.rule_set)
    out["daily"] = _daily_v2(result) if v2 else [daily_json(r) for r in result.daily]
    out["weekly"] = [weekly_json(w) for w in result.weekly]
    out["monthly"] = [monthly_json(m, v2=v2) for m in result.monthly]
    out["discrepancies"] = [discrepancy_json(d) for d in result.discrepancies]
    if v2:
        out["missing_ratings"] = [missing_rating_json(m) for m in result.missing_ratings]
    return out


def _daily_v2(result: MonthResult) -> list[dict[str, object]]:
    """Each day's counted records, then its rated ones (the order of the version-2 samples)."""
    counted: dict[date, list[DailyRecord]] = {}
    for r in result.daily:
        counted.setdefault(r.day, []).append(r)
    rated: dict[date, list[RatedRecord]] = {}
    for x in result.rated:
        rated.setdefault(x.day, []).append(x)
    out: list[dict[str, object]] = []
    for day in sorted(counted.keys() | rated.keys()):
        out.extend(daily_json(r, v2=True) for r in counted.get(day, ()))
        out.extend(rated_json(x) for x in rated.get(day, ()))
    return out


def _number_text(value: Decimal) -> str:
    if not value:
        return "0.0"
    text = f"{value:f}"
    if "." not in text:
        return text + ".0"
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def json_text(value: object, indent: int = 1) -> str:
    """JSON text of str/int/Decimal/None/list/dict values; a Decimal is written as its exact digits."""
    out: list[str] = []
    _write(value, 0, indent, out, {})
    return "".join(out)


def _scalar(value: object, strings: dict[str, str]) -> str | None:
    """The JSON text of a scalar, or None for a list or dict; strings are encoded once each."""
    if isinstance(value, str):
        text = strings.get(value)
        if text is None:
            text = strings[value] = json.dumps(value, ensure_ascii=False)
        return text
    if isinstance(value, Decimal):
        return _number_text(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple | dict):
        return None
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _write(value: object, level: int, indent: int, out: list[str], strings: dict[str, str]) -> None:
    text = _scalar(value, strings)
    if text is not None:
        out.append(text)
        return
    inner = " " * (indent * (level + 1))
    outer = " " * (indent * level)
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        texts = [_scalar(v, strings) for v in value.values()]
        if None not in texts:  # a flat record: one join
            pairs = [f"{_scalar(str(k), strings)}: {t}" for k, t in zip(value, texts, strict=True)]
            out.append("{\n" + inner + (",\n" + inner).join(pairs) + "\n" + outer + "}")
            return
        out.append("{")
        separator = "\n"
        for k, v in value.items():
            out.append(f"{separator}{inner}{_scalar(str(k), strings)}: ")
            separator = ",\n"
            _write(v, level + 1, indent, out, strings)
        out.append("\n" + outer + "}")
        return
    assert isinstance(value, list | tuple)
    if not value:
        out.append("[]")
        return
    out.append("[")
    separator = "\n"
    for item in value:
        out.append(separator + inner)
        separator = ",\n"
        _write(item, level + 1, indent, out, strings)
    out.append("\n" + outer + "]")


# --- writing scenarios ---------------------------------------------------------------------------


def _num(value: Fraction) -> int | str:
    """An input number as a scenario file stores it: an integer, or exact decimal text ("97.5")."""
    return value.numerator if value.denominator == 1 else decimal_text(value)


def scenario_json(
    inputs: MonthInput, rules: RuleBook = NO_CHANGES, book: BookName = "v1"
) -> dict[str, object]:
    """A month's inputs (and rule changes) as a scenario document that `load_scenario` reads back.

    This is what `floorledger scenario export` writes for a month the hub has stored: running the
    exported file gives the hub's own result, digit for digit. Raises ValueError for a number that
    has no exact decimal form (inputs from JSON or from kiosks never do). `book` "v2" writes
    `"rule_book": "v2"` and the version-2 inputs.
    """
    out: dict[str, object] = {"rule_book": "v2"} if book == "v2" else {}
    out["month"] = str(inputs.month)
    if rules.versions:
        out["rules"] = rule_book_json(rules)
    out["workdays"] = [d.isoformat() for d in inputs.workdays]
    out["lines"] = [{"code": x.code, "shift_minutes": _num(x.shift_minutes)} for x in inputs.lines]
    out["products"] = [{"code": p.code, "steps": list(p.steps)} for p in inputs.products]
    out["standard_times"] = [
        {
            "product": s.product,
            "step": s.step,
            "from": s.valid_from.isoformat(),
            "seconds": decimal_text(s.seconds),
        }
        for s in inputs.standard_times
    ]
    inmates: list[dict[str, object]] = []
    for i in inputs.inmates:
        inmate: dict[str, object] = {"id": i.id}
        if i.name:
            inmate["name"] = i.name
        if i.quota_pct != HUNDRED:
            inmate["quota_pct"] = _num(i.quota_pct)
        if i.labor_exempt:
            inmate["labor_exempt"] = [
                {"from": p.valid_from.isoformat()}
                | ({} if p.valid_to is None else {"to": p.valid_to.isoformat()})
                for p in i.labor_exempt
            ]
        inmates.append(inmate)
    out["inmates"] = inmates
    assignments: list[dict[str, object]] = []
    for a in inputs.assignments:
        item: dict[str, object] = {"inmate": a.inmate}
        if a.mode == "rated":
            item |= {"mode": "rated", "line": a.line, "post": a.post}
        else:
            item |= {"line": a.line, "product": a.product, "step": a.step}
        item["from"] = a.valid_from.isoformat()
        if a.valid_to is not None:
            item["to"] = a.valid_to.isoformat()
        if a.training:
            item["training"] = True
        if a.training_from is not None:
            item["training_from"] = a.training_from.isoformat()
        assignments.append(item)
    out["assignments"] = assignments
    attendance: list[dict[str, object]] = []
    for t in inputs.attendance:
        entry: dict[str, object] = {
            "inmate": t.inmate,
            "date": t.day.isoformat(),
            "present_minutes": _num(t.present_minutes),
        }
        if t.excused_minutes:
            entry["excused_minutes"] = _num(t.excused_minutes)
        attendance.append(entry)
    out["attendance"] = attendance
    out["warehoused"] = [
        {"line": w.line, "product": w.product, "date": w.day.isoformat(), "units": _num(w.units)}
        for w in inputs.warehoused
    ]
    if inputs.counts:
        out["counts"] = [
            {"inmate": c.inmate, "date": c.day.isoformat(), "units": _num(c.units)} for c in inputs.counts
        ]
    if inputs.adjustments:
        adjustments: list[dict[str, object]] = []
        for a2 in inputs.adjustments:
            adj: dict[str, object] = {
                "inmate": a2.inmate,
                "points": decimal_text(a2.points),
                "reason": a2.reason,
            }
            if a2.day is not None:
                adj["date"] = a2.day.isoformat()
            adjustments.append(adj)
        out["adjustments"] = adjustments
    if inputs.ratings:
        out["ratings"] = [
            {"date": r.day.isoformat(), "inmate": r.inmate, "grade": r.grade} for r in inputs.ratings
        ]
    if inputs.rejects:
        out["rejects"] = [
            {
                "date": r.day.isoformat(),
                "inmate": r.inmate,
                "product": r.product,
                "step": r.step,
                "units": _num(r.units),
            }
            for r in inputs.rejects
        ]
    if inputs.deductions:
        out["deductions"] = [
            {
                "date": d.day.isoformat(),
                "inmate": d.inmate,
                "category": d.category,
                "points": decimal_text(d.points),
                "reason": d.reason,
            }
            for d in inputs.deductions
        ]
    return out


# --- comparing with an expected file -------------------------------------------------------------

RECORD_IDS: dict[str, tuple[str, ...]] = {
    "daily": ("inmate", "date"),
    "weekly": ("inmate", "week"),
    "monthly": ("inmate",),
    "discrepancies": ("date", "line", "product", "step"),
    "missing_ratings": ("date", "inmate"),
}
"""How records are matched between a result and an expected file (their order does not matter)."""

TOLERANCE = Decimal("0.01")


def _as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def _record_id(record: dict[str, object], ids: tuple[str, ...]) -> str:
    return ", ".join(f"{k}={record.get(k)}" for k in ids)


def _diff(kind: str, /, **values: object) -> str:
    """One difference as a keyed text (`engine.diff.<kind>`); as a `str`, the English line."""
    return i18n.Text(f"engine.diff.{kind}", **values)


def _compare_values(place: str, got: object, want: object, tolerance: Decimal) -> str | None:
    got_num, want_num = _as_decimal(got), _as_decimal(want)
    if got_num is not None and want_num is not None:
        if abs(got_num - want_num) > tolerance:
            return _diff("number", place=place, want=want_num, got=got_num, difference=got_num - want_num)
        return None
    if got != want:
        return _diff("value", place=place, want=_shown_value(want), got=_shown_value(got))
    return None


def _shown_value(value: object) -> str:
    """A value on one line: JSON for data, the exact digits for numbers."""
    if isinstance(value, Decimal):
        return _number_text(value)
    return json.dumps(value, ensure_ascii=False, default=str)


def compare_results(actual: dict[str, object], expected: object, tolerance: Decimal = TOLERANCE) -> list[str]:
    """The differences between a result (`result_json`) and an expected file, one line each.

    Records are matched by their identity (`RECORD_IDS`), not their position; numbers may differ
    by `tolerance`; keys missing or extra on either side are differences too.
    """
    if not isinstance(expected, dict):
        return [_diff("not_object", what=describe(expected))]
    diffs: list[str] = []
    for key in expected:
        if key not in actual:
            diffs.append(_diff("only_expected", place=key))
    for key in actual:
        if key not in expected:
            diffs.append(_diff("only_result", place=key))
    if "month" in expected and "month" in actual:
        diff = _compare_values("month", actual["month"], expected["month"], tolerance)
        if diff:
            diffs.append(diff)
    for section, ids in RECORD_IDS.items():
        got_list, want_list = actual.get(section), expected.get(section)
        if not isinstance(got_list, list) or not isinstance(want_list, list):
            if section in expected and not isinstance(want_list, list):
                diffs.append(_diff("not_list", place=section))
            continue
        wanted: dict[str, dict[str, object]] = {}
        for i, item in enumerate(want_list):
            if not isinstance(item, dict):
                diffs.append(_diff("not_item", place=f"{section}[{i}]"))
                continue
            rid = _record_id(item, ids)
            if rid in wanted:
                diffs.append(_diff("twice", place=f"{section}[{rid}]"))
            wanted[rid] = item
        for got in got_list:
            assert isinstance(got, dict)
            rid = _record_id(got, ids)
            want = wanted.pop(rid, None)
            if want is None:
                diffs.append(_diff("unexpected", place=f"{section}[{rid}]"))
                continue
            for key in want:
                if key not in got:
                    diffs.append(_diff("missing", place=f"{section}[{rid}].{key}"))
            for key, value in got.items():
                if key not in want:
                    diffs.append(_diff("unexpected", place=f"{section}[{rid}].{key}"))
                    continue
                diff = _compare_values(f"{section}[{rid}].{key}", value, want[key], tolerance)
                if diff:
                    diffs.append(diff)
        for rid in wanted:
            diffs.append(_diff("missing", place=f"{section}[{rid}]"))
    return diffs
