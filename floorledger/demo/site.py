"""The demo site in the hub's database: seeded once, then reused by later runs with `--data`."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from floorledger import keyfile
from floorledger.demo.book_v2 import adopt_rule_book_v2
from hub.accounts import Role
from hub.app import masterdata_service
from hub.kiosks.enrollment import Enrollment
from hub.ledger.entries import Ledger
from hub.masterdata import queries as md_queries
from hub.masterdata import service as md
from hub.seed import seed_site
from hub.store import db as hubdb
from hub.store.kiosks import Kiosk
from hub.store.masterdata import Assignment, Inmate, Line
from hub.store.results import DailyResult
from hub.store.schema import prepare
from hub.web import auth
from hub.web.board import tokens as boards
from protocol.signing import Signer

SITE = "demo"
ADMIN_ACTOR = "admin"
DEMO_TIMEZONE = "Asia/Shanghai"  # the demo kiosks' zone: "today" for the counter stations
# username, display name, role, lines, area: the demo's officer logins (password as the admin's)
DEMO_OFFICERS = (
    ("labor", "吴晓红", "labor_section", (), None),
    ("area1", "李明华", "area_head", (), "A1"),
    ("line1", "赵建国", "line_officer", ("L1",), "A1"),
)


@dataclass(frozen=True, slots=True)
class KioskSpec:
    kiosk: str
    line: str
    line_name: str
    port: int
    folder: Path
    counter_step: str | None = None  # the one-holder step a simulated unit counter counts, if any


@dataclass(frozen=True, slots=True)
class Site:
    kiosks: list[KioskSpec]
    tokens: dict[str, str]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def prepare_site(
    database: Path,
    *,
    hub_signer: Signer,
    seed: int,
    data: Path,
    kiosk_port: int,
    admin: tuple[str, str],
    history_days: int = 30,
    rule_book: str = "v1",
) -> Site:
    """Seed a new database (site, `history_days` of history, admin login, board tokens), enroll one
    live kiosk per line, and return the kiosks and board tokens. A second run finds all of it in place.
    With `rule_book` "v2" a fresh site adopts rule book v2 this month (`floorledger.demo.book_v2`)."""
    fresh = not database.exists()
    tokens_file = database.parent / "demo-tokens.json"
    db = hubdb.connect(str(database))
    try:
        prepare(db)
        if fresh:
            seed_site(db, hub_signer=hub_signer, site=SITE, seed=seed, history_days=history_days)
            accounts = auth.Accounts(db)
            accounts.create(username=admin[0], password=admin[1], role=Role.ADMIN, display_name="演示管理员")
            # One login per officer role, so a newcomer can see every page the way its users do.
            for username, name, role, officer_lines, area in DEMO_OFFICERS:
                accounts.create(
                    username=username,
                    password=admin[1],
                    role=Role(role),
                    display_name=name,
                    lines=officer_lines,
                    area=area,
                )
        lines = list(Line.select().order_by(Line.code))
        tokens: dict[str, str] = json.loads(tokens_file.read_text()) if tokens_file.exists() else {}
        board_tokens = boards.BoardTokens(db)
        targets = [line.code for line in lines] + sorted({line.area for line in lines})
        for target in targets:
            if target not in tokens:
                _, token = board_tokens.create(target, label=f"demo {target}", by=admin[0])
                tokens[target] = token
        tokens_file.write_text(json.dumps(tokens, indent=1))
        ledger = Ledger(db, hub_signer, now_ms)
        enrollment = Enrollment(db, ledger, now_ms)
        today = datetime.now(ZoneInfo(DEMO_TIMEZONE)).date()
        if fresh:
            data_md = masterdata_service(db, record_act=ledger.record_act, clock_ms=now_ms)
            for line in lines:
                _make_counter_station(data_md, line.code, today)
            if rule_book == "v2":
                adopt_rule_book_v2(db, ledger, today, now_ms, counter_stations(today))
        stations = counter_stations(today)
        kiosks: list[KioskSpec] = []
        for i, line in enumerate(lines):
            kiosk_id = f"K-{line.code}"
            folder = data / f"kiosk-{line.code}"
            folder.mkdir(parents=True, exist_ok=True)
            signer, _ = keyfile.load_or_create(folder / "kiosk.key")
            known = Kiosk.get_or_none(Kiosk.id == kiosk_id)
            if known is None or bytes(known.public_key) != signer.public_key:
                qr = f"floorledger-enroll:1:{kiosk_id}:{signer.public_key_b64}"
                enrollment.enroll_qr(ADMIN_ACTOR, qr, line=line.code)
            spec = KioskSpec(kiosk_id, line.code, line.name, kiosk_port + i, folder, stations.get(line.code))
            kiosks.append(spec)
        return Site(kiosks=kiosks, tokens=tokens)
    finally:
        db.close()


def counter_stations(day: date) -> dict[str, str]:
    """Per line, the first step exactly one inmate is posted to on `day`: a unit counter there
    credits that person (with several holders its units would go to the officers as a fault)."""
    holders: dict[str, Counter[str]] = {}
    for post in md_queries.posts_on(day).values():
        if post.mode == "rated":  # a post without a quota (rule book v2) has no step to count
            continue
        holders.setdefault(post.line, Counter())[post.step] += 1
    return {
        line: min(step for step, n in steps.items() if n == 1)
        for line, steps in holders.items()
        if 1 in steps.values()
    }


def _make_counter_station(data: md.MasterData, line: str, day: date) -> None:
    """Make one step of `line` a one-person station from `day` on (a fresh demo only): the other
    holders of its least-staffed step move to its most-staffed one (dated posts, in the ledger)."""
    posts = sorted((p for p in md_queries.posts_on(day).values() if p.line == line), key=lambda p: p.inmate)
    by_step: dict[str, list[Assignment]] = {}
    for post in posts:
        by_step.setdefault(post.step, []).append(post)
    if len(by_step) < 2 or any(len(held) == 1 for held in by_step.values()):
        return
    station = min(by_step, key=lambda step: (len(by_step[step]), step))
    busiest = max(by_step, key=lambda step: (len(by_step[step]), step))
    for post in by_step[station][1:]:
        data.assign(ADMIN_ACTOR, post.inmate, line=line, product=post.product, step=busiest, valid_from=day)


def pad_board(database: Path, area: str, total: int, *, timezone: str = "Asia/Shanghai") -> str:
    """Fill the day `area`'s board shows (the last day before today with results) up to `total` rows
    with made-up inmates (copies of a real row), for benchmarks and tests of a large board. Returns
    the day padded."""
    db = hubdb.connect(str(database))
    try:
        prepare(db)
        lines = [line.code for line in Line.select().where(Line.area == area)]
        dr = DailyResult
        today = datetime.now(ZoneInfo(timezone)).date().isoformat()
        sample = dr.select().where(dr.line.in_(lines) & (dr.day < today)).order_by(dr.day.desc()).get()
        existing = dr.select().where(dr.line.in_(lines) & (dr.day == sample.day)).count()
        values = {f.name: getattr(sample, f.name) for f in dr._meta.sorted_fields if f.name != "id"}
        with hubdb.write_transaction(db):  # takes the write lock first: the running hub writes too
            for n in range(total - existing):
                inmate = f"PX{n:04d}"
                if Inmate.get_or_none(Inmate.id == inmate) is None:
                    Inmate.create(id=inmate, number=f"39{n:06d}", name=f"测试人员{n}", quota_pct="100")
                dr.insert({**values, "inmate": inmate}).on_conflict_ignore().execute()
        return str(sample.day)
    finally:
        db.close()
