"""`floorledger verify`, the master-data section: every row of every master-data table against the
rows the hub-signed acts make (`hub.masterdata.replay`).

Master data is not signed row by row, but no row is written without an officer's act in the same
transaction (docs/masterdata.md). So each table must be exactly what replaying those acts gives: a
row no act made (inserted in SQL), a row an act made that is gone (deleted), and each column that
differs (edited) is a finding naming the table, the row's key, the column, the stored value and the
signed one. An act whose hub signature fails makes nothing here (the ledger section reports it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Any

from floorledger.base import i18n
from hub.audit.kiosk_capture import check_kiosk_capture
from hub.audit.report import Section, short
from hub.ledger.entries import EntryContent, EntryRow, LedgerError, parse_entry
from hub.masterdata.replay import (
    ACTIONS,
    LEGACY_SLACK_MS,
    TABLES,
    Key,
    MasterState,
    TakenBefore,
    Unsigned,
    column,
    key_said,
    matches,
    replay,
    table_label,
)
from hub.store.capture import Deduction, Evidence
from hub.store.schema import ANALYTICS_MODELS, CAPTURE_MODELS, MASTERDATA_MODELS
from protocol.errors import ProtocolError
from protocol.signing import Verifier

TITLE = "master data (re-derived from the signed acts)"


def signed_master_acts(ledger_rows: Iterable[EntryRow], hub_key: Verifier | None) -> list[EntryContent]:
    """The master-data acts as their frames say (not the columns), in ledger order, each signed by the
    hub (without a key: unchecked, and the report says so)."""
    acts: list[EntryContent] = []
    for row in ledger_rows:
        try:
            # every frame is parsed: the action column is not trusted to pick them (the ledger section
            # reports a column that disagrees with its frame)
            content, data, signature = parse_entry(row.frame)
            if content.action not in ACTIONS:
                continue
            if hub_key is not None:
                hub_key.verify(data, signature)
        except (LedgerError, ProtocolError):
            continue
        acts.append(content)
    return acts


def check_masterdata(ledger_rows: Sequence[EntryRow], hub_key: Verifier | None, section: Section) -> None:
    """Compare every master-data table with the replayed acts; the tables must be bound."""
    state = replay(signed_master_acts(ledger_rows, hub_key))
    section.findings.extend(state.problems)
    for model in (*MASTERDATA_MODELS, *CAPTURE_MODELS, *ANALYTICS_MODELS):
        table = model._meta.table_name
        spec = TABLES.get(table)
        if spec is None:  # a new master-data table that replay does not know yet: never silently skip
            section.findings.append(i18n.Text("md.v.not_replayed", table=table_label(table)))
            continue
        if not model.table_exists():  # type: ignore[no-untyped-call]
            expected = state.rows(table)
            if expected:
                section.findings.append(
                    i18n.Text("md.v.no_table", table=table_label(table), count=len(expected))
                )
            continue
        fields = [getattr(model, column) for column in spec.columns]
        stored = {
            tuple(values[spec.columns.index(k)] for k in spec.key): values
            for values in model.select(*fields).tuples().iterator()
        }
        _compare(table, spec.columns, stored, state, section)
    _check_evidence(section)
    check_kiosk_capture(ledger_rows, hub_key, section)


def _check_evidence(section: Section) -> None:
    """Deduction evidence is kept under the SHA-256 of its bytes, which the deduction's act signs: a
    file whose bytes no longer hash to its key, or a signed hash with no file, is a finding."""
    if not Evidence.table_exists():  # type: ignore[no-untyped-call]
        return
    for sha256, content in Evidence.select(Evidence.sha256, Evidence.content).tuples().iterator():
        section.checked += 1
        if hashlib.sha256(bytes(content)).hexdigest() != sha256:
            section.findings.append(i18n.Text("md.v.evidence_changed", sha256=sha256))
    kept = {str(sha) for (sha,) in Evidence.select(Evidence.sha256).tuples().iterator()}
    wanted = Deduction.select(Deduction.id, Deduction.evidence).where(Deduction.evidence.is_null(False))
    for deduction, sha256 in wanted.tuples().iterator():
        if sha256 not in kept:
            section.findings.append(i18n.Text("md.v.evidence_missing", sha256=sha256, deduction=deduction))


def _compare(
    table: str,
    columns: Sequence[str],
    stored: dict[Key, tuple[Any, ...]],
    state: MasterState,
    section: Section,
) -> None:
    expected = state.rows(table)
    for key in sorted(set(stored) | set(expected), key=_sort_key):
        section.checked += 1
        row = i18n.Text("md.v.row", table=table_label(table), key=key_said(table, key))
        have, want = stored.get(key), expected.get(key)
        if want is None:
            section.findings.append(i18n.Text("md.v.extra", row=row))
            continue
        if have is None:
            section.findings.append(i18n.Text("md.v.missing", row=row, entry=want.entry))
            continue
        for name, value in zip(columns, have, strict=True):
            signed = want.values[name]
            if not matches(signed, value):
                section.findings.append(
                    i18n.Text(
                        "md.v.column",
                        row=row,
                        column=column(name),
                        stored=short(value),
                        signed=_signed(signed),
                        entry=want.entry,
                    )
                )


def _signed(value: Any) -> Any:
    """A signed value as the report shows it; the stand-ins of older acts in the reader's language."""
    if isinstance(value, TakenBefore):
        return i18n.Text("md.v.taken_before", low=value.hub_ms - LEGACY_SLACK_MS, high=value.hub_ms)
    if isinstance(value, Unsigned):
        return i18n.Text("md.v.unsigned")
    return short(value)


def _sort_key(key: Key) -> tuple[tuple[bool, str], ...]:
    # keys may hold None (a site-wide workday) and mixed types: sort on text, None first
    return tuple((part is not None, str(part)) for part in key)
