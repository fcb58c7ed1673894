"""The engine's view of master-data rows (pure): lines, products with their steps, standard times,
inmates with their labor exemptions, posts (counted, rated, training), workdays and the site's rule
book, from rows given as column -> value mappings.

`hub.masterdata.queries` hands these functions the tables' rows (in its SQL order); an evidence
bundle's check (`hub.audit.bundle_master`) hands them the rows `hub.masterdata.replay` rebuilds from
the hub-signed acts. One conversion for both, so a bundle's master data is read as the hub reads it.
Rows are used in the order given.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from hub.engine.model import Assignment as EngineAssignment
from hub.engine.model import ExemptPeriod, Month
from hub.engine.model import Inmate as EngineInmate
from hub.engine.model import Line as EngineLine
from hub.engine.model import Product as EngineProduct
from hub.engine.model import StandardTime as EngineStandardTime
from hub.engine.rules import DEFAULT_RULE_BOOK, RuleBook, RuleVersion, parse_changes
from hub.masterdata.checks import fraction

Row = Mapping[str, Any]


def lines(rows: Iterable[Row]) -> tuple[EngineLine, ...]:
    return tuple(EngineLine(code=x["code"], shift_minutes=fraction(x["shift_minutes"])) for x in rows)


def products(rows: Iterable[Row], steps: Iterable[Row]) -> tuple[EngineProduct, ...]:
    """Products with their step codes (`steps` in position order); a product without steps is left out."""
    codes: dict[str, list[str]] = {}
    for s in steps:
        codes.setdefault(s["product"], []).append(s["code"])
    return tuple(
        EngineProduct(code=p["code"], steps=tuple(codes[p["code"]])) for p in rows if codes.get(p["code"])
    )


def standard_times(rows: Iterable[Row]) -> tuple[EngineStandardTime, ...]:
    return tuple(
        EngineStandardTime(
            product=s["product"],
            step=s["step"],
            valid_from=date.fromisoformat(s["valid_from"]),
            seconds=fraction(s["seconds"]),
        )
        for s in rows
    )


def exempt_periods(rows: Iterable[Row]) -> dict[str, tuple[ExemptPeriod, ...]]:
    """Inmate id -> labor-exemption periods (md_exemption rows), in the order given."""
    out: dict[str, list[ExemptPeriod]] = {}
    for x in rows:
        out.setdefault(x["inmate"], []).append(
            ExemptPeriod(
                valid_from=date.fromisoformat(x["valid_from"]),
                valid_to=None if x["valid_to"] is None else date.fromisoformat(x["valid_to"]),
            )
        )
    return {inmate: tuple(periods) for inmate, periods in out.items()}


def inmates(rows: Iterable[Row], exemptions: Iterable[Row] = ()) -> tuple[EngineInmate, ...]:
    """Inmates with their labor-exemption periods (`exemptions`: md_exemption rows)."""
    periods = exempt_periods(exemptions)
    return tuple(
        EngineInmate(
            id=i["id"],
            name=i["name"],
            quota_pct=fraction(i["quota_pct"]),
            labor_exempt=periods.get(i["id"], ()),
        )
        for i in rows
    )


def assignment(a: Row) -> EngineAssignment:
    """A post row as the engine takes it: counted on (product, step), or rated on a post; training or not."""
    rated = a.get("mode") == "rated"
    return EngineAssignment(
        inmate=a["inmate"],
        line=a["line"],
        product="" if rated else a["product"],
        step="" if rated else a["step"],
        valid_from=date.fromisoformat(a["valid_from"]),
        valid_to=None if a["valid_to"] is None else date.fromisoformat(a["valid_to"]),
        mode="rated" if rated else "counted",
        post=str(a.get("post") or "") if rated else "",
        training=bool(a.get("training")),
    )


def overlaps(a: Row, first: date, last: date) -> bool:
    """Whether a post row covers a day of [first, last]."""
    ends = a["valid_to"]
    return bool(a["valid_from"] <= last.isoformat() and (ends is None or ends >= first.isoformat()))


def workdays(rows: Iterable[Row], first: date, last: date, line: str | None = None) -> list[date]:
    """Workdays between two dates (inclusive): site-wide ones, plus `line`'s own if a line is given;
    with `line=None`, every date on which any line works."""
    days = {
        date.fromisoformat(w["day"])
        for w in rows
        if first.isoformat() <= w["day"] <= last.isoformat()
        and (line is None or w["line"] is None or w["line"] == line)
    }
    return sorted(days)


def rule_book(rows: Iterable[Row]) -> RuleBook:
    """The rule book's defaults with the site's versions layered on (`rows` oldest `from` first)."""
    versions = []
    for v in rows:
        parameters = v["parameters"]
        changes = parse_changes(
            json.loads(parameters) if isinstance(parameters, str) else parameters, f"rule set {v['version']}"
        )
        start = Month.parse(v["valid_from"])
        versions.append(RuleVersion(version=v["version"], valid_from=start, changes=changes))
    return DEFAULT_RULE_BOOK.then(RuleBook(versions=tuple(versions)))
