"""Signed messages other than records: the kiosk's hello, and the hub's ack, line plan and checkpoint.

Every one travels like a record: 64-byte Ed25519 signature, then canonical JSON with a `kind`
field, so a message of one kind can never be taken for another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from protocol import canonical
from protocol import fields as f
from protocol.errors import Malformed, TooLarge
from protocol.records import MAX_RECORD_BYTES, CheckpointWitness, check_version, grade_text
from protocol.signing import SIGNATURE_SIZE, Signer, Verifier, b64decode, b64encode, check_public_key

MAX_PLAN_BYTES = 1024 * 1024
DECIMAL_RE = re.compile(r"-?\d{1,15}(\.\d{1,6})?")


def _decimal(value: Any, path: str) -> str:
    if not isinstance(value, str) or not DECIMAL_RE.fullmatch(value):
        raise Malformed(f'{path}: expected a decimal number as text, e.g. "12.50"')
    return value


def _opt_decimal(value: Any, path: str) -> str | None:
    return None if value is None else _decimal(value, path)


@dataclass(frozen=True, slots=True, kw_only=True)
class Hello:
    """A kiosk announces its public key, signed with that key (proof that it holds the private key)."""

    kiosk: str
    public_key: bytes
    boot: str
    wall_ms: int

    KIND = "hello"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "kiosk": self.kiosk,
            "public_key": b64encode(self.public_key),
            "boot": self.boot,
            "wall_ms": self.wall_ms,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Hello:
        d = f.obj(raw, "hello", ("v", "kind", "kiosk", "public_key", "boot", "wall_ms"))
        key = b64decode(f.text(d["public_key"], "public_key", max_len=64))
        check_public_key(key)
        return cls(
            kiosk=f.ident(d["kiosk"], "kiosk"),
            public_key=key,
            boot=f.ident(d["boot"], "boot"),
            wall_ms=f.integer(d["wall_ms"], "wall_ms", hi=f.MAX_TIME_MS),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Ack:
    """The hub holds, durably committed, every record of `kiosk` up to `seq`, the last with `hash`."""

    hub: str
    kiosk: str
    seq: int
    hash: str
    hub_ms: int

    KIND = "ack"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "hub": self.hub,
            "kiosk": self.kiosk,
            "seq": self.seq,
            "hash": self.hash,
            "hub_ms": self.hub_ms,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Ack:
        d = f.obj(raw, "ack", ("v", "kind", "hub", "kiosk", "seq", "hash", "hub_ms"))
        return cls(
            hub=f.ident(d["hub"], "hub"),
            kiosk=f.ident(d["kiosk"], "kiosk"),
            seq=f.integer(d["seq"], "seq"),
            hash=f.hex64(d["hash"], "hash"),
            hub_ms=f.integer(d["hub_ms"], "hub_ms", hi=f.MAX_TIME_MS),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Checkpoint:
    """A Merkle root (RFC 6962 hashing) over the first `tree_size` entries of the hub's log."""

    hub: str
    tree_size: int
    root: str
    hub_ms: int

    KIND = "checkpoint"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "hub": self.hub,
            "tree_size": self.tree_size,
            "root": self.root,
            "hub_ms": self.hub_ms,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Checkpoint:
        d = f.obj(raw, "checkpoint", ("v", "kind", "hub", "tree_size", "root", "hub_ms"))
        return cls(
            hub=f.ident(d["hub"], "hub"),
            tree_size=f.integer(d["tree_size"], "tree_size"),
            root=f.hex64(d["root"], "root"),
            hub_ms=f.integer(d["hub_ms"], "hub_ms", hi=f.MAX_TIME_MS),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DayResult:
    """One inmate's daily record as the wall board shows it; decimals as text, `None` when undefined."""

    day: str
    quota_units: str | None
    done_units: str
    diff_units: str | None
    completion_pct: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day,
            "quota_units": self.quota_units,
            "done_units": self.done_units,
            "diff_units": self.diff_units,
            "completion_pct": self.completion_pct,
        }

    @classmethod
    def from_dict(cls, raw: Any, path: str) -> DayResult:
        d = f.obj(raw, path, ("day", "quota_units", "done_units", "diff_units", "completion_pct"))
        return cls(
            day=f.day(d["day"], f"{path}.day"),
            quota_units=_opt_decimal(d["quota_units"], f"{path}.quota_units"),
            done_units=_decimal(d["done_units"], f"{path}.done_units"),
            diff_units=_opt_decimal(d["diff_units"], f"{path}.diff_units"),
            completion_pct=_opt_decimal(d["completion_pct"], f"{path}.completion_pct"),
        )


ROLES = ("inmate", "officer")
CHANGE_CAUSES = ("upheld", "linemate")
MAX_NOTICE = 200  # characters of a plan notice (= the hub's longest review reason)
MAX_CHANGES = 31  # credit changes per person in one plan (the hub sends those of the last week)


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditChange:
    """A day of this person's record changed by an answered dispute: `upheld` (his own dispute was
    upheld and the record corrected) or `linemate` (a line-mate's upheld dispute corrected a count
    of their line-day, and the shared credit was recomputed). `done_units` is the day's done figure
    now (decimal string), `None` while the day is being recomputed."""

    day: str
    cause: str
    done_units: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"day": self.day, "cause": self.cause, "done_units": self.done_units}

    @classmethod
    def from_dict(cls, raw: Any, path: str) -> CreditChange:
        d = f.obj(raw, path, ("day", "cause", "done_units"))
        return cls(
            day=f.day(d["day"], f"{path}.day"),
            cause=f.choice(d["cause"], f"{path}.cause", CHANGE_CAUSES),
            done_units=_opt_decimal(d["done_units"], f"{path}.done_units"),
        )


MONTH_STATES = ("open", "confirmed", "review", "kept", "changed")


def _opt_points(value: Any, path: str) -> str | None:
    return None if value is None else _points(value, path)


def _points(value: Any, path: str) -> str:
    """Points as shown: a decimal text with at most two places (e.g. `12.5`, `-3.0`)."""
    text = f.text(value, path, max_len=12)
    if not re.fullmatch(r"-?\d{1,6}(\.\d{1,2})?", text):
        raise Malformed(f"{path}: expected points as a decimal")
    return text


@dataclass(frozen=True, slots=True, kw_only=True)
class PeriodSummary:
    """An inmate's week or month so far, as the engine computed it from the hub's records: `period`
    is `2026-W44` or `2026-11`; `days` the days with a quota, `completion_pct` over them (None without
    a quota), `rated_days`/`graded_days` the days on rated posts and those graded, `deduct_points` the
    points deducted, `points` the month's labor points under the rule set (None for a week)."""

    period: str
    days: int
    completion_pct: str | None
    rated_days: int
    graded_days: int
    deduct_points: str
    points: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "days": self.days,
            "completion_pct": self.completion_pct,
            "rated_days": self.rated_days,
            "graded_days": self.graded_days,
            "deduct_points": self.deduct_points,
            "points": self.points,
        }

    @classmethod
    def from_dict(cls, raw: Any, path: str) -> PeriodSummary:
        keys = ("period", "days", "completion_pct", "rated_days", "graded_days", "deduct_points", "points")
        d = f.obj(raw, path, keys)
        return cls(
            period=f.text(d["period"], f"{path}.period", max_len=8, allow_empty=False),
            days=f.integer(d["days"], f"{path}.days", hi=31),
            completion_pct=_opt_decimal(d["completion_pct"], f"{path}.completion_pct"),
            rated_days=f.integer(d["rated_days"], f"{path}.rated_days", hi=31),
            graded_days=f.integer(d["graded_days"], f"{path}.graded_days", hi=31),
            deduct_points=_points(d["deduct_points"], f"{path}.deduct_points"),
            points=_opt_points(d["points"], f"{path}.points"),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthPublication:
    """An inmate's published monthly result (公示) and where he stands with it: `status` is `open`
    (neither confirmed nor questioned), `confirmed`, `review` (a review was asked, no answer yet), or
    the officers' answer, `kept` or `changed`, whose reason is `answer`. He may confirm or ask for a
    review from `valid_from` to `until` (inclusive)."""

    month: str
    days: int
    completion_pct: str | None
    points: str | None
    valid_from: str
    until: str
    status: str
    answer: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "days": self.days,
            "completion_pct": self.completion_pct,
            "points": self.points,
            "valid_from": self.valid_from,
            "until": self.until,
            "status": self.status,
            "answer": self.answer,
        }

    @classmethod
    def from_dict(cls, raw: Any, path: str) -> MonthPublication:
        keys = ("month", "days", "completion_pct", "points", "valid_from", "until", "status", "answer")
        d = f.obj(raw, path, keys)
        month = f.text(d["month"], f"{path}.month", max_len=7)
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
            raise Malformed(f"{path}.month: expected YYYY-MM")
        return cls(
            month=month,
            days=f.integer(d["days"], f"{path}.days", hi=31),
            completion_pct=_opt_decimal(d["completion_pct"], f"{path}.completion_pct"),
            points=_opt_points(d["points"], f"{path}.points"),
            valid_from=f.day(d["valid_from"], f"{path}.valid_from"),
            until=f.day(d["until"], f"{path}.until"),
            status=f.choice(d["status"], f"{path}.status", MONTH_STATES),
            answer=None if d["answer"] is None else f.text(d["answer"], f"{path}.answer", max_len=MAX_NOTICE),
        )


# The optional parts of a person in a plan: sent only when present, so a plan without them stays
# byte for byte what older kiosks read (they refuse an unknown field: kiosks are upgraded first).


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanPerson:
    """Someone the kiosk may recognise: their badges, and for an inmate today's post and quota."""

    id: str
    name: str
    role: str
    badges: tuple[str, ...]
    product: str | None = None
    step: str | None = None
    step_name: str | None = None
    quota_units: str | None = None
    yesterday: DayResult | None = None
    notice: str | None = None  # e.g. the officers' answer to this inmate's dispute (申辩答复)
    changes: tuple[CreditChange, ...] = ()  # days re-counted after an upheld dispute (his or a line-mate's)
    number: str | None = None  # the prison number (囚号) people see and type; `id` stays internal
    # Rule book v2 (each sent only when set, so older plans stay byte for byte):
    post: str | None = None  # the rated post (无定额岗位) he holds today: graded, not counted
    # the rated post he held on the plan's `previous_day`, and its name: that day is graded here too
    previous_post: str | None = None
    previous_post_name: str | None = None
    grades: tuple[tuple[str, str], ...] = ()  # (day, grade) given so far, today's and the previous day's
    training: bool = False  # a training assignment (培训期): `quota_units` is the training quota
    exempt: bool = False  # exempt from labor today (丧失劳动能力): owes nothing, not assessed
    week: PeriodSummary | None = None  # his ISO week so far (this month's days of it)
    month_so_far: PeriodSummary | None = None  # his month so far, with the points under the rule set
    published: MonthPublication | None = None  # his published monthly result (公示) and its state

    @property
    def shown_number(self) -> str:
        """What a screen shows as this person's number: the prison number, the id without one."""
        return self.number or self.id

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "role": self.role,
            "badges": list(self.badges),
            "product": self.product,
            "step": self.step,
            "step_name": self.step_name,
            "quota_units": self.quota_units,
            "yesterday": None if self.yesterday is None else self.yesterday.to_dict(),
            "notice": self.notice,
        }
        if self.changes:
            # Only when there are some: a plan without any stays byte for byte what older kiosks
            # read (they refuse an unknown field, so kiosks are upgraded before the hub).
            data["changes"] = [c.to_dict() for c in self.changes]
        if self.number is not None:  # likewise only when known: older plans stay byte for byte
            data["number"] = self.number
        if self.post is not None:
            data["post"] = self.post
        if self.previous_post is not None:
            data["previous_post"] = self.previous_post
            data["previous_post_name"] = self.previous_post_name or self.previous_post
        if self.grades:
            data["grades"] = dict(self.grades)  # a JSON object: day -> grade
        if self.training:
            data["training"] = True
        if self.exempt:
            data["exempt"] = True
        for name in ("week", "month_so_far", "published"):
            part = getattr(self, name)
            if part is not None:
                data[name] = part.to_dict()
        return data

    @classmethod
    def from_dict(cls, raw: Any, path: str) -> PlanPerson:
        keys: tuple[str, ...] = (
            "id",
            "name",
            "role",
            "badges",
            "product",
            "step",
            "step_name",
            "quota_units",
            "yesterday",
            "notice",
        )
        if isinstance(raw, dict):
            keys = (*keys, *(k for k in _PERSON_OPTIONAL if k in raw))
        d = f.obj(raw, path, keys)
        badges = d["badges"]
        if not isinstance(badges, list):
            raise Malformed(f"{path}.badges: expected a list")
        changes = d.get("changes", [])
        if "changes" in d and (not isinstance(changes, list) or not 0 < len(changes) <= MAX_CHANGES):
            raise Malformed(f"{path}.changes: expected a list of 1 to {MAX_CHANGES} changes")
        return cls(
            id=f.ident(d["id"], f"{path}.id"),
            name=f.text(d["name"], f"{path}.name", max_len=100),
            role=f.choice(d["role"], f"{path}.role", ROLES),
            badges=tuple(f.ident(b, f"{path}.badges[{i}]") for i, b in enumerate(badges)),
            product=f.opt_ident(d["product"], f"{path}.product"),
            step=f.opt_ident(d["step"], f"{path}.step"),
            step_name=None
            if d["step_name"] is None
            else f.text(d["step_name"], f"{path}.step_name", max_len=100),
            quota_units=_opt_decimal(d["quota_units"], f"{path}.quota_units"),
            yesterday=None
            if d["yesterday"] is None
            else DayResult.from_dict(d["yesterday"], f"{path}.yesterday"),
            notice=None if d["notice"] is None else f.text(d["notice"], f"{path}.notice", max_len=MAX_NOTICE),
            changes=tuple(CreditChange.from_dict(c, f"{path}.changes[{i}]") for i, c in enumerate(changes)),
            number=f.text(d["number"], f"{path}.number", max_len=32, allow_empty=False)
            if "number" in d
            else None,
            post=f.ident(d["post"], f"{path}.post") if "post" in d else None,
            previous_post=f.ident(d["previous_post"], f"{path}.previous_post")
            if "previous_post" in d
            else None,
            previous_post_name=f.text(d["previous_post_name"], f"{path}.previous_post_name", max_len=100)
            if "previous_post_name" in d
            else None,
            grades=_grades(d.get("grades", {}), f"{path}.grades"),
            training=_flag(d["training"], f"{path}.training") if "training" in d else False,
            exempt=_flag(d["exempt"], f"{path}.exempt") if "exempt" in d else False,
            week=PeriodSummary.from_dict(d["week"], f"{path}.week") if "week" in d else None,
            month_so_far=PeriodSummary.from_dict(d["month_so_far"], f"{path}.month_so_far")
            if "month_so_far" in d
            else None,
            published=MonthPublication.from_dict(d["published"], f"{path}.published")
            if "published" in d
            else None,
        )


_PERSON_OPTIONAL = (
    "changes",
    "number",
    "post",
    "previous_post",
    "previous_post_name",
    "grades",
    "training",
    "exempt",
    "week",
    "month_so_far",
    "published",
)
MAX_PLAN_GRADES = 8  # grades of a rule set (A B C D by default), and days graded per person in a plan


def _flag(value: Any, path: str) -> bool:
    if value is not True:
        raise Malformed(f"{path}: expected true (the field is left out when false)")
    return True


def _grades(value: Any, path: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or len(value) > MAX_PLAN_GRADES:
        raise Malformed(f"{path}: expected an object of at most {MAX_PLAN_GRADES} days and grades")
    return tuple(sorted((f.day(k, f"{path} key"), grade_text(v, f"{path}.{k}")) for k, v in value.items()))


@dataclass(frozen=True, slots=True, kw_only=True)
class LinePlan:
    """What a line's kiosks need to work offline for the day, signed by the hub and kept retained."""

    hub: str
    line: str
    line_name: str
    area_name: str
    day: str
    hub_ms: int
    revision: int
    product: str | None
    product_name: str | None
    people: tuple[PlanPerson, ...]
    # Rule book v2: the rule set's grades, best first (sent only in a v2 month)
    grades: tuple[str, ...] = ()
    # Rule book v2: the line's previous workday (the board's day), the other day the kiosk grades
    previous_day: str | None = None

    KIND = "plan"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.KIND,
            "hub": self.hub,
            "line": self.line,
            "line_name": self.line_name,
            "area_name": self.area_name,
            "day": self.day,
            "hub_ms": self.hub_ms,
            "revision": self.revision,
            "product": self.product,
            "product_name": self.product_name,
            "people": [p.to_dict() for p in self.people],
        } | (
            ({"grades": list(self.grades)} if self.grades else {})
            | ({"previous_day": self.previous_day} if self.previous_day else {})
        )

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> LinePlan:
        keys: tuple[str, ...] = (
            "v",
            "kind",
            "hub",
            "line",
            "line_name",
            "area_name",
            "day",
            "hub_ms",
            "revision",
            "product",
            "product_name",
            "people",
        )
        if isinstance(raw, dict):
            keys = (*keys, *(k for k in ("grades", "previous_day") if k in raw))
        d = f.obj(raw, "plan", keys)
        people = d["people"]
        if not isinstance(people, list):
            raise Malformed("plan.people: expected a list")
        return cls(
            hub=f.ident(d["hub"], "hub"),
            line=f.ident(d["line"], "line"),
            line_name=f.text(d["line_name"], "line_name", max_len=100),
            area_name=f.text(d["area_name"], "area_name", max_len=100),
            day=f.day(d["day"], "day"),
            hub_ms=f.integer(d["hub_ms"], "hub_ms", hi=f.MAX_TIME_MS),
            revision=f.integer(d["revision"], "revision"),
            product=f.opt_ident(d["product"], "product"),
            product_name=None
            if d["product_name"] is None
            else f.text(d["product_name"], "product_name", max_len=100),
            people=tuple(PlanPerson.from_dict(p, f"people[{i}]") for i, p in enumerate(people)),
            grades=_plan_grades(d.get("grades", [])),
            previous_day=f.day(d["previous_day"], "previous_day") if "previous_day" in d else None,
        )


def _plan_grades(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > MAX_PLAN_GRADES:
        raise Malformed(f"plan.grades: expected a list of at most {MAX_PLAN_GRADES} grades")
    return tuple(grade_text(g, f"plan.grades[{i}]") for i, g in enumerate(value))


Message = Hello | Ack | Checkpoint | LinePlan
_KINDS: dict[str, type[Hello] | type[Ack] | type[Checkpoint] | type[LinePlan]] = {
    "hello": Hello,
    "ack": Ack,
    "checkpoint": Checkpoint,
    "plan": LinePlan,
}


def witness_of(checkpoint: Checkpoint, frame: bytes) -> CheckpointWitness:
    """The record body by which a kiosk witnesses `checkpoint` (whose signed frame is `frame`)."""
    return CheckpointWitness(
        hub=checkpoint.hub,
        tree_size=checkpoint.tree_size,
        root=checkpoint.root,
        hub_ms=checkpoint.hub_ms,
        signature=b64encode(frame[:SIGNATURE_SIZE]),
    )


def witnessed_checkpoint(witness: CheckpointWitness) -> bytes:
    """The hub's checkpoint frame a witness record carries, byte for byte: the signature, then the
    canonical bytes of the checkpoint it names (open it with `open_frame(..., Checkpoint)`)."""
    message = Checkpoint(
        hub=witness.hub, tree_size=witness.tree_size, root=witness.root, hub_ms=witness.hub_ms
    )
    return b64decode(witness.signature) + canonical.encode({"v": 1, **message.to_dict()})


def seal(message: Message, signer: Signer) -> bytes:
    """The signed frame of a message: signature, then canonical bytes."""
    data = canonical.encode({"v": 1, **message.to_dict()})
    return signer.sign(data) + data


def open_frame(frame: bytes, verifier: Verifier | None, expected: type[Message]) -> Any:
    """Check and parse a signed message of the `expected` kind.

    `verifier=None` is only for a Hello, which is checked against the key it carries.
    """
    limit = MAX_PLAN_BYTES if expected is LinePlan else MAX_RECORD_BYTES
    if len(frame) > limit:
        raise TooLarge(f"message of {len(frame)} bytes is over {limit}")
    if len(frame) <= SIGNATURE_SIZE:
        raise Malformed("message is shorter than a signature")
    signature, data = frame[:SIGNATURE_SIZE], frame[SIGNATURE_SIZE:]
    try:
        raw = canonical.decode(data)
    except canonical.CanonicalError as err:
        raise Malformed(f"{expected.KIND}: {err}") from err
    if not isinstance(raw, dict):
        raise Malformed(f"{expected.KIND}: expected an object")
    check_version(raw)
    if raw.get("kind") != expected.KIND:
        raise Malformed(f"kind: expected {expected.KIND!r}, got {raw.get('kind')!r}")
    message = expected.from_dict(raw)
    if verifier is None:
        if not isinstance(message, Hello):
            raise ValueError("only a hello is checked against its own key")
        verifier = Verifier(message.public_key)
    # A hello is signed by the kiosk's own key; acks, plans and checkpoints by the hub's.
    verifier.verify(data, signature, hub=not isinstance(message, Hello))
    return message
