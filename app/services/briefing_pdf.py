"""The briefing pack as a PDF, drawn with ReportLab so the CLI needs no display or Qt."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.services.briefing import Briefing

# The TLP 2.0 colours: text in the given colour on black, as FIRST's standard prescribes.
TLP_COLOURS = {"CLEAR": "#FFFFFF", "GREEN": "#33FF00", "AMBER": "#FFC000",
               "AMBER+STRICT": "#FFC000", "RED": "#FF2B2B"}
# An action's state at H-hour, as the Timing tab colours it: red would break the law.
STATE_COLOURS = {"lawful": "#C8E6C9", "no rule": "#C8E6C9", "outside window": "#FFCDD2",
                 "authorised": "#BBDEFB", "rule unknown": "#FFE0B2"}


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#1F3A5F")),
        ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#EEF2F7")]),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B0B8C4")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def write_briefing_pdf(briefing: Briefing, target: Path) -> None:
    styles = getSampleStyleSheet()
    for heading in ("Heading2", "Heading3"):
        styles[heading].keepWithNext = True  # never a heading alone at a page's foot
    cell = ParagraphStyle("cell", parent=styles["BodyText"], fontSize=8.5, leading=10)
    marking = briefing.marking

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text), cell)

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = doc.pagesize
        label = f"TLP:{marking}"
        canvas.setFillColor(colors.black)
        canvas.rect(width - 60 * mm, height - 12 * mm, 50 * mm, 7 * mm, fill=1, stroke=0)
        canvas.setFillColor(colors.HexColor(TLP_COLOURS[marking]))
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString(width - 35 * mm, height - 10 * mm, label)
        canvas.setFillColor(colors.grey)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(10 * mm, 7 * mm,
                          f"Operation {briefing.codename} - briefing for {briefing.agency} - "
                          f"prepared by {briefing.prepared_by} "
                          f"{briefing.prepared_at:%Y-%m-%d %H:%M} UTC")
        canvas.drawRightString(width - 10 * mm, 7 * mm, f"page {doc.page}")
        canvas.restoreState()

    story: list[Any] = [
        Paragraph(escape(f"Operation {briefing.codename}"), styles["Title"]),
        Paragraph(escape(f"Briefing for {briefing.agency}"), styles["Heading2"]),
        _table([["H-hour (your time)", "H-hour (UTC)", "Lead agency", "Status"],
                [p(briefing.h_hour_local_text),
                 p(f"{briefing.h_hour_utc:%Y-%m-%d %H:%M} UTC" if briefing.h_hour_utc
                   else "not set"), p(briefing.lead_agency), p(briefing.status)]],
               [90 * mm, 55 * mm, 70 * mm, 40 * mm]),
        Spacer(1, 4 * mm),
        Paragraph("Operation order", styles["Heading3"]),
        Paragraph(escape(briefing.description or "No description recorded."),
                  styles["BodyText"]),
        Paragraph(f"Your actions ({len(briefing.actions)})", styles["Heading3"]),
    ]
    if briefing.actions:
        outside = sum(1 for a in briefing.actions if a.state == "outside window")
        if outside:
            story.append(Paragraph(escape(
                f"{outside} of your actions would start outside the lawful search hours at "
                "this H-hour: raise it with the lead agency before acting."), styles["Italic"]))
        rows: list[list[Any]] = [["Target", "Action", "Site", "Local start at site",
                                  "Offset", "Search-hour rule", "State"]]
        shading: list[tuple[Any, ...]] = []
        for a in briefing.actions:
            local = (f"{a.local_start:%Y-%m-%d %H:%M} (UTC{a.utc_offset})"
                     + (" - occurs twice, this is the one given" if a.ambiguous else "")
                     if a.local_start else "H-hour not set")
            where = f"{a.site} ({a.country}, {a.zone})" if a.site else "no site (remote)"
            if a.state in STATE_COLOURS:
                shading.append(("BACKGROUND", (6, len(rows)), (6, len(rows)),
                                colors.HexColor(STATE_COLOURS[a.state])))
            rows.append([p(a.target), p(a.action), p(where),
                         p(local), p(f"H{a.offset_min:+d} min"),
                         p(a.rule + (f"; authorised: {a.authorisation}" if a.authorisation
                                     else "")), p(a.state)])
        actions_table = _table(rows, [45 * mm, 20 * mm, 55 * mm, 48 * mm, 20 * mm, 52 * mm,
                                      25 * mm])
        actions_table.setStyle(TableStyle(shading))
        story.append(actions_table)
    else:
        story.append(Paragraph("No actions are assigned to your agency.", styles["BodyText"]))
    story += [Paragraph("Contacts of the other agencies", styles["Heading3"])]
    story.append(_table([["Agency", "Country", "Role", "24/7 contact"]]
                        + [[p(c.agency), p(c.country), p(c.role), p(c.contact_24_7)]
                           for c in briefing.contacts],
                        [75 * mm, 20 * mm, 25 * mm, 145 * mm]))
    story += [Paragraph(f"Targets you may see ({len(briefing.targets)})", styles["Heading3"])]
    if briefing.withheld:
        story.append(Paragraph(escape(
            f"{briefing.withheld} further target(s) of this operation are not released to "
            "your agency under its sharing rules (TLP and participation)."), styles["Italic"]))
    story.append(_table([["Target", "Kind", "Country", "TLP"]]
                        + [[p(t.name), p(t.kind), p(t.country), p(t.tlp)]
                           for t in briefing.targets],
                        [120 * mm, 40 * mm, 30 * mm, 35 * mm]))
    doc = SimpleDocTemplate(str(target), pagesize=landscape(A4), leftMargin=12 * mm,
                            rightMargin=12 * mm, topMargin=16 * mm, bottomMargin=14 * mm,
                            title=f"Operation {briefing.codename} - {briefing.agency}",
                            author=briefing.prepared_by)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
