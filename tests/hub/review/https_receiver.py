"""A small HTTPS receiver for the push tests: a scoring database's import endpoint, run by the test.

It serves TLS with a certificate of its own CA (made here with `cryptography`'s x509), which the hub
trusts only through `[export.push] ca_file`. It answers 503 to its first `fail_first` requests and
then 200, stores each file once per `Idempotency-Key` (as a well-behaved receiver does) and keeps
every request it got, parsed: headers, the `file` and `signature` parts, and the answer it gave.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import ipaddress
import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """(CA certificate, server certificate, server key) for 127.0.0.1, as PEM files in `folder`."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test scoring database CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
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
        )  # fmt: skip
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server-key.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return ca_file, cert_file, key_file


@dataclass
class Received:
    """One request as the receiver saw it, and what it answered."""

    headers: dict[str, str]
    parts: dict[str, tuple[str, bytes]]  # form field -> (file name, content)
    status: int
    answer: bytes


@dataclass
class Receiver:
    """The running receiver: `url`, its CA file, what it got; `fail_first` 503s before it takes files."""

    url: str
    ca_file: Path
    fail_first: int = 0
    requests: list[Received] = field(default_factory=list)
    stored: dict[str, bytes] = field(default_factory=dict)  # Idempotency-Key -> the file stored
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        message = email.message_from_bytes(
            f"Content-Type: {headers.get('Content-Type', '')}\r\n\r\n".encode() + body,
            policy=email.policy.HTTP,
        )
        parts = {}
        for part in message.iter_parts():  # type: ignore[attr-defined]
            name = part.get_param("name", header="content-disposition")
            parts[str(name)] = (str(part.get_filename()), part.get_payload(decode=True))
        with self.lock:
            if len(self.requests) < self.fail_first:
                status, answer = 503, b'{"error": "busy"}'
            else:
                key = headers.get("Idempotency-Key", "")
                first = key not in self.stored
                if first:
                    self.stored[key] = parts["file"][1]
                status, answer = 200, json.dumps({"stored": first, "key": key}).encode()
            self.requests.append(Received(headers=headers, parts=parts, status=status, answer=answer))
        return status, answer


def serve(folder: Path, *, fail_first: int = 0) -> tuple[Receiver, ThreadingHTTPServer]:
    """Start a receiver on a free port of 127.0.0.1; the caller shuts the server down."""
    ca_file, cert_file, key_file = make_certificates(folder)
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    receiver = Receiver(url=f"https://127.0.0.1:{server.server_port}/import", ca_file=ca_file,
                        fail_first=fail_first)  # fmt: skip

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, answer = receiver.handle(dict(self.headers.items()), body)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's name)
            pass  # quiet: the test asserts on `requests`

    server.RequestHandlerClass = Handler
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, name="receiver", daemon=True).start()
    return receiver, server
