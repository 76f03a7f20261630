"""The channel poster as a PDF: one A4 page with the unit's name, and for each channel a QR code
(drawn as vector squares, so it prints sharp at any size) and its short address.

reportlab lays the page out; segno makes the QR codes (error correction M, quiet zone of 4 modules
as ISO/IEC 18004 asks). Text is set in DejaVu Sans, vendored in console/fonts (reportlab's own
fonts have no Vietnamese letters); see console/fonts/README.md for its source and licence.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import segno
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from console import poster_texts as P

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "PosterSans", "PosterSans-Bold"
INK, ACCENT = HexColor("#1d2733"), HexColor("#1f5f99")
QUIET_ZONE = 4


@dataclass(frozen=True)
class PosterChannel:
    key: str  # zalo | facebook | telegram | webchat | hotline
    url: str  # what the QR code holds (https://…, tel:…)
    short: str  # what is printed under it (zalo.me/…, 1022)


def _fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


def _lines(text: str, font: str, size: float, width: float) -> list[str]:
    """`text` broken into lines no wider than `width` points."""
    lines: list[str] = []
    for word in text.split():
        if lines and pdfmetrics.stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _paragraph(canvas: Canvas, text: str, font: str, size: float, top: float,
               width: float, leading: float = 1.3) -> float:
    """Centred lines from `top` down; the y under the last line."""
    page_w = A4[0]
    canvas.setFont(font, size)
    for line in _lines(text, font, size, width):
        top -= size * leading
        canvas.drawCentredString(page_w / 2, top, line)
    return top


def _fitted(text: str, font: str, size: float, width: float, max_lines: int) -> float:
    """The largest size up to `size` at which `text` fits `width` in at most `max_lines` lines."""
    while size > 10 and len(_lines(text, font, size, width)) > max_lines:
        size -= 1
    return size


def _qr(canvas: Canvas, data: str, x: float, y: float, side: float) -> None:
    """The QR code of `data` as a `side`-point square (quiet zone included), lower left at x, y."""
    code = segno.make(data, error="m", micro=False)
    rows = list(code.matrix_iter(scale=1, border=QUIET_ZONE))
    module = side / len(rows)
    canvas.setFillColor(white)
    canvas.rect(x, y, side, side, stroke=0, fill=1)
    path = canvas.beginPath()
    for r, row in enumerate(rows):
        for c, dark in enumerate(row):
            if dark:
                path.rect(x + c * module, y + side - (r + 1) * module, module, module)
    canvas.setFillColor(INK)
    canvas.drawPath(path, stroke=0, fill=1)


def _card(canvas: Canvas, channel: PosterChannel, x: float, top: float, width: float,
          qr_side: float) -> None:
    name, hint = P.CHANNELS[channel.key]
    centre = x + width / 2
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 16)
    canvas.drawCentredString(centre, top - 16, name)
    canvas.setFillColor(INK)
    canvas.setFont(REGULAR, 9)
    canvas.drawCentredString(centre, top - 30, hint)
    _qr(canvas, channel.url, centre - qr_side / 2, top - 34 - qr_side, qr_side)
    short_size = _fitted(channel.short, BOLD, 14, width - 8, 1)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, short_size)
    canvas.drawCentredString(centre, top - 34 - qr_side - 14, channel.short)


def render_poster(unit: str, channels: list[PosterChannel], lookup: str) -> bytes:
    """The A4 poster of `unit` with a card per channel (two per row) and the lookup address."""
    _fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1)
    canvas.setTitle(f"{P.TITLE.capitalize()}: {unit}")
    canvas.setAuthor(unit)
    page_w, page_h = A4
    margin = 16 * mm
    text_w = page_w - 2 * margin
    canvas.setFillColor(ACCENT)
    canvas.rect(0, page_h - 12 * mm, page_w, 12 * mm, stroke=0, fill=1)
    canvas.setFillColor(white)
    canvas.setFont(BOLD, 11)
    canvas.drawCentredString(page_w / 2, page_h - 8 * mm, P.CITY)
    canvas.setFillColor(INK)
    top = _paragraph(canvas, unit, BOLD, _fitted(unit, BOLD, 26, text_w, 2), page_h - 16 * mm, text_w)
    canvas.setFillColor(ACCENT)
    top = _paragraph(canvas, P.TITLE, BOLD, 30, top - 10, text_w)
    canvas.setFillColor(INK)
    top = _paragraph(canvas, P.LEAD, REGULAR, 11, top - 8, text_w) - 8 * mm

    rows = (len(channels) + 1) // 2
    footer_h = 22 * mm
    room = top - margin - footer_h
    card_h = min(room / max(rows, 1), 95 * mm)
    qr_side = min(card_h - 84, 62 * mm)  # name, hint and address take 66 pt, 18 pt between cards
    card_w = text_w / 2
    for index, channel in enumerate(channels):
        row, column = divmod(index, 2)
        alone = index == len(channels) - 1 and column == 0  # an odd last card is centred
        x = margin + (card_w / 2 if alone else column * card_w)
        _card(canvas, channel, x, top - row * card_h, card_w, qr_side)

    canvas.setFillColor(INK)
    bottom = _paragraph(canvas, P.FOOTER.format(lookup=lookup), REGULAR, 10, margin + footer_h, text_w)
    _paragraph(canvas, P.NOT_HERE, REGULAR, 9, bottom, text_w)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
