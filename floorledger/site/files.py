"""The site folder on disk: the only module of `floorledger.site` that reads or writes files.

Private keys are created with mode 0600 and never overwritten (a lost key is replaced by a new
certificate, not by rewriting a file); everything else is replaced whole through a temporary file,
so a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path, PurePosixPath

from floorledger.base.errors import CliError
from floorledger.site import layout
from floorledger.site.certs import Ca, load_cert, load_key
from floorledger.site.state import SiteState


class SiteFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, rel: PurePosixPath | str) -> Path:
        return self.root / str(rel)

    def exists(self, rel: PurePosixPath | str) -> bool:
        return self.path(rel).exists()

    def write_secret(self, rel: PurePosixPath | str, data: bytes) -> Path:
        """A private key: created 0600, refused when the file exists."""
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, layout.KEY_MODE)
        except FileExistsError as err:
            raise CliError(f"{path} already exists; refusing to overwrite a key") from err
        except OSError as err:
            raise CliError(f"cannot create {path}: {err.strerror}") from err
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return path

    def write_public(self, rel: PurePosixPath | str, data: bytes | str) -> Path:
        """A certificate, CRL, config or the state: replaced whole (temporary file, fsync, rename)."""
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, layout.PUBLIC_MODE)
            with os.fdopen(fd, "wb") as out:
                out.write(raw)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, layout.PUBLIC_MODE)  # whatever the umask made of it
            os.replace(tmp, path)
        except OSError as err:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise CliError(f"cannot write {path}: {err.strerror}") from err
        return path

    def read(self, rel: PurePosixPath | str) -> bytes:
        path = self.path(rel)
        try:
            return path.read_bytes()
        except FileNotFoundError as err:
            raise CliError(f"{path} does not exist") from err
        except OSError as err:
            raise CliError(f"cannot read {path}: {err.strerror}") from err

    def read_state(self) -> SiteState:
        if not self.exists(layout.STATE_FILE):
            raise CliError(
                f"{self.root} is not a site folder (no {layout.STATE_FILE}; see `floorledger site init`)"
            )
        try:
            text = self.read(layout.STATE_FILE).decode("utf-8")
        except UnicodeDecodeError as err:
            raise CliError(f"{layout.STATE_FILE} is damaged: {err}") from err
        return SiteState.from_json(text)

    def write_state(self, state: SiteState) -> None:
        self.write_public(layout.STATE_FILE, state.to_json())

    def load_ca(self) -> Ca:
        ca_dir = PurePosixPath(layout.CA_DIR)
        key = load_key(self.read(ca_dir / layout.CA_KEY), str(self.path(ca_dir / layout.CA_KEY)))
        cert = load_cert(self.read(ca_dir / layout.CA_CERT), str(self.path(ca_dir / layout.CA_CERT)))
        return Ca(key=key, cert=cert)
