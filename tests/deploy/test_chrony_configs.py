"""The chrony drop-ins: the hub serves time to the kiosks' subnet (even without an upstream), each kiosk
takes its time from the hub alone. `chronyd -p` (print the parsed configuration) accepts both where
the machine has chronyd; skipped there with the reason otherwise."""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.deploy_units import REPO

CHRONY = REPO / "deploy" / "chrony"
CHRONYD = shutil.which("chronyd") or shutil.which("chronyd", path="/usr/sbin:/sbin")


def directives(path: Path) -> list[list[str]]:
    lines = (line.split("#", 1)[0].split() for line in path.read_text(encoding="utf-8").splitlines())
    return [words for words in lines if words]


def test_the_hub_serves_time_to_a_subnet_even_without_an_upstream() -> None:
    hub = directives(CHRONY / "hub.conf")
    allowed = [words[1] for words in hub if words[0] == "allow"]
    assert allowed
    assert all(ipaddress.ip_network(net).num_addresses > 1 for net in allowed)
    assert any(words[:2] == ["local", "stratum"] for words in hub)


def test_a_kiosk_takes_time_from_the_hub_only_and_steps_a_wrong_clock_at_boot() -> None:
    kiosk = directives(CHRONY / "kiosk.conf")
    sources = [words for words in kiosk if words[0] in {"server", "pool", "peer"}]
    assert [words[:2] for words in sources] == [["server", "floorledger-hub"]]
    assert "iburst" in sources[0]
    assert ["makestep", "1", "3"] in kiosk


@pytest.mark.skipif(CHRONYD is None, reason="this machine has no chronyd (apt-get install chrony)")
@pytest.mark.parametrize("name", ["hub.conf", "kiosk.conf"])
def test_chronyd_accepts_the_drop_in(name: str) -> None:
    assert CHRONYD is not None
    command = [CHRONYD, "-p", "-f", str(CHRONY / name)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert "Fatal" not in done.stderr
