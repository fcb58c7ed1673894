"""One durable record commit at the kiosk (sign + SQLite WAL commit with synchronous=FULL), p50/p99.

    python bench/kiosk_commit.py [--count 2000] [--dir DIR]

Target: p99 <= 20 ms. DIR should be on the disk the kiosk will use (default: a temp dir).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kiosk.clock import KioskClock  # noqa: E402
from kiosk.store import KioskStore  # noqa: E402
from protocol.records import UnitCount  # noqa: E402
from protocol.signing import Signer  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        store = KioskStore(Path(tmp) / "kiosk.db", "K1", Signer.generate(), KioskClock())
        times: list[float] = []
        for i in range(args.count):
            body = UnitCount(
                person="P1",
                line="L1",
                day="2026-10-05",
                product="A",
                step="S1",
                units=i % 50,
                source="manual",
            )
            start = time.perf_counter()
            store.append(body)
            times.append((time.perf_counter() - start) * 1000)
        problems = store.check_integrity()
        store.close()
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"kiosk durable commit: {args.count} records")
    print(f"  p50 {p50:.2f} ms   p99 {p99:.2f} ms   max {times[-1]:.2f} ms   (target p99 <= 20 ms)")
    print(f"  integrity after the run: {'ok' if not problems else problems[:3]}")
    return 0 if p99 <= 20 and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
