"""An evidence bundle's monthly assessment (月考核): the officers' adjustments and the approval, as the
hub-signed `month.*` acts say them (pure; `hub.audit.bundle` builds and checks the bundle with this).

Which acts a bundle carries (`wanted_acts`): every `month.*` act of the bundle's month on the area
whose monthly assessment lists the inmate (`hub.review.rules.score_areas`), and on every area where
an adjustment of the inmate was entered. Whole areas, not the inmate's acts alone, because an
adjustment or a reopening voids the approvals of its area: with one act of the area left out, the
approvals in force could not be told. Each act is replayed with `hub.audit.months.replay`, the same
replay `floorledger verify` runs on the hub's whole ledger.

What is then checked (`check_assessment`):

- the scenario's adjustments are exactly the inmate's adjustments in force (points and reason as
  signed): an adjustment rewritten, added or dropped is named;
- when the area's month is approved (approvals in force), the bundle carries the area's monthly
  rows as the approval signed them (`hub.review.rules.score_key` of each inmate's score, in the
  page's order): their `rows_digest` must be every approval's signed digest, the inmate's row in
  them must be his monthly line recomputed from the bundle, and the bundle's last day computed and
  rule set must be the approval's signed `inputs.through` and `rule_set`. So a record left out of
  the bundle (or any input changed) changes a number the hub signed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from floorledger.base import i18n
from hub.audit import months as mo
from hub.engine.model import Adjustment, Month, MonthResult
from hub.results import inputs as mi
from hub.review.rules import rows_digest, score_areas, score_key


def wanted_acts(acts: Iterable[mo.Act], month: Month, inmate: str, area: str) -> list[mo.Act]:
    """The month's acts on `area` and on each area where an adjustment of `inmate` was entered."""
    of_month = [a for a in acts if a.month == str(month)]
    areas = {area} | {
        a.area for a in of_month if a.action == mo.ADJUST and str(a.payload.get("inmate")) == inmate
    }
    return [a for a in of_month if a.area in areas]


def inmate_area(
    result: MonthResult,
    inmate: str,
    line_area: Mapping[str, str],
    person_area: Mapping[str, str | None],
    adjusted: Mapping[str, str],
) -> str:
    """The area whose monthly assessment lists the inmate, by the rule the review page uses."""
    return score_areas(result, line_area, person_area, adjusted).get(inmate, "")


def area_rows(
    result: MonthResult,
    area: str,
    line_area: Mapping[str, str],
    person_area: Mapping[str, str | None],
    adjusted: Mapping[str, str],
) -> list[list[str]]:
    """The area's monthly rows as `Assessment.approve` digests them (`MonthView.digest`)."""
    areas = score_areas(result, line_area, person_area, adjusted)
    return [score_key(s) for s in result.monthly if areas[s.inmate] == area]


def in_force(ledgered: mo.Ledgered, month: Month, area: str) -> list[mo.Approval]:
    return [a for a in ledgered.in_force() if (a.act.month, a.act.area) == (str(month), area)]


def signed_through(approval: mo.Approval, month: Month) -> date | None:
    """The last day the approval's numbers were computed through (capped at the month's end), or None
    for an approval that signed no inputs (older hubs)."""
    signed = approval.act.payload.get("inputs")
    if signed is None:
        return None
    cut = mi.cut_of(signed)
    return month.last_day if cut.through is None else min(cut.through, month.last_day)


@dataclass(frozen=True, slots=True)
class Assessed:
    """What a checked bundle says of the monthly assessment, for the report's summary."""

    area: str
    approvals: tuple[str, ...]  # the stages in force
    adjustments: int


def check_assessment(
    findings: list[str],
    acts: Sequence[mo.Act],
    section: Any,
    *,
    month: Month,
    inmate: str,
    through: date,
    rule_set: str,
    adjustments: Sequence[Adjustment],
    monthly: Sequence[list[str]],
) -> Assessed:
    """Append to `findings` every way the bundle's `assessment` section, its scenario's adjustments
    and the inmate's recomputed monthly row (`monthly`: his `score_key`, none if he has no score)
    disagree with the signed acts (see the module docstring)."""
    ledgered = mo.replay(acts)
    findings.extend(ledgered.problems)
    if not isinstance(section, dict) or set(section) != {"area", "rows"}:
        findings.append(_said("m.missing"))
        return Assessed("?", (), 0)
    area = str(section["area"])
    rows = section["rows"]

    signed = sorted(
        (a.inmate, Fraction(a.points), a.reason)
        for a in ledgered.adjustments.values()
        if a.voided_by is None and a.act.month == str(month) and a.inmate == inmate
    )
    given = sorted((a.inmate, a.points, a.reason) for a in adjustments)
    if [a for a in adjustments if a.day is not None]:
        findings.append(_said("m.dated"))
    for item in _less(given, signed):
        findings.append(
            _said("m.unsigned_adjust", inmate=item[0], points=_points(item[1]), reason=repr(item[2]))
        )
    for item in _less(signed, given):
        findings.append(
            _said("m.lacks_adjust", inmate=item[0], points=_points(item[1]), reason=repr(item[2]))
        )

    approvals = in_force(ledgered, month, area)
    if not approvals:
        if rows is not None:
            findings.append(_said("m.rows_unapproved", area=area))
        return Assessed(area, (), len(signed))
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and all(isinstance(v, str) for v in r) for r in rows
    ):
        findings.append(_said("m.no_rows", area=area))
        return Assessed(area, tuple(a.stage for a in approvals), len(signed))
    digest = rows_digest(rows)
    for a in approvals:
        if a.digest != digest:
            findings.append(
                _said(
                    "m.digest",
                    area=area,
                    stage=i18n.Label("verify.stage", a.stage),
                    act=a.act.named(),
                    digest=digest[:16],
                    signed=a.digest[:16],
                )
            )
        try:
            day = signed_through(a, month)
        except (KeyError, TypeError, ValueError, AttributeError):
            findings.append(_said("m.inputs", act=a.act.named()))
            continue
        if a.rule_set != rule_set:
            findings.append(
                _said(
                    "m.rule_set", rules=rule_set, stage=i18n.Label("verify.stage", a.stage), signed=a.rule_set
                )
            )
        if day is not None and day != through:
            findings.append(
                _said("m.through", through=through, stage=i18n.Label("verify.stage", a.stage), day=day)
            )
    mine = [r for r in rows if r and r[0] == inmate]
    if list(monthly) != mine:
        shown = ", ".join(mine[0][1:]) if mine else _said("m.no_row")
        got = ", ".join(monthly[0][1:]) if monthly else _said("m.no_score")
        findings.append(_said("m.row", inmate=inmate, got=got, area=area, shown=shown))
    return Assessed(area, tuple(a.stage for a in approvals), len(signed))


def _less(items: Sequence[Any], minus: Sequence[Any]) -> list[Any]:
    """`items` minus `minus`, as multisets."""
    left = list(minus)
    out = []
    for item in items:
        if item in left:
            left.remove(item)
        else:
            out.append(item)
    return out


def _points(value: Fraction) -> str:
    return f"{'+' if value >= 0 else ''}{value}"


def _said(key: str, /, **values: Any) -> i18n.Text:
    return i18n.Text(f"bundle.v.{key}", **values)
