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
