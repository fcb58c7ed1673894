"""The two ways a signed export leaves the hub by itself: an HTTPS POST, or a drop folder.

Both take the file and its detached signature and return an `Answer`; neither raises for a network
or file-system problem (it is an answer the push records and retries). The HTTPS client is the
standard library's `urllib.request`: one POST per attempt with a CA file needs nothing more, and the
only HTTP client installed beside it (httpx) comes with NiceGUI, not as a dependency of ours.
Redirects are not followed (a redirected POST would lose its body) and environment proxies are not
used: the receiver is addressed directly, as configured.

The POST is `multipart/form-data` with two parts, `file` (the export, under its file name) and
`signature` (`FILE.sig`), and the headers `Idempotency-Key` (month, area and the file's SHA-256:
the same file always carries the same key, so a receiver that stored it once answers 2xx again
without storing it twice), `X-FloorLedger-Month`, `X-FloorLedger-Area` and `X-FloorLedger-SHA256`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import ssl
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_BODY = 1 << 20  # of the receiver's answer, read to digest it


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    """What one attempt got: `ok` when the receiver took the file (2xx; a file in the folder)."""

    ok: bool
    status: int | None = None  # the HTTP status (None: no answer at all, or a drop folder)
    body_sha256: str | None = None  # SHA-256 of the receiver's answer body
    error: str = ""  # "<kind>: detail", kind one of ERRORS (the dashboard names the kind in Chinese)


# What went wrong, as the dashboard says it: an answer other than 2xx, no connection, the receiver's
# certificate not trusted, no answer in time, the drop folder not writable.
ERRORS = ("status", "connect", "tls", "timeout", "folder")


def error_kind(error: str | None) -> str | None:
    """The kind of a recorded error (`status: HTTP 503 ...` -> "status"); None when there is none."""
    if not error:
        return None
    kind = error.split(":", 1)[0]
    return kind if kind in ERRORS else "connect"


@dataclass(frozen=True, slots=True, kw_only=True)
class Parcel:
    """One export to deliver: the file as signed, its signature, and what it is."""

    name: str
    data: bytes
    signature: bytes
    month: str
    area: str
    sha256: str
    idempotency_key: str


def idempotency_key(month: str, area: str, sha256: str) -> str:
    """The same for every attempt of the same file: `floorledger:2026-10:A1:<sha256>`."""
    return f"floorledger:{month}:{area}:{sha256}"


def _multipart(parcel: Parcel) -> tuple[bytes, str]:
    boundary = "floorledger-" + secrets.token_hex(16)
    parts = []
    for field, name, content in (
        ("file", parcel.name, parcel.data),
        ("signature", parcel.name + ".sig", parcel.signature),
    ):
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{_quoted(name)}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode("utf-8") + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode("ascii")
    return body, f"multipart/form-data; boundary={boundary}"


def _quoted(name: str) -> str:
    return name.replace("\\", "\\\\").replace('"', '\\"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is an answer (a failure), not a place to resend the file to


def tls_context(ca_file: Path | None, verify: bool) -> ssl.SSLContext:
    """The receiver's trust: its CA file, else the system's; `verify=False` checks nothing."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file is not None else None)
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def post(url: str, parcel: Parcel, *, context: ssl.SSLContext, timeout_s: float) -> Answer:
    """POST the parcel to `url`; a 2xx answer is delivery, anything else (or none) a failure."""
    body, content_type = _multipart(parcel)
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": content_type,
            "Idempotency-Key": parcel.idempotency_key,
            "X-FloorLedger-Month": parcel.month,
            "X-FloorLedger-Area": parcel.area,
            "X-FloorLedger-SHA256": parcel.sha256,
        },
    )
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context), _NoRedirect()
    )
    try:
        with opener.open(request, timeout=timeout_s) as response:
            status = int(response.status)
            answer = response.read(MAX_BODY)
    except urllib.error.HTTPError as err:
        answer = err.read(MAX_BODY) if err.fp is not None else b""
        err.close()
        return Answer(
            ok=False,
            status=err.code,
            body_sha256=hashlib.sha256(answer).hexdigest(),
            error=f"status: HTTP {err.code} {err.reason}"[:200],
        )
    except (urllib.error.URLError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        if isinstance(reason, ssl.SSLError):
            kind = "tls"
        elif isinstance(reason, TimeoutError):
            kind = "timeout"
        else:
            kind = "connect"
        return Answer(ok=False, error=f"{kind}: {type(reason).__name__}: {reason}"[:200])
    digest = hashlib.sha256(answer).hexdigest()
    if 200 <= status < 300:
        return Answer(ok=True, status=status, body_sha256=digest)
    return Answer(ok=False, status=status, body_sha256=digest, error=f"status: HTTP {status}")


def drop(folder: Path, parcel: Parcel) -> Answer:
    """Write FILE.sig, then FILE, each to a temporary name in `folder` and renamed into place, so a
    reader that waits for FILE never sees half of it and finds its signature already beside it. A
    file already there with the same content is delivered already (nothing is rewritten)."""
    target = folder / parcel.name
    try:
        if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == parcel.sha256:
            signature = target.with_name(target.name + ".sig")
            if signature.is_file() and signature.read_bytes() == parcel.signature:
                return Answer(ok=True)
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(target.with_name(target.name + ".sig"), parcel.signature)
        _write_atomic(target, parcel.data)
    except OSError as err:
        return Answer(ok=False, error=f"folder: {type(err).__name__}: {err.strerror or err}"[:200])
    return Answer(ok=True)


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes it private; the receiver may read as another user
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
