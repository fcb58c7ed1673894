"""Evidence bundles that respect line-mates' privacy (`floorledger bundle --private`, the dashboard's
default): the inmate's own month proven from signed records, other people's records only as hashes.

A full bundle (`hub.audit.bundle`) carries every record of the inmate's line-days, because credit on
a line-day is shared: his credited units are W × his count / Σcounts (counted mode) or W × his
minutes / Σminutes (time mode). So it discloses his line-mates' ids, counts, minutes and record ids.
The private bundle is made from the full one (after its own self-check) by:

- **records and ledger entries**: an item that names nobody but the inmate (his own check-ins,
  counts, disputes…, the line's warehoused counts, kiosk enrollments, the site's master data, the
  month's approvals) stays in clear with its proof; any other (a line-mate's record, a correction of
  one, a line-mate's post or grade, another inmate's adjustment) becomes `{leaf_index, leaf_hash,
  path}`: its RFC 6962 leaf hash with its audit path to the same checkpoint. Hashes disclose nothing,
  and the proofs show those items are in the hub's log.
- **scenario**: the line-mates of each (line, product, step) group are merged into one member per
  group, `X1`, `X2`…, whose minutes and units on each day are the sums of theirs. Shares are
  proportional, so the inmate's numbers are the same to the digit (the build recomputes and refuses
  otherwise). Their posts, grades, rejects, exemptions and names are left out: they enter only their
  own records.
- **others**: each merged day of `X…` with the leaf indexes of the hashed records it sums (its
  `sources`): the hub commits to which logged records make each sum.
- **assessment**: the area, the approvals in force with the rows digest each signed, and the
  inmate's own row (the area's other rows would name everyone).
- **attestation**: the hub's Ed25519 signature over the bundle's one written form without it.

`check_private_bundle` (pure) then proves: the checkpoint (hub key), every proof to its root, the
hub's signature on each clear entry and attestation, each clear record's kiosk signature with a key
its kiosk was admitted with (the same bounds as `floorledger verify`), that no clear record names
another person, that the inmate's own attendance and counts and the line-days' warehoused units are
exactly what the signed records give, that each merged day's sources are hashed leaves of the bundle,
and that the engine's result and explanation from the scenario are the bundle's. What it cannot
check, and says (docs/evidence-bundle.md): that the sums of the `X…` members are those of the hashed
records (it has only their hashes: the hub's signature vouches for them, and anyone with access to
the hub can open them), and the approval's rows digest against the area's rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from fractions import Fraction
from typing import Any

from floorledger.base import i18n
from hub.audit import bundle as bd
from hub.audit import bundle_months as bm
from hub.audit import bundle_private_texts  # noqa: F401 - registers the check's words
from hub.audit import months as mo
from hub.audit.bundle_scope import canonical, explanations, result_of, scope_of
from hub.audit.verify import key_plans, key_problems, kiosk_acts, period_verifiers
from hub.engine.compute import MonthIndex, compute_month
from hub.engine.documents import result_json, scenario_json
from hub.engine.errors import EngineError
from hub.engine.model import Assignment, Attendance, Count, Inmate, Month
from hub.engine.rules import rule_set_json
from hub.engine.scenario import load_scenario
from hub.ledger import merkle
from hub.ledger.entries import (
    HUB_FACT_ACTIONS,
    KIOSK_ENROLL,
    KIOSK_REVOKE,
    KIOSK_ROTATE,
    LedgerError,
    parse_entry,
)
from hub.results import facts as fx
from hub.review.rules import score_key
from hub.store.masterdata import Inmate as StoredInmate
from protocol.errors import ProtocolError
from protocol.messages import Checkpoint, open_frame
from protocol.records import body_to_dict, parse_frame
from protocol.signing import Signer, Verifier, b64decode, b64encode

FORMAT = "floorledger-evidence-bundle-private-1"
DOMAIN = b"floorledger-evidence-bundle-private-1\n"
TOP_KEYS = frozenset(
    ("format", "inmate", "month", "through", "checkpoint", "kiosks", "ledger", "records", "rule_set")
    + ("scenario", "result", "explanation", "others", "assessment", "attestation")
)
KIOSK_ACTS = (KIOSK_ENROLL, KIOSK_ROTATE, KIOSK_REVOKE)
MERGED = "X"


def _t(key: str, /, **values: Any) -> i18n.Text:
    return i18n.Text(f"pbundle.{key}", **values)


# --- building ---------------------------------------------------------------------------------------


def build_private_bundle(
    db: Any, *, inmate: str, month: Month, signer: Signer, through: date | None = None
) -> dict[str, Any]:
    """The private bundle of `inmate` for `month` (tables bound; a checkpoint made first, as for
    `build_bundle`), attested with the hub's key `signer`."""
    full = bd.build_bundle(db, inmate=inmate, month=month, through=through)
    strangers = frozenset(
        text
        for person in StoredInmate.select(StoredInmate.id, StoredInmate.number, StoredInmate.name)
        if person.id != inmate
        for text in (person.id, person.number, person.name)
        if text
    )
    return privatize(full, signer, strangers=strangers)


def _names_stranger(text: str, strangers: frozenset[str]) -> bool:
    return any(s and s in text for s in strangers)


def _hidden(item: Mapping[str, Any], frame: bytes) -> dict[str, Any]:
    return {
        "leaf_index": item["leaf_index"],
        "leaf_hash": merkle.leaf_hash(frame).hex(),
        "path": item["path"],
    }


def _merge(
    inputs: Any, rule_set: Any, inmate: str
) -> tuple[Any, list[dict[str, Any]], dict[tuple[str, date], str]]:
    """(inputs with line-mates merged per group, the merged days, person-day -> merged member)."""
    index = MonthIndex(inputs, rule_set)
    member_of: dict[tuple[str, str, str], str] = {}
    merged_day: dict[tuple[str, date], str] = {}
    assignments: list[Assignment] = []
    attendance: list[Attendance] = []
    counts: list[Count] = []
    others: list[dict[str, Any]] = []
    for (line, day), groups in sorted(index.groups.items()):
        for (product, step), members in sorted(groups.items()):
            mates = sorted(set(members) - {inmate})
            if not mates:
                continue
            name = member_of.setdefault((line, product, step), f"{MERGED}{len(member_of) + 1}")
            for m in mates:
                merged_day[(m, day)] = name
            assignments.append(
                Assignment(inmate=name, line=line, product=product, step=step, valid_from=day, valid_to=day)
            )
            # only what the share needs: counted mode (anyone in the group counted that day) splits W
            # by counts, so the mates' summed units; time mode by minutes present, so their summed
            # minutes. Excused minutes and the other mode's values enter only their own quota.
            counted = any(c.day == day and c.inmate in members for c in inputs.counts)
            units = [c.units for c in inputs.counts if c.inmate in mates and c.day == day]
            present = [a.present_minutes for a in inputs.attendance if a.inmate in mates and a.day == day]
            if counted and units:
                counts.append(Count(inmate=name, day=day, units=sum(units, Fraction(0))))
            if not counted and present:
                minutes = sum(present, Fraction(0))
                attendance.append(Attendance(inmate=name, day=day, present_minutes=minutes))
            others.append(
                {
                    "member": name,
                    "line": line,
                    "product": product,
                    "step": step,
                    "day": day.isoformat(),
                    "units": str(sum(units, Fraction(0))) if counted and units else None,
                    "present_minutes": str(sum(present, Fraction(0))) if not counted and present else None,
                }
            )
    own = [i for i in inputs.inmates if i.id == inmate]
    merged = replace(
        inputs,
        inmates=tuple(own) + tuple(Inmate(id=name) for name in sorted(set(member_of.values()))),
        assignments=tuple(a for a in inputs.assignments if a.inmate == inmate) + tuple(assignments),
        attendance=tuple(a for a in inputs.attendance if a.inmate == inmate) + tuple(attendance),
        counts=tuple(c for c in inputs.counts if c.inmate == inmate) + tuple(counts),
        ratings=tuple(r for r in inputs.ratings if r.inmate == inmate),
        rejects=tuple(r for r in inputs.rejects if r.inmate == inmate),
    )
    return canonical(merged), others, merged_day


def privatize(full: Mapping[str, Any], signer: Signer, *, strangers: frozenset[str]) -> dict[str, Any]:
    """The private form of a full bundle (`hub.audit.bundle.build_bundle`); `strangers`: the ids,
    prison numbers and names of everyone but the inmate (a clear item must name none of them)."""
    inmate = str(full["inmate"])
    scenario = load_scenario(full["scenario"])
    rule_set = scenario.rule_set()
    merged, others, merged_day = _merge(scenario.inputs, rule_set, inmate)
    document = scenario_json(merged, scenario.rules, rule_set.params.rule_book)
    document = {"description": full["scenario"]["description"], **document}
    private_scenario = load_scenario(bd._reparse(document))
    scope = scope_of(private_scenario.inputs, rule_set, inmate)
    result = result_of(bd._reparse(result_json(compute_month(private_scenario.inputs, rule_set))), scope)
    if result != full["result"]:  # merging must not change a single digit of the inmate's result
        raise bd.BundleError("bundle.err.outside")

    records: list[dict[str, Any]] = []
    sources: dict[tuple[str, str], list[int]] = {}
    parsed = [(item, b64decode(str(item["frame"]))) for item in full["records"]]
    bodies = [(item, frame, parse_frame(frame).record) for item, frame in parsed]
    clear = {
        (rec.kiosk, rec.seq)
        for _, _, rec in bodies
        if rec.type != "correction"
        and body_to_dict(rec.body).get("person") in (None, inmate)
        and not _names_stranger(json.dumps(body_to_dict(rec.body), ensure_ascii=False), strangers)
    }
    for item, frame, rec in bodies:
        body = body_to_dict(rec.body)
        person = body.get("person")
        if (rec.kiosk, rec.seq) in clear or (rec.type == "correction" and _ref(body) in clear):
            records.append(item)
            continue
        records.append(_hidden(item, frame))
        try:
            merged_as = merged_day.get((str(person), date.fromisoformat(str(body.get("day")))))
        except ValueError:
            merged_as = None
        if merged_as is not None:
            sources.setdefault((merged_as, str(body.get("day"))), []).append(int(item["leaf_index"]))
    ledger: list[dict[str, Any]] = []
    for item in full["ledger"]:
        frame = b64decode(str(item["frame"]))
        content, _, _ = parse_entry(frame)
        text = json.dumps([content.subject, content.payload], ensure_ascii=False)
        in_clear = content.action in KIOSK_ACTS or not _names_stranger(text, strangers)
        ledger.append(item if in_clear else _hidden(item, frame))
    for day in others:
        day["sources"] = sorted(sources.get((day["member"], day["day"]), []))
    rows = full["assessment"]["rows"]
    own_row = None if rows is None else next((r for r in rows if r[0] == inmate), None)
    month = Month.parse(str(full["month"]))
    # in force as the whole ledger says (another inmate's adjustment, hashed here, may void one)
    approvals = bm.in_force(mo.replay(_month_acts(full["ledger"])), month, str(full["assessment"]["area"]))
    bundle: dict[str, Any] = {
        "format": FORMAT,
        "inmate": inmate,
        "month": full["month"],
        "through": full["through"],
        "checkpoint": full["checkpoint"],
        "kiosks": full["kiosks"],
        "ledger": ledger,
        "records": records,
        "rule_set": full["rule_set"],
        "scenario": bd._reparse(document),
        "result": result,
        "explanation": explanations(private_scenario.inputs, rule_set, result, inmate),
        "others": others,
        "assessment": {
            "area": full["assessment"]["area"],
            "approvals": [{"stage": a.stage, "rows_digest": a.digest} for a in approvals],
            "row": own_row,
        },
    }
    bundle = bd._reparse(bundle)
    bundle["attestation"] = b64encode(signer.sign(_statement(bundle)))
    return bundle


def _statement(bundle: Mapping[str, Any]) -> bytes:
    body = {k: v for k, v in bundle.items() if k != "attestation"}
    return DOMAIN + hashlib.sha256(bd.bundle_text(body).encode("utf-8")).hexdigest().encode("ascii")


def _ref(body: Mapping[str, Any]) -> tuple[str, int]:
    """The (kiosk, seq) a correction record corrects."""
    return str(body.get("ref_kiosk")), int(body.get("ref_seq", -1))


def _month_acts(ledger: Sequence[Mapping[str, Any]]) -> list[mo.Act]:
    out = []
    for item in ledger:
        if "frame" not in item:
            continue
        content, _, _ = parse_entry(b64decode(str(item["frame"])))
        if content.action in mo.ACTIONS:
            act = mo.month_act(
                content.index, content.actor, content.action, content.subject, content.payload, content.hub_ms
            )
            if act is not None:
                out.append(act)
    return out


# --- checking ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class PrivateReport:
    inmate: str = "?"
    month: str = "?"
    findings: list[i18n.Text] = field(default_factory=list)
    summary: list[i18n.Text] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    def render(self, lang: str = "zh") -> str:
        lines = [i18n.t("pbundle.head", lang, inmate=self.inmate, month=self.month)]
        lines.extend(f"  - {f.text(lang)}" for f in self.findings[:50])
        lines.extend(s.text(lang) for s in self.summary)
        lines.append(i18n.t("pbundle.ok" if self.ok else "pbundle.bad", lang))
        return "\n".join(lines)


def is_private(data: bytes) -> bool:
    """Whether a bundle file's bytes name the private format at the top level (before any check: a
    file that does not is checked as a full bundle, and fails there if it is a damaged private one)."""
    return f'\n "format": "{FORMAT}",\n'.encode() in data


def check_private_bytes(data: bytes, hub_key: Verifier) -> PrivateReport:
    report = PrivateReport()
    try:
        bundle = bd.load_bundle_text(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        report.findings.append(_t("not_json", error=str(err)))
        return report
    if not isinstance(bundle, dict) or bd.bundle_text(bundle).encode("utf-8") != data:
        report.findings.append(_t("not_written_form"))
    elif set(bundle) != TOP_KEYS:
        report.findings.append(_t("sections", names=str(sorted(set(bundle) ^ TOP_KEYS))))
        return report
    try:
        _check(bundle, hub_key, report)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError, ArithmeticError) as err:
        report.findings.append(_t("damaged", error=f"{type(err).__name__}: {err}"))
    except (EngineError, ProtocolError, LedgerError, merkle.ProofError) as err:
        report.findings.append(_t("damaged", error=str(err)))
    return report


def _leaf(item: Mapping[str, Any], where: str, size: int, root: bytes, report: PrivateReport) -> bytes | None:
    """The item's frame (None for a hashed item), its proof checked against `root`."""
    frame = b64decode(str(item["frame"])) if "frame" in item else None
    leaf = merkle.leaf_hash(frame) if frame is not None else merkle.hash_from_hex(item["leaf_hash"])
    index = item["leaf_index"]
    if not isinstance(index, int) or isinstance(index, bool):
        raise ValueError(f"{where}: leaf_index is not an integer")
    path = [merkle.hash_from_hex(p) for p in item["path"]]
    if merkle.root_from_inclusion_proof(leaf, index, size, path) != root:
        report.findings.append(_t("proof", where=where))
    return frame


def _check(bundle: dict[str, Any], hub_key: Verifier, report: PrivateReport) -> None:
    if bundle.get("format") != FORMAT:
        raise ValueError("not a private evidence bundle")
    inmate = report.inmate = str(bundle["inmate"])
    report.month = str(bundle["month"])
    month = Month.parse(report.month)
    through = date.fromisoformat(str(bundle["through"]))
    try:
        checkpoint: Checkpoint = open_frame(b64decode(str(bundle["checkpoint"])), hub_key, Checkpoint)
    except ProtocolError as err:
        report.findings.append(_t("checkpoint", error=str(err)))
        return
    try:
        hub_key.verify(_statement(bundle), b64decode(str(bundle["attestation"])))
    except ProtocolError:
        report.findings.append(_t("attestation"))
    root, size = bytes.fromhex(checkpoint.root), checkpoint.tree_size
    report.summary.append(_t("s.checkpoint", hub=checkpoint.hub, size=size, root=checkpoint.root[:16]))

    seen: set[int] = set()

    def in_order(where: str, index: int, last: int) -> bool:
        if index in seen or index <= last:
            report.findings.append(_t("order", where=where))
            return False
        seen.add(index)
        return True

    entries: list[bd._Entry] = []
    corrections: list[fx.HubCorrection] = []
    hidden_entries = 0
    last = -1
    for n, item in enumerate(bundle["ledger"]):
        where = f"ledger[{n}]"
        frame = _leaf(item, where, size, root, report)
        in_order(where, int(item["leaf_index"]), last)
        last = int(item["leaf_index"])
        if frame is None:
            hidden_entries += 1
            continue
        try:
            content, data, signature = parse_entry(frame)
            hub_key.verify(data, signature)
        except (LedgerError, ProtocolError):
            report.findings.append(_t("entry", where=where))
            continue
        entries.append(bd._Entry(frame))
        if content.action in HUB_FACT_ACTIONS:
            corrections.extend(fx.hub_changes(content.payload))
    plans = key_plans(kiosk_acts(entries, None))

    facts: list[tuple[int, fx.FactRecord]] = []
    hidden_records: set[int] = set()
    clear_records: set[tuple[str, int]] = set()
    last = -1
    for n, item in enumerate(bundle["records"]):
        where = f"records[{n}]"
        frame = _leaf(item, where, size, root, report)
        index = int(item["leaf_index"])
        in_order(where, index, last)
        last = index
        if frame is None:
            hidden_records.add(index)
            continue
        try:
            signed = parse_frame(frame)
        except ProtocolError:
            report.findings.append(_t("record", where=where))
            continue
        rec = signed.record
        body = body_to_dict(rec.body)
        if body.get("person") not in (None, inmate) or (
            rec.type == "correction" and _ref(body) not in clear_records
        ):
            report.findings.append(_t("stranger", where=where))
        clear_records.add((rec.kiosk, rec.seq))
        plan = plans.get(rec.kiosk)
        problems = (
            [("no_enrollment", {})]
            if plan is None or not plan[0]
            else key_problems(
                rec.kiosk, rec.seq, signed.data, signed.signature, period_verifiers(plan[0]), plan[1]
            )
        )
        for kind, values in problems:
            report.findings.append(_t("key", where=where, problem=i18n.Text(f"verify.k.{kind}", **values)))
        if not problems:
            facts.append((index, fx.as_fact(signed)))
    report.summary.append(_t("s.records", own=len(facts), hidden=len(hidden_records)))
    report.summary.append(_t("s.ledger", clear=len(entries), hidden=hidden_entries))

    scenario = load_scenario(bundle["scenario"])
    rule_set = scenario.rule_set()
    inputs = scenario.inputs
    if bd._reparse(rule_set_json(rule_set)) != bundle["rule_set"] or str(inputs.month) != str(month):
        report.findings.append(_t("inputs", what="rule_set"))
    if any(d > through for d in inputs.workdays):
        report.findings.append(_t("inputs", what="workdays"))
    derived = fx.apply_hub_corrections(
        fx.derive([f for _, f in sorted(facts, key=lambda x: x[0])], month),
        [c for c in corrections if month.contains(c.day) and c.person in (None, inmate)],
    )
    scope = scope_of(inputs, rule_set, inmate)
    line_days = scope.line_days

    def own(items: Sequence[Any]) -> list[Any]:
        return sorted((x for x in items if x.inmate == inmate), key=repr)

    if own(inputs.attendance) != own([a for a in derived.attendance if month.contains(a.day)]):
        report.findings.append(_t("inputs", what="attendance"))
    if own(inputs.counts) != own(derived.counts):
        report.findings.append(_t("inputs", what="counts"))
    warehoused = sorted((w for w in derived.warehoused if (w.line, w.day) in line_days), key=repr)
    if sorted(inputs.warehoused, key=repr) != warehoused:
        report.findings.append(_t("inputs", what="warehoused"))

    # merged members: the scenario's values are the others section's; their sources are hashed leaves
    said = {(o["member"], o["day"]): o for o in bundle["others"]}
    for o in bundle["others"]:
        if not set(o["sources"]) <= hidden_records:
            report.findings.append(_t("sources", member=o["member"], day=o["day"]))
    mine = {(a.inmate, a.day.isoformat()): a for a in inputs.attendance if a.inmate != inmate}
    units = {(c.inmate, c.day.isoformat()): c for c in inputs.counts if c.inmate != inmate}
    for key in set(mine) | set(units):
        o = said.get(key)
        a, c = mine.get(key), units.get(key)
        if (
            o is None
            or (
                a is not None
                and (str(a.present_minutes), str(a.excused_minutes))
                != (o["present_minutes"], o["excused_minutes"])
            )
            or (c is not None and str(c.units) != o["units"])
        ):
            report.findings.append(_t("others"))
            break
    if any(i.id != inmate and (not i.id.startswith(MERGED) or i.name) for i in inputs.inmates):
        report.findings.append(_t("others"))

    computed_month = compute_month(inputs, rule_set)
    computed = result_of(bd._reparse(result_json(computed_month)), scope)
    if computed != bundle["result"]:
        report.findings.append(_t("result"))
    if bd._reparse(explanations(inputs, rule_set, computed, inmate)) != bundle["explanation"]:
        report.findings.append(_t("explanation"))
    for s in computed_month.monthly:
        if s.inmate != inmate:
            continue
        pct = s.completion_pct
        report.summary.append(
            _t("s.monthly", workdays=s.workdays, days_met=s.days_met,
               pct="—" if pct is None else f"{float(pct):.2f}", base=f"{float(s.base_points):.1f}",
               labor=f"{float(s.labor_points):.1f}")
        )  # fmt: skip
        row = bundle["assessment"]["row"]
        if row is not None and bd._reparse(list(score_key(s))) != row:
            report.findings.append(_t("own_row"))
    area = str(bundle["assessment"]["area"])
    approvals = bundle["assessment"]["approvals"]
    # each approval listed is a clear, hub-signed `month.approve` act of this area and month with that
    # digest; that no hashed act voided it is what the attestation vouches for
    approved = {
        (a.stage, a.digest)
        for a in mo.replay(_month_acts(bundle["ledger"])).approvals
        if a.act.area == area and a.act.month == str(month)
    }
    if any((a["stage"], a["rows_digest"]) not in approved for a in approvals):
        report.findings.append(_t("approval"))
    if approvals:
        report.summary.append(_t("s.approved", area=area, count=len(approvals)))
    else:
        report.summary.append(_t("s.not_approved", area=area))
    report.summary.append(_t("s.limits"))
