"""Date and month fields with a calendar: officers may type `2026-10-05` or pick the day.

`date_input` is a text field (typing and pasting still work, and the page's own server-side check of
the text stays the one rule) with a calendar button that opens Quasar's QDate in the officer's
language; the calendar writes the same `YYYY-MM-DD` text. `month_input` does the same for a month
(`YYYY-MM`, the calendar opened on its year and months). The placeholder shows an example, not a
format code.
"""

from __future__ import annotations

import json

from nicegui import ui

from hub.web.texts import t

# Quasar's calendar speaks English unless given a locale
ZH_LOCALE = json.dumps(
    {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "daysShort": ["日", "一", "二", "三", "四", "五", "六"],
        "months": [f"{n}月" for n in range(1, 13)],
        "monthsShort": [f"{n}月" for n in range(1, 13)],
        "firstDayOfWeek": 1,
        "format24h": True,
        "pluralDay": "天",
    },
    ensure_ascii=False,
)


def _calendar(field: ui.input, lang: str, *, month: bool) -> None:
    with field.add_slot("append"):
        icon = ui.icon("event").classes("cursor-pointer").mark("calendar")
        with ui.menu().props("no-parent-event") as menu:
            picker = ui.date(mask="YYYY-MM" if month else "YYYY-MM-DD").bind_value(field)
            if month:
                picker.props('default-view="Months" emit-immediately')
            if lang == "zh":
                picker.props(f":locale='{ZH_LOCALE}'")
            picker.on_value_change(menu.close)
        icon.on("click", menu.open)


def date_input(label: str, lang: str, *, value: str = "") -> ui.input:
    """A day field (`YYYY-MM-DD`) with a calendar."""
    field = ui.input(label, value=value, placeholder=t("web.pick.day_example", lang))
    _calendar(field, lang, month=False)
    return field


def month_input(label: str, lang: str, *, value: str = "") -> ui.input:
    """A month field (`YYYY-MM`) with a calendar on months."""
    field = ui.input(label, value=value, placeholder=t("web.pick.month_example", lang))
    _calendar(field, lang, month=True)
    return field
