"""`floorledger verify` speaks the officer's language: every finding, note and summary line is a keyed
text with Chinese and English, and the Chinese report names each tamper in Chinese.

The site is the seeded demo site of tests/hub/review/test_assessment_domain.py (real engine, real
ledger, SQLite file) with a locked month, a published week and two checkpoints; each section is then
tampered in SQL the way someone with database access could.
"""

from __future__ import annotations

import re
import sqlite3
import string
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from floorledger import cli
from floorledger.base import i18n
from hub.app import checkpoint_log
from hub.audit import bundle, verify
from hub.audit.witness import parse_expectation
from hub.ledger import entries as ledger_entries  # noqa: F401  (registers the ledger's texts)
from hub.masterdata import replay  # noqa: F401  (registers master data's texts)
from hub.store import review as review_tables
from protocol.signing import Verifier
from tests.hub.audit.test_verify_months import _lock_a1
from tests.hub.audit.test_verify_weeks import WEEK, _review_a1
from tests.hub.review.test_assessment_domain import HEAD_A1, HUB_KEY, LABOR, LINE_L1, NOW_MS, Site, open_copy

# --- the checker: no English word in a Chinese text ----------------------------------------------------

# A run of printable ASCII between spaces, CJK characters and full-width punctuation.
_TOKEN = re.compile(r"[!-~]+")
_HEX = set(string.hexdigits)


def english_words(text: str, ids: Iterable[str] = ()) -> list[str]:
    """The ASCII-only words of `text` that are not a code, an id, a number or a hash: a token is
    accepted when it holds a digit (P1001, K-L1, 2026-10, '999'), is hex of 8 digits or more (a
    hash, a root), is a command-line option (--expect), is one of `ids` (a username such as
    `labor`), or has no letter at all."""
    allowed = set(ids)
    found = []
    for token in _TOKEN.findall(text):
        bare = token.strip("'\"()[]{}.,:;=…")
        if not any(c.isalpha() for c in bare) or any(c.isdigit() for c in bare):
            continue
        if len(bare.strip(".")) >= 8 and set(bare.strip(".")) <= _HEX:
            continue
        if bare.startswith("--") or bare.strip("'") in allowed:
            continue
        found.append(token)
    return found


def test_the_checker_finds_english_and_lets_codes_ids_numbers_and_hashes_pass() -> None:
    """The checker flags an English word in a Chinese line (so the test below can fail) and accepts
    ids, codes, numbers, hashes and options."""
    assert english_words("台账条目（行号 3）：column actor is 'OFF9'") == ["column", "actor", "is"]
    assert english_words("罪犯 P1001，终端 K-L1，根 3f2a9c0177de0b45…，以 --expect 给出，'2026-11-30'") == []
    assert english_words("审批人 labor", ids=["labor"]) == []
    assert english_words("审批人 labor") == ["labor"]


# --- every key in both languages ----------------------------------------------------------------------

# the prefixes of every text the report shows (findings, notes, summary lines, titles, labels)
REPORT_PREFIXES = (
    "verify.",
    "ledger.v.",
    "ledger.col.",
    "act.",
    "md.v.",
    "md.table.",
    "md.col.",
    "bundle.v.",
    "engine.diff.",
)
SOURCES = [
    "hub/audit/verify.py",
    "hub/audit/report.py",
    "hub/audit/derived.py",
    "hub/audit/months.py",
    "hub/audit/weeks.py",
    "hub/audit/witness.py",
    "hub/audit/masterdata.py",
    "hub/ledger/entries.py",
    "hub/masterdata/replay.py",
    "hub/audit/bundle.py",
    "hub/audit/bundle_months.py",
    "hub/audit/bundle_master.py",
    "hub/engine/documents.py",
]
REPO = Path(__file__).resolve().parents[3]


assert bundle.check_bundle  # registers the bundle's and the engine's comparison texts


def _used_keys() -> set[str]:
    """Every text key the verify code names literally: `finding("x.y")` is `verify.f.x.y`,
    `i18n.Text("k")` is `k`, `_Refused("k")` is `md.v.r.k`, `_said("k")` is `bundle.v.k`, `_diff("k")`
    is `engine.diff.k`."""
    keys: set[str] = set()
    for name in SOURCES:
        source = (REPO / name).read_text(encoding="utf-8")
        keys |= {f"verify.f.{k}" for k in re.findall(r'finding\(\s*"([a-z_.]+)"', source)}
        keys |= set(re.findall(r'i18n\.Text\(\s*"([a-z_.]+)"', source))
        keys |= {f"md.v.r.{k}" for k in re.findall(r'_Refused\(\s*"([a-z_.]+)"', source)}
        keys |= {f"bundle.v.{k}" for k in re.findall(r'_said\(\s*"([a-z_.]+)"', source)}
        keys |= {f"engine.diff.{k}" for k in re.findall(r'_diff\(\s*"([a-z_.]+)"', source)}
        kinds = re.findall(r'kind = "([a-z_.]+)" if .* else "([a-z_.]+)"', source)
        keys |= {f"verify.f.{k}" for pair in kinds for k in pair}
    return keys


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_verify_text_has_chinese_and_english_with_the_same_values() -> None:
    """Each key of the report (and each one the code names) is registered with a Chinese and an
    English text that take the same values, and no Chinese text holds an English word."""
    keys = {k for k in i18n.keys() if k.startswith(REPORT_PREFIXES)}  # noqa: SIM118  (a function)
    used = _used_keys()
    assert len(used) > 100, "the scan of the verify code found too few keys"
    assert used - keys == set(), "keys the verify code uses but nobody registered"
    for key in sorted(keys):
        zh, en = i18n.t(key, "zh"), i18n.t(key, "en")
        assert zh != key, key
        assert en != key, key
        if key.startswith(("act.", "md.table.", "md.col.", "ledger.col.", "verify.col.", "verify.stage.")):
            continue  # a label: its English is the code itself
        assert _fields(zh) == _fields(en), key
        if key.startswith("verify.expect."):
            continue  # refusals of an --expect value: they quote its syntax (ROOT@SIZE, JSON, XLSX)
        assert english_words(re.sub(r"\{[^}]*\}", "", zh)) == [], (key, zh)


# --- one tamper in each section -----------------------------------------------------------------------


@pytest.fixture
def site(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> Iterator[Site]:
    s = open_copy(tmp_path_factory, tmp_path / "hub.db")
    yield s
    s.db.close()


def _checkpoint(site: Site) -> str:
    """Every row so far in the log and a signed checkpoint over it, as `verify --expect` takes it."""
    log = checkpoint_log(site.db, HUB_KEY, clock_ms=lambda: NOW_MS, site="hub")
    log.extend()
    stored = log.make_checkpoint()
    return f"{stored.root}@{stored.tree_size}"


def _tamper_everything(path: Path, kept: str) -> None:
    """One SQL edit per section (and a rewind behind the checkpoint `kept`)."""
    size = int(kept.split("@")[1])
    conn = sqlite3.connect(path)
    with conn:
        # the rewind: the last act, its log leaf and the checkpoint over it are deleted, and its row
        last = conn.execute("SELECT id, entry_index FROM ledger_entry ORDER BY entry_index DESC").fetchone()
        conn.execute("DELETE FROM ledger_entry WHERE id = ?", (last[0],))
        conn.execute("DELETE FROM log_leaf WHERE leaf_index >= ?", (size - 1,))
        conn.execute("DELETE FROM checkpoint WHERE tree_size >= ?", (size,))
        conn.execute("DELETE FROM assess_week_signoff WHERE signed_by = ?", (HEAD_A1.username,))
        # ledger: an officer's act given to someone else
        conn.execute("UPDATE ledger_entry SET actor = 'OFF9' WHERE entry_index = 2")
        # kiosk: another public key
        conn.execute("UPDATE kiosk SET public_key = ? WHERE id = (SELECT min(id) FROM kiosk)", (bytes(32),))
        # record: a count raised
        conn.execute(
            "UPDATE kiosk_record SET body = json_set(body, '$.units', 999) WHERE id = "
            "(SELECT min(id) FROM kiosk_record WHERE type = 'unit_count')"
        )
        # log: a leaf replaced
        conn.execute("UPDATE log_leaf SET leaf_hash = ? WHERE leaf_index = 3", ("0" * 64,))
        # master data: an area renamed
        conn.execute("UPDATE md_area SET name = '三监区' WHERE code = 'A2'")
        # monthly scores: an approval's digest
        conn.execute("UPDATE assess_month_approval SET rows_digest = ? WHERE id = 1", ("f" * 64,))
        # weekly reviews: a publication kept on the boards longer
        conn.execute("UPDATE assess_published_week SET until = '2026-11-30'")
        # daily results: a number
        conn.execute(
            "UPDATE daily_result SET done_units = '999' WHERE id = (SELECT min(id) FROM daily_result)"
        )
    conn.close()


# each section and what its Chinese finding must say (in the report's order)
EXPECTED_ZH = {
    "ledger": ["台账条目（行号", "字段“操作人”为 'OFF9'，但签名条目为"],
    "kiosks": ["公钥不是台账最后准入的密钥"],
    "records": ["字段“内容.件数”为 999，但签名记录为"],
    "log": ["日志叶子 3：终端记录", "不是日志记录的那一行"],
    "held": ["日志被回退到以 --expect", "给出的检查点之前", "今日日志只有"],
    "masterdata": ["监区（代码 A2）：字段“名称”为 '三监区'，但签名行为为 '二监区'"],
    "scores": ["月考核审批（行号 1）：字段“分数摘要”为 'fffff"],
    "weeks": ["周公示（行号", "字段“截止日期”为 '2026-11-30'，但台账第"],
    "results": ["日结果 罪犯", "字段“完成件数”为 '999'，但签名记录得出"],
}
EXPECTED_EN = {
    "ledger": ["column actor is 'OFF9' but the signed entry says"],
    "kiosks": ["public_key is not the key the ledger last admitted"],
    "records": ["column body.units is 999 but the signed record says"],
    "log": ["is not the row the log recorded"],
    "held": ["rewind behind a checkpoint given with --expect", "today's log holds only"],
    "masterdata": ["md_area code=A2: column name is '三监区' but the signed acts say '二监区'"],
    "scores": ["assess_month_approval id=1: column rows_digest is 'fffff"],
    "weeks": ["column until is '2026-11-30' but ledger entry"],
    "results": ["done_units is '999' but the records give"],
}


def test_the_chinese_report_names_each_tamper_in_chinese(site: Site, tmp_path: Path) -> None:
    """A locked month, a published week, a checkpoint kept outside the hub; then one SQL edit in each
    section (ledger entry, kiosk, record, log leaf, a rewind behind the kept checkpoint, master-data
    row, approval, publication, daily result). `floorledger verify` (default language) names every
    tamper in Chinese, with no English word outside codes, ids, numbers and hashes; `--lang en` names
    the same tampers in the English the docs quote."""
    _lock_a1(site)
    _review_a1(site)
    site.assessment.sign_off_week(HEAD_A1, "A1", WEEK)  # the act the rewind removes
    assert review_tables.WeekSignoff.select().count() == 2
    kept = _checkpoint(site)
    site.db.close()
    _tamper_everything(Path(site.db.database), kept)

    expect = parse_expectation(kept, Verifier(HUB_KEY.public_key, hub=True))
    report = verify.verify_database(site.db, Verifier(HUB_KEY.public_key, hub=True), workers=1, expect=expect)
    assert not report.ok
    zh, en = report.render("zh"), report.render("en")
    for section in report.sections:
        assert section.findings, f"{section.key}: the tamper was not found\n{en}"
        shown_zh = "\n".join(item.text("zh") for item in section.findings if isinstance(item, i18n.Text))
        keyed = [item for item in section.findings if isinstance(item, i18n.Text)]
        assert keyed == section.findings, f"{section.key}: a finding without a key"
        for words in EXPECTED_ZH[section.key]:
            assert words in shown_zh, f"{section.key}: {words!r} not in\n{shown_zh}"
        for words in EXPECTED_EN[section.key]:
            assert any(words in line for line in section.findings), f"{section.key}: {words!r} not in\n{en}"
    ids = ["admin", LABOR.username, LINE_L1.username, HEAD_A1.username]  # officers' usernames
    assert english_words(zh, ids) == [], zh
    assert zh.rstrip().endswith("核验未通过")
    assert en.rstrip().endswith("NOT VERIFIED")


def test_the_command_prints_chinese_by_default_and_english_on_request(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """`floorledger verify` prints the report in Chinese (the officers' language, as the dashboard);
    `--lang en` prints the English report; both exit 1 on a tampered database and name the tamper."""
    site.db.close()
    conn = sqlite3.connect(site.db.database)
    with conn:
        conn.execute("UPDATE md_area SET name = '三监区' WHERE code = 'A2'")
    conn.close()
    argv = ["verify", "--db", f"sqlite:///{site.db.database}", "--hub-key-pub", HUB_KEY.public_key_b64]
    assert cli.main([*argv, "--workers", "1"]) == 1
    out = capsys.readouterr().out
    assert "监区（代码 A2）：字段“名称”为 '三监区'，但签名行为为 '二监区'" in out
    assert out.rstrip().endswith("核验未通过")
    assert english_words(out, [LABOR.username]) == [], out
    assert cli.main([*argv, "--workers", "1", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "md_area code=A2: column name is '三监区' but the signed acts say '二监区'" in out
    assert out.rstrip().endswith("NOT VERIFIED")
