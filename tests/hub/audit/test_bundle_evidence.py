"""Evidence bundles: built from a seeded hub (real SQLite), checked offline with only the hub's public
key; any changed byte, a wrong hub key, or an input that the signed records do not give fails."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.audit import bundle as bd
from hub.audit.bundle_scope import canonical, explanations, restrict, result_of, scope_of
from hub.engine.compute import compute_month
from hub.engine.documents import json_text, result_json, scenario_json
from hub.engine.model import Month
from hub.engine.scenario import load_scenario
from hub.ledger.entries import CORRECTION, parse_entry
from hub.results import facts as fx
from hub.seed import seed_site
from hub.store import db as hubdb
from hub.store.ledger import StoredCheckpoint
from hub.store.schema import prepare
from protocol.records import parse_frame
from protocol.signing import Signer, Verifier, b64decode, b64encode

HUB_KEY = Signer(b"\x07" * 32)
PUBLIC = Verifier(b64decode(HUB_KEY.public_key_b64))
TODAY = date(2026, 10, 14)
MONTH = Month.parse("2026-10")
INMATE = "P1001"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, bytes]]:
    """A seeded hub (a checkpoint after the records) and one inmate's bundle as written."""
    folder = tmp_path_factory.mktemp("bundle")
    db = hubdb.connect(str(folder / "hub.db"))
    try:
        seed_site(db, hub_signer=HUB_KEY, seed=3, today=TODAY, history_days=9)
        document = bd.build_bundle(db, inmate=INMATE, month=MONTH, through=date(2026, 10, 13))
    finally:
        db.close()
    data = bd.bundle_text(document).encode("utf-8")
    (folder / "bundle.json").write_bytes(data)
    return folder, data


def _edit(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    doc = bd.load_bundle_text(data.decode())
    change(doc)
    return bd.bundle_text(doc).encode()


def test_a_bundle_from_a_seeded_hub_verifies_offline(built: tuple[Path, bytes]) -> None:
    """The bundle holds the inmate's and their line-mates' signed records with proofs, and verifies."""
    _, data = built
    report = bd.check_bundle_bytes(data, PUBLIC)
    assert report.ok, report.render()
    doc = bd.load_bundle_text(data.decode())
    people = {json.loads(b64decode(r["frame"])[64:])["body"].get("person") for r in doc["records"]}
    assert INMATE in people
    assert len(people - {None}) > 1
    assert any(json.loads(b64decode(r["frame"])[64:])["type"] == "warehoused_count" for r in doc["records"])
    assert doc["result"]["monthly"][0]["inmate"] == INMATE
    named = [i["id"] for i in doc["scenario"]["inmates"] if i.get("name")]
    assert named == [INMATE]  # line-mates appear by id only
    assert len(doc["scenario"]["inmates"]) > 1
    assert doc["explanation"]["monthly"]["zh"]
    assert doc["explanation"]["monthly"]["en"]
    assert "VERIFIED" in report.render().splitlines()[-1]


def _record(item: dict) -> dict:  # type: ignore[type-arg]
    return json.loads(b64decode(item["frame"])[64:])  # type: ignore[no-any-return]


def test_a_kiosk_correction_is_in_the_bundle_and_dropping_it_fails(built: tuple[Path, bytes]) -> None:
    """The seeded warehouse correction travels with the record it corrects; the scenario carries the
    corrected units, so a bundle without the correction no longer matches its signed records."""
    _, data = built
    doc = bd.load_bundle_text(data.decode())
    records = [_record(r) for r in doc["records"]]
    [correction] = [r for r in records if r["type"] == "correction"]
    [target] = [
        r
        for r in records
        if (r["kiosk"], r["seq"]) == (correction["body"]["ref_kiosk"], correction["body"]["ref_seq"])
    ]
    lots = [
        w
        for w in doc["scenario"]["warehoused"]
        if (w["line"], w["date"]) == (target["body"]["line"], target["body"]["day"])
    ]
    assert [w["units"] for w in lots] == [correction["body"]["values"]["units"]]
    assert correction["body"]["values"]["units"] != target["body"]["units"]

    def drop(d: dict) -> None:  # type: ignore[type-arg]
        d["records"] = [r for r in d["records"] if _record(r)["type"] != "correction"]

    report = bd.check_bundle_bytes(_edit(data, drop), PUBLIC)
    assert not report.ok
    assert any("warehoused" in line for line in report.findings())


def _flip_b64(text: str, at: int) -> str:
    raw = bytearray(b64decode(text))
    raw[at] ^= 0x01
    return b64encode(bytes(raw))


TAMPERS = {
    "a count's units in the scenario": lambda d: d["scenario"]["counts"][0].__setitem__(
        "units", d["scenario"]["counts"][0]["units"] + 1
    ),
    "present minutes in the scenario": lambda d: d["scenario"]["attendance"][0].__setitem__(
        "present_minutes", d["scenario"]["attendance"][0]["present_minutes"] + 1
    ),
    "a record's signature": lambda d: d["records"][0].__setitem__(
        "frame", _flip_b64(d["records"][0]["frame"], 3)
    ),
    "a record's signed bytes": lambda d: d["records"][5].__setitem__(
        "frame", _flip_b64(d["records"][5]["frame"], 90)
    ),
    "a proof element": lambda d: d["records"][2]["path"].__setitem__(
        0, ("0" if d["records"][2]["path"][0][0] != "0" else "1") + d["records"][2]["path"][0][1:]
    ),
    "a leaf index": lambda d: d["records"][2].__setitem__("leaf_index", d["records"][2]["leaf_index"] + 1),
    "the checkpoint's signature": lambda d: d.__setitem__("checkpoint", _flip_b64(d["checkpoint"], 10)),
    "an enrollment entry": lambda d: d["ledger"][0].__setitem__(
        "frame", _flip_b64(d["ledger"][0]["frame"], 100)
    ),
    "the monthly labor points": lambda d: d["result"]["monthly"][0].__setitem__(
        "labor_points", d["result"]["monthly"][0]["labor_points"] + 1
    ),
    "a daily completion": lambda d: d["result"]["daily"][0].__setitem__("done_units", 999),
    "the explanation": lambda d: d["explanation"]["monthly"].__setitem__("en", "all quotas met"),
    "a kiosk key listed": lambda d: d["kiosks"][0].__setitem__("fingerprint", "0" * 20),
    "a dropped record": lambda d: d["records"].pop(7),
}


@pytest.mark.parametrize("what", sorted(TAMPERS))
def test_a_changed_value_makes_the_bundle_fail(built: tuple[Path, bytes], what: str) -> None:
    """Each kind of change (an input, a signature, a proof, a result number) is caught and named."""
    _, data = built
    report = bd.check_bundle_bytes(_edit(data, TAMPERS[what]), PUBLIC)
    assert not report.ok
    assert report.findings()
    assert report.render().splitlines()[-1] == "NOT VERIFIED"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.floats(min_value=0, max_value=1, exclude_max=True), value=st.integers(1, 255))
def test_any_one_changed_byte_makes_the_bundle_fail(
    built: tuple[Path, bytes], position: float, value: int
) -> None:
    """Whatever byte of the file changes (a value, a key, a space), the bundle no longer verifies."""
    _, data = built
    at = int(position * len(data))
    changed = bytearray(data)
    changed[at] = (changed[at] + value) % 256
    assert not bd.check_bundle_bytes(bytes(changed), PUBLIC).ok


def test_the_wrong_hub_key_fails(built: tuple[Path, bytes]) -> None:
    """A bundle checked against another hub's key fails at the checkpoint signature."""
    _, data = built
    other = Verifier(b64decode(Signer(b"\x08" * 32).public_key_b64))
    report = bd.check_bundle_bytes(data, other)
    assert not report.ok
    assert any("checkpoint" in line for line in report.findings())


def test_verify_bundle_command_exits_zero_then_non_zero(built: tuple[Path, bytes], tmp_path: Path) -> None:
    """`floorledger verify-bundle` prints a readable summary (in Chinese by default) and exits 0; a
    tampered copy exits 1 and names the number changed (here in English, `--lang en`)."""
    folder, data = built
    cmd = [sys.executable, "-m", "floorledger.cli"]
    probe = subprocess.run([*cmd, "verify-bundle", "--help"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:  # not yet in COMMAND_MODULES: drive the same parser through our register()
        cmd = [sys.executable, "-c", _RUNNER]
    ok = subprocess.run(
        [*cmd, "verify-bundle", str(folder / "bundle.json"), "--hub-key-pub", HUB_KEY.public_key_b64],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.rstrip().endswith("核验通过")
    assert f"证据包：罪犯 {INMATE}" in ok.stdout
    bad = tmp_path / "bad.json"
    bad.write_bytes(_edit(data, TAMPERS["the monthly labor points"]))
    failed = subprocess.run(
        [*cmd, "verify-bundle", str(bad), "--hub-key-pub", HUB_KEY.public_key_b64, "--lang", "en"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert failed.returncode == 1
    assert "labor_points" in failed.stdout
    assert "NOT VERIFIED" in failed.stdout


_RUNNER = """
import argparse, sys
from floorledger.base.errors import CliError
from hub.cli import bundle as bundle_cli
parser = argparse.ArgumentParser(prog="floorledger")
bundle_cli.register(parser.add_subparsers(dest="command", required=True))
args = parser.parse_args(sys.argv[1:])
try:
    sys.exit(args.func(args))
except CliError as err:
    print(f"floorledger: {err}", file=sys.stderr)
    sys.exit(2)
"""


def test_bundle_command_signs_a_checkpoint_and_writes_a_verifiable_file(tmp_path: Path) -> None:
    """`floorledger bundle --key` signs a fresh checkpoint with the hub key and writes a bundle that
    `verify-bundle` accepts; an unknown inmate is a one-line error, not a traceback."""
    from floorledger.keyfile import HEADER

    path = tmp_path / "hub.db"
    db = hubdb.connect(str(path))
    try:
        seed_site(db, hub_signer=HUB_KEY, seed=4, today=TODAY, history_days=3)
    finally:
        db.close()
    key_file = tmp_path / "hub.key"
    key_file.write_text(f"{HEADER}{b64encode(HUB_KEY.seed)}\n", encoding="ascii")
    out = tmp_path / "b.json"
    base = [sys.executable, "-c", _RUNNER, "bundle", "--db", str(path), "--key", str(key_file)]
    made = subprocess.run(
        [*base, "--inmate", INMATE, "--month", "2026-10", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    assert HUB_KEY.public_key_b64 in made.stdout
    assert bd.check_bundle_bytes(out.read_bytes(), PUBLIC).ok
    db = hubdb.connect(str(path))
    try:
        prepare(db)
        assert StoredCheckpoint.select().count() == 2  # the seed's and the bundle's
    finally:
        db.close()
    unknown = subprocess.run(
        [*base, "--inmate", "NOBODY", "--month", "2026-10", "--out", str(tmp_path / "x.json")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert unknown.returncode != 0
    assert "NOBODY" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    assert not (tmp_path / "x.json").exists()


def test_a_capital_hex_digit_in_a_proof_fails_though_it_means_the_same_hash(
    built: tuple[Path, bytes],
) -> None:
    """A proof path element written with a capital letter names the same bytes, yet the file is no
    longer as written: the bundle must not verify (found by the one-changed-byte property test)."""
    _, data = built
    text = data.decode("utf-8")
    document = json.loads(text)
    element = next(p for r in document["records"] for p in r["path"] if any(c in "abcdef" for c in p))
    at = text.index(f'"{element}"') + 1 + next(i for i, c in enumerate(element) if c in "abcdef")
    changed = text[:at] + text[at].upper() + text[at + 1 :]
    report = bd.check_bundle_bytes(changed.encode("utf-8"), PUBLIC)
    assert not report.ok
    assert "64 lowercase hex digits" in report.render()


def _forged(doc: dict, records: list) -> dict:  # type: ignore[type-arg]
    """What the attacker does after changing the records list: the scenario re-derived from the
    records as listed (the checker's own derivation), and the result and explanation re-computed by
    our own engine, so that every number agrees with the records the bundle now shows."""
    scenario = load_scenario(doc["scenario"])
    rule_set = scenario.rule_set()
    facts = [fx.as_fact(parse_frame(b64decode(r["frame"]))) for r in records]
    derived = fx.derive(facts, MONTH)
    entries = [parse_entry(b64decode(e["frame"]))[0] for e in doc["ledger"]]
    corrections = [fx.hub_correction(c.payload) for c in entries if c.action == CORRECTION]
    derived = fx.apply_hub_corrections(derived, [c for c in corrections if MONTH.contains(c.day)])
    scope = scope_of(scenario.inputs, rule_set, INMATE)
    inputs = replace(
        scenario.inputs, attendance=derived.attendance, counts=derived.counts, warehoused=derived.warehoused
    )
    cut = canonical(restrict(inputs, scope))
    document = {"description": bd.scenario_description(INMATE, MONTH), **scenario_json(cut, scenario.rules)}
    document = bd._reparse(document)
    result = result_of(
        bd._reparse(result_json(compute_month(load_scenario(document).inputs, rule_set))), scope
    )
    explained = explanations(load_scenario(document).inputs, rule_set, result, INMATE)
    return {**doc, "records": records, "scenario": document, "result": result, "explanation": explained}


def _count_records_of_inmate(doc: dict) -> list:  # type: ignore[type-arg]
    return [
        r
        for r in doc["records"]
        if _record(r)["type"] == "unit_count" and _record(r)["body"].get("person") == INMATE
    ]


def test_a_bundle_listing_the_inmate_s_counts_twice_is_refused(built: tuple[Path, bytes]) -> None:
    """Every count record of the inmate listed a second time, with the scenario, result and
    explanation recomputed to match (his month rises): each copy is named, the bundle fails."""
    _, data = built
    doc = bd.load_bundle_text(data.decode())
    counts = _count_records_of_inmate(doc)
    assert counts
    doubled = sorted(doc["records"] + counts, key=lambda r: r["leaf_index"])
    forged = _forged(doc, doubled)
    assert forged["result"]["monthly"] != doc["result"]["monthly"]  # the attack changes his month
    report = bd.check_bundle_bytes(bd.bundle_text(forged).encode(), PUBLIC)
    assert not report.ok
    twice = [f for f in report.findings() if "is listed twice" in f]
    assert len(twice) == len(counts), report.render()


def test_a_bundle_with_its_records_reordered_is_refused(built: tuple[Path, bytes]) -> None:
    """The hub lists records in leaf-index order; the same records reversed are a changed bundle and
    fail, as any changed byte does (docs/evidence-bundle.md)."""
    _, data = built
    doc = bd.load_bundle_text(data.decode())
    assert [r["leaf_index"] for r in doc["records"]] == sorted(r["leaf_index"] for r in doc["records"])
    reversed_doc = {**doc, "records": list(reversed(doc["records"]))}
    report = bd.check_bundle_bytes(bd.bundle_text(reversed_doc).encode(), PUBLIC)
    assert not report.ok
    assert any("not in leaf-index order" in f for f in report.findings()), report.render()


def test_a_bundle_listing_a_ledger_entry_twice_is_refused(built: tuple[Path, bytes]) -> None:
    """Ledger entries too are listed once each in leaf-index order: a copy (which could apply a hub
    correction twice) is named."""
    _, data = built
    doc = bd.load_bundle_text(data.decode())
    doubled = {**doc, "ledger": doc["ledger"] + doc["ledger"][:1]}
    report = bd.check_bundle_bytes(bd.bundle_text(doubled).encode(), PUBLIC)
    assert not report.ok
    assert f"ledger[{len(doc['ledger'])}]: leaf {doc['ledger'][0]['leaf_index']} is listed twice" in " ".join(
        report.findings()
    ), report.render()


def test_a_scenario_list_reversed_is_refused(built: tuple[Path, bytes]) -> None:
    """The scenario's lists are written in one order (sorted); the same attendance reversed changes no
    number, yet it is a changed bundle and fails, as docs/evidence-bundle.md says any changed byte does."""
    _, data = built
    doc = bd.load_bundle_text(data.decode())
    doc["scenario"]["attendance"].reverse()
    report = bd.check_bundle_bytes(bd.bundle_text(doc).encode(), PUBLIC)
    assert not report.ok
    assert report.findings() == ["scenario: attendance are not in the one order the hub writes (sorted)"]


def test_keys_in_another_order_are_refused(built: tuple[Path, bytes]) -> None:
    """Every object's keys are written sorted: the same document with the keys of its top level or of
    one record in another order is not the bundle's one written form."""
    _, data = built
    doc = bd.load_bundle_text(data.decode())
    top = dict(reversed(list(doc.items())))
    item = doc["records"][0]
    inner = {**doc, "records": [dict(reversed(list(item.items()))), *doc["records"][1:]]}
    for changed in (top, inner):
        text = json_text(changed) + "\n"
        assert text.encode() != data
        report = bd.check_bundle_bytes(text.encode(), PUBLIC)
        assert not report.ok
        assert report.findings() == [
            "the file is not in the form the hub writes (bytes were changed or added)"
        ]


def test_a_bundle_of_the_first_format_is_refused_with_a_reason(built: tuple[Path, bytes]) -> None:
    """A bundle written before bundles carried the signed master data and approval is refused by
    name, not as an unknown file."""
    _, data = built
    doc = bd.load_bundle_text(data.decode())
    doc["format"] = "floorledger-evidence-bundle-1"
    report = bd.check_bundle(doc, PUBLIC)
    assert not report.ok
    assert any("an older bundle" in f and "make the bundle again" in f for f in report.findings())


def test_the_report_reads_in_chinese(built: tuple[Path, bytes]) -> None:
    """`verify-bundle --lang zh`: the parts, the findings of the bundle's own checks, the summary and
    the verdict are Chinese (a kiosk key list that disagrees with the signed enrollments, here)."""
    _, data = built
    report = bd.check_bundle_bytes(_edit(data, TAMPERS["a kiosk key listed"]), PUBLIC)
    zh = report.render("zh").splitlines()
    assert zh[0] == f"证据包：罪犯 {INMATE}，月份 2026-10"
    assert "台账条目（枢纽签名、包含于检查点）：已核对 27 项，1 个问题" in zh
    assert "  - 终端：列表与注册条目给出的密钥不同" in zh
    assert any(line.startswith("月考核：监区 A1，未审批") for line in zh)
    assert zh[-1] == "核验未通过"
    en = report.render("en").splitlines()
    assert "  - kiosks: the list differs from the keys the enrollment entries give" in en
    assert en[-1] == "NOT VERIFIED"
    changed = bd.check_bundle_bytes(_edit(data, TAMPERS["a daily completion"]), PUBLIC).render("zh")
    assert "].done_units：预期 999，实得 " in changed
