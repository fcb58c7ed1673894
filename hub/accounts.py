"""Who may do what: the officers' roles and the scope rules every layer applies.

The dashboard's guards, the master-data service and the review acts all ask these rules; nothing
else decides whether an officer may see or change a line or an area.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    LINE_OFFICER = "line_officer"
    AREA_HEAD = "area_head"
    LABOR_SECTION = "labor_section"
    ADMIN = "admin"


ALL_ROLES = frozenset(Role)

# Master data (基础数据): who reads it, who changes an area's part of it, who changes the site's part
# (products, standard times, areas, site-wide workdays, rule sets). Admins manage users and kiosks
# only, so they are in none of these.
MASTERDATA_READ_ROLES = frozenset({Role.LINE_OFFICER, Role.AREA_HEAD, Role.LABOR_SECTION})
MASTERDATA_EDIT_ROLES = frozenset({Role.AREA_HEAD, Role.LABOR_SECTION})
MASTERDATA_SITE_ROLES = frozenset({Role.LABOR_SECTION})

# The roles whose officers witness on every line (in every line's plan): they have no area or line.
SITE_WIDE_ROLES = frozenset({Role.LABOR_SECTION, Role.ADMIN})


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who is acting, as the guards see it: re-read from the database on every page and action."""

    username: str
    display_name: str
    role: Role
    lines: tuple[str, ...] = ()
    area: str | None = None

    @property
    def sees_everything(self) -> bool:
        return self.role in (Role.LABOR_SECTION, Role.ADMIN)

    def may_see_line(self, line: str, area_of_line: str | None) -> bool:
        if self.sees_everything:
            return True
        if self.role is Role.AREA_HEAD:
            return area_of_line is not None and area_of_line == self.area
        return line in self.lines

    def may_see_area(self, area: str, lines_in_area: Iterable[str]) -> bool:
        """A line officer may open an area's page only where one of their own lines is."""
        if self.sees_everything:
            return True
        if self.role is Role.AREA_HEAD:
            return area == self.area
        return any(line in self.lines for line in lines_in_area)

    def may_see_inmate(self, inmate_area: str | None, posted_line: str | None) -> bool:
        """An area head sees their area's inmates; a line officer those posted to their lines today."""
        if self.sees_everything:
            return True
        if self.role is Role.AREA_HEAD:
            return inmate_area is not None and inmate_area == self.area
        return posted_line is not None and posted_line in self.lines

    def may_see_officer(self, officer_area: str | None, officer_line: str | None) -> bool:
        """All (labor section, admin), their area's (area head), their lines' (line officer)."""
        if self.sees_everything:
            return True
        if self.role is Role.AREA_HEAD:
            return self.area is not None and officer_area == self.area
        return officer_line is not None and officer_line in self.lines

    def may_change_area(self, area: str | None) -> bool:
        """Whether this officer may change master data belonging to `area` (None: site-wide, which
        only the labor section changes). Line officers change nothing, admins no master data."""
        if self.role is Role.LABOR_SECTION:
            return True
        return self.role is Role.AREA_HEAD and area is not None and area == self.area

    def may_manage_officer(self, role: str, area: str | None) -> bool:
        """Whether this officer may add or correct an officer who has (or after the change will
        have) `role` in `area`: the labor section any; an area head only a line officer of their area."""
        if self.role is Role.LABOR_SECTION:
            return True
        return (
            self.role is Role.AREA_HEAD
            and role == Role.LINE_OFFICER
            and area is not None
            and area == self.area
        )
