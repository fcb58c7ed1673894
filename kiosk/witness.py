"""When a kiosk witnesses a hub checkpoint in its own chain: a pure decision, no I/O, no clock.

A witness (`checkpoint_witness` record) holds a signed checkpoint the kiosk received, so the hub's own
database later proves what the hub once published, and `floorledger verify` reports a log rewound
behind it. The chain must not fill with witnesses, so a kiosk witnesses a checkpoint only when it is
newer (more leaves) than the last one it witnessed, and at most once per interval; a newer one that
arrives early waits in memory until the interval has passed (the latest waiting one wins).

A checkpoint *smaller* than the last witnessed one (or as large with another root) is what a
rewound hub would publish. It is logged as a warning and not recorded: the chain already holds the
larger checkpoint, which is all `verify` needs to report the rewind, and recording whatever a
rewound (or hostile) hub publishes would let it fill the chain with alternating checkpoints.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from protocol.messages import Checkpoint


@dataclass(frozen=True, slots=True, kw_only=True)
class Witnessed:
    """The last checkpoint this kiosk witnessed, and when (its witness record's `wall_ms`)."""

    tree_size: int
    root: str
    at_ms: int

    def encode(self) -> bytes:
        return f"{self.tree_size}:{self.root}:{self.at_ms}".encode("ascii")

    @classmethod
    def decode(cls, raw: bytes) -> Witnessed | None:
        """The saved value, or None when it is unreadable (the next checkpoint is then witnessed)."""
        try:
            size, root, at = raw.decode("ascii").split(":")
            return cls(tree_size=int(size), root=root, at_ms=int(at))
        except ValueError:
            return None


class Verdict(enum.Enum):
    WITNESS = "witness"  # record it now
    WAIT = "wait"  # newer, but the last witness is too recent: keep it and try again later
    KNOWN = "known"  # the checkpoint last witnessed (a retained copy after a reconnect), or empty
    OLDER = "older"  # fewer leaves than the last witness: the hub's log went back (warn)
    FORKED = "forked"  # as many leaves as the last witness, another root (warn)


def decide(last: Witnessed | None, checkpoint: Checkpoint, now_ms: int, interval_ms: int) -> Verdict:
    """What to do with a verified `checkpoint` received at `now_ms` (kiosk wall clock)."""
    if checkpoint.tree_size == 0:
        return Verdict.KNOWN  # an empty log proves nothing
    if last is None:
        return Verdict.WITNESS
    if checkpoint.tree_size < last.tree_size:
        return Verdict.OLDER
    if checkpoint.tree_size == last.tree_size:
        return Verdict.KNOWN if checkpoint.root == last.root else Verdict.FORKED
    # a clock set back (hub correction) makes now < at: wait no longer than one interval from now
    elapsed = now_ms - last.at_ms
    if 0 <= elapsed < interval_ms:
        return Verdict.WAIT
    return Verdict.WITNESS
