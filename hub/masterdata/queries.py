"""Read-only lookups over the master data: workdays, posts, badges, steps, people, the engine's view
of lines, products, standard times and inmates, and the site's rule book.

Nothing here writes; changes go through `hub.masterdata.service.MasterData`. Every table is in
`hub.store.masterdata`, bound at start-up (`bind`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import peewee as pw

from hub.engine.model import Assignment as EngineAssignment
from hub.engine.model import Inmate as EngineInmate
from hub.engine.model import Line as EngineLine
from hub.engine.model import Month
from hub.engine.model import Product as EngineProduct
from hub.engine.model import StandardTime as EngineStandardTime
from hub.engine.rules import DEFAULT_RULE_BOOK, RuleBook
from hub.masterdata import engine_view
from hub.masterdata.checks import PERSON_ROLES
from hub.store.masterdata import (
    Area,
    Assignment,
    Badge,
    Exemption,
    Inmate,
    Line,
    Officer,
    Post,
    Product,
    RuleSetVersion,
    StandardTime,
    Step,
    Workday,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonInfo:
    id: str
    name: str
    role: str  # inmate | officer
    number: str
    badges: tuple[str, ...]


def _dicts(query: Any) -> Iterable[dict[str, Any]]:
    """The query's rows as column -> value (the form `engine_view` reads)."""
    return cast(Iterable[dict[str, Any]], query.dicts())


def line_workdays(first: date, last: date, line: str | None = None) -> list[date]:
    """Workdays between two dates (inclusive): site-wide ones, plus `line`'s own if a line is given.
    With `line=None`, every date on which any line works.
    """
    query = Workday.select(Workday.day, Workday.line).where(
        (Workday.day >= first.isoformat()) & (Workday.day <= last.isoformat())
    )
    return engine_view.workdays(_dicts(query), first, last, line)


def is_workday(day: date, line: str) -> bool:
    return bool(line_workdays(day, day, line))


def assignments_between(first: date, last: date) -> list[Assignment]:
    """Assignments overlapping [first, last], in creation order (later created wins)."""
    query = (
        Assignment.select()
        .where(
            (Assignment.valid_from <= last.isoformat())
            & (Assignment.valid_to.is_null() | (Assignment.valid_to >= first.isoformat()))
        )
        .order_by(Assignment.id)
    )
    return list(query)


def assignment_on(inmate: str, day: date) -> Assignment | None:
    """The assignment in force for an inmate on a day: the latest created one covering the day."""
    text = day.isoformat()
    found: Assignment | None = (
        Assignment.select()
        .where(
            (Assignment.inmate == inmate)
            & (Assignment.valid_from <= text)
            & (Assignment.valid_to.is_null() | (Assignment.valid_to >= text))
        )
        .order_by(Assignment.id.desc())
        .first()
    )
    return found


def posts_on(day: date) -> dict[str, Assignment]:
    """Inmate id -> the assignment in force on `day` (later created wins)."""
    out: dict[str, Assignment] = {}
    for a in assignments_between(day, day):
        out[a.inmate] = a
    return out


def active_badges() -> dict[str, list[str]]:
    """Person id -> badge ids not revoked, in badge order."""
    out: dict[str, list[str]] = {}
    for b in Badge.select().where(Badge.revoked_ms.is_null()).order_by(Badge.badge):
        out.setdefault(b.person, []).append(b.badge)
    return out


def person_of_badge(badge: str) -> str | None:
    found = Badge.get_or_none((Badge.badge == badge) & Badge.revoked_ms.is_null())
    return None if found is None else str(found.person)


def steps_of(product: str) -> list[Step]:
    return list(Step.select().where(Step.product == product).order_by(Step.position))


def step_names() -> dict[tuple[str, str], str]:
    return {(s.product, s.code): s.name for s in Step.select()}


def post_names() -> dict[str, str]:
    """Post code -> the name officers know it by (厨房): the code is the import key, not a label."""
    return {str(p.code): str(p.name) for p in Post.select()}


def engine_lines() -> tuple[EngineLine, ...]:
    return engine_view.lines(_dicts(Line.select().order_by(Line.code)))


def engine_products() -> tuple[EngineProduct, ...]:
    steps = _dicts(Step.select().order_by(Step.product, Step.position))
    return engine_view.products(_dicts(Product.select().order_by(Product.code)), steps)


def engine_standard_times() -> tuple[EngineStandardTime, ...]:
    query = StandardTime.select().order_by(StandardTime.product, StandardTime.step, StandardTime.valid_from)
    return engine_view.standard_times(_dicts(query))


def engine_inmates() -> tuple[EngineInmate, ...]:
    exemptions = _dicts(Exemption.select().order_by(Exemption.inmate, Exemption.valid_from, Exemption.id))
    return engine_view.inmates(_dicts(Inmate.select().order_by(Inmate.id)), exemptions)


def engine_assignment(a: Assignment) -> EngineAssignment:
    return engine_view.assignment(a.__data__)


def rule_book() -> RuleBook:
    """The rule book's defaults with the site's versions layered on, oldest `from` first."""
    query = RuleSetVersion.select().order_by(RuleSetVersion.valid_from, RuleSetVersion.id)
    return engine_view.rule_book(_dicts(query))


def site_rule_changes() -> RuleBook:
    """Only the site's own versions (what a scenario export carries as its `rules`)."""
    book = rule_book()
    return RuleBook(versions=book.versions[len(DEFAULT_RULE_BOOK.versions) :])


def people() -> dict[str, PersonInfo]:
    """Everyone with a name: inmates and officers, with their active badges."""
    badges = active_badges()
    out: dict[str, PersonInfo] = {}
    for i in Inmate.select():
        out[i.id] = PersonInfo(
            id=i.id, name=i.name, role=PERSON_ROLES[0], number=i.number, badges=tuple(badges.get(i.id, ()))
        )
    for o in Officer.select():
        out[o.id] = PersonInfo(
            id=o.id, name=o.name, role=PERSON_ROLES[1], number=o.id, badges=tuple(badges.get(o.id, ()))
        )
    return out


def person_id(typed: str) -> str:
    """The person an officer typed: an inmate by his prison number (what people know and what the
    badge sheet prints), or anyone by the site's id (imports and older habits). Unknown text comes
    back as typed, so the service's own check names it."""
    text = typed.strip()
    by_number = Inmate.get_or_none(Inmate.number == text)
    return text if by_number is None or Inmate.get_or_none(Inmate.id == text) else str(by_number.id)


# --- whose is it: the areas a change belongs to (scope) and touches (month locks) -------------------


def area_of_line(line: str) -> str | None:
    row = Line.get_or_none(Line.code == line)
    return None if row is None else str(row.area)


def area_of_person(person: str) -> str | None:
    """An inmate's or officer's area (None: none, or no such person)."""
    inmate = Inmate.get_or_none(Inmate.id == person)
    if inmate is not None:
        return None if inmate.area is None else str(inmate.area)
    officer = Officer.get_or_none(Officer.id == person)
    return None if officer is None or officer.area is None else str(officer.area)


def area_exists(area: str) -> bool:
    return Area.get_or_none(Area.code == area) is not None


def areas_of(lines: Iterable[str]) -> set[str]:
    codes = sorted(set(lines))
    return {x.area for x in Line.select(Line.area).where(Line.code.in_(codes))} if codes else set()


def product_areas(product: str) -> set[str]:
    """Areas of the lines that make `product` (`Line.product`) or have posts on it: whose results a
    change of its steps' standard times can alter."""
    posted = Assignment.select(Assignment.line).where(Assignment.product == product)
    lines = Line.select(Line.area).where((Line.product == product) | Line.code.in_(posted))
    return {x.area for x in lines}


def all_areas() -> list[str]:
    return [a.code for a in Area.select(Area.code).order_by(Area.code)]


def dated_span() -> tuple[date, date] | None:
    """The first and last day any dated master data names (workdays, posts, standard times, rule
    sets): outside it no month has results, so no month lock there can matter."""
    days: list[str] = []
    for column in (Workday.day, Assignment.valid_from, Assignment.valid_to, StandardTime.valid_from):
        model = column.model
        low, high = model.select(pw.fn.MIN(column), pw.fn.MAX(column)).scalar(as_tuple=True)
        days += [d for d in (low, high) if d is not None]
    months = RuleSetVersion.select(pw.fn.MIN(RuleSetVersion.valid_from), pw.fn.MAX(RuleSetVersion.valid_from))
    low, high = months.scalar(as_tuple=True)
    if low is not None:
        days += [f"{low}-01", str(Month.parse(high).last_day)]
    return (date.fromisoformat(min(days)), date.fromisoformat(max(days))) if days else None


def workday_is(line: str | None) -> Any:
    """The condition selecting site-wide workdays (None) or `line`'s own."""
    return Workday.line.is_null() if line is None else (Workday.line == line)
