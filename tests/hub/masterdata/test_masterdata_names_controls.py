"""Names that line plans carry to the kiosks refuse every character the protocol refuses in text
(C0, DEL and C1 controls), so a name an officer saves can never make a plan the kiosks reject."""

from __future__ import annotations

import pytest

from hub.errors import HubError
from hub.masterdata import checks, csv_import
from protocol import fields

CONTROLS = ["\x00", "\t", "\n", "\x1b", "\x7f", "\x80", "\x85", "\x9b", "\x9f"]


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_officer_step_and_imported_names_refuse_control_characters(char: str) -> None:
    """An officer's name, a step's name and a name in an imported CSV holding a control character
    (including DEL, NEL U+0085 and CSI U+009B) are refused with a message, not stored."""
    name = f"张{char}三"
    with pytest.raises(HubError):
        checks.officer_name(name)
    with pytest.raises(HubError):
        checks.step_name(name)
    with pytest.raises(HubError):
        csv_import.name(name, "姓名")


def test_accepted_names_are_text_a_plan_can_carry() -> None:
    """Ordinary names, with a no-break space or symbols beyond the C1 block, pass and are valid plan text."""
    for name in ("张三", "李\u00a0四", "裁片 A-3 (€)"):
        for accepted in (checks.officer_name(name), checks.step_name(name), csv_import.name(name, "姓名")):
            assert fields.text(accepted, "name", max_len=100) == accepted
