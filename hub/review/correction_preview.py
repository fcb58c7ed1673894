"""What a correction would change before anyone approves it (#19): every inmate of the line-day whose
credit moves, not only the one whose record is corrected.

Credit on a step is shared: the warehoused units of a (line, product, step) are split over its
holders' counts, so correcting one inmate's count (or a warehoused lot) moves his line-mates' credit
too. The preview runs the engine twice on the month's inputs, as they are and with the one correction
applied the way an approved correction is (`hub.results.facts.apply_hub_corrections`), and lists the
differences. Pure: the caller reads the month input (`hub.results.inputs.month_input`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from fractions import Fraction

from hub.engine.compute import MonthIndex, compute_line_day
from hub.engine.errors import EngineError
from hub.engine.model import MonthInput, RuleSet
from hub.results import facts as fx


@dataclass(frozen=True, slots=True, kw_only=True)
class CreditChange:
    """One inmate's credit that day (units done) now and after the correction."""

    inmate: str
    before: Fraction
    after: Fraction


def _done(inputs: MonthInput, rule_set: RuleSet, line: str, day: date) -> dict[str, Fraction]:
    out: dict[str, Fraction] = {}
    for record in compute_line_day(MonthIndex(inputs, rule_set), line, day).records:
        out[record.inmate] = out.get(record.inmate, Fraction(0)) + record.done_units
    return out


def credit_changes(
    inputs: MonthInput, rule_set: RuleSet, line: str, day: date, correction: fx.HubCorrection
) -> list[CreditChange]:
    """Every inmate on `line` that `day` whose credit differs once `correction` applies, by inmate id;
    empty when nobody's credit moves (or the day cannot be computed either way)."""
    facts = fx.Facts(attendance=inputs.attendance, counts=inputs.counts, warehoused=inputs.warehoused)
    changed = fx.apply_hub_corrections(facts, [correction])
    if changed.ignored:  # the value it corrects is no longer there: nothing would change
        return []
    after_inputs = replace(
        inputs, attendance=changed.attendance, counts=changed.counts, warehoused=changed.warehoused
    )
    try:
        before = _done(inputs, rule_set, line, day)
        after = _done(after_inputs, rule_set, line, day)
    except EngineError:
        return []
    zero = Fraction(0)
    return [
        CreditChange(inmate=inmate, before=before.get(inmate, zero), after=after.get(inmate, zero))
        for inmate in sorted(set(before) | set(after))
        if before.get(inmate, zero) != after.get(inmate, zero)
    ]
