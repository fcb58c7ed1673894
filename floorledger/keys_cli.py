"""`floorledger keygen`: a new Ed25519 private key for a kiosk or the hub."""

from __future__ import annotations

import argparse
from pathlib import Path

from floorledger import keyfile


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("keygen", help="write a new Ed25519 private key and print its fingerprint")
    p.add_argument("--out", required=True, type=Path, help="where to write the key (mode 0600)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    signer = keyfile.create(args.out)
    print(f"wrote {args.out}")
    print(f"public key:  {signer.public_key_b64}")
    print(f"fingerprint: {signer.fingerprint}")
    return 0
