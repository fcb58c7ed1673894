"""The schema's one owner: numbered migrations with a version in the database, a copy of a SQLite
file before a step changes it, a database newer than the code refused, a database made before
migrations (tests/fixtures/hub-24abeab.sqlite3) recognised, and the same on PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import peewee as pw
import pytest

from hub.store import db as hubdb
from hub.store.migrate import (
    SchemaMismatch,
    SchemaTooNew,
    SchemaVersion,
    latest,
    migrate,
    schema_version,
)
from hub.store.migrations import STEPS
from hub.store.schema import ALL_MODELS, open_database, prepare
from tests.system.delivery_support import hub_database_url

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "hub-24abeab.sqlite3"
CLOCK_MS = 1_791_939_600_000  # 2026-10-14 01:00 UTC
LATEST = STEPS[-1].VERSION
ALL = tuple(s.VERSION for s in STEPS)
WEB_AND_REVIEW = {
    "web_user",
    "web_board_token",
    "export_api_token",
    "review_correction",
    "review_dispute_answer",
}


def _tables(db: pw.Database) -> set[str]:
    with db.connection_context():
        return set(db.get_tables())


def _versions(db: pw.Database) -> list[tuple[int, str, int]]:
    with db.connection_context(), db.bind_ctx([SchemaVersion]):
        return list(SchemaVersion.select().order_by(SchemaVersion.version).tuples())


def test_the_migrated_schema_has_every_table_and_column_of_the_models(tmp_path: Path) -> None:
    """What the steps make and what the live models declare agree, table by table and column by
    column (a model changed without a step, or a step without its model, fails here)."""
    live = {m._meta.table_name: {f.column_name for f in m._meta.sorted_fields} for m in ALL_MODELS}
    # 34, md_post and md_exemption (m003), review_late_entry (m004), 4 of m005, 2 of m006, m007, 2 of m009
    assert len(live) == 46
    db = open_database(str(tmp_path / "hub.db"))
    try:
        with db.connection_context():
            made = {t: {c.name for c in db.get_columns(t)} for t in db.get_tables() if t != "schema_version"}
    finally:
        db.close()
    assert made == live


def test_a_fresh_database_gets_every_table_and_the_latest_version(tmp_path: Path) -> None:
    db = open_database(str(tmp_path / "hub.db"), clock_ms=lambda: CLOCK_MS)
    try:
        tables = _tables(db)
        assert {m._meta.table_name for m in ALL_MODELS} | {"schema_version"} <= tables
        assert tables >= WEB_AND_REVIEW
        assert _versions(db) == [(s.VERSION, s.NAME, CLOCK_MS) for s in STEPS]
        assert schema_version(db) == latest()
        assert not list(tmp_path.glob("hub.db.before-*"))  # nothing to copy in a new file
    finally:
        db.close()


def test_migrating_twice_is_a_no_op(tmp_path: Path) -> None:
    db = hubdb.connect(str(tmp_path / "hub.db"))
    try:
        first = prepare(db)
        again = prepare(db)
        assert (first.before, first.after, first.applied) == (0, LATEST, ALL)
        assert (again.before, again.after, again.applied, again.backup) == (LATEST, LATEST, (), None)
        assert len(_versions(db)) == len(STEPS)
        assert not list(tmp_path.glob("hub.db.before-*"))
    finally:
        db.close()


def test_a_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    db = hubdb.connect(str(tmp_path / "hub.db"))
    try:
        prepare(db)
        with db.connection_context(), db.bind_ctx([SchemaVersion]):
            SchemaVersion.insert(version=latest() + 1, name="from the future", applied_ms=1).execute()
        with pytest.raises(
            SchemaTooNew, match=rf"schema version {LATEST + 1} is newer than this code's \({LATEST}\)"
        ):
            migrate(db)
    finally:
        db.close()


def test_the_database_made_before_migrations_is_copied_and_stamped_version_one(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    shutil.copyfile(FIXTURE, path)
    db = hubdb.connect(str(path))
    try:
        report = prepare(db, clock_ms=lambda: CLOCK_MS)
        assert report.recognised
        assert (report.before, report.after, report.applied) == (0, LATEST, ALL)
        assert report.backup == tmp_path / "hub.db.before-v1-20261014T010000Z"
        assert report.backup.read_bytes()[:16] == b"SQLite format 3\x00"
        assert _versions(db) == [(s.VERSION, s.NAME, CLOCK_MS) for s in STEPS]
        copy = hubdb.connect(str(report.backup))  # the copy is the database as it was: no version
        try:
            assert "schema_version" not in _tables(copy)
            assert "kiosk_record" in _tables(copy)
        finally:
            copy.close()
    finally:
        db.close()


def test_a_database_made_by_hub_init_before_migrations_gains_the_tables_it_lacked(tmp_path: Path) -> None:
    """`hub init` used to leave out the review and web tables: step 1 adds them to such a database."""
    path = tmp_path / "hub.db"
    shutil.copyfile(FIXTURE, path)
    db = hubdb.connect(str(path))
    try:
        with db.connection_context():
            for table in WEB_AND_REVIEW:
                db.execute_sql(f"DROP TABLE {table}")
        report = prepare(db)
        assert report.recognised
        assert _tables(db) >= WEB_AND_REVIEW
    finally:
        db.close()


def test_step_three_keeps_existing_posts_counted_and_not_in_training(tmp_path: Path) -> None:
    """Rule book v2's step: a post stored before it is a counted post without training, exactly what
    its months were computed as, and the new tables are empty."""
    path = tmp_path / "hub.db"
    db = hubdb.connect(str(path))
    try:
        migrate(db, steps=STEPS[:2], clock_ms=lambda: CLOCK_MS)
        with db.connection_context():
            db.execute_sql(
                "INSERT INTO md_assignment (inmate, line, product, step, valid_from, valid_to, created_ms)"
                " VALUES ('P1', 'L1', 'SHIRT', 'S1', '2026-10-01', NULL, 5)"
            )
        report = migrate(db, clock_ms=lambda: CLOCK_MS)
        assert report.applied == tuple(step.VERSION for step in STEPS[2:])
        with db.connection_context():
            rows = db.execute_sql(
                "SELECT inmate, product, mode, post, training FROM md_assignment"
            ).fetchall()
            assert [tuple(r) for r in rows] == [("P1", "SHIRT", "counted", None, 0)]
            for table in ("md_post", "md_exemption"):
                assert db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
    finally:
        db.close()


def test_an_unversioned_database_with_other_columns_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    db = hubdb.connect(str(path))
    try:
        with db.connection_context():
            db.execute_sql("CREATE TABLE kiosk (id TEXT PRIMARY KEY, colour TEXT)")
        with pytest.raises(SchemaMismatch, match="table kiosk does not match version 1") as err:
            migrate(db)
        assert "missing" in str(err.value)
        assert "unexpected colour" in str(err.value)
        assert _tables(db) == {"kiosk"}
        assert not list(tmp_path.glob("hub.db.before-*"))
    finally:
        db.close()


def _step_two(fail: bool) -> SimpleNamespace:
    def apply(db: pw.Database) -> None:
        db.execute_sql("ALTER TABLE md_area ADD COLUMN note TEXT")
        if fail:
            raise RuntimeError("the next step broke")

    return SimpleNamespace(VERSION=LATEST + 1, NAME="area_note", apply=apply)


def test_a_later_step_copies_the_file_first_and_a_failed_step_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    db = hubdb.connect(str(path))
    try:
        prepare(db)
        with pytest.raises(RuntimeError, match="the next step broke"):
            migrate(db, steps=(*STEPS, _step_two(fail=True)), clock_ms=lambda: CLOCK_MS)
        assert schema_version(db) == LATEST
        with db.connection_context():
            assert "note" not in {c.name for c in db.get_columns("md_area")}
        report = migrate(db, steps=(*STEPS, _step_two(fail=False)), clock_ms=lambda: CLOCK_MS + 1000)
        assert (report.before, report.after, report.applied) == (LATEST, LATEST + 1, (LATEST + 1,))
        assert report.backup == tmp_path / f"hub.db.before-v{LATEST + 1}-20261014T010001Z"
        assert schema_version(db) == LATEST + 1
        assert len(list(tmp_path.glob(f"hub.db.before-v{LATEST + 1}-*"))) == 2  # one per attempt
    finally:
        db.close()


@pytest.mark.postgres
def test_migrations_on_postgresql(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with hub_database_url("postgresql", tmp_path) as url:
        db = hubdb.connect(url)
        try:
            first = prepare(db)
            assert (first.before, first.after, first.applied, first.backup) == (0, LATEST, ALL, None)
            assert WEB_AND_REVIEW | {"schema_version", "kiosk_record"} <= _tables(db)
            assert prepare(db).applied == ()
            with caplog.at_level("WARNING", logger="hub.store.migrate"):
                report = migrate(db, steps=(*STEPS, _step_two(fail=False)))
            assert report.applied == (LATEST + 1,)
            assert "pg_dump" in caplog.text
            with pytest.raises(SchemaTooNew):
                migrate(db)  # the code knows step 1 only
        finally:
            db.close()
