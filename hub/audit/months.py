"""`floorledger verify`: the monthly assessment (月考核) checked against the hub-signed ledger and
re-derived from the signed kiosk records. Pure: `hub.audit.verify` reads the tables and hands the rows here.

Monthly scores are not stored; what is stored is what officers did with them, and every act is a
hub-signed ledger entry (`hub.review.monthly.Assessment`):

- `month.approve` (subject `month:<area>:<month>`, payload `stage`, `rows_digest`, `rule_set`, `inputs`): one
  `assess_month_approval` row, the digest of the area's score rows the officer saw;
- `month.reopen` (`stages`, `reason`): voids the approvals of those stages;
- `month.adjust` (`id`, `inmate`, `points`, `reason`, `voided`): one `assess_adjustment` row, and it
  voids the approvals in force (`voided`); `month.adjust_void` (`id`, `reason`, `voided`) voids the
  adjustment and those approvals.

`replay` reads those acts in ledger order into what the tables must hold; `compare_approvals` and
`compare_adjustments` report every row that differs (inserted, edited, deleted, voided or revived in
SQL). `MonthScores` recomputes a month's scores from the signed records, the master data, the rule
book and the ledger's adjustments and dashboard corrections, and digests each area's rows exactly as
`Assessment.approve` did; every approval still in force must carry that digest.

An approval signs its inputs (`inputs`: the local `through` date, the kiosk heads, the ledger size,
the adjustment ids and the rule set, `hub.results.inputs.Cut`); `MonthScores.check_signed` re-derives
it by one recomputation from them. An approval made before approvals signed their inputs has none:
`MonthScores.search` re-derives it **as of the moment it was given** (the legacy path, docs/audit.md):
from the records received by the entry's `hub_ms` (`kiosk_record.received_ms`), the corrections and
adjustments before it in the ledger, and the days up to the approval's date, trying the UTC date of
`hub_ms` and the day either side (the database does not name the time zone) and cuts at the records
received within `SLACK_MS` of it, nearest first. Any candidate giving the signed digest holds.
Master data is the hub's current tables: the labor section's approval locks the month against
master-data changes, but the earlier stages do not, so an earlier-stage approval that no longer
matches after later master-data acts (and before the lock) is `explained`, a note, not a finding.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from floorledger.base import i18n
from hub.audit.report import finding
from hub.engine.compute import compute_month
from hub.engine.errors import EngineError
from hub.engine.model import Adjustment as EngineAdjustment
from hub.engine.model import Month, MonthResult, RuleSet
from hub.masterdata.replay import CAPTURE_ACTIONS
from hub.results import facts as fx
from hub.results import inputs as mi
from hub.review.lock import STAGES
from hub.review.rules import rows_digest, score_areas, score_key

# the action names `hub.review.monthly.Assessment` records
APPROVE = "month.approve"
REOPEN = "month.reopen"
ADJUST = "month.adjust"
ADJUST_VOID = "month.adjust_void"
ACTIONS = frozenset({APPROVE, REOPEN, ADJUST, ADJUST_VOID})
# master-data acts (`hub.masterdata.service`) that can change a month's scores; badges and officers cannot
MASTER_ACTIONS = (
    frozenset(
        {
            "area.add",
            "line.add",
            "line.update",
            "product.add",
            "standard_time.set",
            "step.add",
            "step.rename",
            "inmate.add",
            "inmate.update",
            "inmate.quota_pct",
            "assignment.add",
            "assignment.end",
            "assignment.training",
            "exemption.add",
            "exemption.end",
            "workday.add",
            "workday.remove",
            "rule_set.add",
            "ruleset.change",
            "masterdata.change",
        }
    )
    | CAPTURE_ACTIONS
)  # rule book v2 capture (hub.review.capture): grades, rejects, deductions
SLACK_MS = 30_000  # the page computes the month, then the act commits: seconds, not minutes
MAX_CUTS = 6
_VOID_REASON = {ADJUST: "adjustment changed the month", ADJUST_VOID: "adjustment voided"}


# --- the ledger's account ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Act:
    """One hub-signed act of the monthly assessment (`subject` split into area and month)."""

    index: int
    actor: str
    action: str
    area: str
    month: str
    payload: Mapping[str, Any]
    hub_ms: int

    def named(self) -> i18n.Text:
        return i18n.Text(
            "ledger.v.act", index=self.index, action=i18n.Label("act", self.action), actor=self.actor
        )


def month_act(
    index: int, actor: str, action: str, subject: str, payload: Mapping[str, Any], hub_ms: int
) -> Act | None:
    """The act if `action` is one of the monthly assessment's and `subject` is `month:<area>:<YYYY-MM>`."""
    if action not in ACTIONS or not subject.startswith("month:"):
        return None
    area, _, month = subject[len("month:") :].rpartition(":")
    try:
        Month.parse(month)
    except ValueError:
        return None
    return Act(
        index=index, actor=actor, action=action, area=area, month=month, payload=payload, hub_ms=hub_ms
    )


@dataclass(slots=True)
class Approval:
    """A `month.approve` act and, if a later act voided it, that act and the reason it wrote."""

    act: Act
    stage: str
    digest: str
    rule_set: str
    voided_by: Act | None = None
    void_reason: str | None = None


@dataclass(slots=True)
class Adjusted:
    """A `month.adjust` act (`id` is the row it created) and the act that voided it, if any."""

    act: Act
    id: int
    inmate: str
    points: str
    reason: str
    voided_by: Act | None = None
    void_reason: str | None = None


@dataclass(slots=True)
class Ledgered:
    """The monthly assessment as the ledger tells it; `problems` are acts that contradict it."""

    approvals: list[Approval] = field(default_factory=list)
    adjustments: dict[int, Adjusted] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def in_force(self) -> list[Approval]:
        return [a for a in self.approvals if a.voided_by is None]

    def lock_index(self, month: str, area: str) -> int | None:
        """The ledger index of the labor section's approval in force for the area's month, if any."""
        for a in self.approvals:
            if (a.act.month, a.act.area, a.stage, a.voided_by) == (month, area, STAGES[-1], None):
                return a.act.index
        return None


def replay(acts: Iterable[Act]) -> Ledgered:
    """Apply the acts in ledger order: which approvals and adjustments exist and which are voided."""
    out = Ledgered()
    active: dict[tuple[str, str, str], Approval] = {}

    def void(act: Act, stages: Any, reason: str) -> None:
        for stage in stages if isinstance(stages, list) else []:
            approval = active.pop((act.month, act.area, str(stage)), None)
            if approval is None:
                out.problems.append(
                    finding(
                        "month.void_none",
                        act=act.named(),
                        stage=_stage(stage),
                        month=act.month,
                        area=act.area,
                    )
                )
                continue
            approval.voided_by, approval.void_reason = act, reason

    for act in acts:
        p = act.payload
        if act.action == APPROVE:
            approval = Approval(
                act=act,
                stage=str(p.get("stage")),
                digest=str(p.get("rows_digest")),
                rule_set=str(p.get("rule_set")),
            )
            key = (act.month, act.area, approval.stage)
            if key in active:
                out.problems.append(
                    finding(
                        "month.again",
                        act=act.named(),
                        stage=_stage(approval.stage),
                        month=act.month,
                        area=act.area,
                        other=active[key].act.index,
                    )
                )
            active[key] = approval
            out.approvals.append(approval)
        elif act.action == REOPEN:
            void(act, p.get("stages"), f"reopen: {p.get('reason')}")
        elif act.action == ADJUST:
            try:
                adjusted = Adjusted(
                    act=act,
                    id=int(p["id"]),
                    inmate=str(p["inmate"]),
                    points=str(p["points"]),
                    reason=str(p["reason"]),
                )
                Fraction(adjusted.points)
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                out.problems.append(finding("month.bad_adjust", act=act.named()))
                continue
            if adjusted.id in out.adjustments:
                out.problems.append(
                    finding(
                        "month.adjust_again",
                        act=act.named(),
                        id=adjusted.id,
                        other=out.adjustments[adjusted.id].act.index,
                    )
                )
            out.adjustments[adjusted.id] = adjusted
            void(act, p.get("voided"), _VOID_REASON[ADJUST])
        elif act.action == ADJUST_VOID:
            target = out.adjustments.get(p.get("id"))  # type: ignore[arg-type]
            if target is None or target.voided_by is not None:
                out.problems.append(finding("month.void_adjust_none", act=act.named(), id=p.get("id")))
            else:
                target.voided_by, target.void_reason = act, str(p.get("reason"))
            void(act, p.get("voided"), _VOID_REASON[ADJUST_VOID])
    return out


# --- the tables against it ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ApprovalRow:
    """An `assess_month_approval` row (`voided`: its `voided_ms` is set)."""

    id: int
    month: str
    area: str
    stage: str
    approver: str
    rows_digest: str
    voided: bool
    void_reason: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AdjustmentRow:
    """An `assess_adjustment` row."""

    id: int
    month: str
    area: str
    inmate: str
    points: str
    reason: str
    created_by: str
    voided: bool
    voided_by: str | None
    void_reason: str | None


def _stage(stage: object) -> i18n.Label:
    return i18n.Label("verify.stage", str(stage))


def column(name: str) -> i18n.Label:
    """A column of the assessment tables as the report names it (English: the column's name)."""
    return i18n.Label("verify.col", name)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def compare_approvals(rows: Sequence[ApprovalRow], ledgered: Ledgered) -> list[str]:
    """Every approval row that no signed act created, every act without its row, every column that differs.

    Rows and acts of an area's month are paired in order (ids and ledger indexes grow together),
    first on stage, approver and digest, then on stage alone, so one edited or deleted row is named
    alone instead of shifting every pair after it.
    """
    acts: dict[tuple[str, str], list[Approval]] = {}
    for a in ledgered.approvals:
        acts.setdefault((a.act.month, a.act.area), []).append(a)
    stored: dict[tuple[str, str], list[ApprovalRow]] = {}
    for r in sorted(rows, key=lambda r: r.id):
        stored.setdefault((r.month, r.area), []).append(r)
    out: list[str] = []
    for key in sorted(set(acts) | set(stored)):
        free = list(stored.get(key, []))
        pairs: list[tuple[Approval, ApprovalRow]] = []
        unpaired: list[Approval] = []
        for a in acts.get(key, []):
            row = next(
                (r for r in free if (r.stage, r.approver, r.rows_digest) == (a.stage, a.act.actor, a.digest)),
                None,
            )
            if row is None:
                unpaired.append(a)
            else:
                free.remove(row)
                pairs.append((a, row))
        for a in unpaired:
            row = next((r for r in free if (r.stage, r.approver) == (a.stage, a.act.actor)), None)
            row = row or next((r for r in free if r.stage == a.stage), None)
            if row is None:
                out.append(
                    finding(
                        "month.approval_missing",
                        month=a.act.month,
                        area=a.act.area,
                        stage=_stage(a.stage),
                        actor=a.act.actor,
                        index=a.act.index,
                    )
                )
                continue
            free.remove(row)
            pairs.append((a, row))
        for row in free:
            out.append(
                finding(
                    "month.approval_extra",
                    id=row.id,
                    month=row.month,
                    area=row.area,
                    stage=_stage(row.stage),
                    approver=row.approver,
                )
            )
        for a, row in sorted(pairs, key=lambda pair: pair[1].id):
            out.extend(_approval_diff(a, row))
    return out


def _approval_diff(a: Approval, row: ApprovalRow) -> list[str]:
    out: list[str] = [
        finding(
            "month.approval_column",
            id=row.id,
            name=column(name),
            stored=_short(stored),
            index=a.act.index,
            signed=_short(signed),
        )
        for name, stored, signed in (
            ("stage", row.stage, a.stage),
            ("approver", row.approver, a.act.actor),
            ("rows_digest", row.rows_digest, a.digest),
        )
        if stored != signed
    ]
    if a.voided_by is not None and not row.voided:
        out.append(finding("month.approval_in_force", id=row.id, act=a.voided_by.named()))
    elif a.voided_by is None and row.voided:
        out.append(finding("month.approval_voided", id=row.id, reason=_short(row.void_reason)))
    elif a.voided_by is not None and row.void_reason != a.void_reason:
        out.append(
            finding(
                "month.approval_void_reason",
                id=row.id,
                stored=_short(row.void_reason),
                act=a.voided_by.named(),
                signed=_short(a.void_reason),
            )
        )
    return out


def compare_adjustments(rows: Sequence[AdjustmentRow], ledgered: Ledgered) -> list[str]:
    """Every adjustment row no signed act created, every act without its row, every column that differs."""
    by_id = {r.id: r for r in rows}
    out: list[str] = []
    for ident in sorted(set(by_id) | set(ledgered.adjustments)):
        row, a = by_id.get(ident), ledgered.adjustments.get(ident)
        if a is None:
            assert row is not None
            out.append(
                finding(
                    "month.adjust_extra",
                    id=ident,
                    month=row.month,
                    area=row.area,
                    inmate=row.inmate,
                    points=row.points,
                )
            )
            continue
        if row is None:
            out.append(
                finding(
                    "month.adjust_missing",
                    id=ident,
                    month=a.act.month,
                    area=a.act.area,
                    inmate=a.inmate,
                    points=a.points,
                    index=a.act.index,
                )
            )
            continue
        columns: list[tuple[str, str | None, str | None, Act]] = [
            ("month", row.month, a.act.month, a.act),
            ("area", row.area, a.act.area, a.act),
            ("inmate", row.inmate, a.inmate, a.act),
            ("points", row.points, a.points, a.act),
            ("reason", row.reason, a.reason, a.act),
            ("created_by", row.created_by, a.act.actor, a.act),
        ]
        state = None
        if a.voided_by is not None and not row.voided:
            state = finding("month.adjust_in_force", id=ident, act=a.voided_by.named())
        elif a.voided_by is None and row.voided:
            state = finding("month.adjust_voided", id=ident)
        elif a.voided_by is not None:
            columns.append(("voided_by", row.voided_by, a.voided_by.actor, a.voided_by))
            columns.append(("void_reason", row.void_reason, a.void_reason, a.voided_by))
        for name, stored, signed, act in columns:
            if stored != signed:
                told = i18n.Text("ledger.v.entry", index=act.index) if act is a.act else act.named()
                out.append(
                    finding(
                        "month.adjust_column",
                        id=ident,
                        name=column(name),
                        stored=_short(stored),
                        told=told,
                        signed=_short(signed),
                    )
                )
        if state is not None:
            out.append(state)
    return out


# --- the scores re-derived ----------------------------------------------------------------------------


def area_digests(
    result: MonthResult,
    line_area: Mapping[str, str],
    person_area: Mapping[str, str | None],
    adjusted: Mapping[str, str],
) -> dict[str, str]:
    """Each area's `rows_digest` as `Assessment.approve` computes it from `month_view`'s rows
    (inmates placed in areas by the same `score_areas` rule)."""
    areas = score_areas(result, line_area, person_area, adjusted)
    rows: dict[str, list[list[str]]] = {}
    for score in result.monthly:
        rows.setdefault(areas[score.inmate], []).append(score_key(score))
    return {area: rows_digest(keys) for area, keys in rows.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthData:
    """What `hub.audit.verify` read for one month.

    `records`: (received_ms, fact) of the month's engine records and of every kiosk correction, in
    commit order, from the signed frames; `master`: the master data (its `hub_corrections` are
    replaced by `corrections`, the ledger's signed dashboard corrections dated in the month, each with
    its ledger index); `derived`: the facts of all `records` if already derived (saves a pass).
    """

    month: Month
    records: Sequence[tuple[int, fx.FactRecord]]
    master: fx.MasterSnapshot
    rule_set: RuleSet
    line_area: Mapping[str, str]
    person_area: Mapping[str, str | None]
    corrections: Sequence[tuple[int, fx.HubCorrection]] = ()
    derived: fx.Facts | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """One approval re-derived: `digest` is what the records give (None if they cannot be computed)."""

    approval: Approval
    holds: bool
    digest: str | None
    error: str | None = None


class MonthScores:
    """Re-derives a month's area digests as of each approval; each distinct state is computed once."""

    def __init__(self, data: MonthData, ledgered: Ledgered) -> None:
        self.data = data
        self.adjustments = sorted(
            (a for a in ledgered.adjustments.values() if a.act.month == str(data.month)), key=lambda a: a.id
        )
        self.received = sorted(r for r, _ in data.records)
        self._derived: dict[int, fx.Facts] = {}
        if data.derived is not None:
            self._derived[len(self.received)] = data.derived
        self._digests: dict[tuple[Any, ...], dict[str, str] | str] = {}

    def check(self, approval: Approval, *, all_cuts: bool = True) -> Outcome:
        """Whether `approval` gives its signed digest: recomputed once from the inputs it signed, or, for
        an approval made before approvals signed their inputs, the legacy search over candidate moments
        (see the module docstring).

        `all_cuts=False` tries only the records received by the approval's time (each other cut derives
        the month's facts again): for a legacy approval that later master-data acts explain anyway.
        """
        signed = approval.act.payload.get("inputs")
        if signed is not None:
            return self.check_signed(approval, signed)
        return self.search(approval, all_cuts=all_cuts)

    def check_signed(self, approval: Approval, signed: Any) -> Outcome:
        """One recomputation from the approval's signed `inputs`: the records below the kiosk heads,
        the ledger's dashboard corrections up to its size, the adjustments it names (as their signed
        acts state them) and the local date."""
        try:
            cut = mi.cut_of(signed)
        except (KeyError, TypeError, ValueError, AttributeError):
            return Outcome(approval, False, None, finding("month.inputs"))
        data = self.data
        by_id = {a.id: a for a in self.adjustments}
        unknown = [i for i in cut.adjustment_ids if i not in by_id or by_id[i].act.index > approval.act.index]
        if unknown:
            return Outcome(approval, False, None, finding("month.unknown_adjust", ids=str(unknown)))
        facts = fx.derive([f for _, f in data.records if f.seq <= cut.heads.get(f.kiosk, 0)], data.month)
        master = replace(
            data.master, hub_corrections=tuple(c for i, c in data.corrections if i <= cut.ledger_size)
        )
        chosen = [by_id[i] for i in cut.adjustment_ids]
        inputs = mi.assemble(
            data.month,
            master,
            facts,
            through=cut.through,
            adjustments=[
                EngineAdjustment(inmate=a.inmate, points=Fraction(a.points), reason=a.reason) for a in chosen
            ],
        )
        try:
            result = compute_month(inputs, data.rule_set)
        except EngineError as err:
            return Outcome(approval, False, None, finding("month.cannot", error=str(err)))
        known = {a.inmate: a.act.area for a in self.adjustments if a.act.index < approval.act.index}
        digest = area_digests(result, data.line_area, data.person_area, known).get(
            approval.act.area, rows_digest([])
        )
        return Outcome(approval, digest == approval.digest, digest)

    def search(self, approval: Approval, *, all_cuts: bool = True) -> Outcome:
        """The legacy path: candidate moments of an approval that did not sign its inputs."""
        first: dict[str, str] | str | None = None
        cuts = self._cuts(approval.act.hub_ms)
        for cut in cuts if all_cuts else cuts[:1]:
            for through in self._throughs(approval.act.hub_ms):
                digests = self._digests_as_of(cut, through, approval.act.index)
                if first is None:
                    first = digests
                if (
                    isinstance(digests, dict)
                    and digests.get(approval.act.area, rows_digest([])) == approval.digest
                ):
                    return Outcome(approval, True, approval.digest)
        if isinstance(first, str):
            return Outcome(approval, False, None, first)
        assert first is not None
        return Outcome(approval, False, first.get(approval.act.area, rows_digest([])))

    def _cuts(self, hub_ms: int) -> list[int]:
        """How many records (in order received) count: those received by `hub_ms` first, then the
        boundaries between distinct receipt times within SLACK_MS of it, nearest first."""
        received = self.received
        primary = bisect.bisect_right(received, hub_ms)
        lo = bisect.bisect_left(received, hub_ms - SLACK_MS)
        hi = bisect.bisect_right(received, hub_ms + SLACK_MS)
        others = [
            n
            for n in range(lo, hi + 1)
            if n != primary and (n in (0, len(received)) or received[n - 1] != received[n])
        ]
        others.sort(key=lambda n: (abs(n - primary), n > primary))
        return [primary, *others[: MAX_CUTS - 1]]

    def _throughs(self, hub_ms: int) -> list[date | None]:
        """The last day of a month in progress that counted, for each local date the approval may have had."""
        month = self.data.month
        utc = datetime.fromtimestamp(hub_ms / 1000, UTC).date()
        out: list[date | None] = []
        for day in (utc, utc + timedelta(days=1), utc - timedelta(days=1)):
            # days from the month's end on leave it whole; every day before it leaves it empty
            value = None if day >= month.last_day else max(day, month.first_day - timedelta(days=1))
            if value not in out:
                out.append(value)
        return out

    def _digests_as_of(self, cut: int, through: date | None, index: int) -> dict[str, str] | str:
        """Area digests (or why they cannot be computed) with the first `cut` records received, the
        days through `through`, and the ledger's corrections and adjustments before entry `index`."""
        corrections = sum(1 for i, _ in self.data.corrections if i < index)
        known = [a for a in self.adjustments if a.act.index < index]
        in_force = [a for a in known if a.voided_by is None or a.voided_by.index > index]
        key = (cut, through, corrections, tuple(a.id for a in known), tuple(a.id for a in in_force))
        if key in self._digests:
            return self._digests[key]
        data = self.data
        master = replace(data.master, hub_corrections=tuple(c for i, c in data.corrections if i < index))
        inputs = mi.assemble(
            data.month,
            master,
            self._derive(cut),
            through=through,
            adjustments=[_engine_adjustment(a) for a in in_force],
        )
        try:
            result = compute_month(inputs, data.rule_set)
        except EngineError as err:
            self._digests[key] = finding("month.cannot", error=str(err))
            return self._digests[key]
        adjusted = {a.inmate: a.act.area for a in known}  # voided ones too, as month_view reads them
        digests = area_digests(result, data.line_area, data.person_area, adjusted)
        self._digests[key] = digests
        return digests

    def _derive(self, cut: int) -> fx.Facts:
        if cut not in self._derived:
            if cut == len(self.received):
                chosen = [f for _, f in self.data.records]
            else:
                limit = self.received[cut]  # the first receipt time left out
                chosen = [f for r, f in self.data.records if r < limit]
            self._derived[cut] = fx.derive(chosen, self.data.month)
        return self._derived[cut]


def _engine_adjustment(a: Adjusted) -> EngineAdjustment:
    return EngineAdjustment(inmate=a.inmate, points=Fraction(a.points), reason=a.reason)


def explained(approval: Approval, ledgered: Ledgered, master_changes: Sequence[int]) -> list[int]:
    """Master-data acts that may have changed the approved month since `approval` without voiding it:
    after it and, if the month is locked, before the lock (which refuses them). Empty for the lock."""
    if approval.stage == STAGES[-1]:
        return []
    lock = ledgered.lock_index(approval.act.month, approval.act.area)
    return [i for i in master_changes if i > approval.act.index and (lock is None or i < lock)]
