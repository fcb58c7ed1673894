"""The rule-set form's fields for rule book version 2 (shared/spec/labor-assessment.md, "Version-2
parameters"): which book, the rating grades' percentages, the training ramp, the additions cap and
the deduction categories with their ranges. A blank field leaves the parameter as it is.

The fields only shape what was typed into the rules file form (`hub.engine.rules.value_json`); the
values themselves (ascending ramp, ranges, percentages) are checked by the engine's own parser in
`MasterData.add_rule_set_version`, whose message names the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from nicegui import ui

from hub.engine.model import GRADES
from hub.masterdata import csv_import as check
from hub.web.masterdata.texts import t

_RAMP = re.compile(r"(\d+)\s*:\s*(\d+(?:\.\d+)?)")
_CATEGORY = re.compile(r"(\S+)\s+(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)")


def v2_fields(lang: str) -> Callable[[], dict[str, Any]]:
    """Draw the fields; the returned function reads them (FieldError for a malformed one)."""
    ui.label(t("md.rule_v2", lang)).classes("text-subtitle1")
    books = {"": t("md.f.unchanged", lang), "v1": t("md.f.book_v1", lang), "v2": t("md.f.book_v2", lang)}
    with ui.row().classes("items-end"):
        book = ui.select(books, value="", label=t("md.f.rule_book", lang)).classes("w-40").mark("rs-book")
        grades = {
            g: ui.input(t("md.f.grade_pct", lang, grade=g)).classes("w-32").mark(f"rs-grade-{g}")
            for g in GRADES
        }
        cap = ui.input(t("md.f.additions_cap", lang)).classes("w-48").mark("rs-cap")
    ramp = ui.input(t("md.f.training_ramp", lang)).classes("w-96").mark("rs-ramp")
    categories = ui.textarea(t("md.f.deduction_categories", lang)).classes("w-96").mark("rs-categories")

    def read() -> dict[str, Any]:
        out: dict[str, Any] = {}
        if book.value:
            out["rule_book"] = book.value
        typed = {g: (field.value or "").strip() for g, field in grades.items()}
        if any(typed.values()):
            if not all(typed.values()):
                raise check.FieldError("md.err.grades")
            out["rating_pct"] = typed
        if (cap.value or "").strip():
            out["additions_cap_pct"] = cap.value.strip()
        if (ramp.value or "").strip():
            steps = []
            for part in ramp.value.split(","):
                match = _RAMP.fullmatch(part.strip())
                if match is None:
                    raise check.FieldError("md.err.ramp")
                steps.append({"days": int(match[1]), "pct": match[2]})
            out["training_ramp"] = steps
        if (categories.value or "").strip():
            ranges: dict[str, dict[str, str]] = {}
            for line in categories.value.splitlines():
                if not line.strip():
                    continue
                match = _CATEGORY.fullmatch(line.strip())
                if match is None:
                    raise check.FieldError("md.err.categories")
                ranges[match[1]] = {"min": match[2], "max": match[3]}
            out["deduction_categories"] = ranges
        return out

    return read
