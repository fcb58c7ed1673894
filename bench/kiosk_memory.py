"""The kiosk process's memory after an hour of a line's activity, played back quickly.

The same set-up as bench/kiosk_screen.py (real `floorledger kiosk` process, badge reader and QR
scanner on pseudo-terminals, a private Mosquitto with a signed plan, headless Chromium on the page).
An hour of a 40-person line is played back as fast as the page follows: everyone checks in (badge,
then 签到), then eight rounds in which each person taps and scans a bundle ticket (a busy hour:
one bundle per person every 7.5 minutes), then everyone checks out. The kiosk's RSS is read from
/proc before and after; the target is <= 150 MB (a bare NiceGUI page measures about 70 MB here).

    /work/venv/bin/python bench/kiosk_memory.py [--people 40] [--rounds 8]
"""

from __future__ import annotations

import argparse
import sys
import time

from kiosk_screen import KioskUnderTest, person_label

from devices.scanner_frames import encode_code
from protocol.codes import BundleTicket, encode_bundle_ticket


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    kiosk = KioskUnderTest(args.people)
    inputs = 0
    started = time.monotonic()
    try:
        rss_start, _ = kiosk.rss_kib()
        done = [0] * args.people
        for i in range(args.people):
            kiosk.tap(i)
            kiosk.click("签到")
            kiosk.wait_text("签到成功")
            inputs += 2
        for round_ in range(args.rounds):
            for i in range(args.people):
                kiosk.tap(i)
                units = 10 + (i + round_) % 11
                ticket = BundleTicket(product="P1", step="S1", bundle_id=f"B{round_:02d}{i:04d}", units=units)
                kiosk.scanner.write(encode_code(encode_bundle_ticket(ticket)))
                done[i] += units
                kiosk.wait_text(f"已完成 {done[i]} 件")
                inputs += 2
        for i in range(args.people):
            kiosk.tap(i)
            kiosk.click("签退")
            kiosk.wait_text("签退成功")
            inputs += 2
        kiosk.wait_text(person_label(args.people - 1))
        time.sleep(2)  # let the uplink and the page settle before reading
        rss_end, rss_peak = kiosk.rss_kib()
    finally:
        kiosk.close()
    elapsed = time.monotonic() - started
    records = args.people * (2 + args.rounds)
    print(
        f"kiosk RSS: {rss_start / 1024:.1f} MB at start, {rss_end / 1024:.1f} MB after {inputs} inputs "
        f"({records} records, a simulated hour played in {elapsed:.0f} s), peak {rss_peak / 1024:.1f} MB "
        f"(target <= 150 MB)"
    )
    return 0 if rss_peak <= 150 * 1024 else 1


if __name__ == "__main__":
    sys.exit(main())
