"""Ordered start, reverse stop: what the hub app and an extra ingest worker both undo on the way out."""

from __future__ import annotations

import logging
from collections.abc import Callable

log = logging.getLogger(__name__)


def unwind(started: list[Callable[[], None]], what: str) -> None:
    """Undo what started, last first; a failing step is logged and the rest still run."""
    while started:
        step = started.pop()
        try:
            step()
        except Exception:  # keep stopping the rest
            log.exception("stopping %s: a step failed", what)
