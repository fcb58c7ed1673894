"""Small scenario documents and readers shared by the engine's rule tables."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from hub.engine.compute import compute_month
from hub.engine.model import DailyRecord, MonthlyScore, MonthResult
from hub.engine.scenario import load_scenario

Doc = dict[str, Any]
MON = "2026-10-05"  # a Monday


def doc(**changes: Any) -> Doc:
    """One line (480 min), product P with steps A (60 s) and B (120 s), inmates i1..i3 on A, one workday."""
    base: Doc = {
        "month": "2026-10",
        "workdays": [MON],
        "lines": [{"code": "L1", "shift_minutes": 480}],
        "products": [{"code": "P", "steps": ["A", "B"]}],
        "standard_times": [
            {"product": "P", "step": "A", "from": "2026-01-01", "seconds": "60"},
            {"product": "P", "step": "B", "from": "2026-01-01", "seconds": "120"},
        ],
        "inmates": [{"id": "i1"}, {"id": "i2"}, {"id": "i3"}],
        "assignments": [
            {"inmate": i, "line": "L1", "product": "P", "step": "A", "from": "2026-10-01"}
            for i in ("i1", "i2", "i3")
        ],
        "attendance": [{"inmate": i, "date": MON, "present_minutes": 480} for i in ("i1", "i2", "i3")],
        "warehoused": [{"line": "L1", "product": "P", "date": MON, "units": 480}],
    }
    base.update(copy.deepcopy(changes))
    return base


def run(document: Doc) -> MonthResult:
    scenario = load_scenario(document)
    return compute_month(scenario.inputs, scenario.rule_set())


def daily(result: MonthResult, inmate: str, day: str = MON) -> DailyRecord:
    (record,) = [r for r in result.daily if r.inmate == inmate and r.day == date.fromisoformat(day)]
    return record


def monthly(result: MonthResult, inmate: str) -> MonthlyScore:
    (score,) = [m for m in result.monthly if m.inmate == inmate]
    return score


def one_inmate(present: int = 480, excused: int = 0, units: int = 480, **changes: Any) -> Doc:
    """Inmate i1 alone on step A (60 s): 480 units in 480 minutes is exactly 100 %."""
    att: dict[str, Any] = {"inmate": "i1", "date": MON, "present_minutes": present}
    if excused:
        att["excused_minutes"] = excused
    values: dict[str, Any] = {
        "inmates": [{"id": "i1"}],
        "assignments": [{"inmate": "i1", "line": "L1", "product": "P", "step": "A", "from": "2026-10-01"}],
        "attendance": [att],
        "warehoused": [{"line": "L1", "product": "P", "date": MON, "units": units}],
    }
    values.update(changes)
    return doc(**values)
