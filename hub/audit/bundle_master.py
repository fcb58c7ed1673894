"""An evidence bundle's master data, re-derived from the hub-signed master-data acts it carries (pure;
`hub.audit.bundle` builds and checks the bundle with this).

**Which acts a bundle carries** (`wanted`): every master-data act in the ledger, up to the bundle's
checkpoint, on a subject the bundle's scenario uses:

- the inmate (`inmate.add`, `inmate.update`, `inmate.quota_pct`): his quota percentage;
- the labor exemptions of everyone in scope (`exemption.add`, `exemption.end`): an exempt line-mate is
  in no group that day, which changes the inmate's share of the line's credit;
- the posts of everyone in scope, the inmate and his line-mates (`assignment.add`, `assignment.end`,
  `assignment.training`), rated and training posts included;
  every post act of the site if one of them signs no post id (older hubs, `legacy_posts`);
- the lines those posts and the inmate's line-days name (`line.add`, `line.update`);
- every workday act (`workday.add`, `workday.remove`): a day on which any line works is a day of the
  month's calendar the engine is given, whichever line it is;
- the products those posts and the line-days' warehoused units name, with their steps and standard
  times (`product.add`, `step.add`, `step.rename`, `standard_time.set`);
- every rule set version (`rule_set.add`);
- rule book v2's capture of everyone in scope (`grade.set`, `reject.add`, `deduction.propose`,
  `deduction.confirm`): the grades and rejects enter the shared credit, the inmate's confirmed
  deductions his points; the scenario's `ratings`, `rejects` and `deductions` must equal them.

Line-mates' own acts (`inmate.add` carries a name) are not carried: a parole file need not hold
other people's names, and a line-mate's quota percentage enters only his own quota, never the
inmate's numbers; the check takes line-mates as the scenario lists them.

**What is checked** (`check_master`): the acts are replayed with `hub.masterdata.replay` (the replay
`floorledger verify` runs on the hub's ledger), read with `hub.masterdata.engine_view` (as the hub
reads its tables), and assembled with the signed records into the month's input exactly as the hub
does (`hub.results.facts.month_input`), through the bundle's last day. The scenario's workdays,
lines, products, standard times, posts (mode, post, training), the inmate's quota percentage and
everyone's labor exemptions, the site's rule versions and the rules in force must equal what that
gives; every difference is a finding. Posts without quotas (`post.add`) are not carried: a rated
post names its post and line itself, and the post's name and shift label enter no number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from fractions import Fraction
from typing import Any

from floorledger.base import i18n
from hub.audit.bundle_scope import Scope, restrict, scope_of
from hub.engine.exact import decimal_text, is_decimal
from hub.engine.model import Month, MonthInput, RuleSet
from hub.engine.rules import DEFAULT_RULE_BOOK, RuleBook
from hub.masterdata import engine_view as ev
from hub.masterdata import replay as rp
from hub.results import facts as fx

INMATE_ACTIONS = frozenset({"inmate.add", "inmate.update", "inmate.quota_pct"})
POST_ACTIONS = frozenset({"assignment.add", "assignment.end", "assignment.training"})
EXEMPTION_ACTIONS = frozenset({"exemption.add", "exemption.end"})
LINE_ACTIONS = frozenset({"line.add", "line.update"})
WORKDAY_ACTIONS = frozenset({"workday.add", "workday.remove"})
PRODUCT_ACTIONS = frozenset({"step.add", "step.rename", "standard_time.set"})
RULE_ACTIONS = frozenset({"rule_set.add"})


def wanted(
    action: str,
    subject: str,
    payload: Mapping[str, Any],
    scenario: MonthInput,
    inmate: str,
    *,
    all_posts: bool = False,
) -> bool:
    """Whether a master-data act is one the bundle carries (see the module docstring); `scenario` is
    the bundle's cut scenario. `all_posts`: carry every post act (see `legacy_posts`)."""
    if action in INMATE_ACTIONS:
        return subject == inmate
    if action in POST_ACTIONS:
        return all_posts or subject in {i.id for i in scenario.inmates}
    if action in EXEMPTION_ACTIONS:
        # a line-mate exempt on a day is in no group that day, which changes the inmate's shared credit
        return subject in {i.id for i in scenario.inmates}
    if action in rp.CAPTURE_ACTIONS:
        # grades, rejects and deductions of the people in scope (subject `inmate@day`); the scenario
        # keeps a line-mate's grades and rejects and the inmate's own deductions
        return subject.split("@", 1)[0] in {i.id for i in scenario.inmates}
    if action in LINE_ACTIONS:
        return subject in {x.code for x in scenario.lines}
    if action in WORKDAY_ACTIONS:
        return True  # a day any line works is a day of the month's calendar (`all_workdays`)
    if action == "product.add":
        return subject in {p.code for p in scenario.products}
    if action in PRODUCT_ACTIONS:
        return payload.get("product") in {p.code for p in scenario.products}
    return action in RULE_ACTIONS


def legacy_posts(acts: Iterable[tuple[str, Mapping[str, Any]]]) -> bool:
    """Whether an `assignment.add` (action, payload) signs no post id (older hubs): the replay then numbers
    posts by counting every earlier one, so a bundle must carry every post act for `assignment.end` to
    name the right post."""
    return any(action == "assignment.add" and "id" not in payload for action, payload in acts)


def master_of(
    state: rp.MasterState, month: Month, mates: Sequence[Any], corrections: Sequence[fx.HubCorrection]
) -> fx.MasterSnapshot:
    """The month's master data from the replayed rows, read as `hub.results.inputs.load_master` reads the
    tables; `mates`: the scenario's line-mates (engine inmates), taken as listed."""
    first, last = month.first_day, month.last_day

    def rows(table: str) -> list[Mapping[str, Any]]:
        return [r.values for r in state.rows(table).values()]

    lines = ev.lines(sorted(rows("md_line"), key=lambda r: str(r["code"])))
    steps = sorted(rows("md_step"), key=lambda r: (str(r["product"]), int(r["position"])))
    products = ev.products(sorted(rows("md_product"), key=lambda r: str(r["code"])), steps)
    days = rows("md_workday")
    posts = sorted(
        (r for r in rows("md_assignment") if ev.overlaps(r, first, last)), key=lambda r: int(r["id"])
    )
    exemptions = sorted(
        rows("md_exemption"), key=lambda r: (str(r["inmate"]), str(r["valid_from"]), int(r["id"]))
    )
    signed = ev.inmates(rows("md_inmate"), exemptions)
    known = {i.id for i in signed}
    periods = ev.exempt_periods(exemptions)
    return fx.MasterSnapshot(
        lines=lines,
        products=products,
        standard_times=ev.standard_times(rows("md_standard_time")),
        inmates=signed
        + tuple(replace(m, labor_exempt=periods.get(m.id, ())) for m in mates if m.id not in known),
        assignments=tuple(ev.assignment(r) for r in posts),
        workdays={x.code: frozenset(ev.workdays(days, first, last, x.code)) for x in lines},
        all_workdays=tuple(ev.workdays(days, first, last)),
        hub_corrections=tuple(corrections),
        **fx.capture_inputs(rows("cap_grade"), rows("cap_reject"), rows("cap_deduction")),
    )


def rule_book_of(state: rp.MasterState) -> RuleBook:
    """The rule book as the hub reads it (`queries.rule_book`: oldest `from` first, then row id)."""
    versions = sorted(
        (r.values for r in state.rows("md_rule_set_version").values()),
        key=lambda r: (str(r["valid_from"]), int(r["id"])),
    )
    return ev.rule_book(versions)


def check_master(
    findings: list[str],
    acts: Iterable[rp.Act],
    *,
    scenario: MonthInput,
    rules: RuleBook,
    rule_set: RuleSet,
    facts: fx.Facts,
    corrections: Sequence[fx.HubCorrection],
    through: date,
    scope: Scope,
) -> int:
    """Append every difference between the scenario's master data and the signed acts' to `findings`;
    returns how many values were compared. `facts`: the signed records' facts (before the hub's
    corrections, which are given apart), `scope`: the bundle's scope."""
    state = rp.replay(acts)
    findings.extend(_said("md.act", problem=p) for p in state.problems)
    inmate, month = scope.inmate, scenario.month
    if (inmate,) not in state.rows("md_inmate"):
        findings.append(_said("md.no_inmate", inmate=inmate))
    mates = [i for i in scenario.inmates if i.id != inmate]
    master = master_of(state, month, mates, [c for c in corrections if month.contains(c.day)])
    signed = fx.month_input(month, master, facts, through=through)
    signed = restrict(replace(signed, adjustments=scenario.adjustments), scope_of(signed, rule_set, inmate))
    compared = 0
    for name, given, want, key, show in (
        ("workdays", scenario.workdays, signed.workdays, str, lambda _: "a workday"),
        (
            "lines",
            scenario.lines,
            signed.lines,
            lambda x: x.code,
            lambda x: f"shift {_n(x.shift_minutes)} min",
        ),
        ("products", scenario.products, signed.products, lambda p: p.code, lambda p: f"steps {p.steps}"),
        (
            "standard_times",
            scenario.standard_times,
            signed.standard_times,
            lambda s: f"{s.product}/{s.step} from {s.valid_from}",
            lambda s: f"{_n(s.seconds)} s",
        ),
        (
            "assignments",
            scenario.assignments,
            signed.assignments,
            lambda a: f"{a.inmate} from {a.valid_from}",
            _post_text,
        ),
        (
            "inmates",
            [i for i in scenario.inmates if i.id == inmate],
            [i for i in signed.inmates if i.id == inmate],
            lambda i: i.id,
            lambda i: f"quota_pct {_n(i.quota_pct)}, name {i.name!r}{_exempt_text(i)}",
        ),
        (
            "ratings",
            scenario.ratings,
            signed.ratings,
            lambda r: f"{r.inmate} on {r.day}",
            lambda r: f"grade {r.grade}",
        ),
        (
            "rejects",
            scenario.rejects,
            signed.rejects,
            lambda r: f"{r.inmate} on {r.day} {r.product}/{r.step}",
            lambda r: f"{_n(r.units)} units",
        ),
        (
            "deductions",
            scenario.deductions,
            signed.deductions,
            lambda d: f"{d.inmate} on {d.day}",
            lambda d: f"{d.category} {_n(d.points)} ({d.reason})",
        ),
        (
            "inmates (line-mates' labor exemptions)",
            [i for i in scenario.inmates if i.id != inmate and i.labor_exempt],
            [i for i in signed.inmates if i.id != inmate and i.labor_exempt],
            lambda i: i.id,
            _exempt_text,
        ),
    ):
        compared += len(given)
        findings.extend(_differences(name, given, want, key, show))
    book = rule_book_of(state)
    site = book.versions[len(DEFAULT_RULE_BOOK.versions) :]
    if tuple(rules.versions) != site:
        findings.append(
            _said(
                "md.rules",
                given=str([v.version for v in rules.versions]),
                signed=str([v.version for v in site]),
            )
        )
    wanted_rules = book.for_month(month)
    if wanted_rules != rule_set:
        findings.append(
            _said(
                "md.rule_set",
                given=rule_set.version,
                given_params=_params(rule_set),
                signed=wanted_rules.version,
                signed_params=_params(wanted_rules),
            )
        )
    return compared + 1


def _post_text(a: Any) -> str:
    what = f"post {a.post} (rated)" if a.mode == "rated" else f"{a.product}/{a.step}"
    training = "" if not a.training else f", training from {a.ramp_from}"
    return f"{a.line} {what} to {a.valid_to or 'open'}{training}"


def _exempt_text(i: Any) -> str:
    periods = ", ".join(f"{p.valid_from} to {p.valid_to or 'open'}" for p in i.labor_exempt)
    return f", labor-exempt {periods}" if periods else ""


def _n(value: Fraction) -> str:
    """A number as the scenario writes it (exact decimal text)."""
    return decimal_text(value) if is_decimal(value) else str(value)


def _params(rule_set: RuleSet) -> str:
    p = rule_set.params
    values = ((k, getattr(p, k)) for k in p.__dataclass_fields__)
    return ", ".join(f"{k}={_n(v) if isinstance(v, Fraction) else v}" for k, v in values)


def _differences(
    name: str,
    given: Sequence[Any],
    want: Sequence[Any],
    key: Callable[[Any], Any],
    show: Callable[[Any], str],
) -> list[str]:
    """Multiset differences, paired by `key` where both sides have the key: one line per value changed,
    added or missing."""
    extra = list(given)
    missing = []
    for item in want:
        if item in extra:
            extra.remove(item)
        else:
            missing.append(item)
    out: list[str] = []
    for item in extra:
        twin = next((m for m in missing if key(m) == key(item)), None)
        if twin is not None:
            missing.remove(twin)
            out.append(
                _said(
                    "md.changed",
                    name=i18n.Label("bundle.section", name),
                    key=key(item),
                    given=show(item),
                    signed=show(twin),
                )
            )
        else:
            out.append(
                _said("md.extra", name=i18n.Label("bundle.section", name), key=key(item), given=show(item))
            )
    out.extend(
        _said("md.lacks", name=i18n.Label("bundle.section", name), key=key(m), signed=show(m))
        for m in missing
    )
    return out


def _said(key: str, /, **values: Any) -> i18n.Text:
    return i18n.Text(f"bundle.v.{key}", **values)
