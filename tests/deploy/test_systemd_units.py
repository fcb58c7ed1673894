"""Every shipped unit passes `systemd-analyze verify`, and the hub's and kiosk's hardening rates at most
4.0 with `systemd-analyze security` (the issue's bar). Skipped, with the reason, where the machine
has no systemd-analyze.

`verify` checks that each command a unit runs exists. It runs against a scratch root holding the
machine's own units and our units in /etc/systemd/system; each command of our units that this
machine has (/bin/sh, /usr/bin/curl, /usr/bin/chromium, ...) is copied there, FloorLedger's own
command is the venv's `floorledger`, and what the machine lacks (`cage` outside a Pi) is an empty
stand-in, so that verify judges the unit and not this machine's packages.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.deploy_units import UNITS, all_units

ANALYZE = shutil.which("systemd-analyze")
needs_analyze = pytest.mark.skipif(ANALYZE is None, reason="this machine has no systemd-analyze")
OURS = "/opt/floorledger/.venv/bin/floorledger"
SYSTEM_UNITS = Path("/usr/lib/systemd/system")


def _commands() -> set[str]:
    found: set[str] = set()
    for unit in all_units().values():
        for key in ("ExecStart", "ExecStartPre", "ExecStartPost", "ExecStop"):
            for line in unit.get("Service", key):
                found.add(unit_argv0(line))
                found.update(re.findall(r"(?:^|\s)(/[\w/.-]+/(?:chromium|cage|curl))(?=\s|$)", line))
    return found


def unit_argv0(line: str) -> str:
    return line.lstrip("-@:+!").split()[0]


def scratch_root(root: Path) -> Path:
    units = root / "usr" / "lib" / "systemd" / "system"
    shutil.copytree(SYSTEM_UNITS, units, symlinks=True)
    mine = root / "etc" / "systemd" / "system"
    mine.mkdir(parents=True)
    for unit in all_units():
        shutil.copy(UNITS / unit, mine / unit)
    for command in _commands():
        target = root / command.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        real = Path(sys.executable).parent / "floorledger" if command == OURS else Path(command)
        if real.exists():  # a copy: systemd resolves a link's target inside the scratch root
            shutil.copy(real.resolve(), target)
        else:
            target.write_text("#!/bin/sh\nexit 0\n")
            target.chmod(0o755)
    for shell in ("bin/sh", "usr/bin/sh"):
        if not (root / shell).exists():
            (root / shell).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(Path("/bin/sh").resolve(), root / shell)
    return root


@needs_analyze
@pytest.mark.parametrize("name", sorted(all_units()))
def test_systemd_analyze_verify_passes_on_each_unit(name: str, tmp_path: Path) -> None:
    """`systemd-analyze verify` exits 0 and says nothing about the unit (an unknown key, a bad value
    or a missing dependency is printed there even when the exit status is 0)."""
    assert ANALYZE is not None
    root = scratch_root(tmp_path / "root")
    done = subprocess.run(
        [ANALYZE, "verify", "--man=no", f"--root={root}", name], capture_output=True, text=True, timeout=60
    )
    said = [line for line in (done.stdout + done.stderr).splitlines() if "floorledger" in line]
    assert done.returncode == 0, done.stderr
    assert said == []


@needs_analyze
@pytest.mark.parametrize(
    "name", ["floorledger-hub.service", "floorledger-kiosk.service", "floorledger-backup.service"]
)
def test_hardening_rates_at_most_4_0(name: str) -> None:
    """`systemd-analyze security --offline=yes` rates the hub's, the kiosk's and the backup's unit at
    most 4.0 (the shipped units were rated 8.5 EXPOSED)."""
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "security", "--offline=yes", "--no-pager", str(UNITS / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    match = re.search(r"Overall exposure level for \S+: (\d+\.\d+)", done.stdout + done.stderr)
    assert match is not None, done.stdout + done.stderr
    assert float(match.group(1)) <= 4.0, done.stdout
