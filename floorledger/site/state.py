"""The site's record of what its CA issued (`site.json`): hosts, kiosks, serial numbers, revocations.

Pure: parsing, checking and changing the record; `files` reads and writes it. Serial numbers are
kept as hex text (they are 159-bit random numbers, beyond JSON's exact integers).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from dataclasses import dataclass, field
from typing import Any

from floorledger.base.errors import CliError
from floorledger.site.layout import MQTT_PORT, RESERVED_KIOSK_IDS
from protocol import fields as pf
from protocol.errors import ProtocolError

FORMAT = 1
ISSUED = "issued"
REVOKED = "revoked"
# a DNS name (RFC 1123 labels) or an IP address: what a certificate's SAN can carry
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class KioskEntry:
    line: str
    serial: str  # hex of the current MQTT client certificate's serial number
    status: str = ISSUED
    revoked_ms: int | None = None
    # (serial, revoked_ms) of this kiosk's earlier, revoked certificates (a re-issued kiosk keeps them)
    old_serials: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteState:
    site: str
    broker_hosts: tuple[str, ...]
    hub_hosts: tuple[str, ...]
    hub_public_key: str  # the hub's Ed25519 public key (base64url): every kiosk.toml carries it
    mqtt_port: int = MQTT_PORT
    kiosks: dict[str, KioskEntry] = field(default_factory=dict)
    crl_number: int = 1  # rises with every CRL the CA signs

    @property
    def broker_host(self) -> str:
        """The name kiosks and the hub connect to (the first `--broker-host`)."""
        return self.broker_hosts[0]

    def revoked_serials(self) -> list[tuple[str, int]]:
        """(serial hex, revoked_ms) of every revoked certificate, in a stable order."""
        out: list[tuple[str, int]] = []
        for kiosk_id in sorted(self.kiosks):
            entry = self.kiosks[kiosk_id]
            out.extend(entry.old_serials)
            if entry.status == REVOKED:
                out.append((entry.serial, entry.revoked_ms or 0))
        return out

    def with_kiosk(self, kiosk: str, line: str, serial: str) -> SiteState:
        """A new (or, after a revocation, re-issued) kiosk certificate; a live one is never replaced."""
        old = self.kiosks.get(kiosk)
        if old is not None and old.status != REVOKED:
            raise CliError(
                f"kiosk {kiosk} already has a certificate (serial {old.serial[:16]}...); "
                f"revoke it first with `floorledger site revoke-kiosk {kiosk}`"
            )
        earlier = () if old is None else (*old.old_serials, (old.serial, old.revoked_ms or 0))
        entry = KioskEntry(line=line, serial=serial, old_serials=earlier)
        return dataclasses.replace(self, kiosks={**self.kiosks, kiosk: entry})

    def with_revoked(self, kiosk: str, now_ms: int) -> SiteState:
        entry = self.kiosks.get(kiosk)
        if entry is None:
            raise CliError(
                f"kiosk {kiosk} has no certificate of this site "
                f"(known: {', '.join(sorted(self.kiosks)) or 'none'})"
            )
        if entry.status == REVOKED:
            raise CliError(f"kiosk {kiosk}'s certificate is already revoked")
        revoked = dataclasses.replace(entry, status=REVOKED, revoked_ms=now_ms)
        return dataclasses.replace(
            self, kiosks={**self.kiosks, kiosk: revoked}, crl_number=self.crl_number + 1
        )

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": FORMAT,
            "site": self.site,
            "broker_hosts": list(self.broker_hosts),
            "hub_hosts": list(self.hub_hosts),
            "hub_public_key": self.hub_public_key,
            "mqtt_port": self.mqtt_port,
            "crl_number": self.crl_number,
            "kiosks": {
                k: {
                    "line": e.line,
                    "serial": e.serial,
                    "status": e.status,
                    "revoked_ms": e.revoked_ms,
                    "old_serials": [[s, ms] for s, ms in e.old_serials],
                }
                for k, e in sorted(self.kiosks.items())
            },
        }
        return json.dumps(data, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> SiteState:
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                raise CliError(f"site.json has format {data.get('format')!r}; this version reads {FORMAT}")
            kiosks = {
                str(k): KioskEntry(
                    line=str(v["line"]),
                    serial=str(v["serial"]),
                    status=str(v["status"]),
                    revoked_ms=v.get("revoked_ms"),
                    old_serials=tuple((str(s), int(ms)) for s, ms in v.get("old_serials", [])),
                )
                for k, v in data["kiosks"].items()
            }
            return cls(
                site=str(data["site"]),
                broker_hosts=tuple(str(h) for h in data["broker_hosts"]),
                hub_hosts=tuple(str(h) for h in data["hub_hosts"]),
                hub_public_key=str(data["hub_public_key"]),
                mqtt_port=int(data["mqtt_port"]),
                kiosks=kiosks,
                crl_number=int(data["crl_number"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            raise CliError(f"site.json is damaged: {err}") from err


def check_site(site: str) -> str:
    try:
        return pf.ident(site, "site")
    except ProtocolError:
        raise CliError(
            f"site {site!r}: expected 1-64 of A-Z a-z 0-9 . _ - (it is an MQTT topic level)"
        ) from None


def check_kiosk_id(kiosk: str) -> str:
    """A kiosk id is its certificate's CN, its MQTT username and its topic level (`%u` in the ACL)."""
    try:
        pf.ident(kiosk, "kiosk")
    except ProtocolError:
        raise CliError(f"kiosk id {kiosk!r}: expected 1-64 of A-Z a-z 0-9 . _ -") from None
    if kiosk in RESERVED_KIOSK_IDS:
        raise CliError(f"kiosk id {kiosk!r} is reserved (it is the hub's MQTT username)")
    return kiosk


def parse_kiosk_spec(text: str) -> tuple[str, str]:
    """`K01:L1` -> ("K01", "L1"): a kiosk id and the line it stands beside (its kiosk.toml needs it)."""
    kiosk, sep, line = text.partition(":")
    if not sep or not line:
        raise CliError(f"kiosk {text!r}: give the kiosk's line as ID:LINE, e.g. K01:L1")
    check_kiosk_id(kiosk)
    try:
        pf.ident(line, "line")
    except ProtocolError:
        raise CliError(f"line {line!r} of kiosk {kiosk}: expected 1-64 of A-Z a-z 0-9 . _ -") from None
    return kiosk, line


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def check_host(host: str, option: str) -> str:
    if is_ip(host) or _HOSTNAME.fullmatch(host):
        return host
    raise CliError(f"{option} {host!r}: expected a DNS name or an IP address")
