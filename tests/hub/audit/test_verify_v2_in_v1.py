"""v2-only master data forged in SQL inside a month computed under rule book v1 (a training flag set,
a labor exemption inserted): verify must report the forged rows as master-data findings and go on,
never stop with the engine's refusal (`a version-2 input, but the month is computed under rule book
v1`) as if the whole check had failed; and every table and column the master-data section can name
reads in Chinese in the Chinese report."""

from __future__ import annotations

import peewee

from hub.masterdata.replay import TABLES
from hub.masterdata.texts import COLUMN_LABELS, TABLE_LABELS
from hub.store.masterdata import Assignment, Exemption
from hub.store.results import DailyResult
from tests.hub.audit.test_verify_masterdata import NOW_MS, _report, _section, seeded, seeded_file

__all__ = ["seeded", "seeded_file"]  # the fixtures, shared with the master-data tests

RESULTS = "daily results (re-derived from the signed records)"


def test_a_training_flag_set_in_sql_in_a_v1_month_is_a_finding_not_a_crash(seeded: peewee.Database) -> None:
    """The flag is reported on its row by the master-data section; the daily-results section says the
    month cannot be recomputed and names the inmate and the field, in English and in Chinese."""
    row = Assignment.select().where(Assignment.training == False).order_by(Assignment.id).first()  # noqa: E712
    month = str(DailyResult.select().order_by(DailyResult.day).first().day)[:7]
    Assignment.update(training=True).where(Assignment.id == row.id).execute()
    report = _report(seeded)
    assert not report.ok
    assert [str(f) for f in _section(report).findings] == [
        f"md_assignment id={row.id}: column training is True but the signed acts say False "
        f"(ledger entry {_section(report).findings[0].values['entry']})"
    ]
    results = next(s for s in report.sections if s.title == RESULTS)
    assert [str(f) for f in results.findings] == [
        f"month {month}: {row.inmate}'s assignment (line {row.line}), training is a rule book v2 input, "
        "but the month is computed under rule book v1; the month cannot be recomputed"
    ]
    zh = report.render(lang="zh")
    assert f"{month} 月：{row.inmate} 的岗位分配（生产线 {row.line}）的“培训标记” 是第二版规则的数据" in zh
    assert f"岗位（编号 {row.id}）：字段“培训标记”为 True" in zh
    assert "training" not in zh


def test_an_exemption_inserted_in_sql_is_a_master_data_finding(seeded: peewee.Database) -> None:
    """An exemption row no act made is reported by the master-data section (in Chinese by the table's
    own name) and the run completes with every section present."""
    forged = Exemption.create(
        inmate="P1004", valid_from="2026-11-02", reference="无", entered_by="labor", created_ms=NOW_MS
    )
    report = _report(seeded)
    assert not report.ok
    forged_row = f"md_exemption id={forged.id}: no signed act made this row"
    assert [str(f) for f in _section(report).findings] == [forged_row]
    assert len(report.sections) == 9
    assert f"免考核期（编号 {forged.id}）：没有任何签名行为创建过这一行" in report.render(lang="zh")


def test_every_table_and_column_the_master_data_section_names_has_a_chinese_label() -> None:
    """A table or column added to the replay without a label would print its database name in the
    Chinese report (`md_exemption`, `training`)."""
    unlabelled = [t for t in TABLES if t not in TABLE_LABELS] + [
        f"{t.name}.{c}" for t in TABLES.values() for c in (*t.key, *t.columns) if c not in COLUMN_LABELS
    ]
    assert unlabelled == []
