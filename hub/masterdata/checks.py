"""The rules a master-data value must meet, as pure functions: exact numbers, dates, quota levels,
officers' placement, step codes and names. They touch no database; what they are checked against
(the line's area, whether an area exists) is passed in.

The service (`hub.masterdata.service`) and the CSV import (`hub.masterdata.csv_import`) both take
their ranges from here, so a value refused in one is refused in the other.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from hub.accounts import SITE_WIDE_ROLES, Role
from hub.errors import HubError
from hub.masterdata import texts as texts
from hub.store.masterdata import Officer, Step

OFFICER_ROLES: tuple[str, ...] = tuple(Role)
PERSON_ROLES = ("inmate", "officer")  # whose badge it is (Badge.role), not an account role

# A personal quota level (个性化定额) in percent: 0 (no quota) up to twice the standard.
QUOTA_PCT_MIN = Decimal(0)
QUOTA_PCT_MAX = Decimal(200)


class MasterDataError(HubError):
    """A change that cannot be made (unknown line, bad number, overlapping version); one line.

    The key's texts are in `hub.masterdata.texts`; `str()` is the English one.
    """


class ScopeError(MasterDataError):
    """The acting officer may not change this part of the master data (`hub.accounts` decides)."""


# --- exact values ----------------------------------------------------------------------------------


def decimal_text(value: str | int | Decimal, field: str, *, positive: bool = False) -> str:
    """Normalised exact decimal text of a user's number; MasterDataError naming `field` otherwise."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise MasterDataError("md.data.not_number", field=field, value=value) from None
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise MasterDataError("md.data.not_positive" if positive else "md.data.negative", field=field)
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def quota_pct_text(value: str | int | Decimal) -> str:
    """A personal quota level as exact decimal text, within QUOTA_PCT_MIN..QUOTA_PCT_MAX."""
    text = decimal_text(value, "quota_pct")
    if not QUOTA_PCT_MIN <= Decimal(text) <= QUOTA_PCT_MAX:
        raise MasterDataError("md.data.quota_range", low=QUOTA_PCT_MIN, high=QUOTA_PCT_MAX)
    return text


def fraction(text: str) -> Fraction:
    return Fraction(Decimal(text))


def parse_date(value: str | date, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise MasterDataError("md.data.not_date", field=field, value=value) from None


# --- officers ----------------------------------------------------------------------------------------


def officer_placement(
    role: str, area: str | None, line: str | None, *, line_area: str | None, area_known: bool
) -> tuple[str | None, str | None]:
    """The (area, line) an officer of `role` has; MasterDataError otherwise.

    `line_area` is the area of `line` on the site (None: no such line); `area_known` whether `area`
    exists. The line plans (hub/kiosks/plans.py) choose witnesses by these fields: a line officer by
    their line, an area head by their area, the labor section and admins on every line. So a line
    officer needs an existing line and their area is that line's (given or not); an area head needs
    an existing area and has no line; the labor section and admins have neither.
    """
    if role not in OFFICER_ROLES:
        raise MasterDataError("md.data.role", roles=", ".join(OFFICER_ROLES), role=role)
    if line is not None:
        if role != Role.LINE_OFFICER:
            raise MasterDataError("md.data.line_not_line_officer", role=role)
        if line_area is None:
            raise MasterDataError("md.data.unknown_line", line=line)
        if area is not None and area != line_area:
            raise MasterDataError("md.data.line_in_area", line=line, line_area=line_area, area=area)
        return line_area, line
    if role == Role.LINE_OFFICER:
        raise MasterDataError("md.data.line_needed")
    if role in SITE_WIDE_ROLES:
        if area is not None:
            raise MasterDataError("md.data.site_wide_area", role=role)
        return None, None
    if area is None:
        raise MasterDataError("md.data.area_needed")
    if not area_known:
        raise MasterDataError("md.data.unknown_area", area=area)
    return area, None


def officer_name(name: str) -> str:
    """An officer's name as the kiosks show it to witnesses: required, one line."""
    clean = name.strip()
    if not clean:
        raise MasterDataError("md.data.officer_name_needed")
    if len(clean) > Officer.name.max_length or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in clean):
        raise MasterDataError("md.data.name_one_line", max=Officer.name.max_length)
    return clean


# --- steps -------------------------------------------------------------------------------------------


def step_code(code: str) -> str:
    """A new step's code: kiosk records, posts and results name the step by it, so one plain token."""
    clean = code.strip()
    if not clean:
        raise MasterDataError("md.data.step_code_needed")
    if len(clean) > Step.code.max_length or any(c.isspace() or not c.isprintable() for c in clean):
        raise MasterDataError("md.data.step_code_form", max=Step.code.max_length)
    return clean


def step_name(name: str) -> str:
    """A step's name as plans and pages show it: required, one line."""
    clean = name.strip()
    if not clean:
        raise MasterDataError("md.data.step_name_needed")
    if len(clean) > Step.name.max_length or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in clean):
        raise MasterDataError("md.data.name_one_line", max=Step.name.max_length)
    return clean
