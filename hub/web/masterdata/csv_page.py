"""CSV import of inmates and of standard times: upload, preview, line-numbered errors, confirm.

Nothing changes on upload. The officer sees every row and every error ("第 3 行: 标准工时必须大于
0"); the confirm button does something only when the whole file is valid, and then the file is checked
again against the data as it is at that moment and applied in one transaction: all rows (each one its
own ledger entry, actor = the officer) or none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from nicegui import events, run, ui

from hub.accounts import Principal, Role
from hub.ledger.entries import LedgerError
from hub.masterdata import csv_import
from hub.masterdata import service as md
from hub.masterdata.checks import MasterDataError
from hub.store.db import write_transaction
from hub.store.masterdata import Area, Inmate, Step
from hub.web import guard
from hub.web.context import WebContext
from hub.web.masterdata.common import EDIT_ROLES, LABOR_ONLY, problem, table, tabs
from hub.web.masterdata.texts import t

TITLE_IMPORT = "md.title.import"
INMATES = "inmates"
STANDARD_TIMES = "standard_times"
KIND_ROLES = {INMATES: EDIT_ROLES, STANDARD_TIMES: LABOR_ONLY}


def check_file(kind: str, data: bytes, who: Principal) -> csv_import.CsvResult[Any]:
    """Parse and check an uploaded file against the master data as it is now."""
    if kind == INMATES:
        return csv_import.parse_inmates(
            data,
            existing_ids={i.id for i in Inmate.select(Inmate.id)},
            areas={a.code for a in Area.select(Area.code)},
            allowed_area=None if who.role is Role.LABOR_SECTION else (who.area or ""),
        )
    return csv_import.parse_standard_times(
        data, steps={(s.product, s.code) for s in Step.select(Step.product, Step.code)}
    )


def apply_file(
    store: md.MasterData, db: Any, kind: str, data: bytes, who: Principal
) -> csv_import.CsvResult[Any]:
    """Check the file again and, if every line is valid, apply all of it in one transaction."""
    with write_transaction(db):
        result = check_file(kind, data, who)
        if not result.ok:
            return result
        for _, row in result.rows:
            if kind == INMATES:
                store.add_inmate(
                    who,
                    row.id,
                    number=row.number,
                    name=row.name,
                    quota_pct=row.quota_pct,
                    area=row.area,
                )
            else:
                store.set_standard_time(
                    who,
                    row.product,
                    row.step,
                    row.seconds,
                    valid_from=row.valid_from,
                    reason=row.reason,
                )
    return result


@dataclass
class _Upload:
    kind: str = INMATES
    data: bytes | None = None
    result: csv_import.CsvResult[Any] | None = None
    columns: tuple[str, ...] = field(default=csv_import.INMATE_COLUMNS)


def register_masterdata_import(ctx: WebContext, store: md.MasterData) -> None:
    @guard.dashboard_page(ctx, "/masterdata/import", roles=EDIT_ROLES, title_key=TITLE_IMPORT)
    def import_page(who: Principal) -> None:
        lang = guard.language()
        tabs(lang)
        state = _Upload()
        kinds = {INMATES: t("md.import.inmates", lang)}
        if who.role in LABOR_ONLY:
            kinds[STANDARD_TIMES] = t("md.import.standard_times", lang)

        def columns_of(kind: str) -> tuple[str, ...]:
            return csv_import.INMATE_COLUMNS if kind == INMATES else csv_import.STANDARD_TIME_COLUMNS

        @ui.refreshable
        def preview() -> None:
            # each column the file must have, by its code (what the header row says) and its meaning
            named = "、".join(f"{c}({t(f'md.f.{_label(c)}', lang)})" for c in columns_of(state.kind))
            ui.label(t("md.import.columns", lang, columns=named)).mark("import-columns")
            result = state.result
            if result is None:
                return
            if result.errors:
                ui.label(t("md.import.invalid", lang, count=len(result.errors))).classes(
                    "text-negative"
                ).mark("import-invalid")
                with ui.column().mark("import-errors"):
                    for error in result.errors:
                        ui.label(error.text(lang)).classes("text-negative").mark("import-error")
            ui.label(t("md.import.preview", lang, count=len(result.rows))).mark("import-count")
            table(
                "import-preview",
                [("line", "md.csv.line_no"), *((c, f"md.f.{_label(c)}") for c in columns_of(state.kind))],
                [{"line": line, **_cells(row)} for line, row in result.rows],
                lang,
            )

        def choose(kind: str) -> None:
            state.kind, state.data, state.result = kind, None, None
            preview.refresh()

        ui.select(
            kinds, value=INMATES, label=t("md.f.kind", lang), on_change=lambda e: choose(e.value)
        ).classes("w-48").mark("import-kind")

        async def uploaded(event: events.UploadEventArguments) -> None:
            actor = guard.current_principal(ctx)
            if actor is None or actor.role not in KIND_ROLES[state.kind]:
                ui.notify(t("web.refused", lang), type="negative")
                return
            data = await event.file.read()
            state.data = data
            state.result = await run.io_bound(check_file, state.kind, data, actor)
            preview.refresh()

        ui.upload(
            label=t("md.import.upload", lang),
            auto_upload=True,
            max_file_size=csv_import.MAX_FILE_BYTES,
            on_upload=uploaded,
        ).props('accept=".csv,text/csv"').mark("import-upload")
        preview()

        async def confirm(actor: Principal) -> None:
            if actor.role not in KIND_ROLES[state.kind]:
                ui.notify(t("web.refused", lang), type="negative")
                return
            if state.data is None or state.result is None or not state.result.ok:
                ui.notify(t("md.import.nothing", lang), type="warning")
                return
            try:
                result = await run.io_bound(apply_file, store, ctx.db, state.kind, state.data, actor)
            except (MasterDataError, LedgerError) as err:
                problem(lang, err)
                return
            if result is None:  # shutting down
                return
            state.result = result
            if not result.ok:  # the data changed since the preview: show the new errors, change nothing
                preview.refresh()
                return
            ui.notify(t("md.import.done", lang, count=len(result.rows)), type="positive")
            state.data, state.result = None, None
            preview.refresh()

        ui.button(t("md.import.confirm", lang), on_click=guard.guarded_action(ctx, EDIT_ROLES, confirm)).mark(
            "import-confirm"
        )


def _label(column: str) -> str:
    return {"id": "inmate_id"}.get(column, column)


def _cells(row: Any) -> dict[str, Any]:
    return {k: ("" if v is None else v) for k, v in asdict(row).items()}
