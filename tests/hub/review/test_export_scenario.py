"""`scenario export` writes the hub's month as a scenario file; `floorledger scenario run` re-runs it to
exactly the numbers the hub stored (daily records) and computes (monthly scores)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import peewee as pw
import pytest

from floorledger.base.errors import CliError
from hub.cli.export import register_export
from hub.engine.documents import compare_results, result_json
from hub.engine.model import Month
from hub.results import worker as rs
from hub.seed import seed_site
from hub.store import db as hubdb
from protocol.signing import Signer

MONTH = Month.parse("2026-10")


def _export(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="floorledger scenario")
    register_export(parser.add_subparsers())
    args = parser.parse_args(["export", *argv])
    return int(args.func(args))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pw.Database]]:
    """A demo site with two weeks of October history (counted and time-mode lines, a correction)."""
    path = tmp_path_factory.mktemp("hub") / "hub.db"
    db = hubdb.connect(str(path))
    seed_site(db, hub_signer=Signer(b"\x03" * 32), seed=11, today=date(2026, 10, 17), history_days=14)
    try:
        yield path, db
    finally:
        db.close()


def _run_scenario(path: Path) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}
    done = subprocess.run(
        [sys.executable, "-m", "floorledger", "scenario", "run", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout, parse_float=Decimal)
    return result


@pytest.fixture(scope="module")
def exported(
    seeded: tuple[Path, pw.Database], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, object]]:
    """October exported with `scenario export`, and what `floorledger scenario run` makes of the file."""
    path, _ = seeded
    out = tmp_path_factory.mktemp("export") / "2026-10.scenario.json"
    assert _export("--db", str(path), "--month", "2026-10", "--out", str(out), "--through", "2026-10-17") == 0
    return out, _run_scenario(out)


def test_the_exported_month_reruns_to_the_hubs_stored_daily_results(
    exported: tuple[Path, dict[str, object]],
) -> None:
    """Every stored daily record (quota, done, diff, completion) equals the re-run's to the digit."""
    out, rerun = exported
    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["month"] == "2026-10"
    assert len(document["inmates"]) == 60
    assert any(entry.get("excused_minutes") for entry in document["attendance"])
    stored = {
        (r.inmate, r.day): (r.quota_units, r.done_units, r.diff_units, r.completion_pct)
        for r in rs.month_rows(MONTH)
    }
    assert len(stored) > 400
    again = {
        (d["inmate"], d["date"]): tuple(
            None if d[k] is None else f"{Decimal(d[k]):.2f}"
            for k in ("quota_units", "done_units", "diff_units", "completion_pct")
        )
        for d in rerun["daily"]  # type: ignore[union-attr]
    }
    assert again == stored


def test_the_rerun_gives_the_hubs_monthly_scores_weekly_lines_and_discrepancies(
    seeded: tuple[Path, pw.Database], exported: tuple[Path, dict[str, object]]
) -> None:
    """The re-run and the hub's own month agree on every number, exactly (tolerance 0)."""
    _, db = seeded
    _, rerun = exported
    hub_month = result_json(rs.Results(db, today=lambda: date(2026, 10, 17)).recompute_month(MONTH))
    assert compare_results(rerun, hub_month, tolerance=Decimal(0)) == []
    assert len(rerun["monthly"]) == 60  # type: ignore[arg-type]
    assert rerun["discrepancies"]  # the demo's counted lines do not always match the warehouse


def test_a_bad_month_or_a_missing_database_is_one_line(tmp_path: Path) -> None:
    """The export refuses a month that is not YYYY-MM and a database that does not exist."""
    with pytest.raises(CliError, match="--month: expected YYYY-MM"):
        _export("--db", str(tmp_path / "x.db"), "--month", "Oct", "--out", str(tmp_path / "o.json"))
    with pytest.raises(CliError, match="no hub database"):
        _export("--db", str(tmp_path / "x.db"), "--month", "2026-10", "--out", str(tmp_path / "o.json"))
