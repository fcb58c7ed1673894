"""Board tokens: one secret per wall screen, created and revoked by an admin.

Only the SHA-256 of a token is stored, so a copy of the database opens no board. A token opens exactly
the one line or area it was made for; a revoked or unknown token opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import peewee

from hub.errors import HubError
from hub.store.db import write_transaction
from hub.store.web import LABEL_MAX, TARGET_MAX, BoardToken
from hub.web.auth import Clock, wall_ms
from hub.web.board import texts

texts.register()


class BoardTokenError(HubError, ValueError):
    """A token operation that cannot be done; `text(lang)` is the reason."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TokenInfo:
    id: int
    target: str
    label: str
    created_by: str
    created_ms: int
    revoked_ms: int | None

    @property
    def active(self) -> bool:
        return self.revoked_ms is None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class BoardTokens:
    def __init__(self, db: peewee.Database, *, clock: Clock = wall_ms) -> None:
        self.db = db
        self.clock = clock

    def create(self, target: str, *, label: str = "", by: str) -> tuple[TokenInfo, str]:
        """A new token for `target`; the secret is returned once and never stored."""
        if not target or len(target) > TARGET_MAX:
            raise BoardTokenError("board.token.bad_target")
        if len(label) > LABEL_MAX:
            raise BoardTokenError("board.token.long_label")
        secret = secrets.token_urlsafe(24)
        with write_transaction(self.db):
            row = BoardToken.create(
                token_hash=_digest(secret), target=target, label=label, created_by=by, created_ms=self.clock()
            )
        return _info(row), secret

    def revoke(self, token_id: int, *, by: str) -> TokenInfo:
        with write_transaction(self.db):
            row = BoardToken.get_or_none(BoardToken.id == token_id)
            if row is None:
                raise BoardTokenError("board.token.unknown", token_id=token_id)
            if row.revoked_ms is None:
                BoardToken.update(revoked_ms=self.clock(), revoked_by=by).where(
                    BoardToken.id == token_id
                ).execute()
                row = BoardToken.get_by_id(token_id)
        return _info(row)

    def allows(self, token: str, target: str) -> bool:
        """True only for an unrevoked token made for exactly this target."""
        if not token or len(token) > 200:
            return False
        row = BoardToken.get_or_none(BoardToken.token_hash == _digest(token))
        return row is not None and row.revoked_ms is None and row.target == target

    def list(self) -> list[TokenInfo]:
        return [_info(r) for r in BoardToken.select().order_by(BoardToken.id)]


def _info(row: BoardToken) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        target=row.target,
        label=row.label,
        created_by=row.created_by,
        created_ms=row.created_ms,
        revoked_ms=row.revoked_ms,
    )
