"""An invoice rendered as a PDF (fpdf2, with DejaVu Sans so any customer name prints)."""

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from billfold.invoicing.formatting import format_date, format_money, format_tier
from billfold.invoicing.models import Invoice, InvoiceLine, Party

_FONTS = Path(__file__).parent / "fonts"
_FAMILY = "DejaVu"
_STATUS_LABELS = {
    "open": "AMOUNT DUE",
    "paid": "PAID",
    "uncollectible": "UNCOLLECTIBLE",
    "void": "VOID",
}
_COLUMNS = (96.0, 18.0, 30.0, 30.0)
"""Widths in mm of the line table: description, quantity, unit price, amount (A4, 15 mm margins)."""


def _document() -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font(_FAMILY, "", str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font(_FAMILY, "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, text: str, size: float = 9, *, bold: bool = False, align: str = "L") -> None:
    pdf.set_font(_FAMILY, "B" if bold else "", size)
    pdf.cell(0, 5, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _party(pdf: FPDF, heading: str, party: Party, x: float, y: float) -> float:
    """Print a party in a column at (x, y); where the column ends."""
    pdf.set_xy(x, y)
    pdf.set_font(_FAMILY, "B", 9)
    pdf.cell(80, 5, heading, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font(_FAMILY, "", 9)
    for row in [party.name, *party.address, party.email]:
        pdf.cell(80, 5, row, new_x=XPos.LEFT, new_y=YPos.NEXT)
    return pdf.get_y()


def _field(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(_FAMILY, "", 9)
    pdf.cell(32, 5, label)
    pdf.set_font(_FAMILY, "B", 9)
    pdf.cell(0, 5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _header(pdf: FPDF, invoice: Invoice) -> None:
    _text(pdf, "Invoice", 20, bold=True)
    _field(pdf, "Invoice number", invoice.number)
    _field(pdf, "Date of issue", format_date(invoice.created_at))
    if invoice.paid_at is not None:
        _field(pdf, "Paid on", format_date(invoice.paid_at))
    _text(pdf, _STATUS_LABELS[invoice.status], 14, bold=True, align="R")
    top = pdf.get_y() + 4
    bottom = max(
        _party(pdf, "From", invoice.seller, 15, top),
        _party(pdf, "Bill to", invoice.customer, 110, top),
    )
    pdf.set_xy(15, bottom + 8)


def _row(pdf: FPDF, cells: tuple[str, str, str, str], *, bold: bool = False, size: int = 9) -> None:
    pdf.set_font(_FAMILY, "B" if bold else "", size)
    for index, (width, text) in enumerate(zip(_COLUMNS, cells, strict=True)):
        last = index == len(_COLUMNS) - 1
        pdf.cell(
            width,
            6,
            text,
            border="B",
            align="L" if index == 0 else "R",
            new_x=XPos.LMARGIN if last else XPos.RIGHT,
            new_y=YPos.NEXT if last else YPos.TOP,
        )


def _describe(line: InvoiceLine) -> str:
    if line.period_start is None or line.period_end is None:
        return line.description
    span = f"{format_date(line.period_start)} \u2013 {format_date(line.period_end)}"
    return f"{line.description} ({span})"


def _lines(pdf: FPDF, invoice: Invoice) -> None:
    _row(pdf, ("Description", "Qty", "Unit price", "Amount"), bold=True)
    money = invoice.currency
    for line in invoice.lines:
        unit_price = "tiered" if line.tiers else format_money(line.unit_amount, money)
        _row(
            pdf,
            (
                _describe(line),
                f"{line.quantity:,}",
                unit_price,
                format_money(line.amount, money),
            ),
        )
        whole = "" if sum(t.amount for t in line.tiers) == line.amount else ", whole period"
        for tier in line.tiers:
            _row(
                pdf,
                (
                    f"    {format_tier(tier, money)}{whole}",
                    f"{tier.quantity:,}",
                    format_money(tier.unit_amount, money),
                    format_money(tier.amount, money),
                ),
                size=8,
            )


def _totals(pdf: FPDF, invoice: Invoice) -> None:
    money = invoice.currency
    rows = [("Subtotal", invoice.subtotal)]
    if invoice.discount:
        rows.append(("Discount", -invoice.discount))
    rows.append(("Total", invoice.total))
    if invoice.credit_applied:
        rows.append(("Applied from credit balance", -invoice.credit_applied))
    if invoice.credit_added:
        rows.append(("Added to credit balance", invoice.credit_added))
    if invoice.amount_paid:
        rows.append(("Amount paid", invoice.amount_paid))
    rows.append(("Amount due" if invoice.status == "open" else "Balance", _due(invoice)))
    pdf.ln(3)
    for label, amount in rows:
        bold = label in ("Total", "Amount due")
        pdf.set_x(15 + _COLUMNS[0])
        pdf.set_font(_FAMILY, "B" if bold else "", 9)
        pdf.cell(_COLUMNS[1] + _COLUMNS[2], 6, label, align="R")
        pdf.cell(
            _COLUMNS[3],
            6,
            format_money(amount, money),
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def _due(invoice: Invoice) -> int:
    return invoice.amount_due - invoice.amount_paid if invoice.status == "open" else 0


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as a one-document PDF: seller, customer, number, dates, lines, totals, status."""
    pdf = _document()
    pdf.set_title(f"Invoice {invoice.number}")
    pdf.set_author(invoice.seller.name)
    pdf.set_creation_date(invoice.created_at)
    _header(pdf, invoice)
    _lines(pdf, invoice)
    _totals(pdf, invoice)
    pdf.ln(6)
    _text(pdf, f"All amounts in {invoice.currency}.", 8)
    return bytes(pdf.output())
