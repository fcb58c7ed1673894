"""What a reader of a printed sheet sees, through poppler-utils (scripts/setup --with-test-tools):
its text (`pdftotext -layout`), its fonts (`pdffonts`) and its pages as PNG (`pdftoppm`, kept under
screenshots/paper/ to look at)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

SHOTS = Path("screenshots/paper")


@dataclass(frozen=True)
class Font:
    name: str
    type: str
    embedded: bool
    subset: bool


def text_of(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def fonts_of(pdf: Path) -> list[Font]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        # name, type (may hold spaces), encoding, emb, sub, uni, object, generation
        parts = line.split()
        emb, sub = parts[-5], parts[-4]
        fonts.append(
            Font(name=parts[0], type=" ".join(parts[1:-6]), embedded=emb == "yes", subset=sub == "yes")
        )
    return fonts


def pages_as_png(pdf: Path, name: str) -> list[Path]:
    """Each page at 80 dpi as screenshots/paper/<name>-<n>.png (git-ignored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(SHOTS / name)], check=True)
    return sorted(SHOTS.glob(f"{name}-*.png"))


def page_count(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))
