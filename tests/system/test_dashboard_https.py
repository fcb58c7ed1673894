"""The dashboard over HTTPS: `floorledger hub` with `[web] cert_file` / `key_file` serves TLS only.

A throwaway site CA (cryptography's x509) signs the hub's web certificate for `localhost`. Real
headless Chromium signs in over HTTPS (the session cookie is `Secure`), and plain HTTP on the same
port serves no page at all. Chromium here has no NSS tool to import the CA (`certutil` is not
installed), so it is told to accept exactly this certificate's key (`--ignore-certificate-errors-spki-
list`); that the certificate chains to the site CA for the name `localhost` is checked with Python's
`ssl`, as any browser that trusts the site CA would.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from selenium import webdriver
from selenium.common.exceptions import WebDriverException

from floorledger.broker import free_port, port_open
from tests.conftest import BrokerAddress
from tests.system.browser_support import chromium, shot, sign_in, text_of, wait_for

pytestmark = pytest.mark.system

FLOORLEDGER = [sys.executable, "-m", "floorledger"]
PASSWORD = "correct horse 42"


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "NICEGUI_"))}


@dataclass(frozen=True)
class WebTls:
    ca_file: Path
    cert_file: Path
    key_file: Path
    spki_sha256_b64: str


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def throwaway_site_ca(folder: Path) -> WebTls:
    """A site CA (P-256) and the hub's web certificate for localhost and 127.0.0.1, as PEM files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("test site CA"))
        .issuer_name(_name("test site CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )  # fmt: skip
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("hub"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    tls = WebTls(folder / "ca.pem", folder / "hub-web.pem", folder / "hub-web-key.pem", "")
    tls.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    tls.cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    tls.key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    spki = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return WebTls(
        tls.ca_file, tls.cert_file, tls.key_file, base64.b64encode(hashlib.sha256(spki).digest()).decode()
    )


@dataclass(frozen=True)
class HttpsHub:
    port: int
    tls: WebTls


@pytest.fixture
def https_hub(tmp_path: Path, machine_broker: BrokerAddress) -> Iterator[HttpsHub]:
    """`floorledger hub` with the site's web certificate, an admin `boss` added with `users add`."""
    folder = tmp_path / "hub"
    tls = throwaway_site_ca(folder / "tls")
    port = free_port()
    config = folder / "hub.toml"
    config.write_text(
        f'site = "https{port}"\nkey_file = "hub.key"\ndatabase = "hub.sqlite3"\n'
        f'broker = "{machine_broker.url}"\n'
        f'[web]\nhost = "127.0.0.1"\nport = {port}\n'
        'cert_file = "tls/hub-web.pem"\nkey_file = "tls/hub-web-key.pem"\n',
        encoding="utf-8",
    )
    secret = folder / "pw"
    secret.write_text(PASSWORD + "\n", encoding="utf-8")
    for args in (
        ["hub", "init", "--config", str(config)],
        ["users", "add", "--db", str(folder / "hub.sqlite3"), "--username", "boss", "--role", "admin",
         "--password-file", str(secret)],
    ):  # fmt: skip
        done = subprocess.run([*FLOORLEDGER, *args], capture_output=True, text=True, env=_env(), timeout=120)
        assert done.returncode == 0, done.stderr
    log = (folder / "hub.log").open("wb")
    process = subprocess.Popen(
        [*FLOORLEDGER, "hub", "--config", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=_env(),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not port_open("127.0.0.1", port):
            assert process.poll() is None, (folder / "hub.log").read_text()
            assert time.monotonic() < deadline, "the hub did not open its web port within 60 s"
            time.sleep(0.2)
        yield HttpsHub(port, tls)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        log.close()


@pytest.fixture
def browser(https_hub: HttpsHub) -> Iterator[webdriver.Chrome]:
    """Chromium that accepts exactly the hub's certificate key (see the top), and gives a page 30 s:
    plain HTTP on the TLS port may never load."""
    spki = f"--ignore-certificate-errors-spki-list={https_hub.tls.spki_sha256_b64}"
    with chromium(extra_args=[spki], page_load_timeout=30) as driver:
        yield driver


def test_the_certificate_chains_to_the_site_ca_for_the_hubs_name(https_hub: HttpsHub) -> None:
    """A TLS client that trusts only the site CA completes the handshake for `localhost`; one that
    trusts nothing extra does not (the hub's certificate is the site's, not a public one)."""
    trusting = ssl.create_default_context(cafile=str(https_hub.tls.ca_file))
    with (
        socket.create_connection(("127.0.0.1", https_hub.port), 10) as raw,
        trusting.wrap_socket(raw, server_hostname="localhost") as tls,
    ):
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}
        tls.sendall(b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        head = tls.recv(4096)
    assert head.startswith(b"HTTP/1.1 200")
    assert b"strict-transport-security: max-age=31536000" in head.lower()
    stranger = ssl.create_default_context()
    with (
        socket.create_connection(("127.0.0.1", https_hub.port), 10) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        stranger.wrap_socket(raw, server_hostname="localhost")


def test_officer_signs_in_over_https_and_plain_http_serves_no_dashboard(
    https_hub: HttpsHub, browser: webdriver.Chrome
) -> None:
    """In Chromium, https://localhost:<port>/login signs `boss` in (the page shows 退出 and the
    officer's role); the session cookie is Secure; http:// on the same port shows no login page,
    and a raw plain-HTTP request gets no HTTP answer, let alone the page."""
    base = f"https://localhost:{https_hub.port}"
    sign_in(browser, base, "boss", PASSWORD, timeout=20)
    signed_in = wait_for(browser, lambda t: "boss · 系统管理员" in t, 20, "boss's name and role not shown")
    assert "用户名或密码错误" not in signed_in
    assert browser.current_url.startswith(base)
    shot(browser, "dashboard-https-signed-in")
    session = [c for c in browser.get_cookies() if c["name"] == "session"]
    assert session, "no session cookie after signing in"
    assert session[0]["secure"] is True

    try:
        browser.get(f"http://localhost:{https_hub.port}/login")
        plain = text_of(browser)
    except WebDriverException:  # the browser's own error page may not even load
        plain = ""
    assert "用户名" not in plain
    assert "密码" not in plain

    with socket.create_connection(("127.0.0.1", https_hub.port), 10) as raw:
        raw.settimeout(10)
        raw.sendall(b"GET /login HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        answer = b""
        try:
            while chunk := raw.recv(4096):
                answer += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    assert not answer.startswith(b"HTTP/1.1 200")
    assert "登录".encode() not in answer


def test_a_missing_certificate_stops_the_hub_with_one_line_naming_it(tmp_path: Path) -> None:
    """`[web] cert_file` that does not exist: `floorledger hub` exits non-zero at once, one line naming
    the field and the file, no traceback (instead of serving plain HTTP or failing inside uvicorn)."""
    config = tmp_path / "hub.toml"
    config.write_text(
        'site = "s1"\nkey_file = "hub.key"\ndatabase = "hub.sqlite3"\n'
        '[web]\nport = 8443\ncert_file = "tls/missing.pem"\nkey_file = "tls/missing-key.pem"\n',
        encoding="utf-8",
    )
    init = subprocess.run(
        [*FLOORLEDGER, "hub", "init", "--config", str(config)], capture_output=True, text=True, env=_env()
    )
    assert init.returncode == 0, init.stderr
    started = subprocess.run(
        [*FLOORLEDGER, "hub", "--config", str(config)], capture_output=True, text=True, env=_env(), timeout=60
    )
    assert started.returncode != 0
    lines = started.stderr.strip().splitlines()
    assert lines == [
        f"floorledger hub: web.cert_file: {tmp_path / 'tls' / 'missing.pem'} does not exist "
        "(the dashboard's HTTPS certificate and key)"
    ]
