"""Changes to the people of the site: inmates and their quota levels, officers and their placement,
badges. Each is made through `Changes` (scope, month lock, ledger); `MasterData` includes them.
"""

from __future__ import annotations

from datetime import date

from hub.accounts import SITE_WIDE_ROLES, Role
from hub.masterdata.acts import Actor, Changes
from hub.masterdata.checks import (
    PERSON_ROLES,
    MasterDataError,
    officer_name,
    officer_placement,
    quota_pct_text,
)
from hub.masterdata.queries import area_exists, area_of_line, area_of_person, areas_of
from hub.store.masterdata import Assignment, Badge, Inmate, Officer


class PeopleChanges(Changes):
    """Inmates, officers and badges (see `MasterData`)."""

    def add_inmate(
        self,
        actor: Actor,
        id: str,
        *,
        number: str,
        name: str,
        quota_pct: str | int = 100,
        area: str | None = None,
    ) -> None:
        self._scope(actor, area)
        if Officer.get_or_none(Officer.id == id) is not None:  # badges and plans name people by id alone
            raise MasterDataError("md.data.id_officer", id=id)
        pct = quota_pct_text(quota_pct)
        payload = {"id": id, "number": number, "name": name, "quota_pct": pct, "area": area}
        self._act(
            actor,
            "inmate.add",
            id,
            payload,
            lambda: Inmate.create(id=id, number=number, name=name, quota_pct=pct, area=area),
        )

    def set_quota_pct(self, actor: Actor, inmate: str, quota_pct: str | int, *, reason: str) -> None:
        """A personal quota level (个性化定额); it applies to every day computed from now on."""
        self._scope(actor, self._require_inmate(inmate).area)
        pct = quota_pct_text(quota_pct)

        def guard() -> None:
            # The level is not dated: it changes the results of every month the inmate had a post in,
            # so any locked month of the area of one of their posts, over that post's days, refuses it.
            for post in Assignment.select().where(Assignment.inmate == inmate).order_by(Assignment.id):
                self.locks.refuse(
                    areas_of([post.line]),
                    date.fromisoformat(post.valid_from),
                    None if post.valid_to is None else date.fromisoformat(post.valid_to),
                    key="md.data.locked_quota",
                )

        self._act(
            actor,
            "inmate.quota_pct",
            inmate,
            {"quota_pct": pct, "reason": reason},
            lambda: Inmate.update(quota_pct=pct).where(Inmate.id == inmate).execute(),
            guard,
        )

    def update_inmate(
        self,
        actor: Actor,
        inmate: str,
        *,
        name: str | None = None,
        number: str | None = None,
        area: str | None = None,
    ) -> None:
        """Correct an inmate's name, number or area (quota levels: `set_quota_pct`)."""
        self._scope(actor, self._require_inmate(inmate).area, *(() if area is None else (area,)))
        changes = {k: v for k, v in (("name", name), ("number", number), ("area", area)) if v is not None}
        if not changes:
            return
        self._act(
            actor,
            "inmate.update",
            inmate,
            changes,
            lambda: Inmate.update(**changes).where(Inmate.id == inmate).execute(),
        )

    def add_officer(
        self, actor: Actor, id: str, *, name: str, role: str, area: str | None = None, line: str | None = None
    ) -> None:
        """A new officer (民警) who may witness, countersign and enter counts at the kiosks.

        Checked as `officer_placement` says; an id already used by an officer or an inmate is refused
        (badges and line plans name people by id alone). Without `area`, a line officer's area is
        their line's.
        """
        if not id.strip():
            raise MasterDataError("md.data.officer_id_needed")
        taken = Officer.get_or_none(Officer.id == id) or Inmate.get_or_none(Inmate.id == id)
        if taken is not None:
            raise MasterDataError("md.data.id_used", id=id)
        clean_name = officer_name(name)
        area, line = self._placement(role, area, line)
        self._officer_scope(actor, role, area)
        payload = {"id": id, "name": clean_name, "role": role, "area": area, "line": line}
        self._act(
            actor,
            "officer.add",
            id,
            payload,
            lambda: Officer.create(id=id, name=clean_name, role=role, area=area, line=line),
        )

    def update_officer(
        self,
        actor: Actor,
        officer: str,
        *,
        name: str | None = None,
        role: str | None = None,
        area: str | None = None,
        line: str | None = None,
    ) -> None:
        """Correct an officer's name, role, area or line (badges: `issue_badge`, `revoke_badge`).

        None leaves a field as it is; "" clears `area` or `line`. The officer as they would be after
        the change is checked as `add_officer` checks a new one. A new line brings its own area unless
        `area` is given too; a new role drops what that role cannot have and was not given (a line
        officer made area head keeps the area and loses the line; made labor section, loses both).
        The ledger entry holds only the fields that change (a cleared one as null).
        """
        row = Officer.get_or_none(Officer.id == officer)
        if row is None:
            raise MasterDataError("md.data.unknown_officer", officer=officer)
        self._officer_scope(actor, row.role, row.area)
        new_name = row.name if name is None else officer_name(name)
        new_role = row.role if role is None else role
        new_area = row.area if area is None else (area or None)
        new_line = row.line if line is None else (line or None)
        if line and area is None:
            new_area = None  # the new line's area (officer_placement)
        if new_role != row.role:
            if line is None and new_role != Role.LINE_OFFICER:
                new_line = None
            if area is None and new_role in SITE_WIDE_ROLES:
                new_area = None
        new_area, new_line = self._placement(new_role, new_area, new_line)
        self._officer_scope(actor, new_role, new_area)
        after = {"name": new_name, "role": new_role, "area": new_area, "line": new_line}
        changes = {k: v for k, v in after.items() if v != getattr(row, k)}
        if not changes:
            return
        # Officers change no result (they witness; the engine never reads who): no locked-month guard.
        # The line plans list them, and refresh through the `on_change` listeners like every change.
        self._act(
            actor,
            "officer.update",
            officer,
            changes,
            lambda: Officer.update(**changes).where(Officer.id == officer).execute(),
        )

    def issue_badge(self, actor: Actor, badge: str, person: str) -> None:
        """Bind a badge to an inmate or officer; a badge id already active elsewhere is refused."""
        if Inmate.get_or_none(Inmate.id == person) is not None:
            role = PERSON_ROLES[0]
        elif Officer.get_or_none(Officer.id == person) is not None:
            role = PERSON_ROLES[1]
        else:
            raise MasterDataError("md.data.unknown_person", person=person)
        self._scope(actor, area_of_person(person))
        existing = Badge.get_or_none(Badge.badge == badge)
        if existing is not None and existing.revoked_ms is None:
            raise MasterDataError("md.data.badge_issued", badge=badge, person=existing.person)
        now = self.clock_ms()

        def change() -> None:
            Badge.delete().where(Badge.badge == badge).execute()
            Badge.create(badge=badge, person=person, role=role, issued_ms=now, revoked_ms=None)

        payload = {"badge": badge, "person": person, "role": role, "issued_ms": now}
        self._act(actor, "badge.issue", badge, payload, change)

    def revoke_badge(self, actor: Actor, badge: str, *, reason: str = "") -> None:
        found = Badge.get_or_none((Badge.badge == badge) & Badge.revoked_ms.is_null())
        if found is None:
            raise MasterDataError("md.data.no_badge", badge=badge)
        self._scope(actor, area_of_person(found.person))
        now = self.clock_ms()
        self._act(
            actor,
            "badge.revoke",
            badge,
            {"badge": badge, "person": found.person, "reason": reason, "revoked_ms": now},
            lambda: Badge.update(revoked_ms=now).where(Badge.badge == badge).execute(),
        )

    def _placement(self, role: str, area: str | None, line: str | None) -> tuple[str | None, str | None]:
        """`checks.officer_placement` against the site's lines and areas."""
        line_area = None if line is None else area_of_line(line)
        return officer_placement(
            role, area, line, line_area=line_area, area_known=area is not None and area_exists(area)
        )
