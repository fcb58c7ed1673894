"""People as the dashboard shows them (#19, one identity): an inmate by prison number and name, never
by the internal id (which stays in addresses and marks only), an officer by name and rank, never by
login name or master-data id."""

from __future__ import annotations

from urllib.parse import quote

from floorledger.base import i18n
from hub.store import masterdata as md
from hub.store.web import User

i18n.register(
    {
        "people.rank.line_officer": {"zh": "民警", "en": "line officer"},
        "people.rank.area_head": {"zh": "监区长", "en": "area head"},
        "people.rank.labor_section": {"zh": "劳改科", "en": "labor section"},
        "people.rank.admin": {"zh": "管理员", "en": "administrator"},
        "people.officer": {"zh": "{name}（{rank}）", "en": "{name} ({rank})"},
    }
)


def inmate_href(inmate: str) -> str:
    """The inmate page of `inmate` (the internal id, in the address only)."""
    return f"/inmate?id={quote(inmate, safe='')}"


def inmate_labels() -> dict[str, str]:
    """inmate id -> "prison number name" for every inmate of the site."""
    people = md.Inmate.select(md.Inmate.id, md.Inmate.number, md.Inmate.name)
    return {i.id: f"{i.number} {i.name}" for i in people}


def officer_label(name: str, role: str, lang: str) -> str:
    """ "name (rank)": 王建国（民警）."""
    rank = i18n.Label("people.rank", role).text(lang) if role else ""
    return i18n.t("people.officer", lang, name=name, rank=rank) if rank else name


def officer_labels(lang: str) -> dict[str, str]:
    """Every name an officer acts under -> "name (rank)": dashboard login names (what the ledger and
    the review tables record) and master-data officer ids (what kiosk records carry)."""
    out = {o.id: officer_label(o.name, o.role, lang) for o in md.Officer.select()}
    for u in User.select(User.username, User.display_name, User.role):
        out[u.username] = officer_label(u.display_name, u.role, lang)
    return out


def officer_names() -> dict[str, str]:
    """Login name or master-data id -> the officer's name alone, where the rank is said beside it
    (an approval stage: 监区长：王建国)."""
    out = {o.id: o.name for o in md.Officer.select(md.Officer.id, md.Officer.name)}
    out.update({u.username: u.display_name for u in User.select(User.username, User.display_name)})
    return out
