"""The engine's exceptions: one small hierarchy, each naming the place in the input it is about."""

from __future__ import annotations


class EngineError(Exception):
    """Inputs the engine cannot compute with; the message is one line a user can act on."""


class InputError(EngineError):
    """A bad value in the inputs, located by `place` (`assignments[3].line`, `rules.bonus_cap_points`)."""

    def __init__(self, place: str, problem: str) -> None:
        super().__init__(f"{place}: {problem}" if place else problem)
        self.place = place
        self.problem = problem


class MissingStandardTimeError(InputError):
    """An inmate is assigned to a step on a day before any version of its standard time applies."""
