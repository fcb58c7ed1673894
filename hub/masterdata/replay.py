"""The master data as the hub-signed ledger says it is: every row of every master-data table rebuilt
from the acts that made it (pure: no database, no clock).

Interface (kept stable: `floorledger verify` and the evidence bundles both use it):

- `replay(acts) -> MasterState`: apply each master-data act in ledger order. `acts` are ledger entries
  as signed (`hub.ledger.entries.EntryContent`, or anything with `index`, `action`, `subject`,
  `payload` and `hub_ms`); acts of other kinds are skipped, so the whole ledger may be passed. The
  caller checks the hub's signature first: replay trusts what it is given.
- `MasterState.tables[table][key] -> SignedRow`: the expected rows of each table (`TABLES`: the
  table names of `hub.store.masterdata`), keyed by the table's natural key (`TableSpec.key`); a
  `SignedRow` holds the value of every compared column (`TableSpec.columns`, named as the table's
  columns, values as the table stores them) and the ledger entry that last set the row.
  `MasterState.problems`: acts that could not be applied (malformed or naming a row no act made), as
  keyed texts (`md.v.*` in `hub.masterdata.texts`) the report shows in the reader's language.
- `TableSpec.unsigned`: stored columns deliberately not compared, each with the reason.
- `key_text(table, key)`: a row's key as reports name it (`id=P1001`); `key_said(table, key)` the same
  in the reader's language (`编号 P1001`), `table_label` and `column` the names of tables and columns.
- `matches(expected, stored)`: whether a stored value is what the acts say. A value is either exact
  or, for acts written before the hub signed it, `Unsigned` (any value) or `TakenBefore` (a time
  the service read just before the act: within `LEGACY_SLACK_MS` before the entry's hub time).

How rows are identified: by what the service itself uses to find them (codes and ids typed by
officers; `(product, step, valid_from)` for a standard-time version, which the service replaces on
the same date; `(day, line)` for a workday). Posts (`md_assignment`) and rule-set versions are
identified by their row id, because their id order decides which one is in force (the later
created wins) and `assignment.end` names a post by id: their acts sign the id (`id` in the payload);
labor exemptions (`md_exemption`) likewise, named by `exemption.end`;
an older act without it gets the id SQLite gives a new row (one more than the highest so far; rows of
these tables are never deleted).

Times a row stores (`created_ms`, `issued_ms`, `revoked_ms`) are signed in the payload under the
column's name; the service reads its clock once and writes the same value to the row and the act.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from floorledger.base import i18n
from hub.masterdata import texts as _texts_registered  # noqa: F401  (md.v.* texts)

Key = tuple[Any, ...]

LEGACY_SLACK_MS = 60_000
"""How long before its act an older service may have read the clock for a row's time (it read it
before waiting for the write lock)."""


class Act(Protocol):
    """What replay reads of a ledger entry (`hub.ledger.entries.EntryContent` has it)."""

    @property
    def index(self) -> int: ...
    @property
    def action(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...
    @property
    def hub_ms(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Unsigned:
    """A column an older act did not sign (e.g. the reason of a product's first standard times): any
    stored value is accepted."""

    def __repr__(self) -> str:
        return "(not signed by this older act)"


@dataclass(frozen=True, slots=True)
class TakenBefore:
    """A time an older act did not sign: the service read its clock just before the act at `hub_ms`."""

    hub_ms: int

    def __repr__(self) -> str:
        return f"a time from {self.hub_ms - LEGACY_SLACK_MS} to {self.hub_ms}"


UNSIGNED = Unsigned()


def matches(expected: Any, stored: Any) -> bool:
    """Whether `stored` (a column's value as read) is what the acts say (`expected`)."""
    if isinstance(expected, Unsigned):
        return True
    if isinstance(expected, TakenBefore):
        return (
            isinstance(stored, int)
            and not isinstance(stored, bool)
            and expected.hub_ms - LEGACY_SLACK_MS <= stored <= expected.hub_ms
        )
    return type(expected) is type(stored) and bool(expected == stored)


@dataclass(frozen=True, slots=True, kw_only=True)
class TableSpec:
    name: str
    key: tuple[str, ...]
    columns: tuple[str, ...]  # compared, the key's columns included
    unsigned: Mapping[str, str] = field(default_factory=dict)  # stored column -> why it is not compared


_NO_ID = "a row id the database picks; the row is found by its natural key and nothing reads this id"

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(name="md_area", key=("code",), columns=("code", "name")),
        TableSpec(
            name="md_line", key=("code",), columns=("code", "name", "area", "shift_minutes", "product")
        ),
        TableSpec(name="md_product", key=("code",), columns=("code", "name")),
        TableSpec(
            name="md_step",
            key=("product", "code"),
            columns=("product", "code", "name", "position"),
            unsigned={"id": _NO_ID},
        ),
        TableSpec(
            name="md_standard_time",
            key=("product", "step", "valid_from"),
            columns=("product", "step", "valid_from", "seconds", "reason", "created_ms"),
            unsigned={"id": _NO_ID},
        ),
        TableSpec(name="md_inmate", key=("id",), columns=("id", "number", "name", "quota_pct", "area")),
        TableSpec(name="md_officer", key=("id",), columns=("id", "name", "role", "area", "line")),
        TableSpec(
            name="md_badge", key=("badge",), columns=("badge", "person", "role", "issued_ms", "revoked_ms")
        ),
        TableSpec(name="md_post", key=("code",), columns=("code", "name", "line", "shift", "created_ms")),
        TableSpec(
            name="md_assignment",
            key=("id",),
            columns=(
                "id",
                "inmate",
                "line",
                "product",
                "step",
                "valid_from",
                "valid_to",
                "created_ms",
                "mode",
                "post",
                "training",
            ),
        ),
        TableSpec(
            name="md_exemption",
            key=("id",),
            columns=("id", "inmate", "valid_from", "valid_to", "reference", "entered_by", "created_ms"),
        ),
        TableSpec(name="md_workday", key=("day", "line"), columns=("day", "line"), unsigned={"id": _NO_ID}),
        TableSpec(
            name="md_rule_set_version",
            key=("version",),
            columns=("id", "version", "valid_from", "parameters", "reason", "created_ms"),
        ),
        # rule book v2 capture (hub.store.capture, made by hub.review.capture)
        TableSpec(
            name="cap_grade",
            key=("inmate", "day"),
            columns=("inmate", "day", "grade", "line", "post", "graded_by", "graded_ms", "source"),
            unsigned={"id": "the row is found by (inmate, day); a later grade updates it in place"},
        ),
        TableSpec(
            name="cap_reject",
            key=("id",),
            columns=(
                "id",
                "inmate",
                "day",
                "line",
                "product",
                "step",
                "units",
                "reason",
                "entered_by",
                "created_ms",
                "source",
                "withdrawn_by",
                "withdrawn_ms",
                "withdraw_reason",
            ),
        ),
        TableSpec(
            name="cap_deduction",
            key=("id",),
            columns=(
                "id",
                "inmate",
                "day",
                "area",
                "category",
                "points",
                "reason",
                "evidence",
                "proposed_by",
                "proposed_ms",
                "status",
                "confirmed_by",
                "confirmed_ms",
                "withdrawn_by",
                "withdrawn_ms",
                "withdraw_reason",
            ),
        ),
        # suggestions' thresholds and officers' actions (hub.store.analytics, made by hub.review.actions)
        TableSpec(
            name="an_suggest_settings",
            key=("id",),
            columns=("id", "version", "valid_from", "parameters", "reason", "created_by", "created_ms"),
        ),
        TableSpec(
            name="an_action",
            key=("id",),
            columns=(
                "id",
                "kind",
                "inmate",
                "line",
                "product",
                "step",
                "what",
                "day",
                "officer",
                "reason",
                "suggestion",
                "assignment",
                "created_by",
                "created_ms",
            ),
        ),
    )
}

ANALYTICS_ACTIONS = frozenset({"suggest_settings.add", "action.record"})
"""The acts of the suggestions and actions pages (hub/review/actions.py)."""

CAPTURE_ACTIONS = frozenset(
    {
        "grade.set",
        "reject.add",
        "reject.withdraw",
        "deduction.propose",
        "deduction.confirm",
        "deduction.withdraw",
    }
)
"""The acts of rule book v2's capture on the dashboard (hub/review/capture.py)."""

ACTIONS = frozenset(
    {
        "area.add",
        "line.add",
        "line.update",
        "product.add",
        "standard_time.set",
        "step.add",
        "step.rename",
        "inmate.add",
        "inmate.quota_pct",
        "inmate.update",
        "officer.add",
        "officer.update",
        "badge.issue",
        "badge.revoke",
        "assignment.add",
        "assignment.end",
        "assignment.training",
        "post.add",
        "post.update",
        "exemption.add",
        "exemption.end",
        "workday.add",
        "workday.remove",
        "rule_set.add",
        *CAPTURE_ACTIONS,
        *ANALYTICS_ACTIONS,
    }
)
"""Every act that writes master data (hub/masterdata/service.py and people.py) or a v2 capture row."""


@dataclass(frozen=True, slots=True)
class SignedRow:
    """A row as the acts make it: column -> value (see `matches`), and the entry that last set it."""

    values: Mapping[str, Any]
    entry: int


@dataclass(slots=True)
class MasterState:
    tables: dict[str, dict[Key, SignedRow]] = field(default_factory=lambda: {name: {} for name in TABLES})
    problems: list[i18n.Text] = field(default_factory=list)

    def rows(self, table: str) -> dict[Key, SignedRow]:
        return self.tables[table]


class _Refused(Exception):
    """An act that cannot be applied; `reason` says why (text `md.v.r.*`)."""

    def __init__(self, key: str, /, **values: Any) -> None:
        super().__init__(key)
        self.reason = i18n.Text(f"md.v.r.{key}", **values)


def replay(acts: Iterable[Act]) -> MasterState:
    """The master-data rows the acts make, applied in the order given (the ledger's)."""
    state = MasterState()
    for act in acts:
        if act.action not in ACTIONS:
            continue
        try:
            _apply(state, act)
        except _Refused as err:
            state.problems.append(_problem(act, err.reason))
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            state.problems.append(_problem(act, i18n.Text("md.v.r.not_applied", error=repr(err))))
    return state


def _problem(act: Act, reason: i18n.Text) -> i18n.Text:
    return i18n.Text(
        "md.v.act", index=act.index, action=i18n.Label("act", act.action), subject=act.subject, reason=reason
    )


# --- one act ----------------------------------------------------------------------------------------


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise _Refused("not_text", name=column(name))
    return value


def _optional_text(value: Any, name: str) -> str | None:
    return None if value is None else _text(value, name)


def _list(value: Any, name: str) -> list[Any]:
    if not isinstance(value, list):
        raise _Refused("not_list", name=column(name))
    return value


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise _Refused(f"{name} is not true or false")
    return value


def _texts(value: Any, name: str) -> list[str]:
    return [_text(item, name) for item in _list(value, name)]


def _time(payload: Mapping[str, Any], column: str, act: Act) -> Any:
    """The row's time as the act signs it, or (older acts) a time just before the act."""
    if column not in payload:
        return TakenBefore(act.hub_ms)
    value = payload[column]
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Refused("not_time", name=i18n.Label("md.col", column))
    return value


def _put(state: MasterState, table: str, values: dict[str, Any], act: Act) -> None:
    spec = TABLES[table]
    state.tables[table][tuple(values[k] for k in spec.key)] = SignedRow(values, act.index)


def _change(state: MasterState, table: str, key: Key, changes: Mapping[str, Any], act: Act) -> None:
    rows = state.tables[table]
    row = rows.get(key)
    if row is None:
        raise _Refused("no_row", table=table_label(table), key=key_said(table, key))
    spec = TABLES[table]
    unknown = set(changes) - (set(spec.columns) - set(spec.key))
    if unknown:
        raise _Refused("columns", table=table_label(table), columns=str(sorted(unknown)))
    rows[key] = SignedRow({**row.values, **changes}, act.index)


def key_text(table: str, key: Key) -> str:
    """A row's key as a report names it: `id=P1001`, `product=SHIRT step=S1 valid_from=2026-10-01`."""
    return " ".join(f"{name}={value}" for name, value in zip(TABLES[table].key, key, strict=True))


def key_said(table: str, key: Key) -> i18n.Joined:
    """A row's key in the reader's language: `id=P1001` in English, `编号 P1001` in Chinese."""
    return i18n.Joined(
        [
            i18n.Text("md.v.key", name=column(name), value=value)
            for name, value in zip(TABLES[table].key, key, strict=True)
        ],
        " ",
    )


def table_label(table: str) -> i18n.Label:
    return i18n.Label("md.table", table)


def column(name: str) -> i18n.Label:
    return i18n.Label("md.col", name)


def _next_id(state: MasterState, table: str, payload: Mapping[str, Any]) -> int:
    """The row id the act signs, or (older acts) the one SQLite gives: the highest so far plus one."""
    value = payload.get("id")
    if value is None:
        ids = [int(row.values["id"]) for row in state.tables[table].values()]
        return max(ids, default=0) + 1
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Refused("not_integer", name=column("id"))
    return value


def _standard_time(
    state: MasterState,
    act: Act,
    product: str,
    step: str,
    valid_from: str,
    seconds: str,
    reason: Any,
    created: Any = None,
) -> None:
    _put(
        state,
        "md_standard_time",
        {
            "product": product,
            "step": step,
            "valid_from": valid_from,
            "seconds": seconds,
            "reason": reason,
            "created_ms": _time(act.payload, "created_ms", act) if created is None else created,
        },
        act,
    )


def _apply(state: MasterState, act: Act) -> None:
    """One act, as the service applies it (one branch per action)."""
    p, action = act.payload, act.action
    values: dict[str, Any]
    if action == "area.add":
        _put(state, "md_area", {"code": _text(p["code"], "code"), "name": _text(p["name"], "name")}, act)
    elif action == "line.add":
        values = {
            "code": _text(p["code"], "code"),
            "name": _text(p["name"], "name"),
            "area": _text(p["area"], "area"),
            "shift_minutes": _text(p["shift_minutes"], "shift_minutes"),
            "product": _optional_text(p.get("product"), "product"),
        }
        _put(state, "md_line", values, act)
    elif action == "line.update":
        _change(state, "md_line", (act.subject,), p, act)
    elif action == "product.add":
        code, start, name = _text(p["code"], "code"), _text(p["from"], "from"), _text(p["name"], "name")
        # Older acts did not sign the reason of the product's first standard times.
        reason = _text(p["reason"], "reason") if "reason" in p else UNSIGNED
        steps = [_texts(item, "steps") for item in _list(p["steps"], "steps")]  # all checked first
        if any(len(item) != 3 for item in steps):
            raise _Refused("step_shape")
        _put(state, "md_product", {"code": code, "name": name}, act)
        for position, (step, step_name, seconds) in enumerate(steps):
            values = {"product": code, "code": step, "name": step_name, "position": position}
            _put(state, "md_step", values, act)
            _standard_time(state, act, code, step, start, seconds, reason)
    elif action == "standard_time.set":
        product, step = _text(p["product"], "product"), _text(p["step"], "step")
        if (product, step) not in state.tables["md_step"]:
            raise _Refused("no_step", product=product, step=step)
        start, seconds = _text(p["from"], "from"), _text(p["seconds"], "seconds")
        _standard_time(state, act, product, step, start, seconds, _text(p["reason"], "reason"))
    elif action == "step.add":
        product, code = _text(p["product"], "product"), _text(p["code"], "code")
        if (product,) not in state.tables["md_product"]:
            raise _Refused("no_product", product=product)
        position, name = p["position"], _text(p["name"], "name")
        if not isinstance(position, int) or isinstance(position, bool):
            raise _Refused("not_integer", name=column("position"))
        start, seconds = _text(p["from"], "from"), _text(p["seconds"], "seconds")
        reason, created = _text(p["reason"], "reason"), _time(p, "created_ms", act)
        table = state.tables["md_step"]
        for key, row in list(table.items()):  # the later steps move one place down, as the service does
            if row.values["product"] == product and row.values["position"] >= position:
                table[key] = SignedRow({**row.values, "position": row.values["position"] + 1}, act.index)
        _put(state, "md_step", {"product": product, "code": code, "name": name, "position": position}, act)
        _standard_time(state, act, product, code, start, seconds, reason, created)
    elif action == "step.rename":
        key = (_text(p["product"], "product"), _text(p["step"], "step"))
        _change(state, "md_step", key, {"name": _text(p["name"], "name")}, act)
    elif action == "inmate.add":
        values = {
            "id": _text(p["id"], "id"),
            "number": _text(p["number"], "number"),
            "name": _text(p["name"], "name"),
            "quota_pct": _text(p["quota_pct"], "quota_pct"),
            "area": _optional_text(p.get("area"), "area"),
        }
        _put(state, "md_inmate", values, act)
    elif action == "inmate.quota_pct":
        _change(state, "md_inmate", (act.subject,), {"quota_pct": _text(p["quota_pct"], "quota_pct")}, act)
    elif action in ("inmate.update", "officer.update"):
        people = "md_inmate" if action == "inmate.update" else "md_officer"
        _change(state, people, (act.subject,), p, act)
    elif action == "officer.add":
        values = {
            "id": _text(p["id"], "id"),
            "name": _text(p["name"], "name"),
            "role": _text(p["role"], "role"),
            "area": _optional_text(p.get("area"), "area"),
            "line": _optional_text(p.get("line"), "line"),
        }
        _put(state, "md_officer", values, act)
    elif action == "badge.issue":
        values = {
            "badge": _text(p["badge"], "badge"),
            "person": _text(p["person"], "person"),
            "role": _text(p["role"], "role"),
            "issued_ms": _time(p, "issued_ms", act),
            "revoked_ms": None,
        }
        _put(state, "md_badge", values, act)  # replaces a revoked badge of the same id, as the service
    elif action == "badge.revoke":
        key = (_text(p["badge"], "badge"),)
        _change(state, "md_badge", key, {"revoked_ms": _time(p, "revoked_ms", act)}, act)
    elif action == "assignment.add":
        values = {
            "id": _next_id(state, "md_assignment", p),
            "inmate": _text(p["inmate"], "inmate"),
            "line": _text(p["line"], "line"),
            "product": _text(p["product"], "product"),
            "step": _text(p["step"], "step"),
            "valid_from": _text(p["from"], "from"),
            "valid_to": _optional_text(p.get("to"), "to"),
            "created_ms": _time(p, "created_ms", act),
            # rule book v2: acts before it (and counted posts outside training) sign none of these
            "mode": _text(p.get("mode", "counted"), "mode"),
            "post": _optional_text(p.get("post"), "post"),
            "training": _flag(p.get("training", False), "training"),
        }
        _put(state, "md_assignment", values, act)
    elif action == "assignment.training":
        post = p["assignment"]
        if not isinstance(post, int) or isinstance(post, bool):
            raise _Refused("assignment is not a post id")
        _change(state, "md_assignment", (post,), {"training": _flag(p["training"], "training")}, act)
    elif action == "post.add":
        values = {
            "code": _text(p["code"], "code"),
            "name": _text(p["name"], "name"),
            "line": _text(p["line"], "line"),
            "shift": _text(p["shift"], "shift"),
            "created_ms": _time(p, "created_ms", act),
        }
        _put(state, "md_post", values, act)
    elif action == "post.update":
        _change(state, "md_post", (act.subject,), {k: _text(v, k) for k, v in p.items()}, act)
    elif action == "exemption.add":
        values = {
            "id": _next_id(state, "md_exemption", p),
            "inmate": _text(p["inmate"], "inmate"),
            "valid_from": _text(p["from"], "from"),
            "valid_to": _optional_text(p.get("to"), "to"),
            "reference": _text(p["reference"], "reference"),
            "entered_by": _text(p["entered_by"], "entered_by"),
            "created_ms": _time(p, "created_ms", act),
        }
        _put(state, "md_exemption", values, act)
    elif action == "exemption.end":
        period = p["exemption"]
        if not isinstance(period, int) or isinstance(period, bool):
            raise _Refused("exemption is not an exemption id")
        _change(state, "md_exemption", (period,), {"valid_to": _text(p["to"], "to")}, act)
    elif action == "assignment.end":
        post = p["assignment"]
        if not isinstance(post, int) or isinstance(post, bool):
            raise _Refused("not_post", name=column("assignment"))
        _change(state, "md_assignment", (post,), {"valid_to": _text(p["to"], "to")}, act)
    elif action in ("workday.add", "workday.remove"):
        line = _optional_text(p.get("line"), "line")
        days = state.tables["md_workday"]
        for day in _texts(p["days"], "days"):
            if action == "workday.add":
                if (day, line) not in days:  # a day already there is kept, as the service does
                    _put(state, "md_workday", {"day": day, "line": line}, act)
            else:
                days.pop((day, line), None)
    elif action == "rule_set.add":
        parameters = p["parameters"]
        if not isinstance(parameters, dict):
            raise _Refused("not_object", name=column("parameters"))
        values = {
            "id": _next_id(state, "md_rule_set_version", p),
            "version": _text(p["version"], "version"),
            "valid_from": _text(p["from"], "from"),
            # the text the service stores: the same json.dumps of the same (text-valued) object
            "parameters": json.dumps(parameters, sort_keys=True),
            "reason": _text(p["reason"], "reason"),
            "created_ms": _time(p, "created_ms", act),
        }
        _put(state, "md_rule_set_version", values, act)
    elif action in CAPTURE_ACTIONS:
        _capture(state, act)
    elif action in ANALYTICS_ACTIONS:
        _analytics(state, act)


def _analytics(state: MasterState, act: Act) -> None:
    """A thresholds version or an officer's action, as `hub.review.actions` applies it (both sign
    their row id)."""
    p = act.payload
    if act.action == "suggest_settings.add":
        parameters = p["parameters"]
        if not isinstance(parameters, dict):
            raise _Refused("not_object", name=column("parameters"))
        values = {
            "id": _next_id(state, "an_suggest_settings", p),
            "version": _text(p["version"], "version"),
            "valid_from": _text(p["from"], "from"),
            "parameters": json.dumps(parameters, sort_keys=True),
            "reason": _text(p["reason"], "reason"),
            "created_by": _text(p["created_by"], "created_by"),
            "created_ms": _time(p, "created_ms", act),
        }
        _put(state, "an_suggest_settings", values, act)
    else:
        post = p.get("assignment")
        if post is not None and (not isinstance(post, int) or isinstance(post, bool)):
            raise _Refused("not_post", name=column("assignment"))
        values = {"id": _next_id(state, "an_action", p)}
        for name in ("kind", "inmate", "line", "product", "step", "what", "day", "officer", "reason"):
            values[name] = _text(p[name], name)
        values |= {
            "suggestion": _optional_text(p.get("suggestion"), "suggestion"),
            "assignment": post,
            "created_by": _text(p["created_by"], "created_by"),
            "created_ms": _time(p, "created_ms", act),
        }
        _put(state, "an_action", values, act)


_NOT_WITHDRAWN = {"withdrawn_by": None, "withdrawn_ms": None, "withdraw_reason": None}


def _capture(state: MasterState, act: Act) -> None:
    """A v2 capture act, as `hub.review.capture` applies it."""
    p, action = act.payload, act.action
    if action == "grade.set":
        values = {
            "inmate": _text(p["inmate"], "inmate"),
            "day": _text(p["day"], "day"),
            "grade": _text(p["grade"], "grade"),
            "line": _text(p["line"], "line"),
            "post": _text(p["post"], "post"),
            "graded_by": _text(p["graded_by"], "graded_by"),
            "graded_ms": _time(p, "graded_ms", act),
            "source": _optional_text(p.get("source"), "source"),  # a kiosk record (m008), else none
        }
        _put(state, "cap_grade", values, act)  # replaces the day's earlier grade, as the service does
    elif action == "reject.add":
        values = {
            "id": _next_id(state, "cap_reject", p),
            "inmate": _text(p["inmate"], "inmate"),
            "day": _text(p["day"], "day"),
            "line": _text(p["line"], "line"),
            "product": _text(p["product"], "product"),
            "step": _text(p["step"], "step"),
            "units": _text(p["units"], "units"),
            "reason": _text(p["reason"], "reason"),
            "entered_by": _text(p["entered_by"], "entered_by"),
            "created_ms": _time(p, "created_ms", act),
            "source": _optional_text(p.get("source"), "source"),
            **_NOT_WITHDRAWN,
        }
        _put(state, "cap_reject", values, act)
    elif action == "deduction.propose":
        values = {
            "id": _next_id(state, "cap_deduction", p),
            "inmate": _text(p["inmate"], "inmate"),
            "day": _text(p["day"], "day"),
            "area": _text(p["area"], "area"),
            "category": _text(p["category"], "category"),
            "points": _text(p["points"], "points"),
            "reason": _text(p["reason"], "reason"),
            "evidence": _optional_text(p.get("evidence"), "evidence"),
            "proposed_by": _text(p["proposed_by"], "proposed_by"),
            "proposed_ms": _time(p, "proposed_ms", act),
            "status": "proposed",
            "confirmed_by": None,
            "confirmed_ms": None,
            **_NOT_WITHDRAWN,
        }
        _put(state, "cap_deduction", values, act)
    elif action == "deduction.confirm":
        deduction = p["deduction"]
        if not isinstance(deduction, int) or isinstance(deduction, bool):
            raise _Refused("not_integer", name=column("deduction"))
        changes = {
            "status": "confirmed",
            "confirmed_by": _text(p["confirmed_by"], "confirmed_by"),
            "confirmed_ms": _time(p, "confirmed_ms", act),
        }
        _change(state, "cap_deduction", (deduction,), changes, act)
    elif action in ("reject.withdraw", "deduction.withdraw"):
        row = p["id"]
        if not isinstance(row, int) or isinstance(row, bool):
            raise _Refused("not_integer", name=column("id"))
        changes = {
            "withdrawn_by": _text(p["withdrawn_by"], "withdrawn_by"),
            "withdrawn_ms": _time(p, "withdrawn_ms", act),
            "withdraw_reason": _text(p["withdraw_reason"], "withdraw_reason"),
        }
        if action == "deduction.withdraw":
            changes["status"] = "withdrawn"
        _change(state, "cap_reject" if action == "reject.withdraw" else "cap_deduction", (row,), changes, act)
