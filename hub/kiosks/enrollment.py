"""Kiosk enrollment: an officer admits a kiosk's key, binds it to a line, revokes it or rotates its key.

A kiosk announces its key in a signed hello (stored by ingest as a `PendingKiosk`); the officer
confirms it by typing the fingerprint the kiosk's screen shows, or by scanning the screen's QR code
`floorledger-enroll:1:<kiosk>:<public_key_b64url>`. Every act is written to the hub's ledger with
the officer who did it, in the same transaction as the change, and the kiosk's key history is kept
(`KioskKeyHistory`) so records signed before a rotation still verify. After each act the
`reload_keys` callback tells ingest to pick the change up.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

import peewee

from hub.errors import HubError
from hub.kiosks import texts
from hub.ledger import entries as lg
from hub.store.db import write_transaction
from hub.store.kiosks import ENROLLED, REVOKED, Kiosk, KioskKeyHistory, PendingKiosk
from protocol import fields as f
from protocol.errors import ProtocolError
from protocol.records import GENESIS_HASH
from protocol.signing import b64decode, b64encode, check_public_key, fingerprint

log = logging.getLogger(__name__)
texts.register()

QR_PREFIX = "floorledger-enroll:1:"


class EnrollmentError(HubError):
    """An act the hub refuses (unknown kiosk, fingerprint mismatch, already enrolled); one line."""


def normalize_fingerprint(text: str) -> str:
    """What an officer typed, as 20 lowercase hex digits (spaces, dashes and case do not matter)."""
    return "".join(ch for ch in text.lower() if ch not in " -\t")


def parse_qr(text: str) -> tuple[str, bytes]:
    """(kiosk id, public key) from the enrollment QR text; EnrollmentError when it is not one."""
    text = text.strip()
    if not text.startswith(QR_PREFIX):
        raise EnrollmentError("kiosks.enroll.not_a_code")
    kiosk, sep, key_text = text[len(QR_PREFIX) :].partition(":")
    try:
        f.ident(kiosk, "kiosk")
        if not sep:
            raise EnrollmentError("kiosks.enroll.code_without_key")
        key = b64decode(key_text)
        check_public_key(key)
    except ProtocolError as err:
        raise EnrollmentError("kiosks.enroll.damaged_code", detail=err.detail) from err
    return kiosk, key


def _fingerprint_matches(typed: str, key: bytes) -> bool:
    return hmac.compare_digest(normalize_fingerprint(typed), normalize_fingerprint(fingerprint(key)))


class Enrollment:
    """Officers' kiosk acts; `clock()` is hub time in ms, `reload_keys()` runs after each commit."""

    def __init__(
        self,
        db: peewee.Database,
        ledger: lg.Ledger,
        clock: Callable[[], int],
        reload_keys: Callable[[], None] = lambda: None,
    ) -> None:
        self._db = db
        self._ledger = ledger
        self._clock = clock
        self._reload_keys = reload_keys

    # --- queries ---------------------------------------------------------------------------------

    def pending(self) -> list[PendingKiosk]:
        return list(PendingKiosk.select().order_by(PendingKiosk.first_seen_ms))

    def kiosks(self) -> list[Kiosk]:
        return list(Kiosk.select().order_by(Kiosk.id))

    def key_history(self, kiosk: str) -> list[KioskKeyHistory]:
        return list(
            KioskKeyHistory.select().where(KioskKeyHistory.kiosk == kiosk).order_by(KioskKeyHistory.id)
        )

    # --- acts ------------------------------------------------------------------------------------

    def enroll(self, officer: str, kiosk: str, typed_fingerprint: str, line: str | None = None) -> Kiosk:
        """Admit the key `kiosk` announced in its hello, if the officer's fingerprint matches it."""
        with write_transaction(self._db):
            pending = PendingKiosk.get_or_none(PendingKiosk.kiosk == kiosk)
            if pending is None:
                raise EnrollmentError("kiosks.enroll.no_hello", kiosk=kiosk)
            key = bytes(pending.public_key)
            if not _fingerprint_matches(typed_fingerprint, key):
                raise EnrollmentError("kiosks.enroll.fingerprint_mismatch", kiosk=kiosk)
            result = self._admit(officer, kiosk, key, line, "fingerprint")
        self._after()
        return result

    def enroll_qr(self, officer: str, qr_text: str, line: str | None = None) -> Kiosk:
        """Admit the key in the QR code scanned from the kiosk's own screen."""
        kiosk, key = parse_qr(qr_text)
        with write_transaction(self._db):
            pending = PendingKiosk.get_or_none(PendingKiosk.kiosk == kiosk)
            if pending is not None and bytes(pending.public_key) != key:
                raise EnrollmentError("kiosks.enroll.code_key_differs", kiosk=kiosk)
            result = self._admit(officer, kiosk, key, line, "qr")
        self._after()
        return result

    def bind_line(self, officer: str, kiosk: str, line: str | None) -> Kiosk:
        with write_transaction(self._db):
            row = self._enrolled(kiosk)
            old = row.line
            row.line = None if line is None else self._line(line)
            row.save(only=[Kiosk.line])
            self._ledger.append(
                officer, lg.KIOSK_BIND, kiosk, {"kiosk": kiosk, "line": row.line, "old_line": old}
            )
        self._after()
        return row

    def revoke(self, officer: str, kiosk: str, reason: str) -> Kiosk:
        """Refuse everything the kiosk sends from now on; its stored records stay valid evidence."""
        try:
            reason = f.text(reason, "reason", max_len=200, allow_empty=False)
        except ProtocolError as err:
            raise EnrollmentError("kiosks.revoke.no_reason") from err
        now = self._clock()
        with write_transaction(self._db):
            self._enrolled(kiosk)
            row = self._hold(kiosk)
            row.status = REVOKED
            row.save(only=[Kiosk.status])
            KioskKeyHistory.update(valid_until_ms=now).where(
                KioskKeyHistory.kiosk == kiosk, KioskKeyHistory.valid_until_ms.is_null()
            ).execute()
            self._ledger.append(
                officer,
                lg.KIOSK_REVOKE,
                kiosk,
                {
                    "kiosk": kiosk,
                    "fingerprint": fingerprint(bytes(row.public_key)),
                    "reason": reason,
                    # the last record the kiosk signed before it was revoked: any later one is forged
                    "head_seq": row.head_seq,
                },
            )
        self._after()
        return row

    def rotate(self, officer: str, kiosk: str, typed_fingerprint: str) -> Kiosk:
        """Replace an enrolled kiosk's key by the new key it announced in a hello; its chain goes on."""
        now = self._clock()
        with write_transaction(self._db):
            self._enrolled(kiosk)
            row = self._hold(kiosk)
            pending = PendingKiosk.get_or_none(PendingKiosk.kiosk == kiosk)
            old_key = bytes(row.public_key)
            if pending is None or bytes(pending.public_key) == old_key:
                raise EnrollmentError("kiosks.rotate.no_new_key", kiosk=kiosk)
            new_key = bytes(pending.public_key)
            if not _fingerprint_matches(typed_fingerprint, new_key):
                raise EnrollmentError("kiosks.rotate.fingerprint_mismatch", kiosk=kiosk)
            entry = self._ledger.append(
                officer,
                lg.KIOSK_ROTATE,
                kiosk,
                {
                    "kiosk": kiosk,
                    "public_key": b64encode(new_key),
                    "fingerprint": fingerprint(new_key),
                    "old_fingerprint": fingerprint(old_key),
                    # records up to here are signed by the old key, every later one by the new key
                    "head_seq": row.head_seq,
                },
            )
            KioskKeyHistory.update(valid_until_ms=now).where(
                KioskKeyHistory.kiosk == kiosk, KioskKeyHistory.valid_until_ms.is_null()
            ).execute()
            self._history(kiosk, new_key, now, entry.entry_index)
            row.public_key = new_key
            row.save(only=[Kiosk.public_key])
            pending.delete_instance()
        self._after()
        return row

    # --- helpers ---------------------------------------------------------------------------------

    def _admit(self, officer: str, kiosk: str, key: bytes, line: str | None, method: str) -> Kiosk:
        existing = Kiosk.get_or_none(Kiosk.id == kiosk)
        if existing is not None:
            if existing.status == REVOKED:
                raise EnrollmentError("kiosks.enroll.already_revoked", kiosk=kiosk)
            raise EnrollmentError("kiosks.enroll.already_enrolled", kiosk=kiosk)
        try:
            check_public_key(key)
        except ProtocolError as err:
            raise EnrollmentError("kiosks.enroll.unusable_key", kiosk=kiosk, detail=err.detail) from err
        line = None if line is None else self._line(line)
        now = self._clock()
        entry = self._ledger.append(
            officer,
            lg.KIOSK_ENROLL,
            kiosk,
            {
                "kiosk": kiosk,
                "public_key": b64encode(key),
                "fingerprint": fingerprint(key),
                "line": line,
                "method": method,
            },
        )
        row: Kiosk = Kiosk.create(
            id=kiosk,
            public_key=key,
            line=line,
            status=ENROLLED,
            head_seq=0,
            head_hash=GENESIS_HASH,
            enrolled_ms=now,
        )
        self._history(kiosk, key, now, entry.entry_index)
        PendingKiosk.delete().where(PendingKiosk.kiosk == kiosk).execute()
        log.info("officer %s enrolled kiosk %s (%s)", officer, kiosk, fingerprint(key))
        return row

    def _history(self, kiosk: str, key: bytes, now: int, ledger_index: int) -> None:
        KioskKeyHistory.create(
            kiosk=kiosk,
            public_key=key,
            fingerprint=fingerprint(key),
            valid_from_ms=now,
            ledger_index=ledger_index,
        )

    @staticmethod
    def _hold(kiosk: str) -> Kiosk:
        """The kiosk's row with its chain head frozen until the act commits: a no-op write takes the
        row lock (PostgreSQL) or the write lock (SQLite) before the head is read, so ingest cannot
        store a record between the head the act records and the act itself."""
        Kiosk.update(status=Kiosk.status).where(Kiosk.id == kiosk).execute()
        row: Kiosk = Kiosk.get(Kiosk.id == kiosk)
        return row

    @staticmethod
    def _enrolled(kiosk: str) -> Kiosk:
        row: Kiosk | None = Kiosk.get_or_none(Kiosk.id == kiosk)
        if row is None:
            raise EnrollmentError("kiosks.not_enrolled", kiosk=kiosk)
        if row.status == REVOKED:
            raise EnrollmentError("kiosks.revoked", kiosk=kiosk)
        return row

    @staticmethod
    def _line(line: str) -> str:
        try:
            return f.ident(line, "line")
        except ProtocolError as err:
            raise EnrollmentError("kiosks.bad_line", line=line) from err

    def _after(self) -> None:
        try:
            self._reload_keys()
        except Exception:  # the act is committed; a failed reload must not look like a failed act
            log.exception("reloading kiosk keys after an enrollment act failed")
