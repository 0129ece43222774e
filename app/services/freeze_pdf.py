"""A freeze request as a PDF, drawn with ReportLab (no display or Qt needed): who asks
whom to freeze what, on what legal basis, how urgently, and the trace that found it,
with the method stated and the path the money took."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.core.tracing import plain
from app.services.briefing_pdf import TLP_COLOURS
from app.services.freeze import FreezeDetail

URGENCY_COLOURS = {"routine": "#1F3A5F", "urgent": "#B35900", "immediate": "#B00020"}


def _time(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _grid(rows: list[list[Any]], widths: list[float], header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONTSIZE", (0, 0), (-1, -1), 8.5),
             ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B8C4")),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F3A5F")),
                  ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                  ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold")]
    else:
        style += [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#EEF2F7")),
                  ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")]
    table.setStyle(TableStyle(style))
    return table


def write_freeze_pdf(detail: FreezeDetail, target: Path | str) -> None:
    info, basis = detail.info, detail.basis
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8.5, leading=10)
    mono = ParagraphStyle("mono", parent=cell, fontName="Courier", fontSize=7.5)
    marking = info.tlp if info.tlp in TLP_COLOURS else "AMBER"

    def p(text: str, style: ParagraphStyle = cell) -> Paragraph:
        return Paragraph(escape(text), style)

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = doc.pagesize
        canvas.setFillColor(colors.black)
        canvas.rect(width - 60 * mm, height - 12 * mm, 50 * mm, 7 * mm, fill=1, stroke=0)
        canvas.setFillColor(colors.HexColor(TLP_COLOURS[marking]))
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString(width - 35 * mm, height - 10 * mm, f"TLP:{marking}")
        canvas.setFillColor(colors.grey)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(12 * mm, 7 * mm, f"Operation {detail.codename} - freeze request "
                          f"{info.id} - {detail.agency}")
        canvas.drawRightString(width - 12 * mm, 7 * mm, f"page {doc.page}")
        canvas.restoreState()

    urgency = Paragraph(f'<font color="{URGENCY_COLOURS.get(info.urgency, "#1F3A5F")}">'
                        f"<b>{escape(info.urgency.upper())}</b></font>", styles["Heading2"])
    wallet = f"{info.address} ({info.chain})"
    if info.wallet_label:
        wallet += f" - {info.wallet_label}"
    story: list[Any] = [
        Paragraph("Request to freeze virtual assets", styles["Title"]),
        urgency,
        _grid([["To", p(info.addressee)],
               ["From", p(detail.agency + (f" (24/7: {detail.agency_contact})"
                                           if detail.agency_contact else ""))],
               ["Operation", p(detail.codename)],
               ["Wallet", p(wallet, mono)],
               ["Amount to freeze", p(f"{plain(info.amount)} {info.asset}")],
               ["Legal basis", p(info.legal_basis)],
               ["Status", p(f"{info.status} (drafted {_time(info.drafted_at)})")]],
              [40 * mm, 140 * mm], header=False),
        Spacer(1, 4 * mm),
        Paragraph("We ask you to freeze, without notice to the holder, the assets named above "
                  "and any further funds reaching this wallet, and to confirm to us what was "
                  "frozen and when.", styles["BodyText"]),
        Paragraph("How the funds were traced", styles["Heading3"]),
    ]
    if basis:
        story.append(p(str(basis.get("statement", ""))))
        story.append(Spacer(1, 2 * mm))
        service = basis.get("label") or ""
        if service:
            story.append(p(f"{info.address} is labelled {basis.get('category', '')} "
                           f"{service!r} (source: {basis.get('source', '') or 'not given'})."))
        story.append(p(f"Amount traced to this wallet: {basis.get('traced', '')} "
                       f"{basis.get('asset', '')}."))
        path = basis.get("path") or []
        if path:
            story.append(Spacer(1, 2 * mm))
            rows: list[list[Any]] = [["Time (UTC)", "Transaction", "From", "To", "Amount",
                                      "Traced"]]
            for step in path:
                rows.append([p(str(step.get("time", "")).replace("T", " ")),
                             p(str(step.get("tx_hash", "")), mono),
                             p(str(step.get("from", "")), mono), p(str(step.get("to", "")), mono),
                             p(f"{step.get('amount', '')} {step.get('asset', '')}"),
                             p(str(step.get("traced", "")))])
            story.append(_grid(rows, [24 * mm, 40 * mm, 40 * mm, 40 * mm, 20 * mm, 18 * mm]))
    else:
        story.append(p("The trace this request was drafted from is not in this store."))
    story.append(Paragraph("History", styles["Heading3"]))
    story.append(_grid([["Status", "Time", "Frozen", "By", "Note"]]
                       + [[p(s.status), p(_time(s.at)), p(s.frozen_amount), p(s.agency),
                           p(s.note)] for s in detail.steps],
                       [28 * mm, 32 * mm, 25 * mm, 40 * mm, 57 * mm]))
    doc = SimpleDocTemplate(str(target), pagesize=A4, leftMargin=14 * mm, rightMargin=14 * mm,
                            topMargin=16 * mm, bottomMargin=14 * mm,
                            title=f"Freeze request - operation {detail.codename}",
                            author=detail.agency)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
