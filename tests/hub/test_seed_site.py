"""The demo site: realistic (two areas, three lines, 4-8 steps with decimal standard times, 60 inmates
with Chinese names, officers of every role, badges, workdays, signed history), deterministic from its
seed, and verifiable: `floorledger verify` holds on the seeded database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import peewee as pw
import pytest

from hub.masterdata import queries as md_queries
from hub.results import worker as rs
from hub.seed import SeedSummary, seed_site
from hub.store import db as hubdb
from hub.store import masterdata as md_tables
from hub.store.kiosks import KioskRecord
from hub.store.schema import prepare
from protocol.signing import Signer

HUB_KEY = Signer(b"\x05" * 32)
TODAY = date(2026, 10, 14)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, pw.Database, SeedSummary]]:
    path = tmp_path_factory.mktemp("seed") / "hub.db"
    db = hubdb.connect(str(path))
    summary = seed_site(db, hub_signer=HUB_KEY, seed=3, today=TODAY, history_days=10)
    try:
        yield path, db, summary
    finally:
        db.close()


def test_the_site_looks_like_a_real_workshop(seeded: tuple[Path, pw.Database, SeedSummary]) -> None:
    """Areas 一监区/二监区, three lines, products of 4-8 named steps, decimal seconds, 60 named inmates."""
    _, _, summary = seeded
    assert [a.name for a in md_tables.Area.select().order_by(md_tables.Area.code)] == ["一监区", "二监区"]
    assert summary.lines == ("L1", "L2", "L3")
    for product in md_tables.Product.select():
        steps = md_queries.steps_of(product.code)
        assert 4 <= len(steps) <= 8
        assert all(re.fullmatch(r"[\u4e00-\u9fff]+", s.name) for s in steps)
    assert any("." in s.seconds for s in md_tables.StandardTime.select())
    inmates = list(md_tables.Inmate.select())
    assert len(inmates) == 60
    assert len({i.name for i in inmates}) == 60
    assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,3}", i.name) for i in inmates)
    roles = {o.role for o in md_tables.Officer.select()}
    assert roles == {"line_officer", "area_head", "labor_section", "admin"}
    badges = md_queries.active_badges()
    assert all(badges.get(i.id) for i in inmates)
    assert len(md_queries.posts_on(TODAY)) == 60


def test_the_history_holds_every_kind_of_floor_record(seeded: tuple[Path, pw.Database, SeedSummary]) -> None:
    """Check-ins/outs, counts, warehoused units, excused absences, confirms, a dispute, a correction."""
    _, _, summary = seeded
    types = {row.type for row in KioskRecord.select(KioskRecord.type).distinct()}
    assert types >= {
        "check_in",
        "check_out",
        "unit_count",
        "warehoused_count",
        "excused_absence",
        "confirm",
        "dispute",
        "correction",
        "countersign",
    }
    assert summary.records == KioskRecord.select().count()
    days = {r.day for r in rs.DailyResult.select(rs.DailyResult.day).distinct()}
    assert "2026-10-13" in days  # yesterday is on the board
    assert {r.mode for r in rs.DailyResult.select(rs.DailyResult.mode).distinct()} == {"counted", "time"}


def test_the_same_seed_gives_the_same_site_byte_for_byte(
    tmp_path: Path, seeded: tuple[Path, pw.Database, SeedSummary]
) -> None:
    """Two databases seeded with the same number hold the same signed records and the same results."""

    def fingerprint(name: str) -> tuple[list[str], list[tuple[str, str, str]]]:
        db = hubdb.connect(str(tmp_path / name))
        try:
            seed_site(
                db, hub_signer=HUB_KEY, seed=9, today=date(2026, 10, 7), history_days=3, clock_ms=lambda: 1
            )
            hashes = [r.hash for r in KioskRecord.select().order_by(KioskRecord.kiosk, KioskRecord.seq)]
            rows = [
                (r.inmate, r.day, r.done_units) for r in rs.DailyResult.select().order_by(rs.DailyResult.id)
            ]
            return hashes, rows
        finally:
            db.close()

    try:
        first = fingerprint("a.db")
        assert first[0]
        assert first == fingerprint("b.db")
    finally:
        prepare(seeded[1])  # the module's database again, for the tests after this one


def test_floorledger_verify_holds_on_the_seeded_database(
    seeded: tuple[Path, pw.Database, SeedSummary],
) -> None:
    """The auditor's check passes: every signature, chain, column and checkpoint matches."""
    path, _, _ = seeded
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "floorledger",
            "verify",
            "--db",
            str(path),
            "--hub-key-pub",
            HUB_KEY.public_key_b64,
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VERIFIED" in done.stdout
