"""Wall-board latency: a count committed at a kiosk until the number changes in a real browser.

Runs the demo floor's real processes (Mosquitto, the hub, two kiosks whose simulated operators send
background traffic on lines L2 and L3) and, in this process, a real kiosk store and uplink for line
L1. Headless Chromium shows the L1 board; a MutationObserver in the page stamps every change of
today's progress strip with the browser's wall clock, which is compared with the moment the kiosk's
store returned from committing the count. Then the first paint of a board with 400 inmates.

    python bench/board_latency.py [--counts 200]
Targets: p99 <= 1 s on loopback; first paint with 400 inmates <= 1 s.
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

from floorledger import keyfile
from floorledger.broker import free_port
from floorledger.demo.orchestrator import SITE, Demo, DemoOptions
from floorledger.demo.site import pad_board
from floorledger.mqtt_url import BrokerConfig
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--counts", type=int, default=200)
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="fl-bench-board-"))
    hub_port = free_port()
    demo = Demo(
        DemoOptions(data=data, speed=20, hub_port=hub_port, kiosk_port=free_port(), kiosk_lines=("L2", "L3"))
    )
    print("starting the floor (seeding a month of history) ...", flush=True)
    demo.start()
    driver = None
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

        driver = browser()
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
        for i in range(args.counts):
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

        first_paint_400(driver, data, hub_port, demo.tokens["A1"])
    finally:
        if driver is not None:
            driver.quit()
        if uplink is not None:
            uplink.stop()
        if store is not None:
            store.close()
        demo.stop()


def first_paint_400(driver: webdriver.Chrome, data: Path, hub_port: int, token: str) -> None:
    """Pad area A1's last shown day to 400 inmates, then time a fresh load of its board."""
    pad_board(data / "hub" / "hub.sqlite3", "A1", 400)
    times = []
    for _ in range(5):
        driver.get("about:blank")
        driver.get(f"http://127.0.0.1:{hub_port}/board/A1?token={token}")
        deadline = time.monotonic() + 10
        while "页" not in driver.execute_script("return document.body.innerText"):
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        timing = driver.execute_script(
            "const p = performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint');"
            "return [p ? p.startTime : null, performance.now()];"
        )
        times.append(timing)
    fcp = [t[0] for t in times if t[0] is not None]
    rows = [t[1] for t in times]
    print("board of area A1 padded to 400 inmates, 5 fresh loads:")
    print(f"  first contentful paint median {statistics.median(fcp):.0f} ms; rows on screen median "
          f"{statistics.median(rows):.0f} ms   (target first paint <= 1000 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
