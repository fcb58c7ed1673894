"""The site CA and its certificates: what TLS peers check, through Python's own `ssl` (Mosquitto's
OpenSSL is exercised by tests/system/test_site_tls.py)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID

from floorledger.base.errors import CliError
from floorledger.site.certs import (
    CA_DAYS,
    Ca,
    cert_pem,
    csr_pem,
    key_pem,
    make_ca,
    make_csr,
    new_key,
    read_csr,
    serial_hex,
)

NOW = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)


def _ca(site: str = "site1") -> Ca:
    key, cert = make_ca(site, NOW)
    return Ca(key=key, cert=cert)


def _write(
    tmp: Path, name: str, ca: Ca, cn: str, *, server: tuple[str, ...] = (), client: bool = False
) -> tuple[Path, Path]:
    key = new_key()
    cert = ca.issue(cn, key.public_key(), NOW, server_names=server, client=client)
    (tmp / f"{name}.crt").write_bytes(cert_pem(cert))
    (tmp / f"{name}.key").write_bytes(key_pem(key))
    return tmp / f"{name}.crt", tmp / f"{name}.key"


def _handshake(server_ctx: ssl.SSLContext, client_ctx: ssl.SSLContext, host: str) -> dict[str, object]:
    """A real TLS handshake over a socket pair: the server's view ("peer" certificate or "error"),
    and the client's "client_error" if it saw one."""
    a, b = socket.socketpair()
    seen: dict[str, object] = {}

    def serve() -> None:
        try:
            with server_ctx.wrap_socket(a, server_side=True) as s:
                seen["peer"] = s.getpeercert()
                s.sendall(b"ok")
        except (ssl.SSLError, OSError) as err:
            seen["error"] = err

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with client_ctx.wrap_socket(b, server_hostname=host) as c:
            c.recv(2)
    except (ssl.SSLError, OSError) as err:
        seen["client_error"] = err
    finally:
        thread.join(10)
    return seen


def _server(tmp: Path, ca: Ca, crt: Path, key: Path) -> ssl.SSLContext:
    (tmp / "ca.crt").write_bytes(cert_pem(ca.cert))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(crt, key)
    ctx.load_verify_locations(tmp / "ca.crt")
    ctx.verify_mode = ssl.CERT_REQUIRED  # as Mosquitto's require_certificate
    return ctx


def _client(tmp: Path, ca: Ca, crt: Path, key: Path) -> ssl.SSLContext:
    (tmp / "client-ca.crt").write_bytes(cert_pem(ca.cert))
    ctx = ssl.create_default_context(cafile=tmp / "client-ca.crt")  # as BrokerConfig.apply
    ctx.load_cert_chain(crt, key)
    return ctx


def test_python_ssl_accepts_the_p256_certificates_as_server_and_client(tmp_path: Path) -> None:
    """The broker's certificate (SANs: a name and an IP) and a kiosk's client certificate complete a
    mutually authenticated handshake, by name and by IP; the server sees the kiosk id as CN."""
    ca = _ca()
    server = _server(
        tmp_path, ca, *_write(tmp_path, "broker", ca, "hub.site", server=("hub.site", "10.0.0.5"))
    )
    client = _client(tmp_path, ca, *_write(tmp_path, "k01", ca, "K01", client=True))
    for host in ("hub.site", "10.0.0.5"):
        seen = _handshake(server, client, host)
        assert "error" not in seen
        assert "client_error" not in seen
        subject = dict(x[0] for x in seen["peer"]["subject"])  # type: ignore[index]
        assert subject["commonName"] == "K01"


def test_a_name_the_broker_certificate_does_not_carry_is_refused(tmp_path: Path) -> None:
    ca = _ca()
    server = _server(tmp_path, ca, *_write(tmp_path, "broker", ca, "hub.site", server=("hub.site",)))
    client = _client(tmp_path, ca, *_write(tmp_path, "k01", ca, "K01", client=True))
    seen = _handshake(server, client, "other.site")
    assert isinstance(seen["client_error"], ssl.SSLCertVerificationError)


def test_a_client_certificate_of_another_ca_is_refused(tmp_path: Path) -> None:
    ca, other = _ca(), _ca()
    server = _server(tmp_path, ca, *_write(tmp_path, "broker", ca, "hub.site", server=("hub.site",)))
    (tmp_path / "client-ca.crt").write_bytes(cert_pem(ca.cert))
    client = ssl.create_default_context(cafile=tmp_path / "client-ca.crt")
    client.load_cert_chain(*_write(tmp_path, "stranger", other, "K01", client=True))
    seen = _handshake(server, client, "hub.site")
    assert "peer" not in seen
    assert isinstance(seen["error"], ssl.SSLError)


def test_each_certificate_is_for_what_it_does() -> None:
    ca = _ca()
    key = new_key()
    client = ca.issue("K01", key.public_key(), NOW, client=True)
    server = ca.issue("hub.site", key.public_key(), NOW, server_names=("hub.site",))
    client.verify_directly_issued_by(ca.cert)
    server.verify_directly_issued_by(ca.cert)
    eku = x509.ExtendedKeyUsage
    assert list(client.extensions.get_extension_for_class(eku).value) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert list(server.extensions.get_extension_for_class(eku).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    for cert in (client, server):
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
        assert cert.not_valid_before_utc < NOW  # a kiosk whose clock is a little behind still accepts it
    assert ca.cert.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length == 0


def test_the_crl_lists_revoked_serials_and_never_expires_before_the_ca() -> None:
    ca = _ca()
    cert = ca.issue("K02", new_key().public_key(), NOW, client=True)
    crl = ca.crl([(serial_hex(cert), 1_790_000_000_000)], 2, NOW)
    assert crl.is_signature_valid(ca.cert.public_key())  # type: ignore[arg-type]
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None
    assert crl.next_update_utc == ca.cert.not_valid_after_utc
    assert ca.cert.not_valid_after_utc - NOW == dt.timedelta(days=CA_DAYS)


def test_a_kiosk_request_yields_a_client_certificate_for_its_key_whatever_else_it_asks() -> None:
    """The CA decides the contents: a request that asks to be a CA still gets a client certificate."""
    key = new_key()
    greedy = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(make_csr("K03", key).subject)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    kiosk, public_key = read_csr(csr_pem(greedy))
    assert kiosk == "K03"
    cert = _ca().issue(kiosk, public_key, NOW, client=True)
    assert cert.public_key() == key.public_key()
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False


def test_an_altered_request_is_refused() -> None:
    pem = csr_pem(make_csr("K03", new_key()))
    der_b64 = b"".join(pem.splitlines()[1:-1])
    # swap one character of the base64 body near the end (inside the signature or key)
    i = len(der_b64) - 10
    flipped = der_b64[:i] + (b"A" if der_b64[i : i + 1] != b"A" else b"B") + der_b64[i + 1 :]
    altered = pem.splitlines()[0] + b"\n" + flipped + b"\n" + pem.splitlines()[-1] + b"\n"
    with pytest.raises(CliError):
        read_csr(altered)
