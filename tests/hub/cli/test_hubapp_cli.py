"""`floorledger hub`: the config is checked field by field (one-line errors), `hub init` creates key and
database (every table, the latest schema version), `hub migrate` brings a database made before
migrations to version 1 (a copy first) after which `floorledger verify` holds, and
`floorledger hub --config` starts against a real Mosquitto, serves its web port, announces itself
online, and stops cleanly on Ctrl-C / SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from floorledger.base.errors import CliError
from floorledger.base.mqtt_url import BrokerConfig
from floorledger.broker import MosquittoProcess, free_port, port_open
from floorledger.cli import main
from hub.config import ConfigError, load_config
from hub.store.migrate import latest
from hub.store.migrations import STEPS
from hub.store.schema import ALL_MODELS

FLOORLEDGER = [sys.executable, "-m", "floorledger"]


def _env() -> dict[str, str]:
    """The test's environment without pytest's and NiceGUI's harness variables (see the UI notes)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hub.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_full_config_is_read_with_paths_relative_to_its_folder(tmp_path: Path) -> None:
    """Every field is read; relative files sit beside the config; defaults fill the rest."""
    config = load_config(
        _write(
            tmp_path,
            'site = "jx3"\nkey_file = "keys/hub.key"\nbroker = "mqtts://broker:8883"\n'
            '[broker_tls]\nca_file = "ca.pem"\n[web]\nhost = "0.0.0.0"\nport = 8443\n'
            '[board]\nprivacy = "number_only"\nseconds_per_page = 15\n',
        )
    )
    assert config.key_file == tmp_path / "keys" / "hub.key"
    assert config.database == str(tmp_path / "hub.db")
    assert (config.web.host, config.web.port, config.board.privacy) == ("0.0.0.0", 8443, "number_only")
    assert (config.timezone, config.correction_window_days) == ("Asia/Shanghai", 7)
    assert config.broker_config.tls
    assert config.broker_config.ca_file == tmp_path / "ca.pem"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('site = "s"\ncolour = "red"\n', "colour: unknown setting"),
        ('site = "s"\n[web]\nport = "80a"\n', "web.port: expected an integer 1-65535, got '80a'"),
        (
            'site = "s"\n[board]\nprivacy = "open"\n',
            "board.privacy: expected one of full, masked, number_only",
        ),
        ('site = "s"\ntimezone = "Mars/Base"\n', "timezone: unknown time zone"),
        ('site = "s"\ndatabase = "mysql://x/y"\n', "database: expected a file path"),
        ('site = "s"\nbroker = "http://x"\n', "broker: expected mqtt://"),
        ("[web]\nport = 80\n", "site: required setting is missing"),
        ('site = "a/b"\n', "site: 'a/b' must be"),
        ('site = "s"\n[web]\nhots = "x"\n', "web.hots: unknown setting"),
        ('site = "s"\n[web]\ncert_file = "c.pem"\n', "web.key_file: required with web.cert_file"),
        ('site = "s"\n[web]\nkey_file = "k.pem"\n', "web.cert_file: required with web.key_file"),
    ],
)
def test_a_bad_config_is_refused_naming_the_field(tmp_path: Path, text: str, message: str) -> None:
    """Each mistake gives one line that names the field and what was expected."""
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, text))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_the_command_prints_one_line_and_no_traceback_for_a_bad_config(tmp_path: Path) -> None:
    """`floorledger hub --config` with an unknown key exits 2 with a single line on stderr."""
    path = _write(tmp_path, 'site = "s"\n[web]\nprot = 8080\n')
    done = subprocess.run(
        [*FLOORLEDGER, "hub", "--config", str(path)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "floorledger hub: web.prot: unknown setting (known: host, port, cert_file, key_file)"
    ]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_the_hub_starts_serves_and_stops_cleanly(
    tmp_path: Path, stop_signal: signal.Signals, capsys: pytest.CaptureFixture[str]
) -> None:
    """init creates key and database; the hub serves its web port, says `online` on its status topic,
    and on Ctrl-C / SIGTERM leaves `offline` behind and exits 0 within seconds."""
    broker = MosquittoProcess(workdir=tmp_path / "mosquitto")
    broker.start()
    port = free_port()
    path = _write(tmp_path, f'site = "t1"\nbroker = "mqtt://127.0.0.1:{broker.port}"\n[web]\nport = {port}\n')
    statuses: list[bytes] = []
    watcher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="watcher")
    watcher.on_message = lambda client, userdata, msg: statuses.append(msg.payload)
    hub: subprocess.Popen[str] | None = None
    try:
        assert main(["hub", "init", "--config", str(path)]) == 0
        assert (tmp_path / "hub.key").exists()
        assert (tmp_path / "hub.db").exists()
        assert "fingerprint" in capsys.readouterr().out
        watcher.connect("127.0.0.1", broker.port)
        watcher.subscribe("floorledger/t1/hub/status", qos=1)
        watcher.loop_start()
        hub = subprocess.Popen(
            [*FLOORLEDGER, "hub", "--config", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        deadline = time.monotonic() + 30
        while not (port_open("127.0.0.1", port) and b"online" in statuses):
            assert hub.poll() is None, hub.communicate()[1]
            assert time.monotonic() < deadline, "the hub did not come up within 30 s"
            time.sleep(0.1)
        hub.send_signal(stop_signal)
        out, err = hub.communicate(timeout=20)
        assert hub.returncode == 0, err
        assert "Traceback" not in err
        deadline = time.monotonic() + 5
        while statuses[-1] != b"offline" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert statuses[-1] == b"offline"
        assert not port_open("127.0.0.1", port)
    finally:
        if hub is not None and hub.poll() is None:
            hub.kill()
            hub.communicate()
        watcher.loop_stop()
        watcher.disconnect()
        broker.close()


def test_a_broker_url_may_ask_for_mqtt_3_1_1_and_nothing_else() -> None:
    """`?mqtt=3.1.1` makes clients speak MQTT 3.1.1 (for a broker without MQTT 5) and survives a
    round trip through `url`; MQTT 5 is the default; any other option is refused with one line."""

    old = BrokerConfig.from_url("mqtt://broker:1884?mqtt=3.1.1")
    assert (old.host, old.port, old.mqtt5) == ("broker", 1884, False)
    assert BrokerConfig.from_url(old.url) == old
    assert BrokerConfig.from_url("mqtt://broker").mqtt5
    assert BrokerConfig.from_url("mqtt://broker?mqtt=5").url == "mqtt://broker:1883"
    for bad in ("mqtt://broker?mqtt=3", "mqtt://broker?qos=2"):
        with pytest.raises(CliError, match="the only option is"):
            BrokerConfig.from_url(bad)


def test_an_extra_ingest_worker_refuses_a_broker_without_shared_subscriptions(tmp_path: Path) -> None:
    """`floorledger hub ingest` on an MQTT 3.1.1 broker URL stops at once with one line saying why
    (a second worker there would receive every batch twice, not share them)."""
    config = _write(tmp_path, 'site = "s"\nkey_file = "hub.key"\nbroker = "mqtt://127.0.0.1:1?mqtt=3.1.1"\n')
    assert main(["hub", "init", "--config", str(config)]) == 0
    done = subprocess.run(
        [*FLOORLEDGER, "hub", "ingest", "--config", str(config)], capture_output=True, text=True, env=_env()
    )
    assert done.returncode == 2
    assert "MQTT 5 shared subscriptions" in done.stderr
    assert "Traceback" not in done.stderr


# --- the schema: init and migrate ------------------------------------------------------------------

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "hub-24abeab.sqlite3"
FIXTURE_HUB_KEY = "BAPRtk5KHXGPA8w391uWADGxYYDMxo-BokeGAwbeyXU"  # see tests/fixtures/README.md


def _tables_and_versions(path: Path) -> tuple[set[str], list[int]]:
    with sqlite3.connect(path) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        versions = [row[0] for row in conn.execute("SELECT version FROM schema_version ORDER BY version")]
    return tables, versions


def test_init_creates_every_table_at_the_latest_schema_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`hub init` makes the whole schema, the review and web tables too (a line plan's dispute
    notice no longer depends on the review page having been registered)."""

    path = _write(tmp_path, 'site = "s"\n')
    assert main(["hub", "init", "--config", str(path)]) == 0
    tables, versions = _tables_and_versions(tmp_path / "hub.db")
    assert {m._meta.table_name for m in ALL_MODELS} <= tables
    assert {"review_dispute_answer", "review_correction", "web_user", "web_board_token"} <= tables
    assert versions == [step.VERSION for step in STEPS]  # numbers may skip (a parallel branch's step)
    steps = ", ".join(str(step.VERSION) for step in STEPS)
    assert f"schema version {latest()} (applied step {steps})" in capsys.readouterr().out
    assert main(["hub", "migrate", "--config", str(path)]) == 0
    assert f"schema version {latest()}, nothing to do" in capsys.readouterr().out


def test_a_database_made_before_migrations_migrates_and_then_verifies(tmp_path: Path) -> None:
    """The real commands on a copy of the fixture: `hub migrate` copies the file, stamps version 1,
    and `floorledger verify` with the fixture's hub key then holds."""
    shutil.copyfile(FIXTURE, tmp_path / "hub.db")
    path = _write(tmp_path, 'site = "fixture"\n')
    done = subprocess.run(
        [*FLOORLEDGER, "hub", "migrate", "--config", str(path)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "recognised as version 1" in done.stdout
    backups = list(tmp_path.glob("hub.db.before-v1-*"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:  # the copy is the database as it was
        copied = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "kiosk_record" in copied
    assert "schema_version" not in copied
    _, versions = _tables_and_versions(tmp_path / "hub.db")
    assert versions == [step.VERSION for step in STEPS]  # numbers may skip (a parallel branch's step)
    verified = subprocess.run(
        [
            *FLOORLEDGER,
            "verify",
            "--db",
            str(tmp_path / "hub.db"),
            "--hub-key-pub",
            FIXTURE_HUB_KEY,
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VERIFIED" in verified.stdout
    assert "NOT VERIFIED" not in verified.stdout


def test_a_database_newer_than_the_code_is_refused_in_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'site = "s"\n')
    assert main(["hub", "init", "--config", str(path)]) == 0
    with sqlite3.connect(tmp_path / "hub.db") as conn:
        conn.execute("INSERT INTO schema_version (version, name, applied_ms) VALUES (99, 'future', 1)")
    done = subprocess.run(
        [*FLOORLEDGER, "hub", "migrate", "--config", str(path)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"floorledger hub: database {tmp_path / 'hub.db'}: the database's schema version 99 is newer "
        f"than this code's ({latest()}): upgrade FloorLedger instead of opening this database with an older "
        "version"
    ]
