"""Backlog drain: one kiosk with 100,000 unacknowledged records connects; seconds until the last is acked.

    python bench/hub_backlog.py [--records 100000] [--db sqlite|postgresql://...]

Real kiosk store, real uplink, private Mosquitto, real hub ingest. Target: <= 60 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hub_ingest import MosquittoProcess, drain, fill_store  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--db", default="sqlite", help="sqlite (a temp file) or a postgresql:// URL")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        store = fill_store(Path(tmp) / "kiosk.db", args.records)
        built = time.perf_counter() - start
        url = f"sqlite:///{tmp}/hub.db" if args.db == "sqlite" else args.db
        broker = MosquittoProcess(workdir=Path(tmp) / "mosquitto")
        broker.start()
        try:
            seconds = drain(store, url, broker, args.batch)
        finally:
            broker.close()
            store.close()
    print(f"backlog of {args.records} records (built in {built:.1f} s) drained to the hub ({args.db})")
    print(
        f"  {seconds:.1f} s until the last was acknowledged (target <= 60 s); {args.records / seconds:,.0f}/s"
    )
    return 0 if seconds <= 60 else 1


if __name__ == "__main__":
    sys.exit(main())
