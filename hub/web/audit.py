"""Audit (/audit, 审计): the hub's ledger and checkpoints, "verify now", the hub's public key and the
per-inmate evidence bundle download.

Labor section and admin use everything; area heads may read the ledger and checkpoints; line
officers are refused. "Verify now" runs `hub.audit.verify.verify_database` (the check `floorledger verify`
runs, on one snapshot of the database) in a worker thread and shows its report as text in the
officer's language; daily results still being computed are shown as pending, not as problems.
A bundle is made like `floorledger bundle`:
with the hub's key at hand a fresh checkpoint is signed first, so every record stored so far is
covered; the act is written to the ledger (`audit.bundle`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TypedDict

import peewee
from nicegui import run, ui

from floorledger import keyfile
from floorledger.base.errors import CliError
from hub.accounts import Principal, Role
from hub.app import checkpoint_log
from hub.audit import bundle as bd
from hub.audit import bundle_private as bp
from hub.audit.verify import verify_database
from hub.engine.errors import EngineError
from hub.engine.model import Month
from hub.errors import HubError
from hub.ledger.entries import LedgerError, parse_entry
from hub.ledger.texts import action_label
from hub.store.ledger import LedgerEntry, StoredCheckpoint
from hub.web import guard
from hub.web.audit_texts import tr
from hub.web.context import WebContext
from hub.web.frame import add_nav
from hub.web.people import inmate_labels, officer_labels
from hub.web.tables import data_table
from protocol.errors import ProtocolError
from protocol.signing import Signer, Verifier, b64decode, fingerprint

log = logging.getLogger(__name__)

READERS = frozenset({Role.AREA_HEAD, Role.LABOR_SECTION, Role.ADMIN})
AUDITORS = frozenset({Role.LABOR_SECTION, Role.ADMIN})
PAGE_SIZE = 25
BUNDLE_ACT = "audit.bundle"


def _signer_of(ctx: WebContext, given: Signer | None) -> Signer | None:
    """The hub's key: given by the caller, else the configured key file; None when neither is there."""
    if given is not None:
        return given
    key_file = getattr(ctx.config, "key_file", None)
    if key_file is None:
        return None
    try:
        return keyfile.load(key_file)
    except CliError as err:
        log.warning("audit page: the hub key cannot be read: %s", err)
        return None


class LedgerRow(TypedDict):
    """One line of the ledger table; `state` is "ok", "bad" or "unknown" (no hub key to check with)."""

    index: int
    hub_ms: int
    actor: str
    action: str
    subject: str
    state: str


def ledger_page(page: int, verifier: Verifier | None, lang: str = "zh") -> tuple[list[LedgerRow], int]:
    """Rows of one ledger page (newest first) with each entry's signature state, and the page count."""
    total = LedgerEntry.select().count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    query = LedgerEntry.select().order_by(LedgerEntry.entry_index.desc()).paginate(page, PAGE_SIZE)
    rows: list[LedgerRow] = []
    people, officers = inmate_labels(), officer_labels(lang)  # number and name, name and rank
    for e in query:
        state = "unknown"
        if verifier is not None:
            try:
                _, data, signature = parse_entry(bytes(e.frame))
                verifier.verify(data, signature)
                state = "ok"
            except (LedgerError, ProtocolError):
                state = "bad"
        rows.append(
            {
                "index": e.entry_index,
                "hub_ms": e.hub_ms,
                "actor": officers.get(e.actor, e.actor),
                "action": action_label(e.action).text(lang),
                "subject": subject_text(e.subject, people, officers),
                "state": state,
            }
        )
    return rows, pages


def subject_text(subject: str, people: dict[str, str], officers: dict[str, str]) -> str:
    """An act's subject as people read it: an inmate (also "inmate@day") by prison number and name,
    an officer by name and rank; anything else (a line, a month, a kiosk) as it is."""
    head, at, rest = subject.partition("@")
    shown = people.get(head) or officers.get(head) or head
    return f"{shown}{at}{rest}"


def register_audit(ctx: WebContext, *, hub_signer: Signer | None = None) -> None:
    """Mount /audit; `hub_signer` is the hub's key (default: `ctx.config.key_file`, when configured)."""
    signer = _signer_of(ctx, hub_signer)
    verifier = None if signer is None else Verifier(b64decode(signer.public_key_b64), hub=True)
    add_nav("audit.nav", "/audit", READERS)

    def when(ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, ctx.zone).strftime("%Y-%m-%d %H:%M:%S")

    @guard.dashboard_page(ctx, "/audit", roles=READERS, title_key="audit.title")
    async def audit_page(who: Principal, page: str = "1") -> None:
        lang = guard.language()
        ui.label(tr("audit.key", lang)).classes("text-h6")
        if signer is None:
            ui.label(tr("audit.key.missing", lang)).mark("hub-key-missing")
        else:
            ui.label(signer.public_key_b64).classes("font-mono").mark("hub-key")
            ui.label(tr("audit.fingerprint", lang, fp=fingerprint(b64decode(signer.public_key_b64)))).mark(
                "hub-fingerprint"
            )
            ui.label(tr("audit.key.hint", lang)).classes("text-grey-7")

        if who.role in AUDITORS:
            _verify_section(lang)
            _bundle_section(lang)

        ui.label(tr("audit.checkpoints", lang)).classes("text-h6")
        stored = list(StoredCheckpoint.select().order_by(StoredCheckpoint.id.desc()).limit(10))
        if not stored:
            ui.label(tr("audit.none", lang)).mark("checkpoints-empty")
        data_table(
            lang=lang,
            columns=[
                {"name": "time", "label": tr("audit.col.time", lang), "field": "time", "align": "left"},
                {"name": "size", "label": tr("audit.col.size", lang), "field": "size"},
                {"name": "root", "label": tr("audit.col.root", lang), "field": "root", "align": "left"},
            ],
            rows=[{"time": when(c.hub_ms), "size": c.tree_size, "root": c.root} for c in stored],
        ).classes("w-full").mark("checkpoints")

        try:
            number = int(page)
        except ValueError:
            number = 1
        rows, pages = ledger_page(number, verifier, lang)
        number = min(max(1, number), pages)
        ui.label(tr("audit.ledger", lang)).classes("text-h6")
        signature_text = {
            "ok": tr("audit.sig.ok", lang),
            "bad": tr("audit.sig.bad", lang),
            "unknown": tr("audit.sig.unknown", lang),
        }
        data_table(
            lang=lang,
            columns=[
                {"name": "index", "label": tr("audit.col.index", lang), "field": "index"},
                {"name": "time", "label": tr("audit.col.time", lang), "field": "time", "align": "left"},
                {"name": "actor", "label": tr("audit.col.actor", lang), "field": "actor", "align": "left"},
                {"name": "action", "label": tr("audit.col.action", lang), "field": "action", "align": "left"},
                {
                    "name": "subject",
                    "label": tr("audit.col.subject", lang),
                    "field": "subject",
                    "align": "left",
                },
                {"name": "signature", "label": tr("audit.col.signature", lang), "field": "signature"},
            ],
            rows=[{**r, "time": when(r["hub_ms"]), "signature": signature_text[r["state"]]} for r in rows],
            row_key="index",
        ).classes("w-full").mark("ledger")
        with ui.row().classes("items-center"):
            if number > 1:
                ui.link(tr("audit.prev", lang), f"/audit?page={number - 1}").mark("ledger-prev")
            ui.label(tr("audit.page", lang, page=number, pages=pages)).mark("ledger-page")
            if number < pages:
                ui.link(tr("audit.next", lang), f"/audit?page={number + 1}").mark("ledger-next")

    def _verify_section(lang: str) -> None:
        output = ui.column().classes("w-full")

        async def verify_now(_who: Principal) -> None:
            output.clear()
            with output:
                ui.label(tr("audit.verifying", lang)).mark("verify-running")
            report = await run.io_bound(verify_database, ctx.db, verifier, workers=1)
            if report is None:  # the page was left while checking
                return
            output.clear()
            with output:
                key = "audit.verified" if report.ok else "audit.not_verified"
                colour = "text-positive" if report.ok else "text-negative"
                ui.label(tr(key, lang)).classes(f"text-h6 {colour}").mark("verify-state")
                waiting = report.pending()
                if waiting:  # not findings: the results worker had not caught up at the snapshot
                    ui.label(tr("audit.pending", lang, count=len(waiting))).classes("text-grey-8").mark(
                        "verify-pending"
                    )
                # a label, not ui.code/markdown: the report quotes stored values, shown only as text;
                # in the officer's language (section titles, verdict and each kind of finding)
                ui.label(report.render(lang)).classes("w-full whitespace-pre-wrap font-mono").mark(
                    "verify-report"
                )

        ui.button(tr("audit.verify", lang), on_click=guard.guarded_action(ctx, AUDITORS, verify_now)).mark(
            "verify"
        )

    def _bundle_section(lang: str) -> None:
        ui.label(tr("audit.bundle", lang)).classes("text-h6")
        with ui.row().classes("items-end"):
            inmate_in = ui.input(tr("audit.inmate", lang)).props("maxlength=64").mark("bundle-inmate")
            month_in = ui.input(tr("audit.month", lang), value=str(Month.of(ctx.today()))).mark(
                "bundle-month"
            )
            # private by default: a parole file need not carry line-mates' names and counts
            full_in = ui.checkbox(tr("audit.bundle_full", lang), value=False).mark("bundle-full")

        async def download(who: Principal) -> None:
            inmate = str(inmate_in.value or "").strip()
            if not inmate or len(inmate) > 64:
                ui.notify(tr("audit.err.inmate", lang), type="warning")
                return
            try:
                month = Month.parse(str(month_in.value or "").strip())
            except ValueError:
                ui.notify(tr("audit.err.month", lang), type="warning")
                return
            try:
                data = await run.io_bound(_make_bundle, inmate, month, not full_in.value)
            except (HubError, EngineError) as err:
                why = err.text(lang) if isinstance(err, HubError) else str(err)
                ui.notify(tr("audit.err.bundle", lang, why=why), type="negative")
                return
            except peewee.OperationalError as err:  # e.g. still locked after the busy timeout: say so
                log.warning("evidence bundle for %s %s not made: %s", inmate, month, err)
                ui.notify(tr("audit.err.busy", lang), type="negative")
                return
            if data is None:
                return
            private = not full_in.value
            ctx.record_act(
                who.username, BUNDLE_ACT, inmate, {"inmate": inmate, "month": str(month), "private": private}
            )
            ui.download.content(data, f"evidence-{inmate}-{month}{'' if private else '-full'}.json")

        ui.button(tr("audit.download", lang), on_click=guard.guarded_action(ctx, AUDITORS, download)).mark(
            "bundle-download"
        )

    def _make_bundle(inmate: str, month: Month, private: bool) -> bytes:
        through = min(month.last_day, ctx.today())
        if private and signer is None:  # the private bundle's merged sums are vouched for by the hub's key
            raise HubError("audit.err.no_key_private")
        with ctx.db.connection_context():
            if signer is not None:
                log = ctx.checkpoints or checkpoint_log(ctx.db, signer, clock_ms=ctx.clock, site=ctx.site)
                log.make_checkpoint()
            if private and signer is not None:
                document = bp.build_private_bundle(
                    ctx.db, inmate=inmate, month=month, signer=signer, through=through
                )
            else:
                document = bd.build_bundle(ctx.db, inmate=inmate, month=month, through=through)
        return bd.bundle_text(document).encode("utf-8")
