"""Which PDF library prints FloorLedger's Chinese A4 sheets: fpdf2, reportlab or WeasyPrint.

Renders the same 60-row daily sheet (日记载) with each library that is installed and prints, per
library: render time (median of 3, after one warm-up that loads the font), PDF size, what `pdffonts`
says about the CJK font (name, type, embedded, subset) and the installed weight of the library with
its Python dependencies. Needs poppler-utils (`pdffonts`) and fonts-noto-cjk.

    python bench/pdf_libraries.py            # in a venv where fpdf2 reportlab weasyprint are installed

reportlab is measured twice: with its built-in CID font STSong-Light (never embedded: the reader's
viewer substitutes a font, which the paper rules forbid) and with a TrueType font, which reportlab
needs (it cannot read the Noto CJK .ttc/.otf, which are CFF-based), so Chinese falls back to boxes
unless a separate TTF CJK font is installed.
"""

from __future__ import annotations

import importlib.metadata as md
import io
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
BOLD = FONT.with_name("NotoSansCJK-Bold.ttc")
FONT_INDEX = 2  # Noto Sans CJK SC inside the collection (fc-list -f "%{file}:%{index}:%{family[0]}\n")
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈杰", "杨静", "赵磊", "黄敏", "周强", "吴霞"]
HEAD = ["罪犯编号", "姓名", "工序", "定额", "完成", "超/欠", "状态", "标记", "签名"]


def rows(n: int = 60) -> list[list[str]]:
    out = []
    for i in range(n):
        quota, done = 300 + i, 280 + 2 * i
        out.append(
            [f"37{i:05d}", NAMES[i % len(NAMES)], "缝合前片", str(quota), str(done), f"{done - quota:+d}",
             "完成" if done >= quota else "欠额", "差异" if i % 7 == 0 else "", ""]
        )  # fmt: skip
    return out


def with_fpdf2() -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("cjk", fname=str(FONT), collection_font_number=FONT_INDEX)
    pdf.add_font("cjk", style="B", fname=str(BOLD), collection_font_number=FONT_INDEX)
    pdf.set_font("cjk", size=9)
    pdf.add_page()
    pdf.cell(0, 10, "一监区 · 缝纫一线 日记载 2026-10-28", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(22, 18, 24, 14, 14, 14, 14, 16, 30)) as table:
        table.row(HEAD)
        for r in rows():
            table.row(r)
    return bytes(pdf.output())


def _reportlab(font: str, register: Callable[[], None]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate, Table

    register()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4)
    table = Table([HEAD, *rows()], repeatRows=1)
    table.setStyle([("FONT", (0, 0), (-1, -1), font, 9), ("GRID", (0, 0), (-1, -1), 0.5, "black")])
    doc.build([table])
    return out.getvalue()


def with_reportlab_cid() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    return _reportlab("STSong-Light", lambda: pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light")))


def with_reportlab_ttf() -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    def register() -> None:
        # the Noto CJK collection is CFF-based: reportlab refuses it, so the only TTF here is DejaVu
        try:
            pdfmetrics.registerFont(TTFont("cjk", str(FONT), subfontIndex=FONT_INDEX))
        except Exception as err:  # noqa: BLE001 - the measurement reports any refusal
            print(f"  reportlab refuses {FONT.name}: {type(err).__name__}: {str(err)[:80]}")  # noqa: T201
            pdfmetrics.registerFont(TTFont("cjk", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))

    return _reportlab("cjk", register)


def with_weasyprint() -> bytes:
    from weasyprint import HTML

    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows())
    html = (
        "<style>@page{size:A4;margin:15mm} body{font-family:'Noto Sans CJK SC';font-size:9pt}"
        "table{border-collapse:collapse;width:100%} td,th{border:0.5pt solid #000;padding:1mm}</style>"
        "<h1>一监区 · 缝纫一线 日记载 2026-10-28</h1><table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in HEAD)
        + f"</tr></thead><tbody>{body}</tbody></table>"
    )
    return bytes(HTML(string=html).write_pdf())


def pdffonts(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        lines = subprocess.run(["pdffonts", f.name], capture_output=True, text=True, check=True).stdout
    fonts = lines.splitlines()[2:]
    return "; ".join(re.sub(r"\s+", " ", line).strip() for line in fonts) or "(no fonts)"


def chinese_text(data: bytes) -> bool:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True, check=True).stdout
    return "张伟" in text and "日记载" in text


def install_weight(dist: str) -> tuple[float, list[str]]:
    """MB of the distribution's files plus its (transitive) requirements' files, and their names."""
    seen: set[str] = set()
    todo = [dist]
    total = 0
    while todo:
        name = re.split(r"[ ;<>=!\[(~]", todo.pop(), maxsplit=1)[0].lower()
        if not name or name in seen:
            continue
        try:
            found = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        seen.add(name)
        for file in found.files or ():
            path = Path(str(found.locate_file(file)))
            if path.is_file():
                total += path.stat().st_size
        todo.extend(r for r in found.requires or () if "extra ==" not in r)
    return total / 1e6, sorted(seen)


def main() -> None:
    cases: list[tuple[str, str, Callable[[], bytes]]] = [
        ("fpdf2 + Noto Sans CJK SC (.ttc)", "fpdf2", with_fpdf2),
        ("reportlab + STSong-Light (CID)", "reportlab", with_reportlab_cid),
        ("reportlab + TTFont", "reportlab", with_reportlab_ttf),
        ("WeasyPrint + Noto Sans CJK SC", "weasyprint", with_weasyprint),
    ]
    for label, dist, render in cases:
        print(f"== {label}")  # noqa: T201
        try:
            md.distribution(dist)
        except md.PackageNotFoundError:
            print("  not installed")  # noqa: T201
            continue
        start = time.perf_counter()
        data = render()  # warm-up: imports and the first font load
        first = time.perf_counter() - start
        times = []
        for _ in range(3):
            start = time.perf_counter()
            data = render()
            times.append(time.perf_counter() - start)
        weight, deps = install_weight(dist)
        print(f"  first render {first:.2f} s, then median {statistics.median(times):.2f} s")  # noqa: T201
        print(f"  size {len(data) / 1024:.0f} KiB; Chinese readable by pdftotext: {chinese_text(data)}")  # noqa: T201
        print(f"  pdffonts: {pdffonts(data)}")  # noqa: T201
        print(f"  installed {weight:.1f} MB with {', '.join(deps)}")  # noqa: T201


if __name__ == "__main__":
    sys.exit(main())
