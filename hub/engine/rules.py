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
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from fractions import Fraction

from hub.engine.errors import InputError
from hub.engine.exact import decimal_text, describe, parse_number
from hub.engine.model import EARLIEST_MONTH, Month, RuleParams, RuleSet

PARAM_NAMES: tuple[str, ...] = tuple(f.name for f in fields(RuleParams))
DEFAULT_PARAMS = RuleParams()
RULEBOOK_VERSION = "rulebook-v1"

_POSITIVE = frozenset({"bonus_step_pct"})
"""Parameters that divide and so must be greater than 0; all others must not be negative."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleVersion:
    """The parameters one version changes, and the month from which it applies."""

    version: str
    valid_from: Month
    changes: tuple[tuple[str, Fraction], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleBook:
    """All the versions of a site's rules; `for_month` gives the rule set in force for a month."""

    versions: tuple[RuleVersion, ...]

    def for_month(self, month: Month) -> RuleSet:
        applied = sorted((v for v in self.versions if v.valid_from <= month), key=lambda v: v.valid_from)
        params = RuleParams()
        for version in applied:
            params = replace(params, **dict(version.changes))
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
NO_CHANGES = RuleBook(versions=())


def params_items(params: RuleParams) -> tuple[tuple[str, Fraction], ...]:
    return tuple((name, getattr(params, name)) for name in PARAM_NAMES)


def make_rule_set(*, version: str, valid_from: Month, params: RuleParams) -> RuleSet:
    canonical = "\n".join(f"{name}={value}" for name, value in params_items(params))
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return RuleSet(version=version, valid_from=valid_from, params=params, digest=digest)


DEFAULT_RULE_SET = DEFAULT_RULE_BOOK.for_month(EARLIEST_MONTH)


def with_changes(rule_set: RuleSet, changes: Mapping[str, Fraction], label: str) -> RuleSet:
    """A rule set with some parameters changed, named `<version>+<label>`."""
    if not changes:
        return rule_set
    return make_rule_set(
        version=f"{rule_set.version}+{label}",
        valid_from=rule_set.valid_from,
        params=replace(rule_set.params, **changes),
    )


# --- JSON ----------------------------------------------------------------------------------------


def parse_changes(obj: object, place: str) -> tuple[tuple[str, Fraction], ...]:
    """`{"bonus_cap_points": "4"}` -> (("bonus_cap_points", Fraction(4)),), validating every value."""
    if not isinstance(obj, dict):
        raise InputError(place, f"must be an object of rule parameters, not {describe(obj)}")
    changes: list[tuple[str, Fraction]] = []
    for name, raw in obj.items():
        where = f"{place}.{name}" if place else name
        if name not in PARAM_NAMES:
            raise InputError(where, f"unknown rule parameter (known: {', '.join(PARAM_NAMES)})")
        value = parse_number(raw, where)
        if name in _POSITIVE and value <= 0:
            raise InputError(where, f"must be greater than 0, not {describe(raw)}")
        if value < 0:
            raise InputError(where, f"must not be negative, not {describe(raw)}")
        changes.append((name, value))
    return tuple(changes)


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
                "parameters": {name: decimal_text(value) for name, value in v.changes},
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
        "parameters": {name: decimal_text(value) for name, value in params_items(rule_set.params)},
    }
