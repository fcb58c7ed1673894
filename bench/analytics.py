"""The analytics pages' data on a large site (#17 item 6): a 2,000-inmate site with 12 months of
stored daily results, and the time each page's data function takes to produce its first content:
the skill matrix (/skills), a line's bottleneck month (/bottleneck), the suggestions (/suggestions),
the inmate page (/inmate) and the actions with their effect (/actions), on SQLite and PostgreSQL.

    python bench/analytics.py [--db sqlite|postgresql://postgres@127.0.0.1:5432] [--inmates 2000]
                              [--months 12] [--repeat 3]

With `--db postgresql://...` (a server URL without a database) a scratch database is created and
dropped. The site is written straight into the tables (master data, daily results and actions rows,
not through signed acts: only reading is measured), then ANALYZE gives the planner its statistics
as autovacuum would on a running hub. Each figure is the median of `--repeat` runs
after one warm-up, as the page calls it (its `_load` in a worker thread). Target: <= 1 s each.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import peewee as pw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.accounts import Principal, Role  # noqa: E402
from hub.engine.model import Month  # noqa: E402
from hub.store import analytics as an  # noqa: E402
from hub.store import db as hubdb  # noqa: E402
from hub.store import masterdata as md  # noqa: E402
from hub.store.results import DailyResult  # noqa: E402
from hub.store.schema import prepare  # noqa: E402
from hub.web import actions as actions_page  # noqa: E402
from hub.web import bottleneck as bottleneck_page  # noqa: E402
from hub.web import inmate as inmate_page  # noqa: E402
from hub.web import skills as skills_page  # noqa: E402
from hub.web import suggestions as suggestions_page  # noqa: E402
from hub.web.context import WebContext  # noqa: E402

TODAY = date(2026, 11, 30)
AREAS = 4
LINES_PER_AREA = 5
STEPS = ("裁片", "上领", "上袖", "做袖", "钉扣", "整烫")
STD_SECONDS = 60
QUOTA_UNITS = 480  # a day's quota of 8 hours at 60 s a piece


def build_site(db: pw.Database, inmates: int, months: int, seed: int = 17) -> None:
    """Areas A1-A4, five lines each making one product of six steps, `inmates` spread over the lines,
    `months` of workdays (Monday-Saturday) with each inmate's daily result, some moving step every
    two months; and 200 recorded actions."""
    rng = random.Random(seed)
    lines = [f"L{a}{n}" for a in range(1, AREAS + 1) for n in range(1, LINES_PER_AREA + 1)]
    with db.atomic():
        for a in range(1, AREAS + 1):
            md.Area.create(code=f"A{a}", name=f"{a}监区")
            md.Product.create(code=f"PR{a}", name=f"产品{a}")
            for pos, name in enumerate(STEPS):
                md.Step.create(product=f"PR{a}", code=f"S{pos + 1}", name=name, position=pos)
                md.StandardTime.create(product=f"PR{a}", step=f"S{pos + 1}", valid_from="2025-01-01",
                                       seconds=str(STD_SECONDS), created_ms=0)  # fmt: skip
        for line in lines:
            md.Line.create(code=line, name=f"服装{line}", area=f"A{line[1]}", shift_minutes="480",
                           product=f"PR{line[1]}")  # fmt: skip
        people = []
        for n in range(inmates):
            line = lines[n % len(lines)]
            people.append((f"P{n:05d}", line))
            md.Inmate.create(id=f"P{n:05d}", number=f"32{n:06d}", name=f"罪犯{n}", area=f"A{line[1]}")
    first = TODAY - timedelta(days=30 * months)
    days = [
        first + timedelta(days=k)
        for k in range((TODAY - first).days)
        if (first + timedelta(days=k)).weekday() < 6
    ]
    skill = {(p, s): rng.uniform(0.7, 1.3) for p, _ in people for s in range(len(STEPS))}
    batch: list[dict[str, Any]] = []
    with db.atomic():
        for p, line in people:
            step = rng.randrange(len(STEPS))
            md.Assignment.create(inmate=p, line=line, product=f"PR{line[1]}", step=f"S{step + 1}",
                                 valid_from=first.isoformat(), created_ms=0)  # fmt: skip
            for k, day in enumerate(days):
                if k % 50 == 49 and rng.random() < 0.3:
                    step = rng.randrange(len(STEPS))
                done = round(QUOTA_UNITS * skill[(p, step)] * rng.uniform(0.85, 1.15))
                batch.append(
                    {"inmate": p, "day": day.isoformat(), "line": line, "product": f"PR{line[1]}",
                     "step": f"S{step + 1}", "mode": "counted", "standard_seconds": str(STD_SECONDS),
                     "standard_from": "2025-01-01", "quota_std_seconds": str(QUOTA_UNITS * STD_SECONDS),
                     "earned_std_seconds": str(done * STD_SECONDS), "done_units_exact": str(done),
                     "quota_units": str(QUOTA_UNITS), "done_units": str(done),
                     "diff_units": str(done - QUOTA_UNITS),
                     "completion_pct": f"{100 * done / QUOTA_UNITS:.1f}",
                     "rule_set_version": "bench", "rule_set_digest": "0" * 64, "computed_ms": 0}
                )  # fmt: skip
                if len(batch) >= 2000:
                    DailyResult.insert_many(batch).execute()
                    batch.clear()
        if batch:
            DailyResult.insert_many(batch).execute()
        for n in range(200):
            p, line = people[rng.randrange(len(people))]
            day = days[-rng.randrange(1, 60)]
            an.Action.create(kind="post" if n % 2 else "training", inmate=p, line=line,
                             product=f"PR{line[1]}", step="S2", what="上领", day=day.isoformat(),
                             officer="王警官", reason="bench",
                             suggestion=None, assignment=None, created_by="bench", created_ms=0)  # fmt: skip
    print(f"site: {inmates} inmates on {len(lines)} lines, {len(days)} workdays, "
          f"{DailyResult.select().count()} daily results")  # fmt: skip


def timed(what: Callable[[], object], repeat: int) -> float:
    what()  # warm-up: imports, caches, the database's own
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        what()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def measure(db: pw.Database, repeat: int) -> dict[str, float]:
    clock_ms = int(
        datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000
    )
    ctx = WebContext(db=db, clock=lambda: clock_ms)
    who = Principal(username="labor", display_name="劳改科", role=Role.LABOR_SECTION)
    line = md.Line.get(md.Line.code == "L11")
    inmate = md.Inmate.get(md.Inmate.id == "P00000")
    month = Month.of(TODAY - timedelta(days=31))
    return {
        "/skills (area A1)": timed(lambda: skills_page._load(ctx, who, "A1"), repeat),
        "/bottleneck (L11, a month)": timed(lambda: bottleneck_page._load(ctx, line, month), repeat),
        "/suggestions (area A1)": timed(lambda: suggestions_page._load(ctx, who, "A1"), repeat),
        "/inmate (P00000)": timed(lambda: inmate_page._load(ctx, inmate), repeat),
        "/inmate suggestions and actions": timed(lambda: suggestions_page._his(ctx, inmate), repeat),
        "/actions (area A1)": timed(lambda: actions_page._load_in(ctx, who, "A1", "zh"), repeat),
    }


def measure_after(db: pw.Database) -> dict[str, float]:
    """What follows a page's first content: the inmate page's twelve months of labor points (each
    the whole site's month through the engine). Once, no target: the page is already showing."""
    clock_ms = int(
        datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp() * 1000
    )
    ctx = WebContext(db=db, clock=lambda: clock_ms)
    inmate = md.Inmate.get(md.Inmate.id == "P00000")
    months = [m.month for m in inmate_page._load(ctx, inmate)["months"]]
    start = time.perf_counter()
    inmate_page._scores(ctx, inmate, months)
    return {f"/inmate, then {len(months)} months' points": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--inmates", type=int, default=2000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    drop: Callable[[], None] | None = None
    if args.db == "sqlite":
        url = f"sqlite:///{tempfile.mkdtemp(prefix='fl-analytics-')}/hub.db"
    else:
        name = f"fl_analytics_{uuid.uuid4().hex[:10]}"
        admin = pw.PostgresqlDatabase("postgres", user="postgres", host="127.0.0.1", port=5432)
        admin.connect()
        admin.connection().autocommit = True  # type: ignore[no-untyped-call]
        admin.execute_sql(f"CREATE DATABASE {name}")  # type: ignore[no-untyped-call]
        url = f"{args.db.rstrip('/')}/{name}"

        def drop() -> None:
            admin.execute_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[no-untyped-call]
            admin.close()

    db = hubdb.connect(url)
    try:
        prepare(db)
        start = time.perf_counter()
        build_site(db, args.inmates, args.months)
        # a freshly bulk-loaded table has no planner statistics yet; a running hub's PostgreSQL has
        # them from autovacuum (SQLite's planner uses them too once ANALYZE ran)
        db.execute_sql("ANALYZE")  # type: ignore[no-untyped-call]
        print(f"built in {time.perf_counter() - start:.1f} s on {url.split('://')[0]}")
        for page, seconds in measure(db, args.repeat).items():
            verdict = "ok" if seconds <= 1.0 else "MISSES 1 s"
            print(f"{page:34s} {seconds * 1000:8.0f} ms  {verdict}")
        for page, seconds in measure_after(db).items():
            print(f"{page:34s} {seconds * 1000:8.0f} ms  (after the first content)")
    finally:
        db.close()
        if drop is not None:
            drop()


if __name__ == "__main__":
    main()
