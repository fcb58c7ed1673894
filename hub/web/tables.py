"""Every list on the dashboard: sortable columns, a search box, and paging, the same everywhere.

`data_table` is NiceGUI's `ui.table` (Quasar's QTable) with three things every officers' list needs:
each column sorts (numbers as numbers, not as text: "27.0" after "100.0" would mislead), a search
box above it that filters on any cell, and pages of `page_size` rows with a rows-per-page choice.
All of it runs in the browser on rows the page already holds (which the server has scoped), so the
server-side checks stay where they are. Cells are text (Quasar renders them as text, never HTML).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from nicegui import ui

from hub.web.texts import t

PAGE_SIZE = 50  # a line's inmates on one page; an area's in two or three
SEARCH_FROM = 10  # fewer rows than this need no search box
# Numbers compare as numbers; "—" and empty cells sort below every number.
NUMERIC_SORT = (
    "(a, b) => { const n = (v) => { const x = parseFloat(String(v).replace('%', ''));"
    " return isNaN(x) ? -Infinity : x; }; return n(a) - n(b); }"
)


def is_numeric(values: Sequence[Any]) -> bool:
    """Whether a column holds numbers (or percentages, or "—" for missing) and at least one number."""
    seen = False
    for value in values:
        if value is None or value in ("", "—"):
            continue
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float | Decimal):
            seen = True
            continue
        try:
            Decimal(str(value).removesuffix("%").replace("+", "", 1))
        except InvalidOperation:
            return False
        seen = True
    return seen


def data_table(
    *,
    columns: Sequence[Mapping[str, Any]],
    rows: Sequence[Mapping[str, Any]],
    lang: str,
    row_key: str = "id",
    page_size: int = PAGE_SIZE,
    links: Mapping[str, str] | None = None,
) -> ui.table:
    """A sortable, searchable, paged table of `rows`; returns the table (mark it as any `ui.table`).

    `links` makes cells links: {column name: the row field holding the address}, e.g. a name that
    opens the inmate page. The address comes from the server's rows, the cell text stays text."""
    sortable = []
    for column in columns:
        spec = {"sortable": True, "align": "left", **column}
        if is_numeric([row.get(spec["field"]) for row in rows]):
            spec.setdefault(":sort", NUMERIC_SORT)
            spec["align"] = column.get("align", "right")
        sortable.append(spec)
    keyed = [dict(r) for r in rows]
    search = None
    if len(rows) >= SEARCH_FROM:
        search = (
            ui.input(placeholder=t("web.table.search", lang))
            .props("dense outlined clearable")
            .classes("w-64")
            .mark("table-search")
        )
    table = ui.table(
        columns=sortable,
        rows=keyed,
        row_key=row_key,
        pagination={"rowsPerPage": page_size},
    ).props(
        f'rows-per-page-label="{t("web.table.per_page", lang)}" no-data-label="{t("web.table.empty", lang)}" '
        f'no-results-label="{t("web.table.no_match", lang)}" :rows-per-page-options="[10, 25, 50, 100, 0]"'
    )
    if search is not None:
        search.bind_value(table, "filter")
    for name, href in (links or {}).items():
        cell = f'<a :href="props.row.{href}" class="text-primary">{{{{ props.value }}}}</a>'
        table.add_slot(f"body-cell-{name}", f'<q-td :props="props">{cell}</q-td>')
    return table
