"""Private key files: created 0600 and never overwritten, loaded once at start-up."""

from __future__ import annotations

import os
from pathlib import Path

from floorledger.base.errors import CliError
from protocol.signing import Signer, b64decode, b64encode

HEADER = "floorledger-ed25519-seed-v1:"


def create(path: Path) -> Signer:
    """Write a new key to `path`; refuses to overwrite an existing file (a lost kiosk key is a new kiosk)."""
    signer = Signer.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as err:
        raise CliError(f"{path} already exists; refusing to overwrite a key") from err
    except OSError as err:
        raise CliError(f"cannot create {path}: {err.strerror}") from err
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(f"{HEADER}{b64encode(signer.seed)}\n")
        out.flush()
        os.fsync(out.fileno())
    return signer


def load(path: Path) -> Signer:
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError as err:
        raise CliError(f"key file {path} does not exist") from err
    except (OSError, UnicodeDecodeError) as err:
        raise CliError(f"cannot read key file {path}: {err}") from err
    if not text.startswith(HEADER):
        raise CliError(f"{path} is not a FloorLedger key file")
    try:
        seed = b64decode(text[len(HEADER) :])
        return Signer(seed)
    except ValueError as err:
        raise CliError(f"{path} holds a damaged key") from err


def load_or_create(path: Path) -> tuple[Signer, bool]:
    """The key at `path`, creating it on first start; the flag says whether it is new."""
    if path.exists():
        return load(path), False
    return create(path), True
