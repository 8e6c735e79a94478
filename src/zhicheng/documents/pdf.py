"""Helpers every PDF the platform prints shares (reportlab): people's text is always text, never markup.

reportlab's ``Paragraph`` reads its text as a mini-markup (``<b>``, ``<font>``, ``<img src=…>``): a reviewer's reason
``同意<b>推荐`` broke the summary table for good and ``<img src="/local.png"/>`` embedded a file of the server's
disk (issue 10, finding 4). Every paragraph of the platform is made by :func:`para`, which escapes what it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, Table

CJK_FONT = "STSong-Light"  # the PDF's built-in Chinese CID font: no font file needed


def cjk_font() -> str:
    """The Chinese font's name, registered once per process."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def escape_text(value: object) -> str:
    """``value`` as paragraph text that shows exactly what was typed: markup escaped, line breaks kept."""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")


def para(value: object, style: Any) -> Paragraph:
    """A paragraph of the platform's or a person's text, never read as markup."""
    return Paragraph(escape_text(value), style)


def table(rows: Sequence[Sequence[object]], widths: Sequence[float]) -> Table:
    """A table whose header repeats on every page and whose rows may continue on the next page: one long opinion
    (10,000 characters) must not make the whole document fail because its row is taller than a page."""
    return Table(list(rows), colWidths=list(widths), repeatRows=1, splitInRow=1)
