"""deploy/README.md is a runbook of commands: each `floorledger` command in it is one this build
accepts, each file it installs from /opt/floorledger/deploy exists, every shipped unit is installed
by it, and its edits of the chrony drop-ins change what they are meant to change."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from floorledger.cli import build_parser
from tests.deploy.deploy_units import REPO, UNITS

README = REPO / "deploy" / "README.md"
FLOORLEDGER = "/opt/floorledger/.venv/bin/floorledger"


def commands() -> list[str]:
    """The command lines of the README's ```sh blocks, `\\`-continued lines joined."""
    found: list[str] = []
    inside, pending = False, ""
    for raw in README.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("```"):
            inside = line == "```sh"
            continue
        if not inside or not line or line.startswith("#"):
            continue
        line = pending + line
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1]
            continue
        found.append(line)
    return found


def floorledger_argvs() -> list[list[str]]:
    """The arguments of each line that runs `floorledger` (directly, with sudo or as the service
    user), up to a pipe."""
    argvs = []
    for line in commands():
        words = shlex.split(line.replace("<", "'<").replace(">", ">'"))
        for i, word in enumerate(words):
            prefix = words[:i]  # run directly, with sudo, or as the service user
            as_command = prefix in ([], ["sudo"]) or (len(prefix) == 3 and prefix[:2] == ["sudo", "-u"])
            if word in {"floorledger", FLOORLEDGER} and as_command:
                rest = words[i + 1 :]
                cut = next((n for n, w in enumerate(rest) if w in {"|", "&&", ";", "||"}), len(rest))
                argvs.append(rest[:cut])
                break
    return argvs


def test_the_runbook_has_commands() -> None:
    assert len(floorledger_argvs()) >= 6


@pytest.mark.parametrize("argv", floorledger_argvs(), ids=lambda argv: " ".join(argv[:2]))
def test_each_floorledger_command_of_the_runbook_is_accepted_by_this_build(argv: list[str]) -> None:
    parser = build_parser()
    try:
        parser.parse_args(argv)
    except SystemExit as exit_:
        pytest.fail(f"`floorledger {' '.join(argv)}` is refused by this build (exit {exit_.code})")


def test_every_file_the_runbook_installs_exists_and_every_unit_is_installed() -> None:
    text = README.read_text(encoding="utf-8")
    named = set(re.findall(r"/opt/floorledger/deploy/([\w./-]+)", text))
    assert named
    for relative in named:
        assert (REPO / "deploy" / relative).is_file(), relative
    for unit in UNITS.iterdir():
        assert f"systemd/{unit.name}" in named, f"{unit.name} is shipped but the runbook never installs it"


@pytest.mark.skipif(shutil.which("sed") is None, reason="no sed on this machine")
@pytest.mark.parametrize("name", ["hub.conf", "kiosk.conf"])
def test_the_runbooks_edits_of_the_chrony_drop_in_take_effect(name: str, tmp_path: Path) -> None:
    """The `sed` lines run on a copy of the installed drop-in change it (a pattern that no longer
    matches the shipped file would leave the placeholder subnet or hub name in place)."""
    target = "/etc/chrony/conf.d/floorledger.conf"
    copy = tmp_path / "floorledger.conf"
    shutil.copy(REPO / "deploy" / "chrony" / name, copy)
    lines = commands()
    install = next(i for i, line in enumerate(lines) if f"deploy/chrony/{name}" in line)
    edits = []
    for line in lines[install + 1 :]:
        if not line.startswith("sed "):
            break
        if target in line:
            edits.append(line)
    assert edits, f"the runbook installs {name} without setting its address"
    for edit in edits:
        before = copy.read_text()
        subprocess.run(shlex.split(edit.replace(target, str(copy))), check=True, timeout=10)
        assert copy.read_text() != before, edit
