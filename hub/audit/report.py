"""What `floorledger verify` reports: sections of checks, each with its findings, and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_SHOWN = 50  # findings printed per section; the count is always complete


@dataclass(slots=True)
class Section:
    """One part of the check: what was looked at and every finding, as readable lines."""

    title: str
    checked: int = 0
    findings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # not findings: still being computed (daily results)


@dataclass(slots=True)
class Report:
    sections: list[Section]
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(s.findings for s in self.sections)

    def findings(self) -> list[str]:
        return [line for s in self.sections for line in s.findings]

    def render(self) -> str:
        lines: list[str] = []
        for s in self.sections:
            status = "ok" if not s.findings else f"{len(s.findings)} problem(s)"
            waiting = f", {len(s.pending)} pending (still being computed)" if s.pending else ""
            lines.append(f"{s.title}: {s.checked} checked, {status}{waiting}")
            lines.extend(f"  - {item}" for item in s.findings[:MAX_SHOWN])
            if len(s.findings) > MAX_SHOWN:
                lines.append(f"  ... and {len(s.findings) - MAX_SHOWN} more")
            lines.extend(f"  ~ pending: {item}" for item in s.pending[:MAX_SHOWN])
            if len(s.pending) > MAX_SHOWN:
                lines.append(f"  ~ ... and {len(s.pending) - MAX_SHOWN} more pending")
        lines.extend(f"note: {n}" for n in self.notes)
        lines.append("VERIFIED: every row matches the signed records" if self.ok else "NOT VERIFIED")
        return "\n".join(lines)


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
