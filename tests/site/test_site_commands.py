"""`floorledger site init / add-kiosk / kiosk-csr / sign-kiosk / revoke-kiosk` on real files."""

from __future__ import annotations

import shlex
import shutil
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID
from hypothesis import given
from hypothesis import strategies as st

from floorledger import keyfile
from floorledger.base.errors import CliError
from floorledger.cli import build_parser, main
from floorledger.site import layout
from floorledger.site.certs import csr_pem, load_cert, load_key, new_key
from floorledger.site.state import SiteState, parse_kiosk_spec
from hub.config import load_config as load_hub_config
from hub.ledger import entries as lg
from hub.store import db as hubdb
from hub.store.kiosks import Kiosk
from hub.store.ledger import LedgerEntry
from hub.store.schema import bind_all
from kiosk.config import load_config as load_kiosk_config


def _init(out: Path, *extra: str) -> None:
    assert main(["site", "init", "--site", "site1", "--out", str(out), "--broker-host", "hub.site",
                 "--broker-host", "10.0.0.5", *extra]) == 0  # fmt: skip


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _crl(site: Path) -> x509.CertificateRevocationList:
    return x509.load_pem_x509_crl((site / layout.BROKER_DIR / layout.CRL).read_bytes())


def test_init_writes_one_folder_per_machine_with_keys_readable_by_the_owner_only(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1", "--kiosk", "K02:L2", "--hub-host", "floor.site")
    files = {p.relative_to(site).as_posix(): p for p in site.rglob("*") if p.is_file()}
    assert _mode(site) == 0o700  # the CA's folder
    expected = {
        f.path.as_posix(): f for f in (*layout.broker_files(), *layout.hub_files(), *layout.hub_state_files(),
                                       *layout.kiosk_files("K01"), *layout.kiosk_files("K02"))
    }  # fmt: skip
    expected_names = {*expected, "ca/ca.crt", "ca/ca.key", "site.json"}
    assert set(files) == expected_names
    for name, path in files.items():
        secret = name == "ca/ca.key" or (name in expected and expected[name].secret)
        assert _mode(path) == (0o600 if secret else 0o644), name
        assert secret == name.endswith(".key"), name  # exactly the key files are secret


def test_the_sample_configs_load_as_written_from_their_folder(tmp_path: Path) -> None:
    """hub.toml and kiosk.toml pass the apps' own config checks where they are installed; the files
    they name beside them are there, and the kiosk trusts the hub key the hub will use."""
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1")
    etc = tmp_path / "etc-hub"
    shutil.copytree(site / layout.HUB_DIR, etc)
    hub = load_hub_config(etc / layout.HUB_CONFIG)
    assert hub.site == "site1"
    assert hub.database == str(layout.HUB_DATABASE)  # what the hub writes: under /var/lib/floorledger
    assert hub.key_file == layout.HUB_KEY_PATH
    broker = hub.broker_config
    assert (broker.host, broker.port, broker.tls) == ("hub.site", 8883, True)
    assert broker.password_file is None
    for path in (broker.ca_file, broker.cert_file, broker.key_file):
        assert path is not None
        assert path.parent == etc
        assert path.exists()
    assert (
        load_cert((etc / layout.MQTT_CERT).read_bytes(), "hub").subject.rfc4514_string().startswith("CN=hub,")
    )

    kiosk_etc = tmp_path / "etc-kiosk"
    shutil.copytree(site / layout.kiosk_dir("K01"), kiosk_etc)
    kiosk = load_kiosk_config(kiosk_etc / layout.KIOSK_CONFIG)
    assert (kiosk.kiosk_id, kiosk.site, kiosk.line) == ("K01", "site1", "L1")
    hub_key = keyfile.load(site / layout.HUB_STATE_DIR / layout.HUB_SIGNING_KEY)
    assert kiosk.hub_public_key == hub_key.public_key
    assert kiosk.key_file == layout.KIOSK_KEY_PATH  # written by the kiosk: the writable place
    assert kiosk.database == layout.KIOSK_DATABASE
    assert kiosk.broker().url == "mqtts://hub.site:8883"
    for path in (kiosk.broker_ca_file, kiosk.broker_cert_file, kiosk.broker_key_file):
        assert path is not None
        assert path.exists()


def test_init_refuses_a_folder_that_holds_a_site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "site"
    _init(site)
    before = (site / "ca" / "ca.key").read_bytes()
    assert main(["site", "init", "--site", "site1", "--out", str(site), "--broker-host", "x"]) == 2
    assert "already holds a site" in capsys.readouterr().err
    assert (site / "ca" / "ca.key").read_bytes() == before


def test_a_kiosk_made_key_never_enters_the_site_folder(tmp_path: Path) -> None:
    """kiosk-csr on the kiosk, sign-kiosk at the CA: the certificate is for the kiosk's own key."""
    site, on_kiosk = tmp_path / "site", tmp_path / "kiosk-etc"
    _init(site)
    assert main(["site", "kiosk-csr", "--kiosk", "K03", "--out", str(on_kiosk)]) == 0
    assert _mode(on_kiosk / layout.MQTT_KEY) == 0o600
    assert (
        main(["site", "sign-kiosk", str(on_kiosk / layout.MQTT_CSR), "--line", "L2", "--dir", str(site)]) == 0
    )
    folder = site / layout.kiosk_dir("K03")
    assert not (folder / layout.MQTT_KEY).exists()
    cert = load_cert((folder / layout.MQTT_CERT).read_bytes(), "K03")
    key = load_key((on_kiosk / layout.MQTT_KEY).read_bytes(), "kiosk key")
    assert cert.public_key() == key.public_key()
    assert 'line = "L2"' in (folder / layout.KIOSK_CONFIG).read_text()
    # a second request from the same kiosk reuses its key, and the CA refuses a second live certificate
    assert main(["site", "kiosk-csr", "--kiosk", "K03", "--out", str(on_kiosk)]) == 0
    assert load_key((on_kiosk / layout.MQTT_KEY).read_bytes(), "kiosk key").public_key() == key.public_key()
    assert (
        main(["site", "sign-kiosk", str(on_kiosk / layout.MQTT_CSR), "--line", "L2", "--dir", str(site)]) == 2
    )


def test_revoking_puts_the_serial_on_the_crl_and_a_new_certificate_keeps_the_old_one_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1", "--kiosk", "K02:L1")
    k02 = load_cert((site / layout.kiosk_dir("K02") / layout.MQTT_CERT).read_bytes(), "K02")
    assert list(_crl(site)) == []  # Mosquitto needs a CRL from the start (crlfile)
    assert main(["site", "revoke-kiosk", "K02", "--dir", str(site)]) == 0
    printed = capsys.readouterr().out
    assert _crl(site).get_revoked_certificate_by_serial_number(k02.serial_number) is not None
    # the command to revoke the signing key at the hub, exactly as printed, is one the CLI takes
    line = next(x for x in printed.splitlines() if x.strip().startswith("floorledger kiosks revoke"))
    args = build_parser().parse_args(shlex.split(line)[1:])
    assert (args.kiosk, args.db, args.officer) == ("K02", "/var/lib/floorledger/hub.sqlite3", "OFFICER")
    assert str(args.key) == "/var/lib/floorledger/hub.key"
    assert main(["site", "revoke-kiosk", "K02", "--dir", str(site)]) == 2  # already revoked
    # a replacement kiosk under the same id: a new certificate; the old one stays revoked
    shutil.rmtree(site / layout.kiosk_dir("K02"))
    assert main(["site", "add-kiosk", "K02:L1", "--dir", str(site)]) == 0
    new = load_cert((site / layout.kiosk_dir("K02") / layout.MQTT_CERT).read_bytes(), "K02")
    crl = _crl(site)
    assert crl.get_revoked_certificate_by_serial_number(k02.serial_number) is not None
    assert crl.get_revoked_certificate_by_serial_number(new.serial_number) is None
    k01 = load_cert((site / layout.kiosk_dir("K01") / layout.MQTT_CERT).read_bytes(), "K01")
    assert crl.get_revoked_certificate_by_serial_number(k01.serial_number) is None


def test_add_kiosk_refuses_a_kiosk_with_a_live_certificate(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1")
    shutil.rmtree(site / layout.kiosk_dir("K01"))
    assert main(["site", "add-kiosk", "K01:L1", "--dir", str(site)]) == 2
    assert "K01" in SiteState.from_json((site / layout.STATE_FILE).read_text()).kiosks


@pytest.mark.parametrize("text", ["K01", "K01:", "hub:L1", "K/1:L1", "K01:L 1", ":L1"])
def test_a_kiosk_is_given_as_id_and_line(text: str) -> None:
    with pytest.raises(CliError):
        parse_kiosk_spec(text)


def test_the_site_record_reads_back_what_it_wrote(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1")
    assert main(["site", "revoke-kiosk", "K01", "--dir", str(site)]) == 0
    state = SiteState.from_json((site / layout.STATE_FILE).read_text())
    assert SiteState.from_json(state.to_json()) == state
    assert state.broker_hosts == ("hub.site", "10.0.0.5")
    assert state.hub_hosts == state.broker_hosts  # the dashboard's names default to the broker's
    assert state.crl_number == 2


def _hub(tmp_path: Path, site: Path) -> Path:
    """The site's hub folder installed under tmp_path (only the database path changed), initialised."""
    etc = tmp_path / "hub-etc"
    shutil.copytree(site / layout.HUB_DIR, etc)
    config = etc / layout.HUB_CONFIG
    text = config.read_text(encoding="utf-8").replace(str(layout.APP_STATE), str(tmp_path))
    config.write_text(text, encoding="utf-8")
    shutil.copyfile(site / layout.HUB_STATE_DIR / layout.HUB_SIGNING_KEY, tmp_path / layout.HUB_SIGNING_KEY)
    assert main(["hub", "init", "--config", str(config)]) == 0
    return config


def test_revoke_kiosk_with_the_hub_config_also_revokes_its_signing_key_in_the_ledger(tmp_path: Path) -> None:
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1")
    config = _hub(tmp_path, site)
    hub = load_hub_config(config)
    kiosk_key = keyfile.create(tmp_path / "kiosk.key")
    qr = f"floorledger-enroll:1:K01:{kiosk_key.public_key_b64}"
    db_args = ["--db", hub.database, "--key", str(hub.key_file), "--officer", "admin"]
    assert main(["kiosks", "enroll", *db_args, "--qr", qr]) == 0
    assert (
        main(["site", "revoke-kiosk", "K01", "--dir", str(site), "--hub-config", str(config)]) == 2
    )  # no officer
    assert list(_crl(site)) == []  # refused before anything changed
    assert main(["site", "revoke-kiosk", "K01", "--dir", str(site), "--hub-config", str(config),
                 "--officer", "admin", "--reason", "stolen"]) == 0  # fmt: skip
    assert len(list(_crl(site))) == 1
    db = hubdb.connect(hub.database)
    try:
        bind_all(db)
        assert Kiosk.get_by_id("K01").status == "revoked"
        act = LedgerEntry.select().order_by(LedgerEntry.id.desc()).get()
        assert (act.action, act.actor) == (lg.KIOSK_REVOKE, "admin")
        assert "stolen" in act.payload
    finally:
        db.close()


def test_a_kiosk_the_hub_never_enrolled_is_still_revoked_at_the_broker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1")
    config = _hub(tmp_path, site)
    argv = [
        "site",
        "revoke-kiosk",
        "K01",
        "--dir",
        str(site),
        "--hub-config",
        str(config),
        "--officer",
        "admin",
    ]
    assert main(argv) == 2
    assert "the certificate is revoked, but the hub refused" in capsys.readouterr().err
    assert len(list(_crl(site))) == 1


def test_init_with_the_key_of_a_running_hub_uses_it_and_copies_it_nowhere(tmp_path: Path) -> None:
    """`--hub-key` names the hub's own key file: kiosks trust it, the site folder holds no copy."""
    existing = keyfile.create(tmp_path / "state" / "hub.key")
    before = (tmp_path / "state" / "hub.key").read_bytes()
    site = tmp_path / "site"
    _init(site, "--kiosk", "K01:L1", "--hub-key", str(tmp_path / "state" / "hub.key"))
    assert (tmp_path / "state" / "hub.key").read_bytes() == before
    assert not (site / layout.HUB_STATE_DIR).exists()
    kiosk_etc = tmp_path / "etc-kiosk"
    shutil.copytree(site / layout.kiosk_dir("K01"), kiosk_etc)
    assert load_kiosk_config(kiosk_etc / layout.KIOSK_CONFIG).hub_public_key == existing.public_key


@pytest.mark.parametrize("cn", ["hub", "K/1", "K+", "#", ""])
def test_a_request_for_the_hubs_or_a_wildcard_identity_gets_no_certificate(tmp_path: Path, cn: str) -> None:
    """The CN becomes the MQTT username: "hub" would get the hub's rights, `/ + #` would bend the
    ACL's %u patterns. Such a request is refused and nothing is written."""
    site = tmp_path / "site"
    _init(site)
    key = new_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]) if cn else x509.Name([])
    csr = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    (tmp_path / "mqtt.csr").write_bytes(csr_pem(csr))
    state = (site / layout.STATE_FILE).read_text()
    assert main(["site", "sign-kiosk", str(tmp_path / "mqtt.csr"), "--line", "L1", "--dir", str(site)]) == 2
    assert (site / layout.STATE_FILE).read_text() == state
    assert not (site / layout.KIOSKS_DIR).exists()


_IDS = st.from_regex(r"[A-Za-z0-9._-]{1,12}", fullmatch=True).filter(lambda x: x != "hub")
_SERIALS = st.integers(min_value=1, max_value=2**159).map(lambda n: format(n, "x"))


@given(
    kiosks=st.dictionaries(_IDS, st.tuples(_IDS, _SERIALS, st.booleans()), max_size=5),
    hosts=st.lists(st.sampled_from(["hub.site", "10.0.0.5", "::1", "a-b.c"]), min_size=1, max_size=3),
)
def test_site_json_reads_back_every_state_it_can_hold(
    kiosks: dict[str, tuple[str, str, bool]], hosts: list[str]
) -> None:
    """site.json is the CA's memory of what it issued and revoked: whatever it holds reads back equal."""
    state = SiteState(site="s1", broker_hosts=tuple(hosts), hub_hosts=(hosts[0],), hub_public_key="k")
    for i, (kiosk, (line, serial, revoke)) in enumerate(sorted(kiosks.items())):
        state = state.with_kiosk(kiosk, line, serial)
        if revoke:
            state = state.with_revoked(kiosk, 1_790_000_000_000 + i)
            state = state.with_kiosk(kiosk, line, serial + "0")  # a replacement: the old serial stays revoked
    again = SiteState.from_json(state.to_json())
    assert again == state
    assert sorted(s for s, _ in again.revoked_serials()) == sorted(
        serial for _, (_, serial, revoke) in kiosks.items() if revoke
    )


def test_each_revoked_certificate_keeps_its_own_revocation_date() -> None:
    """A kiosk revoked, replaced and revoked again: the CRL dates each certificate when it was revoked."""
    state = SiteState(site="s1", broker_hosts=("hub.site",), hub_hosts=("hub.site",), hub_public_key="k")
    state = state.with_kiosk("K01", "L1", "a1").with_revoked("K01", 1_000)
    state = state.with_kiosk("K01", "L1", "b2").with_revoked("K01", 2_000)
    assert sorted(state.revoked_serials()) == [("a1", 1_000), ("b2", 2_000)]
    assert SiteState.from_json(state.to_json()).revoked_serials() == state.revoked_serials()
