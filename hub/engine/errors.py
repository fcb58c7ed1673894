"""The engine's exceptions: one small hierarchy, each naming the place in the input it is about.

They belong to the hub's one error tree (`hub.errors.HubError`), but the engine words its messages
itself, one English line a user can act on (`assignments[3].line: unknown line "L9"`), and the scenario
tool and the rule book's refusals quote them verbatim. So the key carries that line as a value; an
officer reading Chinese sees it after a Chinese lead-in.
"""

from __future__ import annotations

from floorledger.base import i18n
from hub.errors import HubError

TEXTS: dict[str, dict[str, str]] = {
    "engine.refused": {"zh": "规则引擎无法计算：{message}", "en": "{message}"},
    "engine.input": {"zh": "规则引擎的输入有误：{message}", "en": "{message}"},
}
i18n.register(TEXTS)


class EngineError(HubError):
    """Inputs the engine cannot compute with; the message is one line a user can act on."""

    def __init__(self, message: str, *, key: str = "engine.refused") -> None:
        super().__init__(key, message=message)
        self.message = message


class InputError(EngineError):
    """A bad value in the inputs, located by `place` (`assignments[3].line`, `rules.bonus_cap_points`)."""

    def __init__(self, place: str, problem: str) -> None:
        super().__init__(f"{place}: {problem}" if place else problem, key="engine.input")
        self.place = place
        self.problem = problem


class MissingStandardTimeError(InputError):
    """An inmate is assigned to a step on a day before any version of its standard time applies."""
