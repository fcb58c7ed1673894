"""The shipped systemd units, read the way systemd reads them (sections, repeated keys, `\\` lines)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "deploy" / "systemd"
STATE = Path("/var/lib/floorledger")
CONFIG = Path("/etc/floorledger")


@dataclass(frozen=True)
class Unit:
    path: Path
    sections: dict[str, dict[str, list[str]]]

    def get(self, section: str, key: str) -> list[str]:
        return self.sections.get(section, {}).get(key, [])

    def one(self, section: str, key: str) -> str:
        values = self.get(section, key)
        assert len(values) == 1, f"{self.path.name}: [{section}] {key} = {values}"
        return values[0]

    def argv(self, key: str = "ExecStart") -> list[str]:
        return shlex.split(self.one("Service", key))


def read_unit(path: Path) -> Unit:
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] | None = None
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = pending + raw.strip() if pending else raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        assert current is not None, f"{path.name}: {line!r} outside a section"
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return Unit(path, sections)


def all_units() -> dict[str, Unit]:
    return {p.name: read_unit(p) for p in sorted(UNITS.iterdir()) if p.suffix in {".service", ".timer"}}


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
