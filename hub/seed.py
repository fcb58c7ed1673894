"""A realistic demo site, generated deterministically from a seed number.

Two workshop areas (一监区, 二监区), three lines, three products with 4-8 steps each and decimal
standard times, 60 inmates with Chinese names, officers of every role, badges, assignments, Monday
to Friday workdays, and a month of floor history: check-ins and -outs, unit counts, warehoused
counts, excused absences, confirmations, a dispute and a correction. The history is made of real
signed records (`protocol.records.sign_record`) from one *history kiosk* per line (`H-L1`...,
deterministic demo keys), stored like the ingest stores them, so `floorledger verify` holds on the
seeded database. Live demo kiosks use other ids (`K-L1`...), so their chains never meet these.

The same seed gives the same site, the same records and the same results, byte for byte.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import peewee as pw

from hub.app import checkpoint_log, masterdata_service
from hub.engine.model import Month
from hub.kiosks.enrollment import Enrollment
from hub.kiosks.ingest import Ingest
from hub.ledger.entries import Ledger
from hub.masterdata import service as md
from hub.results import worker as rs
from hub.store.db import write_transaction
from hub.store.schema import prepare
from protocol import batch
from protocol.records import (
    GENESIS_HASH,
    Body,
    CheckIn,
    CheckOut,
    Confirm,
    Correction,
    Countersign,
    Dispute,
    ExcusedAbsence,
    Record,
    SignedRecord,
    UnitCount,
    WarehousedCount,
    sign_record,
)
from protocol.signing import Signer
from protocol.topics import Topics

ADMIN = "admin"

AREAS = (("A1", "一监区"), ("A2", "二监区"))
LINES = (
    # code, name, area, shift minutes, product, counted (individual counts) or time mode
    ("L1", "服装一线", "A1", 480, "SHIRT", True),
    ("L2", "服装二线", "A1", 450, "TROUSERS", True),
    ("L3", "电子装配线", "A2", 480, "HARNESS", False),
)
PRODUCTS: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "SHIRT": (
        "男式衬衫",
        (
            ("S1", "裁片", "42.5"),
            ("S2", "做领", "97.5"),
            ("S3", "上领", "88"),
            ("S4", "做袖", "76.4"),
            ("S5", "上袖", "102.5"),
            ("S6", "锁眼钉扣", "55.2"),
            ("S7", "整烫包装", "38.6"),
        ),
    ),
    "TROUSERS": (
        "工装裤",
        (
            ("T1", "裁剪", "48"),
            ("T2", "做口袋", "120.5"),
            ("T3", "合侧缝", "66.8"),
            ("T4", "上腰头", "92.25"),
            ("T5", "卷裤脚", "35.5"),
        ),
    ),
    "HARNESS": (
        "汽车线束",
        (
            ("H1", "剥线", "18.5"),
            ("H2", "压端子", "24.75"),
            ("H3", "穿护套", "31.2"),
            ("H4", "胶带缠绕", "45.6"),
            ("H5", "导通检测", "27.5"),
            ("H6", "装箱", "15.8"),
        ),
    ),
}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪"
    "心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启"
    "克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛"
)
OFFICERS = (
    # id, name, role, area, line
    ("O-L1", "赵建国", "line_officer", "A1", "L1"),
    ("O-L2", "钱卫东", "line_officer", "A1", "L2"),
    ("O-L3", "孙志强", "line_officer", "A2", "L3"),
    ("O-A1", "李明华", "area_head", "A1", None),
    ("O-A2", "周国平", "area_head", "A2", None),
    ("O-LS", "吴晓红", "labor_section", None, None),
    (ADMIN, "系统管理员", "admin", None, None),
)
INMATES_PER_LINE = 20


@dataclass(frozen=True, slots=True, kw_only=True)
class SeedSummary:
    """What was seeded: ids the demo needs, and how much history."""

    seed: int
    lines: tuple[str, ...]
    inmates: int
    officers: tuple[str, ...]
    history_kiosks: tuple[str, ...]
    records: int
    first_day: date
    last_day: date


def demo_kiosk_signer(seed: int, kiosk: str) -> Signer:
    """The deterministic demo key of a kiosk (never for a real site: anyone can derive it)."""
    return Signer(hashlib.sha256(f"floorledger-demo-kiosk:{seed}:{kiosk}".encode()).digest())


def history_kiosk(line: str) -> str:
    return f"H-{line}"


def _weekdays(first: date, last: date) -> list[date]:
    out, day = [], first
    while day <= last:
        if day.weekday() < 5:
            out.append(day)
        day += timedelta(days=1)
    return out


def _names(rng: random.Random, n: int) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        name = rng.choice(SURNAMES) + given
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def seed_master(
    data: md.MasterData, rng: random.Random, *, first_day: date, last_workday: date
) -> dict[str, dict[str, tuple[str, str, str]]]:
    """Areas, lines, products, people, badges, posts and workdays; returns the posts for history
    (`{"posts": {inmate: (line, product, step)}}`)."""
    for code, name in AREAS:
        data.add_area(ADMIN, code, name)
    for code, (name, product_steps) in PRODUCTS.items():
        data.add_product(ADMIN, code, name, product_steps, valid_from=first_day, reason="初始标准工时")
    for code, name, area, shift, product, _ in LINES:
        data.add_line(ADMIN, code, name, area=area, shift_minutes=shift, product=product)
    # Badge ids are what a 125 kHz reader prints for the card in decimal (10 digits), so the demo's
    # simulated readers produce exactly these ids.
    for i, (officer_id, name, role, officer_area, officer_line) in enumerate(OFFICERS):
        data.add_officer(ADMIN, officer_id, name=name, role=role, area=officer_area, line=officer_line)
        data.issue_badge(ADMIN, f"{9_000_001 + i:010d}", officer_id)
    names = _names(rng, INMATES_PER_LINE * len(LINES))
    posts: dict[str, tuple[str, str, str]] = {}
    n = 0
    for line, _, area, _, product, _ in LINES:
        steps = balanced_steps(product, INMATES_PER_LINE)
        for i in range(INMATES_PER_LINE):
            inmate = f"P{1001 + n}"
            quota = rng.choice((100,) * 8 + (90, 80))
            data.add_inmate(
                ADMIN, inmate, number=f"32{area[-1]}{1001 + n:05d}", name=names[n], quota_pct=quota, area=area
            )
            data.issue_badge(ADMIN, f"{100_001 + n:010d}", inmate)
            step = steps[i]
            data.assign(ADMIN, inmate, line=line, product=product, step=step, valid_from=first_day)
            posts[inmate] = (line, product, step)
            n += 1
    data.add_workdays(ADMIN, _weekdays(first_day, last_workday))
    # A mid-history change of a standard time and a move of one inmate, as real sites have.
    data.set_standard_time(
        ADMIN,
        "SHIRT",
        "S2",
        "95",
        valid_from=first_day + timedelta(days=14),
        reason="工艺改进，重新测定标准工时",
    )
    moved = [inmate for inmate, post in posts.items() if post == ("L1", "SHIRT", "S2")][-1]
    data.assign(
        ADMIN, moved, line="L1", product="SHIRT", step="S5", valid_from=first_day + timedelta(days=10)
    )
    posts[moved] = ("L1", "SHIRT", "S5")
    return {"posts": posts}


class _KioskWriter:
    """Signs a history kiosk's records in chain order."""

    def __init__(self, kiosk: str, signer: Signer, boot: str) -> None:
        self.kiosk, self.signer, self.boot = kiosk, signer, boot
        self.seq, self.prev = 0, GENESIS_HASH
        self.signed: list[SignedRecord] = []
        self._mono_base: int | None = None

    def add(self, body: Body, wall_ms: int) -> SignedRecord:
        if self._mono_base is None:
            self._mono_base = wall_ms
        self.seq += 1
        record = Record(
            kiosk=self.kiosk,
            seq=self.seq,
            prev=self.prev,
            boot=self.boot,
            wall_ms=wall_ms,
            mono_ms=wall_ms - self._mono_base + 1000,
            body=body,
        )
        signed = sign_record(record, self.signer)
        self.prev = signed.hash
        self.signed.append(signed)
        return signed


def _ms(zone: ZoneInfo, day: date, minutes: int) -> int:
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    return int((start + timedelta(minutes=minutes)).timestamp() * 1000)


def history_records(
    seed: int, rng: random.Random, posts: dict[str, tuple[str, str, str]], days: list[date], zone: ZoneInfo
) -> list[SignedRecord]:
    """A month of plausible floor records, per history kiosk in chain order.

    Each line-day: most inmates check in and out, a few are absent or half-day excused; the line's
    finished units follow the minutes worked over the product's total standard time; on counted
    lines every step's counts add up to about the warehoused units, split by minutes worked.
    """
    writers = {
        line: _KioskWriter(history_kiosk(line), demo_kiosk_signer(seed, history_kiosk(line)), f"seed{seed}")
        for line, *_ in LINES
    }
    by_line: dict[str, list[str]] = {}
    for inmate, (line, _, _) in sorted(posts.items()):
        by_line.setdefault(line, []).append(inmate)
    corrected = False
    for day in days:
        text = day.isoformat()
        for line, _, _, _, product, counted in LINES:
            w = writers[line]
            officer = f"O-{line}"
            total_std = sum(float(sec) for _, _, sec in PRODUCTS[product][1])
            events: list[tuple[int, Body]] = []
            minutes: dict[str, int] = {}
            starts: dict[str, tuple[int, int]] = {}
            for inmate in by_line.get(line, []):
                roll = rng.random()
                if roll < 0.03:  # absent without excuse: owes the full quota
                    continue
                start = 7 * 60 + 30 + rng.randint(0, 25)
                end = 16 * 60 + 30 + rng.randint(-20, 20)
                if roll < 0.08:  # half a day excused: a family visit, the clinic, a class
                    reason = rng.choice(("family_visit", "medical", "education"))
                    events.append(
                        (
                            start - 5,
                            ExcusedAbsence(
                                person=inmate, day=text, minutes=240, reason=reason, officer=officer
                            ),
                        )
                    )
                    end = start + 200
                minutes[inmate] = end - start
                starts[inmate] = (start, end)
                events.append((start, CheckIn(person=inmate, line=line, day=text, method="badge")))
                events.append((end, CheckOut(person=inmate, line=line, day=text, method="badge")))
            if not minutes:
                continue
            warehoused = int(sum(minutes.values()) * 60 / total_std * rng.uniform(0.88, 1.12))
            if counted:
                by_step: dict[str, list[str]] = {}
                for inmate in minutes:
                    by_step.setdefault(posts[inmate][2], []).append(inmate)
                for step, members in sorted(by_step.items()):
                    group_total = warehoused * rng.uniform(0.99, 1.035)
                    weights = {m: minutes[m] * rng.uniform(0.85, 1.15) for m in members}
                    scale = group_total / sum(weights.values())
                    for m in members:
                        units = int(weights[m] * scale)
                        lots = rng.randint(2, 4)
                        start, end = starts[m]
                        for k in range(lots):
                            part = units // lots + (units % lots if k == lots - 1 else 0)
                            at = start + (end - start) * (k + 1) // (lots + 1)
                            source = rng.choice(("manual", "ticket"))
                            count = UnitCount(
                                person=m,
                                line=line,
                                day=text,
                                product=product,
                                step=step,
                                units=part,
                                source=source,
                            )
                            events.append((at, count))
            events.sort(key=lambda e: e[0])
            for at, body in events:
                w.add(body, _ms(zone, day, at))
            entry = w.add(
                WarehousedCount(line=line, product=product, day=text, units=warehoused, officer=officer),
                _ms(zone, day, 17 * 60 + 10),
            )
            if not corrected and counted and day.day >= 8:
                # An officer mistyped the warehouse count and corrected it the same evening.
                correction = Correction(
                    ref_kiosk=w.kiosk,
                    ref_seq=entry.record.seq,
                    ref_hash=entry.hash,
                    officer=officer,
                    reason="入库数录入错误，按入库单更正",
                    values={"units": warehoused + 12},
                )
                w.add(correction, _ms(zone, day, 17 * 60 + 25))
                corrected = True
            w.add(Countersign(officer=officer, line=line, day=text), _ms(zone, day, 17 * 60 + 30))
            next_day = day + timedelta(days=1)
            present = sorted(minutes)
            for inmate in present[: len(present) // 2]:
                w.add(Confirm(person=inmate, day=text), _ms(zone, next_day, 7 * 60 + 20))
            if day == days[len(days) // 2]:
                dispute = Dispute(
                    person=present[0], day=text, reason="count_wrong", text="我的计件少记了一捆"
                )
                w.add(dispute, _ms(zone, next_day, 7 * 60 + 22))
    return [s for line in sorted(writers) for s in writers[line].signed]


def balanced_steps(product: str, people: int) -> list[str]:
    """Steps for `people` inmates in proportion to the steps' standard times (a balanced line)."""
    steps = PRODUCTS[product][1]
    total = sum(float(sec) for _, _, sec in steps)
    shares = [(code, people * float(sec) / total) for code, _, sec in steps]
    counts = {code: max(1, int(share)) for code, share in shares}
    by_remainder = sorted(shares, key=lambda cs: cs[1] - int(cs[1]), reverse=True)
    i = 0
    while sum(counts.values()) < people:
        counts[by_remainder[i % len(by_remainder)][0]] += 1
        i += 1
    out = [code for code, _, _ in steps for _ in range(counts[code])]
    return out[:people]


class _DiscardAcks:
    """Stands in for the broker while seeding offline: the acks of history records go nowhere."""

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        return None

    def subscribe(self, topic: str, handler: Callable[[str, bytes], object], qos: int = 1) -> None:
        return None


def store_signed(
    db: pw.Database, site: str, signed: list[SignedRecord], *, clock_ms: Callable[[], int]
) -> int:
    """Store signed records through the ingest itself (verify, chain check, verbatim frame, commit),
    in batches per kiosk in chain order, exactly as if the kiosks had sent them."""
    ingest = Ingest(db, _DiscardAcks(), Topics.for_site(site), site, Signer.generate(), clock_ms=clock_ms)
    ingest.reload_keys()
    by_kiosk: dict[str, list[SignedRecord]] = {}
    for s in signed:
        by_kiosk.setdefault(s.record.kiosk, []).append(s)
    stored = 0
    for kiosk, records in sorted(by_kiosk.items()):
        for start in range(0, len(records), 500):
            chunk = records[start : start + 500]
            result = ingest.handle_records(
                Topics.for_site(site).records(kiosk), batch.pack([s.frame for s in chunk])
            )
            if result is None or result.head.seq != chunk[-1].record.seq:
                raise RuntimeError(f"seeding: the ingest did not store {kiosk} up to {chunk[-1].record.seq}")
            stored += result.stored
    return stored


def _enroll_history_kiosks(db: pw.Database, seed: int, ledger: Ledger, clock_ms: Callable[[], int]) -> None:
    """Enroll the history kiosks the way an officer does (QR code of the kiosk's key), ledgered."""
    enrollment = Enrollment(db, ledger, clock_ms)
    for line, *_ in LINES:
        kiosk = history_kiosk(line)
        key = demo_kiosk_signer(seed, kiosk).public_key_b64
        enrollment.enroll_qr(ADMIN, f"floorledger-enroll:1:{kiosk}:{key}", line=line)


def seed_site(
    db: pw.Database,
    *,
    hub_signer: Signer,
    site: str = "demo",
    seed: int = 1,
    today: date | None = None,
    history_days: int = 30,
    timezone: str = "Asia/Shanghai",
    clock_ms: Callable[[], int] | None = None,
) -> SeedSummary:
    """Seed an empty hub database: master data, history kiosks and `history_days` of records before
    `today` (default: the site's date now), every daily result of those days, and a checkpoint.

    Every master-data change and kiosk enrollment is an act of `admin` in the hub's ledger, signed
    with `hub_signer` (the hub's key), so `floorledger verify` with the hub's public key holds.
    The database is migrated to the code's schema first.
    """
    prepare(db)
    zone = ZoneInfo(timezone)
    now_ms = clock_ms() if clock_ms else time.time_ns() // 1_000_000
    today = today or datetime.fromtimestamp(now_ms / 1000, zone).date()

    def clock() -> int:
        return now_ms

    rng = random.Random(seed)
    first_day = today - timedelta(days=history_days)
    last_workday = today + timedelta(days=62)
    ledger = Ledger(db, hub_signer, clock)
    data = masterdata_service(db, record_act=ledger.record_act, clock_ms=clock)
    history = _weekdays(first_day, today - timedelta(days=1))
    with write_transaction(db):  # one commit for the whole master data, not one fsync per change
        master = seed_master(data, rng, first_day=first_day, last_workday=last_workday)
        _enroll_history_kiosks(db, seed, ledger, clock)
    signed = history_records(seed, rng, master["posts"], history, zone)
    count = store_signed(db, site, signed, clock_ms=clock)
    results = rs.Results(db, today=lambda: today, clock_ms=clock)
    months = sorted({Month.of(d) for d in history} | {Month.of(today)})
    with write_transaction(db):
        for month in months:
            results.recompute_month(month)
    checkpoints = checkpoint_log(db, hub_signer, clock_ms=clock, site=site)
    checkpoints.extend()
    checkpoints.make_checkpoint()
    return SeedSummary(
        seed=seed,
        lines=tuple(x[0] for x in LINES),
        inmates=INMATES_PER_LINE * len(LINES),
        officers=tuple(o[0] for o in OFFICERS),
        history_kiosks=tuple(history_kiosk(x[0]) for x in LINES),
        records=count,
        first_day=first_day,
        last_day=today - timedelta(days=1),
    )
