"""Rule sets as data: the rule book's defaults, site overrides, and versions by month.

A `RuleBook` is an ordered list of `RuleVersion`s. Each version applies from a month on and lists
only the parameters it changes; the rule set for a month applies, oldest `from` first (and, for the
same `from`, in the order the versions were listed or layered), every version whose `from` is not
after the month. The first version is always the rule book's defaults (`rulebook-v1`, from the
beginning of time), so every month has every parameter.

A resolved `RuleSet` records the versions it was built from and a digest of its values; a
`MonthResult` carries it, so a result always says which rules produced it.

JSON forms (a scenario file's `rules`, or `floorledger scenario run --rules FILE`):

- flat changes that apply to every month: `{"bonus_cap_points": "4"}`
- versions: `{"versions": [{"version": "JX-2027", "from": "2027-01", "parameters": {...}}]}`

Rule book version 2 is a parameter too: `rule_book` ("v1" or "v2"), so a site's versions say from
which month on it applies and a month computed under version 1 stays so (its versions do not
change). A scenario file selects it with its top-level `"rule_book": "v2"` (`base_book`). The
version-2 parameters (`V2_PARAM_NAMES`) are structured: `rating_pct` `{"A": "100", ...}`,
`training_ramp` `[{"days": 7, "pct": "50"}, ...]`, `additions_cap_pct` `"50"`,
`deduction_categories` `{"quality": {"min": "1", "max": "5"}, ...}`; each replaces the parameter
whole. Under version 1 they are not used and not part of the digest, so every version-1 digest
is what it was before version 2 existed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from fractions import Fraction
from typing import Any, cast

from hub.engine.errors import InputError
from hub.engine.exact import decimal_text, describe, parse_number
from hub.engine.model import (
    EARLIEST_MONTH,
    GRADES,
    HUNDRED,
    BookName,
    DeductionRange,
    Grade,
    Month,
    RampStep,
    RuleParams,
    RuleSet,
)

V2_PARAM_NAMES: tuple[str, ...] = ("rating_pct", "training_ramp", "additions_cap_pct", "deduction_categories")
"""The rule parameters version 2 of the rule book adds (its table "Version-2 parameters")."""
BOOK_PARAM = "rule_book"
PARAM_NAMES: tuple[str, ...] = tuple(
    f.name for f in fields(RuleParams) if f.name not in V2_PARAM_NAMES and f.name != BOOK_PARAM
)
"""The numeric parameters of version 1 (every version uses them)."""
ALL_PARAM_NAMES: tuple[str, ...] = (*PARAM_NAMES, BOOK_PARAM, *V2_PARAM_NAMES)
BOOKS: tuple[BookName, ...] = ("v1", "v2")
DEFAULT_PARAMS = RuleParams()
RULEBOOK_VERSION = "rulebook-v1"
RULEBOOK_V2_VERSION = "rulebook-v2"

ParamValue = (
    Fraction | str | tuple[tuple[Grade, Fraction], ...] | tuple[RampStep, ...] | tuple[DeductionRange, ...]
)
"""A rule parameter's value: a number, the book's name, or one of the structured version-2 values."""

_POSITIVE = frozenset({"bonus_step_pct"})
"""Parameters that divide and so must be greater than 0; all others must not be negative."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleVersion:
    """The parameters one version changes, and the month from which it applies."""

    version: str
    valid_from: Month
    changes: tuple[tuple[str, ParamValue], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleBook:
    """All the versions of a site's rules; `for_month` gives the rule set in force for a month."""

    versions: tuple[RuleVersion, ...]

    def for_month(self, month: Month) -> RuleSet:
        applied = sorted((v for v in self.versions if v.valid_from <= month), key=lambda v: v.valid_from)
        params = RuleParams()
        for version in applied:
            params = _replaced(params, version.changes)
        label = "+".join(v.version for v in applied) or RULEBOOK_VERSION
        valid_from = applied[-1].valid_from if applied else EARLIEST_MONTH
        return make_rule_set(version=label, valid_from=valid_from, params=params)

    def then(self, other: RuleBook) -> RuleBook:
        """This book with `other`'s versions layered on top (they win for the same `from`)."""
        return RuleBook(versions=self.versions + other.versions)


DEFAULT_RULE_BOOK = RuleBook(
    versions=(
        RuleVersion(
            version=RULEBOOK_VERSION,
            valid_from=EARLIEST_MONTH,
            changes=tuple((name, getattr(DEFAULT_PARAMS, name)) for name in PARAM_NAMES),
        ),
    )
)
DEFAULT_RULE_BOOK_V2 = RuleBook(
    versions=(
        *DEFAULT_RULE_BOOK.versions,
        RuleVersion(version=RULEBOOK_V2_VERSION, valid_from=EARLIEST_MONTH, changes=((BOOK_PARAM, "v2"),)),
    )
)
"""The book a scenario file with `"rule_book": "v2"` starts from: the defaults, then version 2."""
NO_CHANGES = RuleBook(versions=())


def base_book(book: BookName) -> RuleBook:
    return DEFAULT_RULE_BOOK_V2 if book == "v2" else DEFAULT_RULE_BOOK


def _replaced(params: RuleParams, changes: tuple[tuple[str, ParamValue], ...]) -> RuleParams:
    """`params` with some parameters changed; `parse_value` has checked each value's type."""
    return replace(params, **cast(dict[str, Any], dict(changes)))


def params_items(params: RuleParams) -> tuple[tuple[str, ParamValue], ...]:
    """The parameters a month's result depends on: version 1's, and under version 2 the book's name
    and version 2's (so a version-1 rule set lists, and digests, exactly what it always did)."""
    names = ALL_PARAM_NAMES if params.v2 else PARAM_NAMES
    return tuple((name, getattr(params, name)) for name in names)


def param_text(value: ParamValue) -> str:
    """A parameter's value on one line, for the digest and explanations: `A 100, B 90, ...`."""
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, str):
        return value
    parts: list[str] = []
    for item in value:
        if isinstance(item, RampStep):
            parts.append(f"<{item.days}d {item.pct}%")
        elif isinstance(item, DeductionRange):
            parts.append(f"{item.category} {item.min_points}..{item.max_points}")
        else:
            grade, pct = item
            parts.append(f"{grade} {pct}")
    return ", ".join(parts)


def make_rule_set(*, version: str, valid_from: Month, params: RuleParams) -> RuleSet:
    canonical = "\n".join(f"{name}={param_text(value)}" for name, value in params_items(params))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return RuleSet(version=version, valid_from=valid_from, params=params, digest=digest)


DEFAULT_RULE_SET = DEFAULT_RULE_BOOK.for_month(EARLIEST_MONTH)


def with_changes(rule_set: RuleSet, changes: Mapping[str, ParamValue], label: str) -> RuleSet:
    """A rule set with some parameters changed, named `<version>+<label>`."""
    if not changes:
        return rule_set
    return make_rule_set(
        version=f"{rule_set.version}+{label}",
        valid_from=rule_set.valid_from,
        params=_replaced(rule_set.params, tuple(changes.items())),
    )


# --- JSON ----------------------------------------------------------------------------------------


def _non_negative(raw: object, where: str) -> Fraction:
    value = parse_number(raw, where)
    if value < 0:
        raise InputError(where, f"must not be negative, not {describe(raw)}")
    return value


def _rating_pct(raw: object, where: str) -> tuple[tuple[Grade, Fraction], ...]:
    if not isinstance(raw, dict):
        raise InputError(where, f'must be an object of grades, e.g. {{"A": "100"}}, not {describe(raw)}')
    for grade in raw:
        if grade not in GRADES:
            raise InputError(f"{where}.{grade}", f"unknown grade (one of {', '.join(GRADES)})")
    for grade in GRADES:
        if grade not in raw:
            raise InputError(f"{where}.{grade}", "every grade needs its percentage (A, B, C, D)")
    return tuple((g, _non_negative(raw[g], f"{where}.{g}")) for g in GRADES)


def _training_ramp(raw: object, where: str) -> tuple[RampStep, ...]:
    if not isinstance(raw, list):
        raise InputError(where, f'must be a list of {{"days", "pct"}}, not {describe(raw)}')
    steps: list[RampStep] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict) or set(item) != {"days", "pct"}:
            raise InputError(at, f'must be an object with "days" and "pct", not {describe(item)}')
        days = item["days"]
        if isinstance(days, bool) or not isinstance(days, int) or days <= 0:
            raise InputError(f"{at}.days", f"must be a whole number of days above 0, not {describe(days)}")
        if steps and days <= steps[-1].days:
            raise InputError(
                f"{at}.days", f"must be greater than the step before ({steps[-1].days}): ascending"
            )
        pct = _non_negative(item["pct"], f"{at}.pct")
        if pct > HUNDRED:
            raise InputError(f"{at}.pct", f"must be at most 100, not {describe(item['pct'])}")
        steps.append(RampStep(days=days, pct=pct))
    return tuple(steps)


def _deduction_categories(raw: object, where: str) -> tuple[DeductionRange, ...]:
    if not isinstance(raw, dict) or not raw:
        example = '{"quality": {"min": "1", "max": "5"}}'
        raise InputError(where, f"must be an object of categories, e.g. {example}, not {describe(raw)}")
    ranges: list[DeductionRange] = []
    for category, item in raw.items():
        at = f"{where}.{category}"
        if not category.strip():
            raise InputError(at, "a category needs a name")
        if not isinstance(item, dict) or set(item) != {"min", "max"}:
            raise InputError(at, f'must be an object with "min" and "max", not {describe(item)}')
        low = parse_number(item["min"], f"{at}.min")
        high = parse_number(item["max"], f"{at}.max")
        if low <= 0:
            raise InputError(f"{at}.min", f"must be greater than 0, not {describe(item['min'])}")
        if high < low:
            raise InputError(
                f"{at}.max", f"must not be below min {describe(item['min'])}, not {describe(item['max'])}"
            )  # noqa: E501
        ranges.append(DeductionRange(category=category, min_points=low, max_points=high))
    return tuple(ranges)


def parse_value(name: str, raw: object, where: str) -> ParamValue:
    """One parameter's value from JSON, validated; `where` names it in an error."""
    if name == BOOK_PARAM:
        if raw not in BOOKS:
            raise InputError(where, f"unknown rule book {describe(raw)} (one of {', '.join(BOOKS)})")
        return "v2" if raw == "v2" else "v1"
    if name == "rating_pct":
        return _rating_pct(raw, where)
    if name == "training_ramp":
        return _training_ramp(raw, where)
    if name == "deduction_categories":
        return _deduction_categories(raw, where)
    value = parse_number(raw, where)
    if name in _POSITIVE and value <= 0:
        raise InputError(where, f"must be greater than 0, not {describe(raw)}")
    if value < 0:
        raise InputError(where, f"must not be negative, not {describe(raw)}")
    return value


def parse_changes(obj: object, place: str) -> tuple[tuple[str, ParamValue], ...]:
    """`{"bonus_cap_points": "4"}` -> (("bonus_cap_points", Fraction(4)),), validating every value."""
    if not isinstance(obj, dict):
        raise InputError(place, f"must be an object of rule parameters, not {describe(obj)}")
    changes: list[tuple[str, ParamValue]] = []
    for name, raw in obj.items():
        where = f"{place}.{name}" if place else name
        if name not in ALL_PARAM_NAMES:
            raise InputError(where, f"unknown rule parameter (known: {', '.join(ALL_PARAM_NAMES)})")
        changes.append((name, parse_value(name, raw, where)))
    return tuple(changes)


def value_json(value: ParamValue) -> object:
    """A parameter's value as a scenario file or a rules file writes it (what `parse_value` reads)."""
    if isinstance(value, Fraction):
        return decimal_text(value)
    if isinstance(value, str):
        return value
    if not value:
        return []  # only a training ramp may be empty (no ramp at all)
    out_list: list[object] = []
    out_map: dict[str, object] = {}
    for item in value:
        if isinstance(item, RampStep):
            out_list.append({"days": item.days, "pct": decimal_text(item.pct)})
        elif isinstance(item, DeductionRange):
            out_map[item.category] = {
                "min": decimal_text(item.min_points),
                "max": decimal_text(item.max_points),
            }
        else:
            grade, pct = item
            out_map[grade] = decimal_text(pct)
    return out_list if out_list else out_map


def parse_rule_book(obj: object, place: str, *, label: str) -> RuleBook:
    """A rule book from either JSON form; `label` names a flat set of changes (e.g. "scenario")."""
    if not isinstance(obj, dict):
        raise InputError(place, f"must be an object, not {describe(obj)}")
    if "versions" not in obj:
        return RuleBook(
            versions=(
                RuleVersion(version=label, valid_from=EARLIEST_MONTH, changes=parse_changes(obj, place)),
            )
        )
    for key in obj:
        if key != "versions":
            raise InputError(place, f'unknown key "{key}" beside "versions"')
    raw_versions = obj["versions"]
    if not isinstance(raw_versions, list):
        raise InputError(f"{place}.versions" if place else "versions", "must be a list")
    versions: list[RuleVersion] = []
    for i, item in enumerate(raw_versions):
        where = f"{place}.versions[{i}]" if place else f"versions[{i}]"
        if not isinstance(item, dict):
            raise InputError(where, f"must be an object, not {describe(item)}")
        for key in item:
            if key not in ("version", "from", "parameters"):
                raise InputError(where, f'unknown key "{key}" (known: version, from, parameters)')
        for key in ("from", "parameters"):
            if key not in item:
                raise InputError(f"{where}.{key}", "required field is missing")
        version = item.get("version", f"{label}#{i + 1}")
        if not isinstance(version, str) or not version:
            raise InputError(f"{where}.version", f"must be a non-empty string, not {describe(version)}")
        raw_from = item["from"]
        try:
            if not isinstance(raw_from, str):
                raise ValueError(raw_from)
            valid_from = Month.parse(raw_from)
        except ValueError:
            raise InputError(f"{where}.from", f"not a month (YYYY-MM): {describe(raw_from)}") from None
        changes = parse_changes(item["parameters"], f"{where}.parameters")
        versions.append(RuleVersion(version=version, valid_from=valid_from, changes=changes))
    return RuleBook(versions=tuple(versions))


def rule_book_json(book: RuleBook) -> dict[str, object]:
    """The versions form of a rule book, as a scenario file or a rules file stores it."""
    return {
        "versions": [
            {
                "version": v.version,
                "from": str(v.valid_from),
                "parameters": {name: value_json(value) for name, value in v.changes},
            }
            for v in book.versions
        ]
    }


def rule_set_json(rule_set: RuleSet) -> dict[str, object]:
    """Which rules produced a result: version, from, digest and every parameter's value."""
    return {
        "version": rule_set.version,
        "from": str(rule_set.valid_from),
        "digest": rule_set.digest,
        "parameters": {name: value_json(value) for name, value in params_items(rule_set.params)},
    }
