"""Which of a month's inputs and records an inmate's evidence bundle holds, and why (pure).

An inmate's result depends on their own records and on every record of their line-days (a time-mode
line shares the line's warehoused units among the people present), so `scope_of` names those
line-days; `restrict` cuts the month's engine inputs to them, and `is_wanted` chooses the records.
`hub.audit.bundle` builds and checks the bundle with these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from hub.engine.compute import MonthIndex
from hub.engine.errors import EngineError
from hub.engine.explain import explain_daily, explain_monthly
from hub.engine.model import MonthInput, RuleSet
from hub.results import facts as fx

PERSON_INPUTS = ("check_in", "check_out", "unit_count", "excused_absence")


@dataclass(frozen=True, slots=True)
class Scope:
    """The inmate's line-days and who shares them: what the inmate's credit is computed from.

    Credit on a line-day is shared: in counted mode a step's output is split among everyone on that
    step by their counts, in time mode by presence, and the warehouse total of the line decides the
    discrepancy check. So the inmate's numbers depend on the attendance and counts of every member
    of each of their line-days and on the line's warehoused units that day, not on their own alone.
    """

    inmate: str
    line_days: frozenset[tuple[str, date]]
    member_days: frozenset[tuple[str, date]]  # (person, day) of everyone on one of those line-days


def scope_of(inputs: MonthInput, rule_set: RuleSet, inmate: str) -> Scope:
    index = MonthIndex(inputs, rule_set)
    line_days: set[tuple[str, date]] = set()
    member_days: set[tuple[str, date]] = set()
    people = [i.id for i in inputs.inmates]
    for day in index.days:
        n = index.assignment_index(inmate, day)
        if n is None:
            continue
        line = inputs.assignments[n].line
        line_days.add((line, day))
        for person in people:
            m = index.assignment_index(person, day)
            if m is not None and inputs.assignments[m].line == line:
                member_days.add((person, day))
    return Scope(inmate, frozenset(line_days), frozenset(member_days))


def restrict(inputs: MonthInput, scope: Scope) -> MonthInput:
    """The inputs cut to the scope: facts of its member-days and line-days, its people only (line-mates
    without their names), their posts, and the lines, products and standard times those name."""
    people = {p for p, _ in scope.member_days} | {scope.inmate}
    assignments = tuple(a for a in inputs.assignments if a.inmate in people)
    warehoused = tuple(w for w in inputs.warehoused if (w.line, w.day) in scope.line_days)
    # master data the scope uses: its people's posts, and the lines and products they name
    lines = {a.line for a in assignments} | {line for line, _ in scope.line_days}
    products = {a.product for a in assignments} | {w.product for w in warehoused}
    return replace(
        inputs,
        lines=tuple(x for x in inputs.lines if x.code in lines),
        products=tuple(p for p in inputs.products if p.code in products),
        standard_times=tuple(s for s in inputs.standard_times if s.product in products),
        # line-mates by id only: a parole file need not carry other people's names
        inmates=tuple(
            i if i.id == scope.inmate else replace(i, name="") for i in inputs.inmates if i.id in people
        ),
        assignments=assignments,
        attendance=tuple(a for a in inputs.attendance if (a.inmate, a.day) in scope.member_days),
        counts=tuple(c for c in inputs.counts if (c.inmate, c.day) in scope.member_days),
        warehoused=warehoused,
        adjustments=tuple(a for a in inputs.adjustments if a.inmate == scope.inmate),
        # rule book v2 capture: its people's grades and rejects (they enter shared credit), the
        # inmate's own deductions (like adjustments, nobody else's)
        ratings=tuple(r for r in inputs.ratings if r.inmate in people),
        rejects=tuple(r for r in inputs.rejects if r.inmate in people),
        deductions=tuple(d for d in inputs.deductions if d.inmate == scope.inmate),
    )


def canonical(inputs: MonthInput) -> MonthInput:
    """The inputs with every list in the one order a bundle writes (`docs/evidence-bundle.md`): sorted
    by its entries' fields, so that a reordered list is a changed bundle. No number depends on it."""
    return replace(
        inputs,
        workdays=tuple(sorted(inputs.workdays)),
        lines=tuple(sorted(inputs.lines, key=lambda x: x.code)),
        products=tuple(sorted(inputs.products, key=lambda p: p.code)),
        standard_times=tuple(sorted(inputs.standard_times, key=lambda s: (s.product, s.step, s.valid_from))),
        inmates=tuple(sorted(inputs.inmates, key=lambda i: i.id)),
        assignments=tuple(
            sorted(inputs.assignments, key=lambda a: (a.inmate, a.valid_from, a.valid_to or date.max))
        ),
        attendance=tuple(
            sorted(inputs.attendance, key=lambda a: (a.inmate, a.day, a.present_minutes, a.excused_minutes))
        ),
        counts=tuple(sorted(inputs.counts, key=lambda c: (c.inmate, c.day, c.units))),
        warehoused=tuple(sorted(inputs.warehoused, key=lambda w: (w.line, w.day, w.product, w.units))),
        adjustments=tuple(
            sorted(inputs.adjustments, key=lambda a: (a.inmate, a.day or date.min, a.points, a.reason))
        ),
        # the hub keeps one grade per inmate and day, so sorting changes no replacement
        ratings=tuple(sorted(inputs.ratings, key=lambda r: (r.inmate, r.day, r.grade))),
        rejects=tuple(sorted(inputs.rejects, key=lambda r: (r.inmate, r.day, r.product, r.step, r.units))),
        deductions=tuple(
            sorted(inputs.deductions, key=lambda d: (d.inmate, d.day, d.category, d.points, d.reason))
        ),
    )


def out_of_order(inputs: MonthInput) -> list[str]:
    """The names of the input lists not in `canonical` order."""
    ordered = canonical(inputs)
    return [name for name in CANONICAL_LISTS if getattr(inputs, name) != getattr(ordered, name)]


CANONICAL_LISTS = (
    "workdays",
    "lines",
    "products",
    "standard_times",
    "inmates",
    "assignments",
    "attendance",
    "counts",
    "warehoused",
    "adjustments",
)


def result_of(result: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """The parts of a `result_json` document that concern the scope's inmate."""
    days = {d.isoformat() for _, d in scope.line_days}
    lines = {(line, d.isoformat()) for line, d in scope.line_days}
    return {
        "month": result["month"],
        "daily": [r for r in result["daily"] if r["inmate"] == scope.inmate],
        "weekly": [w for w in result["weekly"] if w["inmate"] == scope.inmate],
        "monthly": [m for m in result["monthly"] if m["inmate"] == scope.inmate],
        "discrepancies": [
            d for d in result["discrepancies"] if d["date"] in days and (d["line"], d["date"]) in lines
        ],
    }


def explanations(
    inputs: MonthInput, rule_set: RuleSet, result: Mapping[str, Any], inmate: str
) -> dict[str, Any]:
    index = MonthIndex(inputs, rule_set)
    out: dict[str, Any] = {}
    try:
        monthly = explain_monthly(index, inmate)
        out["monthly"] = {"zh": monthly.render("zh"), "en": monthly.render("en")}
    except EngineError:
        out["monthly"] = None
    daily: dict[str, Any] = {}
    for r in result["daily"]:
        day = date.fromisoformat(str(r["date"]))
        e = explain_daily(index, inmate, day)
        daily[day.isoformat()] = {"zh": e.render("zh"), "en": e.render("en")}
    out["daily"] = daily
    return out


def is_wanted(body: Mapping[str, Any], type_: str, scope: Scope) -> bool:
    """Whether a (non-correction) record's body is an input of the scope, or concerns the inmate."""
    try:
        day = date.fromisoformat(str(body.get("day")))
    except ValueError:
        return False
    person = body.get("person")
    if person == scope.inmate:
        return True  # every record about the inmate, confirmations and disputes included
    if type_ in PERSON_INPUTS:
        return (str(person), day) in scope.member_days
    if type_ == "warehoused_count":
        return (str(body.get("line")), day) in scope.line_days
    return False


def hub_correction_wanted(payload: Mapping[str, Any], scope: Scope) -> bool:
    try:
        changes = fx.hub_changes(payload)
    except (ValueError, KeyError, TypeError):
        return False
    return any(
        (c.line, c.day) in scope.line_days
        if c.type == "warehoused_count"
        else (c.person, c.day) in scope.member_days
        for c in changes
    )
