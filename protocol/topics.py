"""Every MQTT topic name, in one place, under a configurable prefix such as `floorledger/<site>`.

Kiosk ids and line ids are identifiers (no `/`, `+` or `#`), so they are safe as topic levels.
"""

from __future__ import annotations

from dataclasses import dataclass

SHARED_GROUP = "floorledger-ingest"


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str

    @classmethod
    def for_site(cls, site: str, root: str = "floorledger") -> Topics:
        return cls(f"{root}/{site}")

    # kiosk -> hub
    def records(self, kiosk: str) -> str:
        """Batches of signed records (QoS 1)."""
        return f"{self.prefix}/kiosk/{kiosk}/records"

    def hello(self, kiosk: str) -> str:
        """The kiosk's public key, retained, for enrollment (QoS 1)."""
        return f"{self.prefix}/kiosk/{kiosk}/hello"

    def status(self, kiosk: str) -> str:
        """`online` / `offline` (the last will), retained."""
        return f"{self.prefix}/kiosk/{kiosk}/status"

    # hub -> kiosk
    def ack(self, kiosk: str) -> str:
        """The hub's signed acknowledgement of the highest contiguous committed record (QoS 1)."""
        return f"{self.prefix}/kiosk/{kiosk}/ack"

    def plan(self, line: str) -> str:
        """The signed line plan, retained (QoS 1)."""
        return f"{self.prefix}/line/{line}/plan"

    def checkpoint(self) -> str:
        return f"{self.prefix}/hub/checkpoint"

    def hub_status(self) -> str:
        return f"{self.prefix}/hub/status"

    # subscriptions
    def all_records(self, *, shared: bool = False) -> str:
        base = f"{self.prefix}/kiosk/+/records"
        return f"$share/{SHARED_GROUP}/{base}" if shared else base

    def all_hellos(self) -> str:
        return f"{self.prefix}/kiosk/+/hello"

    def all_statuses(self) -> str:
        return f"{self.prefix}/kiosk/+/status"

    def kiosk_of(self, topic: str) -> str | None:
        """The kiosk id a kiosk topic names, or None for a topic outside this prefix."""
        head = f"{self.prefix}/kiosk/"
        if not topic.startswith(head):
            return None
        rest = topic[len(head) :].split("/")
        return rest[0] if len(rest) == 2 and rest[0] else None
