"""The labor assessment report of one inmate over a range of months (劳动改造考核报告), printed on A4
from the signed document itself, so the paper shows exactly what the hub signed.

Page one carries the QR code (the report's digest and the hub's signature, `Seal.qr`) and the short
verification code; every page's foot repeats the code, so a page taken from another report shows.
The signed companion (`report_signature.companion`) travels inside the PDF as an attachment
(`report.json`, stored uncompressed), so the PDF alone is enough for `floorledger verify-report`;
the same bytes are written beside the PDF for systems that take JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import qrcode
import qrcode.constants

from hub.paper.canvas import FAMILY, Frame, Sheet
from hub.paper.texts import t as paper_t
from hub.review.exports import CATEGORIES
from hub.review.report_signature import Seal, companion
from hub.review.report_texts import t

ATTACHMENT = "report.json"
QR_MM = 34.0
# the attachment's object: `N 0 obj << ... /Length L ... /Type /EmbeddedFile ... >> stream` + L bytes
_EMBEDDED = re.compile(rb"/Type\s*/EmbeddedFile\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)")
_STREAM = re.compile(rb"stream\r?\n")


class ReportSheet(Sheet):
    """A report page: the frame's header and footer, and the verification code at every foot."""

    def __init__(self, frame: Frame, code: str) -> None:
        self.code = code
        super().__init__(frame)

    def footer(self) -> None:
        super().footer()
        self.set_y(-8)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 4, t("report.verify.code", self.frame.lang, code=self.code), align="C")


def _v(value: Any, lang: str) -> str:
    return paper_t("paper.missing", lang) if value is None else str(value)


def _state(code: str, lang: str) -> str:
    return paper_t(f"paper.state.{code}", lang)


def _category(code: str, lang: str) -> str:
    return CATEGORIES.get(code, code) if lang == "zh" else code


def _reason(code: str, lang: str) -> str:
    key = f"dispute.reason.{code}"
    text = t(key, lang)
    return code if text == key else text


def summary_rows(document: Mapping[str, Any], lang: str) -> list[list[str]]:
    rows = []
    for m in document["months"]:
        if not m.get("scored"):
            rows.append([m["month"], _state(m["state"], lang), *[paper_t("paper.missing", lang)] * 8])
            continue
        rows.append(
            [
                m["month"],
                _state(m["state"], lang),
                str(m["workdays"]),
                str(m["days_met"]),
                _v(m["completion_pct"], lang),
                _v(m["base_points"], lang),
                _v(m["bonus_points"], lang),
                _v(m["adjust_points"], lang),
                _v(m["deduct_points"], lang),
                _v(m["labor_points"], lang),
            ]
        )
    return rows


def _qr_image(payload: str) -> Any:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=1)
    code.add_data(payload)
    code.make(fit=True)
    return code.make_image().get_image()


def _month_section(pdf: ReportSheet, m: Mapping[str, Any], lang: str) -> None:
    none = t("report.none", lang)
    pdf.ln(2)
    pdf.text_line(t("report.month", lang, month=m["month"]), size=11, bold=True, height=7)
    pdf.text_line(
        t("report.month.area", lang, area=m["area_name"] or m["area"] or none, version=m["rule_set"],
          state=_state(m["state"], lang))
    )  # fmt: skip
    if not m["final"]:
        pdf.text_line(t("report.month.draft", lang), bold=True)
    if not m.get("scored"):
        pdf.text_line(t("report.month.none", lang))
    elif not m["assessed"]:
        pdf.text_line(t("report.month.not_assessed", lang))
    else:
        pdf.text_line(
            t("report.month.points", lang, pct=_v(m["completion_pct"], lang), workdays=m["workdays"],
              met=m["days_met"], base=m["base_points"], bonus=m["bonus_points"],
              additions=m["additions_points"], adjust=m["adjust_points"], deduct=m["deduct_points"],
              labor=m["labor_points"])
        )  # fmt: skip

    def listed(label: str, items: list[str]) -> None:
        pdf.text_line(f"{t(label, lang)}{'；'.join(items) if items else none}")

    listed("report.grades", [f"{g['day']} {g['post']} {g['grade'] or '—'}" for g in m["grades"]])
    listed("report.training", [f"{x['day']} {x['pct']}%" for x in m["training"]])
    listed("report.exempt", list(m["exempt_days"]))
    listed(
        "report.deductions",
        [
            f"{d['day']} {_category(d['category'], lang)} -{d['points']} {d['reason']}"
            for d in m["deductions"]
        ],
    )
    listed(
        "report.adjustments",
        [
            f"{a['day']} {a['points'] if str(a['points']).startswith('-') else '+' + str(a['points'])} "
            f"{a['reason']}（{a['by']}）"
            for a in m["adjustments"]
        ],
    )
    disputes = []
    for d in m["disputes"]:
        said = f"{_reason(d['reason'], lang)} {d['text']}".strip()
        answer = (
            t("report.unanswered", lang)
            if d["outcome"] is None
            else f"{t('report.outcome.' + d['outcome'], lang)} {d['answer']}".strip()
        )
        disputes.append(f"{d['day']} {said} → {answer}")
    listed("report.disputes", disputes)
    reviews = [
        t("report.signoff", lang, week=s["week"], officer=s["officer"], time=s["time"])
        for s in m["weekly_signoffs"]
    ]
    for a in m["approvals"]:
        stage = paper_t(f"paper.stage.{a['stage']}", lang)
        if a["officer"] is None:
            reviews.append(t("report.not_yet", lang, stage=stage))
        else:
            reviews.append(t("report.approval", lang, stage=stage, officer=a["officer"], time=a["time"]))
    listed("report.reviews", reviews)
    if m.get("explanation"):
        pdf.text_line(t("report.explanation", lang), bold=True)
        pdf.text_line(m["explanation"], size=7.5, height=3.6)


def render_report(document: Mapping[str, Any], sealed: Seal) -> bytes:
    """The A4 PDF of a signed report document, its signed companion attached."""
    lang = str(document.get("lang", "zh"))
    who = document["inmate"]
    frame = Frame(
        title=t("report.title", lang),
        subtitle=t(
            "report.subtitle",
            lang,
            name=who["name"],
            number=who["number"],
            first=document["from"],
            last=document["to"],
        ),  # fmt: skip
        printed_by=document["issued_by"],
        printed_at=document["issued_at"],
        lang=lang,
    )
    pdf = ReportSheet(frame, sealed.code)
    top = pdf.get_y()
    pdf.image(_qr_image(sealed.qr), x=pdf.w - pdf.r_margin - QR_MM, y=top, w=QR_MM, h=QR_MM)
    pdf.set_right_margin(pdf.r_margin + QR_MM + 4)  # the lines beside the QR code stop short of it
    pdf.text_line(
        t("report.who", lang, name=who["name"], number=who["number"], area=who["area_name"] or who["area"]),
        size=10,
    )
    pdf.text_line(
        t("report.issued", lang, by=document["issued_by"], at=document["issued_at"], zone=document["zone"])
    )
    checkpoint = document.get("checkpoint")
    if checkpoint is not None:
        pdf.text_line(
            t("report.checkpoint", lang, root=checkpoint["root"][:16], size=checkpoint["tree_size"])
        )
    pdf.text_line(t("report.verify.code", lang, code=sealed.code), size=12, bold=True, height=7)
    pdf.set_y(max(pdf.get_y(), top + QR_MM + 2))
    pdf.set_right_margin(pdf.l_margin)
    pdf.text_line(t("report.summary", lang), size=11, bold=True, height=7)
    pdf.grid(
        [t(f"report.col.{c}", lang) for c in
         ("month", "state", "workdays", "days_met", "pct", "base", "bonus", "adjust", "deduct", "labor")],
        summary_rows(document, lang),
        (17.0, 26.0, 15.0, 17.0, 17.0, 15.0, 17.0, 16.0, 14.0, 26.0),
        ("L", "L", "R", "R", "R", "R", "R", "R", "R", "R"),
    )  # fmt: skip
    totals = document["totals"]
    pdf.text_line(t("report.total", lang, months=totals["months_assessed"], points=totals["labor_points"]))
    for m in document["months"]:
        _month_section(pdf, m, lang)
    pdf.ln(3)
    pdf.text_line(t("report.verify.title", lang), size=11, bold=True, height=7)
    pdf.text_line(t("report.verify.code", lang, code=sealed.code), bold=True)
    pdf.text_line(t("report.verify.digest", lang, digest=sealed.digest), size=8)
    pdf.text_line(t("report.verify.how", lang, pub=sealed.hub_key), size=8)
    pdf.ln(4)
    pdf.signature(t("report.sign.officer", lang), paper_t("paper.sign.date", lang))
    pdf.signature(t("report.sign.stamp", lang), paper_t("paper.sign.date", lang))
    pdf.embed_file(
        bytes=companion(dict(document), sealed),
        basename=ATTACHMENT,
        mime_type="application/json",
        desc=t("report.title", lang),
    )
    return pdf.pdf_bytes()


def companion_from_pdf(data: bytes) -> bytes | None:
    """The signed companion attached to a report PDF (`report.json`), or None if it has none."""
    for found in _EMBEDDED.finditer(data):
        head_start = data.rfind(b" obj", 0, found.start())
        stream = _STREAM.search(data, found.end())
        if head_start < 0 or stream is None:
            continue
        length = _LENGTH.search(data, head_start, stream.start())
        if length is None:
            continue
        return data[stream.end() : stream.end() + int(length.group(1))]
    return None
