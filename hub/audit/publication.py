"""The inmates' month in `floorledger verify`: publications and answers to review requests.

- `month.publish` (subject `month:<area>:<month>`, payload `id`, `from`, `until`, `rows_digest`): one
  `assess_published_month` row with that id, published by the act's actor for that area and month
  over that window, whose stored rows digest to the signed digest (the published numbers to the
  digit) and whose `rows_digest` column says the same;
- `month.review_answer` (subject `<kiosk>#<seq>`, payload `id`, `person`, `month`, `area`, `outcome`,
  `reason`): one `review_month_answer` row with that id, given by the act's actor, with those values,
  answering a stored `month_review` record.

A row no signed act made, an act without its row and every column that differs is reported (part of
section 6, monthly scores). Whether a publication is withdrawn follows from the approvals it went
with (their voiding acts are checked in section 6), so `withdrawn_ms` is not compared here. Pure:
the caller reads the rows and hands over the hub-signed acts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hub.audit.report import finding
from hub.review.rules import rows_digest

PUBLISH = "month.publish"
ANSWER = "month.review_answer"
ACTIONS = frozenset({PUBLISH, ANSWER})


@dataclass(frozen=True, slots=True, kw_only=True)
class Act:
    """A hub-signed act of the inmates' month, as the ledger holds it."""

    index: int
    actor: str
    action: str
    subject: str
    payload: Mapping[str, Any]


def _row_id(act: Act) -> int | None:
    value = act.payload.get("id")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _digest(rows_json: str) -> str | None:
    try:
        rows = json.loads(rows_json)
    except ValueError:
        return None
    return rows_digest(rows) if isinstance(rows, list) else None


def compare_publications(rows: Sequence[Mapping[str, Any]], acts: Iterable[Act]) -> list[Any]:
    """Every `assess_published_month` row (a mapping of its columns) against the `month.publish` acts."""
    signed = {_row_id(a): a for a in acts if a.action == PUBLISH}
    out: list[Any] = []
    seen: set[int] = set()
    for row in rows:
        where = finding("pub.month_row", id=row["id"])
        act = signed.get(int(row["id"]))
        if act is None:
            out.append(finding("pub.month_extra", id=row["id"], month=row["month"], area=row["area"]))
            continue
        seen.add(int(row["id"]))
        subject = f"month:{row['area']}:{row['month']}"
        expected = {
            "subject": (subject, act.subject),
            "published_by": (row["published_by"], act.actor),
            "valid_from": (row["valid_from"], act.payload.get("from")),
            "until": (row["until"], act.payload.get("until")),
            "rows_digest": (row["rows_digest"], act.payload.get("rows_digest")),
        }
        for name, (stored, says) in expected.items():
            if stored != says:
                out.append(
                    finding("pub.column", where=where, name=name, stored=stored, index=act.index, signed=says)
                )
        digest = _digest(str(row["rows"]))
        if digest != act.payload.get("rows_digest"):
            out.append(
                finding(
                    "pub.rows_digest",
                    where=where,
                    digest=(digest or "-")[:12],
                    index=act.index,
                    signed=str(act.payload.get("rows_digest"))[:12],
                )
            )
    for row_id, act in sorted(signed.items(), key=lambda item: item[1].index):
        if row_id not in seen:
            out.append(finding("pub.month_missing", index=act.index, subject=act.subject))
    return out


def compare_answers(
    rows: Sequence[Mapping[str, Any]], acts: Iterable[Act], requests: Iterable[tuple[str, int]]
) -> list[Any]:
    """Every `review_month_answer` row against the `month.review_answer` acts; `requests` are the
    (kiosk, seq) of the stored `month_review` records an answer may answer."""
    signed = {_row_id(a): a for a in acts if a.action == ANSWER}
    asked = set(requests)
    out: list[Any] = []
    seen: set[int] = set()
    for row in rows:
        where = finding("pub.answer_row", id=row["id"])
        ref = (str(row["ref_kiosk"]), int(row["ref_seq"]))
        if ref not in asked:
            out.append(finding("pub.answer_no_request", where=where, ref=f"{ref[0]}#{ref[1]}"))
        act = signed.get(int(row["id"]))
        if act is None:
            out.append(finding("pub.answer_extra", id=row["id"], ref=f"{ref[0]}#{ref[1]}"))
            continue
        seen.add(int(row["id"]))
        expected = {
            "ref": (f"{ref[0]}#{ref[1]}", act.subject),
            "officer": (row["officer"], act.actor),
            **{
                name: (row[name], act.payload.get(name))
                for name in ("person", "month", "area", "outcome", "reason")
            },
        }
        for name, (stored, says) in expected.items():
            if stored != says:
                out.append(
                    finding("pub.column", where=where, name=name, stored=stored, index=act.index, signed=says)
                )
    for row_id, act in sorted(signed.items(), key=lambda item: item[1].index):
        if row_id not in seen:
            out.append(finding("pub.answer_missing", index=act.index, subject=act.subject))
    return out
