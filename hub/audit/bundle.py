"""Evidence bundles: one inmate's month as one JSON file that anyone can check offline.

A bundle is for a commutation or parole file (减刑、假释案卷). It holds, for one inmate and month:

- `checkpoint`: one hub-signed Merkle checkpoint (`protocol.messages.Checkpoint`);
- `records`: the signed kiosk records (frames, verbatim) the month's computation of this inmate
  rests on, each with its leaf index and audit path against that checkpoint (see `_wanted_records`
  for exactly which, and why other people's records are among them);
- `ledger`: hub-signed ledger entries with their proofs: the enrollment, key rotations and revocation
  of every kiosk that signed one of the records, approved dashboard corrections (`record.correct`)
  on the inmate's line-days, the master-data acts of the scope (`hub.audit.bundle_master`) and the
  month's `month.*` acts of the inmate's area (`hub.audit.bundle_months`);
- `through`: the last day computed; `assessment`: the inmate's area and, for an approved month, the
  area's monthly rows as the approval digested them;
- `scenario`: the engine's inputs as a scenario file (`hub.engine.scenario`), cut to the inmate's
  line-days; `rule_set`: the rules in force; `result`: the inmate's daily, weekly and monthly lines
  and the discrepancies of their line-days; `explanation`: the monthly and daily explanations in
  Chinese and English.

`build_bundle` reads a hub database (tables bound); `check_bundle` is pure: the bundle's parsed JSON
and the hub's public key in, a `BundleReport` out. The hub's key is never taken from the bundle.
docs/evidence-bundle.md is the reader's guide.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from typing import Any

import peewee

from floorledger.base import i18n
from hub.audit import bundle_master as bmd
from hub.audit import bundle_months as bm
from hub.audit import months as mo
from hub.audit import texts
from hub.audit.bundle_scope import (
    Scope,
    canonical,
    explanations,
    hub_correction_wanted,
    is_wanted,
    out_of_order,
    restrict,
    result_of,
    scope_of,
)
from hub.audit.report import finding, in_language
from hub.audit.verify import key_plans, key_problems, kiosk_acts, period_verifiers
from hub.engine.compute import compute_month
from hub.engine.documents import compare_results, json_text, result_json, scenario_json
from hub.engine.errors import EngineError
from hub.engine.model import Month, MonthInput, MonthResult, RuleSet
from hub.engine.rules import DEFAULT_RULE_BOOK, RuleBook, rule_set_json
from hub.engine.scenario import Scenario, load_scenario
from hub.errors import HubError
from hub.ledger import merkle
from hub.ledger.checkpoints import SOURCE_LEDGER, SOURCE_RECORD, latest_checkpoint
from hub.ledger.entries import (
    HUB_FACT_ACTIONS,
    KIOSK_ENROLL,
    KIOSK_REVOKE,
    KIOSK_ROTATE,
    EntryContent,
    LedgerError,
    parse_entry,
)
from hub.masterdata import replay
from hub.results import facts as fx
from hub.results.inputs import month_input
from hub.review.rules import rows_digest, score_key
from hub.store.kiosks import KioskRecord
from hub.store.ledger import LedgerEntry, LogLeaf
from hub.store.masterdata import Inmate, Line
from hub.store.review import Adjustment
from protocol.errors import ProtocolError
from protocol.messages import Checkpoint, open_frame
from protocol.records import parse_frame
from protocol.signing import Verifier, b64decode, b64encode, fingerprint

FORMAT = "floorledger-evidence-bundle-2"
OLD_FORMATS = ("floorledger-evidence-bundle-1",)  # before bundles carried master data and approvals
KIOSK_ACTS = (KIOSK_ENROLL, KIOSK_ROTATE, KIOSK_REVOKE)
EXACT = Decimal(0)


class BundleError(HubError):
    """A bundle cannot be built (no checkpoint, a row not yet in it, nothing to show); one line."""


texts.register()


# --- building ---------------------------------------------------------------------------------------


def _audit_paths(leaves: Sequence[bytes], indexes: Iterable[int]) -> dict[int, list[bytes]]:
    """RFC 6962 audit paths of many leaves, building the tree's levels once (as `merkle` does per leaf)."""
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) & 1:
            above.append(below[-1])
        levels.append(above)
    out: dict[int, list[bytes]] = {}
    for index in indexes:
        path: list[bytes] = []
        i = index
        for level in levels[:-1]:
            if (i ^ 1) < len(level):
                path.append(level[i ^ 1])
            i >>= 1
        out[index] = path
    return out


def build_bundle(
    db: peewee.Database, *, inmate: str, month: Month, through: date | None = None
) -> dict[str, Any]:
    """The evidence bundle of `inmate` for `month` against the latest checkpoint (tables bound).

    `through` is the last day computed (a month in progress); default: the month's last day. An
    approved month is always shown as approved: through the day its approval was computed through
    (so its signed rows hold), whatever `through` says. The
    checkpoint must cover every row the bundle needs: make one first (`CheckpointLog.make_checkpoint`).
    The caller holds the connection (a worker thread wraps this in `db.connection_context()`).
    """
    if Inmate.get_or_none(Inmate.id == inmate) is None:
        raise BundleError("bundle.err.no_inmate", inmate=inmate)
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        raise BundleError("bundle.err.no_checkpoint")
    month_acts = _month_acts(month)
    month_view = _MonthView.read(month)
    made = _computed(db, month, through or month.last_day)
    area = bm.inmate_area(made.full, inmate, *month_view.tables)
    wanted_acts = bm.wanted_acts(month_acts, month, inmate, area)
    approvals = bm.in_force(mo.replay(wanted_acts), month, area)
    signed_day = bm.signed_through(approvals[-1], month) if approvals else None
    if signed_day is not None and signed_day != made.through:
        made = _computed(db, month, signed_day)  # an approved month is shown as it was approved
    signed_rows = bm.area_rows(made.full, area, *month_view.tables) if approvals else None
    if signed_rows is not None and any(a.digest != rows_digest(signed_rows) for a in approvals):
        raise BundleError("bundle.err.approval_changed", area=area, month=str(month))
    book, rule_set, scenario = made.book, made.rule_set, made.scenario
    scope = scope_of(scenario.inputs, rule_set, inmate)
    if not scope.line_days:
        raise BundleError("bundle.err.no_post", inmate=inmate, month=str(month))
    full_result = result_of(_reparse(result_json(made.full)), scope)
    cut = canonical(restrict(scenario.inputs, scope))
    document = scenario_json(cut, book, rule_set.params.rule_book)
    document = {"description": scenario_description(inmate, month), **document}
    cut_scenario = load_scenario(_reparse(document))
    result = result_of(_reparse(result_json(compute_month(cut_scenario.inputs, rule_set))), scope)
    if result != full_result:  # the cut must not change a single digit of the inmate's result
        raise BundleError("bundle.err.outside")
    through = made.through

    rows: list[tuple[int, bytes, str]] = []  # (row id, frame, type)
    wanted: set[tuple[str, int]] = set()
    query = KioskRecord.select(
        KioskRecord.id,
        KioskRecord.kiosk,
        KioskRecord.seq,
        KioskRecord.type,
        KioskRecord.body,
        KioskRecord.frame,
    ).where((KioskRecord.day >= month.first_day.isoformat()) & (KioskRecord.day <= through.isoformat()))
    for r in query.order_by(KioskRecord.id):
        if r.type != "correction" and is_wanted(json.loads(r.body), r.type, scope):
            rows.append((r.id, bytes(r.frame), r.type))
            wanted.add((r.kiosk, r.seq))
    for r in KioskRecord.select().where(KioskRecord.type == "correction").order_by(KioskRecord.id):
        body = json.loads(r.body)
        if (str(body.get("ref_kiosk")), int(body.get("ref_seq", -1))) in wanted:
            rows.append((r.id, bytes(r.frame), r.type))
    kiosks = sorted({parse_frame(frame).record.kiosk for _, frame, _ in rows})
    month_indexes = {a.index for a in wanted_acts}
    every_entry = list(LedgerEntry.select().order_by(LedgerEntry.entry_index))
    all_posts = bmd.legacy_posts(
        (e.action, json.loads(e.payload)) for e in every_entry if e.action == "assignment.add"
    )
    entries = [
        e
        for e in every_entry
        if (e.action in KIOSK_ACTS and e.subject in kiosks)
        or (e.action in HUB_FACT_ACTIONS and hub_correction_wanted(json.loads(e.payload), scope))
        or int(e.entry_index) in month_indexes
        or (
            e.action in replay.ACTIONS
            and bmd.wanted(
                e.action, e.subject, json.loads(e.payload), cut_scenario.inputs, inmate, all_posts=all_posts
            )
        )
    ]

    size = int(checkpoint.tree_size)
    leaf_of: dict[tuple[str, int], int] = {}
    hashes: list[bytes] = []
    leaves = LogLeaf.select().where(LogLeaf.leaf_index < size).order_by(LogLeaf.leaf_index)
    for leaf in leaves.iterator():
        hashes.append(bytes.fromhex(leaf.leaf_hash))
        leaf_of[(leaf.source, int(leaf.ref))] = int(leaf.leaf_index)
    needed = [(SOURCE_RECORD, rid) for rid, _, _ in rows] + [(SOURCE_LEDGER, e.id) for e in entries]
    missing = [ref for ref in needed if ref not in leaf_of]
    if missing:
        raise BundleError("bundle.err.not_covered", count=len(missing))
    paths = _audit_paths(hashes, [leaf_of[ref] for ref in needed])

    def proved(source: str, ref: int, frame: bytes) -> dict[str, Any]:
        index = leaf_of[(source, ref)]
        return {"leaf_index": index, "path": [p.hex() for p in paths[index]], "frame": b64encode(frame)}

    records = sorted(
        (proved(SOURCE_RECORD, rid, frame) for rid, frame, _ in rows), key=lambda p: p["leaf_index"]
    )
    ledger = sorted(
        (proved(SOURCE_LEDGER, e.id, bytes(e.frame)) for e in entries), key=lambda p: p["leaf_index"]
    )
    key_list = _kiosk_keys(ledger)
    return {
        "format": FORMAT,
        "inmate": inmate,
        "month": str(month),
        "through": through.isoformat(),
        "checkpoint": b64encode(bytes(checkpoint.frame)),
        "kiosks": key_list,
        "ledger": ledger,
        "records": records,
        "rule_set": _reparse(rule_set_json(rule_set)),
        "scenario": _reparse(document),
        "result": result,
        "explanation": explanations(cut_scenario.inputs, rule_set, result, inmate),
        "assessment": {"area": area, "rows": signed_rows},
    }


@dataclass(frozen=True, slots=True)
class _Made:
    """The whole site's month as the hub computes it through a day, read back as a scenario would be."""

    through: date
    book: RuleBook
    rule_set: RuleSet
    scenario: Scenario
    full: MonthResult


def _computed(db: peewee.Database, month: Month, through: date) -> _Made:
    read = month_input(db, month, through=through)
    # the site's own rule versions (a scenario puts the rule book's defaults under them itself)
    book = RuleBook(versions=read.rule_book.versions[len(DEFAULT_RULE_BOOK.versions) :])
    # a month the site's rule versions put under rule book v2 is written as a version-2 scenario
    scenario = load_scenario(_reparse(scenario_json(read.inputs, book, read.rule_set.params.rule_book)))
    rule_set = scenario.rule_set()
    full = compute_month(scenario.inputs, rule_set)
    return _Made(through, book, rule_set, scenario, full)


def _month_acts(month: Month) -> list[mo.Act]:
    """The hub-signed acts of the monthly assessment of `month`, in ledger order."""
    query = LedgerEntry.select().where(LedgerEntry.action.in_(sorted(mo.ACTIONS)))
    out = []
    for e in query.order_by(LedgerEntry.entry_index):
        act = mo.month_act(
            int(e.entry_index), e.actor, e.action, e.subject, json.loads(e.payload), int(e.hub_ms)
        )
        if act is not None and act.month == str(month):
            out.append(act)
    return out


@dataclass(frozen=True, slots=True)
class _MonthView:
    """What places an inmate's score in an area, read as the review page reads it."""

    line_area: dict[str, str]
    person_area: dict[str, str | None]
    adjusted: dict[str, str]

    @classmethod
    def read(cls, month: Month) -> _MonthView:
        return cls(
            {x.code: x.area for x in Line.select()},
            {i.id: i.area for i in Inmate.select()},
            {a.inmate: a.area for a in Adjustment.select().where(Adjustment.month == str(month))},
        )

    @property
    def tables(self) -> tuple[dict[str, str], dict[str, str | None], dict[str, str]]:
        return self.line_area, self.person_area, self.adjusted


def scenario_description(inmate: str, month: Month) -> str:
    return f"evidence bundle of {inmate}, month {month}"


def _kiosk_keys(ledger: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For the reader: each kiosk's keys as its enrollment entries give them (the check re-derives them)."""
    out: list[dict[str, Any]] = []
    for item in ledger:
        content, _, _ = parse_entry(b64decode(item["frame"]))
        if content.action in (KIOSK_ENROLL, KIOSK_ROTATE):
            key = b64decode(str(content.payload["public_key"]))
            out.append(
                {
                    "kiosk": content.subject,
                    "public_key": b64encode(key),
                    "fingerprint": fingerprint(key),
                    "ledger_index": content.index,
                }
            )
    return out


def _reparse(value: object) -> Any:
    """`value` written and read back as the file will be (numbers as exact Decimals)."""
    return json.loads(json_text(value), parse_float=Decimal)


def bundle_text(bundle: Mapping[str, Any]) -> str:
    """The bundle's one written form: every object's keys sorted, one space of indent per level."""
    return json_text(_keys_sorted(bundle)) + "\n"


def _keys_sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _keys_sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list | tuple):
        return [_keys_sorted(v) for v in value]
    return value


def load_bundle_text(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


TOP_KEYS = frozenset(
    ("format", "inmate", "month", "through", "checkpoint", "kiosks", "ledger", "records", "rule_set")
    + ("scenario", "result", "explanation", "assessment")
)


def check_bundle_bytes(data: bytes, hub_key: Verifier) -> BundleReport:
    """`check_bundle` on a bundle file's bytes, which must also be exactly as `bundle_text` writes them,
    so that no byte of the file (not even a space) can change without the check failing."""
    report = BundleReport()
    form = Part("form")
    try:
        document = load_bundle_text(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        form.findings.append(_said("not_json", error=str(err)))
        report.parts = [form]
        return report
    report = check_bundle(document, hub_key)
    form.checked = 1
    if not isinstance(document, dict) or bundle_text(document).encode("utf-8") != data:
        form.findings.append(_said("not_written_form"))
    elif set(document) != TOP_KEYS:
        form.findings.append(_said("sections", names=str(sorted(set(document) ^ TOP_KEYS))))
    report.parts.insert(0, form)
    return report


# --- checking ---------------------------------------------------------------------------------------


def _said(key: str, /, **values: Any) -> i18n.Text:
    """A finding, summary line or reason of the bundle check (text `bundle.v.<key>`)."""
    return i18n.Text(f"bundle.v.{key}", **values)


@dataclass(slots=True)
class Part:
    key: str  # its title: text `bundle.v.p.<key>`
    checked: int = 0
    findings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return i18n.t(f"bundle.v.p.{self.key}", "en")


@dataclass(slots=True)
class BundleReport:
    inmate: str = "?"
    month: str = "?"
    parts: list[Part] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.parts) and not any(p.findings for p in self.parts)

    def findings(self) -> list[str]:
        return [line for p in self.parts for line in p.findings]

    def render(self, lang: str = "en") -> str:
        """The report in `lang`: English by default (what tests compare), `verify-bundle --lang zh`."""
        lines = [i18n.t("bundle.v.head", lang, inmate=self.inmate, month=self.month)]
        for p in self.parts:
            status = (
                i18n.t("verify.ok_status", lang)
                if not p.findings
                else i18n.t("verify.problems", lang, count=len(p.findings))
            )
            title = i18n.t(f"bundle.v.p.{p.key}", lang)
            lines.append(
                i18n.t("verify.line", lang, title=title, checked=p.checked, status=status, pending="")
            )
            lines.extend(f"  - {in_language(item, lang)}" for item in p.findings[:50])
            if len(p.findings) > 50:
                lines.append(i18n.t("verify.more", lang, count=len(p.findings) - 50))
        lines.extend(in_language(item, lang) for item in self.summary)
        lines.append(i18n.t("bundle.v.ok" if self.ok else "verify.verdict.bad", lang))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _Entry:
    """A ledger entry's frame, as `hub.audit.verify.kiosk_acts` reads entries."""

    frame: bytes


class _Broken(Exception):
    """The bundle is too damaged to go on (`said`: where and why)."""

    def __init__(self, said: i18n.Text) -> None:
        super().__init__(str(said))
        self.said = said


def _proof_root(item: Any, where: str, size: int) -> tuple[bytes, bytes]:
    """(frame, root the item's audit path leads to); _Broken when the item is not a proof."""
    try:
        frame = b64decode(str(item["frame"]))
        index = item["leaf_index"]
        if not isinstance(index, int) or isinstance(index, bool):
            raise ValueError("leaf_index is not an integer")
        path = [merkle.hash_from_hex(p) for p in item["path"]]
        return frame, merkle.root_from_inclusion_proof(merkle.leaf_hash(frame), index, size, path)
    except (KeyError, TypeError, ValueError, ProtocolError, merkle.ProofError) as err:
        raise _Broken(_said("bad_proof", where=where, error=str(err))) from err


def check_bundle(bundle: Any, hub_key: Verifier) -> BundleReport:
    """Every way `bundle` (parsed JSON, numbers as Decimal) fails to prove what it says; pure and offline."""
    report = BundleReport()
    parts = _Parts()
    report.parts = list(parts.all())
    try:
        _check(bundle, hub_key, report, parts)
    except _Broken as err:
        (parts.records if parts.sig.checked else parts.sig).findings.append(err.said)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError) as err:
        # a damaged document in a shape no check above expected: a finding, never a traceback
        parts.records.findings.append(_said("damaged", error=f"{type(err).__name__}: {err}"))
    except (EngineError, ProtocolError, LedgerError) as err:
        parts.records.findings.append(_said("damaged", error=str(err)))
    return report


@dataclass(slots=True)
class _Parts:
    """The report's sections, in the order the checks run."""

    sig: Part = field(default_factory=lambda: Part("sig"))
    ledger: Part = field(default_factory=lambda: Part("ledger"))
    records: Part = field(default_factory=lambda: Part("records"))
    inputs: Part = field(default_factory=lambda: Part("inputs"))
    master: Part = field(default_factory=lambda: Part("master"))
    result: Part = field(default_factory=lambda: Part("result"))
    assessment: Part = field(default_factory=lambda: Part("assessment"))

    def all(self) -> tuple[Part, ...]:
        return (self.sig, self.ledger, self.records, self.inputs, self.master, self.result, self.assessment)


def _check(bundle: Any, hub_key: Verifier, report: BundleReport, parts: _Parts) -> None:
    sig, ledger_part, record_part = parts.sig, parts.ledger, parts.records
    input_part, result_part, assessment_part = parts.inputs, parts.result, parts.assessment
    if isinstance(bundle, dict) and bundle.get("format") in OLD_FORMATS:
        raise _Broken(_said("old_format", format=str(bundle.get("format"))))
    if not isinstance(bundle, dict) or bundle.get("format") != FORMAT:
        raise _Broken(_said("not_bundle"))
    report.inmate, report.month = str(bundle.get("inmate")), str(bundle.get("month"))
    inmate = report.inmate
    try:
        month = Month.parse(report.month)
        through = date.fromisoformat(str(bundle.get("through")))
        if not month.contains(through):
            raise ValueError(f"through {through} is not a day of {month}")
        checkpoint: Checkpoint = open_frame(b64decode(str(bundle["checkpoint"])), hub_key, Checkpoint)
    except (KeyError, ValueError, ProtocolError) as err:
        raise _Broken(_said("checkpoint", error=str(err))) from err
    sig.checked = 1
    root = bytes.fromhex(checkpoint.root)
    report.summary.append(
        _said("s.checkpoint", hub=checkpoint.hub, size=checkpoint.tree_size, root=checkpoint.root[:16])
    )

    # ledger: hub-signed entries in the log -> kiosk keys, hub corrections, the monthly assessment
    signed_entries: list[_Entry] = []
    month_acts: list[mo.Act] = []
    master_acts: list[EntryContent] = []
    corrections: list[fx.HubCorrection] = []
    ledger_order = _LeafOrder(_said("ledger_entries"), ledger_part)
    for n, item in enumerate(_list(bundle, "ledger")):
        where = f"ledger[{n}]"
        ledger_part.checked += 1
        frame, got_root = _proof_root(item, where, checkpoint.tree_size)
        if not ledger_order.next(where, item["leaf_index"]):
            continue
        if got_root != root:
            ledger_part.findings.append(_said("proof_root", where=where))
        try:
            content, data, signature = parse_entry(frame)
            hub_key.verify(data, signature)
        except (LedgerError, ProtocolError) as err:
            ledger_part.findings.append(_said("not_entry", where=where, error=str(err)))
            continue
        signed_entries.append(_Entry(frame))
        if content.action in (KIOSK_ENROLL, KIOSK_ROTATE):
            try:
                b64decode(str(content.payload["public_key"]))
            except (KeyError, ProtocolError):
                ledger_part.findings.append(_said("no_key", where=where))
        elif content.action in replay.ACTIONS:
            master_acts.append(content)
        elif content.action in mo.ACTIONS:
            act = mo.month_act(
                content.index, content.actor, content.action, content.subject, content.payload, content.hub_ms
            )
            if act is None or act.month != str(month):
                ledger_part.findings.append(
                    _said("other_month", where=where, action=i18n.Label("act", content.action))
                )
            else:
                month_acts.append(act)
        elif content.action in HUB_FACT_ACTIONS:
            try:
                corrections.extend(fx.hub_changes(content.payload))
            except (KeyError, TypeError, ValueError) as err:
                ledger_part.findings.append(_said("correction", where=where, error=str(err)))

    # the kiosk keys and the stretch of each kiosk's chain each key may sign, as `floorledger verify`
    # reads them: a record after the kiosk's revocation, or signed by a key outside its period, fails
    acts = kiosk_acts(signed_entries, None)  # entries whose hub signature failed are left out
    plans = key_plans(acts)
    unbounded = sorted(index for act in acts.values() for index in act.unbounded)
    if unbounded:
        report.summary.append(finding("note.unbounded", entries=", ".join(map(str, unbounded))))

    # records: kiosk-signed frames in the log
    facts: list[tuple[int, fx.FactRecord]] = []
    record_order = _LeafOrder(_said("records"), record_part)
    signed_seqs: set[tuple[str, int]] = set()
    for n, item in enumerate(_list(bundle, "records")):
        where = f"records[{n}]"
        record_part.checked += 1
        frame, got_root = _proof_root(item, where, checkpoint.tree_size)
        if not record_order.next(where, item["leaf_index"]):
            continue
        if got_root != root:
            record_part.findings.append(_said("proof_root", where=where))
        try:
            signed = parse_frame(frame)
        except ProtocolError as err:
            record_part.findings.append(_said("not_record", where=where, error=str(err)))
            continue
        rec = signed.record
        where = _said(
            "record_at", where=where, kiosk=rec.kiosk, seq=rec.seq, type=i18n.Label("verify.type", rec.type)
        )
        if (rec.kiosk, rec.seq) in signed_seqs:  # one kiosk record is one leaf: a copy counts nothing
            record_part.findings.append(_said("twice", where=where))
            continue
        signed_seqs.add((rec.kiosk, rec.seq))
        plan = plans.get(rec.kiosk)
        if plan is None or not plan[0]:
            record_part.findings.append(_said("no_enrollment", where=where, kiosk=rec.kiosk))
            continue
        problems = [
            _said("key", where=where, problem=i18n.Text(f"verify.k.{kind}", **values))
            for kind, values in key_problems(
                rec.kiosk, rec.seq, signed.data, signed.signature, period_verifiers(plan[0]), plan[1]
            )
        ]
        if problems:
            record_part.findings.extend(problems)
            continue
        facts.append((int(item["leaf_index"]), fx.as_fact(signed)))

    # inputs: the scenario's facts must be exactly what the signed records (and corrections) give
    try:
        scenario = load_scenario(bundle["scenario"])
    except (KeyError, EngineError) as err:
        input_part.findings.append(_said("scenario", error=str(err)))
        return
    if str(scenario.inputs.month) != str(month):
        input_part.findings.append(
            _said("scenario_month", given=str(scenario.inputs.month), month=str(month))
        )
    for name in out_of_order(scenario.inputs):
        input_part.findings.append(_said("order", name=i18n.Label("bundle.section", name)))
    late = [d for d in scenario.inputs.workdays if d > through]
    if late:
        input_part.findings.append(_said("late_workday", day=late[0], through=through))
    rule_set = scenario.rule_set()
    if _reparse(rule_set_json(rule_set)) != bundle.get("rule_set"):
        input_part.findings.append(_said("rule_set"))
    if scenario_description(inmate, month) != bundle["scenario"].get("description"):
        input_part.findings.append(_said("description"))
    try:
        if _kiosk_keys(_list(bundle, "ledger")) != bundle.get("kiosks"):
            ledger_part.findings.append(_said("kiosks"))
    except (LedgerError, KeyError, ProtocolError):
        ledger_part.findings.append(_said("kiosks_broken"))
    scope = scope_of(scenario.inputs, rule_set, inmate)
    ordered = [f for _, f in sorted(facts, key=lambda x: x[0])]  # log order is commit order
    signed_facts = fx.derive(ordered, month)
    derived = fx.apply_hub_corrections(signed_facts, [c for c in corrections if month.contains(c.day)])
    wanted = restrict(
        replace(
            scenario.inputs,
            attendance=derived.attendance,
            counts=derived.counts,
            warehoused=derived.warehoused,
        ),
        scope,
    )
    _compare_inputs(input_part, scenario.inputs, wanted, scope)
    report.summary.append(
        _said(
            "s.inputs",
            days=len(scope.line_days),
            inmate=inmate,
            people=len({p for p, _ in scope.member_days}),
            records=len(ordered),
            corrections=len(corrections),
        )
    )

    # master data: the scenario's, against the values the signed master-data acts set
    parts.master.checked = bmd.check_master(
        parts.master.findings,
        master_acts,
        scenario=scenario.inputs,
        rules=scenario.rules,
        rule_set=rule_set,
        facts=signed_facts,
        corrections=corrections,
        through=through,
        scope=scope,
    )

    # result: re-run the engine on the scenario
    computed_month = compute_month(scenario.inputs, rule_set)
    computed = result_of(_reparse(result_json(computed_month)), scope)
    result_part.checked = len(computed["daily"]) + len(computed["weekly"]) + len(computed["monthly"])
    given = bundle.get("result")
    if computed != given:
        diffs = compare_results(computed, given, EXACT)
        result_part.findings.extend(_said("result", diff=d) for d in diffs)
        if not diffs:
            result_part.findings.append(_said("result_differs"))
    try:
        explained = _reparse(explanations(scenario.inputs, rule_set, computed, inmate))
    except EngineError as err:
        result_part.findings.append(_said("explanation_broken", error=str(err)))
    else:
        if explained != bundle.get("explanation"):
            result_part.findings.append(_said("explanation"))
    for m in computed["monthly"]:
        values = ", ".join(f"{k}={v}" for k, v in m.items())
        report.summary.append(_said("s.monthly", inmate=inmate, values=values))

    # the monthly assessment: adjustments as signed, and the approval's signed rows
    mine = [score_key(s) for s in computed_month.monthly if s.inmate == inmate]
    assessed = bm.check_assessment(
        assessment_part.findings,
        month_acts,
        bundle.get("assessment"),
        month=month,
        inmate=inmate,
        through=through,
        rule_set=rule_set.version,
        adjustments=scenario.inputs.adjustments,
        monthly=mine,
    )
    assessment_part.checked = len(month_acts) + 1
    if assessed.approvals:
        stages = i18n.Joined([i18n.Label("verify.stage", stage) for stage in assessed.approvals])
        report.summary.append(
            _said("s.approved", area=assessed.area, stages=stages, count=assessed.adjustments)
        )
    else:
        report.summary.append(_said("s.not_approved", area=assessed.area, count=assessed.adjustments))


class _LeafOrder:
    """A bundle lists its records (and its ledger entries) once each, in leaf-index order: the order
    the hub writes, so a list reordered, or an item listed twice, is a finding and not read again."""

    def __init__(self, what: i18n.Text, part: Part) -> None:
        self.what, self.part = what, part
        self.seen: set[int] = set()
        self.last = -1

    def next(self, where: str, index: int) -> bool:
        """False (with a finding) when `index` repeats an earlier item's; a finding when out of order."""
        if index in self.seen:
            self.part.findings.append(_said("leaf_twice", where=where, index=index))
            return False
        self.seen.add(index)
        if index < self.last:
            self.part.findings.append(
                _said("leaf_order", where=where, index=index, last=self.last, what=self.what)
            )
        self.last = max(self.last, index)
        return True


def _list(bundle: Mapping[str, Any], key: str) -> list[Any]:
    value = bundle.get(key)
    if not isinstance(value, list):
        raise _Broken(_said("not_list", name=key))
    return value


def _compare_inputs(part: Part, given: MonthInput, wanted: MonthInput, scope: Scope) -> None:
    """Multiset comparison of the fact lists; entries outside the scope are unbacked by the bundle."""
    checks: list[tuple[str, Sequence[Any], Sequence[Any], Callable[[Any], bool]]] = [
        ("attendance", given.attendance, wanted.attendance, lambda a: (a.inmate, a.day) in scope.member_days),
        ("counts", given.counts, wanted.counts, lambda c: (c.inmate, c.day) in scope.member_days),
        ("warehoused", given.warehoused, wanted.warehoused, lambda w: (w.line, w.day) in scope.line_days),
    ]
    for name, got, want, inside in checks:
        label = i18n.Label("bundle.section", name)
        part.checked += len(got)
        remaining = list(want)
        for entry in got:
            if not inside(entry):
                part.findings.append(_said("outside", name=label, entry=_shown(entry)))
            elif entry in remaining:
                remaining.remove(entry)
            else:
                part.findings.append(_said("not_signed", name=label, entry=_shown(entry)))
        part.findings.extend(_said("lacks", name=label, entry=_shown(e)) for e in remaining)


def _shown(entry: Any) -> str:
    values = {k: getattr(entry, k) for k in entry.__dataclass_fields__}
    return ", ".join(f"{k}={v}" for k, v in values.items())
