"""The master data rule book version 2 adds (docs/masterdata.md, "Rule book version 2"): posts
without quotas (岗位), the training flag of a post, and labor-exemption periods of inmates
(丧失劳动能力). Each change is made through `Changes` (scope, month lock, ledger); `MasterData`
includes them, and its `assign` makes rated posts and sets the training flag's default.

Version 1 of the rule book knows none of these, and the engine refuses a version-1 month that holds
one (`hub.engine.compute.check_inputs`), so each is refused over any month whose rule set is still
version 1 (`require_v2`): a month computed under version 1 stays exactly as it was.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hub.engine.model import Month
from hub.engine.rules import RuleBook
from hub.masterdata import checks
from hub.masterdata.acts import Actor, Changes, actor_name
from hub.masterdata.checks import MasterDataError, parse_date
from hub.masterdata.queries import area_of_line, rule_book
from hub.store.masterdata import Assignment, Exemption, Inmate, Post

REFERENCE_MAX = 200


def require_v2(first: date, last: date | None, what: str, book: RuleBook | None = None) -> None:
    """MasterDataError unless rule book version 2 is in force in every month of [first, last]
    (None: open): the first month, and each later month from which a rule-set version applies.
    `book`: the site's rule book as a change would make it (default: as it is)."""
    book = rule_book() if book is None else book
    start, end = Month.of(first), None if last is None else Month.of(last)
    months = {start} | {
        v.valid_from for v in book.versions if v.valid_from > start and (end is None or v.valid_from <= end)
    }
    for month in sorted(months):
        if not book.for_month(month).params.v2:
            raise MasterDataError("md.data.needs_book_two", what=what, month=str(month))


def keep_v2(book: RuleBook, month: Month) -> None:
    """MasterDataError if `book` (the site's rule book with a new version from `month`) would put a
    day of a rated post, a training post or an exemption from `month` on under version 1."""
    start = month.first_day.isoformat()
    posts = Assignment.select().where(
        ((Assignment.mode == "rated") | (Assignment.training == True))  # noqa: E712 (an SQL condition)
        & (Assignment.valid_to.is_null() | (Assignment.valid_to >= start))
    )
    periods = Exemption.select().where(Exemption.valid_to.is_null() | (Exemption.valid_to >= start))
    dated: list[tuple[str, str, str | None]] = [
        ("mode" if p.mode == "rated" else "training", p.valid_from, p.valid_to) for p in posts
    ]
    dated += [("labor_exempt", x.valid_from, x.valid_to) for x in periods]
    for what, first, last in dated:
        require_v2(
            max(date.fromisoformat(first), month.first_day),
            None if last is None else date.fromisoformat(last),
            what,
            book,
        )


def post_name(name: str) -> str:
    """A post's name as pages and boards show it: required, one line (the rule of step names)."""
    clean = name.strip()
    if not clean:
        raise MasterDataError("md.data.post_name_needed")
    if len(clean) > Post.name.max_length or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in clean):
        raise MasterDataError("md.data.name_one_line", max=Post.name.max_length)
    return clean


def shift_label(shift: str) -> str:
    clean = shift.strip()
    if len(clean) > Post.shift.max_length or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in clean):
        raise MasterDataError("md.data.name_one_line", max=Post.shift.max_length)
    return clean


class BookTwoChanges(Changes):
    """Posts without quotas, the training flag, labor exemptions (see `MasterData`)."""

    # posts without quotas
    def add_post(self, actor: Actor, code: str, name: str, *, line: str, shift: str = "") -> None:
        """A post without a quota on a line (whose shift gives a rated day's quota); `shift` a label."""
        area = area_of_line(line)
        if area is None:
            raise MasterDataError("md.data.unknown_line", line=line)
        self._scope(actor, area)
        clean_code = checks.step_code(code)
        if Post.get_or_none(Post.code == clean_code) is not None:
            raise MasterDataError("md.data.post_exists", post=clean_code)
        clean_name, label = post_name(name), shift_label(shift)
        now = self.clock_ms()
        payload = {"code": clean_code, "name": clean_name, "line": line, "shift": label, "created_ms": now}
        self._act(
            actor,
            "post.add",
            clean_code,
            payload,
            lambda: Post.create(code=clean_code, name=clean_name, line=line, shift=label, created_ms=now),
        )

    def update_post(
        self, actor: Actor, code: str, *, name: str | None = None, shift: str | None = None
    ) -> None:
        """Correct a post's name or shift label: display only (posts held name the post by code and
        carry their own line), so no locked month refuses it; unchanged values record nothing."""
        row = self.require_post(code)
        self._scope(actor, area_of_line(row.line))
        changes: dict[str, Any] = {}
        if name is not None and post_name(name) != row.name:
            changes["name"] = post_name(name)
        if shift is not None and shift_label(shift) != row.shift:
            changes["shift"] = shift_label(shift)
        if not changes:
            return
        self._act(
            actor,
            "post.update",
            code,
            changes,
            lambda: Post.update(**changes).where(Post.code == code).execute(),
        )

    def require_post(self, code: str) -> Post:
        row: Post | None = Post.get_or_none(Post.code == code)
        if row is None:
            raise MasterDataError("md.data.unknown_post", post=code)
        return row

    # training
    def set_training(self, actor: Actor, assignment: int, training: bool) -> None:
        """Mark a post as a training period (培训期) or not; the same value again records nothing."""
        row = Assignment.get_or_none(Assignment.id == assignment)
        if row is None:
            raise MasterDataError("md.data.unknown_assignment", assignment=assignment)
        self._scope(actor, area_of_line(row.line))
        if bool(row.training) == training:
            return
        first = date.fromisoformat(row.valid_from)
        last = None if row.valid_to is None else date.fromisoformat(row.valid_to)
        if training:
            require_v2(first, last, "training")
        self._act(
            actor,
            "assignment.training",
            row.inmate,
            {"assignment": assignment, "training": training},
            lambda: Assignment.update(training=training).where(Assignment.id == assignment).execute(),
            self.locks.posts(row.inmate, [row.line], first, last),
        )

    # labor exemptions
    def add_exemption(
        self,
        actor: Actor,
        inmate: str,
        *,
        valid_from: str | date,
        valid_to: str | date | None = None,
        reference: str,
    ) -> int:
        """A labor-exemption period (days inclusive, open without `valid_to`) the prison hospital
        found, with its reference; the acting officer is recorded as who entered it. Returns its id."""
        person = self._require_inmate(inmate)
        self._scope(actor, person.area)
        start = parse_date(valid_from, "valid_from")
        end = None if valid_to is None else parse_date(valid_to, "valid_to")
        if end is not None and end < start:
            raise MasterDataError("md.data.ends_before", end=end.isoformat(), start=start.isoformat())
        ref = reference.strip()
        if not ref:
            raise MasterDataError("md.data.exemption_reference")
        if len(ref) > REFERENCE_MAX or any(ord(c) < 0x20 for c in ref):
            raise MasterDataError("md.data.name_one_line", max=REFERENCE_MAX)
        self._no_overlap(inmate, start, end, None)
        require_v2(start, end, "labor_exempt")
        now = self.clock_ms()
        payload: dict[str, Any] = {
            "inmate": inmate,
            "from": start.isoformat(),
            "to": None if end is None else end.isoformat(),
            "reference": ref,
            "entered_by": actor_name(actor),
            "created_ms": now,
        }

        def change() -> Exemption:
            row = Exemption.create(
                inmate=inmate,
                valid_from=payload["from"],
                valid_to=payload["to"],
                reference=ref,
                entered_by=payload["entered_by"],
                created_ms=now,
            )
            payload["id"] = row.id  # `exemption.end` names the period by it: the act signs it
            return row

        created = self._act(
            actor, "exemption.add", inmate, payload, change, self.locks.posts(inmate, [], start, end)
        )
        return int(created.id)

    def end_exemption(self, actor: Actor, exemption: int, valid_to: str | date) -> None:
        """End an exemption period on a day (inclusive): the hospital found the inmate fit again."""
        row = Exemption.get_or_none(Exemption.id == exemption)
        if row is None:
            raise MasterDataError("md.data.unknown_exemption", exemption=exemption)
        person: Inmate = self._require_inmate(row.inmate)
        self._scope(actor, person.area)
        new_end = parse_date(valid_to, "valid_to")
        if new_end.isoformat() < row.valid_from:
            raise MasterDataError("md.data.ends_before", end=new_end.isoformat(), start=row.valid_from)
        old_end = None if row.valid_to is None else date.fromisoformat(row.valid_to)
        if old_end == new_end:
            return
        if old_end is None or old_end > new_end:
            first, last = new_end + timedelta(days=1), old_end
        else:
            self._no_overlap(row.inmate, old_end + timedelta(days=1), new_end, exemption)
            require_v2(old_end + timedelta(days=1), new_end, "labor_exempt")
            first, last = old_end + timedelta(days=1), new_end
        end = new_end.isoformat()
        self._act(
            actor,
            "exemption.end",
            row.inmate,
            {"exemption": exemption, "to": end},
            lambda: Exemption.update(valid_to=end).where(Exemption.id == exemption).execute(),
            self.locks.posts(row.inmate, [], first, last),
        )

    def _no_overlap(self, inmate: str, first: date, last: date | None, other_than: int | None) -> None:
        """Periods of one inmate do not overlap: each day is exempt by one hospital finding."""
        query = Exemption.select().where(
            (Exemption.inmate == inmate)
            & (Exemption.valid_to.is_null() | (Exemption.valid_to >= first.isoformat()))
        )
        if last is not None:
            query = query.where(Exemption.valid_from <= last.isoformat())
        if other_than is not None:
            query = query.where(Exemption.id != other_than)
        clash = query.order_by(Exemption.valid_from).first()
        if clash is not None:
            raise MasterDataError(
                "md.data.exemption_overlap",
                start=clash.valid_from,
                end=clash.valid_to or "…",
                ref=clash.reference,
            )
