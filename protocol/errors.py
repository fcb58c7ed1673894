"""Why a message was refused: one reason code per failure, so peers and officers see the same words."""

from __future__ import annotations

from enum import StrEnum


class RejectReason(StrEnum):
    MALFORMED = "malformed"
    UNSUPPORTED_VERSION = "unsupported_version"
    TOO_LARGE = "too_large"
    UNKNOWN_KIOSK = "unknown_kiosk"
    REVOKED_KIOSK = "revoked_kiosk"
    BAD_SIGNATURE = "bad_signature"
    BAD_HUB_SIGNATURE = "bad_hub_signature"
    SEQUENCE_GAP = "sequence_gap"
    CHAIN_BREAK = "chain_break"
    DUPLICATE = "duplicate"
    FORK = "fork"
    WRONG_TOPIC = "wrong_topic"


class ProtocolError(Exception):
    """A message that does not hold; `reason` says which rule it broke, `detail` where."""

    reason: RejectReason = RejectReason.MALFORMED

    def __init__(self, detail: str) -> None:
        super().__init__(f"{self.reason.value}: {detail}")
        self.detail = detail


class Malformed(ProtocolError):
    reason = RejectReason.MALFORMED


class UnsupportedVersion(ProtocolError):
    reason = RejectReason.UNSUPPORTED_VERSION


class TooLarge(ProtocolError):
    reason = RejectReason.TOO_LARGE


class UnknownKiosk(ProtocolError):
    reason = RejectReason.UNKNOWN_KIOSK


class RevokedKiosk(ProtocolError):
    reason = RejectReason.REVOKED_KIOSK


class BadSignature(ProtocolError):
    """The signature does not verify with the kiosk's key (or a hello's own key)."""

    reason = RejectReason.BAD_SIGNATURE


class BadHubSignature(BadSignature):
    """A hub message (ack, plan, checkpoint, ledger entry) whose signature does not verify with the
    hub's key: the hub's key, not a kiosk's, is what failed, so it has its own reason."""

    reason = RejectReason.BAD_HUB_SIGNATURE


class SequenceGap(ProtocolError):
    """Later than the next expected number: held until the missing records arrive."""

    reason = RejectReason.SEQUENCE_GAP

    def __init__(self, detail: str, *, expected: int) -> None:
        super().__init__(detail)
        self.expected = expected


class ChainBreak(ProtocolError):
    reason = RejectReason.CHAIN_BREAK


class Duplicate(ProtocolError):
    """Already stored with exactly this content: acknowledged again, stored once."""

    reason = RejectReason.DUPLICATE


class Fork(ProtocolError):
    """Same sequence number as a stored record, different content: the kiosk's history split."""

    reason = RejectReason.FORK


class WrongTopic(ProtocolError):
    reason = RejectReason.WRONG_TOPIC
