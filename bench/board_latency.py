"""Wall-board latency: a count committed at a kiosk until the number changes in a real browser.

Runs the demo floor's real processes (Mosquitto, the hub, two kiosks whose simulated operators send
background traffic on lines L2 and L3) and, in this process, a real kiosk store and uplink for line
L1. Headless Chromium shows the L1 board; a MutationObserver in the page stamps every change of
today's progress strip with the browser's wall clock, which is compared with the moment the kiosk's
store returned from committing the count. Then fresh loads of a board with 400 inmates and a month
of their results (area A1 padded).

    python bench/board_latency.py [--counts 200] [--first-paint-only] [--loads 5] [--gap 6]
Targets: p99 <= 1 s on loopback; first paint with 400 inmates <= 1 s (median of 5 fresh loads at
1920x1080; also printed: the hub's first byte, and when the title and the rows were painted).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from floorledger import keyfile
from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import free_port, free_ports
from floorledger.demo.orchestrator import Demo, DemoOptions
from floorledger.demo.site import SITE, pad_board
from kiosk.clock import KioskClock
from kiosk.store import KioskStore
from kiosk.uplink import Uplink
from protocol.messages import LinePlan
from protocol.records import UnitCount, WarehousedCount
from protocol.topics import Topics

STRIP = r"今日进度\s+[^\n]*?\s([\d.]+)/"  # "今日进度 <line name> <done>/<quota> (<pct>)"
OBSERVER = r"""
window.__fl = [];
const read = () => { const m = document.body.innerText.match(/今日进度\s+[^\n]*?\s([\d.]+)\//);
                     return m ? m[1] : null; };
let last = read();
new MutationObserver(() => { const v = read(); if (v !== null && v !== last) {
    last = v; window.__fl.push([Date.now(), v]); } })
  .observe(document.body, {subtree: true, childList: true, characterData: true});
return last;
"""


def browser() -> webdriver.Chrome:
    os.environ.setdefault("SE_OFFLINE", "true")  # Debian's chromium and chromedriver, no downloads
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--window-size=1920,1080", "--lang=zh-CN"):  # fmt: skip
        options.add_argument(arg)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--counts", type=int, default=200, help="counts timed from kiosk to board (default 200)"
    )
    parser.add_argument(
        "--first-paint-only", action="store_true", help="skip the counts, time the 400-row board"
    )
    parser.add_argument("--loads", type=int, default=5, help="fresh loads of the 400-row board (default 5)")
    parser.add_argument(
        "--gap", type=float, default=6.0,
        help="seconds on a blank page before each load (default 6: the previous screen has left the hub "
        "and no snapshot is shared, every load builds its own; 0: back to back, as a screen among others)",
    )  # fmt: skip
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="fl-bench-board-"))
    hub_port = free_port()
    demo = Demo(
        DemoOptions(
            data=data,
            speed=20,
            hub_port=hub_port,
            kiosk_port=free_ports(2, avoid=[hub_port]),
            kiosk_lines=("L2", "L3"),
        )
    )
    print("starting the floor (seeding a month of history) ...", flush=True)
    demo.start()
    driver = None
    try:
        driver = browser()
        if not args.first_paint_only:
            count_latency(driver, demo, data, hub_port, args.counts)
        first_paint_400(driver, data, hub_port, demo.tokens["A1"], args.loads, args.gap)
    finally:
        if driver is not None:
            driver.quit()
        demo.stop()


def count_latency(driver: webdriver.Chrome, demo: Demo, data: Path, hub_port: int, counts: int) -> None:
    """Counts committed at a real kiosk store for line L1 until the L1 board in Chromium shows them."""
    uplink = None
    store = None
    try:
        signer = keyfile.load(data / "kiosk-L1" / "kiosk.key")
        hub_key = keyfile.load(data / "hub" / "hub.key").public_key
        store = KioskStore(data / "bench-L1.sqlite3", "K-L1", signer, KioskClock())
        plans: list[LinePlan] = []
        got_plan = threading.Event()

        def on_plan(plan: LinePlan, frame: bytes) -> None:
            plans.append(plan)
            got_plan.set()

        uplink = Uplink(
            store, BrokerConfig.from_url(demo.broker_url), Topics.for_site(SITE), "K-L1", hub_key,
            on_plan=on_plan, line="L1",
        )  # fmt: skip
        uplink.start()
        if not got_plan.wait(60):
            raise SystemExit("no line plan for L1 within 60 s")
        plan = plans[-1]
        inmate = next(p for p in plan.people if p.role == "inmate" and p.step)
        today = plan.day  # the hub's day, in the site's time zone
        product = inmate.product or ""
        # Enough finished units in the warehouse that every count is credited in full (counted mode).
        store.append(WarehousedCount(line="L1", product=product, day=today, units=900_000, officer="O-L1"))
        uplink.wake()

        driver.get(f"http://127.0.0.1:{hub_port}/board/L1?token={demo.tokens['L1']}")
        deadline = time.monotonic() + 30
        while not re.search(STRIP, driver.execute_script("return document.body.innerText")):
            if time.monotonic() > deadline:
                raise SystemExit("the board never showed today's progress strip")
            time.sleep(0.2)
        time.sleep(3)  # let the warehoused count land first
        driver.execute_script(OBSERVER)
        latencies: list[float] = []
        misses = 0
        for i in range(counts):
            seen = len(driver.execute_script("return window.__fl"))
            body = UnitCount(
                person=inmate.id, line="L1", day=today, product=product, step=inmate.step or "",
                units=1, source="manual",
            )  # fmt: skip
            store.append(body)
            committed_ms = time.time() * 1000
            uplink.wake()
            deadline = time.monotonic() + 10
            while True:
                changes = driver.execute_script("return window.__fl")
                if len(changes) > seen:
                    latencies.append(changes[-1][0] - committed_ms)
                    break
                if time.monotonic() > deadline:
                    misses += 1
                    break
                time.sleep(0.01)
            if (i + 1) % 50 == 0:
                print(f"  {i + 1} counts", flush=True)
        print(f"count committed at a kiosk -> number changed on the board, {len(latencies)} counts:")
        print(f"  p50 {statistics.median(latencies):.0f} ms   p99 {percentile(latencies, 99):.0f} ms"
              f"   max {max(latencies):.0f} ms   missed {misses}   (target p99 <= 1000 ms)")  # fmt: skip
    finally:
        if uplink is not None:
            uplink.stop()
        if store is not None:
            store.close()


# Times of one load, in ms from the start of navigation: the hub's first byte, the first contentful
# paint, and when the title and the first row were painted (Element Timing: the board marks them with
# `elementtiming`). The observer hands over the buffered entries; wait briefly for the row's.
PAINT_TIMES = """
const done = arguments[arguments.length - 1];
const painted = {};
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { if (!(e.identifier in painted)) painted[e.identifier] = e.renderTime; }
}).observe({type: 'element', buffered: true});
const started = performance.now();
const finish = () => {
  if (!('board-row' in painted) && performance.now() - started < 3000) { setTimeout(finish, 20); return; }
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');
  done([nav.responseStart, fcp ? fcp.startTime : null, painted['board-title'] ?? null,
        painted['board-row'] ?? null]);
};
setTimeout(finish, 0);
"""


def first_paint_400(
    driver: webdriver.Chrome, data: Path, hub_port: int, token: str, loads: int, gap: float
) -> None:
    """Pad area A1's last shown day to 400 inmates, with results for them on every earlier day of the
    month (as a real 400-inmate area has: month-to-date sums read all of them), then time fresh loads
    of its board."""
    database = data / "hub" / "hub.sqlite3"
    day = pad_board(database, "A1", 400)
    filled = fill_month(database, "A1", day)
    print(f"area A1: 400 inmates on {day}, {filled} results of theirs earlier in the month", flush=True)
    url = f"http://127.0.0.1:{hub_port}/board/A1?token={token}"
    driver.set_script_timeout(10)
    driver.get(url)  # once untimed: the browser has NiceGUI's scripts cached, as after the first part
    time.sleep(1)
    times: list[list[float | None]] = []
    for _ in range(loads):
        driver.get("about:blank")
        time.sleep(gap)
        driver.get(url)
        deadline = time.monotonic() + 10
        while "页" not in driver.execute_script("return document.body.innerText"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        times.append(driver.execute_async_script(PAINT_TIMES))
    rows = driver.find_elements(By.CSS_SELECTOR, ".fl-row:not(.fl-colhead)")
    pager = driver.find_element(By.CSS_SELECTOR, ".fl-foot").text.split()[-3:]

    def median(i: int) -> str:
        values = [t[i] for t in times if t[i] is not None]
        return f"{statistics.median(values):.0f} ms" if values else "n/a"

    def each(i: int) -> str:
        return " ".join("-" if t[i] is None else f"{t[i]:.0f}" for t in times)

    load1, load5, _ = os.getloadavg()
    print(f"board of area A1 padded to 400 inmates, {loads} fresh loads {gap:g} s apart (load average"
          f" {load1:.2f} {load5:.2f}; {len(rows)} rows on the page, {' '.join(pager)}):")  # fmt: skip
    print(f"  hub's first byte       median {median(0)}   ({each(0)})")
    print(f"  first contentful paint median {median(1)}   ({each(1)})   (target first paint <= 1000 ms)")
    print(f"  title painted          median {median(2)}   ({each(2)})")
    print(f"  rows painted           median {median(3)}   ({each(3)})")


def fill_month(database: Path, area: str, day: str) -> int:
    """Give the inmates `pad_board` made up (ids PX0000...) a result on each earlier day of `day`'s
    month that has results in `area` (copies of a real row of that day). Returns the rows added."""
    from hub.results import worker as rs
    from hub.store import db as hubdb
    from hub.store.masterdata import Line
    from hub.store.schema import prepare

    db = hubdb.connect(str(database))
    try:
        prepare(db)
        dr = rs.DailyResult
        lines = [line.code for line in Line.select().where(Line.area == area)]
        padded = [r.inmate for r in dr.select(dr.inmate).where((dr.day == day) & dr.inmate.startswith("PX"))]
        before = dr.select().count()
        in_month = (dr.day >= day[:8] + "01") & (dr.day < day)
        days = sorted({r.day for r in dr.select(dr.day).where(dr.line.in_(lines) & in_month).distinct()})
        with hubdb.write_transaction(db):  # takes the write lock first: the running hub writes too
            for earlier in days:
                sample = dr.select().where(dr.line.in_(lines) & (dr.day == earlier)).get()
                values = {f.name: getattr(sample, f.name) for f in dr._meta.sorted_fields if f.name != "id"}
                for inmate in padded:
                    dr.insert({**values, "inmate": inmate}).on_conflict_ignore().execute()
        return int(dr.select().count() - before)
    finally:
        db.close()


if __name__ == "__main__":
    main()
