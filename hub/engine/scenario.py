"""Scenario files: one month's inputs as JSON, in the format of `shared/spec/samples/*.scenario.json`.

`load_scenario` turns already-parsed JSON into a validated `Scenario` (it reads no file: the CLI
does, with `json.loads(..., parse_float=Decimal)` so no number ever passes through a float);
every problem raises `InputError` naming its place, e.g. `assignments[3].line: unknown line "L9"`.
Writing results and scenarios back out is `hub.engine.documents`.

Strictness: the keys present in every sample are required; `counts`, `adjustments` and `rules`
(absent from some samples) are optional, as are an attendance entry's `excused_minutes`, an
assignment's `to`, an inmate's `name` and `quota_pct`, and an adjustment's `date`. Any other key is
an error (a misspelt `excused_minutes` would silently make an inmate owe a full quota), except
keys starting with `_` and a top-level `description`, which are annotations.

Rule book version 2 (`"rule_book": "v2"`) adds `ratings`, `rejects` and `deductions`, an inmate's
`labor_exempt` periods, and an assignment's `mode` ("rated" with a `post` instead of `product` and
`step`), `training` and `training_from` (the day a training post began, when the hub exports a
piece of it that starts later). A version-1 file (no `rule_book`, or "v1") that uses any of them, or a
version-2 rule parameter in its `rules`, is refused naming the field. Checks that depend on the rule
set (a deduction's category and range, an adjustment for an inmate exempt all month) are the
engine's (`hub.engine.compute.check_inputs`), since `--rules` may change the rule set.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from hub.engine.errors import InputError
from hub.engine.exact import describe, parse_number
from hub.engine.model import (
    GRADES,
    HUNDRED,
    ZERO,
    Adjustment,
    Assignment,
    AssignmentMode,
    Attendance,
    BookName,
    Count,
    Deduction,
    ExemptPeriod,
    Grade,
    Inmate,
    Line,
    Month,
    MonthInput,
    Product,
    Rating,
    Reject,
    RuleSet,
    StandardTime,
    Warehoused,
)
from hub.engine.rules import (
    BOOK_PARAM,
    BOOKS,
    DEFAULT_RULE_BOOK,
    NO_CHANGES,
    V2_PARAM_NAMES,
    RuleBook,
    base_book,
    parse_rule_book,
)

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

REQUIRED_KEYS = (
    "month",
    "workdays",
    "lines",
    "products",
    "standard_times",
    "inmates",
    "assignments",
    "attendance",
    "warehoused",
)
OPTIONAL_KEYS = ("counts", "adjustments", "rules", "description", "rule_book")
V2_KEYS = ("ratings", "rejects", "deductions")
"""Top-level lists only version 2 of the rule book reads."""
V2_ONLY = 'a version-2 input (the scenario needs "rule_book": "v2")'


@dataclass(frozen=True, slots=True, kw_only=True)
class Scenario:
    """A month's inputs and the rule changes the scenario file itself makes (possibly none)."""

    inputs: MonthInput
    rules: RuleBook = NO_CHANGES
    book: BookName = "v1"

    def rule_set(self, site: RuleBook = NO_CHANGES) -> RuleSet:
        """The rules in force for the month: the rule book (version 1 or 2, as the file says), then
        the scenario's, then the site's. InputError when those change the book the file names."""
        # A file whose own rules put the month under version 2 (the hub's export: the site's rule
        # versions say from which month version 2 applies) gets the rule set the hub computed with,
        # named as the hub names it; otherwise the file's book is the base.
        own = DEFAULT_RULE_BOOK.then(self.rules).then(site).for_month(self.inputs.month)
        if self.book == "v2" and own.params.v2:
            return own
        rule_set = base_book(self.book).then(self.rules).then(site).for_month(self.inputs.month)
        if rule_set.params.rule_book != self.book:
            raise InputError(
                BOOK_PARAM,
                f"the scenario is for rule book {self.book}, but its rules put {self.inputs.month} "
                f"under {rule_set.params.rule_book}",
            )
        return rule_set


# --- reading -------------------------------------------------------------------------------------


def parse_day(value: object, place: str) -> date:
    """A `YYYY-MM-DD` string as a date; anything else (`2026-02-30`, `20261001`) is an InputError."""
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InputError(place, f"not a date (YYYY-MM-DD): {describe(value)}")


class _Entry:
    """One JSON object of the file, its place, and typed access to its fields."""

    __slots__ = ("place", "raw", "required")

    def __init__(self, raw: object, place: str, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        if not isinstance(raw, dict):
            raise InputError(place, f"must be an object, not {describe(raw)}")
        for key in raw:
            if key not in required and key not in optional and not key.startswith("_"):
                known = ", ".join(required + optional)
                raise InputError(place, f'unknown key "{key}" (known: {known})')
        for key in required:
            if key not in raw:
                raise InputError(f"{place}.{key}", "required field is missing")
        self.raw: dict[str, object] = raw
        self.place = place
        self.required = required

    def at(self, key: str) -> str:
        return f"{self.place}.{key}" if self.place else key

    def has(self, key: str) -> bool:
        return self.raw.get(key) is not None

    def text(self, key: str) -> str:
        value = self.raw[key]
        if not isinstance(value, str) or not value.strip():
            raise InputError(self.at(key), f"must be a non-empty string, not {describe(value)}")
        return value

    def day(self, key: str) -> date:
        return parse_day(self.raw[key], self.at(key))

    def number(self, key: str, *, sign: str = "non-negative") -> Fraction:
        value = parse_number(self.raw[key], self.at(key))
        if sign == "non-negative" and value < 0:
            raise InputError(self.at(key), f"must not be negative, not {describe(self.raw[key])}")
        if sign == "positive" and value <= 0:
            raise InputError(self.at(key), f"must be greater than 0, not {describe(self.raw[key])}")
        return value

    def entries(
        self, key: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> Iterator[_Entry]:
        for i, item in enumerate(self.items(key)):
            yield _Entry(item, f"{self.at(key)}[{i}]", required, optional)

    def items(self, key: str) -> list[object]:
        value = self.raw.get(key)
        if value is None and key not in self.required:
            return []  # an optional list left out or null
        if not isinstance(value, list):
            raise InputError(self.at(key), f"must be a list, not {describe(value)}")
        return value


def _known(entry: _Entry, key: str, what: str, known: Container[str]) -> str:
    value = entry.text(key)
    if value not in known:
        raise InputError(entry.at(key), f'unknown {what} "{value}"')
    return value


def load_scenario(raw: object) -> Scenario:
    """A validated scenario from parsed JSON; raises InputError naming the first bad place."""
    top = _Entry(raw, "", REQUIRED_KEYS, OPTIONAL_KEYS + V2_KEYS)
    book_raw = top.raw.get(BOOK_PARAM, "v1")
    if book_raw not in BOOKS:
        raise InputError(BOOK_PARAM, f"unknown rule book {describe(book_raw)} (one of {', '.join(BOOKS)})")
    v2 = book_raw == "v2"
    book: BookName = "v2" if v2 else "v1"
    if not v2:
        for key in V2_KEYS:
            if key in top.raw:
                raise InputError(key, V2_ONLY)
    month_raw = top.raw["month"]
    try:
        if not isinstance(month_raw, str):
            raise ValueError(month_raw)
        month = Month.parse(month_raw)
    except ValueError:
        raise InputError("month", f"not a month (YYYY-MM): {describe(month_raw)}") from None

    workdays = tuple(parse_day(v, f"workdays[{i}]") for i, v in enumerate(top.items("workdays")))

    lines: dict[str, Line] = {}
    for e in top.entries("lines", ("code", "shift_minutes")):
        code = e.text("code")
        if code in lines:
            raise InputError(e.at("code"), f'duplicate line "{code}"')
        lines[code] = Line(code=code, shift_minutes=e.number("shift_minutes"))

    products: dict[str, Product] = {}
    for e in top.entries("products", ("code", "steps")):
        code = e.text("code")
        if code in products:
            raise InputError(e.at("code"), f'duplicate product "{code}"')
        steps: list[str] = []
        raw_steps = e.items("steps")
        if not raw_steps:
            raise InputError(e.at("steps"), "a product needs at least one step")
        for i, step in enumerate(raw_steps):
            where = f"{e.at('steps')}[{i}]"
            if not isinstance(step, str) or not step.strip():
                raise InputError(where, f"must be a non-empty string, not {describe(step)}")
            if step in steps:
                raise InputError(where, f'duplicate step "{step}"')
            steps.append(step)
        products[code] = Product(code=code, steps=tuple(steps))

    def product_step(e: _Entry) -> tuple[str, str]:
        product = _known(e, "product", "product", products)
        step = e.text("step")
        if step not in products[product].steps:
            raise InputError(e.at("step"), f'unknown step "{step}" of product "{product}"')
        return product, step

    standard_times: list[StandardTime] = []
    seen_versions: set[tuple[str, str, date]] = set()
    for e in top.entries("standard_times", ("product", "step", "from", "seconds")):
        product, step = product_step(e)
        valid_from = e.day("from")
        if (product, step, valid_from) in seen_versions:
            raise InputError(e.at("from"), f"duplicate standard time of {product}/{step} from {valid_from}")
        seen_versions.add((product, step, valid_from))
        standard_times.append(
            StandardTime(
                product=product,
                step=step,
                valid_from=valid_from,
                seconds=e.number("seconds", sign="positive"),
            )
        )

    def only_v2(e: _Entry, *keys: str) -> None:
        if not v2:
            for key in keys:
                if key in e.raw:
                    raise InputError(e.at(key), V2_ONLY)

    inmates: dict[str, Inmate] = {}
    for e in top.entries("inmates", ("id",), ("name", "quota_pct", "labor_exempt")):
        only_v2(e, "labor_exempt")
        inmate_id = e.text("id")
        if inmate_id in inmates:
            raise InputError(e.at("id"), f'duplicate inmate "{inmate_id}"')
        name = e.raw.get("name") or ""
        if not isinstance(name, str):
            raise InputError(e.at("name"), f"must be a string, not {describe(name)}")
        quota_pct = e.number("quota_pct") if e.has("quota_pct") else HUNDRED
        exempt: list[ExemptPeriod] = []
        for p in e.entries("labor_exempt", ("from",), ("to",)):
            start = p.day("from")
            end = p.day("to") if p.has("to") else None
            if end is not None and end < start:
                raise InputError(p.at("to"), f"{end} is before from {start}")
            exempt.append(ExemptPeriod(valid_from=start, valid_to=end))
        inmates[inmate_id] = Inmate(id=inmate_id, name=name, quota_pct=quota_pct, labor_exempt=tuple(exempt))

    assignments: list[Assignment] = []
    for e in top.entries(
        "assignments",
        ("inmate", "line", "from"),
        ("product", "step", "to", "mode", "post", "training", "training_from"),
    ):
        only_v2(e, "mode", "post", "training", "training_from")
        inmate = _known(e, "inmate", "inmate", inmates)
        line = _known(e, "line", "line", lines)
        mode_raw = e.raw.get("mode") or "counted"
        if mode_raw not in ("counted", "rated"):
            raise InputError(e.at("mode"), f'unknown mode {describe(mode_raw)} (one of "counted", "rated")')
        mode: AssignmentMode = "rated" if mode_raw == "rated" else "counted"
        if mode == "rated":
            for key in ("product", "step"):
                if key in e.raw:
                    raise InputError(e.at(key), 'a rated assignment names a "post", not a product or step')
            if "post" not in e.raw:
                raise InputError(
                    e.at("post"), "required field is missing (a rated assignment names its post)"
                )
            product, step, post = "", "", e.text("post")
        else:
            for key in ("product", "step"):
                if key not in e.raw:
                    raise InputError(e.at(key), "required field is missing")
            if "post" in e.raw:
                raise InputError(e.at("post"), 'only a rated assignment ("mode": "rated") has a post')
            product, step = product_step(e)
            post = ""
        training = e.raw.get("training", False)
        if not isinstance(training, bool):
            raise InputError(e.at("training"), f"must be true or false, not {describe(training)}")
        valid_from = e.day("from")
        valid_to = e.day("to") if e.has("to") else None
        if valid_to is not None and valid_to < valid_from:
            raise InputError(e.at("to"), f"{valid_to} is before from {valid_from}")
        training_from = e.day("training_from") if e.has("training_from") else None
        if training_from is not None and not training:
            raise InputError(e.at("training_from"), 'only a training assignment ("training": true) has it')
        if training_from is not None and training_from > valid_from:
            raise InputError(e.at("training_from"), f"{training_from} is after from {valid_from}")
        assignments.append(
            Assignment(
                inmate=inmate,
                line=line,
                product=product,
                step=step,
                valid_from=valid_from,
                valid_to=valid_to,
                mode=mode,
                post=post,
                training=training,
                training_from=training_from,
            )
        )

    attendance = tuple(
        Attendance(
            inmate=_known(e, "inmate", "inmate", inmates),
            day=e.day("date"),
            present_minutes=e.number("present_minutes"),
            excused_minutes=e.number("excused_minutes") if e.has("excused_minutes") else ZERO,
        )
        for e in top.entries("attendance", ("inmate", "date", "present_minutes"), ("excused_minutes",))
    )
    counts = tuple(
        Count(
            inmate=_known(e, "inmate", "inmate", inmates),
            day=e.day("date"),
            units=e.number("units"),
        )
        for e in top.entries("counts", ("inmate", "date", "units"))
    )
    warehoused = tuple(
        Warehoused(
            line=_known(e, "line", "line", lines),
            product=_known(e, "product", "product", products),
            day=e.day("date"),
            units=e.number("units"),
        )
        for e in top.entries("warehoused", ("line", "product", "date", "units"))
    )
    adjustments = tuple(
        Adjustment(
            inmate=_known(e, "inmate", "inmate", inmates),
            points=e.number("points", sign="any"),
            reason=e.text("reason"),
            day=e.day("date") if e.has("date") else None,
        )
        for e in top.entries("adjustments", ("inmate", "points", "reason"), ("date",))
    )
    ratings = tuple(
        Rating(
            inmate=_known(e, "inmate", "inmate", inmates),
            day=e.day("date"),
            grade=_grade(e),
        )
        for e in top.entries("ratings", ("date", "inmate", "grade"))
    )
    rejects: list[Reject] = []
    for e in top.entries("rejects", ("date", "inmate", "product", "step", "units")):
        inmate = _known(e, "inmate", "inmate", inmates)
        product, step = product_step(e)
        rejects.append(
            Reject(inmate=inmate, day=e.day("date"), product=product, step=step, units=e.number("units"))
        )
    deductions = tuple(
        Deduction(
            inmate=_known(e, "inmate", "inmate", inmates),
            day=e.day("date"),
            category=e.text("category"),
            points=e.number("points", sign="positive"),
            reason=e.text("reason"),
        )
        for e in top.entries("deductions", ("date", "inmate", "category", "points", "reason"))
    )
    rules = NO_CHANGES
    if "rules" in top.raw:
        rules = parse_rule_book(top.raw["rules"], "rules", label="scenario")
        if not v2:
            raw_rules = top.raw["rules"]
            _refuse_v2_parameters(rules, flat=isinstance(raw_rules, dict) and "versions" not in raw_rules)
    inputs = MonthInput(
        month=month,
        workdays=workdays,
        lines=tuple(lines.values()),
        products=tuple(products.values()),
        standard_times=tuple(standard_times),
        inmates=tuple(inmates.values()),
        assignments=tuple(assignments),
        attendance=attendance,
        counts=counts,
        warehoused=warehoused,
        adjustments=adjustments,
        ratings=ratings,
        rejects=tuple(rejects),
        deductions=deductions,
    )
    return Scenario(inputs=inputs, rules=rules, book=book)


def _grade(e: _Entry) -> Grade:
    value = e.raw["grade"]
    for grade in GRADES:
        if value == grade:
            return grade
    raise InputError(e.at("grade"), f"unknown grade {describe(value)} (one of {', '.join(GRADES)})")


def _refuse_v2_parameters(rules: RuleBook, *, flat: bool) -> None:
    """A version-1 scenario may not set version 2's parameters (`Scenario.rule_set` refuses a
    `rule_book` in its rules that contradicts the file's)."""
    for i, version in enumerate(rules.versions):
        for name, _ in version.changes:
            if name in V2_PARAM_NAMES:
                where = f"rules.{name}" if flat else f"rules.versions[{i}].parameters.{name}"
                raise InputError(where, 'a version-2 rule parameter (the scenario needs "rule_book": "v2")')
