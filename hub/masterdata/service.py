"""The site's master data: areas, lines, products and steps with versioned standard times, inmates,
officers, badges, assignments, workdays and rule-set versions.

Models are declared unbound and bound at start-up (`bind(db)`), like every hub table. Numbers the
rules compute with (shift minutes, standard seconds, quota levels) are stored as exact decimal text,
never floats. Dates are `YYYY-MM-DD` text and months `YYYY-MM`, which sort correctly as text.

Changes go through `MasterData`, which takes the acting officer for every change and hands each act
to an optional `record_act(actor, action, subject, payload)` callback inside the same transaction,
so the hub's ledger (hub/ledger/entries.py) can record it atomically without this module importing it.
Listeners registered with `on_change` run after the commit (line plans and results refresh).

A change that would alter the results of an area's month that is approved and locked (月考核,
`hub.review.monthly.is_locked`) is refused inside its transaction until the month is reopened.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import peewee as pw

from hub.engine.errors import EngineError
from hub.engine.model import EARLIEST_MONTH, Month
from hub.engine.model import Assignment as EngineAssignment
from hub.engine.model import Inmate as EngineInmate
from hub.engine.model import Line as EngineLine
from hub.engine.model import Product as EngineProduct
from hub.engine.model import StandardTime as EngineStandardTime
from hub.engine.rules import DEFAULT_RULE_BOOK, PARAM_NAMES, RuleBook, RuleVersion, parse_changes
from hub.store.db import write_transaction
from hub.store.masterdata import Area as Area
from hub.store.masterdata import Assignment as Assignment
from hub.store.masterdata import Badge as Badge
from hub.store.masterdata import Inmate as Inmate
from hub.store.masterdata import Line as Line
from hub.store.masterdata import Officer as Officer
from hub.store.masterdata import Product as Product
from hub.store.masterdata import RuleSetVersion as RuleSetVersion
from hub.store.masterdata import StandardTime as StandardTime
from hub.store.masterdata import Step as Step
from hub.store.masterdata import Workday as Workday

log = logging.getLogger(__name__)

RecordAct = Callable[[str, str, str, dict[str, Any]], None]
"""`record_act(actor, action, subject, payload)`: the ledger's hook, called inside the transaction."""

OFFICER_ROLES = ("line_officer", "area_head", "labor_section", "admin")
_SITE_WIDE_OFFICER_ROLES = ("labor_section", "admin")  # in every line's plan (hub/kiosks/plans.py)
PERSON_ROLES = ("inmate", "officer")


class MasterDataError(ValueError):
    """A change that cannot be made (unknown line, bad number, overlapping version); one line."""


# --- exact values ----------------------------------------------------------------------------------


def decimal_text(value: str | int | Decimal, field: str, *, positive: bool = False) -> str:
    """Normalised exact decimal text of a user's number; MasterDataError naming `field` otherwise."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise MasterDataError(f"{field}: not a number: {value!r}") from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise MasterDataError(f"{field}: must be a {'positive' if positive else 'non-negative'} number")
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fraction(text: str) -> Fraction:
    return Fraction(Decimal(text))


def parse_date(value: str | date, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MasterDataError(f"{field}: not a date (YYYY-MM-DD): {value!r}") from None


# --- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonInfo:
    id: str
    name: str
    role: str  # inmate | officer
    number: str
    badges: tuple[str, ...]


def line_workdays(first: date, last: date, line: str | None = None) -> list[date]:
    """Workdays between two dates (inclusive): site-wide ones, plus `line`'s own if a line is given.

    With `line=None`, every date on which any line works.
    """
    query = Workday.select(Workday.day, Workday.line).where(
        (Workday.day >= first.isoformat()) & (Workday.day <= last.isoformat())
    )
    days = {date.fromisoformat(w.day) for w in query if line is None or w.line is None or w.line == line}
    return sorted(days)


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


def engine_lines() -> tuple[EngineLine, ...]:
    return tuple(
        EngineLine(code=x.code, shift_minutes=fraction(x.shift_minutes))
        for x in Line.select().order_by(Line.code)
    )


def engine_products() -> tuple[EngineProduct, ...]:
    steps: dict[str, list[str]] = {}
    for s in Step.select().order_by(Step.product, Step.position):
        steps.setdefault(s.product, []).append(s.code)
    return tuple(
        EngineProduct(code=p.code, steps=tuple(steps.get(p.code, ())))
        for p in Product.select().order_by(Product.code)
        if steps.get(p.code)
    )


def engine_standard_times() -> tuple[EngineStandardTime, ...]:
    query = StandardTime.select().order_by(StandardTime.product, StandardTime.step, StandardTime.valid_from)
    return tuple(
        EngineStandardTime(
            product=s.product,
            step=s.step,
            valid_from=date.fromisoformat(s.valid_from),
            seconds=fraction(s.seconds),
        )
        for s in query
    )


def engine_inmates() -> tuple[EngineInmate, ...]:
    return tuple(
        EngineInmate(id=i.id, name=i.name, quota_pct=fraction(i.quota_pct))
        for i in Inmate.select().order_by(Inmate.id)
    )


def engine_assignment(a: Assignment) -> EngineAssignment:
    return EngineAssignment(
        inmate=a.inmate,
        line=a.line,
        product=a.product,
        step=a.step,
        valid_from=date.fromisoformat(a.valid_from),
        valid_to=None if a.valid_to is None else date.fromisoformat(a.valid_to),
    )


def rule_book() -> RuleBook:
    """The rule book's defaults with the site's versions layered on, oldest `from` first."""
    versions = []
    for v in RuleSetVersion.select().order_by(RuleSetVersion.valid_from, RuleSetVersion.id):
        changes = parse_changes(json.loads(v.parameters), f"rule set {v.version}")
        versions.append(RuleVersion(version=v.version, valid_from=Month.parse(v.valid_from), changes=changes))
    return DEFAULT_RULE_BOOK.then(RuleBook(versions=tuple(versions)))


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
            id=i.id, name=i.name, role="inmate", number=i.number, badges=tuple(badges.get(i.id, ()))
        )
    for o in Officer.select():
        out[o.id] = PersonInfo(
            id=o.id, name=o.name, role="officer", number=o.id, badges=tuple(badges.get(o.id, ()))
        )
    return out


def officer_placement(role: str, area: str | None, line: str | None) -> tuple[str | None, str | None]:
    """The (area, line) an officer of `role` has, checked against the site; MasterDataError otherwise.

    The line plans (hub/kiosks/plans.py) choose witnesses by these fields: a line officer by their line, an
    area head by their area, the labor section and admins on every line. So a line officer needs an
    existing line and their area is that line's (given or not); an area head needs an existing area
    and has no line; the labor section and admins have neither.
    """
    if role not in OFFICER_ROLES:
        raise MasterDataError(f"role: must be one of {', '.join(OFFICER_ROLES)}, not {role!r}")
    if line is not None:
        if role != "line_officer":
            raise MasterDataError(f"line: only a line officer has a line, not a {role}")
        found = Line.get_or_none(Line.code == line)
        if found is None:
            raise MasterDataError(f"line: unknown line {line!r}")
        if area is not None and area != found.area:
            raise MasterDataError(f"area: line {line} is in area {found.area}, not {area}")
        return str(found.area), line
    if role == "line_officer":
        raise MasterDataError("line: a line officer needs a line")
    if role in _SITE_WIDE_OFFICER_ROLES:
        if area is not None:
            raise MasterDataError(f"area: a {role} works site-wide and has no area")
        return None, None
    if area is None:
        raise MasterDataError("area: an area head needs an area")
    if Area.get_or_none(Area.code == area) is None:
        raise MasterDataError(f"area: unknown area {area!r}")
    return area, None


def _officer_name(name: str) -> str:
    """An officer's name as the kiosks show it to witnesses: required, one line."""
    clean = name.strip()
    if not clean:
        raise MasterDataError("name: an officer needs a name")
    if len(clean) > Officer.name.max_length or any(ord(c) < 0x20 or ord(c) == 0x7F for c in clean):
        raise MasterDataError(f"name: at most {Officer.name.max_length} characters on one line")
    return clean


# --- changing --------------------------------------------------------------------------------------


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


class MasterData:
    """Every change to master data, with the officer who made it.

    `record_act(actor, action, subject, payload)` is called inside the change's transaction (a
    failing ledger write rolls the change back); `on_change` listeners get the action name after
    the commit and must not raise (they are logged and skipped if they do).
    """

    def __init__(
        self, db: pw.Database, *, record_act: RecordAct | None = None, clock_ms: Callable[[], int] = _now_ms
    ) -> None:
        self.db = db
        self.record_act = record_act
        self.clock_ms = clock_ms
        self._listeners: list[Callable[[str], None]] = []

    def on_change(self, listener: Callable[[str], None]) -> None:
        self._listeners.append(listener)

    def _act(
        self,
        actor: str,
        action: str,
        subject: str,
        payload: dict[str, Any],
        change: Callable[[], Any],
        guard: Callable[[], None] | None = None,
    ) -> Any:
        with write_transaction(self.db):  # BEGIN IMMEDIATE on SQLite: reads then writes never deadlock
            if guard is not None:  # checked under the write lock: no approval can slip in between
                guard()
            result = change()
            if self.record_act is not None:
                self.record_act(actor, action, subject, payload)
        for listener in list(self._listeners):
            try:
                listener(action)
            except Exception:  # a broken listener must not undo a committed change
                log.exception("master-data listener failed after %s", action)
        return result

    # areas and lines
    def add_area(self, actor: str, code: str, name: str) -> None:
        self._act(
            actor, "area.add", code, {"code": code, "name": name}, lambda: Area.create(code=code, name=name)
        )

    def add_line(
        self,
        actor: str,
        code: str,
        name: str,
        *,
        area: str,
        shift_minutes: str | int,
        product: str | None = None,
    ) -> None:
        if Area.get_or_none(Area.code == area) is None:
            raise MasterDataError(f"area: unknown area {area!r}")
        shift = decimal_text(shift_minutes, "shift_minutes")
        payload = {"code": code, "name": name, "area": area, "shift_minutes": shift, "product": product}
        self._act(
            actor,
            "line.add",
            code,
            payload,
            lambda: Line.create(code=code, name=name, area=area, shift_minutes=shift, product=product),
        )

    def update_line(
        self,
        actor: str,
        code: str,
        *,
        name: str | None = None,
        shift_minutes: str | int | None = None,
        product: str | None = None,
    ) -> None:
        line = Line.get_or_none(Line.code == code)
        if line is None:
            raise MasterDataError(f"line: unknown line {code!r}")
        changes: dict[str, Any] = {}
        if name is not None:
            changes["name"] = name
        if shift_minutes is not None:
            changes["shift_minutes"] = decimal_text(shift_minutes, "shift_minutes")
        guard: Callable[[], None] | None = None
        if changes.get("shift_minutes", line.shift_minutes) != line.shift_minutes:
            # Shift minutes are not dated: the new value changes every month's quotas of the line.
            area = line.area

            def guard() -> None:
                self._refuse_locked([area], None, None, undated="班次时长")

        if product is not None:
            self._require_product(product)
            changes["product"] = product
        self._act(
            actor,
            "line.update",
            code,
            changes,
            lambda: Line.update(**changes).where(Line.code == code).execute(),
            guard,
        )

    # products, steps, standard times
    def add_product(
        self,
        actor: str,
        code: str,
        name: str,
        steps: Sequence[tuple[str, str, str]],
        *,
        valid_from: str | date,
        reason: str = "",
    ) -> None:
        """A product with its steps in order, each `(code, name, standard seconds)` from `valid_from`."""
        if not steps:
            raise MasterDataError("steps: a product needs at least one step")
        start = parse_date(valid_from, "valid_from").isoformat()
        clean = [
            (s, n, decimal_text(sec, f"steps[{i}].seconds", positive=True))
            for i, (s, n, sec) in enumerate(steps)
        ]
        now = self.clock_ms()

        def change() -> None:
            Product.create(code=code, name=name)
            for pos, (step, step_name, seconds) in enumerate(clean):
                Step.create(product=code, code=step, name=step_name, position=pos)
                StandardTime.create(
                    product=code, step=step, valid_from=start, seconds=seconds, reason=reason, created_ms=now
                )

        payload = {"code": code, "name": name, "from": start, "steps": [list(s) for s in clean]}
        self._act(actor, "product.add", code, payload, change)

    def set_standard_time(
        self, actor: str, product: str, step: str, seconds: str, *, valid_from: str | date, reason: str
    ) -> None:
        """A new version of a step's standard time from a date on (a version of the same date is replaced)."""
        if Step.get_or_none((Step.product == product) & (Step.code == step)) is None:
            raise MasterDataError(f"step: unknown step {step!r} of product {product!r}")
        if not reason.strip():
            raise MasterDataError("reason: a standard-time change needs a reason")
        start = parse_date(valid_from, "valid_from").isoformat()
        value = decimal_text(seconds, "seconds", positive=True)
        now = self.clock_ms()

        def change() -> None:
            StandardTime.delete().where(
                (StandardTime.product == product)
                & (StandardTime.step == step)
                & (StandardTime.valid_from == start)
            ).execute()
            StandardTime.create(
                product=product, step=step, valid_from=start, seconds=value, reason=reason, created_ms=now
            )

        def guard() -> None:
            # In force from `start` until the step's next version; on the areas whose lines make it.
            following = (
                StandardTime.select(StandardTime.valid_from)
                .where(
                    (StandardTime.product == product)
                    & (StandardTime.step == step)
                    & (StandardTime.valid_from > start)
                )
                .order_by(StandardTime.valid_from)
                .first()
            )
            last = None if following is None else date.fromisoformat(following.valid_from) - timedelta(days=1)
            posted = Assignment.select(Assignment.line).where(Assignment.product == product)
            lines = Line.select(Line.area).where((Line.product == product) | Line.code.in_(posted))
            self._refuse_locked({x.area for x in lines}, date.fromisoformat(start), last)

        payload = {"product": product, "step": step, "from": start, "seconds": value, "reason": reason}
        self._act(actor, "standard_time.set", f"{product}/{step}", payload, change, guard)

    def add_step(
        self,
        actor: str,
        product: str,
        code: str,
        name: str,
        seconds: str,
        *,
        valid_from: str | date,
        reason: str,
        after: str | None = None,
    ) -> None:
        """A new step of an existing product (a process change, e.g. a 质检 step from a date on).

        Its first standard time applies from `valid_from`; it stands after step `after` (default:
        last) and the later steps move one place down. Before `valid_from` the step has no standard
        time, so no post may start on it earlier (`assign`) and no earlier day's result changes.
        """
        self._require_product(product)
        clean_code = _step_code(code)
        if Step.get_or_none((Step.product == product) & (Step.code == clean_code)) is not None:
            raise MasterDataError(f"code: product {product!r} already has a step {clean_code!r}")
        clean_name = _step_name(name)
        value = decimal_text(seconds, "seconds", positive=True)
        if not reason.strip():
            raise MasterDataError("reason: a new step needs a reason")
        start = parse_date(valid_from, "valid_from").isoformat()
        if after is None:
            last = Step.select(pw.fn.MAX(Step.position)).where(Step.product == product).scalar()
            position = 0 if last is None else int(last) + 1
        else:
            before = Step.get_or_none((Step.product == product) & (Step.code == after))
            if before is None:
                raise MasterDataError(f"after: unknown step {after!r} of product {product!r}")
            position = int(before.position) + 1
        now = self.clock_ms()

        def change() -> None:
            Step.update(position=Step.position + 1).where(
                (Step.product == product) & (Step.position >= position)
            ).execute()
            Step.create(product=product, code=clean_code, name=clean_name, position=position)
            StandardTime.create(
                product=product,
                step=clean_code,
                valid_from=start,
                seconds=value,
                reason=reason,
                created_ms=now,
            )

        def guard() -> None:
            # Like a standard-time version with no later one: from `start` on, on the product's areas.
            self._refuse_locked(_product_areas(product), date.fromisoformat(start), None)

        payload = {
            "product": product,
            "code": clean_code,
            "name": clean_name,
            "seconds": value,
            "from": start,
            "reason": reason,
            "after": after,
            "position": position,
        }
        self._act(actor, "step.add", f"{product}/{clean_code}", payload, change, guard)

    def rename_step(self, actor: str, product: str, step: str, name: str) -> None:
        """Correct a step's name. Names are display only (results, plans and records use the code), so
        no locked month refuses it; an unchanged name records nothing."""
        row = Step.get_or_none((Step.product == product) & (Step.code == step))
        if row is None:
            raise MasterDataError(f"step: unknown step {step!r} of product {product!r}")
        clean_name = _step_name(name)
        if clean_name == row.name:
            return
        payload = {"product": product, "step": step, "name": clean_name, "old": row.name}
        self._act(
            actor,
            "step.rename",
            f"{product}/{step}",
            payload,
            lambda: Step.update(name=clean_name).where(Step.id == row.id).execute(),
        )

    # people
    def add_inmate(
        self,
        actor: str,
        id: str,
        *,
        number: str,
        name: str,
        quota_pct: str | int = 100,
        area: str | None = None,
    ) -> None:
        if Officer.get_or_none(Officer.id == id) is not None:  # badges and plans name people by id alone
            raise MasterDataError(f"id: {id!r} is already used by an officer")
        pct = decimal_text(quota_pct, "quota_pct")
        payload = {"id": id, "number": number, "name": name, "quota_pct": pct, "area": area}
        self._act(
            actor,
            "inmate.add",
            id,
            payload,
            lambda: Inmate.create(id=id, number=number, name=name, quota_pct=pct, area=area),
        )

    def set_quota_pct(self, actor: str, inmate: str, quota_pct: str | int, *, reason: str) -> None:
        """A personal quota level (个性化定额); it applies to every day computed from now on."""
        self._require_inmate(inmate)
        pct = decimal_text(quota_pct, "quota_pct")

        def guard() -> None:
            # The level is not dated: it changes the results of every month the inmate had a post in,
            # so any locked month of the area of one of their posts, over that post's days, refuses it.
            for post in Assignment.select().where(Assignment.inmate == inmate).order_by(Assignment.id):
                self._refuse_locked(
                    _areas_of([post.line]),
                    date.fromisoformat(post.valid_from),
                    None if post.valid_to is None else date.fromisoformat(post.valid_to),
                    undated="定额比例",
                )

        self._act(
            actor,
            "inmate.quota_pct",
            inmate,
            {"quota_pct": pct, "reason": reason},
            lambda: Inmate.update(quota_pct=pct).where(Inmate.id == inmate).execute(),
            guard,
        )

    def update_inmate(
        self,
        actor: str,
        inmate: str,
        *,
        name: str | None = None,
        number: str | None = None,
        area: str | None = None,
    ) -> None:
        """Correct an inmate's name, number or area (quota levels: `set_quota_pct`)."""
        self._require_inmate(inmate)
        changes = {k: v for k, v in (("name", name), ("number", number), ("area", area)) if v is not None}
        if not changes:
            return
        self._act(
            actor,
            "inmate.update",
            inmate,
            changes,
            lambda: Inmate.update(**changes).where(Inmate.id == inmate).execute(),
        )

    def add_officer(
        self, actor: str, id: str, *, name: str, role: str, area: str | None = None, line: str | None = None
    ) -> None:
        """A new officer (民警) who may witness, countersign and enter counts at the kiosks.

        Checked as `officer_placement` says; an id already used by an officer or an inmate is refused
        (badges and line plans name people by id alone). Without `area`, a line officer's area is
        their line's.
        """
        if not id.strip():
            raise MasterDataError("id: an officer needs an id")
        taken = Officer.get_or_none(Officer.id == id) or Inmate.get_or_none(Inmate.id == id)
        if taken is not None:
            raise MasterDataError(f"id: {id!r} is already used")
        clean_name = _officer_name(name)
        area, line = officer_placement(role, area, line)
        payload = {"id": id, "name": clean_name, "role": role, "area": area, "line": line}
        self._act(
            actor,
            "officer.add",
            id,
            payload,
            lambda: Officer.create(id=id, name=clean_name, role=role, area=area, line=line),
        )

    def update_officer(
        self,
        actor: str,
        officer: str,
        *,
        name: str | None = None,
        role: str | None = None,
        area: str | None = None,
        line: str | None = None,
    ) -> None:
        """Correct an officer's name, role, area or line (badges: `issue_badge`, `revoke_badge`).

        None leaves a field as it is; "" clears `area` or `line`. The officer as they would be after
        the change is checked as `add_officer` checks a new one. A new line brings its own area unless
        `area` is given too; a new role drops what that role cannot have and was not given (a line
        officer made area head keeps the area and loses the line; made labor section, loses both).
        The ledger entry holds only the fields that change (a cleared one as null).
        """
        row = Officer.get_or_none(Officer.id == officer)
        if row is None:
            raise MasterDataError(f"officer: unknown officer {officer!r}")
        new_name = row.name if name is None else _officer_name(name)
        new_role = row.role if role is None else role
        new_area = row.area if area is None else (area or None)
        new_line = row.line if line is None else (line or None)
        if line and area is None:
            new_area = None  # the new line's area (officer_placement)
        if new_role != row.role:
            if line is None and new_role != "line_officer":
                new_line = None
            if area is None and new_role in _SITE_WIDE_OFFICER_ROLES:
                new_area = None
        new_area, new_line = officer_placement(new_role, new_area, new_line)
        after = {"name": new_name, "role": new_role, "area": new_area, "line": new_line}
        changes = {k: v for k, v in after.items() if v != getattr(row, k)}
        if not changes:
            return
        # Officers change no result (they witness; the engine never reads who): no locked-month guard.
        # The line plans list them, and refresh through the `on_change` listeners like every change.
        self._act(
            actor,
            "officer.update",
            officer,
            changes,
            lambda: Officer.update(**changes).where(Officer.id == officer).execute(),
        )

    def issue_badge(self, actor: str, badge: str, person: str) -> None:
        """Bind a badge to an inmate or officer; a badge id already active elsewhere is refused."""
        if Inmate.get_or_none(Inmate.id == person) is not None:
            role = "inmate"
        elif Officer.get_or_none(Officer.id == person) is not None:
            role = "officer"
        else:
            raise MasterDataError(f"person: unknown person {person!r}")
        existing = Badge.get_or_none(Badge.badge == badge)
        if existing is not None and existing.revoked_ms is None:
            raise MasterDataError(f"badge: {badge!r} is already issued to {existing.person}")
        now = self.clock_ms()

        def change() -> None:
            Badge.delete().where(Badge.badge == badge).execute()
            Badge.create(badge=badge, person=person, role=role, issued_ms=now, revoked_ms=None)

        self._act(actor, "badge.issue", badge, {"badge": badge, "person": person, "role": role}, change)

    def revoke_badge(self, actor: str, badge: str, *, reason: str = "") -> None:
        found = Badge.get_or_none((Badge.badge == badge) & Badge.revoked_ms.is_null())
        if found is None:
            raise MasterDataError(f"badge: no active badge {badge!r}")
        now = self.clock_ms()
        self._act(
            actor,
            "badge.revoke",
            badge,
            {"badge": badge, "person": found.person, "reason": reason},
            lambda: Badge.update(revoked_ms=now).where(Badge.badge == badge).execute(),
        )

    # posts and calendar
    def assign(
        self,
        actor: str,
        inmate: str,
        *,
        line: str,
        product: str,
        step: str,
        valid_from: str | date,
        valid_to: str | date | None = None,
    ) -> int:
        """A new post; it wins over earlier posts on the days they overlap. Returns its id."""
        self._require_inmate(inmate)
        if Line.get_or_none(Line.code == line) is None:
            raise MasterDataError(f"line: unknown line {line!r}")
        if Step.get_or_none((Step.product == product) & (Step.code == step)) is None:
            raise MasterDataError(f"step: unknown step {step!r} of product {product!r}")
        start = parse_date(valid_from, "valid_from").isoformat()
        end = None if valid_to is None else parse_date(valid_to, "valid_to").isoformat()
        if end is not None and end < start:
            raise MasterDataError(f"valid_to: {end} is before valid_from {start}")
        # A day on a step without a standard time in force stops the engine for the whole line-day
        # (MissingStandardTimeError): every inmate of the line would lose that day's result. Versions are
        # only ever added, so the first one's date is the earliest day a post on the step may start.
        first_std = (
            StandardTime.select(pw.fn.MIN(StandardTime.valid_from))
            .where((StandardTime.product == product) & (StandardTime.step == step))
            .scalar()
        )
        if first_std is None or start < first_std:
            since = f"only from {first_std}" if first_std else "not yet"
            raise MasterDataError(
                f"valid_from: step {step!r} of product {product!r} has a standard time {since}; "
                f"a post on it cannot start on {start}"
            )
        payload = {"inmate": inmate, "line": line, "product": product, "step": step, "from": start, "to": end}
        now = self.clock_ms()
        first, last = date.fromisoformat(start), None if end is None else date.fromisoformat(end)
        # The new post wins its days over the inmate's earlier posts, which may be in other areas.
        guard = self._posts_guard(inmate, [line], first, last)
        created = self._act(
            actor,
            "assignment.add",
            inmate,
            payload,
            lambda: Assignment.create(
                inmate=inmate,
                line=line,
                product=product,
                step=step,
                valid_from=start,
                valid_to=end,
                created_ms=now,
            ),
            guard,
        )
        return int(created.id)

    def end_assignment(self, actor: str, assignment: int, valid_to: str | date) -> None:
        """End a post on a day (inclusive); an earlier post covering later days is in force again."""
        row = Assignment.get_or_none(Assignment.id == assignment)
        if row is None:
            raise MasterDataError(f"assignment: no assignment {assignment}")
        end = parse_date(valid_to, "valid_to").isoformat()
        if end < row.valid_from:
            raise MasterDataError(f"valid_to: {end} is before valid_from {row.valid_from}")
        # Only the days between the old end and the new one change hands (back to earlier posts).
        new_end = date.fromisoformat(end)
        old_end = None if row.valid_to is None else date.fromisoformat(row.valid_to)
        if old_end is None or old_end > new_end:
            first, last = new_end + timedelta(days=1), old_end
        else:
            first, last = old_end + timedelta(days=1), new_end
        guard = None if old_end == new_end else self._posts_guard(row.inmate, [row.line], first, last)
        self._act(
            actor,
            "assignment.end",
            row.inmate,
            {"assignment": assignment, "to": end},
            lambda: Assignment.update(valid_to=end).where(Assignment.id == assignment).execute(),
            guard,
        )

    def add_workdays(self, actor: str, days: Iterable[str | date], *, line: str | None = None) -> None:
        """Dates on which `line` (or, with None, every line) works; existing dates are kept."""
        clean = sorted({parse_date(d, "day").isoformat() for d in days})
        if line is not None and Line.get_or_none(Line.code == line) is None:
            raise MasterDataError(f"line: unknown line {line!r}")

        def change() -> None:
            for day in clean:
                if Workday.get_or_none((Workday.day == day) & _line_is(line)) is None:
                    Workday.create(day=day, line=line)

        guard = self._days_guard(clean, line)
        self._act(actor, "workday.add", line or "*", {"days": clean, "line": line}, change, guard)

    def remove_workdays(self, actor: str, days: Iterable[str | date], *, line: str | None = None) -> None:
        clean = sorted({parse_date(d, "day").isoformat() for d in days})
        self._act(
            actor,
            "workday.remove",
            line or "*",
            {"days": clean, "line": line},
            lambda: Workday.delete().where(Workday.day.in_(clean) & _line_is(line)).execute(),
            self._days_guard(clean, line),
        )

    # rules
    def add_rule_set_version(
        self, actor: str, version: str, *, valid_from: str, parameters: dict[str, str], reason: str
    ) -> None:
        """Rule parameters that apply from a month on; only the parameters it changes are listed."""
        try:
            month = Month.parse(valid_from)
        except ValueError as err:
            raise MasterDataError(f"valid_from: {err}") from None
        if month == EARLIEST_MONTH:
            raise MasterDataError("valid_from: a site version needs a real month")
        try:
            changes = parse_changes(parameters, "parameters")
        except EngineError as err:
            raise MasterDataError(str(err)) from None
        clean = {name: str(parameters[name]) for name, _ in changes}
        unknown = set(parameters) - set(PARAM_NAMES)
        if unknown:  # parse_changes already refuses these; kept as a guard for the payload below
            raise MasterDataError(f"parameters: unknown {sorted(unknown)}")
        text = json.dumps(clean, sort_keys=True)
        now = self.clock_ms()
        payload = {"version": version, "from": str(month), "parameters": clean, "reason": reason}
        self._act(
            actor,
            "rule_set.add",
            version,
            payload,
            lambda: RuleSetVersion.create(
                version=version, valid_from=str(month), parameters=text, reason=reason, created_ms=now
            ),
            lambda: self._refuse_locked(None, month.first_day, None),  # every area, from its month on
        )

    # locked months (月考核 approved by the labor section)
    def _refuse_locked(
        self, areas: Iterable[str] | None, first: date | None, last: date | None, *, undated: str = ""
    ) -> None:
        """MasterDataError if a locked month of one of `areas` (None: any area) overlaps [first, last]
        (None: unbounded). `undated` names a value that is not versioned by date, for the message."""
        wanted = None if areas is None else sorted({a for a in areas if a})
        if wanted == []:
            return
        # Lazy: hub.review.monthly imports this module. The query is `is_locked`'s own test (the last stage's
        # approval not voided) over a range of months.
        from hub.review.monthly import STAGES, MonthApproval

        query = MonthApproval.select(MonthApproval.month, MonthApproval.area).where(
            (MonthApproval.stage == STAGES[-1]) & MonthApproval.voided_ms.is_null()
        )
        if wanted is not None:
            query = query.where(MonthApproval.area.in_(wanted))
        if first is not None:
            query = query.where(MonthApproval.month >= str(Month.of(first)))
        if last is not None:
            query = query.where(MonthApproval.month <= str(Month.of(last)))
        found = sorted({(a.month, a.area) for a in query})
        if found:
            month, area = found[0]
            note = f"（{undated}不分日期，修改会改变该月的结果）" if undated else ""
            raise MasterDataError(f"{month} 月 {area} 的月考核已审批锁定，须经劳动科重开后才能修改{note}")

    def _posts_guard(
        self, inmate: str, lines: Iterable[str], first: date, last: date | None
    ) -> Callable[[], None]:
        """Refuse a post change over [first, last] if it touches a locked month of the area of `lines`
        or of the inmate's other posts on those days (whose days it takes or gives back)."""

        def guard() -> None:
            query = Assignment.select(Assignment.line).where(
                (Assignment.inmate == inmate)
                & (Assignment.valid_to.is_null() | (Assignment.valid_to >= first.isoformat()))
            )
            if last is not None:
                query = query.where(Assignment.valid_from <= last.isoformat())
            self._refuse_locked(_areas_of([*lines, *(a.line for a in query)]), first, last)

        return guard

    def _days_guard(self, days: Sequence[str], line: str | None) -> Callable[[], None]:
        """Refuse workday changes on a locked month of the line's area (site-wide days: any area)."""

        def guard() -> None:
            areas = None if line is None else _areas_of([line])
            for month in sorted({Month.of(date.fromisoformat(d)) for d in days}):
                self._refuse_locked(areas, month.first_day, month.last_day)

        return guard

    # guards
    def _require_inmate(self, inmate: str) -> None:
        if Inmate.get_or_none(Inmate.id == inmate) is None:
            raise MasterDataError(f"inmate: unknown inmate {inmate!r}")

    def _require_product(self, product: str) -> None:
        if Product.get_or_none(Product.code == product) is None:
            raise MasterDataError(f"product: unknown product {product!r}")


def _product_areas(product: str) -> set[str]:
    """Areas of the lines that make `product` (`Line.product`) or have posts on it: whose results a
    change of its steps' standard times can alter (as `set_standard_time`'s guard reads them)."""
    posted = Assignment.select(Assignment.line).where(Assignment.product == product)
    lines = Line.select(Line.area).where((Line.product == product) | Line.code.in_(posted))
    return {x.area for x in lines}


def _step_code(code: str) -> str:
    """A new step's code: kiosk records, posts and results name the step by it, so one plain token."""
    clean = code.strip()
    if not clean:
        raise MasterDataError("code: a step needs a code")
    if len(clean) > Step.code.max_length or any(c.isspace() or not c.isprintable() for c in clean):
        raise MasterDataError(f"code: at most {Step.code.max_length} characters, no spaces")
    return clean


def _step_name(name: str) -> str:
    """A step's name as plans and pages show it: required, one line."""
    clean = name.strip()
    if not clean:
        raise MasterDataError("name: a step needs a name")
    if len(clean) > Step.name.max_length or any(ord(c) < 0x20 or ord(c) == 0x7F for c in clean):
        raise MasterDataError(f"name: at most {Step.name.max_length} characters on one line")
    return clean


def _areas_of(lines: Iterable[str]) -> set[str]:
    codes = sorted(set(lines))
    return {x.area for x in Line.select(Line.area).where(Line.code.in_(codes))} if codes else set()


def _line_is(line: str | None) -> Any:
    return Workday.line.is_null() if line is None else (Workday.line == line)
