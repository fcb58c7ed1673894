"""The site CA, its certificates, kiosk CSRs and the CRL, with `cryptography`'s x509. No files.

Keys are ECDSA P-256, not Ed25519: the same certificates serve Mosquitto (OpenSSL), Python's `ssl`
(the hub and kiosks as MQTT clients) and Chromium (the dashboard's HTTPS certificate), and Chromium
accepts no Ed25519 certificate for TLS, while P-256 works in all three, in TLS 1.2 and 1.3.

Validity: the CA 20 years, certificates 10 years, starting a day back so a kiosk whose clock is a
little behind the CA machine's still accepts the broker's certificate. The CRL's next update is the
CA's end of life: OpenSSL refuses every client once a CRL has expired, so it must never lapse.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from floorledger.base.errors import CliError
from floorledger.site.state import is_ip

CA_DAYS = 20 * 365
CERT_DAYS = 10 * 365
BACKDATE = dt.timedelta(days=1)
ORGANIZATION = "FloorLedger"

PrivateKey = ec.EllipticCurvePrivateKey


def new_key() -> PrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def load_key(pem: bytes, what: str) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as err:
        raise CliError(f"{what} is not a readable private key") from err
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CliError(f"{what} is not an EC P-256 key")
    return key


def load_cert(pem: bytes, what: str) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError as err:
        raise CliError(f"{what} is not a PEM certificate") from err


def serial_hex(cert: x509.Certificate) -> str:
    return format(cert.serial_number, "x")


def common_name(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(values[0].value) if len(values) == 1 else None


def _name(cn: str, site: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, site),
            x509.NameAttribute(NameOID.COMMON_NAME, cn),
        ]
    )


def make_ca(site: str, now: dt.datetime) -> tuple[PrivateKey, x509.Certificate]:
    key = new_key()
    name = _name(f"FloorLedger {site} CA", site)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
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
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    return key, cert


@dataclass(frozen=True, slots=True, kw_only=True)
class Ca:
    key: PrivateKey
    cert: x509.Certificate

    @property
    def site(self) -> str:
        values = self.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
        return str(values[0].value)

    def issue(
        self,
        cn: str,
        public_key: ec.EllipticCurvePublicKey,
        now: dt.datetime,
        *,
        server_names: Sequence[str] = (),
        client: bool = False,
    ) -> x509.Certificate:
        """A certificate for `cn`: a TLS server for `server_names` (its SANs), a TLS client, or both."""
        usages = ([ExtendedKeyUsageOID.SERVER_AUTH] if server_names else []) + (
            [ExtendedKeyUsageOID.CLIENT_AUTH] if client else []
        )
        if not usages:
            raise ValueError("a certificate must be for a server, a client or both")
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(cn, self.site))
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - BACKDATE)
            .not_valid_after(min(now + dt.timedelta(days=CERT_DAYS), self.cert.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        )
        if server_names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([_general_name(n) for n in server_names]), critical=False
            )
        return builder.sign(self.key, hashes.SHA256())

    def crl(
        self, revoked: Sequence[tuple[str, int]], number: int, now: dt.datetime
    ) -> x509.CertificateRevocationList:
        """The CRL listing `revoked` (serial hex, revoked_ms), valid until the CA itself expires."""
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self.cert.subject)
            .last_update(now - dt.timedelta(minutes=5))
            .next_update(self.cert.not_valid_after_utc)
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False
            )
        )
        for serial, when_ms in revoked:
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder()
                .serial_number(int(serial, 16))
                .revocation_date(dt.datetime.fromtimestamp(when_ms / 1000, dt.UTC))
                .build()
            )
        return builder.sign(self.key, hashes.SHA256())


def _general_name(host: str) -> x509.GeneralName:
    if is_ip(host):
        return x509.IPAddress(ipaddress.ip_address(host))
    return x509.DNSName(host)


def make_csr(kiosk: str, key: PrivateKey) -> x509.CertificateSigningRequest:
    """A kiosk's request for its MQTT client certificate (`site kiosk-csr`): its key stays on the kiosk."""
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, kiosk)]))
        .sign(key, hashes.SHA256())
    )


def csr_pem(csr: x509.CertificateSigningRequest) -> bytes:
    return csr.public_bytes(serialization.Encoding.PEM)


def read_csr(pem: bytes) -> tuple[str, ec.EllipticCurvePublicKey]:
    """(kiosk id, public key) of a CSR whose signature holds; only its CN and key are used, whatever
    else it asks for (the CA decides the certificate's contents)."""
    try:
        csr = x509.load_pem_x509_csr(pem)
    except ValueError as err:
        raise CliError("not a PEM certificate signing request") from err
    try:
        valid = csr.is_signature_valid
    except InvalidSignature:
        valid = False
    if not valid:
        raise CliError("the request's signature does not hold (damaged or altered on the way)")
    cn = common_name(csr.subject)
    if cn is None:
        raise CliError("the request names no single common name (the kiosk id)")
    key = csr.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise CliError("the request's key is not EC P-256")
    return cn, key


def crl_pem(crl: x509.CertificateRevocationList) -> bytes:
    return crl.public_bytes(serialization.Encoding.PEM)
