"""What `floorledger verify` reports: sections of checks, each with its findings, and notes.

Every finding, note and summary line is an `i18n.Text`: a key and values (pure modules return data,
not sentences), whose `str` is the English text (what tests compare); `Report.render(lang)` shows it
in the officer's language. The keys live beside the code that finds the problem: `verify.*` in
`hub.audit.texts`, `ledger.v.*` in `hub.ledger.texts`, `md.v.*` in `hub.masterdata.texts`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from floorledger.base import i18n
from hub.audit import texts

MAX_SHOWN = 50  # findings printed per section; the count is always complete

texts.register_report()


class Finding(i18n.Text):
    """A finding of kind `code` (text `verify.f.<code>`): its English text, with its values for other
    languages."""

    code: str

    def __new__(cls, code: str, /, **values: Any) -> Finding:
        made = super().__new__(cls, f"verify.f.{code}", **values)
        made.code = code
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # to and from the record check's worker processes
        return (_rebuild, (self.code, self.values))


def _rebuild(code: str, values: dict[str, Any]) -> Finding:
    return Finding(code, **values)


def finding(code: str, /, **values: Any) -> Finding:
    """A finding of kind `code` (`verify.f.<code>`); its text is the English one."""
    return Finding(code, **values)


def in_language(item: str, lang: str) -> str:
    """A finding or note in `lang`; plain text (a stored value, a code) stays as it is."""
    return item.text(lang) if isinstance(item, i18n.Text) else item


@dataclass(slots=True)
class Section:
    """One part of the check: what was looked at and every finding, as readable lines; `key` names
    its title in the translation table (`verify.s.<key>`)."""

    title: str
    checked: int = 0
    findings: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # not findings: still being computed (daily results)
    key: str = ""

    def heading(self, lang: str) -> str:
        return i18n.t(f"verify.s.{self.key}", lang) if self.key else self.title


@dataclass(slots=True)
class Report:
    sections: list[Section]
    notes: list[str] = field(default_factory=list)
    # printed last, before the verdict: today's log root and size, the latest signed checkpoint, and
    # each expected checkpoint (`--expect`) found in the log
    summary: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(s.findings for s in self.sections)

    def findings(self) -> list[str]:
        return [line for s in self.sections for line in s.findings]

    def pending(self) -> list[str]:
        return [line for s in self.sections for line in s.pending]

    def render(self, lang: str = "en") -> str:
        """The report as text in `lang`; English here (what tests compare), the command line and the
        dashboard pass the reader's language (Chinese by default)."""
        lines: list[str] = []
        for s in self.sections:
            status = (
                i18n.t("verify.ok_status", lang)
                if not s.findings
                else i18n.t("verify.problems", lang, count=len(s.findings))
            )
            waiting = i18n.t("verify.pending", lang, count=len(s.pending)) if s.pending else ""
            lines.append(
                i18n.t(
                    "verify.line",
                    lang,
                    title=s.heading(lang),
                    checked=s.checked,
                    status=status,
                    pending=waiting,
                )
            )
            lines.extend(f"  - {in_language(item, lang)}" for item in s.findings[:MAX_SHOWN])
            if len(s.findings) > MAX_SHOWN:
                lines.append(i18n.t("verify.more", lang, count=len(s.findings) - MAX_SHOWN))
            lines.extend(
                i18n.t("verify.pending_item", lang, item=in_language(item, lang))
                for item in s.pending[:MAX_SHOWN]
            )
            if len(s.pending) > MAX_SHOWN:
                lines.append(i18n.t("verify.more_pending", lang, count=len(s.pending) - MAX_SHOWN))
        lines.extend(i18n.t("verify.note", lang, note=in_language(n, lang)) for n in self.notes)
        lines.extend(in_language(item, lang) for item in self.summary)
        lines.append(i18n.t("verify.verdict.ok" if self.ok else "verify.verdict.bad", lang))
        return "\n".join(lines)


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
