"""`floorledger verify`, sections 6-8: monthly scores, weekly reviews and daily results re-derived
from the signed frames (the record, ledger and log checks are in `hub.audit.verify`).

The pure comparisons live in `hub.audit.months` and `hub.audit.weeks`; this module reads the
database, derives the engine inputs once per month and hands them to both.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import peewee

from floorledger.base import i18n
from hub.audit import months as vm
from hub.audit import publication as vp
from hub.audit import weeks as vw
from hub.audit.pending import NOTHING_PENDING, PENDING_WINDOW_MS, Progress, fed_line_days
from hub.audit.report import Section, finding, short
from hub.engine.compute import V2_ONLY, MonthIndex, compute_line_day
from hub.engine.errors import EngineError
from hub.engine.model import Month
from hub.engine.rules import RuleBook
from hub.ledger.entries import HUB_FACT_ACTIONS, EntryContent, EntryRow, LedgerError, parse_entry
from hub.masterdata import queries as md_queries
from hub.results import facts as fx
from hub.results import inputs as mi
from hub.results import worker as rs
from hub.results.facts import FactRecord, Facts, HubCorrection
from hub.store.kiosks import KioskRecord
from hub.store.ledger import LedgerEntry
from hub.store.masterdata import Inmate, Line
from hub.store.results import LEDGER_PROGRESS, DailyResult, ResultsProgress
from hub.store.review import (
    Adjustment,
    MonthApproval,
    MonthReviewAnswer,
    PublishedMonth,
    PublishedWeek,
    WeekSignoff,
)
from hub.store.schema import MASTERDATA_MODELS, bind_all
from protocol.errors import ProtocolError
from protocol.records import parse_frame
from protocol.signing import Verifier

# --- re-derived from the frames ----------------------


def check_derived(
    db: peewee.Database,
    ledger_rows: Sequence[EntryRow],
    hub_key: Verifier | None,
    results_section: Section,
    scores_section: Section,
    weeks_section: Section,
    notes: list[str],
) -> None:
    """Daily results, monthly scores and weekly reviews, month by month, parsing each month's signed
    records once.

    The records are read by their `type` and `day` columns only to choose which frames to parse; the
    record check has already compared those columns with the frames. Master data and rule sets are
    read from the hub's own tables, which the master-data section holds against the ledger's acts.
    """
    bind_all(db)
    has_master = all(model.table_exists() for model in MASTERDATA_MODELS)  # type: ignore[no-untyped-call]
    signed, master_changes = _signed_acts(ledger_rows, hub_key)
    scores = _scores_to_check(signed, master_changes, scores_section, notes)
    _publications_to_check(signed, scores_section)
    weeks = _weeks_to_check(signed, master_changes, weeks_section, notes)
    result_months: set[Month] = set()
    latest: date | None = None
    if not (has_master and DailyResult.table_exists()):  # type: ignore[no-untyped-call]
        notes.append(finding("note.no_result_tables"))
    else:
        day_rows: list[tuple[str]] = list(DailyResult.select(DailyResult.day).distinct().tuples())  # type: ignore[arg-type]
        days = sorted({row[0] for row in day_rows})
        if days:
            latest = date.fromisoformat(days[-1])
            result_months = {Month.of(date.fromisoformat(d)) for d in days}
    score_months = {Month.parse(a.act.month) for a in scores.in_force}
    if score_months and not has_master:
        notes.append(finding("note.no_master_scores"))
        score_months = set()
    week_months = weeks.months()
    if week_months and not has_master:
        notes.append(finding("note.no_master_weeks"))
        week_months = set()
    if not result_months | score_months | week_months:
        scores.finish()
        weeks.finish()
        return
    progress = read_progress() if result_months else NOTHING_PENDING
    acts_pending = _pending_acts(ledger_rows, hub_key, progress)
    stuck: set[tuple[str, int]] = set()
    book = md_queries.rule_book()
    line_area = {x.code: x.area for x in Line.select(Line.code, Line.area)}
    person_area = {i.id: i.area for i in Inmate.select(Inmate.id, Inmate.area)}
    if week_months:
        weeks.start({i.id: (i.number, i.name) for i in Inmate.select(Inmate.id, Inmate.number, Inmate.name)})
    for month in sorted(result_months | score_months | week_months):
        records = _month_records(month)
        derived = fx.derive([fact for _, fact in records], month)
        if month in result_months:
            assert latest is not None
            stuck |= _check_results(
                db, month, derived, book, latest, results_section, records, progress, acts_pending
            )
        if month in score_months | week_months:
            data = vm.MonthData(
                month=month,
                records=records,
                master=mi.load_master(month),
                rule_set=book.for_month(month),
                line_area=line_area,
                person_area=person_area,
                corrections=[(i, c) for i, c in scores.corrections if month.contains(c.day)],
                derived=derived,
            )
            if month in score_months:
                scores.check_month(data)
            if month in week_months:
                weeks.add_month(data)
    scores.finish()
    weeks.finish()
    if stuck:
        notes.append(finding("note.results_stuck", count=len(stuck), seconds=PENDING_WINDOW_MS // 1000))


def month_refused(month: Month, inputs: Any, err: EngineError) -> Any:
    """The finding for a month whose inputs the engine refuses, naming the entry as officers know it
    (the inmate and his post, not `assignments[3]`)."""
    place = getattr(err, "place", "")
    problem = getattr(err, "problem", str(err))
    what: Any = place
    head, _, rest = place.partition("[")
    number, _, field = rest.partition("].")
    if number.isdigit():
        items = getattr(inputs, head, ())
        n = int(number)
        item = items[n] if n < len(items) else None
        label = i18n.Label("verify.wf", field)
        if head == "assignments" and item is not None:
            what = i18n.Text("verify.w.assignment", person=item.inmate, line=item.line or "-", field=label)
        elif head == "inmates" and item is not None:
            what = i18n.Text("verify.w.inmate", person=item.id, field=label)
    elif head in ("ratings", "rejects", "deductions"):
        what = i18n.Label("verify.w.list", head)
    if problem == V2_ONLY:
        return finding("result.month_v2_in_v1", month=str(month), what=what)
    return finding("result.month_cannot", month=str(month), what=what, error=problem)


def read_progress() -> Progress:
    """The results worker's progress in this snapshot (`hub.audit.pending`)."""
    if not ResultsProgress.table_exists():  # type: ignore[no-untyped-call]
        return NOTHING_PENDING
    rows: list[tuple[str, int]] = list(
        ResultsProgress.select(ResultsProgress.kiosk, ResultsProgress.seq).tuples()  # type: ignore[arg-type]
    )
    heads = {str(kiosk): int(seq) for kiosk, seq in rows}
    if not heads:
        return NOTHING_PENDING
    ledger = heads.pop(LEDGER_PROGRESS, None)
    newest = KioskRecord.select(peewee.fn.MAX(KioskRecord.received_ms)).scalar()
    newest_act = LedgerEntry.select(peewee.fn.MAX(LedgerEntry.hub_ms)).scalar()
    return Progress(heads=heads, newest_ms=max(int(newest or 0), int(newest_act or 0)), ledger=ledger)


def _pending_acts(
    ledger_rows: Sequence[EntryRow], hub_key: Verifier | None, progress: Progress
) -> tuple[list[HubCorrection], bool]:
    """The dashboard corrections and whether a master-data change the results worker has not
    computed yet (`Progress.act_pending`), read from the signed frames."""
    corrections: list[HubCorrection] = []
    master = False
    for row in ledger_rows:
        if progress.ledger is None or row.index <= progress.ledger:
            continue
        try:
            content, data, signature = parse_entry(row.frame)
            if hub_key is not None:
                hub_key.verify(data, signature)
            if not progress.act_pending(content.index, content.hub_ms):
                continue
            if content.action in HUB_FACT_ACTIONS:
                corrections.extend(fx.hub_changes(content.payload))
            elif content.action in vm.MASTER_ACTIONS:
                master = True
        except (LedgerError, ProtocolError, ValueError, KeyError, TypeError):
            continue  # a forged or odd act makes nothing pending (the ledger check reports it)
    return corrections, master


def _month_records(month: Month) -> list[tuple[int, FactRecord]]:
    """(received_ms, fact) of the month's engine records and every kiosk correction, from the signed
    frames, in commit order."""

    first, last = month.first_day.isoformat(), month.last_day.isoformat()
    query = (
        KioskRecord.select(KioskRecord.id, KioskRecord.frame, KioskRecord.received_ms)
        .where(
            (KioskRecord.type.in_(sorted(fx.ENGINE_TYPES)) & KioskRecord.day.between(first, last))
            | (KioskRecord.type == "correction")
        )
        .order_by(KioskRecord.id)
        .tuples()
    )
    out = []
    for rid, frame, received in query.iterator():
        try:
            out.append((int(received), fx.as_fact(parse_frame(bytes(frame)), order=rid)))
        except ProtocolError:
            continue  # reported by the record check
    return out


def _check_results(
    db: peewee.Database,
    month: Month,
    derived: Facts,
    book: RuleBook,
    latest: date,
    section: Section,
    records: Sequence[tuple[int, FactRecord]],
    progress: Progress,
    acts_pending: tuple[list[HubCorrection], bool] = ([], False),
) -> set[tuple[str, int]]:
    """Recompute the month's daily records from the derived facts and compare each stored row, but
    for the line-days records the results worker has not computed yet feed (pending, listed apart).
    Returns the uncomputed records (kiosk, seq) too old to count as pending."""

    first, last = month.first_day.isoformat(), month.last_day.isoformat()
    through = latest if month.contains(latest) else None
    # adjustments are monthly points: no daily result counts them
    read = mi.month_input(db, month, through=through, facts=derived, rule_book=lambda: book, adjustments=())
    rule_set = read.rule_set
    try:
        index = MonthIndex(read.inputs, rule_set)
    except EngineError as err:
        # the month's inputs themselves are refused (v2 data forged into a v1 month, say): no day of
        # it can be re-derived, and the master-data section names the row
        section.checked += 1
        section.findings.append(month_refused(month, read.inputs, err))
        return set()
    expected: dict[tuple[str, str], dict[str, Any]] = {}
    for line, day in index.line_days():
        try:
            computed = compute_line_day(index, line, day)
        except EngineError as err:
            section.findings.append(finding("result.cannot", line=line, day=day, error=str(err)))
            continue
        for record in computed.records:
            row = rs._row(record, rule_set.version, rule_set.digest, 0)
            expected[(row["inmate"], row["day"])] = row
    late = [fact for received, fact in records if progress.pending(fact.kiosk, fact.seq, received)]
    stuck = {
        (f.kiosk, f.seq)
        for received, f in records
        if not progress.computed(f.kiosk, f.seq) and not progress.pending(f.kiosk, f.seq, received)
    }
    known = {(fact.kiosk, fact.seq): fact for _, fact in records}
    waiting = {(line, day.isoformat()) for line, day in fed_line_days(index, late, known)}
    corrections, master = acts_pending
    if master and month.contains(latest):  # the worker recomputes the current month after a change
        waiting |= {(line, day.isoformat()) for line, day in index.line_days()}
    for c in corrections:
        if not month.contains(c.day):
            continue
        if c.line:
            waiting.add((c.line, c.day.isoformat()))
        n = index.assignment_index(c.person, c.day) if c.person else None
        if n is not None:
            waiting.add((index.inputs.assignments[n].line, c.day.isoformat()))
    stored = {(r.inmate, r.day): r for r in DailyResult.select().where(DailyResult.day.between(first, last))}
    for key in sorted(set(expected) | set(stored)):
        section.checked += 1
        want, have = expected.get(key), stored.get(key)
        where = {"inmate": key[0], "day": key[1]}
        lines = ({want["line"]} if want is not None else set()) | ({have.line} if have is not None else set())
        if any((line, key[1]) in waiting for line in lines):
            section.pending.append(finding("result.pending", **where))
            continue
        if have is None:
            section.findings.append(finding("result.missing", **where))
            continue
        if want is None:
            section.findings.append(finding("result.extra", **where, id=have.id))
            continue
        for name, value in want.items():
            if name != "computed_ms" and getattr(have, name) != value:
                section.findings.append(
                    finding(
                        "result.column",
                        **where,
                        id=have.id,
                        name=vm.column(name),
                        stored=short(getattr(have, name)),
                        says=short(value),
                    )
                )
    return stuck


class _Scores:
    """The monthly-scores section: the approval and adjustment rows against the ledger's acts, then
    (`check_month`, per month) every approval in force against the scores re-derived as of it."""

    def __init__(
        self,
        ledgered: vm.Ledgered,
        corrections: list[tuple[int, HubCorrection]],
        master_changes: list[int],
        section: Section,
        notes: list[str],
    ) -> None:
        self.ledgered = ledgered
        self.in_force = ledgered.in_force()
        self.corrections = corrections
        self.master_changes = master_changes
        self.section = section
        self.notes = notes
        self.explained: list[str] = []

    def check_month(self, data: vm.MonthData) -> None:

        scores = vm.MonthScores(data, self.ledgered)
        for approval in self.in_force:
            if approval.act.month != str(data.month):
                continue
            self.section.checked += 1
            later = vm.explained(approval, self.ledgered, self.master_changes)
            outcome = scores.check(approval, all_cuts=not later)
            if outcome.holds:
                continue
            act = approval.act
            stage = i18n.Label("verify.stage", approval.stage)
            said = {
                "month": act.month,
                "area": act.area,
                "actor": act.actor,
                "stage": stage,
                "index": act.index,
                "digest": approval.digest[:16],
            }
            if later:
                self.explained.append(
                    finding("month.explained", month=act.month, area=act.area, stage=stage, index=act.index)
                )
                continue
            if outcome.digest is None:
                self.section.findings.append(finding("month.not_derived", **said, error=outcome.error))
                continue
            rules = data.rule_set.version
            note: str = (
                ""
                if approval.rule_set == rules
                else finding("month.rule_set", signed=approval.rule_set, now=rules)
            )
            self.section.findings.append(
                finding("month.digest", **said, derived=outcome.digest[:16], note=note)
            )

    def finish(self) -> None:
        if self.explained:
            self.notes.append(
                finding("note.explained_months", count=len(self.explained), shown=_shown(self.explained))
            )


def _signed_acts(
    ledger_rows: Sequence[EntryRow], hub_key: Verifier | None
) -> tuple[list[EntryContent], list[int]]:
    """One pass over the ledger for sections 6 and 7: the assessment acts and dashboard corrections,
    read from their frames (the frame decides, not the columns) and hub-signed (a forged act counts
    for nothing; the ledger check reports it), and the indexes of master-data acts (which only ever
    turn a finding into a note)."""

    wanted = {*vm.ACTIONS, *vw.ACTIONS, *HUB_FACT_ACTIONS, *vp.ACTIONS}
    signed: list[EntryContent] = []
    master_changes: list[int] = []
    for row in ledger_rows:
        try:
            content, data, signature = parse_entry(row.frame)
            if content.action in vm.MASTER_ACTIONS:
                master_changes.append(content.index)
                continue
            if content.action not in wanted:
                continue
            if hub_key is not None:
                hub_key.verify(data, signature)
        except (LedgerError, ProtocolError):
            continue
        signed.append(content)
    return signed, master_changes


def _scores_to_check(
    signed: Sequence[EntryContent], master_changes: list[int], section: Section, notes: list[str]
) -> _Scores:
    """Compare the approval and adjustment rows with the ledger's monthly assessment acts."""

    acts: list[vm.Act] = []
    corrections: list[tuple[int, HubCorrection]] = []
    for content in signed:
        if content.action in HUB_FACT_ACTIONS:
            try:
                corrections.extend((content.index, c) for c in fx.hub_changes(content.payload))
            except (ValueError, KeyError, TypeError):
                continue  # ignored by the hub as well (hub.results.inputs.load_hub_corrections)
            continue
        if content.action not in vm.ACTIONS:
            continue
        act = vm.month_act(
            content.index, content.actor, content.action, content.subject, content.payload, content.hub_ms
        )
        if act is not None:
            acts.append(act)
    ledgered = vm.replay(acts)
    notes.extend(override_notes(ledgered))
    scores = _Scores(ledgered, corrections, master_changes, section, notes)
    section.findings.extend(ledgered.problems)
    if not (MonthApproval.table_exists() and Adjustment.table_exists()):  # type: ignore[no-untyped-call]
        if acts:
            section.findings.append(finding("month.no_tables", count=len(acts)))
        return scores
    approvals = [
        vm.ApprovalRow(
            id=r.id,
            month=r.month,
            area=r.area,
            stage=r.stage,
            approver=r.approver,
            rows_digest=r.rows_digest,
            voided=r.voided_ms is not None,
            void_reason=r.void_reason,
        )
        for r in MonthApproval.select().order_by(MonthApproval.id)
    ]
    adjustments = [
        vm.AdjustmentRow(
            id=r.id,
            month=r.month,
            area=r.area,
            inmate=r.inmate,
            points=r.points,
            reason=r.reason,
            created_by=r.created_by,
            voided=r.voided_ms is not None,
            voided_by=r.voided_by,
            void_reason=r.void_reason,
        )
        for r in Adjustment.select().order_by(Adjustment.id)
    ]
    section.checked += len(approvals) + len(adjustments)
    section.findings.extend(vm.compare_approvals(approvals, ledgered))
    section.findings.extend(vm.compare_adjustments(adjustments, ledgered))
    return scores


class _Weeks:
    """The weekly-reviews section: the sign-off and publication rows against the ledger's acts, then
    (`add_month`, in month order) every act re-derived once the months its week touches are read."""

    def __init__(
        self, acts: list[vw.WeekAct], master_changes: list[int], section: Section, notes: list[str]
    ) -> None:
        self.pending = acts
        self.master_changes = master_changes
        self.section = section
        self.notes = notes
        self.explained: list[str] = []
        self.rederive: vw.WeekRows | None = None

    def months(self) -> set[Month]:

        return {m for act in self.pending for m in vw.week_months(act.week)}

    def start(self, people: dict[str, tuple[str, str]]) -> None:

        self.rederive = vw.WeekRows(people)

    def add_month(self, data: vm.MonthData) -> None:

        assert self.rederive is not None
        self.rederive.add(data)
        ready: list[vw.WeekAct] = []
        waiting: list[vw.WeekAct] = []
        for act in self.pending:  # a week running into the next month waits for it
            read = all(m in self.rederive.months for m in vw.week_months(act.week))
            (ready if read else waiting).append(act)
        self.pending = waiting
        for act in ready:
            self._check(act)
        needed = self.months()
        for month in [m for m in self.rederive.months if m not in needed]:
            self.rederive.drop(month)

    def _check(self, act: vw.WeekAct) -> None:

        assert self.rederive is not None
        self.section.checked += 1
        later = vw.explained(act, self.master_changes)
        outcome = self.rederive.check(act, all_cuts=not later)
        if outcome.holds:
            return
        what = finding("week.signed_off" if act.action == vw.SIGNOFF else "week.published")
        said = {"week": act.week, "area": act.area, "what": what, "actor": act.actor, "index": act.index}
        if later:
            self.explained.append(finding("week.explained", **said))
            return
        if outcome.digest is None:
            self.section.findings.append(
                finding("week.not_derived", **said, digest=act.digest[:16], error=outcome.error)
            )
        else:
            self.section.findings.append(
                finding("week.digest", **said, digest=act.digest[:16], derived=outcome.digest[:16])
            )

    def finish(self) -> None:
        if self.explained:
            self.notes.append(
                finding("note.explained_weeks", count=len(self.explained), shown=_shown(self.explained))
            )


def _weeks_to_check(
    signed: Sequence[EntryContent], master_changes: list[int], section: Section, notes: list[str]
) -> _Weeks:
    """Compare the sign-off and publication rows with the ledger's weekly acts."""

    acts: list[vw.WeekAct] = []
    for content in signed:
        if content.action not in vw.ACTIONS:
            continue
        act = vw.week_act(
            content.index, content.actor, content.action, content.subject, content.payload, content.hub_ms
        )
        if act is not None:
            acts.append(act)
    ledgered = vw.replay(acts)
    section.findings.extend(ledgered.problems)
    weeks = _Weeks(ledgered.acts, master_changes, section, notes)
    if not (WeekSignoff.table_exists() and PublishedWeek.table_exists()):  # type: ignore[no-untyped-call]
        if acts:
            section.findings.append(finding("week.no_tables", count=len(acts)))
        return weeks
    signoffs = [
        vw.SignoffRow(
            id=r.id,
            area=r.area,
            week=r.week,
            signed_by=r.signed_by,
            role=r.role,
            rows_digest=r.rows_digest,
            signed_ms=r.signed_ms,
        )
        for r in WeekSignoff.select().order_by(WeekSignoff.id)
    ]
    publications = [
        vw.PublishedRow(
            id=r.id,
            area=r.area,
            week=r.week,
            rows=r.rows,
            published_by=r.published_by,
            valid_from=r.valid_from,
            until=r.until,
            created_ms=r.created_ms,
        )
        for r in PublishedWeek.select().order_by(PublishedWeek.id)
    ]
    section.checked += len(signoffs) + len(publications)
    section.findings.extend(vw.compare_signoffs(signoffs, ledgered))
    section.findings.extend(vw.compare_publications(publications, ledgered))
    return weeks


def _publications_to_check(signed: Sequence[EntryContent], section: Section) -> None:
    """Compare the inmates' month rows (publications, answers to review requests) with their acts."""
    acts = [
        vp.Act(index=c.index, actor=c.actor, action=c.action, subject=c.subject, payload=c.payload)
        for c in signed
        if c.action in vp.ACTIONS
    ]
    if not (PublishedMonth.table_exists() and MonthReviewAnswer.table_exists()):  # type: ignore[no-untyped-call]
        if acts:
            section.findings.append(finding("pub.no_tables", count=len(acts)))
        return
    publications: list[dict[str, Any]] = list(PublishedMonth.select().order_by(PublishedMonth.id).dicts())  # type: ignore[arg-type]
    answers: list[dict[str, Any]] = list(MonthReviewAnswer.select().order_by(MonthReviewAnswer.id).dicts())  # type: ignore[arg-type]
    stored = KioskRecord.select(KioskRecord.kiosk, KioskRecord.seq).where(KioskRecord.type == "month_review")
    requests = [(str(r.kiosk), int(r.seq)) for r in stored]
    section.checked += len(publications) + len(answers)
    section.findings.extend(vp.compare_publications(publications, acts))
    section.findings.extend(vp.compare_answers(answers, acts, requests))


def _shown(items: Sequence[str]) -> i18n.Joined:
    """The first ten of `items`, then an ellipsis."""
    return i18n.Joined([*items[:10], *(["..."] if len(items) > 10 else [])])


def override_notes(ledgered: vm.Ledgered) -> list[Any]:
    """A note for each approval in force given with an override (`hub.review.rules.check_guard`): the
    month was still running or had open items, and the approver wrote why it was approved anyway."""
    out: list[Any] = []
    for approval in ledgered.in_force():
        override = approval.act.payload.get("override")
        if not isinstance(override, dict):
            continue
        open_items = override.get("open")
        items = dict(open_items) if isinstance(open_items, dict) else {}
        # each part a text of its own, shown in the reader's language (assess.open.<kind>: n)
        parts: list[Any] = [i18n.Text("verify.f.override.running")] if override.get("running") else []
        parts.extend(i18n.Text("verify.f.override.open", kind=i18n.Label("assess.open", str(k)), n=v)
                     for k, v in items.items())  # fmt: skip
        detail = i18n.Joined(parts) if parts else "-"
        out.append(
            finding(
                "note.override",
                month=approval.act.month,
                area=approval.act.area,
                stage=i18n.Label("verify.stage", approval.stage),
                index=approval.act.index,
                actor=approval.act.actor,
                reason=short(str(override.get("reason", ""))),
                detail=detail,
            )
        )
    return out
