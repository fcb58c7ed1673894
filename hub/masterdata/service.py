"""Every change to the site's master data (areas, lines, products and steps with versioned standard
times, inmates, officers, badges, assignments, workdays and rule-set versions), each one ledgered.

`MasterData` is the one object the hub builds for them (hub/app.py). How a change is made (scope,
month lock, ledger, listeners) is in `hub.masterdata.acts`; the changes of people (inmates, officers,
badges) in `hub.masterdata.people`; the rest here. Values are checked by `hub.masterdata.checks`,
lookups are in `hub.masterdata.queries`, the month-lock guards in `hub.masterdata.locks`, tables in
`hub.store.masterdata`.

Two rules are enforced here, not only on the pages:
- scope: an officer acting through the dashboard (a `hub.accounts.Principal`) changes only what
  `hub.accounts` lets them; the hub's own set-up code (seed, demo, tests) acts by a plain name and
  is trusted, as it has no account;
- the month lock: a change that would alter the results of an area's month that is approved and
  locked (月考核) is refused inside its transaction until the month is reopened. The lock itself is
  the review layer's (`hub.review.lock`), above this one, so the hub app injects it as
  `month_locked(month, area)`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

import peewee as pw

from hub.engine.errors import EngineError
from hub.engine.model import EARLIEST_MONTH, Month
from hub.engine.rules import ALL_PARAM_NAMES, RuleBook, RuleVersion, parse_changes, value_json
from hub.masterdata import checks
from hub.masterdata.acts import Actor
from hub.masterdata.book_v2 import BookTwoChanges, keep_v2, require_v2
from hub.masterdata.checks import MasterDataError, decimal_text, parse_date
from hub.masterdata.people import PeopleChanges
from hub.masterdata.queries import area_exists, area_of_line, product_areas, rule_book, workday_is
from hub.store.masterdata import Area, Assignment, Line, Product, RuleSetVersion, StandardTime, Step, Workday


class MasterData(PeopleChanges, BookTwoChanges):
    """Every change to master data, with the officer who made it (see `Changes` for how).

    Built once by the hub app with `month_locked` (the review layer's lock), `record_act` (the
    ledger) and the clock; people's changes are in `PeopleChanges`.
    """

    # areas and lines
    def add_area(self, actor: Actor, code: str, name: str) -> None:
        self._scope(actor, None)
        self._act(
            actor, "area.add", code, {"code": code, "name": name}, lambda: Area.create(code=code, name=name)
        )

    def add_line(
        self,
        actor: Actor,
        code: str,
        name: str,
        *,
        area: str,
        shift_minutes: str | int,
        product: str | None = None,
    ) -> None:
        self._scope(actor, area)
        if not area_exists(area):
            raise MasterDataError("md.data.unknown_area", area=area)
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
        actor: Actor,
        code: str,
        *,
        name: str | None = None,
        shift_minutes: str | int | None = None,
        product: str | None = None,
    ) -> None:
        line = Line.get_or_none(Line.code == code)
        if line is None:
            raise MasterDataError("md.data.unknown_line", line=code)
        self._scope(actor, line.area)
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
                self.locks.refuse([area], None, None, key="md.data.locked_shift")

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
        actor: Actor,
        code: str,
        name: str,
        steps: Sequence[tuple[str, str, str]],
        *,
        valid_from: str | date,
        reason: str = "",
    ) -> None:
        """A product with its steps in order, each `(code, name, standard seconds)` from `valid_from`."""
        self._scope(actor, None)
        if not steps:
            raise MasterDataError("md.data.no_steps")
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

        payload = {
            "code": code,
            "name": name,
            "from": start,
            "steps": [list(s) for s in clean],
            "reason": reason,
            "created_ms": now,
        }
        self._act(actor, "product.add", code, payload, change)

    def set_standard_time(
        self, actor: Actor, product: str, step: str, seconds: str, *, valid_from: str | date, reason: str
    ) -> None:
        """A new version of a step's standard time from a date on (a version of the same date is replaced)."""
        self._scope(actor, None)
        if Step.get_or_none((Step.product == product) & (Step.code == step)) is None:
            raise MasterDataError("md.data.unknown_step", step=step, product=product)
        if not reason.strip():
            raise MasterDataError("md.data.time_reason")
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
            self.locks.refuse(product_areas(product), date.fromisoformat(start), last)

        payload = {
            "product": product,
            "step": step,
            "from": start,
            "seconds": value,
            "reason": reason,
            "created_ms": now,
        }
        self._act(actor, "standard_time.set", f"{product}/{step}", payload, change, guard)

    def add_step(
        self,
        actor: Actor,
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
        self._scope(actor, None)
        self._require_product(product)
        clean_code = checks.step_code(code)
        if Step.get_or_none((Step.product == product) & (Step.code == clean_code)) is not None:
            raise MasterDataError("md.data.step_exists", product=product, step=clean_code)
        clean_name = checks.step_name(name)
        value = decimal_text(seconds, "seconds", positive=True)
        if not reason.strip():
            raise MasterDataError("md.data.step_reason")
        start = parse_date(valid_from, "valid_from").isoformat()
        if after is None:
            last = Step.select(pw.fn.MAX(Step.position)).where(Step.product == product).scalar()
            position = 0 if last is None else int(last) + 1
        else:
            before = Step.get_or_none((Step.product == product) & (Step.code == after))
            if before is None:
                raise MasterDataError("md.data.unknown_after", after=after, product=product)
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
            self.locks.refuse(product_areas(product), date.fromisoformat(start), None)

        payload = {
            "product": product,
            "code": clean_code,
            "name": clean_name,
            "seconds": value,
            "from": start,
            "reason": reason,
            "after": after,
            "position": position,
            "created_ms": now,
        }
        self._act(actor, "step.add", f"{product}/{clean_code}", payload, change, guard)

    def rename_step(self, actor: Actor, product: str, step: str, name: str) -> None:
        """Correct a step's name. Names are display only (results, plans and records use the code), so
        no locked month refuses it; an unchanged name records nothing."""
        self._scope(actor, None)
        row = Step.get_or_none((Step.product == product) & (Step.code == step))
        if row is None:
            raise MasterDataError("md.data.unknown_step", step=step, product=product)
        clean_name = checks.step_name(name)
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

    # posts and calendar
    def assign(
        self,
        actor: Actor,
        inmate: str,
        *,
        line: str | None = None,
        product: str | None = None,
        step: str | None = None,
        post: str | None = None,
        valid_from: str | date,
        valid_to: str | date | None = None,
        training: bool | None = None,
    ) -> int:
        """A new post; it wins over earlier posts on the days they overlap. Returns its id.

        Counted on a `line`'s (`product`, `step`), or (rule book v2) rated on a `post` without a
        quota, whose line it takes. `training` None: a training period when the inmate starts a step
        he has never held and version 2 is in force on the first day (培训期; editable later).
        """
        self._require_inmate(inmate)
        if post is not None:
            if product is not None or step is not None:
                raise MasterDataError("md.data.rated_no_step")
            held = self.require_post(post)
            if line is not None and line != held.line:
                raise MasterDataError("md.data.post_line", post=post, line=held.line)
            line = str(held.line)
        if line is None:
            raise MasterDataError("md.data.unknown_line", line="")
        line_area = area_of_line(line)
        if line_area is None:
            raise MasterDataError("md.data.unknown_line", line=line)
        self._scope(actor, line_area)
        start = parse_date(valid_from, "valid_from").isoformat()
        end = None if valid_to is None else parse_date(valid_to, "valid_to").isoformat()
        if end is not None and end < start:
            raise MasterDataError("md.data.ends_before", end=end, start=start)
        first, last = date.fromisoformat(start), None if end is None else date.fromisoformat(end)
        if post is None:
            product, step = self._counted_step(product, step, start)
        else:
            product, step = "", ""
            require_v2(first, last, "mode")
        if training is None:
            training = post is None and _never_held(inmate, product, step) and _v2_on(first)
        if training:
            require_v2(first, last, "training")
        now = self.clock_ms()
        payload: dict[str, Any] = {
            "inmate": inmate,
            "line": line,
            "product": product,
            "step": step,
            "from": start,
            "to": end,
            "created_ms": now,
        }
        if post is not None or training:  # the fields of rule book v2, signed where they are not the default
            payload |= {
                "mode": "rated" if post is not None else "counted",
                "post": post,
                "training": training,
            }
        # The new post wins its days over the inmate's earlier posts, which may be in other areas.
        guard = self.locks.posts(inmate, [line], first, last)
        row_line, mode = line, "rated" if post is not None else "counted"

        def change() -> Assignment:
            row = Assignment.create(
                inmate=inmate,
                line=row_line,
                product=product,
                step=step,
                valid_from=start,
                valid_to=end,
                created_ms=now,
                mode=mode,
                post=post,
                training=training,
            )
            # The id decides which post wins a day and is what `assignment.end` names: the act signs it
            # (the ledger entry is written after this, in the same transaction).
            payload["id"] = row.id
            return row

        created = self._act(actor, "assignment.add", inmate, payload, change, guard)
        return int(created.id)

    def _counted_step(self, product: str | None, step: str | None, start: str) -> tuple[str, str]:
        """The (product, step) of a counted post, refused unless a standard time is in force from `start`."""
        if (
            product is None
            or step is None
            or Step.get_or_none((Step.product == product) & (Step.code == step)) is None
        ):
            raise MasterDataError("md.data.unknown_step", step=step or "", product=product or "")
        # A day on a step without a standard time in force stops the engine for the whole line-day
        # (MissingStandardTimeError): every inmate of the line would lose that day's result. Versions are
        # only ever added, so the first one's date is the earliest day a post on the step may start.
        first_std = (
            StandardTime.select(pw.fn.MIN(StandardTime.valid_from))
            .where((StandardTime.product == product) & (StandardTime.step == step))
            .scalar()
        )
        if first_std is None or start < first_std:
            key = "md.data.post_before_time" if first_std else "md.data.post_no_time"
            raise MasterDataError(key, step=step, product=product, since=first_std, start=start)
        return product, step

    def end_assignment(self, actor: Actor, assignment: int, valid_to: str | date) -> None:
        """End a post on a day (inclusive); an earlier post covering later days is in force again."""
        row = Assignment.get_or_none(Assignment.id == assignment)
        if row is None:
            raise MasterDataError("md.data.unknown_assignment", assignment=assignment)
        self._scope(actor, area_of_line(row.line))
        end = parse_date(valid_to, "valid_to").isoformat()
        if end < row.valid_from:
            raise MasterDataError("md.data.ends_before", end=end, start=row.valid_from)
        # Only the days between the old end and the new one change hands (back to earlier posts).
        new_end = date.fromisoformat(end)
        old_end = None if row.valid_to is None else date.fromisoformat(row.valid_to)
        if old_end is None or old_end > new_end:
            first, last = new_end + timedelta(days=1), old_end
        else:
            first, last = old_end + timedelta(days=1), new_end
        guard = None if old_end == new_end else self.locks.posts(row.inmate, [row.line], first, last)
        self._act(
            actor,
            "assignment.end",
            row.inmate,
            {"assignment": assignment, "to": end},
            lambda: Assignment.update(valid_to=end).where(Assignment.id == assignment).execute(),
            guard,
        )

    def add_workdays(self, actor: Actor, days: Iterable[str | date], *, line: str | None = None) -> None:
        """Dates on which `line` (or, with None, every line) works; existing dates are kept."""
        clean = sorted({parse_date(d, "day").isoformat() for d in days})
        area = None if line is None else area_of_line(line)
        if line is not None and area is None:
            raise MasterDataError("md.data.unknown_line", line=line)
        self._scope(actor, area)

        def change() -> None:
            for day in clean:
                if Workday.get_or_none((Workday.day == day) & workday_is(line)) is None:
                    Workday.create(day=day, line=line)

        guard = self.locks.days(clean, line)
        self._act(actor, "workday.add", line or "*", {"days": clean, "line": line}, change, guard)

    def remove_workdays(self, actor: Actor, days: Iterable[str | date], *, line: str | None = None) -> None:
        clean = sorted({parse_date(d, "day").isoformat() for d in days})
        self._scope(actor, None if line is None else area_of_line(line))
        self._act(
            actor,
            "workday.remove",
            line or "*",
            {"days": clean, "line": line},
            lambda: Workday.delete().where(Workday.day.in_(clean) & workday_is(line)).execute(),
            self.locks.days(clean, line),
        )

    # rules
    def add_rule_set_version(
        self, actor: Actor, version: str, *, valid_from: str, parameters: dict[str, Any], reason: str
    ) -> None:
        """Rule parameters that apply from a month on; only the parameters it changes are listed."""
        self._scope(actor, None)
        try:
            month = Month.parse(valid_from)
        except ValueError as err:
            raise MasterDataError("md.data.bad_month", reason=str(err)) from None
        if month == EARLIEST_MONTH:
            raise MasterDataError("md.data.real_month")
        try:
            changes = parse_changes(parameters, "parameters")
        except EngineError as err:
            raise MasterDataError("md.data.rule_parameters", reason=str(err)) from None
        # Stored and signed as the rules file form (`value_json`): decimal text, and the structured
        # version-2 values (rating grades, training ramp, deduction ranges) as their objects.
        clean = {
            name: str(parameters[name]) if isinstance(value, Fraction) else value_json(value)
            for name, value in changes
        }
        unknown = set(parameters) - set(ALL_PARAM_NAMES)
        if unknown:  # parse_changes already refuses these; kept as a guard for the payload below
            raise MasterDataError("md.data.unknown_parameters", names=sorted(unknown))
        # A month with rated posts, training or exemptions cannot go back to version 1 (the engine
        # would refuse it): checked against the book as this version makes it.
        keep_v2(
            rule_book().then(
                RuleBook(versions=(RuleVersion(version=version, valid_from=month, changes=changes),))
            ),
            month,
        )
        text = json.dumps(clean, sort_keys=True)
        now = self.clock_ms()
        payload: dict[str, Any] = {
            "version": version,
            "from": str(month),
            "parameters": clean,
            "reason": reason,
            "created_ms": now,
        }

        def change() -> None:
            row = RuleSetVersion.create(
                version=version, valid_from=str(month), parameters=text, reason=reason, created_ms=now
            )
            payload["id"] = row.id  # versions of one month apply in id order: the act signs it

        self._act(
            actor,
            "rule_set.add",
            version,
            payload,
            change,
            lambda: self.locks.refuse(None, month.first_day, None),  # every area, from its month on
        )


def _never_held(inmate: str, product: str, step: str) -> bool:
    """Whether the inmate has never been posted to (product, step) (his training starts then)."""
    held = Assignment.select(Assignment.id).where(
        (Assignment.inmate == inmate) & (Assignment.product == product) & (Assignment.step == step)
    )
    return held.first() is None


def _v2_on(day: date) -> bool:
    """Whether rule book version 2 is in force in the day's month (training means nothing before)."""
    return rule_book().for_month(Month.of(day)).params.v2
